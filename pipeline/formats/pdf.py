"""`pdf`: the printable handbook — the shared HTML in `styles/print` templates, laid out by WeasyPrint.

Page references ("→ S. 42") on every link would make WeasyPrint paginate the whole book
several times. Instead the book is cut into chunks at page breaks (front matter, letter
groups, index), laid out in parallel worker processes, and paginated in passes:

1. lay out every chunk with each page number in a box of fixed width (so the digits cannot
   move anything) and record the page of every anchor and the page count of every chunk;
2. render again, with the real numbers, first page number and page side, every chunk whose
   printed numbers differ from those it was laid out with.

The previous build's page map is kept beside the PDF (like LaTeX's .aux file): the first
pass renders with it, and only the chunks whose numbers changed are rendered again. The
chunks are joined with pypdf; links between chunks become named-destination links.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import diagnostics as dg
from ..config import build_time
from . import pdf_html, pdf_merge
from .pdf_render import ChunkJob, ChunkResult, Pool, worker_count

if TYPE_CHECKING:
    from ..build import BuildContext
    from ..model import Book

MAX_PASSES = 3  # fixed-width numbers: the second pass never changes the layout
CHUNK_COST = 180_000  # characters of HTML (without data: URLs) per chunk: bounds a worker's memory
_DATA_URL = re.compile(r'"data:[^"]*"')
_MAP_VERSION = 1


@dataclass(frozen=True)
class Chunk:
    body: str  # parts' HTML, links outside the chunk already made placeholder URIs
    cost: int
    tokens: tuple[str, ...]  # the anchors whose page numbers it prints, in order


@dataclass(frozen=True)
class PageMap:
    """The pagination: pages per chunk, the page of every anchor, digits in a page number."""

    counts: tuple[int, ...]
    anchors: Mapping[str, int]
    digits: int

    def first_page(self, chunk: int) -> int:
        return sum(self.counts[:chunk]) + 1

    def same(self, other: PageMap) -> bool:
        return (self.counts, self.digits, dict(self.anchors)) == (other.counts, other.digits,
                                                                  dict(other.anchors))


def build(book: Book, out_dir: Path, ctx: BuildContext) -> Path:
    """Write `<slug>.pdf`."""
    path = out_dir / f"{book.config.slug}.pdf"
    cache = path.with_name(f".{path.name}.pages.json")
    workers = worker_count(len(book.groups) + 2)  # parts: front matter, letter groups, index
    # Started first, the workers import WeasyPrint while this process composes the HTML.
    with ctx.output(path) as tmp, Pool(workers, book.config.language) as pool:
        ctx.progress("composing the print document")
        doc = pdf_html.compose(ctx.rendered, ctx.styles_dir, ctx.report)
        chunks = plan(doc.parts, workers)
        results, pages = paginate(doc, chunks, book, ctx, read_map(cache, len(chunks)), pool)
        ctx.progress("joining the parts")
        merged = Pool.merge([r.pdf or b"" for r in results], metadata(book))
        _report_dead(doc, book, ctx.report,
                     [a for r in results for a in r.dead_anchors] + list(merged.dead_links))
        tmp.write_bytes(merged.pdf)
    write_map(cache, pages)
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
    return Chunk(body, cost, pdf_html.tokens_in(body))


def paginate(doc: pdf_html.PrintDocument, chunks: Sequence[Chunk], book: Book, ctx: BuildContext,
             guess: PageMap | None, pool: Pool) -> tuple[list[ChunkResult], PageMap]:
    """Render passes until every chunk prints the pages its targets are on.

    A chunk is rendered again only if a number it prints (a page reference, its first page,
    the width of the number boxes) differs from the numbers it was rendered with.
    """
    digits = guess.digits if guess else _estimated_digits(chunks)
    results: list[ChunkResult | None] = [None] * len(chunks)
    printed: list[tuple[object, ...] | None] = [None] * len(chunks)
    todo = list(range(len(chunks)))
    for attempt in range(1, MAX_PASSES + 1):
        ctx.progress(f"laying out {len(todo)} of {len(chunks)} part(s), pass {attempt}")
        for r in pool.run([_job(i, chunks[i], doc, book, ctx, guess, digits) for i in todo]):
            _fail_on(r, ctx.report)
            results[r.index] = r
            printed[r.index] = _printed(chunks[r.index], r.index, guess) if guess else None
        done = [r for r in results if r is not None]
        actual = _page_map(done)
        todo = [i for i, c in enumerate(chunks) if printed[i] is None or printed[i] != _printed(c, i, actual)]
        if not todo:
            ctx.report.extend(d for r in done for d in r.diagnostics)
            return done, actual
        guess, digits = actual, actual.digits
    raise dg.GlossaryError(dg.make(dg.TOOL_FAILED, "", 0, 0,
                                   f"page numbers did not settle after {MAX_PASSES} passes",
                                   "report this with the book that causes it"))


def _printed(chunk: Chunk, index: int, pages: PageMap) -> tuple[object, ...]:
    """Every number a chunk prints under a page map (and the box width they are printed in)."""
    return (pages.first_page(index), pages.digits, tuple(pages.anchors.get(a) for a in chunk.tokens))


def _fail_on(result: ChunkResult, report: dg.Report) -> None:
    if result.failed:
        report.extend(result.diagnostics[1:])
        raise dg.GlossaryError(result.diagnostics[0])


def _job(index: int, chunk: Chunk, doc: pdf_html.PrintDocument, book: Book, ctx: BuildContext,
         pages: PageMap | None, digits: int) -> ChunkJob:
    first = pages.first_page(index) if pages else 1

    def number(anchor: str) -> str:
        return str(pages.anchors.get(anchor, 0)) if pages else "0"

    body = pdf_html.fill(chunk.body, number)
    styles = ctx.styles_dir / pdf_html.STYLE_FOLDER
    sheets = [ctx.styles_dir / "highlight.css", styles / "print.css"]
    return ChunkJob(
        index=index,
        html=doc.head + body + doc.tail,
        css=_generated_css(book.config.pdf.page_size, digits, first),
        stylesheets=tuple(str(s) for s in sheets if s.is_file()),
        base_url=book.source_dir.resolve().as_uri() + "/",
        roots=(str(book.source_dir.resolve()), str(ctx.styles_dir.resolve())),
        origins=doc.origins,
        write=pages is not None,
    )


def _generated_css(size: str, digits: int, first: int) -> str:
    """Page size (book.toml), page-number box width, and where this chunk starts."""
    side = "left" if first % 2 == 0 else "right"
    return (f"@page {{ size: {size}; }}\n"
            f"@page :first {{ counter-reset: page {first}; }}\n"
            f"html {{ break-before: {side}; }}\n"
            f".pn {{ width: {digits}ch; }}\n")


def _estimated_digits(chunks: Sequence[Chunk]) -> int:
    """A first guess at the page count's digits (about 3,500 characters of HTML fill a page)."""
    return len(str(max(1, sum(c.cost for c in chunks) // 3500)))


def _page_map(results: Sequence[ChunkResult]) -> PageMap:
    counts = tuple(r.pages for r in results)
    anchors: dict[str, int] = {}
    offset = 0
    for r in results:
        for name, page in r.anchors.items():
            anchors.setdefault(name, offset + page)
        offset += r.pages
    return PageMap(counts, anchors, len(str(max(offset, 1))))


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


def read_map(path: Path, chunks: int) -> PageMap | None:
    """The previous build's page map, if it fits this chunk plan."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != _MAP_VERSION or len(data["counts"]) != chunks:
            return None
        return PageMap(tuple(int(c) for c in data["counts"]),
                       {str(k): int(v) for k, v in data["anchors"].items()}, int(data["digits"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_map(path: Path, pages: PageMap) -> None:
    from ..output import write_text

    data = {"version": _MAP_VERSION, "counts": list(pages.counts), "digits": pages.digits,
            "anchors": dict(sorted(pages.anchors.items()))}
    write_text(path, json.dumps(data, ensure_ascii=False, indent=0))
