"""What every writer gets besides the book: diagnostics, styles, progress, the run's shared work.

`BuildContext` belongs to the writers' side: the orchestrator (`pipeline.build`) creates one per
run and hands it to each format's `build(book, out_dir, ctx)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import diagnostics as dg
from .. import pandoc
from ..atomic import atomic_file
from ..limits import TimeBudgetExceeded
from ..model import Book

if TYPE_CHECKING:
    from .common.fragments import Fragments

Progress = Callable[[str], None]
# An installed wheel carries the styles inside the package; a checkout keeps them next to it.
_PACKAGE = Path(__file__).resolve().parent.parent
STYLES_DIR = _PACKAGE / "styles" if (_PACKAGE / "styles").is_dir() else _PACKAGE.parent / "styles"


def _quiet(_: str) -> None:
    pass


@dataclass
class BuildContext:
    """One run's diagnostics, styles folder, progress callback and shared renderings."""

    report: dg.Report
    styles_dir: Path = STYLES_DIR
    progress: Progress = _quiet
    built: dict[str, Path] = field(default_factory=dict)  # format -> output, in build order
    # outputs of earlier builds still current (same fingerprint): the site links them too
    previous: dict[str, Path] = field(default_factory=dict)
    _fragments: dict[int, Fragments | dg.GlossaryError] = field(default_factory=dict, repr=False)

    @property
    def strict(self) -> bool:
        return self.report.strict

    def fragments(self, book: Book) -> Fragments:
        """The book's HTML fragments, rendered once per run and shared by html, pdf and epub."""
        if id(book) not in self._fragments:
            from .common.fragments import render

            self.progress("rendering HTML")
            try:
                self._fragments[id(book)] = render(book, self.report)
            except (pandoc.PandocError, TimeBudgetExceeded) as exc:
                # Every format that needs the rendering fails with this one error; the others
                # (md, docx) are built all the same.
                late = isinstance(exc, TimeBudgetExceeded)
                why = "it took longer than [limits] time" if late else f"pandoc failed: {exc}"
                self._fragments[id(book)] = dg.GlossaryError(dg.make(
                    dg.TIME_BUDGET if late else dg.TOOL_FAILED, "", 0, 0,
                    f"the HTML rendering that html, pdf and epub share failed ({why}); they were "
                    "not written", "the other formats were built"))
        found = self._fragments[id(book)]
        if isinstance(found, dg.GlossaryError):
            raise found
        return found

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
