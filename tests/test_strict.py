"""`--strict` across formats: `build` writes nothing when there are errors, from any format.

Writers stage their outputs (`BuildContext.output`, `output_dir`) and the run moves them into
place only when no format reported an error (`BuildContext.commit`); the previous outputs stay
byte-identical otherwise, and no staging folder is left behind, not even after a crash.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from conftest import build_into, fixture_path, outputs_in

from pipeline import diagnostics as dg
from pipeline import read_book
from pipeline.formats import FORMATS

pytestmark = pytest.mark.slow

HOSTILE = fixture_path("hostile-html")


def test_strict_writes_nothing_when_any_format_has_an_error(tmp_path: Path) -> None:
    """The hostile book has errors only some formats find (a JPEG named .png): under --strict
    no format may write, not md or DOCX either, and no staged file may stay behind."""
    out = tmp_path / "out"
    clean, report = build_into(fixture_path("pdf-small"), out, *FORMATS, strict=True)
    assert not report.errors
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    src = tmp_path / "src"
    src.mkdir()
    for p in fixture_path("pdf-small").rglob("*"):
        if p.is_file():
            (src / p.relative_to(fixture_path("pdf-small"))).parent.mkdir(parents=True, exist_ok=True)
            (src / p.relative_to(fixture_path("pdf-small"))).write_bytes(p.read_bytes())
    (src / "images" / "falsch.png").write_bytes((HOSTILE / "images" / "jpeg-als.png").read_bytes())
    (src / "Falsch.md").write_text("## Falsch {#Falsch .term}\n\n***Ein Bild, das lügt***\n\n"
                                   "![Falsch](images/falsch.png)\n", encoding="utf-8")
    check = dg.Report(strict=True)
    read_book(src, check)
    assert not check.errors
    with pytest.raises(dg.GlossaryError):
        build_into(src, out, *FORMATS, strict=True)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert outputs_in(out) == sorted(p.name for p in clean.values())
    fresh = tmp_path / "fresh"
    with pytest.raises(dg.GlossaryError):
        build_into(src, fresh, *FORMATS, strict=True)
    assert not fresh.exists() or outputs_in(fresh) == []
    outputs, report = build_into(src, tmp_path / "lenient", *FORMATS)
    assert set(outputs) == set(FORMATS) and report.errors  # without --strict: written, exit 1


def test_a_crash_under_strict_leaves_no_staging_folder(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.formats import html

    def crash(*_: object) -> str:
        raise RuntimeError("crash while writing the site")

    monkeypatch.setattr(html, "search_index", crash)
    with pytest.raises(RuntimeError):
        build_into(fixture_path("pdf-small"), tmp_path, "md", "html", strict=True)
    gc.collect()  # the run's BuildContext is gone: its staging folders with it
    assert outputs_in(tmp_path) == []
