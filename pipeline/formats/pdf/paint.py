"""Painting the page numbers onto the joined PDF, once every chunk's page count is known.

Each chunk was laid out once, assuming it starts on a right-hand page, with its page numbers
hidden (`pagenumbers`). Here, for every page of the book:

- a page that lands on the other side (its chunk starts on a left-hand page) keeps its
  content but shows it through a window moved by the margin difference (its page boxes
  move), so inner and outer margins swap; links, destinations and bookmarks stay valid
  because they live in the same coordinates as the content;
- every page reference gets its target's page number, in its box's font, size and colour,
  aligned as the box aligns it; the folio goes to the outer corner of its final side;
- the digits are drawn with a subset of the same font (one embedded font per face);
- every formula is drawn into its box from one form XObject per distinct formula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from pypdf import PageObject, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from ._pypdf import add_object
from .formulas import Form
from .pagenumbers import DIGITS, ChunkPaint, DigitFont, Figure

_BOXES = ("/MediaBox", "/CropBox", "/TrimBox", "/BleedBox", "/ArtBox")


@dataclass(frozen=True)
class Text:
    """A run of digits to draw: left end of its baseline, in PDF user space."""

    x: float
    y: float
    font: str
    size: float
    color: tuple[float, float, float]
    text: str


@dataclass(frozen=True)
class PageStamp:
    texts: tuple[Text, ...]
    window: float  # pt: how far the page's boxes move (0: the page keeps its side)
    figures: tuple[Figure, ...] = ()


def stamps(paints: Sequence[ChunkPaint], anchors: Mapping[str, int]) -> list[PageStamp]:
    """What to draw on every page of the book, in order (`anchors`: anchor -> 1-based page)."""
    out: list[PageStamp] = []
    fonts = fonts_of(paints)
    for paint in paints:
        first = len(out) + 1
        by_page: list[list[Text]] = [[] for _ in paint.right]
        figures: list[list[Figure]] = [[] for _ in paint.right]
        for figure in paint.figures:
            figures[figure.page].append(figure)
        for slot in paint.slots:
            number = first + slot.page if slot.anchor is None else anchors.get(slot.anchor)
            if number is None:
                continue  # a link to nowhere: reported as GL603, printed without a number
            moved = paint.right[slot.page] != _recto(first + slot.page)
            x, align = slot.x, slot.align
            if moved and slot.anchor is None:  # the folio goes to the other corner
                x = paint.width - x - paint.shift[slot.page]
                align = {"left": "right", "right": "left"}.get(align, align)
            text = str(number)
            width = fonts[slot.font].width(text, slot.size)
            left = x - width if align == "right" else x - width / 2 if align == "center" else x
            by_page[slot.page].append(Text(left, slot.y, slot.font, slot.size, slot.color, text))
        for i, texts in enumerate(by_page):
            moved = paint.right[i] != _recto(first + i)
            out.append(PageStamp(tuple(texts), -paint.shift[i] if moved else 0.0, tuple(figures[i])))
    return out


def _recto(number: int) -> bool:
    return number % 2 == 1


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def fonts_of(paints: Sequence[ChunkPaint]) -> dict[str, DigitFont]:
    """Every digit font the chunks need, once (the same face gives the same key in any worker)."""
    return {k: f for p in paints for k, f in sorted(p.fonts.items())}


def stamp(writer: PdfWriter, pages: Sequence[PageStamp], fonts: Mapping[str, DigitFont],
          forms: Mapping[str, Form]) -> None:
    """Draw the numbers and formulas; move the windows of the pages that changed side."""
    if len(pages) != len(writer.pages):
        raise ValueError(f"{len(pages)} page stamps for {len(writer.pages)} pages")
    refs = {key: _embed(writer, font) for key, font in sorted(fonts.items())}
    names = {key: NameObject(f"/GLpn{i}") for i, key in enumerate(sorted(fonts))}
    used = sorted({f.key for page in pages for f in page.figures})
    xobjects = {key: add_object(writer, _form(forms[key])) for key in used}
    xnames = {key: NameObject(f"/GLf{i}") for i, key in enumerate(used)}
    save = add_object(writer, _stream(b"q\n"))
    for page, todo in zip(writer.pages, pages, strict=True):
        if todo.window:
            _move(page, todo.window)
        if not todo.texts and not todo.figures:
            continue
        font_dict = _resource(page, "/Font")
        for key in sorted({t.font for t in todo.texts}):
            font_dict[names[key]] = refs[key]
        xobject_dict = _resource(page, "/XObject")
        for key in sorted({f.key for f in todo.figures}):
            xobject_dict[xnames[key]] = xobjects[key]
        ops = b"Q\n" + b"".join(_place(f, xnames[f.key], forms[f.key]) for f in todo.figures)
        ops += b"".join(_draw(t, names[t.font], fonts[t.font]) for t in todo.texts)
        stream = _stream(ops)
        old = page.raw_get("/Contents")
        old = list(old) if isinstance(old, ArrayObject) else [old]
        # WeasyPrint's page stream changes the graphics state without restoring it: wrap it.
        page[NameObject("/Contents")] = ArrayObject([save, *old, add_object(writer, stream)])


def _move(page: PageObject, dx: float) -> None:
    """Move the page's boxes (the window on its content) sideways by `dx` points."""
    for key in _BOXES:
        if key in page:
            x1, y1, x2, y2 = (float(v) for v in cast(ArrayObject, page[key]))
            page[NameObject(key)] = ArrayObject(
                FloatObject(round(v, 4)) for v in (x1 + dx, y1, x2 + dx, y2))


def _resource(page: PageObject, kind: str) -> DictionaryObject:
    """The page's resources of one kind (WeasyPrint shares one resource dictionary per chunk)."""
    resources = cast(DictionaryObject, page[NameObject("/Resources")].get_object())
    if kind not in resources:
        resources[NameObject(kind)] = DictionaryObject()
    return cast(DictionaryObject, resources[kind].get_object())


def _form(form: Form) -> StreamObject:
    xobject = _stream(form.ops)
    xobject[NameObject("/Type")] = NameObject("/XObject")
    xobject[NameObject("/Subtype")] = NameObject("/Form")
    xobject[NameObject("/BBox")] = ArrayObject(FloatObject(v) for v in form.bbox)
    xobject[NameObject("/Resources")] = DictionaryObject()
    return xobject.flate_encode()


def _place(figure: Figure, name: NameObject, form: Form) -> bytes:
    """Scale the form's box onto the figure's box."""
    x1, y1, x2, y2 = form.bbox
    sx, sy = figure.width / (x2 - x1), figure.height / (y2 - y1)
    return (f"q {sx:.6g} 0 0 {sy:.6g} {figure.x - x1 * sx:.3f} {figure.y - y1 * sy:.3f} cm "
            f"{name} Do Q\n").encode()


def _draw(text: Text, name: NameObject, font: DigitFont) -> bytes:
    r, g, b = (f"{c:.4g}" for c in text.color)
    glyphs = "".join(f"{font.glyphs[int(c)]:04x}" for c in text.text)
    return (f"BT {name} {text.size:.4g} Tf {r} {g} {b} rg "
            f"1 0 0 1 {text.x:.3f} {text.y:.3f} Tm <{glyphs}> Tj ET\n").encode()


def _embed(writer: PdfWriter, font: DigitFont) -> IndirectObject:
    """A Type 0 font (Identity-H, glyph ids as codes) with the digit subset embedded."""
    base = NameObject("/" + font.name)
    file = _stream(font.data)
    if font.opentype:
        file[NameObject("/Subtype")] = NameObject("/OpenType")
    else:
        file[NameObject("/Length1")] = NumberObject(len(font.data))
    file_ref = add_object(writer, file.flate_encode())
    descriptor = DictionaryObject({
        NameObject("/Type"): NameObject("/FontDescriptor"),
        NameObject("/FontName"): base,
        NameObject("/FontFamily"): TextStringObject(font.family),
        NameObject("/Flags"): NumberObject(font.flags),
        NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in (
            0, font.descent, round(max(font.widths)), font.ascent)),
        NameObject("/ItalicAngle"): NumberObject(0),
        NameObject("/Ascent"): NumberObject(font.ascent),
        NameObject("/Descent"): NumberObject(font.descent),
        NameObject("/CapHeight"): NumberObject(font.ascent),
        NameObject("/StemV"): NumberObject(80),
        NameObject("/FontFile3" if font.opentype else "/FontFile2"): file_ref,
    })
    widths = ArrayObject()
    for glyph, width in sorted(set(zip(font.glyphs, font.widths, strict=True))):
        widths += [NumberObject(glyph), ArrayObject([FloatObject(round(width, 3))])]
    cid = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/CIDFontType0" if font.opentype else "/CIDFontType2"),
        NameObject("/BaseFont"): base,
        NameObject("/CIDSystemInfo"): DictionaryObject({
            NameObject("/Registry"): TextStringObject("Adobe"),
            NameObject("/Ordering"): TextStringObject("Identity"),
            NameObject("/Supplement"): NumberObject(0)}),
        NameObject("/W"): widths,
        NameObject("/FontDescriptor"): add_object(writer, descriptor),
    })
    if not font.opentype:
        cid[NameObject("/CIDToGIDMap")] = NameObject("/Identity")
    return add_object(writer, DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type0"),
        NameObject("/BaseFont"): base,
        NameObject("/Encoding"): NameObject("/Identity-H"),
        NameObject("/DescendantFonts"): ArrayObject([add_object(writer, cid)]),
        NameObject("/ToUnicode"): add_object(writer, _to_unicode(font)),
    }))


def _to_unicode(font: DigitFont) -> DecodedStreamObject:
    """A CMap from the digit glyphs to the digits, so the numbers can be searched and copied."""
    pairs = sorted(dict(zip(font.glyphs, DIGITS, strict=True)).items())
    chars = "\n".join(f"<{g:04x}> <{ord(c):04x}>" for g, c in pairs)
    return _stream((
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n"
        f"{len(pairs)} beginbfchar\n{chars}\nendbfchar\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode())
