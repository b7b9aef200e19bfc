"""Where the page numbers go: read from WeasyPrint's laid-out boxes, in the worker.

A chunk is laid out before the book's page numbers are known, so it prints none. Every
element with `data-pn="ANCHOR"` ends in hidden zeros where its number goes: as many as that
anchor's number has digits for a page reference (`<span class="pnum">`, see `chunks`) and an
index entry, as many as the widest number has for a contents entry (`<span class="pn">`);
digits are tabular, so the real number covers the zeros exactly. The folio's margin box
(`content: counter(page)`) is hidden too. This module records, for each of them, the
baseline, the edge the number is aligned to, the font, size and colour; and for each font the
glyphs of the ten digits (shaped by Pango with the box's own font features, so tabular figures
stay tabular) and a subset of the font file with those glyphs. The joining step paints the
real numbers there (`paint`).

This reads WeasyPrint's laid-out box tree and font classes, through `_weasyprint` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import _weasyprint

PN_ATTR = "data-pn"
MATH_ATTR = "data-math"  # a formula's box (`formulas`)
PN_PLACEHOLDER = "\ue000"  # private use: replaced by as many zeros as the widest page number has digits
# A page reference's number: `REF_OPEN anchor REF_CLOSE`, replaced per layout by as many zeros
# as that anchor's page number has digits (hidden, then painted over: tabular figures).
REF_OPEN, REF_CLOSE = "\ue010", "\ue011"
NUMBER_CLASS = "pnum"  # the element holding a page reference's hidden zeros
DIGITS = "0123456789"
PX = 0.75  # PDF points per CSS pixel


@dataclass(frozen=True)
class Slot:
    """One number to paint: a page reference (`anchor`) or the folio (`anchor` is None)."""

    page: int  # 0-based page in the chunk
    anchor: str | None
    x: float  # pt, PDF user space: the edge or centre the number is aligned to
    y: float  # pt: the baseline
    align: str  # "left", "right" or "center"
    font: str  # key into `ChunkPaint.fonts`
    size: float  # pt
    color: tuple[float, float, float]


@dataclass(frozen=True)
class Figure:
    """A formula's box: where its drawing (`formulas.Form`) goes."""

    page: int
    key: str
    x: float  # pt, PDF user space: bottom left corner
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class DigitFont:
    """The ten digits of one font, ready to embed: glyph ids, advances and a font subset."""

    name: str  # PostScript-style name with a subset tag, e.g. "ABCDEF+DejaVu-Serif"
    family: str
    data: bytes  # the font file reduced to the digits (glyph ids kept)
    opentype: bool  # CFF outlines (FontFile3) rather than TrueType (FontFile2)
    glyphs: tuple[int, ...]  # glyph id of "0" … "9"
    widths: tuple[float, ...]  # advance of "0" … "9" in 1/1000 em
    ascent: int
    descent: int
    flags: int

    def width(self, text: str, size: float) -> float:
        """The advance of a run of digits at `size` points."""
        return sum(self.widths[int(c)] for c in text) * size / 1000


@dataclass(frozen=True)
class ChunkPaint:
    """What the overlay needs from one chunk."""

    width: float  # pt, the page width
    right: tuple[bool, ...]  # per page: laid out as a right-hand (recto) page
    shift: tuple[float, ...]  # per page, pt: how far its content moves if it lands on the other side
    slots: tuple[Slot, ...]
    figures: tuple[Figure, ...] = ()
    fonts: dict[str, DigitFont] = field(default_factory=dict)


_FONTS: dict[int, tuple[str, DigitFont]] = {}  # per worker process: pango font hash -> font


def collect(document: Any) -> ChunkPaint:
    """Every number slot and formula box of a laid-out WeasyPrint document, and their fonts."""
    boxes = _weasyprint.boxes()
    found = _Found()
    right: list[bool] = []
    shift: list[float] = []
    width = 0.0
    for number, page in enumerate(document.pages):
        box = _weasyprint.page_box(page)
        width, height = page.width * PX, page.height
        right.append(box.page_type.side == "right")
        shift.append((box.margin_right - box.margin_left) * PX)
        for child in box.children:
            if isinstance(child, boxes.MarginBox):
                found.margin(child, number, height, boxes)
            else:
                found.body(child, number, height, boxes)
    return ChunkPaint(width, tuple(right), tuple(shift), tuple(found.slots), tuple(found.figures),
                      found.fonts)


@dataclass
class _Found:
    slots: list[Slot] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    fonts: dict[str, DigitFont] = field(default_factory=dict)

    def margin(self, margin_box: Any, page: int, height: float, boxes: Any) -> None:
        """The folio, if this margin box holds it."""
        text = next((t for t in margin_box.descendants() if isinstance(t, boxes.TextBox)), None)
        if text is not None and _is_folio(margin_box):
            self.slot(_hidden(text), page, None, _align(text.style), _edges(text), height)

    def body(self, root: Any, page: int, height: float, boxes: Any) -> None:
        """Page references, contents and index numbers, formulas."""
        for b in root.descendants():
            if b.element is None:
                continue
            if isinstance(b, boxes.InlineBox) and (anchor := b.element.get(PN_ATTR)) is not None:
                text = next((t for t in b.descendants() if isinstance(t, boxes.TextBox)), None)
                if text is None:
                    continue
                if "pn" in (b.element.get("class") or "").split():
                    _hidden(text)  # the placeholder zeros
                for zeros in b.descendants():  # a page reference's zeros
                    if isinstance(zeros, boxes.TextBox) and zeros.element is not None and \
                            NUMBER_CLASS in (zeros.element.get("class") or "").split():
                        _hidden(zeros)
                right = b.padding_box_x() + b.padding_width()  # padding included: the room kept
                self.slot(text, page, anchor, "right", (right, right), height)
            elif isinstance(b, boxes.InlineBlockBox) and (key := b.element.get(MATH_ATTR)):
                self.figures.append(Figure(page, key, b.content_box_x() * PX,
                                           (height - b.content_box_y() - b.height) * PX,
                                           b.width * PX, b.height * PX))

    def slot(self, text: Any, page: int, anchor: str | None, align: str,
             edges: tuple[float, float], height: float) -> None:
        """A number in the font, size and colour of `text`, on its baseline, aligned to `edges`."""
        style = text.style
        left, right = edges
        x = {"left": left, "right": right}.get(align, (left + right) / 2)
        key, font = _digit_font(style)
        self.fonts[key] = font
        color = tuple(float(c) for c in style["color"].to("srgb").coordinates)
        self.slots.append(Slot(page, anchor, x * PX, (height - text.position_y - text.baseline) * PX,
                               align, key, float(style["font_size"]) * PX, (color[0], color[1], color[2])))


def _hidden(text: Any) -> Any:
    """Make sure a placeholder is not drawn, whatever the stylesheet says (it would print the
    chunk's own page count or zeros under the painted number)."""
    if text.style["visibility"] != "hidden":
        text.style = text.style.copy()
        text.style["visibility"] = "hidden"
    return text


def _edges(text: Any) -> tuple[float, float]:
    return text.position_x, text.position_x + text.width


def _is_folio(margin_box: Any) -> bool:
    """A margin box whose content is the page counter."""
    content = margin_box.style["content"]
    return isinstance(content, (list, tuple)) and any(
        isinstance(v, tuple) and v[0] == "counter()" and v[1][0] == "page" for v in content)


def _align(style: Any) -> str:
    align = str(style["text_align_all"])
    return {"start": "left", "end": "right", "justify": "left"}.get(align, align)


def _digit_font(style: Any) -> tuple[str, DigitFont]:
    """The digits in the font Pango picks for this style (cached per worker process)."""
    _layout, first = _weasyprint.shaped(style, DIGITS)  # the run lives as long as _layout
    run = first.data
    if first.next or run.glyphs.num_glyphs != len(DIGITS):
        raise ValueError(f"page numbers need one font with all ten digits ({style['font_family']})")
    pango_font = run.item.analysis.font
    font_hash, description, font_size = _weasyprint.font_key(pango_font)
    if font_hash not in _FONTS:
        glyphs = tuple(int(g.glyph) for g in run.glyphs.glyphs[0:len(DIGITS)])
        font = _weasyprint.font_subset(pango_font, description, font_size,
                                       dict(zip(glyphs, DIGITS, strict=True)))
        name = font.name.decode().lstrip("/")
        widths, ascent, descent = _metrics(bytes(font.file_content), font.index, glyphs)
        _FONTS[font_hash] = (name, DigitFont(
            name=_subset_tag(name) + "+" + name.split("+", 1)[-1], family=font.family,
            data=bytes(font.file_content), opentype=font.type == "otf", glyphs=glyphs,
            widths=widths, ascent=ascent, descent=descent, flags=font.flags))
    return _FONTS[font_hash]


def _metrics(data: bytes, index: int, glyphs: tuple[int, ...]) -> tuple[tuple[float, ...], int, int]:
    """Advances (1/1000 em), ascent and descent read from the font file itself.

    Pango's values are rounded at the size they were shaped at, and a worker caches the first
    size it meets: widths taken from Pango made the PDF depend on which worker laid out which
    chunk first. The font's own tables give the same numbers in every process.
    """
    import io

    from fontTools.ttLib import TTFont

    ttfont = TTFont(io.BytesIO(data), fontNumber=index, lazy=True)
    scale = 1000 / ttfont["head"].unitsPerEm
    metrics = ttfont["hmtx"].metrics
    order = ttfont.getGlyphOrder()
    widths = tuple(metrics[order[g]][0] * scale for g in glyphs)
    hhea = ttfont["hhea"]
    return widths, round(hhea.ascent * scale), round(hhea.descent * scale)


def _subset_tag(name: str) -> str:
    """Six capital letters from the name: this subset differs from WeasyPrint's of the same font."""
    import hashlib

    digest = hashlib.sha256(f"{name} digits".encode()).digest()
    return "".join(chr(65 + b % 26) for b in digest[:6])
