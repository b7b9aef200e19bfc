"""The build cache changes nothing but the time: a warm run gives what a cold one gives, a
damaged, truncated, half-deleted or shared cache included."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEMO, fixture_path

from pipeline import Book, Report, read_book
from pipeline.cache import Cache, clear, digest
from pipeline.cli import main
from pipeline.normalise import book_cache
from pipeline.normalise.records import term_to_json


def _state(book: Book, report: Report) -> str:
    """Everything a format can read from the Book, and every finding, as text."""
    return json.dumps([[term_to_json(t), list(t.refs_in)] for t in book.terms]
                      + [repr(book.groups), repr(book.index), sorted(map(repr, book.resources.items())),
                         [d.as_dict() for d in report]], ensure_ascii=False)


def _read(source: Path, cache: Cache | None, bodies: bool = True) -> str:
    report = Report()
    book = read_book(source, report, cache=cache, bodies=bodies)
    return _state(book, report) if bodies else json.dumps([d.as_dict() for d in report])


@pytest.fixture()
def messy(tmp_path: Path) -> Path:
    src = tmp_path / "messy"
    shutil.copytree(fixture_path("messy"), src)
    return src


def test_warm_reads_equal_a_cold_read(messy: Path, tmp_path: Path) -> None:
    cold = _read(messy, None)
    first = book_cache(messy, tmp_path / "c")
    assert _read(messy, first) == cold
    warm = book_cache(messy, tmp_path / "c")
    assert _read(messy, warm) == cold
    assert warm.misses == 0 and warm.hits > 0  # nothing was computed again
    findings = json.dumps([d for d in json.loads(cold)[-1]])
    assert _read(messy, book_cache(messy, tmp_path / "c"), bodies=False) == findings


def test_an_edit_is_seen_and_the_rest_is_reused(messy: Path, tmp_path: Path) -> None:
    _read(messy, book_cache(messy, tmp_path / "c"))
    entry = messy / "Zebra.md"
    entry.write_text(entry.read_text(encoding="utf-8") + "\nNeu: [Nirgends](#Nirgends).\n", encoding="utf-8")
    warm = book_cache(messy, tmp_path / "c")
    assert _read(messy, warm) == _read(messy, None)
    assert 0 < warm.misses < warm.hits  # the edited file only (its parse, its resolution)


def test_a_new_id_resolves_every_file_again_from_cached_parses(messy: Path, tmp_path: Path) -> None:
    _read(messy, book_cache(messy, tmp_path / "c"))
    (messy / "Nirgends.md").write_text("## Nirgends {#Nirgends .term}\n\n***Neu***\n\nText.\n",
                                       encoding="utf-8")
    assert _read(messy, book_cache(messy, tmp_path / "c")) == _read(messy, None)


def test_damaged_entries_are_computed_again(messy: Path, tmp_path: Path) -> None:
    cold = _read(messy, None)
    _read(messy, book_cache(messy, tmp_path / "c"))
    entries = sorted(p for p in (tmp_path / "c").rglob("*") if p.is_file() and p.parent.parent != tmp_path)
    rng = random.Random(7)
    for i, path in enumerate(entries):
        data = bytearray(path.read_bytes())
        if i % 3 == 0:
            data[rng.randrange(len(data))] ^= 0xFF  # a flipped byte
            path.write_bytes(bytes(data))
        elif i % 3 == 1:
            path.write_bytes(bytes(data[: len(data) // 2]))  # truncated
        else:
            path.unlink()  # gone
    damaged = book_cache(messy, tmp_path / "c")
    assert _read(messy, damaged) == cold
    assert damaged.misses >= len(entries) // 2


def test_a_foreign_entry_with_a_valid_checksum_is_no_trap(messy: Path, tmp_path: Path) -> None:
    """An entry that reads back as the wrong shape is a miss, not a crash or a wrong book."""
    cold = _read(messy, None)
    cache = book_cache(messy, tmp_path / "c")
    _read(messy, cache)
    for path in (tmp_path / "c").glob("head/*/*"):
        kind, key = path.parent.parent.name, path.name
        cache.put(kind, key, b'{"api": [1], "parsed": true, "diagnostics": [["GL999"]], "terms": 3}')
    assert _read(messy, book_cache(messy, tmp_path / "c")) == cold


def test_a_foreign_body_is_resolved_again_when_first_read(messy: Path, tmp_path: Path) -> None:
    """Bodies are decoded only when a writer reads one (`lazy_term`): a forged one found then
    is resolved again from the source, not a crash and not an empty definition."""
    cold = _read(messy, None)
    cache = book_cache(messy, tmp_path / "c")
    _read(messy, cache)
    forged = list((tmp_path / "c").glob("bodies/*/*"))
    assert forged
    for path in forged:
        cache.put("bodies", path.name, b'[["not", "a", "body"]]')
    assert _read(messy, book_cache(messy, tmp_path / "c")) == cold


def test_warm_terms_leave_their_bodies_unread_until_used(messy: Path, tmp_path: Path) -> None:
    """A warm Book's terms carry their definitions unread; reading, copying or pickling one
    gives exactly the cold term."""
    import pickle
    from dataclasses import fields

    from pipeline.model import with_light

    cold = read_book(messy, Report())
    read_book(messy, Report(), cache=book_cache(messy, tmp_path / "c"))
    warm = read_book(messy, Report(), cache=book_cache(messy, tmp_path / "c"))
    term = warm.terms[0]
    assert "definition" not in vars(term) and "sections" not in vars(term)
    moved = with_light(term, refs_in=("X",))
    assert "definition" not in vars(moved) and moved.refs_in == ("X",)
    again = pickle.loads(pickle.dumps(moved))
    assert again.definition == cold.terms[0].definition and not hasattr(again, "_load_body")
    for w, c in zip(warm.terms, cold.terms, strict=True):
        compared = [f.name for f in fields(w) if f.compare]  # not the fingerprint: the cache's key
        assert [getattr(w, n) for n in compared] == [getattr(c, n) for n in compared]
        assert w == c


@pytest.mark.parametrize("name", ["pandoc-makefile", "codes/GL209", "codes/GL310", "codes/GL305",
                                  "epub-edge", "positions"])
def test_warm_equals_cold_for_term_like_files_pages_and_failures(name: str, tmp_path: Path) -> None:
    """Files judged with their siblings (a heading without .term, a hand-kept index), files
    pandoc cannot parse, images, formulas, positions: the same from the cache."""
    src = tmp_path / "src"
    shutil.copytree(fixture_path(name), src)
    cold = _read(src, None)
    assert _read(src, book_cache(src, tmp_path / "c")) == cold
    warm = book_cache(src, tmp_path / "c")
    assert _read(src, warm) == cold and warm.misses == 0


def test_keys_separate_their_parts() -> None:
    assert digest("ab", "c") != digest("a", "bc")
    assert Cache(None).get("x", "y") is None  # a disabled cache keeps nothing


def test_the_cache_folder_ignores_itself_and_clean_removes_it(tmp_path: Path) -> None:
    src = tmp_path / "demo"
    shutil.copytree(DEMO, src)
    assert main(["check", str(src), "-q"]) == 0
    folder = src / ".glossary-cache"
    assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert main(["check", str(src), "-q", "--no-cache"]) == 0
    assert main(["clean", str(src)]) == 0 and not folder.exists()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("x", encoding="utf-8")
    with pytest.raises(ValueError):
        clear(tmp_path / "mine")  # a folder that is not a cache is never deleted


@pytest.mark.slow
def test_two_checks_at_once_on_one_cache(messy: Path, tmp_path: Path) -> None:
    cold = subprocess.run([sys.executable, "-m", "pipeline", "check", str(messy), "--format", "json",
                           "--no-cache"], capture_output=True, text=True)
    cmd = [sys.executable, "-m", "pipeline", "check", str(messy), "--format", "json",
           "--cache", str(tmp_path / "c")]
    env = {**os.environ, "PYTHONHASHSEED": "1"}
    runs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env) for _ in range(3)]
    outs = [r.communicate()[0] for r in runs]
    assert all(o == cold.stdout for o in outs)
    again = subprocess.run(cmd, capture_output=True, text=True)
    assert again.stdout == cold.stdout


def test_memory_keeps_what_a_build_read_or_wrote_for_the_next_build(tmp_path: Path) -> None:
    """`glossary serve` keeps one `Memory` across its rebuilds: what one build read or wrote is
    found again without a file; beyond its limit the least recently used goes first."""
    from pipeline.cache import Memory

    memory = Memory(limit=100)  # an entry over a quarter of it is not kept
    first = Cache(tmp_path / "c", memory=memory)
    for name in "abcd":
        first.put("k", name, name.encode() * 25)
    first.put("k", "huge", b"h" * 26)
    first.flush()  # in the files now (the writer writes them beside the run)
    for path in (tmp_path / "c").glob("k/*/*"):
        path.unlink()  # `glossary clean` meanwhile: the values stay valid, keys name their inputs
    second = Cache(tmp_path / "c", memory=memory)
    assert [second.get("k", n) for n in "abcd"] == [n.encode() * 25 for n in "abcd"]
    assert second.get("k", "huge") is None
    second.get("k", "a")
    second.put("k", "e", b"e" * 25)  # over the limit: "b", used least recently, goes
    assert second.get("k", "b") is None and second.get("k", "a") == b"a" * 25
    assert memory.size == 100
    assert Cache(None, memory=memory).get("k", "c") is None  # --no-cache keeps nothing
