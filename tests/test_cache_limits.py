"""The build cache and the input guards of issue 18: what `[limits]`, NFC and the other guards
decide is never served stale from the cache. Warm reads and builds equal cold ones."""

from __future__ import annotations

import hashlib
import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from conftest import fixture_path
from hostile import CASES, write_case

from pipeline import Report, build, read_book
from pipeline.normalise import book_cache
from pipeline.normalise.records import term_to_json


def _read(source: Path, cache_dir: Path | None) -> tuple[str, list[str]]:
    """Everything the Book holds and every finding as text, and the codes found."""
    report = Report()
    cache = book_cache(source, cache_dir) if cache_dir else None
    book = read_book(source, report, cache=cache)
    state = json.dumps([[term_to_json(t) for t in book.terms], [d.as_dict() for d in report]],
                       ensure_ascii=False)
    return state, [d.code for d in report]


@pytest.fixture()
def messy(tmp_path: Path) -> Path:
    src = tmp_path / "messy"
    shutil.copytree(fixture_path("messy"), src)
    return src


def _limits(source: Path, text: str) -> None:
    toml = source / "book.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + f"\n[limits]\n{text}\n", encoding="utf-8")


def test_a_lowered_entry_size_leaves_the_entry_out_of_a_warm_read_too(messy: Path, tmp_path: Path) -> None:
    (messy / "Gross.md").write_text("## Groß {#Gross .term}\n\n***Viel***\n\n" + "Wort " * 800 + "\n",
                                    encoding="utf-8")
    first, _ = _read(messy, tmp_path / "c")
    assert '"Gross"' in first
    _limits(messy, 'entry-size = "2 kB"')
    warm, codes = _read(messy, tmp_path / "c")
    assert warm == _read(messy, None)[0]
    assert "GL311" in codes and '"Gross"' not in warm


def test_decomposed_and_precomposed_spellings_share_one_cache_entry(messy: Path, tmp_path: Path) -> None:
    """The text is made NFC before its key is computed: re-saving an entry decomposed (as macOS
    does) parses nothing again, and the link typed precomposed resolves either way."""
    nfd = unicodedata.normalize("NFD", "Übersicht")
    entry = messy / "Uebersicht.md"
    entry.write_text(f"## {nfd} {{#{nfd} .term}}\n\n***Alles***\n\nSiehe [Zebra](#Zebra).\n",
                     encoding="utf-8")
    (messy / "Zeiger.md").write_text("## Zeiger {#Zeiger .term}\n\n***Zeigt***\n\n[Ü](#Übersicht)\n",
                                     encoding="utf-8")
    cold, _ = _read(messy, None)
    assert _read(messy, tmp_path / "c")[0] == cold
    assert [d["code"] for d in json.loads(cold)[1] if d["file"] in ("Zeiger.md", "Uebersicht.md")] == []
    entry.write_text(unicodedata.normalize("NFC", entry.read_text(encoding="utf-8")), encoding="utf-8")
    cache = book_cache(messy, tmp_path / "c")
    report = Report()
    read_book(messy, report, cache=cache)
    assert cache.misses == 0  # the same text after NFC: found, not parsed again
    assert _read(messy, tmp_path / "c")[0] == cold


def test_parse_time_is_part_of_the_key_of_a_parse(messy: Path, tmp_path: Path) -> None:
    """Whether a file is read at all depends on `[limits] parse-time`: a parse kept under one
    allowance is not taken for another."""
    _read(messy, tmp_path / "c")
    _limits(messy, 'parse-time = "7 s"')
    cache = book_cache(messy, tmp_path / "c")
    report = Report()
    read_book(messy, report, cache=cache)
    assert cache.misses > 0
    assert _read(messy, tmp_path / "c")[0] == _read(messy, None)[0]


def test_an_entry_too_slow_to_read_is_never_kept_in_the_cache(messy: Path, tmp_path: Path) -> None:
    """Too slow is the machine's verdict of the moment: every run tries again (within its
    allowance), so raising parse-time or a faster machine reads the entry."""
    (messy / "Klammern.md").write_text(
        "## Klammern {#Klammern .term}\n\n***Offen***\n\nText " + "[" * 26 + " und weiter\n",
        encoding="utf-8")
    _limits(messy, 'parse-time = "0.5 s"')
    first, codes = _read(messy, tmp_path / "c")
    assert codes.count("GL313") == 1
    heads = {p.name for p in (tmp_path / "c").glob("head/*/*")}
    second, codes = _read(messy, tmp_path / "c")
    assert codes.count("GL313") == 1 and second == first
    assert {p.name for p in (tmp_path / "c").glob("head/*/*")} == heads


def _checksums(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(".glossary")}


@pytest.mark.slow
def test_a_warm_build_of_hostile_entries_equals_a_cold_one(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Control characters, decomposed ids, deep nesting, symlinks out, hidden files, links to
    other files and unsafe HTML: every format byte for byte the same from the cache."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    book = tmp_path / "book"
    for name in ("nul-byte", "nfd-id", "nested-quotes", "symlinks", "hidden-files", "nonentry-link",
                 "raw-script"):
        write_case(CASES[name], book)
    formats = ["md", "docx", "epub", "html", "pdf"]
    build(book, tmp_path / "cold", formats, Report(), cache=book_cache(book, enabled=False))
    cold = _checksums(tmp_path / "cold")
    for run in ("first", "warm"):
        cache = book_cache(book, tmp_path / "c")
        build(book, tmp_path / run, formats, Report(), cache=cache)
        assert _checksums(tmp_path / run) == cold, run
    assert cache.hits > 0
