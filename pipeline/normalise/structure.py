"""Cutting one term's blocks into tagline, definition, sections and see-also list."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..model import (
    BROKEN_CLASS,
    INDEX_ID,
    KNOWN_SECTION_CLASSES,
    SEEALSO,
    SELF_CLASS,
    Section,
    SeeAlso,
    anchor,
    xref_target,
)
from ..pandoc_ast import Node, is_tagline, iter_nodes, stringify, tagline_inlines


@dataclass
class Parts:
    taglines: list[list[Node]]
    definition: list[Node]
    sections: list[Section]
    see_also: list[SeeAlso]
    links_index: bool
    seealso_not_last: bool
    seealso_text: list[str]  # see-also items that are no link at all


def slug(text: str) -> str:
    """pandoc-like identifier from a heading's text (letters, digits, - and _; spaces to -)."""
    text = unicodedata.normalize("NFC", text.strip())
    text = re.sub(r"[^\w\s.-]", "", text)
    return re.sub(r"\s+", "-", text).strip("-") or "section"


def term_id_from_title(title: str) -> str:
    """The id an author would most likely have written: words joined by hyphens, case kept."""
    return slug(title)


def local_anchors(term_id: str, blocks: list[Node]) -> dict[str, str]:
    """Heading ids written inside a term -> the unique anchor they get (`Term--id`)."""
    return {b["c"][1][0]: anchor(term_id, b["c"][1][0])
            for b in blocks if b["t"] == "Header" and b["c"][1][0]}


_ATTR_FIRST = frozenset({"Span", "Div", "CodeBlock", "Table", "Figure", "Image", "Code"})


def prefix_id(term_id: str, node: Node) -> None:
    """Make an element id unique in the book by prefixing the term's id (in place)."""
    t = node["t"]
    a = node["c"][1] if t == "Header" else node["c"][0] if t in _ATTR_FIRST else None
    if a is not None and a[0]:
        a[0] = anchor(term_id, a[0])


def split(term_id: str, level: int, blocks: list[Node]) -> Parts:
    """Tagline(s), definition, sections (relative levels) and the structured see-also list.

    Expects ids already made unique (`prefix_id`) and links already resolved."""
    blocks = _strip_rules(blocks)
    taglines, rest = _taglines(blocks)
    first_header = next((i for i, b in enumerate(rest) if b["t"] == "Header"), len(rest))
    definition = _strip_rules(rest[:first_header])
    sections = _sections(term_id, level, rest[first_header:])
    see_also: list[SeeAlso] = []
    loose: list[str] = []
    links_index = False
    kinds = [s.kind for s in sections]
    for s in sections:
        if s.kind == SEEALSO:
            items, has_index, text = _see_also_items(list(s.blocks))
            see_also.extend(items)
            loose.extend(text)
            links_index = links_index or has_index
    not_last = SEEALSO in kinds and kinds[-1] != SEEALSO
    body_sections = [s for s in sections if s.kind != SEEALSO]
    return Parts(taglines, definition, body_sections, see_also, links_index, not_last, loose)


def _strip_rules(blocks: list[Node]) -> list[Node]:
    """Drop `----` separators and empty blocks at the ends (they separate entries in the source)."""
    start, end = 0, len(blocks)
    while start < end and blocks[start]["t"] in ("HorizontalRule", "Null"):
        start += 1
    while end > start and blocks[end - 1]["t"] in ("HorizontalRule", "Null"):
        end -= 1
    return blocks[start:end]


def _taglines(blocks: list[Node]) -> tuple[list[list[Node]], list[Node]]:
    if not blocks:
        return [], blocks
    first = blocks[0]
    if is_tagline(first):
        return [tagline_inlines(first)], blocks[1:]
    if first["t"] == "BulletList" and all(
        len(item) == 1 and is_tagline(item[0]) for item in first["c"]
    ):
        return [tagline_inlines(item[0]) for item in first["c"]], blocks[1:]
    return [], blocks


def _sections(term_id: str, level: int, blocks: list[Node]) -> list[Section]:
    sections: list[Section] = []
    top = min((b["c"][0] for b in blocks if b["t"] == "Header"), default=level + 1)
    used: set[str] = set()
    for block in blocks:
        if block["t"] == "Header" and block["c"][0] <= top:
            _, (ident, classes, _kvs), inlines = block["c"]
            ident = ident or anchor(term_id, slug(stringify(inlines)).lower())
            while ident in used:
                ident += "-1"
            used.add(ident)
            sections.append(Section(ident, _kind(classes), tuple(inlines), ()))
        elif sections:
            s = sections[-1]
            sections[-1] = Section(s.id, s.kind, s.title, (*s.blocks, _relevel(block, top)))
    return [Section(s.id, s.kind, s.title, tuple(_strip_rules(list(s.blocks)))) for s in sections]


def _relevel(block: Node, top: int) -> Node:
    """Headings inside a section get levels relative to the section (2 = first level below)."""
    if block["t"] != "Header":
        return block
    level, a, inlines = block["c"]
    return {"t": "Header", "c": [max(2, level - top + 1), a, inlines]}


def _kind(classes: list[str]) -> str:
    known = [c for c in classes if c in KNOWN_SECTION_CLASSES and c not in ("unnumbered", "unlisted")]
    if known:
        return known[0]
    return classes[0] if classes else "section"


def _see_also_items(blocks: list[Node]) -> tuple[list[SeeAlso], bool, list[str]]:
    """The list's items in order, whether it links the index, and any text that is no link.

    A term link is an item; a broken one stays an item (printed as text); a link to the web is
    an item printed as that link. Words between separators that are no link at all are kept as
    an item too, and returned so the author hears of them (a mistyped link looks like that)."""
    items: list[SeeAlso] = []
    has_index = False
    loose: list[str] = []
    for group in _see_also_groups(blocks):
        found = False
        for node in iter_nodes(group):
            target = xref_target(node)
            if target is not None and target[0] == INDEX_ID:
                has_index = found = True
            elif target is not None:
                items.append(SeeAlso(target[0], tuple(node["c"][1]), stringify(node["c"][1])))
                found = True
            elif node.get("t") == "Span" and BROKEN_CLASS in node["c"][0][1]:
                wanted = next((v for k, v in node["c"][0][2] if k == "target"), "")
                items.append(SeeAlso(None, tuple(node["c"][1]), stringify(node["c"][1]), wanted))
                found = True
            elif node.get("t") == "Span" and SELF_CLASS in node["c"][0][1]:
                found = True  # the term itself (GL103): not a see-also of its own
            elif node.get("t") == "Link":  # a web link: printed as itself
                items.append(SeeAlso(None, (node,), stringify(node["c"][1])))
                found = True
        text = stringify(group).strip()
        if not found and text:
            items.append(SeeAlso(None, tuple(group), text))
            loose.append(text)
    return items, has_index, loose


_SEE_ALSO_SEPARATORS = frozenset({"|", "·", "•", ";", ","})


def _see_also_groups(blocks: list[Node]) -> list[list[Node]]:
    """The list's inlines cut at separators (`|`, `·`, list items, line ends of items)."""
    groups: list[list[Node]] = []
    for block in blocks:
        t = block.get("t")
        if t in ("Para", "Plain"):
            groups.append([])
            for node in block["c"]:
                if node.get("t") == "Str" and node["c"].strip() in _SEE_ALSO_SEPARATORS:
                    groups.append([])
                elif node.get("t") == "Str" and node["c"].rstrip().endswith("|"):
                    groups[-1].append({"t": "Str", "c": node["c"].rstrip()[:-1]})
                    groups.append([])
                else:
                    groups[-1].append(node)
        elif t in ("BulletList", "OrderedList"):
            for item in block["c"] if t == "BulletList" else block["c"][1]:
                groups.extend(_see_also_groups(item))
        elif t == "Div":
            groups.extend(_see_also_groups(block["c"][1]))
    return [g for g in groups if g]
