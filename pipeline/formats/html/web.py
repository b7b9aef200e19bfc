"""What a published site owes the web besides its pages: pages under former ids that forward to
the entry (so links to a renamed entry keep working), and a sitemap for search engines.

A former id is kept as an alias (`aliases="Rijndael"` on the entry now called AES): every alias
that could have been an id (letters, digits, `-`, `.` and `_`, as `Öffentlicher-Schlüssel` or
`Leonardo.ai`) gets a page at the name that id's page had, unless a real page or an earlier
alias holds that name (compared without case, as on macOS/Windows).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.sax.saxutils import escape

from ...model import Book, Term
from ..common.pagenames import page_names, site_url
from .pages import INDEX_PAGE, START_PAGE, SiteLinks

_FORMER_ID = re.compile(r"^[^\W_][\w.-]*$")


def redirects(book: Book, links: SiteLinks) -> list[tuple[str, Term]]:
    """(site path, term it forwards to) for every alias that names a free page."""
    taken = {links.page(t.id).casefold() for t in book.terms}
    out: list[tuple[str, Term]] = []
    for term in book.terms:
        for alias in term.aliases:
            if not _FORMER_ID.match(alias) or book.owner(alias) is not None:
                continue
            page = links.page_of_name(page_names([alias])[alias])
            if page.casefold() in taken:
                continue
            taken.add(page.casefold())
            out.append((page, term))
    return out


def sitemap(book: Book, pages: Iterable[str]) -> str:
    """sitemap.xml (sitemaps.org 0.9) of the given site paths under `base-url`, dated by the book."""
    base = book.config.base_url
    lastmod = f"<lastmod>{book.config.date}</lastmod>" if book.config.date else ""
    urls = "".join(f"<url><loc>{escape(site_url(base, p))}</loc>{lastmod}</url>\n" for p in pages)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n")


def listed_pages(book: Book, links: SiteLinks) -> list[str]:
    """The pages a sitemap lists: start page, index, every term and front/back matter page (not
    the 404 or forwarding pages)."""
    return [START_PAGE, INDEX_PAGE, *(links.page(t.id) for t in book.terms),
            *(links.page(p.id) for p in book.pages)]
