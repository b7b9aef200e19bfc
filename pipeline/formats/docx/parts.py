"""One chunk's package (pandoc's DOCX of a part of the book) made ready to be joined (`merge`).

Each pandoc run numbers what must be unique in a document from its own start: bookmark ids,
footnote ids, list instances (`w:num`), drawing ids and relationship ids (hyperlinks, images,
whose media parts are named after them). A chunk's numbers are moved past those of the chunks
before it (`Offsets`), in the order pandoc gave them, so footnote ids still ascend in reference
order (LibreOffice pairs notes with references by that order), every list is still its own
`w:num` (it restarts where it did) and list definitions (`w:abstractNum`, which pandoc derives
from the list's style) are shared. Everything else of the package (styles, settings, section
properties, fixed relationships, separators) must be what the first chunk has: its digest is
the chunk's `shape`, and a chunk of another shape is not joined (the book is written by one
pandoc run instead).

Checks that need the whole chunk run here, on pandoc's own output: the bookmarks and link
anchors (`verify`) and `safety`; the joined document copies these bodies, only renumbered.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import PurePosixPath
from typing import Any

from lxml import etree

from ...cache import digest
from ..common.xml import parse_xml
from . import columns, safety, verify

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
HYPERLINK = f"{R}/hyperlink"
IMAGE = f"{R}/image"
DOCUMENT, NOTES, NUMBERING = "word/document.xml", "word/footnotes.xml", "word/numbering.xml"
DOCUMENT_RELS, NOTES_RELS = "word/_rels/document.xml.rels", "word/_rels/footnotes.xml.rels"
CONTENT_TYPES, MEDIA = "[Content_Types].xml", "word/media/"
# Parts joined from every chunk, or (properties) taken from the first one: not in the shape.
JOINED = frozenset({DOCUMENT, NOTES, NUMBERING, DOCUMENT_RELS, NOTES_RELS, CONTENT_TYPES,
                    "docProps/core.xml", "docProps/custom.xml"})


class Unsound(Exception):
    """This chunk cannot be joined with the others as it is."""


@dataclass(frozen=True)
class Index:
    """What a chunk does to set the index in columns (`columns`): "before" ends the book so far
    (the chunk before the index), "index" holds the index heading."""

    role: str
    bookmark: str  # the index heading's


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass(frozen=True)
class Offsets:
    """Where a chunk's numbers start (or, as counts, how many it used)."""

    bookmark: int = 0
    footnote: int = 1  # 0 and -1 are the separators
    num: int = 1000  # pandoc's first list instance
    drawing: int = 1
    rel: int = 0  # set past the first chunk's fixed relationships

    def after(self, used: Offsets) -> Offsets:
        return Offsets(*(getattr(self, f.name) + getattr(used, f.name) for f in fields(self)))


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str
    external: bool


@dataclass(frozen=True)
class Media:
    name: str  # the part's name, renamed after its new relationship id
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Part:
    used: Offsets
    body: bytes  # the body's children but the final section properties
    notes: bytes  # the footnotes but the separators
    rels: tuple[Rel, ...]  # the body's hyperlinks and images, renamed
    note_rels: tuple[Rel, ...]  # the footnotes' ones
    media: tuple[Media, ...]
    abstracts: tuple[tuple[str, bytes], ...]  # list definitions: id -> element
    nums: bytes  # the list instances used, renumbered
    bookmarks: tuple[str, ...]  # names in the body, then in the footnotes (as verify reads)
    anchors: tuple[str, ...]
    unsafe: tuple[str, ...]  # what `safety` found
    shape: str
    held: bytes = b""  # the end of a bookmark that goes after a later chunk (`Chunk.hold`)
    characters: str = ""  # every character of its text (`w:t`), once (the fonts' subsets need them)


def rewrite(docx: bytes, at: Offsets, hold: str = "", index: Index | None = None) -> Part:
    """The chunk's parts with its numbers moved to start at `at`, the end of the bookmark
    named `hold` taken out, its share of the index's sections made (raises Unsound)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        read = {i.filename: z.read(i) for i in z.infolist()}
    if DOCUMENT not in read or NUMBERING not in read:
        raise Unsound("no document or numbering part")
    document = parse_xml(read[DOCUMENT])
    notes = parse_xml(read[NOTES]) if NOTES in read else None
    stories = [document] if notes is None else [document, notes]
    _only_known_ids(stories)
    characters = _characters(stories)  # before the notes move out of their tree
    rels, note_rels = _rels(read.get(DOCUMENT_RELS)), _rels(read.get(NOTES_RELS))
    renamed = _rename_rels(stories, [*rels, *note_rels], at.rel)
    bookmarks = _renumber(stories, (w("bookmarkStart"), w("bookmarkEnd")), w("id"), at.bookmark)
    footnotes = _renumber([document], (w("footnoteReference"),), w("id"), at.footnote)
    drawings = _number_drawings(stories, at.drawing)
    numbering = parse_xml(read[NUMBERING])
    abstracts, nums, used_nums = _lists(numbering, stories, at.num)
    notes_bytes, separators = _notes(notes, footnotes, at.footnote) if notes is not None else (b"", b"")
    found = verify.inspect(docx)
    held = _held(document, hold) if hold else b""
    if index is not None:
        _index_sections(document, index)
    body, sect = body_bytes(document)
    shape = _shape(read, [*stories, numbering], sect, separators, rels, note_rels)
    return Part(
        used=Offsets(len(bookmarks), len(footnotes), used_nums, drawings, len(renamed)),
        body=body, notes=notes_bytes,
        rels=tuple(_moved(r, renamed) for r in rels if r.id in renamed),
        note_rels=tuple(_moved(r, renamed) for r in note_rels if r.id in renamed),
        media=tuple(_media(read, rels, renamed)), abstracts=tuple(abstracts), nums=nums,
        bookmarks=tuple(found.bookmarks), anchors=tuple(found.anchors),
        unsafe=tuple(safety.problems(docx)), shape=shape, held=held,
        characters=characters)


def _index_sections(document: etree._Element, index: Index) -> None:
    """`columns`' changes to this chunk, as `columns.index_in_columns` makes them on the whole
    document: the index heading opens the chunk (but for bookmark marks), so the paragraph
    before it is the previous chunk's last."""
    body = document.find(w("body"))
    final = body[-1] if body is not None and len(body) else None
    if body is None or final is None or final.tag != w("sectPr"):
        raise Unsound("the body does not end with its section properties")
    if index.role == "before":
        columns.end_book(columns.last_paragraph(body), final)
        return
    heading = columns.heading_after(body, index.bookmark)
    marks = (w("bookmarkStart"), w("bookmarkEnd"))
    if heading is None or any(e.tag not in marks for e in heading.itersiblings(preceding=True)):
        raise Unsound("the index chunk does not begin with the index heading")
    columns.start_index(heading, final)


def _characters(stories: list[etree._Element]) -> str:
    return "".join(sorted({c for story in stories for t in story.iter(w("t")) for c in t.text or ""}))


def _held(document: etree._Element, name: str) -> bytes:
    """The end of bookmark `name`, taken out of the body: it must come after everything but
    other bookmark ends and the section properties."""
    body = document.find(w("body"))
    start = next((b for b in document.iter(w("bookmarkStart")) if b.get(w("name")) == name), None)
    if body is None or start is None:
        raise Unsound(f"no bookmark {name} to move")
    ident = start.get(w("id"))
    end = next((e for e in body.iterchildren(w("bookmarkEnd")) if e.get(w("id")) == ident), None)
    after = [] if end is None else [e for e in end.itersiblings() if isinstance(e.tag, str)]
    if end is None or any(e.tag not in (w("bookmarkEnd"), w("sectPr")) for e in after):
        raise Unsound(f"the bookmark {name} does not end the chunk")
    body.remove(end)
    end.tail = None
    return alone([end], document)


def body_bytes(document: etree._Element) -> tuple[bytes, bytes]:
    """The body's children but its final section properties, and those properties (taken out
    of `document`)."""
    body = document.find(w("body"))
    if body is None or len(document) != 1:
        raise Unsound("the document is not one body")
    sect = body[-1] if len(body) and body[-1].tag == w("sectPr") else None
    if sect is None:
        raise Unsound("the body does not end with its section properties")
    body.remove(sect)
    holder = shell(document)
    etree.SubElement(holder, w("body")).append(sect)
    return _children(_children(inner(document)).strip()), _children(_children(inner(holder)).strip())


def shell(root: etree._Element) -> etree._Element:
    """An empty element like `root`: its tag, attributes and namespace declarations."""
    nsmap: Any = root.nsmap  # lxml takes None for the default namespace; its stubs do not say so
    return etree.Element(root.tag, attrib={str(k): str(v) for k, v in root.attrib.items()}, nsmap=nsmap)


def inner(root: etree._Element) -> bytes:
    """A root element serialised (its children use the prefixes it declares)."""
    return bytes(etree.tostring(root, encoding="UTF-8"))


def alone(elements: list[etree._Element], like: etree._Element) -> bytes:
    """`elements` (moved out of their tree) serialised with the prefixes `like` declares."""
    holder = shell(like)
    for el in elements:
        holder.append(el)
    return _children(inner(holder))


def _children(data: bytes) -> bytes:
    """What lies between an element's start and end tags, in its serialised form."""
    head = data.index(b">") + 1
    if data[head - 2:head] == b"/>":
        return b""
    return data[head:data.rindex(b"</")]


# Elements whose w:id the join renumbers; any other (tracked changes, comments, content
# controls) would repeat across chunks: such a book is written in one run.
_NUMBERED = (w("bookmarkStart"), w("bookmarkEnd"), w("footnoteReference"), w("footnote"))


def _only_known_ids(stories: list[etree._Element]) -> None:
    for story in stories:
        found: list[etree._Element] = story.xpath(  # type: ignore[assignment]
            "//*[@w:id or self::w:id]", namespaces={"w": W})
        for el in found:
            if el.tag not in _NUMBERED:
                raise Unsound(f"<w:{etree.QName(el).localname}> has an id the join cannot renumber")


def _rels(data: bytes | None) -> list[Rel]:
    if data is None:
        return []
    return [Rel(r.get("Id", ""), r.get("Type", ""), r.get("Target", ""), r.get("TargetMode") == "External")
            for r in parse_xml(data).iter(f"{{{RELS}}}Relationship")]


def _rename_rels(stories: list[etree._Element], rels: list[Rel], start: int) -> dict[str, str]:
    """Hyperlinks and images get ids `rId<start>`, `rId<start+1>` …; references follow."""
    renamed: dict[str, str] = {}
    for rel in rels:
        if rel.type in (HYPERLINK, IMAGE) and rel.id not in renamed:
            renamed[rel.id] = f"rId{start + len(renamed)}"
    for story in stories:
        owners: list[etree._Element] = story.xpath("//*[@r:*]", namespaces={"r": R})  # type: ignore[assignment]
        for el in owners:
            for name, value in el.attrib.items():
                if str(name).startswith(f"{{{R}}}") and str(value) in renamed:
                    el.set(name, renamed[str(value)])
    return renamed


def _moved(rel: Rel, renamed: dict[str, str]) -> Rel:
    new = renamed[rel.id]
    if rel.type != IMAGE or rel.external:
        return replace(rel, id=new)
    return replace(rel, id=new, target=f"media/{new}{PurePosixPath(rel.target).suffix}")


def _media(read: dict[str, bytes], rels: list[Rel], renamed: dict[str, str]) -> list[Media]:
    types = parse_xml(read[CONTENT_TYPES])
    overrides = {o.get("PartName", ""): o.get("ContentType", "") for o in types.iter(f"{{{TYPES}}}Override")}
    defaults = {d.get("Extension", "").lower(): d.get("ContentType", "")
                for d in types.iter(f"{{{TYPES}}}Default")}
    out = []
    for rel in rels:
        if rel.type != IMAGE or rel.external or rel.id not in renamed:
            continue
        old = f"word/{rel.target}"
        if old not in read:
            raise Unsound(f"image {rel.target} is not in the package")
        suffix = PurePosixPath(old).suffix
        kind = overrides.get("/" + old) or defaults.get(suffix[1:].lower(), "")
        out.append(Media(f"{MEDIA}{renamed[rel.id]}{suffix}", kind, read[old]))
    return out


def _renumber(stories: list[etree._Element], tags: tuple[str, ...], attr: str, start: int) -> dict[str, int]:
    """Every distinct value of `attr` on `tags`, in document order, numbered from `start`."""
    numbers: dict[str, int] = {}
    for story in stories:
        for el in story.iter(*tags):
            old = el.get(attr, "")
            if old not in numbers:
                numbers[old] = start + len(numbers)
            el.set(attr, str(numbers[old]))
    return numbers


def _number_drawings(stories: list[etree._Element], start: int) -> int:
    """Drawing object ids (unique in a document, Word insists) numbered from `start`."""
    n = 0
    for story in stories:
        for el in story.iter(f"{{{WP}}}docPr", f"{{{PIC}}}cNvPr"):
            el.set("id", str(start + n))
            n += 1
    return n


def _notes(notes: etree._Element, numbers: dict[str, int], start: int) -> tuple[bytes, bytes]:
    """The chunk's footnotes renumbered (in reference order), and its separators."""
    separators, own = [], []
    for note in list(notes):
        if not isinstance(note.tag, str):
            continue
        notes.remove(note)
        if note.get(w("type")):
            separators.append(note)
            continue
        old = note.get(w("id"), "")
        if old not in numbers:  # pandoc writes no unreferenced note; kept, after the others
            numbers[old] = start + len(numbers)
        note.set(w("id"), str(numbers[old]))
        own.append(note)
    own.sort(key=lambda n: int(n.get(w("id"), "0")))
    return alone(own, notes), alone(separators, notes)


def _lists(numbering: etree._Element, stories: list[etree._Element], start: int
           ) -> tuple[list[tuple[str, bytes]], bytes, int]:
    """List definitions, and the list instances the chunk uses, renumbered from `start`."""
    used = {el.get(w("val"), "") for story in stories for el in story.iter(w("numId"))}
    renamed: dict[str, str] = {}
    abstracts: list[tuple[str, bytes]] = []
    nums = []
    for child in list(numbering):
        if not isinstance(child.tag, str):
            continue
        numbering.remove(child)
        if child.tag == w("abstractNum"):
            abstracts.append((child.get(w("abstractNumId"), ""), alone([child], numbering)))
        elif child.tag == w("num"):
            old = child.get(w("numId"), "")
            if old in used and old != "0":
                renamed[old] = str(start + len(renamed))
                child.set(w("numId"), renamed[old])
                nums.append(child)
        else:
            raise Unsound(f"numbering has a <{etree.QName(child).localname}>")
    for story in stories:
        for el in story.iter(w("numId")):
            if el.get(w("val"), "") in renamed:
                el.set(w("val"), renamed[el.get(w("val"), "")])
    return abstracts, alone(nums, numbering), len(renamed)


def _shape(read: dict[str, bytes], roots: list[etree._Element], sect: bytes, separators: bytes,
           rels: list[Rel], note_rels: list[Rel]) -> str:
    """A digest of everything the join takes from the first chunk alone."""
    own = sorted(n for n in read if n not in JOINED and not n.startswith(MEDIA))
    types = parse_xml(read[CONTENT_TYPES])
    kept_types = [(etree.QName(t).localname, sorted(t.attrib.items())) for t in types
                  if isinstance(t.tag, str) and not t.get("PartName", "").startswith("/" + MEDIA)]
    fixed = [asdict(r) for r in [*rels, *note_rels] if r.type not in (HYPERLINK, IMAGE)]
    head = [[r.tag, sorted(r.nsmap.items(), key=str)] for r in roots]
    return digest(json.dumps([own, kept_types, fixed, head], ensure_ascii=False, default=str),
                  *(read[n] for n in own), sect, separators)
