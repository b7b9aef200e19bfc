"""The build's phases: read (load → resolve; stop here for `check`) → write each format.

Mirrors Sphinx's READING → RESOLVING → WRITING: every file is read and every link resolved
before any writer runs, so writers only ever see a complete, consistent `Book`. This module
imports the formats; no format imports it.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from pathlib import Path

import jinja2

from . import diagnostics as dg
from .formats import FORMATS, order, writer
from .formats.context import STYLES_DIR, BuildContext, Progress
from .normalise import read_book


def _quiet(_: str) -> None:
    pass


def build(source: Path, out_dir: Path, formats: Sequence[str], report: dg.Report,
          progress: Progress = _quiet, styles_dir: Path = STYLES_DIR) -> dict[str, Path]:
    """Read, resolve, then write each requested format; returns format -> output path."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise dg.GlossaryError(dg.make(dg.CONFIG_INVALID, "", 0, 0,
                                       f"unknown format {', '.join(unknown)}",
                                       f"choose from {', '.join(FORMATS)}"), exit_code=2)
    book = read_book(source, report, progress)
    if report.strict and report.errors:
        raise dg.GlossaryError(dg.make(
            dg.OUTPUT_INVALID, "", 0, 0,
            f"nothing built: {len(report.errors)} error(s) under --strict",
            "fix them, or build without --strict to publish with broken links as plain text"))
    ctx = BuildContext(report, styles_dir, progress)
    failed: list[dg.GlossaryError] = []
    for fmt in order(formats):
        progress(f"building {fmt}")
        try:
            ctx.built[fmt] = writer(fmt)(book, out_dir, ctx)
        except dg.GlossaryError as exc:  # one format failing does not cost the others
            if exc.exit_code != 1:
                raise
            failed.append(exc)
        except jinja2.TemplateError as exc:  # a customised template: the author's to fix
            failed.append(dg.GlossaryError(_template_failure(exc, fmt, styles_dir)))
    ctx.commit(ok=not failed)  # --strict: all outputs or none (see BuildContext.commit)
    if failed:
        report.extend(exc.diagnostic for exc in failed[1:])
        raise failed[0]
    return dict(ctx.built)


def _template_failure(exc: jinja2.TemplateError, fmt: str, styles_dir: Path) -> dg.Diagnostic:
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
