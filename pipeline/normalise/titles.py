"""A term's heading is text: links and footnotes in it are taken out (GL404).

The title is printed where a link cannot be: inside the links of contents, index, back-references
and search hits (a link in a link is no valid HTML, and the EPUB fails its check), in PDF
bookmarks and DOCX properties. So a link in a heading keeps only its text, and a footnote
moves to the end of the term's first paragraph below the taglines, where it still is the
term's note.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from .. import diagnostics as dg
from ..pandoc_ast import Node, Para, is_tagline, stringify, walk

if TYPE_CHECKING:
    from .sources import RawTerm

HINT = "write the heading as plain text; put links and notes into the definition"
_BLANK = frozenset({"\u2800", "\u3164", "\uffa0", "\u115f", "\u1160"})  # letters that show nothing


def visible(text: str) -> bool:
    """Whether a title shows anything: not only spaces, format characters (zero-width space,
    soft hyphen) or blank letters (Braille blank, Hangul filler)."""
    return any(not (c.isspace() or unicodedata.category(c) in ("Cf", "Cc", "Zs") or c in _BLANK)
               for c in text)


def plain_title(term: RawTerm, report: dg.Report) -> None:
    """Unwrap links and move footnotes out of `term.title` (in place); report what moved."""
    notes: list[Node] = []
    links: list[str] = []

    def visit(node: Node) -> Node | list[Node] | None:
        if node["t"] == "Link":
            links.append(stringify(node["c"][1]).strip())
            return list(node["c"][1])
        if node["t"] == "Note":
            notes.append(node)
            return []
        return None

    title = walk(list(term.title), visit)
    if not links and not notes:
        return
    term.title = title
    if notes:
        _attach(term.blocks, notes)
    shown = stringify(title).strip() or term.id
    parts = ([f"link „{'“, „'.join(links)}“ printed as text"] if links else []) + (
        [f"{len(notes)} footnote(s) moved to its first paragraph"] if notes else [])
    report.add(dg.make(dg.TITLE_MARKUP, term.file, term.line, term.column,
                       f"the heading of „{shown}“ holds markup a title cannot carry: "
                       + "; ".join(parts), HINT))


def _attach(blocks: list[Node], notes: list[Node]) -> None:
    for block in blocks:
        if block["t"] in ("Para", "Plain") and not is_tagline(block):
            block["c"] = [*block["c"], *notes]
            return
    at = next((i for i, b in enumerate(blocks) if not is_tagline(b)), len(blocks))
    blocks.insert(at, Para(list(notes)))
