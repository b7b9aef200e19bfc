"""Web conventions of the site: `base-url` in book.toml → canonical links, Open Graph and
description meta, sitemap.xml; a 404 page; pages under former ids (aliases) that forward."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from conftest import build_into, fixture_path
from test_html import forwards, term_pages

from pipeline import diagnostics as dg
from pipeline import read_book
from pipeline.formats.common import plaintext
from pipeline.formats.html.check import check_site
from pipeline.model import Book

REFERENCE = fixture_path("reference")
BASE = "https://example.org/werkstatt/"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outputs, report = build_into(REFERENCE, tmp_path_factory.mktemp("reference-site"), "html", strict=True)
    assert not report.errors, [dg.format_text(d) for d in report.errors]
    return outputs["html"]


@pytest.fixture(scope="module")
def book() -> Book:
    return read_book(REFERENCE, dg.Report())


def head(page: Path) -> lxml.html.HtmlElement:
    root: lxml.html.HtmlElement = lxml.html.parse(str(page)).getroot()
    return root.find("head")


def meta(page: Path, attribute: str, value: str) -> str | None:
    el = head(page).find(f"meta[@{attribute}='{value}']")
    return None if el is None else str(el.get("content"))


# --- base-url ----------------------------------------------------------------------------------

def test_every_page_names_its_published_address(site: Path) -> None:
    pages = ["index.html", "genindex.html", *(p.relative_to(site).as_posix() for p in term_pages(site))]
    for page in pages:
        links = head(site / page).findall("link[@rel='canonical']")
        assert [link.get("href") for link in links] == [BASE + page], page
        assert meta(site / page, "property", "og:url") == BASE + page
        assert meta(site / page, "property", "og:site_name") == "Werkstatt-Glossar"
        assert meta(site / page, "property", "og:locale") == "de"


def test_term_pages_describe_themselves(site: Path, book: Book) -> None:
    for term in book.terms:
        page = next(p for p in term_pages(site) if f'<h1 id="{term.id}">' in p.read_text(encoding="utf-8"))
        wanted = plaintext.tagline(term) or plaintext.summary(term)
        assert meta(page, "name", "description") == wanted
        assert meta(page, "property", "og:description") == wanted
        assert meta(page, "property", "og:title") == term.title_text
        assert meta(page, "property", "og:type") == "article"
    start = site / "index.html"
    assert meta(start, "property", "og:type") == "website"
    assert meta(start, "name", "description") == book.config.description


def test_sitemap_lists_every_page_under_base_url(site: Path, book: Book) -> None:
    tree = lxml.etree.parse(str(site / "sitemap.xml"))
    assert tree.getroot().tag == f"{SITEMAP_NS}urlset"
    urls = [u.findtext(f"{SITEMAP_NS}loc") for u in tree.getroot()]
    dates = {u.findtext(f"{SITEMAP_NS}lastmod") for u in tree.getroot()}
    assert dates == {book.config.date}
    assert len(urls) == len(book.terms) + 2 and len(set(urls)) == len(urls)
    assert urls[:2] == [BASE + "index.html", BASE + "genindex.html"]
    for url in urls:
        assert url is not None and url.startswith(BASE)
        path = site / url.removeprefix(BASE)
        assert path.is_file() and not forwards(path), url  # real pages only, no forwarding page


def test_without_base_url_no_sitemap_and_no_canonical(demo_outputs: Callable[[str], Path]) -> None:
    demo = demo_outputs("html")
    assert not (demo / "sitemap.xml").exists()
    assert "canonical" not in (demo / "terms" / "RSA.html").read_text(encoding="utf-8")
    assert meta(demo / "terms" / "RSA.html", "property", "og:title") == "RSA"


@pytest.mark.parametrize("value", ["example.org/glossar", "ftp://example.org/", "https:///x",
                                   "https://example.org/?page=1", "https://example.org/#top"])
def test_a_base_url_that_is_no_site_address_is_refused(value: str, tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(REFERENCE, src)
    toml = src / "book.toml"
    toml.write_text(re.sub(r'base-url = ".*"', f'base-url = "{value}"', toml.read_text(encoding="utf-8")),
                    encoding="utf-8")
    with pytest.raises(dg.GlossaryError) as failed:
        read_book(src, dg.Report())
    d = failed.value.diagnostic
    assert d.code == dg.CONFIG_INVALID and d.file == "book.toml" and d.line == 9
    assert "base-url" in d.message and "https://example.org/glossar/" in d.message


def test_base_url_gets_its_final_slash(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(REFERENCE, src)
    toml = src / "book.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('werkstatt/"', 'werkstatt"'), encoding="utf-8")
    assert read_book(src, dg.Report()).config.base_url == BASE


# --- the 404 page --------------------------------------------------------------------------------

def test_404_page_works_at_any_depth_under_base_url(site: Path) -> None:
    page = site / "404.html"
    doc = lxml.html.parse(str(page)).getroot()
    assert head(page).find("link[@rel='canonical']") is None  # it stands for no address
    assert doc.find(".//h1").text == "Seite nicht gefunden"
    urls = [str(u) for u in doc.xpath("//a/@href | //link/@href | //script/@src")
            if not str(u).startswith(("#", "https:"))]
    assert urls and all(u.startswith("/werkstatt/") for u in urls), urls
    assert doc.find(".//div[@class='search']").get("data-root") == "/werkstatt/"
    # The build's crawl reads those addresses as files of the site; without the root path they
    # lead nowhere, so the parameter is what makes them checked.
    assert check_site(site, root_path="/werkstatt/") == []
    assert {d.page for d in check_site(site)} == {"404.html"}


def test_404_page_without_base_url_is_relative(demo_outputs: Callable[[str], Path]) -> None:
    doc = lxml.html.parse(str(demo_outputs("html") / "404.html")).getroot()
    assert doc.find(".//a[@class='site-title']").get("href") == "index.html"


# --- pages under former ids ------------------------------------------------------------------

def test_former_ids_forward_to_the_entry(site: Path, book: Book) -> None:
    old = site / "terms" / "Alter-Kolben.html"
    doc = lxml.html.parse(str(old)).getroot()
    refresh = doc.find(".//meta[@http-equiv='refresh']").get("content")
    assert refresh == "0; url=Kolben.html"
    assert doc.find(".//link[@rel='canonical']").get("href") == BASE + "terms/Kolben.html"
    assert doc.find(".//meta[@name='robots']").get("content") == "noindex"
    assert doc.find(".//main//a").get("href") == "Kolben.html"  # for whoever stays
    forwarding = sorted(p.name for p in (site / "terms").glob("*.html") if forwards(p))
    # every id-like alias (Tappet, Pleuelstange …); not "Kolben-Stößel"'s page if it were taken
    assert forwarding == ["Alter-Kolben.html", "Kolben-Stoessel.html", "Pleuelstange.html",
                          "Schubstange.html", "Tappet.html"]


def test_an_alias_never_displaces_a_page_or_names_one_twice(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(REFERENCE, src)
    entry = src / "Zylinder.md"
    # "pleuel" is Pleuel's page (other case), "Tappet" already Stößel's alias, a phrase no id
    entry.write_text(entry.read_text(encoding="utf-8").replace(
        "{#Zylinder .term}", '{#Zylinder .term aliases="pleuel;Tappet;Hohler Raum;<b>x</b>"}'),
        encoding="utf-8")
    outputs, report = build_into(src, tmp_path / "out", "html")
    assert not report.errors, [dg.format_text(d) for d in report.errors]
    site = outputs["html"]
    pleuel = site / "terms" / "Pleuel.html"
    assert not forwards(pleuel)  # the real page
    assert "Stoessel.html" in (site / "terms" / "Tappet.html").read_text(encoding="utf-8")
    names = {p.name for p in (site / "terms").glob("*.html")}
    assert not any(n.lower().startswith(("hohler", "b-", "x")) for n in names), names


def test_front_and_back_matter_are_published_too(tmp_path: Path) -> None:
    src = tmp_path / "matter"
    shutil.copytree(fixture_path("matter"), src)
    toml = src / "book.toml"
    base = "https://example.org/vn/"
    toml.write_text(toml.read_text(encoding="utf-8") + f'base-url = "{base}"\n', encoding="utf-8")
    outputs, report = build_into(src, tmp_path / "out", "html", "json")
    assert not report.errors, [dg.format_text(d) for d in report.errors]
    site = outputs["html"]
    matter = sorted(p.relative_to(site).as_posix() for p in (site / "pages").glob("*.html"))
    assert matter
    locs = lxml.etree.parse(str(site / "sitemap.xml")).getroot().findall(f"{SITEMAP_NS}url/{SITEMAP_NS}loc")
    assert {base + m for m in matter} <= {str(loc.text) for loc in locs}
    for page in matter:
        assert head(site / page).find("link[@rel='canonical']").get("href") == base + page
    assert check_site(site, root_path="/vn/") == []  # the 404 page's footer links to them at /vn/pages/…
    alpha = json.loads(outputs["json"].read_text(encoding="utf-8"))["terms"]["Alpha"]
    lizenz = next(m for m in matter if "izenz" in m)
    assert f'href="{base}{lizenz}' in alpha["definition"]["html"]
