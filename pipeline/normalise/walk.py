"""The one walk that resolves a term's or a page's AST: links rewritten to their targets, quotes
in the book's language, ids prefixed with their owner's id, and the nodes the image and formula
checks read collected on the way (so they need no walk of their own)."""

from __future__ import annotations

from collections.abc import Callable

from ..pandoc_ast import Node
from .links import IdTable, LinkContext, rewrite_links
from .structure import prefix_id

Visitor = Callable[[Node], Node | list[Node] | None]


def resolving(ctx: LinkContext, table: IdTable, quoted: Visitor, picked: list[Node],
              kinds: frozenset[str], owner: str | None, headings: bool = True) -> Visitor:
    """The visitor for `transform`. `owner`: the id that prefixes the ids inside (None: keep
    them); `headings=False` leaves headings' ids alone (pages give them ids of their own)."""

    def visit(node: Node) -> Node | list[Node] | None:
        t = node["t"]
        if t == "Link":
            return rewrite_links(node, ctx, table)
        if t == "Quoted":
            return quoted(node)
        if t in kinds:
            picked.append(node)
        if owner is not None and (headings or t != "Header"):
            prefix_id(owner, node)
        return None

    return visit
