"""Links written as raw HTML (`<a href="#Id">…</a>`) become ordinary pandoc links.

Glossaries converted from HTML or Word keep such anchors. pandoc reads them as a pair of raw
HTML inlines around the label, which no writer but HTML understands and no resolver sees: the
PDF, EPUB and site would carry a link nobody checked, DOCX would drop it. Turned into `Link`
nodes right after parsing, they are resolved, reported and published like `[label](#Id)`.

Only a pair within one list of inlines is converted (the way pandoc hands them over); an `<a>`
without an href (a named anchor), without its `</a>`, or one spanning paragraphs stays raw HTML.
"""

from __future__ import annotations

import html
import re
from typing import Any

from ..pandoc_ast import Link, Node, attr

_OPEN = re.compile(r"^<a\s[^>]*>$", re.IGNORECASE | re.DOTALL)
_CLOSE = re.compile(r"^</a\s*>$", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")


def href_of(tag: str) -> str | None:
    """The href of an opening `<a …>` tag, unescaped; None for anything else."""
    return _attributes(tag).get("href") if _OPEN.match(tag.strip()) else None


def convert(node: Any) -> Any:
    """The AST with every raw-HTML anchor pair turned into a Link (new lists; input untouched)."""
    if isinstance(node, list):
        items = [convert(x) for x in node]
        return _pairs(items) if any(_is_raw(x, _OPEN) for x in items) else items
    if isinstance(node, dict):
        return {k: convert(v) for k, v in node.items()}
    return node


def _pairs(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    i = 0
    while i < len(items):
        item = items[i]
        close = _closing(items, i) if _is_raw(item, _OPEN) and href_of(item["c"][1]) else None
        if close is None:
            out.append(item)
            i += 1
            continue
        out.append(_link(item["c"][1], items[i + 1:close]))
        i = close + 1
    return out


def _closing(items: list[Any], start: int) -> int | None:
    for j in range(start + 1, len(items)):
        if _is_raw(items[j], _OPEN):
            return None  # nested anchors are not HTML; leave them as they are
        if _is_raw(items[j], _CLOSE):
            return j
    return None


def _link(tag: str, label: list[Node]) -> Node:
    found = _attributes(tag)
    href = found.pop("href", "")
    title = found.pop("title", "")
    ident = found.pop("id", "")
    classes = found.pop("class", "").split()
    return Link(attr(ident, classes, found), label, href, title)


def _attributes(tag: str) -> dict[str, str]:
    return {m[1].lower(): html.unescape(m[2] if m[2] is not None else m[3] if m[3] is not None else m[4])
            for m in _ATTR.finditer(tag)}


def _is_raw(node: Any, pattern: re.Pattern[str]) -> bool:
    return (isinstance(node, dict) and node.get("t") == "RawInline"
            and node["c"][0] == "html" and bool(pattern.match(node["c"][1].strip())))
