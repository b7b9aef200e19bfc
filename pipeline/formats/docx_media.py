"""Images for the DOCX: only files inside the source folder are embedded, nothing is fetched.

pandoc would otherwise read any path and download any URL it meets. Each image is resolved
against the folder of the term's source file; what lies outside the source folder, or is remote,
is refused (GL601) and replaced by its description, so the build stays offline and confined.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from .. import diagnostics as dg
from ..model import Book, Term
from ..pandoc_ast import Node, Span, attr

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def image_fixer(book: Book, term: Term, report: dg.Report) -> Callable[[Node], Node | None]:
    """For the term's Image nodes: the image at a path relative to the source folder (pandoc
    runs there and writes that path into the document), or its description as plain text."""

    def fix(node: Node) -> Node | None:
        if node["t"] != "Image":
            return None
        url: str = node["c"][2][0]
        if url.startswith("data:"):
            return None  # embedded already; nothing to read or fetch
        path, problem = _resolve(book, term, url)
        if path is None:
            code = dg.RENDER_WARNING if problem == "missing" else dg.RESOURCE_REFUSED
            report.add(dg.make(code, term.source.file, term.source.line, 0,
                               f"image {url!r} in „{term.title_text}“ {_WHY[problem]}; "
                               "its description is shown instead",
                               "put the image in the glossary's source folder and link it relatively"))
            return Span(attr("", ["image-refused"]), node["c"][1])
        a, alt, (_url, title) = node["c"]
        return {"t": "Image", "c": [a, alt, [path.as_posix(), title]]}

    return fix


_WHY = {
    "remote": "is not a local file (nothing is downloaded at build time)",
    "outside": "lies outside the source folder",
    "missing": "does not exist",
}


def _resolve(book: Book, term: Term, url: str) -> tuple[Path | None, str]:
    """The image's path relative to the (resolved) source folder, or why there is none."""
    if _SCHEME.match(url) or url.startswith("//"):
        return None, "remote"
    root = book.source_dir.resolve()
    base = (book.source_dir / term.source.file).parent
    path = (base / unquote(url)).resolve()
    if not path.is_relative_to(root):
        return None, "outside"
    if not path.is_file():
        return None, "missing"
    return path.relative_to(root), ""
