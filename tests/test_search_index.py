"""The site's full-text index as data (what search.js reads): keys, postings by field, texts,
and its size against the budget (≤ 30 % of the site's HTML)."""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import build_into, fixture_path

from pipeline import diagnostics as dg
from pipeline import read_book
from pipeline.formats.common import plaintext
from pipeline.formats.html.search import ALIAS, TAGLINE, TEXT, TITLE, Analyser
from pipeline.model import Book

REFERENCE = fixture_path("reference")
TERMINAL = "abcdefghijklmnopqrstuvwxyz012345"
MORE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ6789-_"


def index_of(site: Path, name: str = "search-index.js") -> dict[str, Any]:
    script = (site / "assets" / name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(script.split("=", 1)[1].strip().removesuffix(";"))
    return data


def texts_of(site: Path) -> list[str]:
    """The snippet texts: blocks of terms, raw deflate, base64, split by \x01."""
    data = index_of(site, "search-text.js")
    out = []
    for block in data["text"]:
        part = zlib.decompress(base64.b64decode(block), -15).decode("utf-8").split("\x01")
        assert len(part) <= data["block"]
        out += part
    return out


def decode(text: str) -> list[tuple[int, int, int]]:
    """(term number, field, count bucket) of one word's postings: base-32 digits, the last of a
    number lower case; each number is (term delta << 4) | field << 2 | bucket."""
    out, doc, n = [], 0, 0
    for c in text:
        if c in MORE:
            n = n * 32 + MORE.index(c)
            continue
        n = n * 32 + TERMINAL.index(c)
        doc += n >> 4
        out.append((doc, (n >> 2) & 3, n & 3))
        n = 0
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Book, list[str]]:
    outputs, report = build_into(REFERENCE, tmp_path_factory.mktemp("reference-index"), "html")
    assert not report.errors
    return index_of(outputs["html"]), read_book(REFERENCE, dg.Report()), texts_of(outputs["html"])


def test_german_keys_fold_umlauts_sharp_s_case_and_endings() -> None:
    a = Analyser("de")
    assert len({a.key(w) for w in ("Schlüssel", "Schluessel", "SCHLÜSSEL", "schlüsseln", "Schlüssels")}) == 1
    assert a.key("Straße") == a.key("Strasse") == a.key("STRASSE")
    assert a.key("Verschlüsselung") == a.key("Verschlüsselungen") != a.key("Verfahren")
    assert Analyser("en").key("keys") == Analyser("en").key("key")
    assert Analyser("fr").key("Élève") == "eleve"  # no stemmer: folded only


def test_postings_say_where_a_word_occurs(reference: tuple[dict[str, Any], Book, list[str]]) -> None:
    data, book, _ = reference
    number = {t.id: i for i, t in enumerate(book.terms)}
    key = Analyser("de").key("Kolben")
    found = {doc: field for doc, field, _ in decode(data["post"][data["words"].index(key)])}
    assert found[number["Kolben"]] == TITLE
    assert found[number["Stößel"]] == ALIAS  # "Kolben-Stößel"
    assert found[number["Zylinder"]] == TAGLINE  # "Hohlraum, der den Kolben führt"
    assert found[number["Pleuel"]] == TEXT
    assert data["words"] == sorted(data["words"]) and len(data["post"]) == len(data["words"])


def test_every_word_of_every_entry_is_indexed(reference: tuple[dict[str, Any], Book, list[str]]) -> None:
    data, book, texts = reference
    a = Analyser("de")
    postings = {w: {doc for doc, _, _ in decode(p)} for w, p in zip(data["words"], data["post"], strict=True)}
    assert len(texts) == len(book.terms)
    for n, term in enumerate(book.terms):
        text = plaintext.term_text(term)
        assert texts[n] == text
        aliases = [k for alias in term.aliases for k in a.keys(alias)]
        for word in (*a.keys(text), *a.keys(term.title_text), *aliases):
            assert n in postings[word], (term.id, word)
        assert data["docs"][n][:3] == [term.title_text, list(term.aliases), plaintext.tagline(term)]


def test_index_stays_within_its_budget(demo_outputs: Callable[[str], Path], demo_book: Book) -> None:
    site = demo_outputs("html")
    html = sum(p.stat().st_size for p in site.rglob("*.html"))
    index = sum((site / "assets" / name).stat().st_size for name in ("search-index.js", "search-text.js"))
    assert index <= 0.30 * html, f"index {index} B is {index / html:.0%} of {html} B of HTML"
    assert len(texts_of(site)) == len(demo_book.terms)
