"""Pages that are not terms: front and back matter (book.toml `front`/`back`) and a superseded
hand-kept index (GL310). Their links are resolved against the same id table as the terms', so
a stale link on them is reported like any other; only front and back matter reach the Book.

A published page is named like a term: its id is the id of the heading it starts with (else
derived from its file name), every other id on it becomes `Page--ident`, a heading without id
gets one from its text. Its id goes into the id table (a clash with a term, the index or another
page is GL210), so `[Lizenz](#Lizenz)` from a term resolves like a link to a term.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .. import diagnostics as dg
from ..cache import digest
from ..i18n import quotation_marks
from ..model import BACK, FRONT, INDEX_ID, Location, Page, anchor
from ..pandoc_ast import Node, Str, stringify, transform
from .links import IdTable, LinkContext
from .positions import Locator
from .resources import Resources, check_images
from .sources import PageSource
from .structure import slug, term_id_from_title
from .termlike import heading_with_id
from .walk import Visitor, resolving

PUBLISHED = (FRONT, BACK)
_PICKED = frozenset({"Image", "RawInline", "RawBlock"})  # what the image check reads
_SKIPPED = frozenset({"HorizontalRule", "Null"})  # may stand before a page's heading
_ATX = re.compile(r"^( {0,3})#{1,6}[ \t]", re.MULTILINE)


@dataclass
class PageHead:
    """A published page before its links are resolved: its final id, title and heading ids."""

    source: PageSource
    id: str
    title: list[Node]
    body: list[Node]  # the blocks after the title heading
    titled: bool  # it starts with a heading
    level: int  # that heading's level (1 when it has none)
    line: tuple[int, int] = (1, 1)  # where that heading is
    local: dict[str, str] = field(default_factory=dict)  # ids written on it -> published ids
    headings: list[str] = field(default_factory=list)  # published heading ids, in order


def name_pages(pages: list[PageSource], taken: set[str], report: dg.Report) -> list[PageHead]:
    """Front and back matter with their ids: a page whose id is taken (a term's, the index's,
    an earlier page's) is renamed and reported (GL210); `taken` gets the pages' ids."""
    heads: list[PageHead] = []
    for page in pages:
        if page.role not in PUBLISHED:
            continue
        head = _head(page, report)
        wanted = head.id
        reserved = wanted.casefold() == INDEX_ID.casefold()
        if wanted in taken or reserved:
            head.id = _free(wanted, taken)
            report.add(dg.make(
                dg.PAGE_ID_CONFLICT, page.file, *head.line,
                f"the page's id #{wanted} is already {_owner(wanted, heads)}; the page is "
                f"published as #{head.id}",
                f"give the page's heading an id of its own, e.g. # {stringify(head.title).strip()} "
                f"{{#{wanted}-page}}" + ("" if reserved else
                                         f"; links to #{wanted} keep going to the first")))
        taken.add(head.id)
        if head.titled and (written := _first_id(page)):
            head.local[written] = head.id
        _heading_ids(head)
        heads.append(head)
    return heads


def _head(page: PageSource, report: dg.Report) -> PageHead:
    first = next((i for i, b in enumerate(page.blocks) if b["t"] not in _SKIPPED), len(page.blocks))
    block = page.blocks[first] if first < len(page.blocks) else None
    stem = PurePosixPath(page.file).stem
    if block is not None and block["t"] == "Header" and stringify(block["c"][2]).strip():
        written = block["c"][1][0]
        ident = written or term_id_from_title(stem)
        return PageHead(page, ident, block["c"][2], page.blocks[first + 1:], True, block["c"][0],
                        _heading_line(page.text, written))
    title = stem.replace("_", " ").replace("-", " ").strip() or stem
    title = title[:1].upper() + title[1:]
    ident = term_id_from_title(stem)
    report.add(dg.make(dg.PAGE_NO_TITLE, page.file, 1, 1,
                       f"the page does not start with a heading; it is titled „{title}“ (id #{ident})",
                       f"start it with a heading: # {title} {{#{ident}}}"))
    return PageHead(page, ident, [Str(title)], list(page.blocks), False, 1)


def _heading_line(text: str, ident: str) -> tuple[int, int]:
    """Where a page's first heading is: the one naming `ident`, else the first ATX heading."""
    found = heading_with_id(text, ident) if ident else (0, 0)
    if found != (0, 0):
        return found
    m = _ATX.search(text)
    if m is None:
        return 1, 1
    return text.count("\n", 0, m.start()) + 1, len(m.group(1)) + 1


def _first_id(page: PageSource) -> str:
    block = next(b for b in page.blocks if b["t"] not in _SKIPPED)
    return str(block["c"][1][0])


def _free(wanted: str, taken: set[str]) -> str:
    n = 2
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"


def _owner(ident: str, heads: list[PageHead]) -> str:
    if ident.casefold() == INDEX_ID.casefold():
        return "reserved for the generated index"
    other = next((h for h in heads if h.id == ident), None)
    return f"the id of the page {other.source.file}" if other else "a term's id"


def _heading_ids(head: PageHead) -> None:
    """Every heading after the title gets a book-wide unique id: the written one prefixed with
    the page's id, else one made from its text; every other written id is prefixed too."""
    used: set[str] = {head.id}
    for block in head.body:
        if block["t"] != "Header":
            continue
        written = block["c"][1][0]
        ident = anchor(head.id, written or slug(stringify(block["c"][2])).lower())
        while ident in used:
            ident += "-1"
        used.add(ident)
        if written:
            head.local.setdefault(written, ident)
        head.headings.append(ident)


def page_sections(heads: list[PageHead]) -> dict[str, list[tuple[str, str]]]:
    """Heading ids of the pages as the id table keeps them: as written and as published."""
    out: dict[str, list[tuple[str, str]]] = {}
    for head in heads:
        for written, unique in head.local.items():
            if unique != head.id:
                out.setdefault(written, []).append((head.id, unique))
        for unique in head.headings:
            out.setdefault(unique, []).append((head.id, unique))
    return out


def resolve_pages(pages: list[PageSource], heads: list[PageHead], table: IdTable, locator: Locator,
                  language: str, source: Path, resources: Resources) -> tuple[Page, ...]:
    """Every page's links resolved (diagnostics deferred to the locator) and its images into
    `resources`: the published pages, front, then back. A superseded page is resolved for its
    findings only."""
    quoted = quotation_marks(language)
    for page in pages:
        if page.role not in PUBLISHED:
            ctx = LinkContext(page.file, "", page.file, 0, locator, {}, {})
            transform(page.blocks, _visitor(ctx, table, quoted, None, []))
    out: list[Page] = []
    for head in heads:
        published, picked = _resolved(head, table, locator, quoted)
        check_images(published, picked, source, locator, {}, resources)
        out.append(published)
    return tuple(sorted(out, key=lambda p: PUBLISHED.index(p.role)))


def _resolved(head: PageHead, table: IdTable, locator: Locator, quoted: Visitor
              ) -> tuple[Page, list[Node]]:
    """The page, and its images and raw HTML in source order (for the image check)."""
    file = head.source.file
    ctx = LinkContext(file, head.id, stringify(head.title).strip(), 0, locator, {}, dict(head.local))
    picked: list[Node] = []
    visit = _visitor(ctx, table, quoted, head.id, picked)
    title = transform(list(head.title), visit)
    body = transform(head.body, visit)
    top = head.level if head.titled else _top(body) - 1
    headings = iter(head.headings)
    for block in body:
        if block["t"] == "Header":
            block["c"][1][0] = next(headings)
            block["c"][0] = max(2, block["c"][0] - top + 1)
    content = json.dumps([head.id, head.source.role, title, body], ensure_ascii=False)
    page = Page(head.id, head.source.role, tuple(title), stringify(title).strip(),
                Location(file, *head.line), tuple(body), tuple(head.headings),
                fingerprint=digest("page", file, content))
    return page, picked


def _top(body: list[Node]) -> int:
    return min((b["c"][0] for b in body if b["t"] == "Header"), default=1)


def _visitor(ctx: LinkContext, table: IdTable, quoted: Visitor, page_id: str | None,
             picked: list[Node]) -> Visitor:
    # headings get their ids from `_heading_ids`
    return resolving(ctx, table, quoted, picked, _PICKED, page_id, headings=False)
