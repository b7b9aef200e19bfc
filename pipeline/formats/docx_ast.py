"""The book's pandoc document made ready for pandoc's DOCX writer.

- paragraph styles of the reference document on taglines, see-also lists, back-references and
  the index (pandoc's `custom-style`);
- a page reference (PAGEREF field) after every cross-reference, worded per language;
- the index as styled lines `entry ........ page`, its letters as bookmarked paragraphs (so they
  stay out of the table of contents);
- every id and `#…` link target renamed to a Word-valid bookmark name (`docx_ids`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..model import INDEX_ID, XREF_CLASS
from ..pandoc_ast import Div, Node, Para, Span, attr, attr_of, iter_nodes, stringify, walk
from . import docx_ooxml as ox

TAGLINE_STYLE = "Tagline"
SEEALSO_STYLE = "See Also"
BACKREFS_STYLE = "Back References"
INDEX_LETTER_STYLE = "Index Letter"
INDEX_ENTRY_STYLE = "Index Entry"
PAGEREF_STYLE = "PageReference"  # character style id (pandoc ids are names without spaces)
_BLOCK_STYLES = {"tagline": TAGLINE_STYLE, "backrefs": BACKREFS_STYLE}


@dataclass(frozen=True)
class Wording:
    """How a page reference reads: ` (→ S. 12)` in running text, ` (S. 12)` in lists."""

    in_text: tuple[str, str]
    in_list: tuple[str, str]


@dataclass
class _State:
    wording: Wording
    in_index: bool = False
    after_seealso_heading: bool = False
    out: list[Node] = field(default_factory=list)


def styled(blocks: list[Node], wording: Wording) -> list[Node]:
    """Styles, page references and the index's layout, in one pass over the book's blocks."""
    state = _State(wording)
    for block in blocks:
        _one_block(block, state)
    return state.out


def _one_block(block: Node, state: _State) -> None:
    t = block["t"]
    if t == "Header":
        level, (ident, classes, _), _inl = block["c"]
        state.in_index = state.in_index or (level == 1 and ident == INDEX_ID)
        state.after_seealso_heading = "seealso" in classes
        if state.in_index and level > 1:
            state.out.append(_index_letter(block))
        else:
            state.out.append(block)
        return
    if state.in_index and t == "BulletList":
        state.out.append(_index_entries(block))
    elif state.after_seealso_heading and t == "Para":
        state.out.append(_with_style(Div(attr(), [_page_refs(block, state.wording.in_list)]),
                                     SEEALSO_STYLE))
    elif t == "Div" and set(block["c"][0][1]) & _BLOCK_STYLES.keys():
        kind = next(c for c in block["c"][0][1] if c in _BLOCK_STYLES)
        wording = state.wording.in_list if kind == "backrefs" else state.wording.in_text
        state.out.append(_with_style(_page_refs(block, wording), _BLOCK_STYLES[kind]))
    else:
        state.out.append(_page_refs(block, state.wording.in_text))
    state.after_seealso_heading = False


def _with_style(div: Node, style: str) -> Node:
    ident, classes, kvs = div["c"][0]
    return Div([ident, classes, [*kvs, ["custom-style", style]]], div["c"][1])


def _page_refs(block: Node, wording: tuple[str, str]) -> Node:
    """Append a page reference to every cross-reference link (not to links to the index)."""
    before, after = wording

    def add(node: Node) -> list[Node] | None:
        target = _xref_anchor(node)
        if target is None or target == INDEX_ID:
            return None
        return [node, ox.page_reference(target, before, after, PAGEREF_STYLE)]

    result: Node = walk(block, add)
    return result


def _xref_anchor(node: Node) -> str | None:
    if node.get("t") != "Link" or XREF_CLASS not in node["c"][0][1]:
        return None
    url: str = node["c"][2][0]
    return url[1:] if url.startswith("#") else None


def _index_letter(header: Node) -> Node:
    _level, (ident, _classes, _kvs), inlines = header["c"]
    return Div(attr(ident, [], {"custom-style": INDEX_LETTER_STYLE}), [Para(inlines)])


def _index_entries(bullets: Node) -> Node:
    """Each entry a paragraph `label<TAB>page`; the style puts a dot leader before the page."""
    paras = []
    for item in bullets["c"]:
        inlines = [n for block in item if block["t"] in ("Plain", "Para") for n in block["c"]]
        targets = [t for t in map(_xref_anchor, inlines) if t]
        refs = [ox.tab(), ox.page_reference(targets[0], "", "", "")] if targets else []
        paras.append(Para([*inlines, *refs]))
    return Div(attr("", [], {"custom-style": INDEX_ENTRY_STYLE}), paras)


# --- bookmark names -------------------------------------------------------------------------


def element_ids(blocks: list[Node]) -> list[str]:
    """Every element id in document order (the bookmarks pandoc will write)."""
    out = []
    for node in iter_nodes(blocks):
        a = attr_of(node)
        if a is not None and a[0]:
            out.append(str(a[0]))
    return out


def renamed(blocks: list[Node], names: Mapping[str, str]) -> tuple[list[Node], list[str]]:
    """Ids and `#…` targets renamed to bookmark names; links to no id become plain text.

    Returns the new blocks and the link targets that matched no id. A repeated id keeps its
    bookmark on the first element only (Word bookmark names must be unique).
    """
    dead: list[str] = []
    seen: set[str] = set()

    def fix(node: Node) -> Node | None:
        a = attr_of(node)
        if a is not None and a[0]:
            name = names.get(a[0], "")
            a[0] = "" if name in seen else name
            seen.add(name)
        if node["t"] == "Link" and node["c"][2][0].startswith("#"):
            target = node["c"][2][0][1:]
            if target not in names:
                dead.append(target)
                return Span(attr(), node["c"][1])
            node["c"][2][0] = "#" + names[target]
        return None

    out: list[Node] = walk(blocks, fix)
    return out, dead


def toc_entries(blocks: list[Node], levels: int = 2) -> list[ox.TocEntry]:
    """Headings of levels 1..levels with their (already mapped) bookmark names."""
    entries = []
    for block in blocks:
        if block["t"] == "Header" and block["c"][0] <= levels and block["c"][1][0]:
            level, a, inlines = block["c"]
            entries.append(ox.TocEntry(level, stringify(inlines), a[0]))
    return entries
