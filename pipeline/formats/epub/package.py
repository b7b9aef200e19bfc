"""The package: ebooklib writes container, OPF and NCX; we take control of what it gets wrong.

ebooklib 0.20 traps handled here (see research.md): chapters are plain `EpubItem`s holding our
finished XHTML, so ebooklib never re-parses them (its `EpubHtml` drops `<head>` and body
attributes and silently empties a chapter on a parse error); the navigation document is ours
(`properties="nav"`), the NCX ebooklib's; creators get their own ids; manifest properties
(`mathml`, `svg`) are set by us; the identifier comes from book.toml and `dcterms:modified`
from the build time. ebooklib's zip (current time on every entry, insertion order) is only an
intermediate: `zip_bytes` writes the final one deterministically.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from ebooklib import epub
from lxml import etree

from ...config import BookConfig
from ...i18n import text_direction
from ...version import __version__
from ..common.xml import parse_xml
from .documents import TocEntry

PACKAGE_DIR = "EPUB"  # ebooklib's folder for the package document and its items
OPF_PATH = f"{PACKAGE_DIR}/content.opf"
NCX_PATH = f"{PACKAGE_DIR}/toc.ncx"
MIMETYPE = b"application/epub+zip"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NCX = "http://www.daisy.org/z3986/2005/ncx/"
_ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  # the earliest time a zip entry can carry


@dataclass(frozen=True)
class Item:
    """A file of the package (path relative to the package folder)."""

    path: str
    item_id: str
    media_type: str
    data: bytes
    properties: tuple[str, ...] = ()


@dataclass(frozen=True)
class Accessibility:
    """What the content has, for the EPUB Accessibility 1.1 metadata."""

    summary: str
    has_math: bool
    has_images: bool
    images_described: bool  # every image has non-empty alt text
    animated: bool = False  # an image that moves (a possible flashing hazard nobody checked)


def package(config: BookConfig, spine: Sequence[Item], resources: Sequence[Item], cover: Item,
            toc: Sequence[TocEntry], guide: Sequence[tuple[str, str, str]], a11y: Accessibility,
            modified: dt.datetime) -> dict[str, bytes]:
    """Every entry of the EPUB (zip name -> bytes): ebooklib's container, OPF and NCX plus our items."""
    book = epub.EpubBook()
    _metadata(book, config, a11y)
    book.set_cover(cover.path, cover.data, create_page=False)
    if text_direction(config.language) == "rtl":
        book.set_direction("rtl")  # the spine's page-progression-direction
    for item in [*spine, *resources]:
        book.add_item(_ebook_item(item))
    book.add_item(epub.EpubNcx())
    book.spine = [book.get_item_with_id(item.item_id) for item in spine]
    book.toc = [_ncx_entry(entry, n) for n, entry in enumerate(toc)]
    book.guide = [{"type": kind, "href": href, "title": title} for kind, href, title in guide]
    buffer = io.BytesIO()
    # playOrder is required by the NCX DTD; EPUB 2 readers (Adobe's) rely on it.
    writer = epub.EpubWriter(buffer, book, {"mtime": modified, "epub3_pages": False,
                                            "epub3_landmark": False, "raise_exceptions": True,
                                            "play_order": {"enabled": True, "start_from": 1}})
    writer.process()
    writer.write()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries[OPF_PATH] = _package_language(entries[OPF_PATH], config.language)
    depth = 2 if any(e.children for e in toc) else 1
    entries[NCX_PATH] = _ncx_head(entries[NCX_PATH], config.language, depth)
    return entries


def _metadata(book: epub.EpubBook, config: BookConfig, a11y: Accessibility) -> None:
    book.set_identifier(config.identifier)
    book.set_title(config.title)
    book.set_language(config.language)
    book.set_unique_metadata("OPF", "generator", "", {
        "name": "generator", "content": f"glossary-pipeline {__version__} (EbookLib 0.20)"})
    # One id per creator: ebooklib's default gives every creator id="creator" (duplicate ids).
    for n, author in enumerate(config.authors, start=1):
        book.add_author(author, uid=f"creator-{n}", role="aut")
    optional = {"publisher": config.publisher, "rights": config.license,
                "description": config.description, "date": config.date}
    for name, value in optional.items():
        if value:
            book.add_metadata("DC", name, value)
    for keyword in config.keywords:
        book.add_metadata("DC", "subject", keyword)
    for prop, value in _accessibility(a11y, config):
        book.add_metadata(None, "meta", value, {"property": prop})


def _accessibility(a11y: Accessibility, config: BookConfig) -> list[tuple[str, str]]:
    """EPUB Accessibility 1.1 discovery metadata (schema.org properties): only what the build
    knows of its content. A conformance claim (`dcterms:conformsTo`, `a11y:certifiedBy`) only
    when the publisher made one (`[epub] conformance`): nobody checked the text for WCAG."""
    meta = [("schema:accessMode", "textual")]
    if a11y.has_images:
        meta.append(("schema:accessMode", "visual"))
    if not a11y.has_images or a11y.images_described:
        meta.append(("schema:accessModeSufficient", "textual"))
    if a11y.has_images:
        meta.append(("schema:accessModeSufficient", "textual,visual"))
    features = ["structuralNavigation", "tableOfContents", "index", "readingOrder",
                "displayTransformability"]
    if a11y.has_images and a11y.images_described:
        features.append("alternativeText")
    if a11y.has_math:
        features.append("MathML")
    meta += [("schema:accessibilityFeature", f) for f in features]
    # No sound, video or script; "none" only when no image moves either (an animated GIF,
    # WebP or SVG could flash: then nobody has looked, so "unknown").
    meta += [("schema:accessibilityHazard", "unknown" if a11y.animated else "none"),
             ("schema:accessibilitySummary", a11y.summary)]
    claim = config.epub.conformance
    if claim:
        certifier = config.epub.certified_by or config.publisher or ", ".join(config.authors)
        meta += [("dcterms:conformsTo", claim), *([("a11y:certifiedBy", certifier)] if certifier else [])]
    return meta


def _ebook_item(item: Item) -> epub.EpubItem:
    """A plain ebooklib item: its content is written exactly as given."""
    cls = epub.EpubImage if item.media_type.startswith("image/") else epub.EpubItem
    out = cls(uid=item.item_id, file_name=item.path, media_type=item.media_type, content=item.data)
    out.properties = list(item.properties)  # ebooklib writes these as manifest properties
    return out


def _ncx_entry(entry: TocEntry, n: int) -> object:
    """ebooklib's toc structure, from which it writes the EPUB 2 NCX."""
    if not entry.children:
        return epub.Link(entry.href, entry.label, uid=f"ncx-{n}")
    children = [epub.Link(c.href, c.label, uid=f"ncx-{n}-{k}") for k, c in enumerate(entry.children)]
    return (epub.Section(entry.label, href=entry.href), children)


def _package_language(opf: bytes, language: str) -> bytes:
    """`xml:lang` on `<package>`, which ebooklib cannot set."""
    root = parse_xml(opf)
    root.set(_XML_LANG, language)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _ncx_head(ncx: bytes, language: str, depth: int) -> bytes:
    """The NCX's language and real `dtb:depth` (ebooklib always writes 0)."""
    root = parse_xml(ncx)
    root.set(_XML_LANG, language)
    for meta in root.iter(f"{{{_NCX}}}meta"):
        if meta.get("name") == "dtb:depth":
            meta.set("content", str(depth))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def zip_bytes(entries: dict[str, bytes], when: dt.datetime) -> bytes:
    """The EPUB container: `mimetype` first and stored, then a fixed order, fixed timestamps."""
    first = ["mimetype", "META-INF/container.xml", OPF_PATH]
    names = first + sorted(n for n in entries if n not in first)
    stamp = max(when.astimezone(dt.UTC), _ZIP_EPOCH).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            stored = name == "mimetype"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            data = MIMETYPE if stored else entries[name]
            archive.writestr(info, data, compresslevel=None if stored else 9)
    return out.getvalue()
