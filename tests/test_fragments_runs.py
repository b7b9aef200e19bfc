"""The shared HTML fragments are rendered by one pandoc run per core, each started while the
next shard is planned: the shards must give exactly what one run gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import DEMO

from pipeline import diagnostics as dg
from pipeline import pandoc, read_book
from pipeline.cache import Cache
from pipeline.formats.common import fragments
from pipeline.model import Book

_REAL_PANDOC = fragments._pandoc


@pytest.fixture(scope="module")
def book() -> Book:
    return read_book(DEMO, dg.Report())


def _render(book: Book, monkeypatch: pytest.MonkeyPatch, cores: int,
            cache: Cache | None = None) -> tuple[fragments.Fragments, list[int]]:
    """The fragments with `cores` shards of at least one term, and how many terms each run got."""
    sizes: list[int] = []

    def counted(terms: list[list[bytes]], b: Book) -> tuple[list[list[str]], str]:
        sizes.append(len(terms))
        return _REAL_PANDOC(terms, b)

    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setattr(pandoc, "MIN_SHARD", 1)
    monkeypatch.setattr(fragments, "_pandoc", counted)
    report = dg.Report()
    rendered = fragments.render(book, report, cache)
    assert not report.errors
    return rendered, sizes


def test_shards_render_what_one_run_renders(book: Book, monkeypatch: pytest.MonkeyPatch) -> None:
    one, one_sizes = _render(book, monkeypatch, cores=1)
    three, sizes = _render(book, monkeypatch, cores=3)
    items = len(book.terms) + len(book.pages)
    assert one_sizes == [items]
    assert len(sizes) == 3 and sum(sizes) == items  # the pages ride with the last shard
    assert three.terms == one.terms
    assert three.pages == one.pages
    assert list(three.terms) == [t.id for t in book.terms]


def test_a_warm_render_runs_pandoc_only_for_what_changed(book: Book, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache(tmp_path)
    cold, sizes = _render(book, monkeypatch, cores=2, cache=cache)
    assert len(sizes) == 2
    warm, again = _render(book, monkeypatch, cores=2, cache=cache)
    assert again == [] and warm.terms == cold.terms and warm.pages == cold.pages


def test_the_document_joined_from_the_fragments_json_is_the_whole_written_at_once(book: Book) -> None:
    import json

    from pipeline import jsonbytes
    from pipeline.formats.common.document import metadata
    from pipeline.pandoc_ast import Div, attr

    term = book.terms[0]
    blocks = [list(term.definition), *[list(s.blocks) for s in term.sections], []]
    api, meta = list(book.pandoc_api_version), metadata(book)
    joined = fragments._document([jsonbytes.dumps(Div(attr(), b)) for b in blocks], api, meta)
    whole = {"pandoc-api-version": api, "meta": meta,
             "blocks": [x for i, b in enumerate(blocks) for x in (fragments._marker(i), Div(attr(), b))]}
    assert joined == json.dumps(whole, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
