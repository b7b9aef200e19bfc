"""Laying out one chunk with WeasyPrint, in a worker process (`pool`): the job and its result.

Nothing a worker does escapes as a traceback: exceptions, refused resources and WeasyPrint's
log records all come back as `Diagnostic` records in the `ChunkResult`, with the chunk's PDF
and where its page numbers and formulas go (`pagenumbers`).
"""

from __future__ import annotations

import logging
import resource
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ... import diagnostics as dg
from .compose import Origin
from .pagenumbers import ChunkPaint, collect
from .runningheads import one_term_per_page

_NO_ANCHOR = "No anchor #"


@dataclass(frozen=True)
class ChunkJob:
    """One chunk to lay out and turn into PDF bytes."""

    index: int
    html: str
    css: str  # the generated sheet: page size, page-number width
    stylesheets: tuple[str, ...]  # CSS files, in cascade order after `css`
    base_url: str
    roots: tuple[str, ...]  # folders whose files may be read
    origins: Mapping[str, Origin]
    files: tuple[str, ...] = ()  # single files that may be read (resolved images)


@dataclass(frozen=True)
class ChunkResult:
    index: int
    pages: int
    anchors: Mapping[str, int]  # anchor -> page within the chunk (1-based), first occurrence
    pdf: bytes | None
    diagnostics: tuple[dg.Diagnostic, ...]
    paint: ChunkPaint | None = None  # where its page numbers go
    dead_anchors: tuple[str, ...] = ()  # internal links WeasyPrint found no anchor for
    seconds: float = 0.0
    peak_rss_kb: int = 0
    failed: bool = False
    extra: dict[str, float] = field(default_factory=dict)


def render_chunk(job: ChunkJob) -> ChunkResult:
    """Lay out one chunk; never raises (failures become a GL604 diagnostic)."""
    started = time.perf_counter()
    records: list[logging.LogRecord] = []
    try:
        with _weasyprint_log(records):
            result = _render(job, records, started)
    except Exception as exc:  # the worker must report, not crash the pool
        diag = dg.make(dg.TOOL_FAILED, "", 0, 0,
                       f"WeasyPrint failed on part {job.index + 1} of the PDF: {type(exc).__name__}: {exc}",
                       "run `glossary build -v --format pdf` and report the message")
        return ChunkResult(job.index, 0, {}, None, (diag,), failed=True,
                           seconds=time.perf_counter() - started, peak_rss_kb=_peak_rss())
    return result


def _render(job: ChunkJob, records: list[logging.LogRecord], started: float) -> ChunkResult:
    from weasyprint import CSS, HTML

    from .fetcher import GlossaryFetcher
    from .linebreak import install

    install()
    # WeasyPrint lays out nested boxes recursively: a list nested 100 deep needs more frames
    # than Python's default 1,000 (Python-to-Python calls no longer use the C stack).
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))

    fetcher = GlossaryFetcher([Path(r) for r in job.roots], job.origins, [Path(f) for f in job.files])
    sheets = [CSS(string=job.css, url_fetcher=fetcher)]
    sheets += [CSS(filename=name, url_fetcher=fetcher) for name in job.stylesheets]
    document = HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher).render(
        stylesheets=sheets)
    laid_out = time.perf_counter()
    anchors: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for name in page.anchors:
            anchors.setdefault(name, number)
        page.links[:] = _outermost(page.links)
    one_term_per_page(document)
    paint = collect(document)
    collected = time.perf_counter()
    pdf = document.write_pdf()
    refused = {d.message for d in fetcher.refused}
    diags, dead = _diagnostics(records, refused)
    return ChunkResult(job.index, len(document.pages), anchors, pdf,
                       tuple(fetcher.refused) + diags, paint, dead,
                       seconds=time.perf_counter() - started, peak_rss_kb=_peak_rss(),
                       extra={"layout": laid_out - started, "slots": collected - laid_out})


Link = tuple[str, str, tuple[float, float, float, float], object]  # type, target, (x1, y1, x2, y2), box


def _outermost(links: list[Link]) -> list[Link]:
    """One annotation per link, not one per box inside it.

    WeasyPrint annotates every inline box a link contains (the page reference's spans, a
    <strong>): three or more annotations per cross-reference, which bloat the PDF and the
    merge. A link that lies horizontally within another to the same target on the same line
    adds nothing.
    """
    kept: list[Link] = []
    for link in sorted(links, key=lambda k: k[2][0] - k[2][2]):  # widest first
        _, target, (x1, y1, x2, y2), _ = link
        if not any(k[1] == target and k[2][0] - 1 <= x1 and x2 <= k[2][2] + 1
                   and y1 < k[2][3] - 1 and k[2][1] < y2 - 1 for k in kept):  # same line, not touching
            kept.append(link)
    return sorted(kept, key=lambda k: (k[2][1], k[2][0]))


def _diagnostics(records: Sequence[logging.LogRecord],
                 refused: set[str]) -> tuple[tuple[dg.Diagnostic, ...], tuple[str, ...]]:
    """WeasyPrint's warnings as GL602; its dead internal links as names (the caller locates them)."""
    out: list[dg.Diagnostic] = []
    dead: list[str] = []
    for record in records:
        message = record.getMessage()
        if message.startswith(_NO_ANCHOR):
            dead.append(str(record.args[0]) if record.args else message)  # type: ignore[index]
            continue
        if any(_mentions(message, r) for r in refused):
            continue  # already reported as GL601 by the fetcher
        out.append(dg.make(dg.RENDER_WARNING, "", 0, 0, f"WeasyPrint: {message.strip()}",
                           "check the entry or stylesheet the message names"))
    return tuple(out), tuple(dead)


def _mentions(message: str, refusal: str) -> bool:
    url = refusal.removeprefix("resource refused: ").split(": ", 1)[0].rstrip("…")
    return bool(url) and url in message


class _Collect(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.WARNING)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _weasyprint_log(records: list[logging.LogRecord]) -> Iterator[None]:
    """Take every warning WeasyPrint logs during the render; let none reach other handlers."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect(records)
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def _peak_rss() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
