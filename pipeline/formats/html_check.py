"""The site's own link check: every local href/src must name an existing file and fragment.

Run on the finished site before it replaces the previous one, so a dead link is reported
(GL603) with the entry that caused it instead of being found by a visitor.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html

_EXTERNAL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")
_URL_XPATH = "//a/@href | //link/@href | //*/@src"


@dataclass(frozen=True)
class DeadLink:
    page: str  # site-relative page the link is on
    url: str  # as written
    reason: str


def _parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes(), parser=lxml.html.HTMLParser(huge_tree=True))


def anchors(doc: lxml.html.HtmlElement) -> set[str]:
    """Every fragment a URL may point at on a page: ids and <a name>."""
    return {str(v) for v in doc.xpath("//@id | //a/@name")}


def check_site(site: Path) -> list[DeadLink]:
    """Dead local links of every HTML page under `site`, in page order."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    docs = {page: _parse(site / page) for page in pages}
    ids = {page: anchors(doc) for page, doc in docs.items()}
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    dead: list[DeadLink] = []
    for page, doc in docs.items():
        for url in doc.xpath(_URL_XPATH):
            problem = _problem(files, page, str(url), ids)
            if problem:
                dead.append(DeadLink(page, str(url), problem))
    return dead


def _problem(files: set[str], page: str, url: str, ids: dict[str, set[str]]) -> str:
    if not url or _EXTERNAL.match(url):
        return ""
    parts = urlsplit(url)
    target = page if not parts.path else posixpath.normpath(
        posixpath.join(posixpath.dirname(page), unquote(parts.path)))
    if target.startswith("../") or target == "..":
        return "points outside the site"
    if target not in files:
        return "no such file"
    fragment = unquote(parts.fragment)
    if fragment and target in ids and fragment not in ids[target]:
        return f"no element with id {fragment!r} in {target}"
    return ""
