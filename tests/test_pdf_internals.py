"""The private names of WeasyPrint and pypdf that the PDF relies on are still there.

`pipeline/formats/pdf/_weasyprint.py` and `_pypdf.py` hold every such use, and pyproject pins
both libraries to the series they were read from. After an upgrade this test says which name
moved, instead of a PDF build failing somewhere deep inside the layout.
"""

from __future__ import annotations

from importlib.metadata import version

import pytest

from pipeline.formats.pdf import _pypdf, _weasyprint


def test_weasyprint_internals_are_there() -> None:
    missing = _weasyprint.missing_internals()
    assert missing == [], (f"WeasyPrint {version('weasyprint')} lacks {', '.join(missing)}: "
                           "update pipeline/formats/pdf/_weasyprint.py before raising the pin")


def test_pypdf_internals_are_there() -> None:
    missing = _pypdf.missing_internals()
    assert missing == [], (f"pypdf {version('pypdf')} lacks {', '.join(missing)}: "
                           "update pipeline/formats/pdf/_pypdf.py before raising the pin")


def test_the_check_names_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """It is not vacuous: a name that does not exist is reported."""
    monkeypatch.setattr(_weasyprint, "INTERNALS", (*_weasyprint.INTERNALS, ("weasyprint.layout", "no_such")))
    monkeypatch.setattr(_pypdf, "ADD_OBJECT", "_no_such_method")
    assert _weasyprint.missing_internals() == ["weasyprint.layout.no_such"]
    assert _pypdf.missing_internals() == ["pypdf.PdfWriter._no_such_method"]
