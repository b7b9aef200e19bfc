"""The look of the Word document: every style of the reference document, declared in code.

Edit the constants and `STYLES`, then regenerate `styles/docx/reference.docx` with
`python -m pipeline.formats.docx.reference`. Sizes are in points, distances in twips
(1/20 pt; 567 twips = 1 cm). Styles pandoc already defines are replaced property by property
(their names, links and UI flags stay); the others are added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from ..common.fonts import SANS, SERIF

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# The PDF's faces, embedded in every DOCX (`fonts.py`; common/fonts.py says where they come from)
BODY_FONT = SERIF
HEADING_FONT = SANS
MONO_FONT = "Consolas"
BODY_SIZE = 11
LANGUAGE = "de-DE"  # pandoc overrides it with the book's language
INK = "1F3864"  # headings, title
ACCENT = "2F5496"  # section headings, links
MUTED = "595959"  # taglines, back-references, page references
RULE = "8EA9DB"
CODE_BACKGROUND = "F2F2F2"
TEXT_WIDTH = 9071  # A4 (11906) minus 2 × 1417 margins: where right tabs of the TOC sit
INDEX_GAP = 567  # between the index's two columns (`columns.py` sets them)
INDEX_COLUMN = (TEXT_WIDTH - INDEX_GAP) // 2  # where the index's page numbers sit

# Child order that the OOXML schema (and Word) insists on.
_PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
    "sectPr", "pPrChange"
)
_RPR_ORDER = (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
    "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
    "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
    "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"
)
_STYLE_ORDER = (
    "name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority", "semiHidden",
    "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose", "personalReply", "rsid",
    "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr"
)
El = etree._Element


def el(tag: str, children: Sequence[El] = (), /, **attrs: str | int) -> El:
    """A `w:` element with `w:` attributes."""
    e = etree.Element(f"{{{W}}}{tag}")
    for key, value in attrs.items():
        e.set(f"{{{W}}}{key}", str(value))
    e.extend(children)
    return e


def ordered(tag: str, children: Sequence[El], order: Sequence[str]) -> El:
    """`w:tag` with `children` sorted into schema order."""
    rank = {name: i for i, name in enumerate(order)}
    return el(tag, sorted(children, key=lambda c: rank.get(etree.QName(c).localname, len(rank))))


def font(name: str) -> El:
    return el("rFonts", ascii=name, hAnsi=name, cs=name, eastAsia=name)


def size(points: float) -> list[El]:
    half = round(points * 2)
    return [el("sz", val=half), el("szCs", val=half)]


def bold() -> list[El]:
    return [el("b"), el("bCs")]


def italic() -> list[El]:
    return [el("i"), el("iCs")]


def color(hex_rgb: str) -> El:
    return el("color", val=hex_rgb)


def spacing(before: int = 0, after: int = 0, line: int = 0) -> El:
    attrs: dict[str, str | int] = {"before": before, "after": after}
    if line:
        attrs.update(line=line, lineRule="auto")
    return el("spacing", **attrs)


def right_tab(leader: str = "dot", pos: int = TEXT_WIDTH) -> El:
    return el("tabs", [el("tab", val="right", leader=leader, pos=pos)])


def border(side: str, eighths: int, hex_rgb: str, space: int = 4) -> El:
    return el("pBdr", [el(side, val="single", sz=eighths, space=space, color=hex_rgb)])


def shading(fill: str) -> El:
    return el("shd", val="clear", color="auto", fill=fill)


@dataclass(frozen=True)
class Style:
    id: str
    name: str
    kind: str = "paragraph"
    based_on: str = ""
    next: str = ""
    ppr: tuple[El, ...] = ()
    rpr: tuple[El, ...] = ()
    builtin: bool = False  # a name Word knows (lower-case "heading 1", "toc 1"): not custom

    def element(self) -> El:
        """A fresh `w:style` element (for styles pandoc's default does not have)."""
        attrs: dict[str, str | int] = {"type": self.kind, "styleId": self.id}
        if not self.builtin:
            attrs["customStyle"] = 1
        style = el("style", **attrs)
        style.append(el("name", val=self.name))
        if self.based_on:
            style.append(el("basedOn", val=self.based_on))
        if self.next:
            style.append(el("next", val=self.next))
        style.append(el("qFormat"))
        return style


def _heading(level: int, points: float, ppr: Sequence[El], rpr: Sequence[El]) -> Style:
    return Style(f"Heading{level}", f"heading {level}", based_on="Normal", next="BodyText",
                 ppr=(el("keepNext"), el("keepLines"), *ppr, el("outlineLvl", val=level - 1)),
                 rpr=(font(HEADING_FONT), *size(points), *rpr), builtin=True)


STYLES: tuple[Style, ...] = (
    Style("BodyText", "Body Text", based_on="Normal", ppr=(spacing(0, 120, 276),), builtin=True),
    Style("FirstParagraph", "First Paragraph", based_on="BodyText", next="BodyText"),
    Style("Compact", "Compact", based_on="BodyText", ppr=(spacing(0, 40, 264),)),
    Style("Title", "Title", based_on="Normal", next="Subtitle", builtin=True,
          ppr=(spacing(3600, 240, 240), el("jc", val="left")),
          rpr=(font(HEADING_FONT), *bold(), color(INK), *size(34))),
    Style("Subtitle", "Subtitle", based_on="Title", next="Author", builtin=True,
          ppr=(spacing(0, 1200, 240), border("bottom", 12, RULE, 12)),
          rpr=(el("b", val=0), el("bCs", val=0), color(ACCENT), *size(16))),
    Style("Author", "Author", based_on="Title", next="Date",
          ppr=(spacing(0, 60, 240),), rpr=(el("b", val=0), el("bCs", val=0), color("262626"), *size(13))),
    Style("Date", "Date", based_on="Title", builtin=True,
          ppr=(spacing(0, 60, 240),), rpr=(el("b", val=0), el("bCs", val=0), color(MUTED), *size(11))),
    _heading(1, 26, (el("pageBreakBefore"), border("bottom", 12, RULE, 4), spacing(0, 360)),
             (*bold(), color(INK))),
    _heading(2, 16, (spacing(480, 60),), (*bold(), color(INK))),
    _heading(3, 12, (spacing(240, 60),), (*bold(), color(ACCENT))),
    _heading(4, 11, (spacing(180, 40),), (*bold(), *italic(), color(ACCENT))),
    _heading(5, 11, (spacing(120, 40),), (*italic(), color(ACCENT))),
    _heading(6, 10, (spacing(120, 40),), (*italic(), color(MUTED))),
    Style("TOCHeading", "TOC Heading", based_on="Heading1", next="BodyText", builtin=True,
          ppr=(el("outlineLvl", val=9),)),
    Style("TOC1", "toc 1", based_on="Normal", next="TOC2", builtin=True,
          ppr=(el("keepNext"), right_tab(), spacing(160, 0)),
          rpr=(font(HEADING_FONT), *bold(), color(INK))),
    Style("TOC2", "toc 2", based_on="Normal", next="TOC2", builtin=True,
          ppr=(right_tab(), spacing(0, 0), el("ind", left=284))),
    Style("Aliases", "Aliases", based_on="BodyText", next="Tagline",
          ppr=(el("keepNext"), spacing(0, 60)), rpr=(color(MUTED), *size(9))),
    Style("Tagline", "Tagline", based_on="BodyText", next="BodyText",
          ppr=(el("keepNext"), spacing(0, 160)), rpr=(*italic(), color(MUTED))),
    Style("SeeAlso", "See Also", based_on="BodyText", rpr=tuple(size(10))),
    Style("BackReferences", "Back References", based_on="BodyText",
          ppr=(border("top", 4, RULE, 4), spacing(120, 240)), rpr=(color(MUTED), *size(9))),
    Style("ImprintHeading", "Imprint Heading", based_on="Normal", next="Imprint",
          ppr=(el("pageBreakBefore"), spacing(0, 240)),
          rpr=(font(HEADING_FONT), *bold(), color(INK), *size(14))),
    Style("Imprint", "Imprint", based_on="Normal", ppr=(spacing(0, 100),), rpr=tuple(size(10))),
    Style("IndexLetter", "Index Letter", based_on="Normal", next="IndexEntry",
          ppr=(el("keepNext"), spacing(240, 60)), rpr=(font(HEADING_FONT), *bold(), color(INK), *size(13))),
    Style("IndexEntry", "Index Entry", based_on="Normal",
          ppr=(right_tab(pos=INDEX_COLUMN), spacing(0, 0), el("ind", left=284, hanging=284)),
          rpr=tuple(size(10))),
    Style("SourceCode", "Source Code", based_on="Normal", builtin=True,
          ppr=(shading(CODE_BACKGROUND), el("wordWrap", val=0), spacing(120, 120, 240)),
          rpr=(font(MONO_FONT), *size(9))),
    Style("BlockText", "Block Text", based_on="BodyText", next="BodyText", builtin=True,
          ppr=(border("left", 18, RULE, 8), el("ind", left=567, right=567)), rpr=tuple(italic())),
    Style("FootnoteText", "footnote text", based_on="Normal", builtin=True,
          ppr=(spacing(0, 60, 240),), rpr=tuple(size(9))),
    Style("Caption", "caption", based_on="Normal", builtin=True,
          ppr=(spacing(60, 200), el("jc", val="center")), rpr=(*italic(), color(MUTED), *size(9))),
    Style("Figure", "Figure", based_on="Normal", ppr=(el("keepNext"), el("jc", val="center"))),
    Style("Footer", "footer", based_on="Normal", builtin=True,
          ppr=(el("jc", val="center"),), rpr=(font(HEADING_FONT), color(MUTED), *size(9))),
    Style("Hyperlink", "Hyperlink", kind="character", builtin=True, rpr=(color(ACCENT),)),
    Style("PageReference", "Page Reference", kind="character", rpr=(color(MUTED), *size(8.5))),
    Style("VerbatimChar", "Verbatim Char", kind="character", rpr=(font(MONO_FONT), *size(9.5))),
)


def defaults() -> tuple[El, El]:
    """docDefaults' run and paragraph properties: body font, size, language, spacing."""
    rpr = ordered("rPr", [font(BODY_FONT), *size(BODY_SIZE),
                          el("lang", val=LANGUAGE, eastAsia="zh-CN", bidi="ar-SA")], _RPR_ORDER)
    ppr = ordered("pPr", [spacing(0, 120, 276), el("widowControl")], _PPR_ORDER)
    return rpr, ppr


def apply(styles_root: El) -> None:
    """Rewrite `word/styles.xml` (parsed) in place."""
    rpr, ppr = defaults()
    doc_defaults = styles_root.find(f"{{{W}}}docDefaults")
    assert doc_defaults is not None
    doc_defaults[:] = [el("rPrDefault", [rpr]), el("pPrDefault", [ppr])]
    by_id = {s.get(f"{{{W}}}styleId"): s for s in styles_root.iter(f"{{{W}}}style")}
    for spec in STYLES:
        style = by_id.get(spec.id)
        if style is None:
            style = spec.element()
            styles_root.append(style)
        _set_properties(style, spec)
    _table_style(by_id["Table"])


def _set_properties(style: El, spec: Style) -> None:
    keep = [c for c in style if etree.QName(c).localname not in ("pPr", "rPr")]
    new = list(keep)
    if spec.ppr:
        new.append(ordered("pPr", spec.ppr, _PPR_ORDER))
    if spec.rpr:
        new.append(ordered("rPr", spec.rpr, _RPR_ORDER))
    rank = {name: i for i, name in enumerate(_STYLE_ORDER)}
    style[:] = sorted(new, key=lambda c: rank.get(etree.QName(c).localname, len(rank)))


def _table_style(style: El) -> None:
    """Rules above and below the table and under the header row; header row bold."""
    rule: dict[str, str | int] = {"val": "single", "sz": 8, "space": 0, "color": INK}
    thin: dict[str, str | int] = {"val": "single", "sz": 4, "space": 0, "color": RULE}
    tbl_pr = el("tblPr", [
        el("tblInd", w=0, type="dxa"),
        el("tblBorders", [el("top", **rule), el("bottom", **rule), el("insideH", **thin)]),
        el("tblCellMar", [el("top", w=40, type="dxa"), el("left", w=108, type="dxa"),
                          el("bottom", w=40, type="dxa"), el("right", w=108, type="dxa")]),
    ])
    first_row = el("tblStylePr", [
        ordered("rPr", [*bold()], _RPR_ORDER),
        el("tcPr", [el("tcBorders", [el("bottom", **rule)]), shading(CODE_BACKGROUND),
                    el("vAlign", val="bottom")]),
    ], type="firstRow")
    keep = [c for c in style if etree.QName(c).localname not in ("pPr", "rPr", "tblPr", "tblStylePr")]
    style[:] = [*keep, ordered("pPr", [spacing(40, 40, 240)], _PPR_ORDER),
                ordered("rPr", list(size(10)), _RPR_ORDER), tbl_pr, first_row]
