"""Front and back matter pages (book.toml `front`/`back`, tests/fixtures/matter): their ids and
heading ids, links to and from them, the allowlist, and how md, DOCX and the site print them.
The PDF, the EPUB and warm-equals-cold builds are in test_matter_formats."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import build_into, fixture_path
from test_docx import W, bookmarks, heading_bookmarks, hyperlinks, part, text, toc_sdt, xpath
from test_html import crawl, parse

from pipeline import diagnostics as dg
from pipeline.build import read_book
from pipeline.cli import main
from pipeline.model import Book, xref_target
from pipeline.normalise import book_cache
from pipeline.pandoc_ast import Node, iter_nodes

PAGES = [("front", "Vorwort", "Vorwort"), ("back", "Lizenz", "Lizenz"), ("back", "Dank", "Dank")]


@pytest.fixture(scope="module")
def book() -> tuple[Book, dg.Report]:
    report = dg.Report()
    return read_book(fixture_path("matter"), report), report


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    src = tmp_path_factory.mktemp("matter") / "src"
    shutil.copytree(fixture_path("matter"), src)
    outputs, report = build_into(src, src.parent / "out", "md", "docx", "html")
    assert not report.errors, [dg.format_text(d) for d in report.errors]
    return outputs


def _targets(nodes: tuple[Node, ...]) -> list[str]:
    return [n["c"][2][0] for n in iter_nodes(list(nodes)) if xref_target(n) is not None]


# --- the normaliser -------------------------------------------------------------------------

def test_pages_get_ids_titles_and_unique_heading_ids(book: tuple[Book, dg.Report]) -> None:
    b, _ = book
    assert [(p.role, p.id, p.title_text) for p in b.pages] == PAGES
    assert [p.id for p in b.front] == ["Vorwort"] and [p.id for p in b.back] == ["Lizenz", "Dank"]
    vorwort, lizenz, dank = b.pages
    assert vorwort.anchors == ("Vorwort--zum-gebrauch",)  # no id written: made from its text
    assert lizenz.anchors == ("Lizenz--nutzung",)  # {#nutzung} made unique like a term's
    assert dank.anchors == ()
    # `## Lizenz` / `### Nutzung`: the title is the page's top, its headings one level below.
    assert [(h["c"][0], h["c"][1][0]) for h in lizenz.blocks if h["t"] == "Header"] == [
        (2, "Lizenz--nutzung")]
    assert (lizenz.source.file, lizenz.source.line) == ("anhang/lizenz.md", 1)
    assert b.page("Lizenz") is lizenz and b.owner("Alpha") is b.term("Alpha") and b.page("Alpha") is None
    assert "Lizenz" not in b  # a page is no term


def test_links_from_terms_to_pages_and_back_resolve(book: tuple[Book, dg.Report]) -> None:
    b, report = book
    alpha, beta, gamma = (b.term(t) for t in ("Alpha", "Beta", "Gamma"))
    assert _targets(alpha.definition) == ["#Lizenz", "#Lizenz--nutzung"]  # `#nutzung` is unique
    assert [s.target for s in alpha.see_also] == ["Beta", "Lizenz"]
    assert _targets(gamma.definition) == ["#Beta", "#Dank"]  # `dank.md`: the page in that file
    # Back-references are between terms: a link to a page is none, a page's link is none.
    assert alpha.refs_out == ("Beta",) and beta.refs_in == ("Alpha", "Gamma")
    vorwort, lizenz, _dank = b.pages
    assert _targets(vorwort.blocks) == ["#Alpha", "#Beta", "#Gamma", "#Lizenz", "#Lizenz--nutzung",
                                        "#Alpha", "#Dank"]
    assert _targets(lizenz.blocks) == ["#Vorwort", "#Vorwort--zum-gebrauch", "#Gamma"]
    codes = sorted((d.code, d.file, d.line, d.column) for d in report)
    assert codes == [("GL105", "Gamma.md", 5, 44), ("GL609", "anhang/lizenz.md", 4, 56)]


def test_a_broken_link_to_a_page_is_reported_where_it_is(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(fixture_path("matter"), src)
    beta = src / "Beta.md"
    beta.write_text(beta.read_text(encoding="utf-8").replace(
        "das [Vorwort](#Vorwort)", "das [Vorwort](#Vorwort--fehlt)"), encoding="utf-8")
    report = dg.Report()
    read_book(src, report)
    (broken,) = [d for d in report if d.code == dg.LINK_BROKEN]
    assert (broken.file, broken.line, broken.column) == ("Beta.md", 5, 37)
    assert "#Vorwort--fehlt" in broken.message


def test_a_page_id_that_clashes_is_renamed_and_the_term_keeps_its_links() -> None:
    report = dg.Report()
    b = read_book(fixture_path("codes/GL210"), report)
    assert [p.id for p in b.pages] == ["index-2", "Lizenz-2"]
    lizenz = b.page("Lizenz-2")
    assert lizenz is not None and _targets(lizenz.blocks) == ["#Lizenz"]  # the term's
    assert _targets(b.term("Lizenz").definition) == ["#Lizenz-2"]
    assert [d.code for d in report if d.code == dg.PAGE_ID_CONFLICT] == ["GL210", "GL210"]


def test_an_alias_cannot_take_a_pages_id(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(fixture_path("matter"), src)
    alpha = src / "Alpha.md"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("{#Alpha .term}",
                                                               "{#Alpha .term aliases=\"Dank\"}"),
                     encoding="utf-8")
    report = dg.Report()
    b = read_book(src, report)
    (clash,) = [d for d in report if d.code == dg.ALIAS_CONFLICT]
    assert "already taken by #Dank" in clash.message and b.term("Alpha").aliases == ()


def test_a_pages_unsafe_html_is_removed_before_anything_reads_it(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(fixture_path("matter"), src)
    for run in ("cold", "warm"):
        report = dg.Report()
        b = read_book(src, report, cache=book_cache(src, tmp_path / "cache"))
        lizenz = b.page("Lizenz")
        assert lizenz is not None
        assert "onclick" not in repr(lizenz.blocks), run
        assert [(d.code, d.line, d.column) for d in report if d.code == dg.UNSAFE_REMOVED] == [
            ("GL609", 4, 56)], run
    kept = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and b"alert(1)" in p.read_bytes()]
    assert not kept  # the cache holds the cleaned page only


def test_a_file_read_as_no_entry_is_cleaned_when_it_becomes_a_page(tmp_path: Path) -> None:
    """The cache held its blocks as read (a term-less file is judged, not published): listed
    as a page, it is cleaned all the same."""
    src = tmp_path / "src"
    shutil.copytree(fixture_path("matter"), src)
    (src / "notiz.md").write_text('# Notiz\n\n<b onmouseover="x()">fett</b>\n', encoding="utf-8")
    cache = tmp_path / "cache"
    first = dg.Report()
    read_book(src, first, cache=book_cache(src, cache))
    assert [d.code for d in first if d.file == "notiz.md"] == ["GL303"]
    toml = src / "book.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('"dank.md"]', '"dank.md", "notiz.md"]'),
                    encoding="utf-8")
    report = dg.Report()
    b = read_book(src, report, cache=book_cache(src, cache))
    notiz = b.page("notiz")
    assert notiz is not None and "onmouseover" not in repr(notiz.blocks)
    assert [d.code for d in report if d.file == "notiz.md"] == ["GL609"]


def test_check_reports_a_page_without_heading(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(fixture_path("codes/GL211")), "-v", "--no-cache"]) == 0
    out = capsys.readouterr()
    err = out.out + out.err
    assert "danksagung.md:1:1: info[GL211]" in err and "„Danksagung“ (id #danksagung)" in err


# --- md -------------------------------------------------------------------------------------

def test_md_prints_front_pages_first_and_back_pages_last(built: dict[str, Path]) -> None:
    md = built["md"].read_text(encoding="utf-8")
    tops = re.findall(r"^# (.+)$", md, re.MULTILINE)
    assert tops == ["Vorwort {#Vorwort .page .front}", "A {#letter-A .letter}", "B {#letter-B .letter}",
                    "G {#letter-G .letter}", "Index {#Index .index}", "Lizenz {#Lizenz .page .back}",
                    "Dank {#Dank .page .back}"]
    assert "## Zum Gebrauch {#Vorwort--zum-gebrauch}" in md and "## Nutzung {#Lizenz--nutzung}" in md
    assert "[Nutzung](#Lizenz--nutzung)" in md and "vor dem [Dank](#Dank)" in md
    assert "![Das Siegel des Glossars](bilder/siegel.png)" in md
    assert "onclick" not in md


# --- DOCX -----------------------------------------------------------------------------------

def test_docx_order_bookmarks_and_links(built: dict[str, Path]) -> None:
    docx = built["docx"]
    headings = [t for _, t in heading_bookmarks(docx, "Heading1")]
    assert headings == ["Vorwort", "A", "B", "G", "Index", "Lizenz", "Dank"]
    assert [b for b, _ in heading_bookmarks(docx, "Heading1")][-2:] == ["Lizenz", "Dank"]
    names = set(bookmarks(docx))
    assert {"Vorwort", "Vorwort_zum_gebrauch", "Lizenz", "Lizenz_nutzung", "Dank"} <= names
    anchors = [h.get(W + "anchor") for h in hyperlinks(docx)]
    assert set(anchors) <= names  # every link lands
    body = part(docx, "word/document.xml")
    alpha = next(p for p in xpath(body, "//w:p") if text(p).startswith("Alpha steht"))
    assert [h.get(W + "anchor") for h in alpha.iter(W + "hyperlink")] == ["Lizenz", "Lizenz_nutzung"]
    # The back matter after the index is no part of it: its paragraphs are no index entries.
    assert [t for _, t in heading_bookmarks(docx, "IndexLetter")] == ["A", "B", "G"]
    entries = [text(p) for p in xpath(body, "//w:p[w:pPr/w:pStyle[@w:val='IndexEntry']]")]
    assert len(entries) == 3 and not [e for e in entries if "Lizenz" in e or "danken" in e]
    toc = [text(p) for p in xpath(toc_sdt(docx), ".//w:p[w:pPr/w:pStyle[@w:val='TOC1']]")]
    assert toc == headings
    with_image = next(p for p in xpath(body, "//w:p") if p.find(f".//{{{_A}}}blip") is not None)
    assert with_image is not None


_A = "http://schemas.openxmlformats.org/drawingml/2006/main"


# --- the site -------------------------------------------------------------------------------

def test_site_has_a_page_per_page_linked_from_start_and_footer(built: dict[str, Path]) -> None:
    site = built["html"]
    seen, problems = crawl(site)
    assert not problems, problems
    assert {"pages/Vorwort.html", "pages/Lizenz.html", "pages/Dank.html"} <= seen
    for page in sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")):
        footer = (site / page).read_text(encoding="utf-8").split('<footer class="site-footer">')[1]
        links = re.findall(r'<a href="([^"]*)"', footer.split('class="matter-links"')[1].split("</p>")[0])
        up = "../" if "/" in page else ""
        assert [re.sub(r"^(\.\./)?(pages/)?", "", u) for u in links] == [
            "Vorwort.html", "Lizenz.html", "Dank.html"], page
        assert all(u.startswith(up + "pages/") or (page.startswith("pages/") and "/" not in u)
                   for u in links), (page, links)
    start = (site / "index.html").read_text(encoding="utf-8")
    intro, rest = start.split('<div class="groups">')
    assert 'href="pages/Vorwort.html"' in intro and 'href="pages/Lizenz.html"' not in intro
    assert 'href="pages/Lizenz.html"' in rest.split("<footer")[0]


def test_site_links_between_terms_and_pages(built: dict[str, Path]) -> None:
    site = built["html"]
    alpha = parse(site / "terms" / "Alpha.html")
    hrefs = [u for tag, _, u in alpha.urls if tag == "a"]
    assert "../pages/Lizenz.html" in hrefs and "../pages/Lizenz.html#Lizenz--nutzung" in hrefs
    lizenz = parse(site / "pages" / "Lizenz.html")
    assert {"Lizenz", "Lizenz--nutzung"} <= lizenz.ids
    assert "Vorwort.html#Vorwort--zum-gebrauch" in [u for _, _, u in lizenz.urls]
    vorwort = parse(site / "pages" / "Vorwort.html")
    assert ("img", "src", "../media/bilder/siegel.png") in vorwort.urls
    assert {"Vorwort--fn-1", "Vorwort--fnref-1"} <= vorwort.ids  # the footnote and its way back
    assert "onclick" not in (site / "pages" / "Lizenz.html").read_text(encoding="utf-8")
