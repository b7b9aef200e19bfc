"""The html site: structure of its pages, a crawl of every internal link, search data, files.

The crawl is independent of the build's own link check (stdlib `html.parser` here, lxml
there): it starts at index.html, follows every local href/src and checks file and fragment.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import DEMO, build_into, fixture_path, outputs_in

from pipeline import diagnostics as dg
from pipeline import read_book
from pipeline.cli import main as cli_main
from pipeline.formats import html as html_format
from pipeline.formats.context import BuildContext
from pipeline.formats.html.check import check_site
from pipeline.formats.html.names import short_hash
from pipeline.model import Book

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass
class Page:
    ids: set[str] = field(default_factory=set)
    urls: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attribute, url)
    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    text_in_links: list[str] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.page.tags.append((tag, a))
        if "id" in a:
            self.page.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.page.ids.add(a["name"])
        for attr in ("href", "src"):
            if attr in a:
                self.page.urls.append((tag, attr, a[attr]))


def parse(path: Path) -> Page:
    p = _Parser()
    p.feed(path.read_text(encoding="utf-8"))
    return p.page


def crawl(site: Path) -> tuple[set[str], list[str]]:
    """Pages reached from index.html and every problem found on the way."""
    seen: set[str] = set()
    todo = ["index.html"]
    problems: list[str] = []
    pages: dict[str, Page] = {}
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        pages[page] = parse(site / page)
        for tag, _attr, url in pages[page].urls:
            problem, target, fragment = _follow(site, page, tag, url)
            if problem:
                problems.append(f"{page}: {url}: {problem}")
            elif target.endswith(".html"):
                if target not in pages:
                    pages[target] = parse(site / target)
                if fragment and fragment not in pages[target].ids:
                    problems.append(f"{page}: {url}: no id {fragment!r} in {target}")
                todo.append(target)
    return seen, problems


def _follow(site: Path, page: str, tag: str, url: str) -> tuple[str, str, str]:
    if url.startswith("data:"):
        return "", "", ""  # inline, no request
    if SCHEME.match(url) or url.startswith("//"):
        # Outside links are fine; outside resources (a request at view time) are not.
        return ("loads a remote resource" if tag != "a" else "", "", "")
    if url.startswith("/"):
        return "absolute path (breaks file:// and sub-folder hosting)", "", ""
    parts = urlsplit(url)
    base = Path(page).parent
    target = (base / unquote(parts.path)).as_posix() if parts.path else page
    resolved = (site / target).resolve()
    if not resolved.is_relative_to(site.resolve()):
        return "leaves the site", "", ""
    if not resolved.is_file():
        return "no such file", "", ""
    return "", resolved.relative_to(site.resolve()).as_posix(), unquote(parts.fragment)


@pytest.fixture(scope="session")
def demo_site(demo_outputs: Callable[[str], Path]) -> Path:
    return demo_outputs("html")


@pytest.fixture(scope="session")
def messy_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dg.Report]:
    out = tmp_path_factory.mktemp("messy-html")
    outputs, report = build_into(fixture_path("messy"), out, "html")
    return outputs["html"], report


@pytest.fixture(scope="session")
def ids_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/fixtures/html-ids: `Leonardo.ai`, `XAI` and `xAI`, `Straße`, a local umlaut anchor."""
    outputs, report = build_into(fixture_path("html-ids"), tmp_path_factory.mktemp("ids-html"), "html",
                                 strict=True)
    assert not report.errors
    return outputs["html"]


@pytest.fixture(scope="session")
def messy_book() -> Book:
    return read_book(fixture_path("messy"), dg.Report())


def page_of(site: Path, term_id: str) -> Path:
    """The page whose <h1> carries the term's id."""
    for path in sorted((site / "terms").glob("*.html")):
        if f'<h1 id="{term_id}">' in path.read_text(encoding="utf-8"):
            return path
    raise AssertionError(f"no page for {term_id}")


def target_term(site: Path, page: Path, href: str) -> str:
    """The id of the term a link on `page` leads to (from the target's <h1>)."""
    target = (page.parent / unquote(urlsplit(href).path)).resolve()
    m = re.search(r'<h1 id="([^"]+)"', target.read_text(encoding="utf-8"))
    assert m, target
    return m.group(1)


def section_links(page: Path, css_class: str) -> list[str]:
    text = page.read_text(encoding="utf-8")
    m = re.search(rf'<nav class="{css_class}".*?</nav>', text, re.S)
    assert m, css_class
    return re.findall(r'<a [^>]*?href="([^"]+)"', m.group(0))


# --- the crawl ---------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["demo", "messy", "html-ids"])
def test_crawl_every_internal_link_resolves(which: str, demo_site: Path, ids_site: Path,
                                            messy_site: tuple[Path, dg.Report]) -> None:
    site = {"demo": demo_site, "messy": messy_site[0], "html-ids": ids_site}[which]
    reached, problems = crawl(site)
    assert problems == []
    every_page = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert reached == every_page, "pages not reachable from the start page"
    assert check_site(site) == [], "the build's own link check disagrees with the crawl"


def test_crawl_and_build_check_catch_a_dead_fragment(demo_site: Path, tmp_path: Path) -> None:
    site = tmp_path / "html"
    shutil.copytree(demo_site, site)
    rsa = site / "terms" / "RSA.html"
    text = rsa.read_text(encoding="utf-8")
    rsa.write_text(text.replace('href="Digitale-Signatur.html"', 'href="Digitale-Signatur.html#nope"', 1),
                   encoding="utf-8")
    (site / "terms" / "Modulare-Arithmetik.html").unlink()
    _, problems = crawl(site)
    assert any("#nope" in p and "no id 'nope'" in p for p in problems)
    assert any("Modulare-Arithmetik.html" in p and "no such file" in p for p in problems)
    dead = check_site(site)
    assert {(d.page, d.url) for d in dead} >= {("terms/RSA.html", "Digitale-Signatur.html#nope"),
                                               ("terms/RSA.html", "Modulare-Arithmetik.html")}


# --- the pages ---------------------------------------------------------------------------

def test_site_layout(demo_site: Path, demo_book: Book) -> None:
    assert (demo_site / "index.html").is_file() and (demo_site / "genindex.html").is_file()
    assert len(list((demo_site / "terms").glob("*.html"))) == len(demo_book.terms)
    for name in ("site.css", "highlight.css", "search.js", "search-index.js", "favicon.svg"):
        assert (demo_site / "assets" / name).is_file(), name
    svg = demo_site / "media" / "images" / "diffie-hellman.svg"
    assert svg.read_bytes() == (DEMO / "images" / "diffie-hellman.svg").read_bytes()
    assert not list(demo_site.rglob("*.j2")) and not (demo_site / "assets" / "term.html").exists()


def test_stable_readable_urls(demo_site: Path) -> None:
    for term_id, name in [("Öffentlicher-Schlüssel", "Oeffentlicher-Schluessel"), ("3DES", "3DES"),
                          ("SHA-2", "SHA-2"), ("Vigenère-Chiffre", "Vigenere-Chiffre")]:
        assert page_of(demo_site, term_id).name == f"{name}.html"


def test_ids_differing_in_case_dots_and_umlauts(ids_site: Path) -> None:
    names = sorted(p.name for p in (ids_site / "terms").glob("*.html"))
    assert names == sorted(["Leonardo.ai.html", "Strasse.html", "XAI.html",
                            f"xAI-{short_hash('xAI')}.html"])
    assert len({n.casefold() for n in names}) == len(names)
    assert page_of(ids_site, "xAI").name.startswith("xAI-")
    leo = page_of(ids_site, "Leonardo.ai").read_text(encoding="utf-8")
    assert 'href="#Leonardo.ai--gr%C3%B6%C3%9Fen"' in leo and 'id="Leonardo.ai--größen"' in leo
    xai = page_of(ids_site, "XAI")
    assert [target_term(ids_site, xai, h) for h in section_links(xai, "see-also")[:-1]] == \
        ["xAI", "Leonardo.ai"]


def test_images_relative_to_their_entry_and_data_uris(ids_site: Path) -> None:
    text = page_of(ids_site, "Straße").read_text(encoding="utf-8")
    assert '<img src="../media/sub/plan.svg" alt="Straßenplan" />' in text
    assert (ids_site / "media/sub/plan.svg").read_bytes() == \
        (fixture_path("html-ids") / "sub/plan.svg").read_bytes()
    assert 'src="data:image/gif;base64,' in text


def test_start_page(demo_site: Path, demo_book: Book) -> None:
    text = (demo_site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de" dir="ltr">' in text and "<h1>Kleines Kryptographie-Glossar</h1>" in text
    page = parse(demo_site / "index.html")
    for group in demo_book.groups:
        assert group.anchor in page.ids
        assert f'href="#{group.anchor}"' in text
    assert '<span class="empty" aria-disabled="true">Q</span>' in text  # no term under Q
    listed = re.findall(r'<li><a href="(terms/[^"]+)">', text)
    assert [target_term(demo_site, demo_site / "index.html", h) for h in listed] == \
        [t.id for t in demo_book.terms]


def test_term_page_links_model(demo_site: Path, demo_book: Book) -> None:
    term = demo_book.term("RSA")
    page = page_of(demo_site, "RSA")
    see_also = [target_term(demo_site, page, h) for h in section_links(page, "see-also")]
    assert see_also[:-1] == [s.target for s in term.see_also]
    assert section_links(page, "see-also")[-1] == "../genindex.html"
    backrefs = [target_term(demo_site, page, h) for h in section_links(page, "backrefs")]
    assert backrefs == list(term.refs_in)
    prev, nxt = demo_book.neighbours("RSA")
    pager = section_links(page, "pager")
    assert [target_term(demo_site, page, h) for h in pager] == [prev.id, nxt.id]  # type: ignore[union-attr]
    text = page.read_text(encoding="utf-8")
    assert "<title>RSA – Kleines Kryptographie-Glossar</title>" in text
    assert '<p class="tagline">Erstes praxistaugliches Public-Key-Verfahren' in text
    assert "<math" in text and "Auch: Rivest-Shamir-Adleman" in text


def test_accessibility_landmarks(demo_site: Path) -> None:
    for path in [demo_site / "index.html", demo_site / "genindex.html", page_of(demo_site, "Diffie-Hellman")]:
        page = parse(path)
        tags = [t for t, _ in page.tags]
        assert tags.count("main") == 1 and "header" in tags and "footer" in tags and "nav" in tags
        first_link = next(a for t, a in page.tags if t == "a")
        assert first_link == {"class": "skip-link", "href": "#main"} and "main" in page.ids
        assert [a.get("lang") for t, a in page.tags if t == "html"] == ["de"]
        assert all(a.get("alt") for t, a in page.tags if t == "img")
        h1 = [t for t in tags if t == "h1"]
        assert len(h1) == 1, path


def test_index_page(demo_site: Path, demo_book: Book) -> None:
    path = demo_site / "genindex.html"
    page = parse(path)
    assert "Index" in page.ids
    entries = [e for g in demo_book.index for e in g.entries]
    hrefs = [u for t, a, u in page.urls if t == "a" and u.startswith("terms/")]
    assert [target_term(demo_site, path, h) for h in hrefs] == [e.term_id for e in entries]
    assert "<i>DH</i> → Diffie-Hellman-Schlüsselaustausch" in path.read_text(encoding="utf-8")


def test_messy_broken_links_are_plain_text(messy_site: tuple[Path, dg.Report]) -> None:
    site, _ = messy_site
    text = page_of(site, "Ärger").read_text(encoding="utf-8")
    assert '<span class="xref-broken">Nirgendwo</span>' in text
    assert '<li><span class="xref-broken">Fehlt</span></li>' in text
    assert "Nirgendwo</a>" not in text and "Fehlt-Noch" not in text


def test_messy_features(messy_site: tuple[Path, dg.Report], messy_book: Book) -> None:
    site, report = messy_site
    assert not [d for d in report if d.code.startswith("GL6")], [dg.format_text(d) for d in report]
    druck = page_of(site, "3D-Druck").read_text(encoding="utf-8")
    assert 'id="3D-Druck--fnref-1"' in druck and 'href="#3D-Druck--fn-1"' in druck
    assert '<li id="3D-Druck--fn-1">' in druck and 'href="#3D-Druck--fnref-1"' in druck
    zebra = page_of(site, "Zebra").read_text(encoding="utf-8")
    assert 'src="../media/images/dh.svg"' in zebra and (site / "media/images/dh.svg").is_file()
    assert '<span class="bu">print</span>' in zebra and "<table" in zebra
    assert "<mfrac>" in page_of(site, "Ärger").read_text(encoding="utf-8")
    names = {p.name for p in (site / "terms").glob("*.html")}
    assert {"Aerger.html", "Oel.html", "3D-Druck.html", "Zebra.html", "Zebra-2.html"} <= names
    assert len(names) == len(messy_book.terms)


def test_search_index(demo_site: Path, demo_book: Book) -> None:
    script = (demo_site / "assets" / "search-index.js").read_text(encoding="utf-8")
    m = re.search(r"window\.GLOSSARY_SEARCH = (\[.*\]);\n", script, re.S)
    assert m
    data = json.loads(m.group(1))
    assert [d["t"] for d in data] == [t.title_text for t in demo_book.terms]
    dh = next(d for d in data if d["t"].startswith("Diffie-Hellman"))
    assert "DH" in dh["a"] and dh["g"].startswith("Vereinbarung")
    for d in data:
        assert (demo_site / d["u"]).is_file()
    script = (demo_site / "assets" / "search.js").read_text(encoding="utf-8")
    assert "fetch(" not in script and "XMLHttpRequest" not in script  # both fail on file://


# --- the build ---------------------------------------------------------------------------

def test_cli_builds_site(tmp_path: Path) -> None:
    code = cli_main(["build", str(fixture_path("messy")), "--format", "html", "--out", str(tmp_path), "-q"])
    assert code == 1  # the fixture has errors; the site is still published
    assert (tmp_path / "html" / "index.html").is_file()
    assert not [n for n in outputs_in(tmp_path) if n.startswith(".")], "temp folders left behind"


def test_deterministic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764374400")
    a, _ = build_into(fixture_path("messy"), tmp_path / "a", "html")
    b, _ = build_into(fixture_path("messy"), tmp_path / "b", "html")
    files_a = sorted(p.relative_to(a["html"]) for p in a["html"].rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b["html"]) for p in b["html"].rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (a["html"] / rel).read_bytes() == (b["html"] / rel).read_bytes(), rel


def test_downloads_copied_and_linked(tmp_path: Path, demo_book: Book) -> None:
    built = {}
    for fmt in ("docx", "pdf", "md"):
        path = tmp_path / f"{demo_book.config.slug}.{fmt}"
        path.write_bytes(b"%" + fmt.encode() * 1000)
        built[fmt] = path
    ctx = BuildContext(dg.Report(), built=built)
    site = html_format.build(demo_book, tmp_path / "out", ctx)
    start = (site / "index.html").read_text(encoding="utf-8")
    slug = demo_book.config.slug
    assert re.findall(r'<a href="(downloads/[^"]+)" download><span class="format">(\w+)</span>', start) == [
        (f"downloads/{slug}.pdf", "PDF"), (f"downloads/{slug}.docx", "DOCX")]  # md is no download
    assert (site / "downloads" / f"{slug}.pdf").read_bytes() == built["pdf"].read_bytes()
    term = page_of(site, "RSA").read_text(encoding="utf-8")
    assert f'href="../downloads/{slug}.docx" download' in term
    assert crawl(site)[1] == []


def test_no_downloads_section_without_other_formats(tmp_path: Path) -> None:
    # A fresh folder: beside a PDF/EPUB/DOCX of the same source, the site would link them.
    site = build_into(fixture_path("pdf-small"), tmp_path, "html")[0]["html"]
    text = (site / "index.html").read_text(encoding="utf-8")
    assert 'class="downloads' not in text and "download>" not in text
    assert not (site / "downloads").exists()


def _source_with_bad_images(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(DEMO, src)
    (tmp_path / "secret.png").write_bytes(b"\x89PNG outside")
    rsa = src / "RSA.md"
    rsa.write_text(rsa.read_text(encoding="utf-8").replace(
        "### Praxis {.explanation}",
        "![Fern](https://example.com/x.png) ![Draußen](../secret.png) ![Fehlt](images/fehlt.png)\n\n"
        "### Praxis {.explanation}"), encoding="utf-8")
    return src


def test_resources_outside_source_refused(tmp_path: Path) -> None:
    outputs, report = build_into(_source_with_bad_images(tmp_path), tmp_path / "out", "html")
    codes = sorted((d.code, d.file) for d in report if d.code in ("GL308", "GL601", "GL603"))
    assert codes == [("GL308", "RSA.md"), ("GL601", "RSA.md"), ("GL601", "RSA.md")]
    assert all(d.line > 0 for d in report if d.code in ("GL308", "GL601"))
    text = (outputs["html"] / "terms" / "RSA.html").read_text(encoding="utf-8")
    assert "example.com" not in text and "secret" not in text
    assert '<span class="missing-media">Fern</span>' in text
    assert not list((outputs["html"]).rglob("secret.png"))
    assert crawl(outputs["html"])[1] == []


def test_failed_strict_build_keeps_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "out"
    outputs, report = build_into(DEMO, out, "html", strict=True)
    assert not report.errors
    before = {p: p.read_bytes() for p in outputs["html"].rglob("*") if p.is_file()}
    with pytest.raises(dg.GlossaryError):
        build_into(_source_with_bad_images(tmp_path), out, "html", strict=True)
    after = {p: p.read_bytes() for p in outputs["html"].rglob("*") if p.is_file()}
    assert after == before
    assert outputs_in(out) == ["html"]
