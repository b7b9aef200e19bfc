"""The texts of the definition previews (`assets/preview.js`): per term page, its title,
tagline and first sentence, as a script assigning a global (fetch() is refused on file://).
The browser inserts them as text (`textContent`), never as HTML."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...model import Book
    from .pages import SiteLinks
    from .search import Analysed

PREVIEW_DATA = "preview-data.js"
PREVIEW_GLOBAL = "GLOSSARY_PREVIEW"


def preview_script(book: Book, links: SiteLinks, records: list[Analysed]) -> str:
    data = {links.page(t.id): [t.title_text, found.tagline, found.summary]
            for t, found in zip(book.terms, records, strict=True)}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":  # inert even inlined into a <script> (see search.py)
        text = text.replace(char, f"\\u{ord(char):04x}")
    return (f"/* generated: title, tagline and first sentence of every term (see preview.js) */\n"
            f"window.{PREVIEW_GLOBAL} = {text};\n")
