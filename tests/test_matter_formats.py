"""Front and back matter pages (tests/fixtures/matter) in the EPUB (epubcheck, reading order,
nav, landmarks) and the PDF (contents, outline, destinations, page numbers); warm builds with
the cache equal cold ones, also after a page is edited."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from conftest import build_into, fixture_path
from pypdf import PdfReader
from test_epub import NS, Package, assert_clean, dangling, epubcheck
from test_pdf import dest_pages, line_of, links, outline, words

from pipeline import diagnostics as dg
from pipeline.cli import main

EPUB_NS = "{http://www.idpf.org/2007/ops}"
XHTML = "{http://www.w3.org/1999/xhtml}"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    src = tmp_path_factory.mktemp("matter") / "src"
    shutil.copytree(fixture_path("matter"), src)
    outputs, report = build_into(src, src.parent / "out", "pdf", "epub")
    assert not report.errors, [dg.format_text(d) for d in report.errors]
    return outputs


# --- EPUB -----------------------------------------------------------------------------------

def test_epub_is_clean_for_epubcheck(built: dict[str, Path]) -> None:
    assert_clean(epubcheck(built["epub"]))


def test_epub_reading_order_contents_and_landmarks(built: dict[str, Path]) -> None:
    pkg = Package(built["epub"])
    assert pkg.spine() == ["cover.xhtml", "titlepage.xhtml", "nav.xhtml", "pages/vorwort.xhtml",
                           "letters/a.xhtml", "letters/b.xhtml", "letters/g.xhtml", "index.xhtml",
                           "pages/lizenz.xhtml", "pages/dank.xhtml"]
    nav = pkg.xml("nav.xhtml")
    navs = {n.get(f"{EPUB_NS}type"): n for n in nav.iter(f"{XHTML}nav")}
    toc = [(a.text, a.get("href")) for a in navs["toc"].iterfind(f"{XHTML}ol/{XHTML}li/{XHTML}a")]
    assert toc == [("Vorwort", "pages/vorwort.xhtml#Vorwort"), ("A", "letters/a.xhtml"),
                   ("B", "letters/b.xhtml"), ("G", "letters/g.xhtml"), ("Index", "index.xhtml#Index"),
                   ("Lizenz", "pages/lizenz.xhtml#Lizenz"), ("Dank", "pages/dank.xhtml#Dank")]
    marks = [(a.get(f"{EPUB_NS}type"), a.get("href")) for a in navs["landmarks"].iter(f"{XHTML}a")]
    assert ("preface", "pages/vorwort.xhtml#Vorwort") in marks
    assert ("appendix", "pages/lizenz.xhtml#Lizenz") in marks
    assert [m for m, _ in marks] == ["cover", "toc", "preface", "bodymatter", "index", "appendix"]
    guide = {r.get("type"): r.get("href") for r in pkg.opf.iterfind("opf:guide/opf:reference", NS)}
    assert guide["preface"] == "pages/vorwort.xhtml#Vorwort"
    assert guide["other.appendix"] == "pages/lizenz.xhtml#Lizenz"  # OPF 2 has no `appendix`
    ncx = pkg.entries["EPUB/toc.ncx"].decode("utf-8")
    assert ncx.index("pages/vorwort.xhtml") < ncx.index("letters/a.xhtml") < ncx.index("pages/dank.xhtml")


def test_epub_pages_are_prefaces_and_appendices_linked_both_ways(built: dict[str, Path]) -> None:
    pkg = Package(built["epub"])
    assert not dangling(pkg)
    vorwort, lizenz = pkg.xml("pages/vorwort.xhtml"), pkg.xml("pages/lizenz.xhtml")
    body = vorwort.find(f"{XHTML}body")
    assert body is not None and body.get(f"{EPUB_NS}type") == "frontmatter"
    section = next(vorwort.iter(f"{XHTML}section"))
    assert (section.get("id"), section.get(f"{EPUB_NS}type"), section.get("role")) == (
        "Vorwort", "preface", "doc-preface")
    appendix = next(lizenz.iter(f"{XHTML}section"))
    assert (appendix.get(f"{EPUB_NS}type"), appendix.get("role")) == ("appendix", "doc-appendix")
    assert "onclick" not in pkg.entries["EPUB/pages/lizenz.xhtml"].decode("utf-8")
    hrefs = [a.get("href") for a in pkg.xml("letters/a.xhtml").iter(f"{XHTML}a")]
    assert "../pages/lizenz.xhtml#Lizenz" in hrefs and "../pages/lizenz.xhtml#Lizenz--nutzung" in hrefs
    back = [a.get("href") for a in lizenz.iter(f"{XHTML}a")]
    assert "vorwort.xhtml#Vorwort--zum-gebrauch" in back and "../letters/g.xhtml#Gamma" in back
    images = [i.get("src") for i in vorwort.iter(f"{XHTML}img")]
    assert images == ["../images/bilder/siegel.png"] and "EPUB/images/bilder/siegel.png" in pkg.entries
    notes = [a for a in vorwort.iter(f"{XHTML}aside") if a.get(f"{EPUB_NS}type") == "footnote"]
    assert [n.get("id") for n in notes] == ["Vorwort--fn-1"]


# --- PDF ------------------------------------------------------------------------------------

def test_pdf_outline_and_page_order(built: dict[str, Path]) -> None:
    reader = PdfReader(built["pdf"])
    tops = outline(reader)
    assert [t for t, _, _ in tops] == ["Inhalt", "Vorwort", "A", "B", "G", "Index", "Lizenz", "Dank"]
    pages = [p for _, p, _ in tops]
    assert pages == sorted(pages) and len(set(pages)) == len(pages)  # each starts a page of its own
    children = {t: [c for c, _ in kids] for t, _, kids in tops}
    assert children["Vorwort"] == ["Zum Gebrauch"] and children["Lizenz"] == ["Nutzung"]
    # words only: pypdf renders the wide spaces of a justified line as two
    text = [" ".join(p.extract_text().split()) for p in reader.pages]
    at = {t: p for t, p, _ in tops}
    assert "CC BY 4.0" in text[at["Lizenz"]] and "mitgeschrieben" in text[at["Dank"]]
    assert "Eine Fußnote im Vorwort." in text[at["Vorwort"]]
    assert "onclick" not in "".join(text) and "Hinweis" in text[at["Lizenz"]]
    images = reader.pages[at["Vorwort"]].images
    assert len(images) == 1


def test_pdf_links_reach_pages_and_the_contents_carries_their_numbers(built: dict[str, Path]) -> None:
    reader = PdfReader(built["pdf"])
    dests = dest_pages(reader)
    assert {"Vorwort", "Vorwort--zum-gebrauch", "Lizenz", "Lizenz--nutzung", "Dank"} <= set(dests)
    found = links(reader)
    assert all(link.dest in dests for link in found if link.dest)
    alpha_page = dests["Alpha"]
    assert {"Lizenz", "Lizenz--nutzung"} <= {link.dest for link in found if link.page == alpha_page}
    assert {"Vorwort", "Vorwort--zum-gebrauch", "Gamma"} <= {
        link.dest for link in found if link.page == dests["Lizenz"]}
    page_words, _, height = words(built["pdf"])
    toc = dests["toc"]
    for name in ("Vorwort", "Lizenz", "Dank"):
        (entry,) = [link for link in found if link.page == toc and link.dest == name]
        line = line_of(entry, page_words[toc], height)
        assert line.startswith(name) and line.split()[-1] == str(dests[name] + 1), line
    ref = next(link for link in found if link.page == alpha_page and link.dest == "Lizenz")
    assert re.search(rf"S\.\s*{dests['Lizenz'] + 1}\b", line_of(ref, page_words[alpha_page], height))


# --- the cache ------------------------------------------------------------------------------

def _sums(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def _build(src: Path, out: Path, *extra: str) -> dict[str, str]:
    assert main(["build", str(src), "--out", str(out), "-q", *extra]) in (0, 1)
    return _sums(out)


def test_warm_builds_equal_cold_ones_also_after_a_page_is_edited(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1714521600")  # outputs carry no build time then
    src = tmp_path / "src"
    shutil.copytree(fixture_path("matter"), src)
    cache = ["--cache", str(tmp_path / "cache")]
    cold = _build(src, tmp_path / "cold", "--no-cache")
    assert {"vorundnach.pdf", "vorundnach.epub", "vorundnach.docx", "vorundnach.md",
            "html/pages/Lizenz.html"} <= set(cold)
    assert _build(src, tmp_path / "first", *cache) == cold
    assert _build(src, tmp_path / "warm", *cache) == cold
    lizenz = src / "anhang" / "lizenz.md"
    lizenz.write_text(lizenz.read_text(encoding="utf-8").replace("CC BY 4.0", "CC BY-SA 4.0"),
                      encoding="utf-8")
    edited = _build(src, tmp_path / "edited", *cache)
    assert edited == _build(src, tmp_path / "edited-cold", "--no-cache")
    changed = {name for name in cold if cold[name] != edited.get(name)}
    assert "html/pages/Lizenz.html" in changed and "vorundnach.epub" in changed
    assert "CC BY-SA 4.0" in (tmp_path / "edited" / "html" / "pages" / "Lizenz.html").read_text(
        encoding="utf-8")
