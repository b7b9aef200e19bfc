"""Joining the chunk PDFs: one document, links between chunks made internal, metadata set once.

The chunks are appended in a process of their own, one by one as they are laid out (in book
order), so joining overlaps the layout of later chunks. pypdf's `append` keeps each chunk's
outline and named destinations. A link to another chunk
was written as a `glossary-xref:` URI (WeasyPrint cannot link outside the document it lays
out); here it becomes a `/Dest` to the named destination. pypdf drops the catalog's `/Lang`
and the document info of the parts, so both are set again for the whole book. The page
numbers, unknown while the chunks were laid out, are painted on here (`paint`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, unquote

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    NameObject,
    TextStringObject,
)

from .formulas import Form
from .pagenumbers import DigitFont
from .paint import PageStamp, stamp

XREF_SCHEME = "glossary-xref"


def xref_uri(anchor: str) -> str:
    """The placeholder URI a chunk uses for a link to an anchor in another chunk."""
    return f"{XREF_SCHEME}:{quote(anchor, safe='')}"


@dataclass(frozen=True)
class Metadata:
    title: str
    authors: tuple[str, ...]
    subject: str
    keywords: tuple[str, ...]
    language: str
    created: datetime


@dataclass(frozen=True)
class Merged:
    pdf: bytes
    destinations: frozenset[str]
    dead_links: tuple[str, ...]  # link targets that name no destination


_DOCUMENT: list[PdfWriter] = []  # the joining process's book so far: it joins one book at a time


def start() -> int:
    """Begin a new book in this (joining) process; no pages yet."""
    _DOCUMENT[:] = [PdfWriter()]
    return 0


def add(part: bytes) -> int:
    """Append the next chunk's PDF; the number of pages so far."""
    writer = _DOCUMENT[0]
    writer.append(PdfReader(io.BytesIO(part)), import_outline=True)
    return len(writer.pages)


def finish(meta: Metadata, stamps: Sequence[PageStamp], fonts: Mapping[str, DigitFont],
           forms: Mapping[str, Form]) -> Merged:
    """Paint the page numbers and formulas, link the chunks, set the metadata: the PDF."""
    writer = _DOCUMENT.pop()
    stamp(writer, stamps, fonts, forms)
    names = destination_names(writer)
    dead = _internalise_links(writer, names)
    _set_metadata(writer, meta)
    out = io.BytesIO()
    writer.write(out)
    return Merged(out.getvalue(), frozenset(names), tuple(dead))


def destination_names(pdf: PdfWriter | PdfReader) -> set[str]:
    """Every named destination in the document."""
    if isinstance(pdf, PdfReader):
        return set(pdf.named_destinations)
    return set(pdf.get_named_dest_root()[::2])


def _internalise_links(writer: PdfWriter, names: set[str]) -> list[str]:
    """Placeholder URIs become named-destination links; return targets that do not exist."""
    dead: list[str] = []
    for page in writer.pages:
        for ref in page.get("/Annots", ArrayObject()):
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            if uri.startswith(XREF_SCHEME + ":"):
                target = unquote(uri.removeprefix(XREF_SCHEME + ":"))
                del annot[NameObject("/A")]
                annot[NameObject("/Dest")] = TextStringObject(target)
            elif "/Dest" in annot and isinstance(annot["/Dest"], str):
                target = str(annot["/Dest"])
            else:
                continue
            if target not in names:
                dead.append(target)
    return dead


def _set_metadata(writer: PdfWriter, meta: Metadata) -> None:
    stamp = meta.created.strftime("D:%Y%m%d%H%M%S+00'00'")
    info = {
        "/Title": meta.title,
        "/Author": ", ".join(meta.authors),
        "/Subject": meta.subject,
        "/Keywords": ", ".join(meta.keywords),
        "/Creator": "glossary-pipeline",
        "/Producer": "WeasyPrint and pypdf",
        "/CreationDate": stamp,
        "/ModDate": stamp,
    }
    writer.add_metadata({k: v for k, v in info.items() if v})
    root = writer.root_object
    root[NameObject("/Lang")] = TextStringObject(meta.language)
    root[NameObject("/PageMode")] = NameObject("/UseOutlines")
    prefs = DictionaryObject({NameObject("/DisplayDocTitle"): BooleanObject(True)})
    root[NameObject("/ViewerPreferences")] = prefs
