"""The PDF's worker processes: layout workers for the chunks and one joiner.

A worker process keeps WeasyPrint's memory (which grows with the page count and is never given
back) out of the build process, and several workers lay out chunks on several cores. One more
process, the joiner, appends each chunk's PDF as soon as the chunks before it have arrived
(`join`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ... import diagnostics as dg
from .formulas import Form
from .join import Merged, Metadata, add, finish, start
from .layout import ChunkJob, ChunkResult, render_chunk
from .pagenumbers import DigitFont
from .paint import PageStamp

WORKERS_ENV = "GLOSSARY_PDF_JOBS"


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

    def run(self, jobs: Sequence[ChunkJob], known: Mapping[int, ChunkResult] | None = None
            ) -> list[ChunkResult]:
        """Every job's result, in order: laid out now, or `known` (by chunk index: from an earlier
        pass or the cache). Each PDF goes to the joiner as soon as the ones before it have."""
        known = known or {}
        if len(self.joining) > 1:  # a pass before this one: the join starts again
            self.joining = [self.joiner.submit(start)]
        futures = {j.index: self.executor.submit(render_chunk, j) for j in jobs if j.index not in known}
        results = []
        for job in jobs:
            results.append(known[job.index] if job.index in known else self._result(job, futures[job.index]))
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
