"""The running text of a term, as the mention search reads it: prose only.

Taglines, the definition and the sections' paragraphs, list items, table cells and quotes are
prose; headings, code, math, raw HTML, images, footnotes, links (resolved or broken) and
self-links are not — each becomes a break (`SKIP`) that no name may span. One string per
block, in document order; the locator counts occurrences over the same strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..model import BROKEN_CLASS, SELF_CLASS, Term
from ..pandoc_ast import Node

SKIP = "\x00"  # stands for text that is not prose (in the AST and, masked, in the source)
_INLINE_CONTAINERS = frozenset({
    "Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps",
})
_NOT_PROSE = frozenset({"Link", "Image", "Code", "Math", "RawInline", "Note", "Cite"})
_QUOTES = {"DoubleQuote": '"', "SingleQuote": "'"}


def term_prose(term: Term) -> list[str]:
    """The prose of a term's taglines, definition and sections (not their titles)."""
    runs = [_inline_text(list(t)) for t in term.taglines]
    for block in (*term.definition, *(b for s in term.sections for b in s.blocks)):
        runs.extend(block_prose(block))
    return [r for r in runs if r.strip(SKIP + " ")]


def block_prose(block: Node) -> list[str]:
    t: str = block["t"]
    c: Any = block.get("c")
    if t in ("Para", "Plain"):
        return [_inline_text(c)]
    if t == "LineBlock":
        return [_inline_text(line) for line in c]
    if t == "BlockQuote":
        return _blocks(c)
    if t == "Div":
        return _blocks(c[1])
    if t == "BulletList":
        return [r for item in c for r in _blocks(item)]
    if t == "OrderedList":
        return [r for item in c[1] for r in _blocks(item)]
    if t == "DefinitionList":
        return [r for term, defs in c for r in [_inline_text(term), *(x for d in defs for x in _blocks(d))]]
    if t == "Table":
        return _table(c)
    if t == "Figure":
        return _blocks(c[2])
    return []  # Header, CodeBlock, RawBlock, HorizontalRule, Null


def _blocks(blocks: Iterable[Node]) -> list[str]:
    return [r for b in blocks for r in block_prose(b)]


def _table(c: Any) -> list[str]:
    """Cells row by row: head, bodies (intermediate head and rows), foot — pandoc's order."""
    _attr, _caption, _specs, head, bodies, foot = c
    rows = [*head[1]]
    for body in bodies:
        rows.extend([*body[2], *body[3]])
    rows.extend(foot[1])
    return [r for row in rows for cell in row[1] for r in _blocks(cell[4])]


def _inline_text(inlines: list[Node]) -> str:
    parts: list[str] = []
    _inlines(inlines, parts)
    return "".join(parts)


def _inlines(inlines: Iterable[Node], out: list[str]) -> None:
    for node in inlines:
        t = node["t"]
        if t == "Str":
            out.append(node["c"])
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t in _INLINE_CONTAINERS:
            _inlines(node["c"], out)
        elif t == "Quoted":
            mark = _QUOTES.get(node["c"][0]["t"], '"')
            out.append(mark)
            _inlines(node["c"][1], out)
            out.append(mark)
        elif t == "Span":
            if {BROKEN_CLASS, SELF_CLASS} & set(node["c"][0][1]):
                out.append(SKIP)
            else:
                _inlines(node["c"][1], out)
        elif t in _NOT_PROSE:
            out.append(SKIP)
