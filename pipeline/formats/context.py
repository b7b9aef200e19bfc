"""What every writer gets besides the book: diagnostics, styles, progress, the run's shared work.

`BuildContext` belongs to the writers' side: the orchestrator (`pipeline.build`) creates one per
run and hands it to each format's `build(book, out_dir, ctx)`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import diagnostics as dg
from .. import pandoc
from ..atomic import atomic_dir, atomic_file
from ..cache import Cache, digest
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
    cache: Cache = field(default_factory=lambda: Cache(None))  # the build cache (none: disabled)
    _fragments: dict[int, Fragments | dg.GlossaryError] = field(default_factory=dict, repr=False)
    # The PDF is built in a thread of its own beside the others (`pipeline.build`): the first
    # format to ask renders the fragments, one asking meanwhile waits for them.
    _rendering: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _styles_keys: dict[tuple[str, ...], str] = field(default_factory=dict, repr=False)
    _staged: dict[Path, Path] = field(default_factory=dict, repr=False)  # final -> staged (--strict)
    # Staging folders still on disk; removed at the latest when the context goes (a run that
    # ended in an exception never reached `commit`).
    _folders: list[Path] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        weakref.finalize(self, _remove, self._folders)

    @property
    def strict(self) -> bool:
        return self.report.strict

    def fragments(self, book: Book) -> Fragments:
        """The book's HTML fragments, rendered once per run and shared by html, pdf, epub and json."""
        with self._rendering:
            return self._fragments_of(book)

    def _fragments_of(self, book: Book) -> Fragments:
        if id(book) not in self._fragments:
            from .common.fragments import render

            self.progress("rendering HTML")
            try:
                self._fragments[id(book)] = render(book, self.report, self.cache)
            except (pandoc.PandocError, TimeBudgetExceeded) as exc:
                # Every format that needs the rendering fails with this one error; the others
                # (md, docx, skos) are built all the same.
                late = isinstance(exc, TimeBudgetExceeded)
                why = "it took longer than [limits] time" if late else f"pandoc failed: {exc}"
                self._fragments[id(book)] = dg.GlossaryError(dg.make(
                    dg.TIME_BUDGET if late else dg.TOOL_FAILED, "", 0, 0,
                    f"the HTML rendering that html, pdf, epub and json share failed ({why}); they were "
                    "not written", "the other formats were built"))
        found = self._fragments[id(book)]
        if isinstance(found, dg.GlossaryError):
            raise found
        return found

    def styles_key(self, *subdirs: str) -> str:
        """A digest of the styles a format reads (`styles/<subdir>/**` and the top-level files):
        part of the key of everything it caches, so an edited template or sheet is seen."""
        if subdirs not in self._styles_keys:
            files = [p for p in sorted(self.styles_dir.glob("*")) if p.is_file()]
            for sub in subdirs:
                files += [p for p in sorted((self.styles_dir / sub).rglob("*")) if p.is_file()]
            names = [p.relative_to(self.styles_dir).as_posix() for p in files]
            self._styles_keys[subdirs] = digest(*names, *(p.read_bytes() for p in files))
        return self._styles_keys[subdirs]

    def pandoc_warnings(self, fmt: str, stderr: str) -> None:
        for line in stderr.splitlines():
            if line.strip():
                self.report.add(dg.make(dg.RENDER_WARNING, "", 0, 0,
                                        f"pandoc ({fmt}): {line.removeprefix('[WARNING] ')}",
                                        "check the entry the message names"))

    @contextmanager
    def output(self, path: Path) -> Iterator[Path]:
        """Atomic output of one file; under --strict it is staged (see `commit`) and discarded
        when the writer reported an error."""
        before = len(self.report.errors)
        with atomic_file(self._target(path)) as tmp:
            yield tmp
            self._refuse_under_strict(path, before)

    @contextmanager
    def output_dir(self, path: Path) -> Iterator[Path]:
        """Atomic output of a folder (the site); staged under --strict like `output`."""
        before = len(self.report.errors)
        with atomic_dir(self._target(path)) as tmp:
            yield tmp
            self._refuse_under_strict(path, before)

    def artifact(self, path: Path) -> Path:
        """Where an output built in this run can be read now (its staged copy under --strict)."""
        return self._staged.get(path, path)

    def commit(self, ok: bool) -> None:
        """Under --strict, `build` writes nothing when there are errors: the staged outputs of
        every format move into place only when the whole run had none, else all are dropped
        (raises when no format failed by itself, so the run does not look successful)."""
        staged, self._staged = self._staged, {}
        try:
            if ok and not self.report.errors:
                for final, tmp in staged.items():
                    _move_into_place(tmp, final)
                return
            if not staged:
                return
            names = ", ".join(sorted(p.name for p in staged))
            kept_back = dg.make(
                dg.OUTPUT_INVALID, "", 0, 0,
                f"nothing written under --strict: {names} kept back because of "
                f"{len(self.report.errors)} error(s) (the previous outputs are unchanged)",
                "fix the errors listed above")
            if ok:
                raise dg.GlossaryError(kept_back)
            self.report.add(kept_back)
        finally:
            _remove(self._folders)

    def _target(self, path: Path) -> Path:
        if not self.strict:
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f".{path.name}.strict-", dir=path.parent))
        self._folders.append(folder)
        self._staged[path] = folder / path.name  # the same name: the site links its downloads
        return self._staged[path]

    def _refuse_under_strict(self, path: Path, errors_before: int) -> None:
        if self.strict and len(self.report.errors) > errors_before:
            raise dg.GlossaryError(dg.make(
                dg.OUTPUT_INVALID, path.name, 0, 0,
                f"{path.name} not written: errors under --strict (previous output kept)",
                "fix the errors listed above"))


def _remove(folders: list[Path]) -> None:
    while folders:
        shutil.rmtree(folders.pop(), ignore_errors=True)


def _move_into_place(staged: Path, final: Path) -> None:
    if staged.is_dir():
        with atomic_dir(final) as fresh:  # the same swap as an unstaged folder
            fresh.rmdir()
            os.replace(staged, fresh)
    elif staged.exists():
        os.replace(staged, final)
