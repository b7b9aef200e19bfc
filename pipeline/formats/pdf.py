"""`pdf`: the printable handbook — the shared HTML in `styles/print` templates, laid out by WeasyPrint.

Page references ("→ S. 42") on every link would make WeasyPrint paginate the whole book
several times. Instead the book is cut into chunks at page breaks (front matter, letter
groups, index) and each chunk is laid out once, in parallel worker processes, with every
page number left blank: a number sits in a box of fixed width (so the digits cannot move
anything) and the folio is hidden. Each chunk is laid out as if it began on a right-hand page.

From the chunks' page counts and anchors follows the page of every anchor; the chunks are
joined with pypdf (links between chunks become named-destination links), pages that land on
a left-hand page get their margins swapped, and the numbers are painted into their boxes
(`pdf_slots` finds the boxes, `pdf_overlay` paints).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import diagnostics as dg
from ..config import build_time
from . import pdf_html, pdf_merge, pdf_overlay
from .pdf_render import ChunkJob, ChunkResult, Pool, worker_count
from .pdf_slots import PN_PLACEHOLDER

if TYPE_CHECKING:
    from ..build import BuildContext
    from ..model import Book

MAX_PASSES = 3  # another pass only when the page count has more or fewer digits than guessed
CHUNK_COST = 180_000  # characters of HTML (without data: URLs) per chunk: bounds a worker's memory
_DATA_URL = re.compile(r'"data:[^"]*"')


@dataclass(frozen=True)
class Chunk:
    body: str  # parts' HTML, links outside the chunk already made placeholder URIs
    cost: int


@dataclass(frozen=True)
class PageMap:
    """The pagination: the page of every anchor, digits in the largest page number."""

    anchors: Mapping[str, int]
    digits: int


def build(book: Book, out_dir: Path, ctx: BuildContext) -> Path:
    """Write `<slug>.pdf`."""
    path = out_dir / f"{book.config.slug}.pdf"
    workers = worker_count(len(book.groups) + 2)  # parts: front matter, letter groups, index
    # Started first, the workers import WeasyPrint while this process composes the HTML.
    with ctx.output(path) as tmp, Pool(workers, book.config.language) as pool:
        ctx.progress("composing the print document")
        doc = pdf_html.compose(ctx.rendered, ctx.styles_dir, ctx.report)
        chunks = plan(doc.parts, workers)
        results, pages = paginate(doc, chunks, book, ctx, pool)
        ctx.progress("joining the parts")
        paints = [r.paint for r in results if r.paint is not None]
        merged = pool.join(metadata(book), pdf_overlay.stamps(paints, pages.anchors),
                           pdf_overlay.fonts_of(paints), doc.forms)
        _report_dead(doc, book, ctx.report,
                     [a for r in results for a in r.dead_anchors] + list(merged.dead_links))
        tmp.write_bytes(merged.pdf)
    return path


def plan(parts: Sequence[pdf_html.Part], workers: int) -> list[Chunk]:
    """Cut the parts into contiguous chunks of similar cost, at least one per worker."""
    costs = [len(_DATA_URL.sub('""', p.html)) for p in parts]
    total = sum(costs)
    count = min(len(parts), max(workers, math.ceil(total / CHUNK_COST)))
    groups: list[list[int]] = [[]]
    done = 0
    for i, cost in enumerate(costs):
        remaining_parts, remaining_chunks = len(parts) - i, count - len(groups) + 1
        target = (total - done) / remaining_chunks if remaining_chunks else math.inf
        current = sum(costs[j] for j in groups[-1])
        if groups[-1] and (current + cost / 2 > target or remaining_parts < remaining_chunks):
            done += current
            groups.append([])
        groups[-1].append(i)
    return [_chunk([parts[i] for i in g], sum(costs[i] for i in g)) for g in groups]


def _chunk(parts: Sequence[pdf_html.Part], cost: int) -> Chunk:
    body = "\n".join(p.html for p in parts)
    body = pdf_html.localise_links(body, pdf_html.anchors_in(body), pdf_merge.xref_uri)
    return Chunk(body, cost)


def paginate(doc: pdf_html.PrintDocument, chunks: Sequence[Chunk], book: Book, ctx: BuildContext,
             pool: Pool) -> tuple[list[ChunkResult], PageMap]:
    """Lay out every chunk once; again only if the page count's digits were guessed wrong."""
    digits = _estimated_digits(chunks)
    for attempt in range(1, MAX_PASSES + 1):
        ctx.progress(f"laying out {len(chunks)} part(s), pass {attempt}")
        results = pool.run([_job(i, c, doc, book, ctx, digits) for i, c in enumerate(chunks)])
        for r in results:
            _fail_on(r, ctx.report)
        pages = _page_map(results)
        if pages.digits == digits:
            ctx.report.extend(d for r in results for d in r.diagnostics)
            return results, pages
        digits = pages.digits
    raise dg.GlossaryError(dg.make(dg.TOOL_FAILED, "", 0, 0,
                                   f"page numbers did not settle after {MAX_PASSES} passes",
                                   "report this with the book that causes it"))


def _fail_on(result: ChunkResult, report: dg.Report) -> None:
    if result.failed:
        report.extend(result.diagnostics[1:])
        raise dg.GlossaryError(result.diagnostics[0])


def _job(index: int, chunk: Chunk, doc: pdf_html.PrintDocument, book: Book, ctx: BuildContext,
         digits: int) -> ChunkJob:
    styles = ctx.styles_dir / pdf_html.STYLE_FOLDER
    sheets = [ctx.styles_dir / "highlight.css", styles / "print.css"]
    return ChunkJob(
        index=index,
        html=doc.head + chunk.body.replace(PN_PLACEHOLDER, "0" * digits) + doc.tail,
        css=_generated_css(book.config.pdf.page_size, digits),
        stylesheets=tuple(str(s) for s in sheets if s.is_file()),
        base_url=book.source_dir.resolve().as_uri() + "/",
        roots=(str(book.source_dir.resolve()), str(ctx.styles_dir.resolve())),
        origins=doc.origins,
    )


def _generated_css(size: str, digits: int) -> str:
    """Page size (book.toml); room for the page numbers painted after layout."""
    return (f"@page {{ size: {size}; }}\n.pn {{ visibility: hidden; }}\n"
            f".pageref {{ padding-right: {digits}ch; }}\n")


def _estimated_digits(chunks: Sequence[Chunk]) -> int:
    """A first guess at the page count's digits: about 6,000 characters of HTML (formulas are
    empty boxes) fill a page (demo 6,200, 350 generated entries 9,400). A wrong guess costs
    a second pass, so that the boxes are always exactly as wide as the widest number."""
    return len(str(max(1, sum(c.cost for c in chunks) // 6000)))


def _page_map(results: Sequence[ChunkResult]) -> PageMap:
    anchors: dict[str, int] = {}
    offset = 0
    for r in results:
        for name, page in r.anchors.items():
            anchors.setdefault(name, offset + page)
        offset += r.pages
    return PageMap(anchors, len(str(max(offset, 1))))


def metadata(book: Book) -> pdf_merge.Metadata:
    c = book.config
    return pdf_merge.Metadata(c.title, c.authors, c.description or c.subtitle, c.keywords,
                              c.language, build_time())


def _report_dead(doc: pdf_html.PrintDocument, book: Book, report: dg.Report,
                 anchors: Sequence[str]) -> None:
    """GL603 for each link in the PDF that leads nowhere, located at the entry that holds it."""
    for anchor in dict.fromkeys(anchors):
        term_id = _term_linking(doc, anchor)
        where = book.term(term_id).source if term_id and term_id in book else None
        report.add(dg.make(dg.DEAD_LINK_OUTPUT, where.file if where else "", where.line if where else 0,
                           0, f"the PDF links to #{anchor}, which is nowhere in it",
                           "check the link's target; a template may name an id that does not exist"))


def _term_linking(doc: pdf_html.PrintDocument, anchor: str) -> str | None:
    href = f'href="#{html.escape(anchor, quote=True)}"'
    for part in doc.parts:
        at = part.html.find(href)
        if at >= 0:
            m = re.findall(r'<section class="term" id="([^"]*)"', part.html[:at])
            return html.unescape(m[-1]) if m else None
    return None
