"""The PDF is built beside the other formats (`pipeline.build._Run`): the writers here stand in
for the real ones, which are tested with their outputs elsewhere; what is tested is the run."""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import fixture_path

from pipeline import diagnostics as dg
from pipeline.cli import main

orchestrator = importlib.import_module("pipeline.build")
SMALL = fixture_path("pdf-small")
Write = Callable[[object, Path, object], Path]


def _writers(monkeypatch: pytest.MonkeyPatch, special: dict[str, Write]) -> list[str]:
    """Every format writes a file named after it; `special` replaces some; the order they end."""
    ended: list[str] = []

    def writer(fmt: str) -> Write:
        def write(book: object, out_dir: Path, ctx: object) -> Path:
            path = special[fmt](book, out_dir, ctx) if fmt in special else out_dir / fmt
            path.write_text(fmt)
            ended.append(fmt)
            return path
        return write

    monkeypatch.setattr(orchestrator, "writer", writer)
    return ended


def test_the_other_formats_are_built_while_the_pdf_is_and_the_site_after_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pdf_started, md_started = threading.Event(), threading.Event()

    def pdf(book: object, out: Path, ctx: object) -> Path:
        pdf_started.set()
        assert md_started.wait(10), "md was not built while the PDF was"
        time.sleep(0.2)
        return out / "pdf"

    def md(book: object, out: Path, ctx: object) -> Path:
        # Built one after the other, the two would never run at once.
        md_started.set()
        assert pdf_started.wait(10), "the PDF was not started first"
        return out / "md"

    def html(book: object, out: Path, ctx: object) -> Path:
        assert "pdf" in ctx.built  # type: ignore[attr-defined]  # the site links the PDF
        return out / "html"

    ended = _writers(monkeypatch, {"pdf": pdf, "md": md, "html": html})
    outputs = orchestrator.build(SMALL, tmp_path / "out", ["html", "pdf", "md"], dg.Report())
    assert ended == ["md", "pdf", "html"]
    assert sorted(outputs) == ["html", "md", "pdf"]


def test_a_pdf_that_fails_beside_the_others_costs_only_itself(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def pdf(book: object, out: Path, ctx: object) -> Path:
        raise dg.GlossaryError(dg.make(dg.TOOL_FAILED, "", 0, 0, "the PDF failed", "a hint"))

    ended = _writers(monkeypatch, {"pdf": pdf})
    report = dg.Report()
    with pytest.raises(dg.GlossaryError, match="the PDF failed"):
        orchestrator.build(SMALL, tmp_path / "out", ["md", "pdf", "epub"], report)
    assert sorted(ended) == ["epub", "md"]
    assert (tmp_path / "out" / "md").read_text() == "md"


def test_a_bug_in_the_pdf_thread_reaches_the_command_line_as_an_internal_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def pdf(book: object, out: Path, ctx: object) -> Path:
        raise ZeroDivisionError("a bug")

    _writers(monkeypatch, {"pdf": pdf})
    code = main(["build", str(SMALL), "--out", str(tmp_path / "out"), "--format", "pdf,md", "-q"])
    assert code != 0
    assert "internal error: ZeroDivisionError: a bug" in capsys.readouterr().err


def test_the_pdf_thread_stops_when_the_run_is_stopped(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C reaches the main thread only: the PDF's thread is told, and awaited."""
    from pipeline import limits

    stopped = threading.Event()

    def pdf(book: object, out: Path, ctx: object) -> Path:
        try:
            while True:
                limits.remaining()  # what the PDF's pool asks while it waits for its workers
                time.sleep(0.01)
        except limits.Stopped:
            stopped.set()
            raise

    def md(book: object, out: Path, ctx: object) -> Path:
        raise KeyboardInterrupt

    _writers(monkeypatch, {"pdf": pdf, "md": md})
    with pytest.raises(KeyboardInterrupt):
        orchestrator.build(SMALL, tmp_path / "out", ["md", "pdf"], dg.Report())
    assert stopped.is_set()
    assert not [t for t in threading.enumerate() if t.name == "glossary-pdf"]
