"""One Word package from the chunks' parts (`parts`): the package of the first chunk, its body,
footnotes, lists, relationships, media and content types holding every chunk's.

The bodies go one after the other before the first chunk's final section properties; footnotes
after its separators; list definitions once each, then every list instance; relationships and
media renamed already. The zip is written like pandoc's: the same entries in the same order,
deflated, the parts pandoc made stamped with the build's time (SOURCE_DATE_EPOCH or now), the
reference document's parts with their own dates.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from ..common.xml import parse_xml
from . import columns, safety, verify
from .parts import (
    CONTENT_TYPES,
    DOCUMENT,
    DOCUMENT_RELS,
    HYPERLINK,
    IMAGE,
    MEDIA,
    NOTES,
    NOTES_RELS,
    NUMBERING,
    RELS,
    TYPES,
    Media,
    Part,
    Rel,
    Unsound,
    shell,
    w,
)
from .runs import FIXED_DATE, FIXED_STAMP

CORE = "docProps/core.xml"
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_MARK = "glossary-join"  # a placeholder comment where the chunks' content goes
_RID = re.compile(r"rId(\d+)")
_CORE_TIME = re.compile(rb">" + re.escape(FIXED_STAMP.encode()) + rb"</(dcterms:(?:created|modified))>")


@dataclass(frozen=True)
class Frame:
    """What the joined package takes from the first chunk."""

    infos: tuple[zipfile.ZipInfo, ...]
    data: dict[str, bytes]
    document: tuple[bytes, bytes]  # before the bodies, after them (the final section properties)
    notes: tuple[bytes, bytes]  # before the notes (the separators), after them
    numbering: tuple[bytes, bytes]
    rels: tuple[Rel, ...]  # fixed relationships of the body (styles, footer …)
    note_rels: tuple[Rel, ...]
    first_rel: int  # the first number free for renamed relationships


def frame(docx: bytes, index_columns: tuple[int, int] | None = None) -> Frame:
    """The first chunk's package, opened for the join; with `index_columns`, the document ends
    as `columns` ends it (the entries' closing paragraph, a last continuous section)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        infos = tuple(z.infolist())
        data = {i.filename: z.read(i) for i in infos}
    document = parse_xml(data[DOCUMENT])
    body = document.find(w("body"))
    if body is None or not len(body) or body[-1].tag != w("sectPr"):
        raise Unsound("the first chunk's body has no final section properties")
    outer = shell(document)
    final = body[-1]
    ending = [final] if index_columns is None else list(columns.closing(final, *index_columns))
    etree.SubElement(outer, w("body")).extend([etree.Comment(_MARK), *ending])
    if NOTES not in data:
        raise Unsound("the first chunk has no footnotes part")
    notes = parse_xml(data[NOTES])
    separators = [n for n in notes if isinstance(n.tag, str) and n.get(w("type"))]
    note_shell = shell(notes)
    note_shell.extend([*separators, etree.Comment(_MARK)])
    numbering_shell = shell(parse_xml(data[NUMBERING]))
    numbering_shell.append(etree.Comment(_MARK))
    rels = _fixed(data.get(DOCUMENT_RELS))
    numbers = [int(m.group(1)) for r in rels if (m := _RID.fullmatch(r.id))]
    return Frame(infos, data, _split(outer), _split(note_shell), _split(numbering_shell), rels,
                 _fixed(data.get(NOTES_RELS)), max(numbers, default=0) + 1)


@dataclass
class Package:
    """A package's entries in order (names, dates, compression) and their contents, changed
    in place by the steps after the join (`columns`, `fonts`) and zipped once."""

    infos: list[zipfile.ZipInfo]
    contents: dict[str, bytes]

    @staticmethod
    def opened(docx: bytes) -> Package:
        with zipfile.ZipFile(io.BytesIO(docx)) as z:
            infos = z.infolist()
            return Package(infos, {i.filename: z.read(i) for i in infos})

    def add(self, name: str, data: bytes) -> None:
        """A new part after the others, dated like the first."""
        info = zipfile.ZipInfo(name, self.infos[0].date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        self.infos.append(info)
        self.contents[name] = data

    def zipped(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            for info in self.infos:
                z.writestr(info, self.contents[info.filename], compress_type=info.compress_type)
        return out.getvalue()


def join(parts: Sequence[Part], frame: Frame, when: dt.datetime, releases: Sequence[bool]) -> Package:
    """The package of all parts, in order; a part's held bookmark end goes after the next part
    that `releases` it."""
    if any(p.shape != parts[0].shape for p in parts):
        raise Unsound("the chunks' packages differ in more than their content")
    abstracts: dict[str, bytes] = {}
    for part in parts:
        for ident, element in part.abstracts:
            if abstracts.setdefault(ident, element) != element:
                raise Unsound(f"list definition {ident} differs between chunks")
    media = [m for p in parts for m in p.media]
    joined = {
        DOCUMENT: _around(frame.document, _bodies(parts, releases)),
        NOTES: _around(frame.notes, [p.notes for p in parts]),
        NUMBERING: _around(frame.numbering, [*abstracts.values(), *(p.nums for p in parts)]),
        DOCUMENT_RELS: _relationships([*frame.rels, *(r for p in parts for r in p.rels)]),
        NOTES_RELS: _relationships([*frame.note_rels, *(r for p in parts for r in p.note_rels)]),
        CONTENT_TYPES: _content_types(frame.data[CONTENT_TYPES], [(m.name, m.content_type) for m in media]),
    }
    if CORE in frame.data:
        joined[CORE] = _stamped_core(frame.data[CORE], when)
    stamp = max(when, dt.datetime(1980, 1, 1, tzinfo=dt.UTC)).timetuple()[:6]
    package = Package([], {})
    for info in frame.infos:
        if info.filename.startswith(MEDIA):
            continue
        package.infos.append(_entry(info, stamp, info.filename))
        package.contents[info.filename] = joined.get(info.filename, frame.data[info.filename])
        if info.filename == "word/settings.xml":  # where pandoc puts the media
            _media(package, media, info, stamp)
    if not any(i.filename == "word/settings.xml" for i in frame.infos):
        _media(package, media, frame.infos[0], stamp)
    return package


def checked(parts: Sequence[Part], package: Package) -> tuple[verify.Findings, list[str]]:
    """`verify`'s findings over every chunk, and `safety`'s: the chunks' (each checked on
    pandoc's output) and the package's other parts, checked here as they are."""
    found = verify.judge([b for p in parts for b in p.bookmarks], [a for p in parts for a in p.anchors])
    rest = io.BytesIO()
    with zipfile.ZipFile(rest, "w") as small:
        for name, data in package.contents.items():
            if name not in (DOCUMENT, NOTES):  # the chunks' bodies and notes: checked each
                small.writestr(name, data)
    unsafe = [u for p in parts for u in p.unsafe] + safety.problems(rest.getvalue())
    return found, list(dict.fromkeys(unsafe))


def _bodies(parts: Sequence[Part], releases: Sequence[bool]) -> list[bytes]:
    out, held = [], b""
    for part, release in zip(parts, releases, strict=True):
        out.append(part.body)
        held += part.held
        if release:
            out.append(held)
            held = b""
    if held:
        raise Unsound("a bookmark end was never placed")
    return out


def _split(shell: etree._Element) -> tuple[bytes, bytes]:
    data = etree.tostring(shell, encoding="UTF-8")
    head, _, tail = data.partition(f"<!--{_MARK}-->".encode())
    return DECLARATION + head, tail


def _around(ends: tuple[bytes, bytes], middle: Sequence[bytes]) -> bytes:
    return b"".join([ends[0], *middle, ends[1]])


def _fixed(data: bytes | None) -> tuple[Rel, ...]:
    if data is None:
        return ()
    rels = (Rel(r.get("Id", ""), r.get("Type", ""), r.get("Target", ""), r.get("TargetMode") == "External")
            for r in parse_xml(data).iter(f"{{{RELS}}}Relationship"))
    return tuple(r for r in rels if r.type not in (HYPERLINK, IMAGE))


def _relationships(rels: Sequence[Rel]) -> bytes:
    root = parse_xml(f'<Relationships xmlns="{RELS}"/>'.encode())
    for rel in rels:
        el = etree.SubElement(root, f"{{{RELS}}}Relationship", Type=rel.type, Id=rel.id, Target=rel.target)
        if rel.external:
            el.set("TargetMode", "External")
    return DECLARATION + etree.tostring(root, encoding="UTF-8")


def _content_types(data: bytes, media: Sequence[tuple[str, str]]) -> bytes:
    root = parse_xml(data)
    for el in list(root):
        if isinstance(el.tag, str) and el.get("PartName", "").startswith("/" + MEDIA):
            root.remove(el)
    for name, kind in media:
        etree.SubElement(root, f"{{{TYPES}}}Override", PartName="/" + name, ContentType=kind)
    return DECLARATION + etree.tostring(root, encoding="UTF-8")


def _stamped_core(data: bytes, when: dt.datetime) -> bytes:
    """The core properties with the build's time where pandoc wrote the fixed one (the rest of
    the bytes as pandoc wrote them)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return _CORE_TIME.sub(lambda m: b">" + stamp + b"</" + m.group(1) + b">", data)


def _entry(like: zipfile.ZipInfo, stamp: tuple[int, ...], name: str) -> zipfile.ZipInfo:
    """A zip entry like `like` (pandoc's or the reference's), stamped if pandoc made it."""
    date = stamp if like.date_time == FIXED_DATE else like.date_time
    info = zipfile.ZipInfo(name, date_time=date)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = like.create_system
    info.external_attr = like.external_attr
    return info


def _media(package: Package, media: Sequence[Media], like: zipfile.ZipInfo, stamp: tuple[int, ...]) -> None:
    for m in media:
        package.infos.append(_entry(like, stamp, m.name))
        package.contents[m.name] = m.data
