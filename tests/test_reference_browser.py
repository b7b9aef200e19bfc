"""The site as a reference work, in a real browser (headless Chromium via Playwright), from disk:
definition previews (mouse, keyboard, touch, a 390 px phone, dark mode, axe-core), the German
full-text search (umlauts, ß, case, stems, compounds, ranking, snippets), pages under former
ids, and the 404 page served at depth under the base-url path."""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO, build_into, fixture_path, leave_search
from playwright.sync_api import Browser, Locator, Page, expect
from test_html_browser import open_context, shows

from pipeline import diagnostics as dg
from pipeline import read_book
from pipeline.formats.common import plaintext
from pipeline.formats.html.search import Analyser, words
from pipeline.model import Book

pytestmark = pytest.mark.slow

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
REFERENCE = fixture_path("reference")
PREVIEW = "#term-preview"


@pytest.fixture(scope="module")
def demo_site(demo_outputs: Callable[[str], Path]) -> Path:
    return demo_outputs("html")


@pytest.fixture(scope="module")
def ref_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outputs, report = build_into(REFERENCE, tmp_path_factory.mktemp("reference-browser"), "html")
    assert not report.errors, [dg.format_text(d) for d in report.errors]
    return outputs["html"]


def rect(locator: Locator) -> dict[str, float]:
    box: dict[str, float] = locator.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {l: r.left, t: r.top, r: r.right, b: r.bottom}; }")
    return box


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


def luminance(css: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"[\d.]+", css)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def expect_preview_of(page: Page, term_id: str, book: Book) -> None:
    term = book.term(term_id)
    box = page.locator(PREVIEW)
    expect(box).to_be_visible()
    expect(box.locator(".preview-title")).to_have_text(term.title_text)
    expect(box.locator(".preview-tagline")).to_have_text(plaintext.tagline(term))
    expect(box.locator(".preview-text")).to_have_text(plaintext.summary(term))


# --- previews ----------------------------------------------------------------------------------

def test_preview_on_hover_stays_while_hovered_and_escape_closes(browser: Browser, demo_site: Path,
                                                              demo_book: Book) -> None:
    base = demo_site.as_uri() + "/"
    context, watch = open_context(browser, base)
    page = context.new_page()
    page.goto(base + "terms/RSA.html")
    link = page.locator(".definition a", has_text="digitale Signaturen")
    link.hover()
    expect_preview_of(page, "Digitale-Signatur", demo_book)
    box = page.locator(PREVIEW)
    assert box.get_attribute("role") == "tooltip" and link.get_attribute("aria-describedby") == "term-preview"
    assert not overlaps(rect(box), rect(link)), "the preview covers its link"
    # hoverable: the pointer moves from the link into the preview, and it stays
    r = rect(box)
    page.mouse.move((r["l"] + r["r"]) / 2, (r["t"] + r["b"]) / 2, steps=8)
    page.wait_for_timeout(900)
    expect(box).to_be_visible()
    page.mouse.move(5, 400)  # away from both
    expect(box).to_be_hidden()
    assert link.get_attribute("aria-describedby") is None
    # dismissible: Escape closes it, and it stays closed while the pointer rests on the link
    link.hover()
    expect(box).to_be_visible()
    page.keyboard.press("Escape")
    expect(box).to_be_hidden()
    page.wait_for_timeout(800)
    expect(box).to_be_hidden()
    # a click still follows the link
    link.click()
    shows(page, "Digitale Signatur", "terms/Digitale-Signatur.html")
    context.close()
    assert watch.problems == []


def test_preview_on_keyboard_focus(browser: Browser, demo_site: Path, demo_book: Book) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto((demo_site / "terms" / "RSA.html").as_uri())
    for _ in range(80):  # Tab through header and letter bar to the first link of the text
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.definition') !== null"):
            break
    focused = page.locator(":focus")
    expect(focused).to_have_text("asymmetrischen Kryptographie")
    expect_preview_of(page, "Asymmetrische-Kryptographie", demo_book)
    assert focused.get_attribute("aria-describedby") == "term-preview"
    assert not overlaps(rect(page.locator(PREVIEW)), rect(focused))
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("digitale Signaturen")
    expect_preview_of(page, "Digitale-Signatur", demo_book)
    page.keyboard.press("Escape")
    expect(page.locator(PREVIEW)).to_be_hidden()
    expect(page.locator(":focus")).to_have_text("digitale Signaturen")  # focus stays on the link
    page.keyboard.press("Enter")
    shows(page, "Digitale Signatur", "terms/Digitale-Signatur.html")
    context.close()


def test_touch_first_tap_previews_second_follows(browser: Browser, demo_site: Path, demo_book: Book) -> None:
    base = demo_site.as_uri() + "/"
    context, watch = open_context(browser, base, viewport={"width": 390, "height": 844},
                                  has_touch=True, is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    page.goto(base + "terms/RSA.html")
    link = page.locator(".definition a", has_text="digitale Signaturen")
    link.tap()
    expect_preview_of(page, "Digitale-Signatur", demo_book)
    box = page.locator(PREVIEW)
    expect(page).to_have_url(re.compile("terms/RSA.html$"))  # not followed
    assert box.get_attribute("role") == "dialog"
    go = box.get_by_role("link", name="Zum Eintrag")
    expect(go).to_be_visible()
    # on the phone: inside the window, beside (not over) the link, no sideways scrolling
    r, lr = rect(box), rect(link)
    assert r["l"] >= 0 and r["r"] <= 390 and r["t"] >= 0 and r["b"] <= 844, r
    assert not overlaps(r, lr)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("main h1").tap()  # elsewhere: closes
    expect(box).to_be_hidden()
    link.tap()
    expect(box).to_be_visible()
    link.tap()  # the second tap follows the link
    shows(page, "Digitale Signatur", "terms/Digitale-Signatur.html")
    page.go_back()
    page.locator(".definition a", has_text="asymmetrischen Kryptographie").tap()
    expect_preview_of(page, "Asymmetrische-Kryptographie", demo_book)
    page.locator(PREVIEW).get_by_role("link", name="Zum Eintrag").tap()
    shows(page, "Asymmetrische Kryptographie", "terms/Asymmetrische-Kryptographie.html")
    context.close()
    assert watch.problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_preview_colours_follow_the_scheme(scheme: str, browser: Browser, demo_site: Path) -> None:
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto((demo_site / "terms" / "RSA.html").as_uri())
    page.locator(".definition a", has_text="digitale Signaturen").hover()
    box = page.locator(PREVIEW)
    expect(box).to_be_visible()
    background = luminance(box.evaluate("e => getComputedStyle(e).backgroundColor"))
    text = luminance(box.locator(".preview-text").evaluate("e => getComputedStyle(e).color"))
    assert (background < 0.2 and text > 0.6) if scheme == "dark" else (background > 0.9 and text < 0.2)
    context.close()


def test_preview_texts_are_text_and_only_for_term_links(browser: Browser, ref_site: Path) -> None:
    book = read_book(REFERENCE, dg.Report())
    base = ref_site.as_uri() + "/"
    context, watch = open_context(browser, base)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base + "terms/Pleuel.html")
    page.locator(".definition a", has_text="Spitze").hover()
    expect_preview_of(page, "Spitze", book)
    title = page.locator(PREVIEW + " .preview-title")
    expect(title).to_have_text("Spitze <img src=x onerror=alert(1)> Klammern")
    assert page.locator(PREVIEW + " img, " + PREVIEW + " b").count() == 0
    page.mouse.move(5, 500)
    # no preview on the start page's list (it shows the taglines already)
    page.goto(base + "index.html")
    page.locator(".term-list a").first.hover()
    page.wait_for_timeout(800)
    assert page.locator(PREVIEW).count() == 0 or not page.locator(PREVIEW).is_visible()
    context.close()
    assert dialogs == [] and watch.problems == []


def test_axe_finds_no_violations(browser: Browser, demo_site: Path) -> None:
    """axe-core (vendored, tests/vendor/axe-core) on a term page with its preview open, in both
    schemes, on a phone, and on the start page with search results showing."""
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("terms/RSA.html", {"color_scheme": "light"}, "preview"),
        ("terms/RSA.html", {"color_scheme": "dark"}, "preview"),
        ("terms/RSA.html", {"viewport": {"width": 390, "height": 844}, "has_touch": True}, "tap"),
        ("index.html", {"color_scheme": "light"}, "search"),
        ("index.html", {"color_scheme": "dark"}, "search"),
    ]
    for path, options, action in cases:
        context = browser.new_context(bypass_csp=True, **options)  # to add axe's script to the page
        page = context.new_page()
        page.goto((demo_site / path).as_uri())
        if action == "search":
            page.locator("#search-input").fill("Schlüssel")
            expect(page.locator("#search-results .hit-snippet mark").first).to_be_visible()
        else:
            link = page.locator(".definition a", has_text="digitale Signaturen")
            link.tap() if action == "tap" else link.hover()
            expect(page.locator(PREVIEW)).to_be_visible()
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        assert found == [], (path, options, found)
        context.close()


# --- search ------------------------------------------------------------------------------------

def titles(page: Page, query: str) -> list[str]:
    page.locator("#search-input").fill(query)
    hits = page.locator("#search-results [role=option], #search-results .none")
    expect(hits.first).to_be_visible()
    return [t.strip() for t in page.locator("#search-results .hit-title").all_inner_texts()]


def test_javascript_and_python_make_the_same_keys(browser: Browser, demo_site: Path, demo_book: Book) -> None:
    """search.js stems and folds every word of the book as the index builder did."""
    found: set[str] = set()
    for term in demo_book.terms:
        found.update(words(plaintext.term_text(term) + " " + term.title_text + " " + " ".join(term.aliases)))
    found.update(["Schluessel", "STRASSE", "Straße", "Œuvre", "naïve", "Ärger"])
    vocabulary = sorted(found)
    page = browser.new_page()
    page.goto((demo_site / "index.html").as_uri())
    page.evaluate("GlossarySearch.ready()")
    keys = page.evaluate("ws => ws.map(w => GlossarySearch.key(w))", vocabulary)
    page.close()
    analyser = Analyser("de")
    differ = [(w, k) for w, k in zip(vocabulary, keys, strict=True) if analyser.key(w) != k]
    assert len(vocabulary) > 2000 and differ == []


def test_german_queries(browser: Browser, demo_site: Path, ref_site: Path) -> None:
    base = demo_site.as_uri() + "/"
    context, watch = open_context(browser, base)
    page = context.new_page()
    page.goto(base + "index.html")
    top = titles(page, "Schlüssel")[:2]
    assert set(top) == {"Öffentlicher Schlüssel", "Privater Schlüssel"}
    assert titles(page, "Schluessel")[:2] == top  # ue for ü
    assert titles(page, "SCHLÜSSEL")[:2] == top  # case
    assert titles(page, "schlüsseln")[:2] == top  # stem
    # compound parts: the entry on Ende-zu-Ende-Verschlüsselung never writes the compound
    entry = (DEMO / "Ende-zu-Ende-Verschlüsselung.md").read_text(encoding="utf-8")
    assert "Verschlüsselungsverfahren" not in entry
    assert "Ende-zu-Ende-Verschlüsselung" in titles(page, "Verschlüsselungsverfahren")[:3]
    # and a query word finds the compound that ends in it (alias "Einmalschlüsselverfahren")
    page.locator("#search-input").fill("Einmalschlüssel")
    expect(page.locator("#search-results .hit-title").first).to_have_text("One-Time-Pad")
    # every word of the text, with the hit highlighted in a snippet of the text
    assert titles(page, "Primzahl")[0] == "RSA"
    snippet = page.locator("#search-results .hit-snippet").first
    expect(snippet.locator("mark").first).to_have_text("Primzahlen")
    assert snippet.inner_text().strip("… ") in plaintext.term_text(read_book(DEMO, dg.Report()).term("RSA")) \
        .replace("\n", " ")
    assert titles(page, "Quarkspeise") == []
    expect(page.locator("#search-results .none")).to_have_text("Keine Treffer")
    page.locator("#search-input").fill("schluessel")
    expect(page.locator("#search-results [role=option]").first).to_be_visible()
    leave_search(page)
    shows(page, top[0])
    context.close()
    assert watch.problems == []
    page = browser.new_page()
    page.goto((ref_site / "index.html").as_uri())
    assert titles(page, "Strassenbahn")[0] == "Straßenbahn"  # ss for ß
    assert titles(page, "STRASSENBAHN")[0] == "Straßenbahn"
    page.close()


def test_ranking_title_alias_tagline_text(browser: Browser, ref_site: Path) -> None:
    page = browser.new_page()
    page.goto((ref_site / "index.html").as_uri())
    found = titles(page, "Kolben")
    # title, alias ("Kolben-Stößel"), tagline ("… den Kolben führt"), then the texts
    assert found[:3] == ["Kolben", "Stößel", "Zylinder"]
    assert set(found[3:]) == {"Pleuel", "Spitze <img src=x onerror=alert(1)> Klammern"}
    expect(page.locator("#search-results .hit-alias").first).to_have_text("(Auch: Kolben-Stößel)")
    assert titles(page, "kolbens")[:3] == found[:3]  # genitive: the same stem
    page.close()


# --- pages under former ids, the 404 page -------------------------------------------------------

def test_a_former_id_forwards_from_disk(browser: Browser, ref_site: Path) -> None:
    page = browser.new_page()
    page.goto((ref_site / "terms" / "Alter-Kolben.html").as_uri())
    expect(page).to_have_url(re.compile("terms/Kolben.html$"))
    expect(page.locator("main h1")).to_have_text("Kolben")
    page.close()


class _Host(http.server.SimpleHTTPRequestHandler):
    """A static host as GitHub Pages or Netlify: its 404.html for an address it has no file for."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "werkstatt" / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def hosted(ref_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("host")
    shutil.copytree(ref_site, root / "werkstatt")  # published under base-url's path, /werkstatt/
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Host, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/werkstatt/"
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_404_page_works_deep_under_the_base_path(browser: Browser, hosted: str) -> None:
    context, watch = open_context(browser, hosted)
    page = context.new_page()
    response = page.goto(hosted + "terms/alt/gibt-es-nicht.html")
    assert response is not None and response.status == 404
    expect(page.locator("main h1")).to_have_text("Seite nicht gefunden")
    # site.css came from /werkstatt/assets/ (a missing sheet leaves the skip link in the flow)
    assert page.locator(".skip-link").evaluate("e => getComputedStyle(e).position") == "absolute"
    page.locator("#search-input").fill("Kolben")
    expect(page.locator("#search-results [role=option]").first).to_contain_text("Kolben")
    leave_search(page)
    shows(page, "Kolben", "/werkstatt/terms/Kolben.html")
    context.close()
    # the 404 answer for the missing page itself is expected (and its console line, which names
    # no address: any other 404 is also reported with its address); nothing else failed
    rest = [p for p in watch.problems if "gibt-es-nicht" not in p]
    console = "console: Failed to load resource: the server responded with a status of 404 (Not Found)"
    assert rest in ([], [console])
