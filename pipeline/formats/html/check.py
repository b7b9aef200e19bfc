"""The site's own checks: every local href/src must name an existing file and fragment, and no
page may hold anything that runs or fetches (`common.active`) besides the templates' own files.

Run on the finished site before it replaces the previous one, so a dead link (GL603) or active
content (GL605) is reported with the entry that caused it instead of being found by a visitor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import lxml.html

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


def anchors(doc: lxml.html.HtmlElement) -> set[str]:
    """Every fragment a URL may point at on a page: ids and <a name>."""
    return {str(v) for v in doc.xpath("//@id | //a/@name")}


def check_site(site: Path) -> list[DeadLink]:
    """Dead local links and active content of every HTML page under `site`, in page order
    (a `DeadLink` with `active` set is the latter)."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    docs = {page: parse_html((site / page).read_bytes()) for page in pages}
    found = [DeadLink(page, "", problem, active=True) for page, doc in docs.items()
             for _, problem in active_content(doc, own_scripts=True)]
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    output = Output(files, {page: anchors(doc) for page, doc in docs.items()})
    dead: list[DeadLink] = []
    for page, doc in docs.items():
        for url in map(str, doc.xpath(_URL_XPATH)):
            if not url or is_external(url):
                continue
            target = output.follow(page, url)
            reason = {OUTSIDE: "points outside the site", NO_FILE: "no such file",
                      NO_FRAGMENT: f"no element with id {target.fragment!r} in {target.file}"
                      }.get(target.problem, "")
            if reason:
                dead.append(DeadLink(page, url, reason))
    return found + dead
