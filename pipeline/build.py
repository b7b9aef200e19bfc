"""The build's phases: read (load → resolve; stop here for `check`) → write each format.

Mirrors Sphinx's READING → RESOLVING → WRITING: every file is read and every link resolved
before any writer runs, so writers only ever see a complete, consistent `Book`. This module
imports the formats; no format imports it.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import diagnostics as dg
from .cache import Cache
from .formats import FORMATS, order, writer
from .formats.context import STYLES_DIR, BuildContext, Progress
from .model import Book
from .normalise import book_cache, read_book

__all__ = ["book_cache", "build", "read_book", "write_formats"]


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
    book = read_book(source, report, progress, cache)
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
    """Phase 3 for a book already read (the release sets its version first)."""
    ctx = BuildContext(report, styles_dir, progress, built=dict(artifacts or {}),
                       cache=cache or Cache(None))
    failed: list[dg.GlossaryError] = []
    for fmt in order(formats):
        progress(f"building {fmt}")
        try:
            ctx.built[fmt] = writer(fmt)(book, out_dir, ctx)
        except dg.GlossaryError as exc:  # one format failing does not cost the others
            if exc.exit_code != 1:
                raise
            failed.append(exc)
        except Exception as exc:
            if not _is_template_error(exc):
                raise
            # a customised template: the author's to fix
            failed.append(dg.GlossaryError(_template_failure(exc, fmt, styles_dir)))
    ctx.commit(ok=not failed)  # --strict: all outputs or none (see BuildContext.commit)
    if failed:
        report.extend(exc.diagnostic for exc in failed[1:])
        raise failed[0]
    return {fmt: path for fmt, path in ctx.built.items() if fmt in formats}


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
