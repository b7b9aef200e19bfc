"""Generate the reference document `styles/docx/reference.docx` from pandoc's default one.

    python -m pipeline.formats.docx.reference [path]   # default: styles/docx/reference.docx

Starts from `pandoc --print-default-data-file reference.docx` and sets what `styles`
declares (fonts, sizes, spacing, colours, headings, the glossary's own styles), the page
(A4, margins, a centred page number in the footer, none on the title page) and the settings
(update fields on open, automatic hyphenation). The zip is written deterministically (fixed
entry times and order), so the same pandoc gives the same file. The generated file is committed:
editors customise it in Word or LibreOffice like any pandoc reference document, and
`tests/test_docx_reference.py` fails when the committed file and this generator disagree.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from ... import pandoc
from ..common.xml import parse_xml
from . import styles as st
from .styles import W, el

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
FOOTER_PART = "word/footer1.xml"
FOOTER_RID = "rIdGlossaryFooter"
FOOTER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# A4 portrait, 2.5 cm margins (twips)
PAGE = {"w": 11906, "h": 16838}
MARGINS = {"top": 1417, "right": 1417, "bottom": 1417, "left": 1417, "header": 709, "footer": 709,
           "gutter": 0}
_SAMPLES = (  # one paragraph per glossary style, so the reference shows them when opened
    ("Aliases", "Aliases: Also: other names of the term"),
    ("Tagline", "Tagline: the bold-italic one-liner under a term"),
    ("SeeAlso", "See Also: Term A (p. 1) · Term B (p. 2)"),
    ("BackReferences", "Back References: Term C (p. 3)"),
    ("ImprintHeading", "Imprint Heading"),
    ("Imprint", "Imprint: version, date, licence"),
    ("IndexLetter", "Index Letter"),
    ("IndexEntry", "Index Entry\t12"),
    ("TOC1", "toc 1\t1"),
    ("TOC2", "toc 2\t2"),
    ("SourceCode", "Source Code"),
)


def default_reference() -> bytes:
    """pandoc's built-in reference.docx."""
    data, _ = pandoc.run(["--print-default-data-file", "reference.docx"])
    return data


def generate(default: bytes) -> dict[str, bytes]:
    """The reference document's parts (name -> bytes), in the default's entry order."""
    with zipfile.ZipFile(io.BytesIO(default)) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["word/styles.xml"] = _edit(parts["word/styles.xml"], st.apply)
    parts["word/settings.xml"] = _edit(parts["word/settings.xml"], _settings)
    parts["word/document.xml"] = _edit(parts["word/document.xml"], _document)
    parts["word/_rels/document.xml.rels"] = _edit(parts["word/_rels/document.xml.rels"], _rels)
    parts["[Content_Types].xml"] = _edit(parts["[Content_Types].xml"], _content_types)
    parts[FOOTER_PART] = _xml(_footer())
    return parts


def write_reference(path: Path, default: bytes | None = None) -> Path:
    """Generate the reference document into `path` (deterministic zip)."""
    parts = generate(default if default is not None else default_reference())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


def _edit(data: bytes, change: Callable[[etree._Element], None]) -> bytes:
    root = parse_xml(data)
    change(root)
    return _xml(root)


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _settings(root: etree._Element) -> None:
    """Word updates every field (TOC, PAGEREF) on open; hyphenation on."""
    for tag in ("updateFields", "autoHyphenation"):
        for old in root.findall(_w(tag)):
            root.remove(old)
    _insert_after(root, "defaultTabStop", el("autoHyphenation", val="true"))
    _insert_after(root, "savePreviewPicture", el("updateFields", val="true"))
    lang = root.find(_w("themeFontLang"))
    if lang is not None:
        lang.set(_w("val"), st.LANGUAGE)


def _insert_after(root: etree._Element, tag: str, new: etree._Element) -> None:
    anchor = root.find(_w(tag))
    if anchor is None:
        root.append(new)
    else:
        anchor.addnext(new)


def _document(root: etree._Element) -> None:
    """Page size, margins and footer; a sample paragraph for each glossary style."""
    body = root.find(_w("body"))
    assert body is not None
    sect = body.find(_w("sectPr"))
    assert sect is not None
    for text_style, text in _SAMPLES:
        sect.addprevious(_sample(text_style, text))
    footnote_pr = sect.find(_w("footnotePr"))
    sect[:] = [
        el("footerReference", **{"type": "default"}),
        *([footnote_pr] if footnote_pr is not None else []),
        el("pgSz", **PAGE),
        el("pgMar", **MARGINS),
        el("titlePg"),
    ]
    sect[0].set(f"{{{REL}}}id", FOOTER_RID)


def _sample(style: str, text: str) -> etree._Element:
    runs = []
    for i, piece in enumerate(text.split("\t")):
        if i:
            runs.append(el("r", [el("tab")]))
        runs.append(el("r", [_text("t", piece)]))
    return el("p", [el("pPr", [el("pStyle", val=style)]), *runs])


def _text(tag: str, text: str) -> etree._Element:
    node = el(tag)
    node.set(XML_SPACE, "preserve")
    node.text = text
    return node


def _footer() -> etree._Element:
    """A centred page number (a PAGE field)."""
    ftr = etree.Element(_w("ftr"), nsmap={"w": W, "r": REL})
    ftr.append(el("p", [
        el("pPr", [el("pStyle", val="Footer")]),
        el("r", [el("fldChar", fldCharType="begin")]),
        el("r", [_text("instrText", " PAGE ")]),
        el("r", [el("fldChar", fldCharType="separate")]),
        el("r", [_text("t", "1")]),
        el("r", [el("fldChar", fldCharType="end")]),
    ]))
    return ftr


def _rels(root: etree._Element) -> None:
    for old in root.findall(f"{{{PKG_REL}}}Relationship[@Id='{FOOTER_RID}']"):
        root.remove(old)
    rel = etree.SubElement(root, f"{{{PKG_REL}}}Relationship")
    rel.set("Id", FOOTER_RID)
    rel.set("Type", f"{REL}/footer")
    rel.set("Target", "footer1.xml")


def _content_types(root: etree._Element) -> None:
    for old in root.findall(f"{{{CT}}}Override[@PartName='/{FOOTER_PART}']"):
        root.remove(old)
    override = etree.SubElement(root, f"{{{CT}}}Override")
    override.set("PartName", f"/{FOOTER_PART}")
    override.set("ContentType", FOOTER_TYPE)


def main(argv: list[str]) -> int:
    """Write the reference document (to the built-in styles folder unless a path is given)."""
    from ..context import STYLES_DIR

    target = Path(argv[0]) if argv else STYLES_DIR / "docx" / "reference.docx"
    write_reference(target)
    return 0


if __name__ == "__main__":
    main(sys.argv[1:])
