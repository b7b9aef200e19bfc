"""Output formats: a registry of writers, each `build(book, out_dir, ctx) -> Path`.

A format is a module (`md`, `skos`) or a package (`pdf`, `epub`, `docx`, `html`, `jsondata` for
`json`) whose face exposes
`build`. Modules are imported only when their format is asked for, so `glossary check` never
loads WeasyPrint or ebooklib. Formats never import each other; what several of them use lives in
`formats.common` (HTML fragments, the pandoc document, link checking, XML parsing, templates).
The order of a run follows what each format declares it uses: the site links the downloads of
the PDF, EPUB and DOCX, so when those are built in the same run they are built first. A format
whose work is done in worker processes (the PDF) declares `beside`: in a run of several formats
it starts first and the others are built meanwhile (`pipeline.build`).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..model import Book
    from .context import BuildContext


class Writer(Protocol):
    def __call__(self, book: Book, out_dir: Path, ctx: BuildContext) -> Path: ...


@dataclass(frozen=True)
class Format:
    name: str
    module: str
    uses: tuple[str, ...] = ()  # formats whose output this one links when they are built too
    beside: bool = False  # its work is done in other processes: the others run meanwhile


_REGISTRY = (
    Format("md", "pipeline.formats.md"),
    Format("docx", "pipeline.formats.docx"),
    Format("pdf", "pipeline.formats.pdf", beside=True),
    Format("epub", "pipeline.formats.epub"),
    Format("json", "pipeline.formats.jsondata"),
    Format("skos", "pipeline.formats.skos"),
    Format("html", "pipeline.formats.html", uses=("pdf", "epub", "docx", "json", "skos")),
)
FORMATS: dict[str, Format] = {f.name: f for f in _REGISTRY}


def order(names: Iterable[str]) -> list[str]:
    """The requested formats in a run order that honours `uses` (registry order otherwise)."""
    wanted = [f.name for f in _REGISTRY if f.name in set(names)]
    done: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in done:
            return
        if name in path:
            raise ValueError(f"formats use each other in a circle: {' -> '.join((*path, name))}")
        for used in FORMATS[name].uses:
            if used in wanted:
                visit(used, (*path, name))
        done.append(name)

    for name in wanted:
        visit(name, ())
    return done


def available() -> list[str]:
    """Formats whose module exists in this installation, in registry order."""
    return [f.name for f in _REGISTRY if importlib.util.find_spec(f.module) is not None]


def writer(name: str) -> Writer:
    module = importlib.import_module(FORMATS[name].module)
    build: Writer = module.build
    return build
