"""Shared test fixtures: the demo glossary, fixture folders under tests/fixtures, a built book."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pipeline import build, read_book
from pipeline import diagnostics as dg
from pipeline.model import Book

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "source"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def demo_book() -> Book:
    return read_book(DEMO, dg.Report())


def fixture_path(name: str) -> Path:
    """A fixture glossary folder (data under tests/fixtures/<name>)."""
    path = FIXTURES / name
    assert path.is_dir(), f"missing fixture {path}"
    return path


@pytest.fixture
def copy_fixture(tmp_path: Path) -> Callable[[str], Path]:
    """Copy a fixture folder to a temp dir (for tests that modify sources)."""

    def copy(name: str) -> Path:
        dest = tmp_path / name
        shutil.copytree(fixture_path(name), dest)
        return dest

    return copy


BUILD_FILES = (".glossary.lock", ".glossary-manifest.json")  # the build's own lock and manifest


def outputs_in(folder: Path) -> list[str]:
    """The names in an output folder, sorted, without the build's lock and manifest (anything
    else hidden, a leftover temporary, is listed)."""
    return sorted(p.name for p in folder.iterdir() if p.name not in BUILD_FILES)


def build_into(source: Path, out: Path, *formats: str,
               strict: bool = False) -> tuple[dict[str, Path], dg.Report]:
    """Run a real build (the same code path as `glossary build`)."""
    report = dg.Report(strict=strict)
    outputs = build(source, out, list(formats), report)
    return outputs, report


@pytest.fixture(scope="session")
def demo_outputs(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Build the demo glossary once per format per test session; returns the output path."""
    out = tmp_path_factory.mktemp("demo-build")
    cache: dict[str, Path] = {}

    def get(fmt: str) -> Path:
        if fmt not in cache:
            outputs, report = build_into(DEMO, out, fmt)
            assert not report.errors, [dg.format_text(d) for d in report.errors]
            cache[fmt] = outputs[fmt]
        return cache[fmt]

    return get


CHROMIUM = "/usr/bin/chromium"  # Debian's package; .ci/run installs it
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium driven by Playwright (one per test module)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def leave_search(page: Page, key: str = "Enter") -> None:
    """Press `key` in the site's search once its snippet texts have arrived, as a reader sees
    them: `search-text.js` loads beside the index, and leaving the page before it arrives aborts
    that request, which the browser tests' request watchers count as a failure."""
    page.wait_for_function("() => !!window.GLOSSARY_SEARCH_TEXT")
    page.keyboard.press(key)
