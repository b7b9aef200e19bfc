"""The PDF's worker processes: layout workers for the chunks and one joiner.

A worker process keeps WeasyPrint's memory (which grows with the page count and is never given
back) out of the build process, and several workers lay out chunks on several cores. One more
process, the joiner, appends each chunk's PDF as soon as the chunks before it have arrived
(`join`).
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TypeVar

from ... import diagnostics as dg
from ... import limits
from ...runtime import tune_gc
from .formulas import Form
from .join import Merged, Metadata, add, finish, start
from .layout import ChunkJob, ChunkResult, render_chunk
from .pagenumbers import DigitFont
from .paint import PageStamp

WORKERS_ENV = "GLOSSARY_PDF_JOBS"
_POLL = 0.25  # seconds between looks at the run's stop while a chunk is laid out
_T = TypeVar("_T")


def _worker_start(scratch: str) -> None:
    """Ctrl-C is the build's to handle: a worker that took it too would print a traceback.
    A worker lays out pages all its life: the collector tuned like the command's (`runtime`).
    Its temporary files (WeasyPrint's font folders) go to the pool's `scratch` folder, which
    the pool removes. It ends without the interpreter's clean-up (`_end_now`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tune_gc()
    tempfile.tempdir = scratch
    atexit.register(_end_now)


def _end_now() -> None:
    """A worker's last act once the pool has shut it down: leave at once.

    A normal exit frees every object a finished layout left behind, module by module, and
    collects the rest: 1.5 s for two workers of a 350-entry book, and 0.6 s for the joiner,
    which the build waited for. A worker holds nothing that must be done at its end: its
    results went back through the pool, WeasyPrint's log records with them (`layout`), so it
    writes nothing to the standard streams; the temporary files the skipped finalisers would
    have removed are in the pool's scratch folder. Handlers registered after this one (there
    are none today) have run already: atexit runs them last in, first out."""
    os._exit(0)


class _HeldCtrlC:
    """A Ctrl-C that came while the processes were started, to hand on once they all have."""

    def __init__(self) -> None:
        self.pending = False
        self.handler: object = None

    def hold(self, _signum: int, _frame: object) -> None:
        self.pending = True

    def deliver(self) -> None:
        """Raise it as the handler it was meant for would have (Python's raises KeyboardInterrupt)."""
        if callable(self.handler):
            self.handler(signal.SIGINT, None)
        elif self.handler != signal.SIG_IGN:
            raise KeyboardInterrupt


@contextmanager
def _workers_ignore_ctrl_c() -> Iterator[_HeldCtrlC]:
    """Start processes with SIGINT blocked: the signal mask is inherited across exec, so a
    Ctrl-C cannot hit a worker still importing, before `_worker_start` makes it ignore SIGINT.

    The mask is the calling thread's only, and the build's other threads (the cache writer's,
    the pool's own) take the signal; Python then raises KeyboardInterrupt in the main thread,
    which may be in the middle of starting a process: the child, never sent what it was to run,
    dies with a traceback. So in the main thread a Ctrl-C meanwhile is held (`_HeldCtrlC`), for
    the caller to deliver once it has ended what it started."""
    held = _HeldCtrlC()
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:
        held.handler = signal.signal(signal.SIGINT, held.hold)
    mask = hasattr(signal, "pthread_sigmask")
    if mask:
        # multiprocessing's resource tracker, started with the first process, unblocks SIGINT
        # after its own start: it must be running before the mask is set.
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield held
    finally:
        if mask:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        if in_main:
            signal.signal(signal.SIGINT, held.handler)  # type: ignore[arg-type]


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
        # Removed at the end even when the workers were killed and no finaliser of theirs ran.
        self.scratch = tempfile.mkdtemp(prefix="glossary-pdf-")
        with _workers_ignore_ctrl_c() as held:  # submit() starts the processes
            self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=spawn,
                                                initializer=_worker_start, initargs=(self.scratch,))
            for _ in range(workers):  # start them now; a failure here shows again on a real job
                self.executor.submit(warm_up, language)
            # The joiner: pypdf's objects for a whole book are large, and a worker that has laid
            # out chunks already holds all the memory it ever had, so the parts meet elsewhere.
            self.joiner = ProcessPoolExecutor(max_workers=1, mp_context=spawn, initializer=_worker_start,
                                              initargs=(self.scratch,))
            self.joining: list[Future[int]] = [self.joiner.submit(start)]
        if held.pending:
            self.__exit__(KeyboardInterrupt)
            held.deliver()

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is not None:  # the time is up, Ctrl-C, a failure: stop what still runs
            for executor in (self.executor, self.joiner):
                _terminate(executor)
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.joiner.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.scratch, ignore_errors=True)

    def run(self, jobs: Sequence[ChunkJob], known: Mapping[int, ChunkResult] | None = None
            ) -> list[ChunkResult]:
        """Every job's result, in order: laid out now, or `known` (by chunk index: from an earlier
        pass or the cache). Each PDF goes to the joiner as soon as the ones before it have."""
        known = known or {}
        if len(self.joining) > 1:  # a pass before this one: the join starts again
            self.joining = [self.joiner.submit(start)]
        futures = {j.index: self.executor.submit(render_chunk, j)
                   for j in longest_first(j for j in jobs if j.index not in known)}
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
                _within_budget(appended)
            return _within_budget(self.joiner.submit(finish, meta, list(stamps), dict(fonts), dict(forms)))
        except (limits.TimeBudgetExceeded, limits.Stopped):
            raise
        except Exception as exc:  # a pypdf error or a dead joiner: a diagnostic, not a traceback
            raise dg.GlossaryError(dg.make(
                dg.TOOL_FAILED, "", 0, 0, f"joining the PDF parts failed: {type(exc).__name__}: {exc}",
                "the machine may be out of memory")) from exc

    @staticmethod
    def _result(job: ChunkJob, future: Future[ChunkResult]) -> ChunkResult:
        try:
            return _within_budget(future)
        except (BrokenProcessPool, OSError, RuntimeError) as exc:
            diag = dg.make(dg.TOOL_FAILED, "", 0, 0,
                           f"the PDF worker for part {job.index + 1} died: {type(exc).__name__}: {exc}",
                           "the machine may be out of memory; set GLOSSARY_PDF_JOBS=1 and retry")
            return ChunkResult(job.index, 0, {}, None, (diag,), failed=True)


def longest_first(jobs: Iterable[ChunkJob]) -> list[ChunkJob]:
    """The order to hand jobs to the workers in: the longest first (layout time grows with the
    HTML, 12–14 s a MB). In the order of the book, the biggest letter group of 1,000 entries
    (186 pages, 15 s) came last in its pass and one core waited for it alone for 13 s. Results
    are still taken, and joined, in the order of the book."""
    return sorted(jobs, key=lambda job: (-len(job.html), job.index))


def _within_budget(future: Future[_T]) -> _T:
    """The future's result, or TimeBudgetExceeded when the format's time is up first (or
    `limits.Stopped` when the run was stopped: asked again every fraction of a second)."""
    while True:
        try:
            return future.result(timeout=limits.timeout(_POLL))
        except FutureTimeout:
            limits.remaining()  # raises when the time is up or the run was stopped


def _terminate(executor: ProcessPoolExecutor) -> None:
    """Kill the pool's processes (Python 3.14 has `terminate_workers`; before it, the pool's own
    table of processes is the only handle on them)."""
    stop = getattr(executor, "terminate_workers", None)
    if stop is not None:
        stop()
        return
    for process in list(getattr(executor, "_processes", {}).values()):
        if process.is_alive():
            process.kill()
