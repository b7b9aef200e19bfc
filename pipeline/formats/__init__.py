"""Output formats. Each is one module with `build(book, out_dir, ctx) -> Path`.

Modules are imported only when their format is asked for, so `glossary check` never loads
WeasyPrint or ebooklib. Format modules never import each other; what they share lives in
`pipeline.render` (the HTML rendering) and `pipeline.document` (the pandoc document).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..build import BuildContext
    from ..model import Book


class Writer(Protocol):
    def __call__(self, book: Book, out_dir: Path, ctx: BuildContext) -> Path: ...


# Build order matters only for the site, which links the downloads built before it.
FORMATS: dict[str, str] = {
    "md": "pipeline.formats.md",
    "docx": "pipeline.formats.docx",
    "pdf": "pipeline.formats.pdf",
    "epub": "pipeline.formats.epub",
    "html": "pipeline.formats.html",
}


def available() -> list[str]:
    """Formats whose module exists in this installation, in build order."""
    out = []
    for name, module in FORMATS.items():
        if importlib.util.find_spec(module) is not None:
            out.append(name)
    return out


def writer(name: str) -> Writer:
    module = importlib.import_module(FORMATS[name])
    build: Writer = module.build
    return build
