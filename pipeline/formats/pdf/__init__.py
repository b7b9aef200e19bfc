"""`pdf`: the printable handbook — the shared HTML fragments in `styles/print` templates, laid
out by WeasyPrint.

Page references ("→ S. 42") on every link would make WeasyPrint paginate the whole book
several times. Instead the book is cut into chunks at page breaks (front matter, letter
groups, index) and each chunk is laid out once, in parallel worker processes, with every
page number left blank: a number sits in a box of fixed width (so the digits cannot move
anything) and the folio is hidden. Each chunk is laid out as if it began on a right-hand page.

The parts: `compose` (the print document), `chunks` (cutting and paginating), `layout` (one
chunk in a worker) and `pool` (the worker processes), `pagenumbers` (where the numbers go),
`paint` (drawing them), `join` (one PDF from the chunks), `formulas` (MathML as PDF drawings),
`fetcher` (the resource policy), `linebreak` (a WeasyPrint correction). WeasyPrint's and
pypdf's internals are used only through `_weasyprint` and `_pypdf`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ... import diagnostics as dg
from ...config import build_time
from . import chunks, compose, join, paint
from .pool import Pool, worker_count

if TYPE_CHECKING:
    from ...model import Book
    from ..context import BuildContext


def build(book: Book, out_dir: Path, ctx: BuildContext) -> Path:
    """Write `<slug>.pdf`."""
    path = out_dir / f"{book.config.slug}.pdf"
    # parts: title and contents, front matter pages, letter groups, index, back matter pages
    workers = worker_count(len(book.groups) + 2 + len(book.pages))
    # Started first, the workers import WeasyPrint while this process composes the HTML.
    with ctx.output(path) as tmp, Pool(workers, book.config.language) as pool:
        ctx.progress("composing the print document")
        doc = compose.compose(ctx.fragments(book), ctx.styles_dir, ctx.report, ctx.cache)
        where = chunks.setting(book, ctx)
        last_key = ctx.cache.key("pdf-pages", where.fingerprint, book.config.slug)
        last = ctx.cache.get_json("pdf-pages", last_key)
        results, pages = chunks.paginate(doc, chunks.cut(doc.parts, where.breaks), where, ctx, pool,
                                         last if isinstance(last, dict) else None)
        ctx.cache.put_json("pdf-pages", last_key, dict(pages.anchors))
        ctx.progress("joining the parts")
        paints = [r.paint for r in results if r.paint is not None]
        merged = pool.join(metadata(book), paint.stamps(paints, pages.anchors),
                           paint.fonts_of(paints), doc.forms)
        _report_dead(doc, book, ctx.report,
                     [a for r in results for a in r.dead_anchors] + list(merged.dead_links))
        tmp.write_bytes(merged.pdf)
    return path


def metadata(book: Book) -> join.Metadata:
    c = book.config
    return join.Metadata(c.title, c.authors, c.description or c.subtitle, c.keywords,
                              c.language, build_time())


def _report_dead(doc: compose.PrintDocument, book: Book, report: dg.Report,
                 anchors: Sequence[str]) -> None:
    """GL603 for each link in the PDF that leads nowhere, located at the entry that holds it."""
    for anchor in dict.fromkeys(anchors):
        owner = book.owner(_term_linking(doc, anchor) or "")
        where = owner.source if owner is not None else None
        report.add(dg.make(dg.DEAD_LINK_OUTPUT, where.file if where else "", where.line if where else 0,
                           0, f"the PDF links to #{anchor}, which is nowhere in it",
                           "check the link's target; a template may name an id that does not exist"))


def _term_linking(doc: compose.PrintDocument, anchor: str) -> str | None:
    href = f'href="#{html.escape(anchor, quote=True)}"'
    for part in doc.parts:
        at = part.html.find(href)
        if at >= 0:
            m = re.findall(r'<section class="(?:term|page)[^"]*" id="([^"]*)"', part.html[:at])
            return html.unescape(m[-1]) if m else None
    return None
