"""EPUB building blocks: file layout and splitting, IRIs, XHTML repair, SVG checks, the build-time
package verification (fed broken packages), the deterministic zip and the cover."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import DEMO, build_into, fixture_path
from PIL import Image
from test_epub import Package, _targets, dangling

from pipeline import diagnostics as dg
from pipeline import read_book
from pipeline.config import BookConfig
from pipeline.formats.common.images import svg_problem
from pipeline.formats.context import BuildContext
from pipeline.formats.epub import layout as epub_layout
from pipeline.formats.epub.cover import HEIGHT, WIDTH, cover_png
from pipeline.formats.epub.finish import well_formed
from pipeline.formats.epub.layout import assign_documents, file_stem, iri_escape
from pipeline.formats.epub.package import zip_bytes
from pipeline.formats.epub.verify import verify
from pipeline.model import Book

STYLES = Path(__file__).resolve().parent.parent / "styles"


@pytest.fixture(scope="module")
def demo_ctx() -> tuple[Book, BuildContext]:
    report = dg.Report()
    return read_book(DEMO, report), BuildContext(report)


def test_file_stems_are_ascii_and_stable() -> None:
    assert [file_stem(g) for g in ("A", "0-9", "Ä", "Ж", "Å")] == ["a", "0-9", "ae", "u0416", "a"]


def test_iri_escape_keeps_umlauts() -> None:
    assert iri_escape("Öffentlicher-Schlüssel") == "Öffentlicher-Schlüssel"
    assert iri_escape("a b%c#d") == "a%20b%25c%23d"


def test_layout_one_document_per_letter_and_relative_hrefs(demo_ctx: tuple[Book, BuildContext]) -> None:
    book, ctx = demo_ctx
    layout = assign_documents(book, ctx.fragments(book))
    groups = book.groups
    assert [c.path for c in layout.chapters] == [f"letters/{g.id.lower()}.xhtml" for g in groups]
    assert layout.href("letters/r.xhtml", "RSA") == "#RSA"
    assert layout.href("letters/r.xhtml", "RSA", "RSA--praxis") == "#RSA--praxis"
    assert layout.href("letters/r.xhtml", "AES") == "a.xhtml#AES"
    assert layout.href("letters/r.xhtml", "Index") == "../index.xhtml#Index"
    assert layout.href("nav.xhtml", "Öffentlicher-Schlüssel") == "letters/o.xhtml#Öffentlicher-Schlüssel"


def test_large_letter_groups_are_split_at_term_boundaries(demo_ctx: tuple[Book, BuildContext]) -> None:
    book, ctx = demo_ctx
    layout = assign_documents(book, ctx.fragments(book), limit=6000)
    a_parts = [c for c in layout.chapters if c.group.id == "A"]
    assert [c.path for c in a_parts][:2] == ["letters/a.xhtml", "letters/a-2.xhtml"]
    assert [t for c in layout.chapters for t in c.term_ids] == [t.id for t in book.terms]
    assert len({c.item_id for c in layout.chapters}) == len(layout.chapters)


def test_split_book_still_links_and_navigates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(epub_layout, "MAX_DOCUMENT_CHARS", 6000)
    outputs, report = build_into(DEMO, tmp_path, "epub")
    assert not report.errors, [dg.format_text(d) for d in report.errors]
    pkg = Package(outputs["epub"])
    assert "letters/a-2.xhtml" in pkg.manifest()
    continued = pkg.xml("letters/a-2.xhtml").findtext(".//{http://www.w3.org/1999/xhtml}h1/"
                                                      "{http://www.w3.org/1999/xhtml}span")
    assert continued == "(Fortsetzung)"
    assert dangling(pkg) == []
    _, used = _targets(pkg)
    book = read_book(DEMO, dg.Report())
    nav_terms = [u for d, u in used if d == "nav.xhtml" and "#" in u and "Index" not in u
                 and not u.startswith("nav.xhtml")]
    assert len(nav_terms) == len(book.terms)


def test_well_formed_entries_pass_unchanged() -> None:
    book = read_book(fixture_path("messy"), dg.Report())
    report = dg.Report()
    chunk = '<section class="entry"><p>a&nbsp;b <br/> c</p></section>'
    assert well_formed(chunk, book.terms[0], report) == chunk.replace("&nbsp;", "&#160;")
    assert len(report) == 0


def test_malformed_entries_are_repaired_and_reported() -> None:
    book = read_book(fixture_path("messy"), dg.Report())
    term = book.term("Zebra")
    report = dg.Report()
    fixed = well_formed("<p>eins<br>zwei</p><p>drei", term, report)
    assert fixed == "<p>eins<br/>zwei</p><p>drei</p>"
    [d] = list(report)
    assert (d.code, d.file) == (dg.RENDER_WARNING, "Zebra.md")


@pytest.mark.parametrize("svg, problem", [
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>', None),
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>', "contains <script>"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     '<image xlink:href="https://example.com/a.png"/></svg>', "references https://example.com/a.png"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><use href="#a"/><g id="a"/></svg>', None),
    ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>', "contains <foreignObject>"),
])
def test_svg_must_be_self_contained(svg: str, problem: str | None) -> None:
    assert svg_problem(svg.encode()) == problem


def test_svg_that_does_not_parse_is_refused() -> None:
    assert (svg_problem(b"<svg") or "").startswith("is not well-formed SVG")


# --- the build-time verification must catch what epubcheck would -------------------------------

@pytest.fixture(scope="module")
def demo_entries(demo_outputs: Callable[[str], Path]) -> dict[str, bytes]:
    return Package(demo_outputs("epub")).entries


@pytest.fixture(scope="module")
def book() -> Book:
    return read_book(DEMO, dg.Report())


def _verify(entries: dict[str, bytes], book: Book) -> list[dg.Diagnostic]:
    report = dg.Report()
    verify(entries, book, report)
    return list(report)


def test_verify_accepts_the_real_package(demo_entries: dict[str, bytes], book: Book) -> None:
    assert _verify(demo_entries, book) == []


def test_verify_reports_dead_fragment_at_the_entry(demo_entries: dict[str, bytes], book: Book) -> None:
    broken = dict(demo_entries)
    broken["EPUB/letters/a.xhtml"] = broken["EPUB/letters/a.xhtml"].replace(
        b'id="Asymmetrische-Kryptographie"', b'id="Asymmetrisch"')
    found = _verify(broken, book)
    assert found and {d.code for d in found} == {dg.DEAD_LINK_OUTPUT}
    assert "RSA.md" in {d.file for d in found}  # RSA links there: the problem is located at RSA
    assert any("nav.xhtml" in d.message for d in found)
    assert any("toc.ncx" in d.message for d in found)


def test_verify_reports_empty_chapters_duplicate_ids_and_placeholders(
        demo_entries: dict[str, bytes], book: Book) -> None:
    broken = dict(demo_entries)
    broken["EPUB/letters/z.xhtml"] = (b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Z</title>'
                                      b'</head><body> </body></html>')
    broken["EPUB/letters/b.xhtml"] = broken["EPUB/letters/b.xhtml"].replace(
        b'id="Brute-Force-Angriff--seealso"', b'id="Blockchiffre--seealso"')
    broken["EPUB/letters/c.xhtml"] = broken["EPUB/letters/c.xhtml"].replace(
        b'href="../index.xhtml#Index"', b'href="xref:Index#"', 1)
    del broken["EPUB/images/images/diffie-hellman.svg"]
    messages = {(d.code, d.message.split(":")[1].strip()) for d in _verify(broken, book)}
    assert (dg.OUTPUT_INVALID, "letters/z.xhtml has an empty body") in messages
    assert (dg.OUTPUT_INVALID, "letters/b.xhtml") in messages  # id Blockchiffre--seealso used twice
    assert any(code == dg.DEAD_LINK_OUTPUT and "xref:Index#" in msg for code, msg in
               ((d.code, d.message) for d in _verify(broken, book)))
    assert (dg.OUTPUT_INVALID, "manifest names EPUB/images/images/diffie-hellman.svg, which is not in "
                               "the EPUB") in messages


# --- zip and cover ------------------------------------------------------------------------------

def test_zip_is_deterministic_with_mimetype_first() -> None:
    import datetime as dt

    entries = {"EPUB/b.xhtml": b"b", "mimetype": b"", "META-INF/container.xml": b"c",
               "EPUB/content.opf": b"o", "EPUB/a.css": b"a"}
    when = dt.datetime(2026, 1, 2, 3, 4, 6, tzinfo=dt.UTC)  # zip times have 2 s steps
    data = zip_bytes(entries, when)
    assert data == zip_bytes(dict(reversed(list(entries.items()))), when)
    assert data[30:38] == b"mimetype" and data[38:58] == b"application/epub+zip"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.namelist() == ["mimetype", "META-INF/container.xml", "EPUB/content.opf", "EPUB/a.css",
                                "EPUB/b.xhtml"]
        assert {i.date_time for i in z.infolist()} == {(2026, 1, 2, 3, 4, 6)}


def test_cover_is_a_deterministic_png_of_the_title() -> None:
    config = BookConfig(title="Ärger über Öl", authors=("Jemand",), publisher="Verlag")
    first = cover_png(config, STYLES)
    assert first == cover_png(config, STYLES)
    assert first != cover_png(BookConfig(title="Anderer Titel"), STYLES)
    image = Image.open(io.BytesIO(first))
    assert (image.format, image.size) == ("PNG", (WIDTH, HEIGHT))
    assert len(image.getcolors(maxcolors=1_000_000) or []) > 10  # text was drawn, not a flat colour
