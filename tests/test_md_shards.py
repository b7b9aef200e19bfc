"""The Markdown is written by several pandoc runs, shards of letter groups, with the footnotes
taken out and written by a run of their own: the bytes must be those of one pandoc run over the
whole document, footnotes and all."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DEMO, fixture_path

from pipeline import build, pandoc, read_book
from pipeline import diagnostics as dg
from pipeline.formats import md
from pipeline.formats.common.document import document
from pipeline.pandoc_ast import walk


def _one_run(source: Path) -> bytes:
    """The whole document through pandoc's Markdown writer at once."""
    book = read_book(source, dg.Report())
    doc = document(book)
    doc["blocks"] = walk(doc["blocks"], md._plain)
    return pandoc.convert_json(doc, "markdown-smart", ["--standalone", *md._ARGS])[0]


@pytest.mark.parametrize("source", [DEMO, fixture_path("messy")], ids=["demo", "messy"])
def test_shards_write_what_one_run_writes(source: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[bool] = []
    real = md._start

    def counted(pool, doc, first):  # type: ignore[no-untyped-def]
        runs.append(first)
        return real(pool, doc, first)

    monkeypatch.setattr(md, "_start", counted)
    monkeypatch.setattr(md, "SHARD_TERMS", 1)
    written = build(source, tmp_path / "out", ["md"], dg.Report())["md"].read_bytes()
    assert len(runs) > 4 and runs.count(True) == 1  # a shard per letter group; one YAML header
    assert written == _one_run(source)
    if source == DEMO:
        assert b"[^1]:" in written and b"[^3]" in written  # its footnotes, numbered through the book
