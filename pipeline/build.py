"""The build's phases: load → resolve → (stop here for `check`) → write each format.

Mirrors Sphinx's READING → RESOLVING → WRITING: every file is read and every link resolved
before any writer runs, so writers only ever see a complete, consistent `Book`.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from . import diagnostics as dg
from .config import load_config, severities
from .formats import FORMATS, writer
from .load import load
from .model import Book
from .output import atomic_file
from .resolve import resolve

if TYPE_CHECKING:
    from .render import RenderedBook

Progress = Callable[[str], None]
# An installed wheel carries the styles inside the package; a checkout keeps them next to it.
_HERE = Path(__file__).resolve().parent
STYLES_DIR = _HERE / "styles" if (_HERE / "styles").is_dir() else _HERE.parent / "styles"


def _quiet(_: str) -> None:
    pass


def read_book(source: Path, report: dg.Report, progress: Progress = _quiet) -> Book:
    """Phases 1 and 2: load every entry and resolve it into the Book."""
    config = load_config(source, report)
    report.severities.update(severities(config))
    progress("reading entries")
    loaded = load(source, config, report, progress)
    progress("resolving ids and links")
    return resolve(loaded, config, source, report)


@dataclass
class BuildContext:
    """What a format's `build` gets besides the book: diagnostics, styles, shared renderings."""

    book: Book
    report: dg.Report
    styles_dir: Path = STYLES_DIR
    progress: Progress = _quiet
    built: dict[str, Path] = field(default_factory=dict)  # format -> output, in build order

    @property
    def strict(self) -> bool:
        return self.report.strict

    @cached_property
    def rendered(self) -> RenderedBook:
        """The book's HTML, rendered once per run and shared by the html, pdf and epub formats."""
        from .render import render

        self.progress("rendering HTML")
        return render(self.book, self.report)

    def pandoc_warnings(self, fmt: str, stderr: str) -> None:
        for line in stderr.splitlines():
            if line.strip():
                self.report.add(dg.make(dg.RENDER_WARNING, "", 0, 0,
                                        f"pandoc ({fmt}): {line.removeprefix('[WARNING] ')}",
                                        "check the entry the message names"))

    @contextmanager
    def output(self, path: Path) -> Iterator[Path]:
        """Atomic output that, under --strict, is discarded when the writer reported an error."""
        before = len(self.report.errors)
        with atomic_file(path) as tmp:
            yield tmp
            if self.strict and len(self.report.errors) > before:
                raise dg.GlossaryError(dg.make(
                    dg.OUTPUT_INVALID, path.name, 0, 0,
                    f"{path.name} not written: errors under --strict (previous file kept)",
                    "fix the errors listed above"))


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
    return write_formats(book, out_dir, formats, report, progress, styles_dir)


def write_formats(book: Book, out_dir: Path, formats: Sequence[str], report: dg.Report,
                  progress: Progress = _quiet, styles_dir: Path = STYLES_DIR) -> dict[str, Path]:
    """Phase 3 for a book already read (the release sets its version first)."""
    ctx = BuildContext(book, report, styles_dir, progress)
    failed: list[dg.GlossaryError] = []
    for fmt in [f for f in FORMATS if f in formats]:
        progress(f"building {fmt}")
        try:
            ctx.built[fmt] = writer(fmt)(book, out_dir, ctx)
        except dg.GlossaryError as exc:  # one format failing does not cost the others
            if exc.exit_code != 1:
                raise
            failed.append(exc)
        except jinja2.TemplateError as exc:  # a customised template: the author's to fix
            failed.append(dg.GlossaryError(_template_failure(exc, fmt, styles_dir)))
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
