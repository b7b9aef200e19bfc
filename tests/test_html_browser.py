"""The site in a real browser (headless Chromium via Playwright), from file:// and over HTTP.

A visitor's path: start page → a term → a see-also link → a back-reference → search by an
alias with the keyboard → the hit. Every step asserts the right term is shown, and the whole
visit must produce no console error, no failed request and no request leaving the site.
"""

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
from conftest import build_into, fixture_path, leave_search
from playwright.sync_api import Browser, BrowserContext, Page, expect

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_site(demo_outputs: Callable[[str], Path]) -> Path:
    return demo_outputs("html")


@pytest.fixture(scope="module")
def messy_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outputs, _ = build_into(fixture_path("messy"), tmp_path_factory.mktemp("messy-browser"), "html")
    return outputs["html"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(demo_site: Path) -> Iterator[str]:
    """The demo site under a sub-path of a local static server (as on a real host)."""
    root = demo_site.parent
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{demo_site.name}/"
    server.shutdown()
    server.server_close()
    thread.join()


class Watch:
    """Collects console errors, page errors, failed requests and requests leaving the site."""

    def __init__(self, context: BrowserContext, base: str) -> None:
        self.problems: list[str] = []
        self.base = base
        context.on("page", self._attach)
        context.on("requestfailed", self._failed)
        context.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status}: {r.url}"))
        context.on("request", self._request)

    def _attach(self, page: Page) -> None:
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))

    def _failed(self, request: Any) -> None:
        # Chromium fetches the favicon after the load event and aborts it when the visitor moves
        # on: harmless. A missing favicon fails differently (ERR_FILE_NOT_FOUND, 404) and counts.
        if request.url.endswith("/favicon.svg") and request.failure == "net::ERR_ABORTED":
            return
        self.problems.append(f"failed: {request.url} {request.failure}")

    def _request(self, request: Any) -> None:
        if not request.url.startswith(self.base):
            self.problems.append(f"left the site: {request.url}")


def open_context(browser: Browser, base: str, **options: Any) -> tuple[BrowserContext, Watch]:
    context = browser.new_context(**options)
    return context, Watch(context, base)


def shows(page: Page, title: str, path: str = "") -> None:
    """Wait until the page shows the term (clicks navigate asynchronously) and has finished
    loading: leaving a page while its favicon or deferred scripts still load aborts them, which
    would count as failed requests."""
    expect(page.locator("main h1")).to_have_text(title)
    if path:
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    page.wait_for_load_state("load")


def visitor_journey(page: Page, start: str) -> None:
    page.goto(start)
    expect(page).to_have_title("Kleines Kryptographie-Glossar")
    page.locator(".term-list a", has_text="RSA").click()
    shows(page, "RSA", "terms/RSA.html")
    # see-also → the right term
    page.locator("nav.see-also a", has_text="Digitale Signatur").click()
    shows(page, "Digitale Signatur", "terms/Digitale-Signatur.html")
    # back-reference → the right term
    page.locator("nav.backrefs a", has_text="RSA").click()
    shows(page, "RSA", "terms/RSA.html")
    # a link into the middle of another term's text (fragment) and the index
    page.locator(".definition a", has_text="asymmetrischen Kryptographie").click()
    shows(page, "Asymmetrische Kryptographie", "terms/Asymmetrische-Kryptographie.html")
    # search by an alias, keyboard only: "/" focuses, arrows move, Enter opens
    page.locator("body").press("/")
    expect(page.locator("#search-input")).to_be_focused()
    page.keyboard.type("DH")
    first = page.locator("#search-results [role=option]").first
    expect(first).to_contain_text("Diffie-Hellman-Schlüsselaustausch")
    expect(first).to_contain_text("DH")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#search-input")).to_have_attribute("aria-activedescendant", "search-hit-0")
    expect(first).to_have_attribute("aria-selected", "true")
    leave_search(page)
    shows(page, "Diffie-Hellman-Schlüsselaustausch", "terms/Diffie-Hellman.html")
    expect(page.locator("figure img")).to_have_js_property("complete", True)
    assert page.locator("figure img").evaluate("i => i.naturalWidth") > 0


def test_journey_from_disk(browser: Browser, demo_site: Path) -> None:
    base = demo_site.as_uri() + "/"
    context, watch = open_context(browser, base)
    visitor_journey(context.new_page(), base + "index.html")
    context.close()
    assert watch.problems == []


def test_journey_served(browser: Browser, served: str) -> None:
    context, watch = open_context(browser, served)
    visitor_journey(context.new_page(), served)  # the folder URL: the server answers index.html
    context.close()
    assert watch.problems == []


def test_messy_site_in_browser(browser: Browser, messy_site: Path) -> None:
    base = messy_site.as_uri() + "/"
    context, watch = open_context(browser, base)
    page = context.new_page()
    page.goto(base + "index.html")
    page.locator("#search-input").fill("verdruss")  # alias, lower case
    expect(page.locator("#search-results [role=option]")).to_have_count(1)
    page.locator("#search-results a").click()
    shows(page, "Ärger", "terms/Aerger.html")
    assert page.locator(".definition .xref-broken", has_text="Nirgendwo").count() == 1
    assert page.locator("main a", has_text="Nirgendwo").count() == 0
    page.locator("#search-input").fill("Quarkspeise Zyxwvut")  # in no entry's text
    expect(page.locator("#search-results .none")).to_have_text("Keine Treffer")
    page.goto(base + "terms/3D-Druck.html")
    page.locator("a.footnote-ref").click()
    expect(page).to_have_url(re.compile("#3D-Druck--fn-1$"))
    expect(page.locator("[id=\"3D-Druck--fn-1\"]")).to_be_in_viewport()
    page.goto(base + "terms/Zebra.html")
    assert page.locator("figure img").evaluate("i => i.complete && i.naturalWidth > 0")
    context.close()
    assert watch.problems == []


def test_ids_with_dots_case_and_umlaut_anchors(browser: Browser,
                                               tmp_path_factory: pytest.TempPathFactory) -> None:
    outputs, _ = build_into(fixture_path("html-ids"), tmp_path_factory.mktemp("ids-browser"), "html")
    base = outputs["html"].as_uri() + "/"
    context, watch = open_context(browser, base)
    page = context.new_page()
    page.goto(base + "terms/Leonardo.ai.html")
    page.locator(".definition a", has_text="Größen").click()
    expect(page.locator('[id="Leonardo.ai--größen"]')).to_be_in_viewport()
    assert page.evaluate("decodeURIComponent(location.hash)") == "#Leonardo.ai--größen"
    page.locator("nav.see-also").get_by_role("link", name="xAI", exact=True).click()
    shows(page, "xAI")
    page.locator("nav.see-also").get_by_role("link", name="XAI", exact=True).click()
    shows(page, "XAI", "terms/XAI.html")
    page.locator("#search-input").fill("grok")
    expect(page.locator("#search-results [role=option]").first).to_be_visible()
    leave_search(page)  # no arrow: Enter opens the first hit
    shows(page, "xAI")
    page.goto(base + "terms/Strasse.html")
    assert page.locator("img").evaluate_all("is => is.every(i => i.complete && i.naturalWidth > 0)")
    context.close()
    assert watch.problems == []


def _background(page: Page) -> float:
    """Relative luminance (0 black … 1 white) of the page background."""
    rgb = page.evaluate("getComputedStyle(document.body).backgroundColor")
    r, g, b = (int(x) / 255 for x in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_dark_mode_print_and_small_screens(browser: Browser, demo_site: Path) -> None:
    url = (demo_site / "terms" / "Diffie-Hellman.html").as_uri()
    for scheme, dark in (("light", False), ("dark", True)):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(url)
        assert (_background(page) < 0.1) is dark, scheme
        context.close()
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    page.emulate_media(media="print")
    assert page.locator(".site-header").evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator(".pager").evaluate("e => getComputedStyle(e).display") == "none"
    context.close()


def test_the_letter_bar_is_one_row_at_every_width(browser: Browser, demo_site: Path) -> None:
    rows = "els => new Set(els.map(e => Math.round(e.getBoundingClientRect().top))).size"
    for width in (360, 660, 760, 900, 1280):
        context = browser.new_context(viewport={"width": width, "height": 700})
        page = context.new_page()
        page.goto((demo_site / "terms" / "Diffie-Hellman.html").as_uri())
        assert page.eval_on_selector_all(".letters li", rows) == 1, width
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
        context.close()


def test_keyboard_skip_link_and_focus(browser: Browser, demo_site: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto((demo_site / "terms" / "RSA.html").as_uri())
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    assert skip.evaluate("e => e.getBoundingClientRect().top >= 0")  # visible when focused
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    # "/" typed inside the search field is text, not the shortcut
    page.locator("#search-input").focus()
    page.keyboard.type("a/b")
    expect(page.locator("#search-input")).to_have_value("a/b")
    page.keyboard.press("Escape")
    expect(page.locator("#search-results")).to_be_hidden()
    context.close()


def test_escape_before_the_hits_came_up_keeps_the_list_closed(browser: Browser, demo_site: Path) -> None:
    """A search still on its way when Escape is pressed must not open the list afterwards (CI
    once pressed Escape that fast: the list came up after it, with the typed text cleared)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto((demo_site / "terms" / "RSA.html").as_uri())
    page.evaluate("() => window.GlossarySearch.ready()")
    # Typing and Escape in one task: the search's own turn comes only after both.
    hidden = page.evaluate("""async () => {
        const input = document.getElementById('search-input');
        input.focus();
        input.value = 'Schlüssel';
        input.dispatchEvent(new Event('input'));
        input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}));
        await window.GlossarySearch.ready();
        await new Promise(done => setTimeout(done, 50));
        return document.getElementById('search-results').hidden;
    }""")
    assert hidden
    context.close()


def test_no_javascript_still_navigable(browser: Browser, demo_site: Path) -> None:
    """Without scripts the search field stays hidden and every page is reachable by links."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((demo_site / "index.html").as_uri())
    expect(page.locator(".search")).to_be_hidden()
    page.locator(".index-link").click()
    page.locator(".index-group a", has_text="DH").click()
    shows(page, "Diffie-Hellman-Schlüsselaustausch", "terms/Diffie-Hellman.html")
    context.close()


def test_watch_catches_missing_files_and_script_errors(browser: Browser, demo_site: Path,
                                                       tmp_path: Path) -> None:
    """The journeys' 'no problems' assertion can fail: a broken copy of the site trips it."""
    site = tmp_path / "html"
    shutil.copytree(demo_site, site)
    (site / "assets" / "site.css").unlink()
    (site / "assets" / "search-index.js").write_text("window.GLOSSARY_SEARCH = [;", encoding="utf-8")
    base = site.as_uri() + "/"
    context, watch = open_context(browser, base)
    page = context.new_page()
    page.goto(base + "index.html")
    page.wait_for_load_state("load")
    with page.expect_event("pageerror"):
        page.locator("#search-input").fill("RSA")  # the index is loaded when the field is used
    context.close()
    assert any("site.css" in p for p in watch.problems), watch.problems
    assert any(p.startswith("pageerror") for p in watch.problems), watch.problems
