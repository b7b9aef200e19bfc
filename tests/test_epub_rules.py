"""The build-time EPUB check (`formats/epub/rules.py`) agrees with epubcheck on what an entry
could once put into the book: each break is put into the demo package by hand, and both our
`verify` (GL605) and epubcheck (a real message) must find it. The unbroken package passes both
(test_epub.py)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import DEMO
from PIL import Image
from test_epub import Package, epubcheck

from pipeline import diagnostics as dg
from pipeline import read_book
from pipeline.formats.epub.package import zip_bytes
from pipeline.formats.epub.verify import verify

DOC = "EPUB/letters/a.xhtml"
NAV = "EPUB/nav.xhtml"
SVG = "EPUB/images/images/diffie-hellman.svg"
COVER = "EPUB/images/cover.png"


def _in_body(markup: bytes) -> Callable[[dict[str, bytes]], None]:
    def change(entries: dict[str, bytes]) -> None:
        entries[DOC] = entries[DOC].replace(b"</body>", markup + b"</body>", 1)
    return change


def _jpeg_as_cover(entries: dict[str, bytes]) -> None:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(out, "JPEG")
    entries[COVER] = out.getvalue()


def _svg_handler(entries: dict[str, bytes]) -> None:
    entries[SVG] = entries[SVG].replace(b"<svg ", b'<svg onload="x()" ', 1)


def _empty_nav_entry(entries: dict[str, bytes]) -> None:
    nav = entries[NAV].decode("utf-8")
    start = nav.index('epub:type="toc"')
    at = nav.index("<a ", start)
    text_start, text_end = nav.index(">", at) + 1, nav.index("</a>", at)
    entries[NAV] = (nav[:text_start] + " " + nav[text_end:]).encode("utf-8")


BREAKS: dict[str, tuple[Callable[[dict[str, bytes]], None], str]] = {
    "link-in-link": (_in_body(b'<p><a href="nav.xhtml">a <a href="nav.xhtml">b</a></a></p>'),
                     "link inside a link"),
    "event-handler": (_in_body(b'<p onclick="x()">x</p>'), "event handler (onclick on <p>)"),
    "script": (_in_body(b"<script>x()</script>"), "has a <script> element"),
    "remote-image": (_in_body(b'<p><img src="http://127.0.0.1:9/x.png" alt="x"/></p>'),
                     "refers to http://127.0.0.1:9/x.png"),
    "mislabelled-image": (_jpeg_as_cover, "cover.png (image/png) is a JPEG file"),
    "svg-handler": (_svg_handler, "has an event handler (onload on <svg>)"),
    "empty-contents-entry": (_empty_nav_entry, "contents entry without text"),
}


@pytest.fixture(scope="module")
def demo_entries(demo_outputs: Callable[[str], Path]) -> dict[str, bytes]:
    return Package(demo_outputs("epub")).entries


@pytest.fixture(scope="module")
def broken(demo_entries: dict[str, bytes]) -> dict[str, dict[str, bytes]]:
    out = {}
    for name, (change, _) in BREAKS.items():
        entries = dict(demo_entries)
        change(entries)
        assert entries != demo_entries, name
        out[name] = entries
    return out


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_verify_reports_the_break_as_gl605(name: str, broken: dict[str, dict[str, bytes]]) -> None:
    report = dg.Report()
    verify(broken[name], read_book(DEMO, dg.Report()), report)
    invalid = [d.message for d in report if d.code == dg.OUTPUT_INVALID]
    assert any(BREAKS[name][1] in m for m in invalid), invalid


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BREAKS))
def test_epubcheck_rejects_the_same_break(name: str, broken: dict[str, dict[str, bytes]],
                                          tmp_path: Path) -> None:
    path = tmp_path / f"{name}.epub"
    path.write_bytes(zip_bytes(broken[name], dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
    messages = epubcheck(path)["messages"]
    assert messages, f"epubcheck accepts {name}: the rule in rules.py is not one of epubcheck's"
