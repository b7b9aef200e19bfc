"""Pages that are not terms: front and back matter (book.toml `front`/`back`) and a superseded
hand-kept index (GL310). Their links are resolved against the same id table as the terms', so
a stale link on them is reported like any other; only front and back matter reach the Book."""

from __future__ import annotations

from ..i18n import quotation_marks
from ..model import Location, Page
from ..pandoc_ast import Node, transform
from .links import IdTable, LinkContext, rewrite_links
from .load import PageSource
from .positions import Locator

PUBLISHED = ("front", "back")


def resolve_pages(pages: list[PageSource], table: IdTable, locator: Locator,
                  language: str) -> tuple[Page, ...]:
    """Every page's links resolved (diagnostics deferred to the locator); front, then back."""
    quoted = quotation_marks(language)
    out: list[Page] = []
    for page in pages:
        # A page's own heading ids stay as written: no term prefixes them.
        local = {b["c"][1][0]: b["c"][1][0] for b in page.blocks
                 if b["t"] == "Header" and b["c"][1][0]}
        ctx = LinkContext(page.file, "", page.file, 0, locator, {}, local)

        def visit(node: Node, ctx: LinkContext = ctx) -> Node | list[Node] | None:
            if node["t"] == "Link":
                return rewrite_links(node, ctx, table)
            if node["t"] == "Quoted":
                return quoted(node)
            return None

        blocks = transform(page.blocks, visit)
        if page.role in PUBLISHED:
            out.append(Page(page.role, Location(page.file), tuple(blocks)))
    return tuple(sorted(out, key=lambda p: PUBLISHED.index(p.role)))
