"""Every use of WeasyPrint's internals, in one place: the laid-out box tree, fonts, line breaking.

The public API (`HTML`, `CSS`, `Document.pages`, `Page.anchors`/`links`, `URLFetcher`) is used
where it is needed; what WeasyPrint does not publish — page boxes, Pango font handles, the PDF
font writer, the inline line splitter — is reached only through this module. pyproject pins
WeasyPrint to the series these names were read from (`weasyprint>=70,<71`);
`tests/test_pdf_internals.py` fails with the missing name when an upgrade moves one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

# (module, attribute) pairs this module reaches into; checked by `missing_internals`.
INTERNALS = (
    ("weasyprint.formatting_structure.boxes", "MarginBox"),
    ("weasyprint.formatting_structure.boxes", "InlineBox"),
    ("weasyprint.formatting_structure.boxes", "InlineBlockBox"),
    ("weasyprint.formatting_structure.boxes", "TextBox"),
    ("weasyprint.pdf.fonts", "Font"),
    ("weasyprint.text.fonts", "get_pango_font_key"),
    ("weasyprint.text.line_break", "Layout"),
    ("weasyprint.layout.inline", "split_first_line"),
)
PAGE_BOX = "_page_box"  # the laid-out page box of a `weasyprint.Page`


def boxes() -> ModuleType:
    """WeasyPrint's box classes (`MarginBox`, `InlineBox`, `TextBox`, …)."""
    return importlib.import_module("weasyprint.formatting_structure.boxes")


def page_box(page: Any) -> Any:
    """The laid-out root box of a rendered page."""
    return getattr(page, PAGE_BOX)


def shaped(style: Any, text: str) -> tuple[Any, Any]:
    """WeasyPrint's layout of `text` in a box's computed `style`, and Pango's first glyph run
    of it. Keep the layout while the run is used: the run is memory the layout owns."""
    from weasyprint.text.line_break import Layout

    layout = Layout(style)
    layout.set_text(text)
    line, _ = layout.get_first_line()
    return layout, line.runs[0]


def font_key(pango_font: Any) -> tuple[Any, Any, Any]:
    """(hash, description, size) identifying a Pango font the way WeasyPrint's PDF writer does."""
    from weasyprint.text.fonts import get_pango_font_key

    key: tuple[Any, Any, Any] = get_pango_font_key(pango_font)
    return key


def font_subset(pango_font: Any, description: Any, size: Any, glyphs: dict[int, str]) -> Any:
    """WeasyPrint's PDF font for `pango_font`, reduced to `glyphs` (glyph id -> character);
    it has `name`, `family`, `file_content`, `index`, `type` and `flags`."""
    from weasyprint.pdf.fonts import Font

    font = Font(pango_font, description, size)
    font.clean(glyphs, False)
    return font


def wrap_line_splitter(wrap: Callable[[Any], Any]) -> None:
    """Replace the inline layout's `split_first_line` by `wrap(original)`."""
    from weasyprint.layout import inline

    inline.split_first_line = wrap(inline.split_first_line)


def missing_internals() -> list[str]:
    """The internals that this WeasyPrint no longer has ('module.name'), rendering a one-line
    page to check the page box too; empty when all are there."""
    missing = []
    for module, name in INTERNALS:
        try:
            if not hasattr(importlib.import_module(module), name):
                missing.append(f"{module}.{name}")
        except ImportError:
            missing.append(f"{module}.{name}")
    from weasyprint import HTML

    page = HTML(string="<p>1</p>").render().pages[0]
    if not hasattr(page, PAGE_BOX):
        missing.append(f"weasyprint.Page.{PAGE_BOX}")
    return missing
