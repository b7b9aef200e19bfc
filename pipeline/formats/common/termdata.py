"""What the data formats (json, skos) say about each term besides its text: its site address,
and its HTML with links and images pointing where the site publishes them.

The addresses are those of the site the same book builds (`formats.common.pagenames`): absolute
under `base-url` when book.toml has one, else relative to the site's root folder.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ...model import INDEX_ID, Book, Term
from .fragments import retarget
from .images import image_problem
from .media import WEB_IMAGE_TYPES
from .pagenames import (
    INDEX_PAGE,
    MEDIA_DIR,
    START_PAGE,
    fragment,
    matter_page,
    page_names,
    site_url,
    term_page,
)

_SRC = re.compile(r'<img\b([^>]*?)\bsrc="([^"]*)"([^>]*)>', re.IGNORECASE)
_ALT = re.compile(r'\balt="([^"]*)"', re.IGNORECASE)


@dataclass(frozen=True)
class SiteAddresses:
    """Each term's page on the site, as an address to publish."""

    book: Book
    names: Mapping[str, str]  # term id -> page file stem
    matter: Mapping[str, str]  # front/back matter page id -> page file stem

    @classmethod
    def of(cls, book: Book) -> SiteAddresses:
        return cls(book, page_names(t.id for t in book.terms), page_names(p.id for p in book.pages))

    def path(self, term_id: str, anchor: str = "") -> str:
        """The site path of a term's page (or a matter page's, or the index), with the anchor."""
        if term_id == INDEX_ID:
            page = INDEX_PAGE
        elif term_id in self.matter:
            page = matter_page(self.matter[term_id])
        else:
            page = term_page(self.names[term_id])
        return page + (fragment(anchor) if anchor and anchor != term_id else "")

    def url(self, term_id: str, anchor: str = "") -> str:
        base = self.book.config.base_url
        return base + self.path(term_id, anchor) if base else self.path(term_id, anchor)

    def start(self) -> str:
        """The site's start page: `base-url` itself, or `index.html`."""
        return self.book.config.base_url or START_PAGE

    def html(self, fragment_html: str, term: Term) -> str:
        """A fragment with its `xref:` links as site addresses and its images as the site's copies
        (an image no format may publish is its alt text, as on the site)."""
        out = retarget(fragment_html, self.url)

        def image(m: re.Match[str]) -> str:
            resource = self.book.resource(term, html.unescape(m.group(2)))
            if (resource.path is None or resource.media_type not in WEB_IMAGE_TYPES
                    or image_problem(resource.path, resource.media_type)):
                alt = _ALT.search(m.group(0))
                return f'<span class="missing-media">{alt.group(1) if alt else ""}</span>'
            src = site_url(self.book.config.base_url, f"{MEDIA_DIR}/{resource.name}")
            return f'<img{m.group(1)}src="{html.escape(src, quote=True)}"{m.group(3)}>'

        return _SRC.sub(image, out)
