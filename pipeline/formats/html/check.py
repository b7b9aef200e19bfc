"""The site's own checks: every local href/src must name an existing file and fragment, and no
page may hold anything that runs or fetches (`common.active`) besides the templates' own files.

Run on the finished site before it replaces the previous one, so a dead link (GL603) or active
content (GL605) is reported with the entry that caused it instead of being found by a visitor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import lxml.html

from ...cache import Cache
from ..common.active import active_content
from ..common.linkcheck import NO_FILE, NO_FRAGMENT, OUTSIDE, Output, is_external
from ..common.xml import parse_html

_URL_XPATH = "//a/@href | //link/@href | //*/@src"


@dataclass(frozen=True)
class DeadLink:
    page: str  # site-relative page the link is on
    url: str  # as written
    reason: str
    active: bool = False  # not a dead link: something that runs or fetches (`reason` says what)


def _read(path: Path, cache: Cache) -> tuple[set[str], list[str], list[str]]:
    """A page's ids, URLs and active content, parsed or from the cache (keyed by its bytes)."""
    data = path.read_bytes()
    key = cache.key("site-links", data)
    stored = cache.get_json("site-links", key)
    if isinstance(stored, list) and len(stored) == 3:
        return set(stored[0]), list(stored[1]), list(stored[2])
    doc = parse_html(data)
    ids, urls = anchors(doc), [str(u) for u in doc.xpath(_URL_XPATH)]
    problems = [problem for _, problem in active_content(doc, own_scripts=True)]
    cache.put_json("site-links", key, [sorted(ids), urls, problems])
    return ids, urls, problems


def anchors(doc: lxml.html.HtmlElement) -> set[str]:
    """Every fragment a URL may point at on a page: ids and <a name>."""
    return {str(v) for v in doc.xpath("//@id | //a/@name")}


def check_site(site: Path, cache: Cache | None = None) -> list[DeadLink]:
    """Dead local links and active content of every HTML page under `site`, in page order
    (a `DeadLink` with `active` set is the latter). A page is parsed once per content (what it
    holds is kept in the cache, if there is one)."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    found = {page: _read(site / page, cache or Cache(None)) for page in pages}
    active = [DeadLink(page, "", problem, active=True) for page, (_, _, problems) in found.items()
              for problem in problems]
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    output = Output(files, {page: ids for page, (ids, _, _) in found.items()})
    dead: list[DeadLink] = []
    for page, (_, urls, _) in found.items():
        for url in urls:
            if not url or is_external(url):
                continue
            target = output.follow(page, url)
            reason = {OUTSIDE: "points outside the site", NO_FILE: "no such file",
                      NO_FRAGMENT: f"no element with id {target.fragment!r} in {target.file}"
                      }.get(target.problem, "")
            if reason:
                dead.append(DeadLink(page, url, reason))
    return active + dead
