"""EPUB documents in a real rendering engine (headless Chromium, the engine of many reading systems).

Unzipped chapters are opened from file:// as XHTML (an XML parse error would show Chromium's
error page): styles and images must load, MathML must be laid out, code must be coloured, and
nothing may fail to load or log an error.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import build_into, fixture_path
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow

def _unzip(epub: Path, dest: Path) -> Path:
    with zipfile.ZipFile(epub) as z:
        z.extractall(dest)
    return dest / "EPUB"


@pytest.fixture(scope="module")
def demo_dir(demo_outputs: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _unzip(demo_outputs("epub"), tmp_path_factory.mktemp("epub-demo"))


@pytest.fixture(scope="module")
def messy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("epub-messy")
    outputs, _ = build_into(fixture_path("messy"), out, "epub")
    return _unzip(outputs["epub"], out / "unzipped")


def _open(browser: Browser, path: Path) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": 600, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    assert page.evaluate("document.contentType") == "application/xhtml+xml"
    assert page.locator("parsererror").count() == 0
    return page, problems


def test_chapter_with_image_and_math(browser: Browser, demo_dir: Path) -> None:
    page, problems = _open(browser, demo_dir / "letters" / "d.xhtml")
    assert page.evaluate("document.querySelector('figure img').naturalWidth") > 100
    heights = page.evaluate("[...document.querySelectorAll('math')]"
                            ".map(m => m.getBoundingClientRect().height)")
    assert heights and min(heights) > 5
    rule = page.evaluate("getComputedStyle(document.querySelector('h1.letter-title')).borderBottomStyle")
    assert rule == "solid"  # epub.css was loaded
    assert page.locator("section.entry h2 dfn").first.inner_text() == "Diffie-Hellman-Schlüsselaustausch"
    assert problems == []
    page.close()


def test_cover_page_shows_the_generated_cover(browser: Browser, demo_dir: Path) -> None:
    page, problems = _open(browser, demo_dir / "cover.xhtml")
    size = page.evaluate("(() => { const i = document.querySelector('img'); "
                         "return [i.naturalWidth, i.naturalHeight, i.getBoundingClientRect().height]; })()")
    assert size[:2] == [1600, 2560] and 0 < size[2] <= 900  # fits the screen
    assert problems == []
    page.close()


def test_code_is_highlighted_and_links_jump(browser: Browser, messy_dir: Path) -> None:
    page, problems = _open(browser, messy_dir / "letters" / "z.xhtml")
    colour = page.evaluate("getComputedStyle(document.querySelector('code span.bu')).color")
    assert colour == "rgb(0, 128, 0)"  # highlight.css was loaded
    page.click("section#Zebra .seealso a[href='a.xhtml#Ärger']")
    page.wait_for_load_state("load")
    assert page.url.endswith("/letters/a.xhtml#%C3%84rger")
    assert page.locator("section.entry h2").first.inner_text() == "Ärger"
    assert problems == []
    page.close()
