"""The site's layout in a real browser: what paints over what, what shows that it scrolls, where
the start page's columns break. Measured on the demo site in headless Chromium."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(demo_outputs: Callable[[str], Path]) -> Path:
    return demo_outputs("html")


def _page(browser: Browser, url: str, width: int, height: int = 800, **options: object) -> Page:
    page = browser.new_context(viewport={"width": width, "height": height}, **options).new_page()  # type: ignore[arg-type]
    page.goto(url)
    return page


# The letters under the open results: (is it a greyed letter, is the results list on top there)
_UNDER_RESULTS = """() => {
  const box = document.getElementById('search-results').getBoundingClientRect();
  const out = [];
  for (const li of document.querySelectorAll('.letters li')) {
    const r = li.firstElementChild.getBoundingClientRect();
    const x = Math.max(r.left, box.left) + 2, y = (r.top + r.bottom) / 2;
    if (r.right <= box.left || r.left >= box.right || r.bottom <= box.top || r.top >= box.bottom) continue;
    const top = document.elementFromPoint(x, y);
    out.push([li.firstElementChild.classList.contains('empty'), !!top.closest('#search-results')]);
  }
  return out;
}"""


def test_search_results_paint_above_the_letter_bar(browser: Browser, site: Path) -> None:
    """The results list opens over the letter bar; no letter, greyed or not, shows through."""
    page = _page(browser, (site / "index.html").as_uri(), 1280)
    page.fill("#search-input", "ver")
    page.wait_for_selector("#search-results li")
    under = page.evaluate(_UNDER_RESULTS)
    assert any(empty for empty, _ in under), under  # greyed letters are under the list
    assert len(under) >= 3 and all(on_top for _, on_top in under), under
    page.context.close()


def _strips(page: Page) -> tuple[float, float]:
    """Mean brightness of the letter bar's leftmost and rightmost 10 px."""
    shot = Image.open(io.BytesIO(page.locator(".letters ul").screenshot())).convert("L")
    w, h = shot.size
    left, right = shot.crop((0, 0, 10, h)), shot.crop((w - 10, 0, w, h))
    return ImageStat.Stat(left).mean[0], ImageStat.Stat(right).mean[0]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_letter_bar_shows_that_it_scrolls_on_a_phone(browser: Browser, site: Path, scheme: str) -> None:
    """On a phone the bar scrolls sideways: a shadow marks the edge where letters are hidden,
    and goes when there is nothing more that way (compared with the same bar without it)."""
    page = _page(browser, (site / "terms" / "Diffie-Hellman.html").as_uri(), 375, 700,
                 color_scheme=scheme)
    bar = page.locator(".letters ul")
    assert bar.evaluate("e => e.scrollWidth > e.clientWidth + 40")  # it does scroll
    states = {}
    for end in (False, True):
        bar.evaluate(f"e => e.scrollLeft = {'e.scrollWidth' if end else 0}")
        plain = bar.evaluate("e => { const b = e.style.background; e.style.background = "
                             "'var(--surface)'; return b; }")
        flat = _strips(page)
        bar.evaluate(f"e => e.style.background = {plain!r}")
        states[end] = (flat, _strips(page))
    (flat_l, flat_r), (left, right) = states[False]
    assert abs(right - flat_r) > 6 and abs(left - flat_l) < 1.5, states  # more to the right
    (flat_l, flat_r), (left, right) = states[True]
    assert abs(left - flat_l) > 6 and abs(right - flat_r) < 1.5, states  # more to the left
    page.context.close()


_COLUMNS = """() => [...document.querySelectorAll('.groups .letter-group')].map(g => [
  g.querySelector('.letter').textContent.trim(),
  Math.round(g.querySelector('.letter').getBoundingClientRect().left),
  [...g.querySelectorAll('li')].map(li => Math.round(li.getBoundingClientRect().left))])"""


@pytest.mark.parametrize("width", [1280, 1000])
def test_each_column_of_the_start_page_begins_with_a_letter(browser: Browser, site: Path,
                                                            width: int) -> None:
    """A letter group is never split between the columns, so each column opens with a letter."""
    page = _page(browser, (site / "index.html").as_uri(), width)
    groups = page.evaluate(_COLUMNS)
    assert len({left for _, left, _ in groups}) == 2, groups  # two columns at this width
    for label, left, items in groups:
        assert items and set(items) == {left}, (label, left, items)
    page.context.close()
