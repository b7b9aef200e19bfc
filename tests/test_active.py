"""The check of finished pages (`formats/common/active.py`): the site's crawl and the EPUB's
verify both report anything that runs or fetches, and let the templates' own files be."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from pipeline.formats.common.active import active_content
from pipeline.formats.common.xml import parse_html
from pipeline.formats.html.check import check_site

HEAD = ('<head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="x">'
        '<link rel="stylesheet" href="../assets/site.css"><link rel="icon" href="../assets/f.svg">'
        '<script src="../assets/search.js" defer></script></head>')


def _page(body: str) -> str:
    return f"<!DOCTYPE html><html>{HEAD}<body><main>{body}</main></body></html>"


@pytest.mark.parametrize("body, problem", [
    ('<p onclick="x()">p</p>', "event handler (onclick on <p>)"),
    ("<script>x()</script>", "has a <script> element"),
    ('<script src="https://cdn.example/x.js"></script>', "has a <script> element"),
    ('<iframe src="a.html"></iframe>', "has a <iframe> element"),
    ('<img src="https://example.org/t.png" alt="">', "refers to https://example.org/t.png"),
    ('<img src="//example.org/t.png" alt="">', "refers to //example.org/t.png"),
    ('<a href="java\tscript:x()">a</a>', "refers to java\tscript:x()"),
    ('<img src="a.png" srcset="b.png 2x" alt="">', "refers to b.png 2x"),
    ('<span style="background: url(x.png)">s</span>', "style that loads something"),
    ('<meta http-equiv="refresh" content="0;url=https://example.org/">', "has a <meta> element"),
    ('<link rel="stylesheet" href="https://example.org/x.css">', "has a <link> element"),
])
def test_active_content_is_found(body: str, problem: str) -> None:
    found = [p for _, p in active_content(parse_html(_page(body).encode()), own_scripts=True)]
    assert any(problem in p for p in found), found


def test_the_templates_own_files_and_a_plain_page_pass() -> None:
    page = _page('<p><a href="https://example.org/">web</a> <img src="../media/a.png" alt="a"> '
                 '<input type="search"></p>')
    assert list(active_content(parse_html(page.encode()), own_scripts=True)) == []
    assert [p for _, p in active_content(parse_html(page.encode()), own_scripts=False)] == [
        "has a <script> element"]  # the EPUB declares no scripts at all


def test_the_site_check_reports_active_pages(tmp_path: Path) -> None:
    (tmp_path / "terms").mkdir()
    (tmp_path / "assets").mkdir()
    for name in ("site.css", "f.svg", "search.js"):
        (tmp_path / "assets" / name).write_text("", encoding="utf-8")
    (tmp_path / "terms" / "A.html").write_text(_page('<p onmouseover="x()">a</p>'), encoding="utf-8")
    (tmp_path / "terms" / "B.html").write_text(_page("<p>b</p>"), encoding="utf-8")
    found = check_site(tmp_path)
    assert [(d.page, d.active) for d in found] == [("terms/A.html", True)]
    assert "onmouseover" in found[0].reason


def test_xhtml_is_checked_by_local_name_and_a_link_in_a_link_is_found() -> None:
    """In XML a link can hold a link (an HTML parser would have closed the first)."""
    root = etree.fromstring(b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title>'
                            b'</head><body><object data="x.swf"/><p><a href="#a">a <a href="#b">'
                            b'b</a></a></p></body></html>')
    assert [p for _, p in active_content(root, own_scripts=False)] == [
        "has a <object> element", "has a link inside a link"]
