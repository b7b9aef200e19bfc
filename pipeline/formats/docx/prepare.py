"""The book's pandoc document made ready for pandoc's DOCX writer, in one pass.

- every id and `#…` link target renamed to a Word-valid bookmark name (`bookmarks`); a link to
  no id becomes plain text;
- a page reference (PAGEREF field) after every cross-reference (the index's too, as in the
  PDF), worded per language;
- paragraph styles of the reference document on taglines, see-also lists, back-references and
  the index (pandoc's `custom-style`);
- the index as styled lines `entry ........ page`, its letters as bookmarked paragraphs (so they
  stay out of the table of contents);
- images: the files the normaliser resolved (`images`, per term).

The pass edits its input in place: give it a private copy (`private_copy`), never the Book's nodes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...model import INDEX_ID, PAGE_CLASS, XREF_CLASS
from ...pandoc_ast import Div, Node, Para, Span, Str, attr, attr_of, iter_nodes, stringify, transform
from ..common.document import ALIASES
from . import ooxml as ox

TAGLINE_STYLE = "Tagline"
ALIASES_STYLE = "Aliases"
SEEALSO_STYLE = "See Also"
BACKREFS_STYLE = "Back References"
INDEX_LETTER_STYLE = "Index Letter"
INDEX_ENTRY_STYLE = "Index Entry"
PAGEREF_STYLE = "PageReference"  # character style id (pandoc ids are names without spaces)
_BLOCK_STYLES = {"tagline": TAGLINE_STYLE, "backrefs": BACKREFS_STYLE, ALIASES: ALIASES_STYLE}
SEPARATOR = "·"  # between see-also items, as in the PDF (the Markdown source's `|`)
Fixer = Callable[[Node], Node | None]


def description_only(node: Node) -> Node | None:
    """Outside a term there is no folder to resolve an image against: keep its text only."""
    return Span(attr(), node["c"][1]) if node["t"] == "Image" else None


@dataclass(frozen=True)
class Wording:
    """How a page reference reads: ` (→ S. 12)` in running text, ` (S. 12)` in lists."""

    in_text: tuple[str, str]
    in_list: tuple[str, str]


@dataclass
class _State:
    names: Mapping[str, str]  # id -> bookmark name
    wording: Wording
    images_for: Callable[[str], Fixer]  # term (or page) id -> its image fixer
    images: Fixer = description_only
    in_index: bool = False
    after_seealso_heading: bool = False
    seen: set[str] = field(default_factory=set)  # bookmark names given out
    dead: list[str] = field(default_factory=list)  # link targets that match no id
    out: list[Node] = field(default_factory=list)


def private_copy(node: Any) -> Any:
    """A deep copy (JSON round trip: an order of magnitude faster than copying in Python)."""
    return json.loads(json.dumps(node, ensure_ascii=False))


def element_ids(blocks: list[Node]) -> list[str]:
    """Every element id in document order (the bookmarks pandoc will write)."""
    out = []
    for node in iter_nodes(blocks):
        a = attr_of(node)
        if a is not None and a[0]:
            out.append(str(a[0]))
    return out


def prepared(blocks: list[Node], names: Mapping[str, str], wording: Wording,
             images_for: Callable[[str], Fixer], seen: Collection[str] = ()) -> tuple[list[Node], list[str]]:
    """The blocks for the DOCX writer, and the link targets that matched no id; `seen`: the
    bookmark names given out before these blocks (a part of the book prepared on its own)."""
    state = _State(names, wording, images_for, seen=set(seen))
    for block in blocks:
        _one_block(block, state)
    return state.out, state.dead


def _one_block(block: Node, state: _State) -> None:
    t = block["t"]
    if t == "Header":
        _header(block, state)
        return
    if state.in_index and t == "BulletList":
        state.out.append(_index_entries(_fixed(block, state, None)))
    elif state.after_seealso_heading and t == "Para":
        para = _fixed(_dotted(block), state, state.wording.in_list)
        state.out.append(Div(attr("", [], {"custom-style": SEEALSO_STYLE}), [para]))
    elif t == "Div" and set(block["c"][0][1]) & _BLOCK_STYLES.keys():
        kind = next(c for c in block["c"][0][1] if c in _BLOCK_STYLES)
        wording = state.wording.in_list if kind == "backrefs" else state.wording.in_text
        div = _fixed(block, state, wording)
        div["c"][0][2].append(["custom-style", _BLOCK_STYLES[kind]])
        state.out.append(div)
    else:
        state.out.append(_fixed(block, state, state.wording.in_text))
    state.after_seealso_heading = False


def _header(block: Node, state: _State) -> None:
    level, (ident, classes, _), _inl = block["c"]
    if ("term" in classes or PAGE_CLASS in classes) and ident:
        state.images = state.images_for(ident)
    if level == 1:  # the index runs up to the next top-level heading (a back matter page)
        state.in_index = ident == INDEX_ID
    state.after_seealso_heading = "seealso" in classes
    header = _fixed(block, state, None)  # no page numbers in headings (they feed the TOC)
    state.out.append(_index_letter(header) if state.in_index and level > 1 else header)


def _fixed(block: Node, state: _State, wording: tuple[str, str] | None) -> Node:
    """The block with ids renamed, images confined and (given a wording) page references."""

    def fix(node: Node) -> Node | list[Node] | None:
        a = attr_of(node)
        if a is not None and a[0]:
            a[0] = _bookmark(a[0], state)
        if node["t"] == "Image":
            return state.images(node)
        if node["t"] != "Link" or not node["c"][2][0].startswith("#"):
            return None
        target = node["c"][2][0][1:]
        if target not in state.names:
            state.dead.append(target)
            return Span(attr(), node["c"][1])
        node["c"][2][0] = "#" + state.names[target]
        if wording is None or XREF_CLASS not in node["c"][0][1]:
            return None
        before, after = wording
        return [node, ox.page_reference(state.names[target], before, after, PAGEREF_STYLE)]

    result: Node = transform(block, fix)
    if wording is not None:
        _after_compounds(result)
    return result


# The rest of a word a link is part of: `[XOR](#XOR)-Verknüpfung`, `[Klartext](#Klartext)s`.
_WORD_TAIL = re.compile(r"[-\u2010\u2011]?\w[\w\-\u2010\u2011]*")


def _after_compounds(node: Any) -> None:
    """A page reference follows the whole word its link is part of ("XOR-Verknüpfung (→ S. 36)",
    not "XOR (→ S. 36)-Verknüpfung"): it moves past the text glued to the link."""
    if isinstance(node, dict):
        _after_compounds(node.get("c"))
        return
    if not isinstance(node, list):
        return
    i = 0
    while i < len(node):
        here = node[i]
        tail = node[i + 1] if i + 1 < len(node) else None
        if _is_pageref(here) and isinstance(tail, dict) and tail.get("t") == "Str":
            m = _WORD_TAIL.match(tail["c"])
            if m:
                rest = tail["c"][m.end():]
                node[i:i + 2] = [Str(m.group(0)), here, *([Str(rest)] if rest else [])]
                i += 2
                continue
        _after_compounds(here)
        i += 1


def _is_pageref(node: Any) -> bool:
    return (isinstance(node, dict) and node.get("t") == "RawInline"
            and node["c"][0] == ox.FORMAT and "PAGEREF" in node["c"][1])


def _dotted(para: Node) -> Node:
    """The see-also line's `|` separators (its Markdown form) as the PDF's middle dots."""
    inlines = [Str(SEPARATOR) if n == Str("|") else n for n in para["c"]]
    return Para(inlines)


def _bookmark(ident: str, state: _State) -> str:
    """The id's bookmark name; '' for a repeated id (Word bookmark names must be unique)."""
    name = state.names.get(ident, "")
    if name in state.seen:
        return ""
    state.seen.add(name)
    return name


def _index_letter(header: Node) -> Node:
    _level, (ident, _classes, _kvs), inlines = header["c"]
    return Div(attr(ident, [], {"custom-style": INDEX_LETTER_STYLE}), [Para(inlines)])


def _index_entries(bullets: Node) -> Node:
    """Each entry a paragraph `label<TAB>page`; the style puts a dot leader before the page."""
    paras = []
    for item in bullets["c"]:
        inlines = [n for block in item if block["t"] in ("Plain", "Para") for n in block["c"]]
        targets = [n["c"][2][0][1:] for n in inlines
                   if n["t"] == "Link" and XREF_CLASS in n["c"][0][1] and n["c"][2][0].startswith("#")]
        refs = [ox.tab(), ox.page_reference(targets[0], "", "", "")] if targets else []
        paras.append(Para([*inlines, *refs]))
    return Div(attr("", [], {"custom-style": INDEX_ENTRY_STYLE}), paras)


def toc_entries(blocks: list[Node], levels: int = 2) -> list[ox.TocEntry]:
    """Headings of levels 1..levels with their (already mapped) bookmark names."""
    entries = []
    for block in blocks:
        if block["t"] == "Header" and block["c"][0] <= levels and block["c"][1][0]:
            level, a, inlines = block["c"]
            entries.append(ox.TocEntry(level, stringify(inlines), a[0]))
    return entries
