"""Cutting the print document into chunks and laying them out: the pagination of the book.

Each chunk (front matter, runs of letter groups, the index) is laid out once, in parallel worker
processes (`layout`, `pool`), with every page number left blank in a box of fixed width; from
the chunks' page counts and anchors follows the page of every anchor (`PageMap`). Only when the
page count has more or fewer digits than guessed is the book laid out again.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ... import diagnostics as dg
from ...model import Book
from ..context import BuildContext
from . import compose, join
from .layout import ChunkJob, ChunkResult
from .pagenumbers import PN_PLACEHOLDER
from .pool import Pool

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


@dataclass(frozen=True)
class Setting:
    """What every chunk is laid out with: stylesheets, page size, the files it may read."""

    stylesheets: tuple[str, ...]
    page_size: str
    base_url: str
    roots: tuple[str, ...]  # folders whose files may be read (the styles)
    files: tuple[str, ...]  # single files that may be read (the book's resolved images)


def setting(book: Book, styles_dir: Path) -> Setting:
    """The chunks' setting: the styles folder's print sheets and the images the normaliser resolved."""
    styles = styles_dir / compose.STYLE_FOLDER
    sheets = [styles_dir / "highlight.css", styles / "print.css"]
    images = sorted({str(r.path) for r in book.resources.values() if r.path is not None})
    return Setting(tuple(str(s) for s in sheets if s.is_file()), book.config.pdf.page_size,
                   styles.resolve().as_uri() + "/", (str(styles_dir.resolve()),), tuple(images))


def cut(parts: Sequence[compose.Part], workers: int) -> list[Chunk]:
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


def _chunk(parts: Sequence[compose.Part], cost: int) -> Chunk:
    body = "\n".join(p.html for p in parts)
    body = compose.localise_links(body, compose.anchors_in(body), join.xref_uri)
    return Chunk(body, cost)


def paginate(doc: compose.PrintDocument, chunks: Sequence[Chunk], where: Setting, ctx: BuildContext,
             pool: Pool) -> tuple[list[ChunkResult], PageMap]:
    """Lay out every chunk once; again only if the page count's digits were guessed wrong."""
    digits = _estimated_digits(chunks)
    for attempt in range(1, MAX_PASSES + 1):
        ctx.progress(f"laying out {len(chunks)} part(s), pass {attempt}")
        results = pool.run([_job(i, c, doc, where, digits) for i, c in enumerate(chunks)])
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


def _job(index: int, chunk: Chunk, doc: compose.PrintDocument, where: Setting,
         digits: int) -> ChunkJob:
    return ChunkJob(
        index=index,
        html=doc.head + chunk.body.replace(PN_PLACEHOLDER, "0" * digits) + doc.tail,
        css=_generated_css(where.page_size, digits),
        stylesheets=where.stylesheets,
        base_url=where.base_url,
        roots=where.roots,
        origins=doc.origins,
        files=where.files,
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


