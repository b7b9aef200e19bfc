"""The hostile glossary read in a real browser: no injected script runs, nothing leaves file://.

Every payload in tests/fixtures/hostile-html would set `window.__pwned` (or reach the "remote"
host). Here that host is a live HTTP server on 127.0.0.1 (the fixture is copied with its port
filled in), so a request that got through would be seen twice: by the browser's request log
and by the server. Every site page and every XHTML document of the EPUB is opened from disk in
headless Chromium; then every element gets every event a payload listens for (inline handlers
run for synthetic events too), and the page is asked for script URLs left in its links.
"""

from __future__ import annotations

import http.server
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from conftest import build_into, fixture_path, leave_search
from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

pytestmark = pytest.mark.slow

PLACEHOLDER = "127.0.0.1:47999"
EVENTS = ["click", "dblclick", "mouseover", "mouseenter", "pointerenter", "pointerover", "focus",
          "focusin", "toggle", "load", "error", "animationstart", "animationend", "start",
          "input", "change", "submit", "keydown", "wheel", "copy", "beforeprint"]
FIRE = f"""() => {{
  for (const el of document.querySelectorAll('*')) {{
    for (const type of {EVENTS!r}) {{ try {{ el.dispatchEvent(new Event(type)); }} catch (e) {{}} }}
    if (typeof el.focus === 'function') {{ try {{ el.focus(); }} catch (e) {{}} }}
  }}
  document.querySelectorAll('details').forEach(d => {{ d.open = !d.open; d.open = !d.open; }});
}}"""
LEFTOVERS = """() => [...document.querySelectorAll('*')].flatMap(el => {
  const out = [];
  for (const a of el.getAttributeNames()) {
    if (a.toLowerCase().startsWith('on')) out.push(`${a} on <${el.localName}>`);
  }
  for (const key of ['href', 'src', 'action', 'formAction', 'data', 'poster']) {
    const value = el[key];
    if (typeof value === 'string' && /^(javascript|vbscript|data:text)/i.test(value)) {
      out.push(`${key}=${value.slice(0, 40)} on <${el.localName}>`);
    }
  }
  return out;
})"""
# Collected before any of the page's own code runs (init scripts are exempt from the CSP).
VIOLATIONS = ("window.__violations = []; document.addEventListener('securitypolicyviolation', "
              "e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));")


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []  # each server gets its own list (see `remote`)

    def do_GET(self) -> None:
        self.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"window.__pwned = 'remote';")

    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def remote() -> Iterator[tuple[str, list[str]]]:
    """The 'remote' host: a server on 127.0.0.1 that records every request it gets."""
    seen: list[str] = []
    handler = type("Recorder", (_Recorder,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def outputs(remote: tuple[str, list[str]], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    src = tmp_path_factory.mktemp("hostile-src") / "src"
    shutil.copytree(fixture_path("hostile-html"), src)
    for path in src.rglob("*"):
        if path.suffix in (".md", ".svg", ".toml"):
            path.write_text(path.read_text(encoding="utf-8").replace(PLACEHOLDER, remote[0]),
                            encoding="utf-8")
    built, _ = build_into(src, tmp_path_factory.mktemp("hostile-out"), "epub", "html")
    with zipfile.ZipFile(built["epub"]) as z:
        z.extractall(built["epub"].parent / "unzipped")
    return {"html": built["html"], "epub": built["epub"].parent / "unzipped" / "EPUB"}


def _context(browser: Browser) -> tuple[BrowserContext, list[str]]:
    context = browser.new_context()
    left: list[str] = []

    def route(r: Any) -> None:
        if not r.request.url.startswith("file:"):
            left.append(r.request.url)
        r.continue_()  # let it through: the server must prove it saw nothing either

    context.route("**/*", route)
    context.on("request", lambda r: None if r.url.startswith("file:") else left.append(r.url))
    context.add_init_script(VIOLATIONS)
    return context, left


def _visit(page: Page, path: Path) -> dict[str, Any]:
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    title = page.title()
    try:
        page.evaluate(FIRE)
        page.wait_for_timeout(50)  # let anything an event scheduled run
        return {"pwned": page.evaluate("window.__pwned"), "title_kept": page.title() == title,
                "leftovers": page.evaluate(LEFTOVERS),
                "violations": page.evaluate("window.__violations")}
    except PlaywrightError as exc:  # the page went elsewhere (<meta refresh>, <base>, a script)
        return {"pwned": f"navigated to {page.url}: {exc.message[:80]}", "title_kept": False,
                "leftovers": [], "violations": []}


def _read_all(browser: Browser, pages: list[Path], remote: tuple[str, list[str]]) -> dict[str, Any]:
    context, left = _context(browser)
    page = context.new_page()
    problems = {}
    for path in pages:
        found = _visit(page, path)
        if found["pwned"] is not None or not found["title_kept"] or found["leftovers"]:
            problems[path.name] = found
    context.close()
    return {"problems": problems, "left": left, "server": list(remote[1])}


def test_no_site_page_runs_an_entry_or_reaches_out(browser: Browser, outputs: dict[str, Path],
                                                    remote: tuple[str, list[str]]) -> None:
    pages = sorted(outputs["html"].rglob("*.html"))
    assert len(pages) >= 12
    result = _read_all(browser, pages, remote)
    assert result == {"problems": {}, "left": [], "server": []}


def test_no_site_page_leaves_anything_for_the_csp_to_block(browser: Browser,
                                                           outputs: dict[str, Path]) -> None:
    """The sanitiser does the work: the policy never has to refuse anything on these pages."""
    context, _ = _context(browser)
    page = context.new_page()
    for path in sorted(outputs["html"].rglob("*.html")):
        assert _visit(page, path)["violations"] == [], path.name
    context.close()


def test_no_epub_document_runs_an_entry_or_reaches_out(browser: Browser, outputs: dict[str, Path],
                                                       remote: tuple[str, list[str]]) -> None:
    documents = sorted(outputs["epub"].rglob("*.xhtml"))
    assert len(documents) >= 8
    result = _read_all(browser, documents, remote)
    assert result == {"problems": {}, "left": [], "server": []}


def test_the_csp_is_in_force_and_search_still_works_from_disk(browser: Browser,
                                                              outputs: dict[str, Path]) -> None:
    """`script-src 'self'` on file://: Chromium runs the site's own files and nothing inline."""
    context, left = _context(browser)
    page = context.new_page()
    page.goto((outputs["html"] / "index.html").as_uri())
    page.wait_for_load_state("load")
    page.evaluate("() => { const s = document.createElement('script'); "
                  "s.textContent = 'window.__cspProbe = 1'; document.head.append(s); }")
    page.wait_for_timeout(50)
    assert page.evaluate("window.__cspProbe") is None
    assert any(v.startswith("script-src") for v in page.evaluate("window.__violations"))
    page.locator("body").press("/")
    page.keyboard.type("Apostroph")
    hit = page.locator("#search-results [role=option]").first
    hit.wait_for()
    assert "</script><!--" in hit.inner_text()  # the title, shown as text
    leave_search(page)
    page.wait_for_url("**/terms/Titel.html")
    assert page.evaluate("window.__pwned") is None
    context.close()
    assert left == []
