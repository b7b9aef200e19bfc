"""Images for the DOCX: the files the normaliser resolved, embedded by pandoc; nothing is fetched.

pandoc would otherwise read any path and download any URL it meets. Each image is looked up in
`Book.resource`; what is remote, outside the source folder or missing was reported (GL601,
GL308) when the book was read and is replaced by its description. pandoc runs in a folder of
its own where every resolved image is staged under its path in the source folder: it can read
those files and nothing else, and the paths it writes into the document are the source's own.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ... import diagnostics as dg
from ...model import Book, Owner
from ...pandoc_ast import Node, Span, attr
from ..common.media import WEB_IMAGE_TYPES, pick

# What Word embeds and shows (SVG since Word 2016; older Word and LibreOffice get a PNG fallback).
SUPPORTED_IMAGE_TYPES = WEB_IMAGE_TYPES | {"image/tiff", "image/emf", "image/wmf"}


def image_fixer(book: Book, term: Owner, report: dg.Report) -> Callable[[Node], Node | None]:
    """For the term's Image nodes: the image at its path in the source folder (staged for
    pandoc by `staged`), or its description as plain text."""

    def fix(node: Node) -> Node | None:
        if node["t"] != "Image":
            return None
        url: str = node["c"][2][0]
        if url.startswith("data:"):
            return None  # embedded already; nothing to read or fetch
        resource = pick(book, term, url, SUPPORTED_IMAGE_TYPES, report,
                        "which Word cannot show; the DOCX shows its description",
                        "convert it to PNG, JPEG or SVG")
        if resource is None:
            return Span(attr("", ["image-refused"]), node["c"][1])
        a, alt, (_url, title) = node["c"]
        return {"t": "Image", "c": [a, alt, [resource.name, title]]}

    return fix


@contextmanager
def staged(book: Book) -> Iterator[Path]:
    """A temporary folder holding every resolved image of the book under its source path."""
    with tempfile.TemporaryDirectory(prefix="glossary-docx-media-") as tmp:
        root = Path(tmp)
        for resource in book.resources.values():
            if resource.path is None:
                continue
            link = root / resource.name
            if not link.exists():
                link.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(resource.path, link)
        yield root
