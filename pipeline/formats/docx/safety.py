"""The written DOCX holds only the fields we write and no reference Word would follow by itself.

The reference document asks Word to update every field when the file is opened (so the table
of contents and the page references show real numbers). That is safe only while every field
is ours: TOC, PAGEREF and the footer's PAGE. Raw Word XML from entries is removed when the
book is read (GL609), so no entry can add `DDEAUTO`, `INCLUDETEXT`, `INCLUDEPICTURE` or any
other field; this check proves it on the file itself, with external relationships (only
hyperlinks to web, mail and phone addresses), embedded objects and macros, before the file
is written. A finding stops the DOCX (GL605): a document that would run or fetch anything on
opening is never published.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from lxml import etree

from ..common.xml import parse_xml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
OUR_FIELDS = frozenset({"TOC", "PAGEREF", "PAGE"})
_LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")
# Parts a Word document of ours never has: macros, embedded objects, controls, external data.
_FOREIGN_PARTS = re.compile(r"^word/(vbaProject\.bin|embeddings/|activeX/|vbaData\.xml)|"
                            r"\.(bin|exe|dll|ole)$", re.IGNORECASE)
_FOREIGN_ELEMENTS = frozenset({"altChunk", "object", "control", "attachedTemplate", "subDoc"})


def problems(docx: bytes) -> list[str]:
    """Everything in the DOCX that Word could run or fetch on its own; empty when safe."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        names = z.namelist()
        found = [f"has the part {n}" for n in names if _FOREIGN_PARTS.search(n)]
        for name in names:
            if name.endswith(".rels"):
                found += list(_relationships(name, z.read(name)))
            elif name.startswith("word/") and name.endswith(".xml"):
                found += list(_fields(name, parse_xml(z.read(name))))
    return found


def field_instructions(root: etree._Element) -> Iterator[str]:
    """The instruction of every field in a part: complex (instrText) and simple (fldSimple)."""
    for el in root.iter(f"{{{W}}}instrText"):
        yield (el.text or "").strip()
    for el in root.iter(f"{{{W}}}fldSimple"):
        yield el.get(f"{{{W}}}instr", "").strip()


def _fields(name: str, root: etree._Element) -> Iterator[str]:
    for instruction in field_instructions(root):
        word = instruction.split(None, 1)[0].upper() if instruction else ""
        if word not in OUR_FIELDS:
            yield f"{name} has a field {instruction[:60]!r}"
    for el in root.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname in _FOREIGN_ELEMENTS \
                and etree.QName(el).namespace == W:
            yield f"{name} has <w:{etree.QName(el).localname}>"


def _relationships(name: str, data: bytes) -> Iterator[str]:
    for rel in parse_xml(data).iter(f"{{{REL}}}Relationship"):
        if rel.get("TargetMode") != "External":
            continue
        target = rel.get("Target", "")
        if rel.get("Type") != HYPERLINK or not target.lower().startswith(_LINK_SCHEMES):
            yield f"{name} has an external relationship to {target[:60]}"
