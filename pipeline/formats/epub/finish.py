"""Finishing the package's XHTML: well-formedness per entry, then one lxml pass per document.

The shared rendering is HTML5 that pandoc writes XML-compatible; raw HTML in an entry may not
be (`<br>`, `&nbsp;`). Each entry is checked on its own so a problem names the entry's source;
a broken entry is repaired with the HTML parser. The document pass carries images into the
package, turns links to nowhere into plain text, marks footnote references for pop-up notes and
finds the manifest properties (`mathml`, `svg`) the document needs.
"""

from __future__ import annotations

import html.entities
import posixpath
import re
from collections.abc import Collection
from dataclasses import dataclass

import lxml.html
from lxml import etree

from ... import diagnostics as dg
from ...model import Book, Owner
from ..common.linkcheck import Output, is_external
from ..common.xml import parse_xml
from .images import PackageImages

XHTML = "http://www.w3.org/1999/xhtml"
EPUB = "http://www.idpf.org/2007/ops"
MATHML = "http://www.w3.org/1998/Math/MathML"
SVG = "http://www.w3.org/2000/svg"
DOCTYPE = "<!DOCTYPE html>"
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
# Elements that would need scripting, plugins or non-core media: never carried into the book.
_REFUSED = frozenset({"script", "iframe", "embed", "object", "video", "audio", "frame", "frameset"})
_WRAP = f'<div xmlns="{XHTML}" xmlns:epub="{EPUB}">{{}}</div>'


def numeric_entities(text: str) -> str:
    """HTML named entities (`&nbsp;`) as numeric references, which XML understands."""

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in _XML_ENTITIES:
            return m.group(0)
        chars = html.entities.html5.get(name + ";")
        return "".join(f"&#{ord(c)};" for c in chars) if chars else m.group(0)

    return _ENTITY.sub(sub, text)


def well_formed(chunk: str, term: Owner, report: dg.Report) -> str:
    """The entry's XHTML, repaired with the HTML parser (and reported) if it is not well-formed."""
    chunk = numeric_entities(chunk)
    try:
        parse_xml(_WRAP.format(chunk).encode("utf-8"))
        return chunk
    except etree.XMLSyntaxError as exc:
        problem = str(exc)
    repaired = _repair(chunk)
    where = term.source
    report.add(dg.make(dg.RENDER_WARNING, where.file, where.line, where.column,
                       f"„{term.title_text}“: its HTML is not well-formed XHTML ({problem}); "
                       "repaired for the EPUB", "check raw HTML in the entry (close every tag)"))
    return repaired


def _repair(chunk: str) -> str:
    """Re-serialise through the HTML parser; the last resort is the entry's text alone."""
    try:
        holder = lxml.html.fragment_fromstring(chunk, create_parent="div")
        inner = "".join(etree.tostring(child, method="xml", encoding="unicode") for child in holder)
        text = _escape(holder.text or "") + inner
        parse_xml(_WRAP.format(text).encode("utf-8"))
        return text
    except (etree.XMLSyntaxError, etree.ParserError, ValueError):
        plain = lxml.html.fragment_fromstring(chunk, create_parent="div").text_content()
        return f"<p>{_escape(plain)}</p>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class Finished:
    content: bytes
    properties: tuple[str, ...]  # manifest properties: "mathml", "svg"


class DocumentPass:
    """Finishes one rendered document: resources, dead links, footnote semantics, properties."""

    def __init__(self, book: Book, media: PackageImages, documents: Collection[str],
                 report: dg.Report) -> None:
        self.book = book
        self.media = media
        self.files = Output(documents, {})  # the package's own files: documents, cover image
        self.report = report

    def finish(self, xhtml: str, path: str) -> Finished:
        try:
            root = parse_xml(numeric_entities(xhtml).encode("utf-8"))
        except etree.XMLSyntaxError as exc:
            raise dg.GlossaryError(dg.make(
                dg.OUTPUT_INVALID, path, 0, 0, f"EPUB document {path} is not well-formed XML: {exc}",
                "check the templates in styles/epub/")) from exc
        for el in list(root.iter(f"{{{XHTML}}}*")):
            local = etree.QName(el).localname
            if local in _REFUSED:
                self._refuse_element(el, local)
            elif local == "img":
                self._image(el, path)
            elif local == "a" and el.get("href") is not None:
                self._link(el, path)
        for math in root.iter(f"{{{MATHML}}}math"):
            _alttext(math)
        data = etree.tostring(root.getroottree(), xml_declaration=True, encoding="utf-8", doctype=DOCTYPE)
        return Finished(data + b"\n", _properties(root))

    def _term(self, el: etree._Element) -> Owner | None:
        """The entry (or page) an element belongs to (its enclosing `section.entry`/`.page`)."""
        for anc in el.iterancestors(f"{{{XHTML}}}section"):
            if {"entry", "page"} & set((anc.get("class") or "").split()):
                owner = self.book.owner(anc.get("id", ""))
                if owner is not None:
                    return owner
        return None

    def _image(self, el: etree._Element, path: str) -> None:
        src = el.get("src", "")
        term = self._term(el)
        if term is None:  # the templates' own images (the cover) are package files already
            if self.files.follow(path, src).problem:
                self._report(dg.RESOURCE_REFUSED, None, f"{path}: image {src} is not a file of the EPUB")
                _replace_with_text(el, el.get("alt", ""), "missing-media")
            return
        target = self.media.publish(src, term) if src else None
        if target is None:
            _replace_with_text(el, el.get("alt", ""), "missing-media")
            return
        el.set("src", posixpath.relpath(target, posixpath.dirname(path) or "."))

    def _link(self, el: etree._Element, path: str) -> None:
        href = el.get("href", "")
        if "footnote-ref" in (el.get("class") or "").split():
            el.set(f"{{{EPUB}}}type", "noteref")
            el.set("role", "doc-noteref")
        if is_external(href) or href.startswith("#") or not self.files.follow(path, href).problem:
            return
        term = self._term(el)
        self._report(dg.DEAD_LINK_OUTPUT, term,
                     f"link to {href} points at no document of the EPUB; published as plain text")
        _replace_with_text(el, "".join(str(t) for t in el.itertext()), "xref-broken")

    def _refuse_element(self, el: etree._Element, local: str) -> None:
        self._report(dg.RESOURCE_REFUSED, self._term(el),
                     f"<{local}> is not carried into the EPUB (scripts, frames and media are refused)")
        _replace_with_text(el, "", "missing-media")

    def _report(self, code: str, term: Owner | None, message: str) -> None:
        where = term.source if term is not None else None
        text = f"„{term.title_text}“: {message}" if term is not None else message
        self.report.add(dg.make(code, where.file if where else "", where.line if where else 0,
                                where.column if where else 0, text,
                                "fix the entry's Markdown" if term else "check the templates"))


def _replace_with_text(el: etree._Element, text: str, cls: str) -> None:
    """Swap an element for a `<span class=cls>` holding `text`, keeping the tail."""
    span = etree.Element(f"{{{XHTML}}}span", {"class": cls})
    span.text = text
    span.tail = el.tail
    parent = el.getparent()
    if parent is not None:
        parent.replace(el, span)


def _alttext(math: etree._Element) -> None:
    """Give MathML a text alternative (its TeX) for reading systems that cannot render it."""
    if math.get("alttext"):
        return
    for ann in math.iter(f"{{{MATHML}}}annotation"):
        if ann.get("encoding") == "application/x-tex" and ann.text:
            math.set("alttext", ann.text.strip())
            return
    text = " ".join("".join(str(t) for t in math.itertext()).split())  # MathML written as raw HTML: its text
    if text:
        math.set("alttext", text)


def _properties(root: etree._Element) -> tuple[str, ...]:
    props = []
    if next(root.iter(f"{{{MATHML}}}*"), None) is not None:
        props.append("mathml")
    if next(root.iter(f"{{{SVG}}}*"), None) is not None:
        props.append("svg")
    return tuple(props)
