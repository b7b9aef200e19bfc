"""Images for the DOCX: only files inside the source folder are embedded, nothing is fetched.

pandoc would otherwise read any path and download any URL it meets. Each image is resolved by
`pipeline.resources.locate`; what is remote, outside the source folder or missing is reported
(GL601, GL308) and replaced by its description, so the build stays offline and confined.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import diagnostics as dg
from ..model import Book, Term
from ..pandoc_ast import Node, Span, attr
from ..resources import locate


def image_fixer(book: Book, term: Term, report: dg.Report) -> Callable[[Node], Node | None]:
    """For the term's Image nodes: the image at a path relative to the source folder (pandoc
    runs there and writes that path into the document), or its description as plain text."""

    def fix(node: Node) -> Node | None:
        if node["t"] != "Image":
            return None
        url: str = node["c"][2][0]
        if url.startswith("data:"):
            return None  # embedded already; nothing to read or fetch
        path = locate(book.source_dir, term.source.file, url)[0]
        if path is None:  # reported when the book was read (resources.check_images)
            return Span(attr("", ["image-refused"]), node["c"][1])
        a, alt, (_url, title) = node["c"]
        # pandoc runs in the source folder: a relative path keeps the build machine's out.
        rel = path.relative_to(book.source_dir.resolve()).as_posix()
        return {"t": "Image", "c": [a, alt, [rel, title]]}

    return fix
