"""WeasyPrint in worker processes: one chunk of the book per job, its log turned into diagnostics.

A worker process keeps WeasyPrint's memory (which grows with the page count and is never given
back) out of the build process, and several workers lay out chunks on several cores. Nothing
a worker does escapes as a traceback: exceptions, refused resources and WeasyPrint's log
records all come back as `Diagnostic` records in the `ChunkResult`, with the chunk's PDF and
where its page numbers and formulas go (`pdf_slots`). One more process, the joiner, appends
each chunk's PDF as soon as the chunks before it have arrived (`pdf_merge`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .. import diagnostics as dg
from .pdf_html import Origin
from .pdf_math import Form
from .pdf_merge import Merged, Metadata, add, finish, start
from .pdf_overlay import PageStamp
from .pdf_slots import ChunkPaint, DigitFont, collect

WORKERS_ENV = "GLOSSARY_PDF_JOBS"
_NO_ANCHOR = "No anchor #"


@dataclass(frozen=True)
class ChunkJob:
    """One chunk to lay out and turn into PDF bytes."""

    index: int
    html: str
    css: str  # the generated sheet: page size, page-number width
    stylesheets: tuple[str, ...]  # CSS files, in cascade order after `css`
    base_url: str
    roots: tuple[str, ...]
    origins: Mapping[str, Origin]


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

    from .pdf_fetcher import GlossaryFetcher
    from .pdf_linebreak import install

    install()
    # WeasyPrint lays out nested boxes recursively: a list nested 100 deep needs more frames
    # than Python's default 1,000 (Python-to-Python calls no longer use the C stack).
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))

    fetcher = GlossaryFetcher([Path(r) for r in job.roots], job.origins)
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


def warm_up(language: str) -> None:
    """Import WeasyPrint and load the hyphenation patterns before the first chunk arrives."""
    import pyphen
    import weasyprint  # noqa: F401

    if language and pyphen.language_fallback(language.replace("-", "_")):
        pyphen.Pyphen(lang=language.replace("-", "_"))


def worker_count(chunks: int) -> int:
    """Workers to start: one per core (or $GLOSSARY_PDF_JOBS), never more than chunks."""
    wanted = os.environ.get(WORKERS_ENV, "").strip()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    count = int(wanted) if wanted.isdigit() and int(wanted) > 0 else cores
    return max(1, min(count, chunks))


class Pool:
    """Worker processes for the whole build, started with `spawn`.

    `spawn` gives each worker a fresh interpreter: none of the build process's memory is
    copied, and a crashed or killed worker surfaces as a GL604 diagnostic.
    """

    def __init__(self, workers: int, language: str = "") -> None:
        spawn = multiprocessing.get_context("spawn")
        self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=spawn)
        for _ in range(workers):  # start them now; a failure here shows again on a real job
            self.executor.submit(warm_up, language)
        # The joiner: pypdf's objects for a whole book are large, and a worker that has laid
        # out chunks already holds all the memory it ever had, so the parts meet elsewhere.
        self.joiner = ProcessPoolExecutor(max_workers=1, mp_context=spawn)
        self.joining: list[Future[int]] = [self.joiner.submit(start)]

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.joiner.shutdown(wait=True, cancel_futures=True)

    def run(self, jobs: Sequence[ChunkJob]) -> list[ChunkResult]:
        """Render every job, in order; each PDF goes to the joiner as soon as the ones before it have."""
        if len(self.joining) > 1:  # a pass before this one: its parts are of no use
            self.joining = [self.joiner.submit(start)]
        futures = [(j, self.executor.submit(render_chunk, j)) for j in jobs]
        results = []
        for job, future in futures:
            results.append(self._result(job, future))
            if results[-1].pdf is not None:
                self.joining.append(self.joiner.submit(add, results[-1].pdf))
        return results

    def join(self, meta: Metadata, stamps: Sequence[PageStamp], fonts: Mapping[str, DigitFont],
             forms: Mapping[str, Form]) -> Merged:
        """The joined PDF of the last `run`, numbers and formulas painted on."""
        try:
            for appended in self.joining:
                appended.result()
            return self.joiner.submit(finish, meta, list(stamps), dict(fonts), dict(forms)).result()
        except Exception as exc:  # a pypdf error or a dead joiner: a diagnostic, not a traceback
            raise dg.GlossaryError(dg.make(
                dg.TOOL_FAILED, "", 0, 0, f"joining the PDF parts failed: {type(exc).__name__}: {exc}",
                "the machine may be out of memory")) from exc

    @staticmethod
    def _result(job: ChunkJob, future: Future[ChunkResult]) -> ChunkResult:
        try:
            return future.result()
        except (BrokenProcessPool, OSError, RuntimeError) as exc:
            diag = dg.make(dg.TOOL_FAILED, "", 0, 0,
                           f"the PDF worker for part {job.index + 1} died: {type(exc).__name__}: {exc}",
                           "the machine may be out of memory; set GLOSSARY_PDF_JOBS=1 and retry")
            return ChunkResult(job.index, 0, {}, None, (diag,), failed=True)
