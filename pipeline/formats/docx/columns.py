"""The index in two columns, as in the PDF: Word sections around it, set after pandoc wrote the file.

WordprocessingML has no columns for a part of a section: columns belong to a section, and a
section is closed by a `w:sectPr` in its last paragraph. pandoc writes one section (its final
`w:sectPr`, copied from the reference document: page size, margins, footer). So the body is cut
in three, each with a copy of that `w:sectPr`: everything before the index (as it was), the
index heading (one column, continuing on the page the heading's own page break starts), and the
entries (continuous, in columns), closed by an empty continuous section that balances them.
Copying the final section's properties keeps a custom reference document's page setup and
footer on every part.
"""

from __future__ import annotations

import copy
import io
import zipfile

from lxml import etree

from ..common.xml import parse_xml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT = "word/document.xml"
_SECT_ORDER = ("headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz",
               "pgMar", "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt",
               "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid",
               "printerSettings", "sectPrChange")


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def index_in_columns(docx: bytes, bookmark: str, columns: int = 2, gap: int = 567) -> bytes:
    """The DOCX with everything after the bookmarked heading `bookmark` set in `columns`
    (`gap` twips apart); unchanged when the document has no such heading."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        infos = z.infolist()
        contents = {i.filename: z.read(i) for i in infos}
    if not split(contents, bookmark, columns, gap):
        return docx
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in infos:  # same names, order, dates and compression: the build stays reproducible
            z.writestr(info, contents[info.filename], compress_type=info.compress_type)
    return out.getvalue()


def split(contents: dict[str, bytes], bookmark: str, columns: int = 2, gap: int = 567) -> bool:
    """`index_in_columns` on a package's parts by name (its document part replaced); whether
    the document has the heading."""
    root = parse_xml(contents[DOCUMENT])
    if not _split(root, bookmark, columns, gap):
        return False
    contents[DOCUMENT] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return True


def _split(root: etree._Element, bookmark: str, columns: int, gap: int) -> bool:
    body = root.find(_w("body"))
    final = body.find(_w("sectPr")) if body is not None else None
    if body is None or final is None:
        return False
    heading = heading_after(body, bookmark)
    if heading is None:
        return False
    end_book(_last_paragraph_before(body, heading), final)
    start_index(heading, final)
    end, last = closing(final, columns, gap)
    final.addprevious(end)
    body.replace(final, last)
    return True


# The three changes, also made one by one on a document written in chunks (`docx.parts`).

def end_book(paragraph: etree._Element, final: etree._Element) -> None:
    """The paragraph before the index ends the book so far, whose section stays as it was."""
    _properties(paragraph).append(copy.deepcopy(final))


def start_index(heading: etree._Element, final: etree._Element) -> None:
    """The index heading ends a section of its own: one column, continuing on its page."""
    _properties(heading).append(_section(final, continuous=True))


def closing(final: etree._Element, columns: int, gap: int) -> tuple[etree._Element, etree._Element]:
    """The empty paragraph after the entries and the document's new final section properties.

    The entries' section ends with an empty paragraph of its own and the document with a
    continuous one-column section: Word and LibreOffice balance columns only before a
    continuous break, so a short index fills both columns evenly, as in the PDF."""
    end = etree.Element(_w("p"))
    _properties(end).append(_section(final, continuous=True, columns=columns, gap=gap))
    return end, _section(final, continuous=True)


def last_paragraph(body: etree._Element) -> etree._Element:
    """The paragraph that ends `body` but for its section properties and bookmark marks; a
    new empty one after a table."""
    node = body[-1] if len(body) else None
    if node is not None and node.tag == _w("sectPr"):
        node = node.getprevious()
    return _paragraph_at(body, node)


def heading_after(body: etree._Element, bookmark: str) -> etree._Element | None:
    """The first body paragraph after `<w:bookmarkStart w:name=bookmark>`."""
    children = list(body)
    for i, child in enumerate(children):
        if child.tag == _w("bookmarkStart") and child.get(_w("name")) == bookmark:
            return next((c for c in children[i + 1:] if c.tag == _w("p")), None)
    return None


def _last_paragraph_before(body: etree._Element, heading: etree._Element) -> etree._Element:
    """The paragraph that ends the part before the index; a new empty one after a table."""
    return _paragraph_at(body, heading.getprevious())


def _paragraph_at(body: etree._Element, node: etree._Element | None) -> etree._Element:
    while node is not None and node.tag in (_w("bookmarkStart"), _w("bookmarkEnd")):
        node = node.getprevious()
    if node is not None and node.tag == _w("p"):
        return node
    paragraph = etree.Element(_w("p"))
    (node.addnext(paragraph) if node is not None else body.insert(0, paragraph))
    return paragraph


def _properties(paragraph: etree._Element) -> etree._Element:
    ppr = paragraph.find(_w("pPr"))
    if ppr is None:
        ppr = etree.Element(_w("pPr"))
        paragraph.insert(0, ppr)
    return ppr


def _section(final: etree._Element, continuous: bool, columns: int = 1, gap: int = 0) -> etree._Element:
    """A copy of the final section's properties: no separate first page (that is the title
    page's), continuing on the same page, in `columns`."""
    section = copy.deepcopy(final)
    for tag in ("titlePg", "type", "cols"):
        for old in section.findall(_w(tag)):
            section.remove(old)
    if continuous:
        _insert(section, etree.Element(_w("type"), {_w("val"): "continuous"}))
    if columns > 1:
        _insert(section, etree.Element(_w("cols"), {_w("num"): str(columns), _w("space"): str(gap)}))
    return section


def _insert(section: etree._Element, child: etree._Element) -> None:
    """`child` at its place in the schema's order of `w:sectPr` children."""
    rank = {name: i for i, name in enumerate(_SECT_ORDER)}
    mine = rank[etree.QName(child).localname]
    for i, existing in enumerate(section):
        if not isinstance(existing.tag, str):
            continue
        if rank.get(etree.QName(existing).localname, len(rank)) > mine:
            section.insert(i, child)
            return
    section.append(child)
