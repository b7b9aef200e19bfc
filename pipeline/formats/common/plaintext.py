"""A term as plain text: what the site's previews and search, and the data formats, publish.

`pandoc_ast.stringify` runs inline text together; here every block (a paragraph, a list item, a
table cell, a line of code) is its own line, so sentences and words of neighbouring blocks stay
apart. Footnotes are left out, as in the running text a reader sees.
"""

from __future__ import annotations

import re
from typing import Any

from ...model import Term
from ...pandoc_ast import Node, stringify

_LEAF_BLOCKS = frozenset({"Para", "Plain", "Header"})
_SPACES = re.compile(r"[ \t\u00a0]+")
# The end of a sentence: . ! ? (or …), optional closing quotes or brackets, white space, and the
# start of the next one (a capital, a digit or an opening quote).
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'»«“”‘’)\]]*\s+(?=[„\"'«»“‘(\[]?[A-ZÄÖÜ0-9])")
# Abbreviations after which a full stop does not end the sentence (German and English).
_ABBREVIATIONS = frozenset({
    "z.b", "u.a", "d.h", "s.o", "s.u", "bzw", "ca", "etc", "vgl", "ggf", "usw", "evtl", "inkl", "bspw",
    "sog", "dt", "engl", "lat", "griech", "nr", "abb", "bd", "jh", "jhd", "chr", "hrsg", "dr", "prof",
    "st", "mio", "mrd", "e.g", "i.e", "cf", "vs", "approx", "fig", "no", "mr", "mrs", "ms"})
PREVIEW_CHARS = 240


def blocks_text(blocks: Any) -> str:
    """Plain text of pandoc blocks, one line per leaf block (paragraph, item, cell, code line)."""
    lines: list[str] = []
    _blocks(blocks, lines)
    return "\n".join(line for line in (_clean(x) for x in lines) if line)


def _blocks(node: Any, out: list[str]) -> None:
    if isinstance(node, list):
        for child in node:
            _blocks(child, out)
        return
    if not isinstance(node, dict):
        return
    t: Any = node.get("t")
    c: Any = node.get("c")
    if t in _LEAF_BLOCKS:
        out.append(stringify(node))
    elif t == "CodeBlock":
        out.extend(c[1].splitlines())
    elif t == "LineBlock":
        out.extend(stringify(line) for line in c)
    elif t in ("RawBlock", "HorizontalRule", "Null"):
        return
    elif t == "Figure":
        _blocks(c[2], out)
        _blocks(c[1][1], out)  # the caption after the picture
    elif t == "Table":
        _table(c, out)
    elif t == "DefinitionList":
        for term, definitions in c:
            out.append(stringify(term))
            _blocks(definitions, out)
    elif t in ("Div", "BlockQuote", "BulletList", "OrderedList"):
        _blocks(c[1] if t in ("Div", "OrderedList") else c, out)


def _table(c: list[Any], out: list[str]) -> None:
    """Caption, head, bodies and foot of a pandoc ≥ 2.10 table, one line per cell."""
    _blocks(c[1][1], out)
    rows: list[Any] = list(c[3][1])
    for body in c[4]:
        rows += body[2] + body[3]
    rows += c[5][1]
    for row in rows:
        for cell in row[1]:
            _blocks(cell[4], out)


def _clean(line: str) -> str:
    return _SPACES.sub(" ", line).strip()


def inline_text(inlines: tuple[Node, ...] | list[Node]) -> str:
    return _clean(stringify(list(inlines)))


def first_sentence(text: str, limit: int = PREVIEW_CHARS) -> str:
    """The first sentence of `text` (its first line at most), cut at a word to `limit` characters
    with an ellipsis."""
    line = text.split("\n", 1)[0]
    for m in _SENTENCE_END.finditer(line):
        before = line[:m.start()].rsplit(None, 1)[-1].rstrip(".").lower() if line[:m.start()] else ""
        if before not in _ABBREVIATIONS and not (len(before) == 1 and before.isalpha()):
            line = line[:m.start()]
            break
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return cut + " …"


def definition_text(term: Term) -> str:
    return blocks_text(list(term.definition))


def term_text(term: Term) -> str:
    """Everything a reader reads on the term's page below its head: definition, then each
    section's title and text."""
    parts = [definition_text(term)]
    for section in term.sections:
        parts += [inline_text(section.title), blocks_text(list(section.blocks))]
    return "\n".join(p for p in parts if p)


def tagline(term: Term) -> str:
    """All taglines as one line (as the site's lists and `<meta name=description>` show them)."""
    return " · ".join(inline_text(t) for t in term.taglines)


def summary(term: Term) -> str:
    """One line about the term for a preview or a page description: its first sentence."""
    return first_sentence(definition_text(term))
