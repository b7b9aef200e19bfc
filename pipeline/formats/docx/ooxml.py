"""Raw WordprocessingML the DOCX backend inserts where pandoc writes nothing: fields and tabs.

pandoc never writes Word fields for links, and its own `--toc` is an empty field that only Word
fills in. These snippets go into the pandoc AST as `RawInline`/`RawBlock` of format `openxml`.
Fields are written "dirty" so Word recomputes them on open; their cached result (a page number
placeholder, the table of contents' entries) is what every other program shows until then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from ...pandoc_ast import Node, RawBlock, RawInline

FORMAT = "openxml"
PAGE_PLACEHOLDER = "?"  # cached PAGEREF result; Word and LibreOffice replace it with the page
TOC_LEVELS = "1-2"  # letter groups and terms


def _text_run(text: str, style: str = "") -> str:
    rpr = f'<w:rPr><w:rStyle w:val="{style}"/></w:rPr>' if style else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _field_runs(instruction: str, cached: str, style: str = "") -> str:
    """A complex field: begin, instruction, separate, cached result, end."""
    rpr = f'<w:rPr><w:rStyle w:val="{style}"/></w:rPr>' if style else ""
    return (f'<w:r>{rpr}<w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
            f'<w:r>{rpr}<w:instrText xml:space="preserve"> {escape(instruction)} </w:instrText></w:r>'
            f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>'
            f'{_text_run(cached, style)}'
            f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>')


def pageref(bookmark: str, style: str = "") -> str:
    """A PAGEREF field to `bookmark` (`\\h`: the number links to the target in Word)."""
    return _field_runs(f"PAGEREF {bookmark} \\h", PAGE_PLACEHOLDER, style)


def page_reference(bookmark: str, before: str, after: str, style: str) -> Node:
    """`before` + page number + `after`, e.g. ` (→ S. ` 12 `)`, as one raw inline."""
    runs = [_text_run(before, style) if before else "", pageref(bookmark, style),
            _text_run(after, style) if after else ""]
    return RawInline(FORMAT, "".join(runs))


def tab() -> Node:
    """A tab character (to the style's right-aligned, dot-leader tab stop)."""
    return RawInline(FORMAT, "<w:r><w:tab/></w:r>")


@dataclass(frozen=True)
class TocEntry:
    level: int  # 1 = letter group / index, 2 = term
    text: str
    bookmark: str


def toc(title: str, entries: Sequence[TocEntry]) -> Node:
    """A Word table-of-contents field whose cached result already lists every entry.

    Word rebuilds it, page numbers included, on open (the field is dirty and the reference
    document asks for field updates). LibreOffice does not: it imports the cached result as
    static text (even PAGEREF fields inside it), so the entries are hyperlinked titles without
    page numbers; Tools ▸ Update ▸ Update All fills them in there.
    """
    head = (f'<w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr>{_text_run(title)}</w:p>')
    instruction = f'TOC \\o "{TOC_LEVELS}" \\h \\z \\u'
    begin = ('<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
             f'<w:r><w:instrText xml:space="preserve"> {escape(instruction)} </w:instrText></w:r>'
             '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
    paras = [_toc_line(e, begin if i == 0 else "") for i, e in enumerate(entries)]
    end = '<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    if not entries:
        paras = [f"<w:p>{begin}</w:p>"]
    body = "".join(paras) + end
    return RawBlock(FORMAT, '<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
                            f'<w:docPartUnique/></w:docPartObj></w:sdtPr><w:sdtContent>{head}{body}'
                            '</w:sdtContent></w:sdt>')


def _toc_line(entry: TocEntry, prefix: str) -> str:
    return (f'<w:p><w:pPr><w:pStyle w:val="TOC{entry.level}"/></w:pPr>{prefix}'
            f'<w:hyperlink w:anchor="{escape(entry.bookmark)}" w:history="1">'
            f'{_text_run(entry.text)}</w:hyperlink></w:p>')
