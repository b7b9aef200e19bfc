"""The build's phases: read (load → resolve; stop here for `check`) → write each format.

Mirrors Sphinx's READING → RESOLVING → WRITING: every file is read and every link resolved
before any writer runs, so writers only ever see a complete, consistent `Book`. This module
imports the formats; no format imports it.

Around the writers: the output folder is checked and locked first (`outdir`); each format runs
within its time budget (`[limits] time`); a format that fails — a broken template, a renderer
crash, pandoc, its budget — costs only itself (and the formats that need the same shared
rendering), never the others; a full or read-only disk ends the run with one error. The PDF,
laid out by worker processes, is built beside the other formats (`_Run`).
"""

from __future__ import annotations

import contextvars
import sys
import threading
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import diagnostics as dg
from . import limits, outdir
from .cache import Cache
from .formats import FORMATS, order, writer
from .formats.context import STYLES_DIR, BuildContext, Progress
from .limits import shown_time
from .model import Book
from .normalise import book_cache, read_book
from .pandoc import PandocError

__all__ = ["book_cache", "build", "read_book", "write_formats"]
DOWNLOADS = ("pdf", "epub", "docx", "json", "skos")  # formats the site offers as downloads


def _quiet(_: str) -> None:
    pass


def build(source: Path, out_dir: Path, formats: Sequence[str], report: dg.Report,
          progress: Progress = _quiet, styles_dir: Path = STYLES_DIR,
          cache: Cache | None = None, artifacts: Mapping[str, Path] | None = None) -> dict[str, Path]:
    """Read, resolve, then write each requested format; returns format -> output path.

    With a `cache`, what was computed from the same inputs before is reused (same bytes).
    `artifacts` are outputs of formats built earlier and not rebuilt now (`glossary serve`'s
    background PDF); the site links them as downloads as if they had been built in this run.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise dg.GlossaryError(dg.make(dg.CONFIG_INVALID, "", 0, 0,
                                       f"unknown format {', '.join(unknown)}",
                                       f"choose from {', '.join(FORMATS)}"), exit_code=2)
    outdir.check(out_dir)
    with (cache or Cache(None)).flushed():  # what the build stored is in the files when it returns
        book = read_book(source, report, progress, cache, out_dir=out_dir, flush=False)
        if report.strict and report.errors:
            raise dg.GlossaryError(dg.make(
                dg.OUTPUT_INVALID, "", 0, 0,
                f"nothing built: {len(report.errors)} error(s) under --strict",
                "fix them, or build without --strict to publish with broken links as plain text"))
        return write_formats(book, out_dir, formats, report, progress, styles_dir, cache, artifacts)


def write_formats(book: Book, out_dir: Path, formats: Sequence[str], report: dg.Report,
                  progress: Progress = _quiet, styles_dir: Path = STYLES_DIR,
                  cache: Cache | None = None, artifacts: Mapping[str, Path] | None = None
                  ) -> dict[str, Path]:
    """Phase 3 for a book already read (the release sets its version first), under the lock
    of the output folder."""
    outdir.check(out_dir)
    ctx = BuildContext(report, styles_dir, progress, built=dict(artifacts or {}),
                       cache=cache or Cache(None))
    with ctx.cache.flushed(), outdir.locked(out_dir):
        return _write(book, out_dir, formats, ctx)


def _write(book: Book, out_dir: Path, formats: Sequence[str], ctx: BuildContext) -> dict[str, Path]:
    print_ = outdir.fingerprint(book.source_dir, ctx.styles_dir, skip=_outputs_in(book, out_dir))
    # Downloads the site links without building them again: still there, built from the same.
    ctx.previous.update(outdir.current(out_dir, tuple(f for f in DOWNLOADS if f not in formats
                                                      and f not in ctx.built), print_))
    names = order(formats)
    run = _Run(book, out_dir, ctx)
    run.all(names)
    failed = [run.failed[f] for f in names if f in run.failed]  # in run order, however they ended
    ctx.commit(ok=not failed)  # --strict: all outputs or none (see BuildContext.commit)
    if not ctx.strict or not (failed or ctx.report.errors):  # what is in place now is this run's
        for fmt in (f for f in names if f in run.written):
            outdir.record(out_dir, fmt, ctx.built[fmt], print_)
    if failed:
        # The first is raised (and shown) on its own; formats that failed alike are said once.
        ctx.report.extend(exc.diagnostic for exc in failed[1:] if exc.diagnostic != failed[0].diagnostic)
        raise failed[0]
    # In run order: the PDF, built beside the others, may end after formats that follow it.
    return {fmt: ctx.built[fmt] for fmt in names if fmt in ctx.built}


class _Run:
    """The formats of one run: a `beside` format (the PDF) in a thread of its own, started
    first; the others one after another meanwhile, each once the formats it `uses` are done.

    The PDF's own thread mostly waits for its layout workers, so the build process is free for
    the other formats meanwhile. What that gains is the time one after the other leaves cores
    idle: on two cores, where the PDF's two workers keep both busy most of the time, a build of
    all formats of 350 entries took 4 % less (0–9 %). Ctrl-C reaches only the main thread: it
    stops the run (`limits.stoppable`), the PDF's workers are ended and the thread is awaited.
    """

    def __init__(self, book: Book, out_dir: Path, ctx: BuildContext) -> None:
        self.book, self.out_dir, self.ctx = book, out_dir, ctx
        self.failed: dict[str, dg.GlossaryError] = {}
        self.written: set[str] = set()
        self._beside: dict[str, tuple[threading.Thread, list[BaseException]]] = {}
        self._stop = threading.Event()

    def all(self, names: Sequence[str]) -> None:
        with limits.stoppable(self._stop):
            try:
                for fmt in names:
                    if FORMATS[fmt].beside and len(names) > 1:
                        self._start(fmt)
                for fmt in names:
                    if fmt not in self._beside:
                        for used in FORMATS[fmt].uses:
                            self._await(used)
                        self.one(fmt)
                for fmt in names:
                    self._await(fmt)
            except BaseException:
                self._stop.set()
                for thread, _ in self._beside.values():
                    thread.join()
                raise

    def one(self, fmt: str) -> None:
        """Build one format; a failure of its own is kept in `failed`, the others raise."""
        ctx = self.ctx
        ctx.progress(f"building {fmt}")
        try:
            with limits.budget(self.book.config.limits.time):
                ctx.built[fmt] = writer(fmt)(self.book, self.out_dir, ctx)
            self.written.add(fmt)
        except dg.GlossaryError as exc:  # one format failing does not cost the others
            if exc.exit_code != 1:
                raise
            self.failed[fmt] = exc
        except limits.TimeBudgetExceeded:
            self.failed[fmt] = dg.GlossaryError(dg.make(
                dg.TIME_BUDGET, "", 0, 0,
                f"the {fmt} took longer than [limits] time ({shown_time(self.book.config.limits.time)}); "
                "not written (the previous file is kept)",
                "make the book smaller, or raise time in book.toml's [limits]"))
        except (PandocError, RecursionError, MemoryError) as exc:
            self.failed[fmt] = dg.GlossaryError(_tool_failure(exc, fmt))
        except Exception as exc:
            if not _is_template_error(exc):
                raise
            # a customised template: the author's to fix
            self.failed[fmt] = dg.GlossaryError(_template_failure(exc, fmt, ctx.styles_dir))

    def _start(self, fmt: str) -> None:
        raised: list[BaseException] = []

        def work() -> None:
            try:
                self.one(fmt)
            except BaseException as exc:  # handed to the main thread, which raises it
                raised.append(exc)

        # The copy of the context carries the run's stop into the thread.
        thread = threading.Thread(target=contextvars.copy_context().run, args=(work,),
                                  name=f"glossary-{fmt}", daemon=True)
        self._beside[fmt] = (thread, raised)
        thread.start()

    def _await(self, fmt: str) -> None:
        """Wait for a format built beside; what escaped it is raised here."""
        if fmt in self._beside:
            thread, raised = self._beside[fmt]
            thread.join()
            if raised:
                raise raised[0]


def _outputs_in(book: Book, out_dir: Path) -> tuple[Path, ...]:
    """What this build writes, which is no input even when `--out` is the source folder."""
    if out_dir.resolve() != book.source_dir.resolve():
        return (out_dir,)
    slug = book.config.slug
    return (out_dir / "html", *(out_dir / f"{slug}.{ext}" for ext in ("md", "docx", "pdf", "epub")))


def _tool_failure(exc: Exception, fmt: str) -> dg.Diagnostic:
    what = ("the book nests too deeply for it" if isinstance(exc, RecursionError) else
            "out of memory" if isinstance(exc, MemoryError) else f"pandoc failed: {exc}")
    return dg.make(dg.TOOL_FAILED, "", 0, 0, f"the {fmt} was not written: {what}",
                   "the other formats were built; run with -v and report the message")


def _is_template_error(exc: Exception) -> bool:
    """A Jinja2 error (Jinja2 is imported only by the formats that use templates: `check` and a
    build of md alone never load it, so an error can only be one when it is loaded)."""
    jinja2 = sys.modules.get("jinja2")
    return jinja2 is not None and isinstance(exc, jinja2.TemplateError)


def _template_failure(exc: Exception, fmt: str, styles_dir: Path) -> dg.Diagnostic:
    """Where in which template it failed: the syntax error's own position, or the deepest
    template frame of the traceback for an error while rendering."""
    file, line = getattr(exc, "filename", None), getattr(exc, "lineno", None) or 0
    if not file:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename.startswith(str(styles_dir.resolve()))]
        file, line = (frames[-1].filename, frames[-1].lineno or 0) if frames else ("", 0)
    shown = str(Path(file).resolve().relative_to(styles_dir.resolve())) if file and Path(
        file).resolve().is_relative_to(styles_dir.resolve()) else (file or str(styles_dir))
    return dg.make(dg.TEMPLATE_FAILED, shown, line, 0,
                   f"the {fmt} template failed: {type(exc).__name__}: {exc}",
                   f"fix the template in {styles_dir} (or build with the default styles)")
