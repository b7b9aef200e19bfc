"""`glossary serve` in a real browser: an author's edit loop on a copy of the demo.

Headless Chromium (Playwright) keeps a page open while the test edits the source files, and never
reloads it itself: every change must arrive through the server's reload script. Every page
is loaded under a strict Content-Security-Policy (`default-src 'self'`, added to each document
response), so the reload script and the overlay must work without inline code or styles.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DEMO
from playwright.sync_api import Browser, ConsoleMessage, Page, Route, expect
from serving import Served

pytestmark = pytest.mark.slow
STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'"
WAIT_MS = 60_000  # a rebuild of the demo takes a few seconds; a loaded CI machine more
OVERLAY = "#glossary-serve-overlay"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Served, Path]]:
    source = tmp_path / "source"
    shutil.copytree(DEMO, source)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    server = Served(source, tmp)
    server.wait_for(r"^glossary: built the site")
    yield server, source
    assert server.stop() == 0
    assert "Traceback" not in "\n".join(server.err)


class Problems:
    """Console errors, page errors and CSP violations of a page."""

    def __init__(self, page: Page, gone: str) -> None:
        self.found: list[str] = []
        self.gone = gone  # the page the test deletes: its 404 is expected

        def console(m: ConsoleMessage) -> None:
            if m.type == "error" and not (m.location["url"].endswith(self.gone) and "404" in m.text):
                self.found.append(f"console: {m.text} ({m.location['url']})")

        page.on("console", console)
        page.on("pageerror", lambda e: self.found.append(f"pageerror: {e}"))
        page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                             "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));")


def _strict(route: Route) -> None:
    if route.request.resource_type != "document":
        route.continue_()
        return
    response = route.fetch()
    route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})


def _edit(path: Path, old: str, new: str) -> float:
    """Replace `old` by `new` in `path`; returns when the file was written (monotonic)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return time.monotonic()


def _connected(page: Page) -> None:
    """The reload script has had its first event (its status badge exists)."""
    page.wait_for_function("() => document.querySelector('#glossary-serve-status') !== null",
                           timeout=WAIT_MS)


def test_the_edit_loop(browser: Browser, served: tuple[Served, Path]) -> None:
    server, source = served
    context = browser.new_context()
    page = context.new_page()
    problems = Problems(page, "/terms/Caesar-Chiffre.html")
    page.route("**/*", _strict)

    # 1. An edit appears in the open page, without a reload by hand.
    page.goto(server.url + "terms/AES.html")
    expect(page.locator("h1, h2").first).to_contain_text("Advanced Encryption Standard")
    _connected(page)
    written = _edit(source / "AES.md", "Weltweit meistgenutzte symmetrische Blockchiffre",
                    "Frisch bearbeitete Unterzeile 4711")
    expect(page.locator("main")).to_contain_text("Frisch bearbeitete Unterzeile 4711", timeout=WAIT_MS)
    latency = time.monotonic() - written
    print(f"\nglossary serve, demo ({len(list(source.glob('*.md')))} entries): "
          f"file written → new text visible in {latency:.2f} s")
    expect(page.locator(OVERLAY)).to_have_count(0)

    # 2. A broken link shows in the overlay with its file and line; 3. fixing it clears it.
    _connected(page)
    _edit(source / "AES.md", "verarbeitet und Schlüssel",
          "verarbeitet (siehe [Kaputt](#Gibt-es-nicht)) und Schlüssel")
    overlay = page.locator(OVERLAY)
    expect(overlay).to_be_visible(timeout=WAIT_MS)
    expect(overlay).to_contain_text("AES.md:5", timeout=WAIT_MS)
    expect(overlay).to_contain_text("GL101")
    expect(overlay).to_contain_text("Gibt-es-nicht")
    assert overlay.evaluate("e => getComputedStyle(e).position") == "fixed", "overlay.css applies"
    _connected(page)
    _edit(source / "AES.md", "(siehe [Kaputt](#Gibt-es-nicht)) ", "")
    expect(overlay).to_have_count(0, timeout=WAIT_MS)

    # 4. A new entry appears in the start page's A–Z list.
    page.goto(server.url)
    _connected(page)
    (source / "Zufallszahl.md").write_text(
        "## Zufallszahlengenerator {#Zufallszahlengenerator .term}\n\n"
        "***Quelle unvorhersagbarer Bits***\n\nEin Zufallszahlengenerator liefert Schlüsselmaterial.\n",
        encoding="utf-8")
    new = page.locator("main").get_by_role("link", name="Zufallszahlengenerator", exact=True)
    expect(new).to_have_count(1, timeout=WAIT_MS)
    new.click()
    expect(page.locator("main")).to_contain_text("liefert Schlüsselmaterial")

    # 5. A deleted entry's page is gone and the start page no longer lists it; the entries that
    # linked to it now show their broken links in the overlay.
    page.goto(server.url + "terms/Caesar-Chiffre.html")
    expect(page.locator("main")).to_contain_text("Caesar")
    _connected(page)
    (source / "Caesar-Chiffre.md").unlink()
    expect(page.locator("h1")).to_have_text("Not found", timeout=WAIT_MS)
    expect(page.locator(OVERLAY)).to_contain_text("GL101")
    assert page.request.get(server.url + "terms/Caesar-Chiffre.html").status == 404
    page.goto(server.url)
    expect(page.locator("main").get_by_role("link", name="Zufallszahlengenerator", exact=True)
           ).to_have_count(1)
    expect(page.locator("main a[href='terms/Caesar-Chiffre.html']")).to_have_count(0)

    # 6. A broken book.toml: the overlay says the build failed, the last good site stays.
    page.goto(server.url + "terms/AES.html")
    _connected(page)
    config = source / "book.toml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good + "\n[pdf\n", encoding="utf-8")
    expect(overlay).to_contain_text("Build failed", timeout=WAIT_MS)
    expect(overlay).to_contain_text("book.toml:")
    expect(overlay).to_contain_text("GL501")
    expect(page.locator("main")).to_contain_text("Frisch bearbeitete Unterzeile 4711")
    assert page.request.get(server.url + "terms/AES.html").status == 200
    config.write_text(good, encoding="utf-8")
    expect(overlay).not_to_contain_text("Build failed", timeout=WAIT_MS)

    assert problems.found == []
    context.close()
    assert any("AES.md:5" in line and "GL101" in line for line in server.err), "also in the terminal"
