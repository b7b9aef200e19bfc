"""Laying out the book in chunks: the pagination, with page references at their exact width.

Every part (front matter, each letter group, the index) is a chunk of its own, laid out in a
worker process (`layout`, `pool`) as if it began on a right-hand page. A page reference is as
wide as its number: hidden zeros as many as the number has digits, painted over after layout
(`paint`; the figures are tabular, so only the count of digits can move the layout). Which
count each reference needs is guessed first — from the last build's page map, else from the
chunks' sizes — and after each layout the chunks whose references were guessed wrong, and only
those, are laid out again, until every count is right (as LaTeX reruns with its `.aux`). The
index's numbers are laid out the same way; the contents' numbers keep room for the widest
number (right-aligned after a leader, so the room shows as no hole). A chunk laid out before
with the same HTML, styles and fonts comes from the build cache.
"""

from __future__ import annotations

import html
import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ... import diagnostics as dg
from ...model import Book
from ..context import BuildContext
from . import compose, join, stored
from .layout import ChunkJob, ChunkResult
from .pagenumbers import PN_PLACEHOLDER, REF_CLOSE, REF_OPEN
from .pool import Pool

MAX_PASSES = 6  # the counts of digits settle in one or two; a bound against ping-pong
# A first guess at a part's pages, for the print styles on A4: a page holds about 3,950
# characters of running text, or 48 lines of a list (the contents: little text, many lines);
# a twentieth of a page goes to headings and to what cannot end a page; each piece the styles
# begin on a new page (`break-before`) ends on a page of its own. A page reference counts as
# the digits it is laid out with, not the anchor its placeholder names. Fitted to the
# benchmark's glossaries of 40, 70 and 350 entries: within 1, 1 and 2 pages of where every part
# really starts. (HTML characters, the guess before, were off by 5 pages in 40 entries, 30 % in
# 350; counting the anchors' names as text, by 3 pages in 350.)
TEXT_PER_PAGE = 3950
REF_TEXT = "000"  # what a page reference holds when laid out: three digits, as in most books
LINES_PER_PAGE = 48
HEADROOM = 0.05
# How far past the estimated page of the last new digit the first parts go: the estimate's
# error where the parts start (3 pages in 100 measured); every part laid out before that page
# is known may have to be laid out again.
PREFIX_MARGIN = 1.1
_TAG = re.compile(r"<[^>]*>")
_LINE = re.compile(r"<(?:p|li|h[1-6]|tr|dt|dd|pre|figure)[\s>]")
_CLASSED = re.compile(r'<[a-zA-Z][^>]*?\bclass="([^"]*)"')
_NEW_PAGE = frozenset({"page", "left", "right", "recto", "verso", "always"})
_REF = re.compile(f"{REF_OPEN}([^{REF_CLOSE}]*){REF_CLOSE}")
_ID = re.compile(r'\bid="([^"]*)"')


@dataclass(frozen=True)
class Chunk:
    body: str  # a part's HTML, links outside the chunk already made placeholder URIs
    pages: int  # its estimated pages (`estimated_pages`)
    refs: frozenset[str]  # anchors its page references name
    places: Mapping[str, float]  # anchor -> where in the chunk it stands (0 … 1), for a guess
    numbers: bool  # it holds contents or index numbers (as wide as the widest number)


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
    fingerprint: str = ""  # styles, images, fonts and WeasyPrint: part of a chunk's cache key
    breaks: frozenset[str] = frozenset()  # classes the styles begin on a new page


def setting(book: Book, ctx: BuildContext) -> Setting:
    """The chunks' setting: the styles folder's print sheets and the images the normaliser resolved."""
    styles_dir = ctx.styles_dir
    styles = styles_dir / compose.STYLE_FOLDER
    sheets = [styles_dir / "highlight.css", styles / "print.css"]
    images = sorted({str(r.path) for r in book.resources.values() if r.path is not None})
    found = tuple(str(s) for s in sheets if s.is_file())
    print_ = Setting(found, book.config.pdf.page_size, styles.resolve().as_uri() + "/",
                     (str(styles_dir.resolve()),), tuple(images), breaks=page_breaks(found))
    key = ctx.cache.key("pdf", ctx.styles_key(compose.STYLE_FOLDER), repr(print_),
                        *(stored.stamp(Path(f)) for f in images), stored.environment())
    return replace(print_, fingerprint=key)


def page_breaks(sheets: Sequence[str]) -> frozenset[str]:
    """The classes a stylesheet begins on a new page: `.imprint { break-before: page }`.

    Only rules whose selector is one class count; the estimate needs no more than that.
    """
    import tinycss2

    found: set[str] = set()
    for sheet in sheets:
        rules = tinycss2.parse_stylesheet(Path(sheet).read_text(encoding="utf-8"),
                                          skip_comments=True, skip_whitespace=True)
        for rule in rules:
            if rule.type == "qualified-rule" and _breaks_page(rule.content):
                found.update(m.group(1) for s in tinycss2.serialize(rule.prelude).split(",")
                             if (m := re.fullmatch(r"\s*\.([\w-]+)\s*", s)))
    return frozenset(found)


def _breaks_page(content: Sequence[object]) -> bool:
    import tinycss2

    return any(d.type == "declaration" and d.lower_name in ("break-before", "page-break-before")
               and tinycss2.serialize(d.value).strip().lower() in _NEW_PAGE
               for d in tinycss2.parse_declaration_list(content, skip_comments=True,
                                                        skip_whitespace=True))


def cut(parts: Sequence[compose.Part], breaks: frozenset[str] = frozenset()) -> list[Chunk]:
    """One chunk per part: a chunk must begin on a new page, and only parts do."""
    chunks = []
    for part in parts:
        body = compose.localise_links(part.html, compose.anchors_in(part.html), join.xref_uri)
        size = max(len(body), 1)
        places = {m.group(1): m.start() / size for m in _ID.finditer(body)}
        refs = frozenset(html.unescape(a) for a in _REF.findall(body))
        chunks.append(Chunk(body, estimated_pages(part.html, breaks), refs, places,
                            PN_PLACEHOLDER in body))
    return chunks


def estimated_pages(part: str, breaks: frozenset[str] = frozenset()) -> int:
    """A part's pages: each piece that begins a page (a class in `breaks`) as many as the
    characters of its text or the lines of its lists fill, the last one partly filled."""
    cuts = [m.start() for m in _CLASSED.finditer(part) if breaks.intersection(m.group(1).split())]
    pages = 0
    for start, end in itertools.pairwise([0, *cuts, len(part)]):
        piece = part[start:end]
        # a data: URL lies inside a tag
        text = len(html.unescape(_TAG.sub("", _REF.sub(REF_TEXT, piece))).strip())
        if text or "<img" in piece:
            full = max(text / TEXT_PER_PAGE + HEADROOM, len(_LINE.findall(piece)) / LINES_PER_PAGE)
            pages += max(1, math.ceil(full))
    return max(pages, 1)


def paginate(doc: compose.PrintDocument, chunks: Sequence[Chunk], where: Setting, ctx: BuildContext,
             pool: Pool, last: Mapping[str, int] | None = None) -> tuple[list[ChunkResult], PageMap]:
    """Lay out every chunk; again only those whose page references were guessed a wrong count
    of digits. `last`: the previous build's page of every anchor (the best guess there is)."""
    guess = {**_estimate(chunks), **(last or {})}
    widest = len(str(max(guess.values(), default=1)))
    lay = _Layout(doc, chunks, where, ctx, pool)
    first = len(chunks) if last else _prefix(chunks)
    if first < len(chunks):  # no page map: find where the page numbers gain a digit first
        guess = _corrected(chunks, guess, lay(guess, widest, range(first)))
    for _ in range(MAX_PASSES):
        results = lay(guess, widest, range(len(chunks)))
        pages = _page_map(results)
        if _settled(chunks, pages, guess, widest):
            ctx.report.extend(d for r in results for d in r.diagnostics)
            return results, pages
        guess, widest = {**guess, **pages.anchors}, pages.digits
    raise dg.GlossaryError(dg.make(dg.TOOL_FAILED, "", 0, 0,
                                   f"page numbers did not settle after {MAX_PASSES} passes",
                                   "report this with the book that causes it"))


class _Layout:
    """Lays out chunks with given guesses; a chunk whose HTML was laid out before (in this build
    or, by the cache, in an earlier one) is not laid out again."""

    def __init__(self, doc: compose.PrintDocument, chunks: Sequence[Chunk], where: Setting,
                 ctx: BuildContext, pool: Pool) -> None:
        self.doc, self.chunks, self.where, self.ctx, self.pool = doc, chunks, where, ctx, pool
        self.done: dict[int, tuple[str, ChunkResult]] = {}  # chunk -> the HTML it was laid out with
        self.passes = 0

    def __call__(self, guess: Mapping[str, int], widest: int, which: range) -> list[ChunkResult]:
        jobs = [_job(i, self.chunks[i], self.doc, self.where, guess, widest) for i in which]
        known = {j.index: self.done[j.index][1] for j in jobs
                 if j.index in self.done and self.done[j.index][0] == j.html}
        known |= {j.index: r for j in jobs if j.index not in known
                  and (r := stored.load(self.ctx.cache, self.where.fingerprint, j)) is not None}
        self.passes += 1
        self.ctx.progress(f"laying out {len(jobs) - len(known)} part(s), pass {self.passes}")
        results = self.pool.run(jobs, known)
        for job, result in zip(jobs, results, strict=True):
            _fail_on(result, self.ctx.report)
            if job.index not in known:
                stored.save(self.ctx.cache, self.where.fingerprint, job, result)
            self.done[job.index] = (job.html, result)
        return results


def _prefix(chunks: Sequence[Chunk]) -> int:
    """Without a page map, the chunks to lay out first: those up to a little past the estimated
    page where the numbers gain their last digit (page 100 of a 530-page book). Once they are
    laid out, every later anchor is known to lie past it, and only the chunks whose references
    point near that page can have guessed wrong; the rest are laid out once."""
    starts = _starts(chunks)
    total = starts[-1] if starts else 1
    boundary = 10 ** (len(str(total)) - 1)
    if boundary < 10:
        return len(chunks)
    past = [i for i, start in enumerate(starts[:-1]) if start > boundary * PREFIX_MARGIN]
    # one part alone would leave the other workers idle for longer than a second round costs
    return past[0] if past and past[0] >= 2 else len(chunks)


def _corrected(chunks: Sequence[Chunk], guess: Mapping[str, int],
               laid: Sequence[ChunkResult]) -> dict[str, int]:
    """The guesses after the first chunks were laid out: their anchors' real pages, and every
    later anchor moved by how far the estimate of those chunks' pages was off."""
    real = _page_map(laid)
    shift = sum(r.pages for r in laid) - (_starts(chunks)[len(laid)] - 1)
    later = {a for c in chunks[len(laid):] for a in c.places}
    return {**guess, **{a: guess[a] + shift for a in later if a in guess}, **real.anchors}


def _digits(page: int | None) -> int:
    return len(str(page)) if page else 1


def _settled(chunks: Sequence[Chunk], pages: PageMap, guess: Mapping[str, int], widest: int) -> bool:
    """Whether every reference was laid out with the count of digits its page has."""
    for chunk in chunks:
        if chunk.numbers and widest != pages.digits:
            return False
        for anchor in chunk.refs:
            if _digits(guess.get(anchor)) != _digits(pages.anchors.get(anchor)):
                return False
    return True


def _starts(chunks: Sequence[Chunk]) -> list[int]:
    """The estimated first page of every chunk, and one past the last page."""
    starts = [1]
    for chunk in chunks:
        starts.append(starts[-1] + chunk.pages)
    return starts


def _estimate(chunks: Sequence[Chunk]) -> dict[str, int]:
    """A first guess at every anchor's page, from the chunks' sizes and where it stands."""
    guess: dict[str, int] = {}
    starts = _starts(chunks)
    for chunk, start, end in zip(chunks, starts, starts[1:], strict=False):
        for anchor, place in chunk.places.items():
            guess.setdefault(anchor, start + int(place * (end - start)))
    return guess


def _fail_on(result: ChunkResult, report: dg.Report) -> None:
    if result.failed:
        report.extend(result.diagnostics[1:])
        raise dg.GlossaryError(result.diagnostics[0])


def _job(index: int, chunk: Chunk, doc: compose.PrintDocument, where: Setting,
         guess: Mapping[str, int], widest: int) -> ChunkJob:
    body = _REF.sub(lambda m: "0" * _digits(guess.get(html.unescape(m.group(1)))), chunk.body)
    return ChunkJob(
        index=index,
        html=doc.head + body.replace(PN_PLACEHOLDER, "0" * widest) + doc.tail,
        css=_generated_css(where.page_size),
        stylesheets=where.stylesheets,
        base_url=where.base_url,
        roots=where.roots,
        origins=doc.origins,
        files=where.files,
    )


def _generated_css(size: str) -> str:
    """Page size (book.toml); the placeholders of the numbers painted after layout, hidden."""
    return f"@page {{ size: {size}; }}\n.pn, .pnum {{ visibility: hidden; }}\n"


def _page_map(results: Sequence[ChunkResult]) -> PageMap:
    anchors: dict[str, int] = {}
    offset = 0
    for r in results:
        for name, page in r.anchors.items():
            anchors.setdefault(name, offset + page)
        offset += r.pages
    return PageMap(anchors, len(str(max(offset, 1))))
