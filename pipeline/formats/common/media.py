"""Which image a format may publish: the normaliser's answer plus the format's own media types.

The normaliser resolved every image once (`Book.resource`): the file, or why it may not be used
(reported then, at the image's position). A format declares the media types it can carry, as
Sphinx's builders declare `supported_image_types`; `pick` combines the two, refuses a file
that is broken or unsafe (`images.image_problem`, the same words for every format) and
reports the format's own refusal (a type it cannot show).
"""

from __future__ import annotations

from collections.abc import Collection

from ... import diagnostics as dg
from ...model import Book, Owner, Resource
from .images import image_problem

# What browsers (and WeasyPrint, and Word) display without a plugin.
WEB_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp",
                             "image/avif", "image/bmp", "image/vnd.microsoft.icon"})


def pick(book: Book, term: Owner, url: str, supported: Collection[str], report: dg.Report,
         refusal: str, hint: str) -> Resource | None:
    """The resource `url` names in `term` if the format can carry it; None otherwise.

    `refusal` finishes the message for a type the format cannot carry ("the EPUB shows its alt
    text"); a file the normaliser refused was reported already and is only None here."""
    resource = book.resource(term, url)
    if resource.path is None:
        return None
    problem = image_problem(resource.path, resource.media_type) if resource.media_type else None
    if problem:
        where = term.source  # the same words from every format: reported once
        report.add(dg.make(dg.RESOURCE_REFUSED, where.file, where.line, where.column,
                           f"„{term.title_text}“: image {url} {problem}; every format shows its alt text",
                           "make the SVG self-contained (no scripts, no external files)"
                           if resource.media_type == "image/svg+xml" else
                           "replace the file by a working image whose suffix names its type"))
        return None
    if resource.media_type not in supported:
        suffix = resource.name.rsplit(".", 1)[-1] if "." in resource.name.rsplit("/", 1)[-1] else ""
        where = term.source
        report.add(dg.make(dg.RESOURCE_REFUSED, where.file, where.line, where.column,
                           f"„{term.title_text}“: image {url} has type "
                           f"{'.' + suffix if suffix else '(none)'}, {refusal}", hint))
        return None
    return resource
