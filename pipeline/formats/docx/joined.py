"""The DOCX written in chunks (`chunks`, `runs`) and joined (`parts`, `merge`), or None when
the chunks cannot be joined soundly (the face then writes the book in one pandoc run).

Only what changed is written again: a chunk's package is found under the key of its pandoc
input, and its part (renumbered to follow the chunks before it) under that key and the numbers
it starts at, so an edit that adds no footnote, bookmark, list, image or web link to its chunk
leaves every other part as it was.
"""

from __future__ import annotations

import functools
import json
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lxml import etree

from ... import diagnostics as dg
from ... import pandoc
from ...cache import Cache, digest
from ...config import build_time
from ...model import Book
from . import chunks, merge, parts, runs, verify

if TYPE_CHECKING:
    from ..context import BuildContext

PART = "docx-part"
_DAMAGED = (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, ValueError, IndexError)


@dataclass(frozen=True)
class Joined:
    package: merge.Package
    parts: list[parts.Part]
    diagnostics: list[dg.Diagnostic]  # found while preparing (images, dead links)
    warnings: list[str]  # pandoc's, chunk by chunk
    index_bookmark: str  # the index heading's bookmark name

    @property
    def characters(self) -> str:
        """Every character of the body's and the footnotes' text."""
        return "".join(sorted({c for p in self.parts for c in p.characters}))


def write(book: Book, setting: chunks.Setting, ctx: BuildContext, reference: Path,
          media_dir: Path) -> Joined | None:
    cache = ctx.cache
    api = list(book.pandoc_api_version)
    common = digest(pandoc.identity() if cache.enabled else "", reference.read_bytes(), json.dumps(api))
    planned = chunks.plan(book, setting, cache, common)
    ctx.progress(f"docx: {len(planned.chunks)} parts")
    written = _Written(planned.chunks, runs.written(planned.chunks, api, reference, media_dir, cache),
                       (api, reference, media_dir), cache)
    try:
        frame = written.read(0, functools.partial(merge.frame, index_columns=setting.index_columns))
        joined = _parts(written, frame.first_rel, planned.index_bookmark)
        package = merge.join(joined, frame, build_time(), [c.release for c in planned.chunks])
    except parts.Unsound:
        return None
    return Joined(package, joined, [*planned.found, *(chunks.dead_link(t) for t in planned.dead)],
                  [w.warnings for w in written.packages], planned.index_bookmark)


def checked(made: Joined) -> tuple[verify.Findings, list[str]]:
    """`verify` and `safety` on the joined package as it will be written: the bodies and notes
    as the chunks' checks found them, every other part as it is now."""
    return merge.checked(made.parts, made.package)


T = TypeVar("T")


class _Written:
    """The chunks' packages; one found in the cache that is no package is written again."""

    def __init__(self, planned: list[chunks.Chunk], packages: list[runs.Written],
                 again: tuple[list[int], Path, Path], cache: Cache) -> None:
        self.chunks, self.packages, self.again, self.cache = planned, packages, again, cache
        self.fresh = [not w.stored for w in packages]

    def read(self, i: int, use: Callable[[bytes], T]) -> T:
        while True:
            try:
                return use(self.packages[i].docx)
            except _DAMAGED as exc:
                if self.fresh[i]:
                    raise parts.Unsound(f"pandoc's package of {self.chunks[i].name}: {exc}") from exc
                api, reference, media_dir = self.again
                self.packages[i] = runs.written([self.chunks[i]], api, reference, media_dir, Cache(None))[0]
                self.fresh[i] = True
                self.cache.put(runs.KIND, self.chunks[i].key, runs.encode(self.packages[i]))


def _parts(written: _Written, first_rel: int, index_bookmark: str) -> list[parts.Part]:
    """Every chunk's part, numbered after the chunks before it."""
    cache = written.cache
    at = parts.Offsets(rel=first_rel)
    out = []
    for i, chunk in enumerate(written.chunks):
        index = parts.Index(chunk.index_role, index_bookmark) if chunk.index_role else None
        key = cache.key(PART, chunk.key, json.dumps(asdict(at)), chunk.hold, repr(index))
        stored = cache.get(PART, key) if cache.enabled else None
        part = _decode(stored) if stored is not None else None
        if part is None:
            part = written.read(i, functools.partial(parts.rewrite, at=at, hold=chunk.hold, index=index))
            cache.put(PART, key, _encode(part))
        out.append(part)
        at = at.after(part.used)
    return out


def _encode(part: parts.Part) -> bytes:
    """The part as bytes for the build cache (JSON head, then the blobs it names)."""
    blobs = [part.body, part.notes, part.nums, part.held, *(m.data for m in part.media),
             *(b for _, b in part.abstracts)]
    head: dict[str, Any] = {
        "used": asdict(part.used), "rels": [asdict(r) for r in part.rels],
        "note_rels": [asdict(r) for r in part.note_rels],
        "media": [[m.name, m.content_type] for m in part.media],
        "abstracts": [a for a, _ in part.abstracts], "bookmarks": list(part.bookmarks),
        "anchors": list(part.anchors), "unsafe": list(part.unsafe), "shape": part.shape,
        "characters": part.characters, "sizes": [len(b) for b in blobs]}
    text = json.dumps(head, ensure_ascii=False).encode("utf-8")
    return len(text).to_bytes(8, "little") + text + b"".join(blobs)


def _decode(data: bytes) -> parts.Part | None:
    """`_encode`'s part, or None for anything else."""
    try:
        size = int.from_bytes(data[:8], "little")
        head = json.loads(data[8:8 + size])
        blobs, at = [], 8 + size
        for n in head["sizes"]:
            blobs.append(data[at:at + n])
            at += n
        if at != len(data):
            return None
        media = [parts.Media(name, kind, blob)
                 for (name, kind), blob in zip(head["media"], blobs[4:4 + len(head["media"])], strict=True)]
        abstracts = list(zip(head["abstracts"], blobs[4 + len(media):], strict=True))
        return parts.Part(
            parts.Offsets(**head["used"]), blobs[0], blobs[1], tuple(parts.Rel(**r) for r in head["rels"]),
            tuple(parts.Rel(**r) for r in head["note_rels"]), tuple(media), tuple(abstracts), blobs[2],
            tuple(head["bookmarks"]), tuple(head["anchors"]), tuple(head["unsafe"]), head["shape"],
            blobs[3], str(head["characters"]))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
