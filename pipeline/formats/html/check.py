"""The site's own link check: every local href/src must name an existing file and fragment.

Run on the finished site before it replaces the previous one, so a dead link is reported
(GL603) with the entry that caused it instead of being found by a visitor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import lxml.html

from ...cache import Cache
from ..common.linkcheck import NO_FILE, NO_FRAGMENT, OUTSIDE, Output, is_external
from ..common.xml import parse_html

_URL_XPATH = "//a/@href | //link/@href | //*/@src"


@dataclass(frozen=True)
class DeadLink:
    page: str  # site-relative page the link is on
    url: str  # as written
    reason: str


def _read(path: Path, cache: Cache) -> tuple[set[str], list[str]]:
    """A page's ids and local-looking URLs, parsed or from the cache (keyed by its bytes)."""
    data = path.read_bytes()
    key = cache.key("site-links", data)
    stored = cache.get_json("site-links", key)
    if isinstance(stored, list) and len(stored) == 2:
        return set(stored[0]), list(stored[1])
    doc = parse_html(data)
    ids, urls = anchors(doc), [str(u) for u in doc.xpath(_URL_XPATH)]
    cache.put_json("site-links", key, [sorted(ids), urls])
    return ids, urls


def anchors(doc: lxml.html.HtmlElement) -> set[str]:
    """Every fragment a URL may point at on a page: ids and <a name>."""
    return {str(v) for v in doc.xpath("//@id | //a/@name")}


def check_site(site: Path, cache: Cache | None = None) -> list[DeadLink]:
    """Dead local links of every HTML page under `site`, in page order. A page's ids and URLs
    are read once per content (kept in the cache, if there is one)."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    found = {page: _read(site / page, cache or Cache(None)) for page in pages}
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    output = Output(files, {page: ids for page, (ids, _) in found.items()})
    dead: list[DeadLink] = []
    for page, (_, urls) in found.items():
        for url in urls:
            if not url or is_external(url):
                continue
            target = output.follow(page, url)
            reason = {OUTSIDE: "points outside the site", NO_FILE: "no such file",
                      NO_FRAGMENT: f"no element with id {target.fragment!r} in {target.file}"
                      }.get(target.problem, "")
            if reason:
                dead.append(DeadLink(page, url, reason))
    return dead
