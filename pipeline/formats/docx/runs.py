"""pandoc's DOCX writer run once per chunk, side by side, each result kept in the build cache.

A chunk's package depends on its pandoc input (the chunk's key, `chunks`), the reference
document, the staged images and pandoc itself, all part of the key. pandoc stamps the time
into the package (zip entries, core properties): every chunk is written at one fixed time,
so a stored chunk serves any build, and the join stamps the build's own time (`merge`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ... import diagnostics as dg
from ... import pandoc
from ...cache import Cache
from .chunks import Chunk

KIND = "docx-chunk"
FIXED_EPOCH = 946684800  # 2000-01-01T00:00:00Z
FIXED_DATE = (2000, 1, 1, 0, 0, 0)  # as zip entries carry it
FIXED_STAMP = "2000-01-01T00:00:00Z"  # as the core properties do


@dataclass(frozen=True)
class Written:
    docx: bytes
    warnings: str  # pandoc's stderr
    stored: bool = False  # read from the cache (not written by pandoc in this run)


def written(chunks: Sequence[Chunk], api: list[int], reference: Path, media_dir: Path,
            cache: Cache) -> list[Written]:
    """Every chunk's package, from the cache or from pandoc (one process per core)."""
    found: list[Written | None] = [decode(cache.get(KIND, c.key)) if cache.enabled else None
                                   for c in chunks]
    todo = [i for i, w in enumerate(found) if w is None]
    inputs = {i: chunks[i].document(api) for i in todo}  # made here: preparing is Python's work
    args = ["-f", "json", "-t", "docx", "--reference-doc", str(reference.resolve()), "-o", "-"]
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(FIXED_EPOCH)}

    def run(i: int) -> Written:
        try:
            data, warnings = pandoc.run(args, inputs[i], cwd=str(media_dir), env=env)
        except pandoc.PandocError as exc:
            raise dg.GlossaryError(dg.make(
                dg.TOOL_FAILED, "", 0, 0, f"pandoc (docx, part {chunks[i].name}) failed: {exc}",
                "check the reference document and the message")) from exc
        return Written(data, warnings)

    if todo:
        with pandoc.SideBySide(len(todo)) as pool:  # a failed run (or the budget) ends the rest unstarted
            futures = [pool.submit(run, i) for i in todo]
            for i, future in zip(todo, futures, strict=True):
                result = found[i] = future.result()
                cache.put(KIND, chunks[i].key, encode(result))
    return [w for w in found if w is not None]


def encode(w: Written) -> bytes:
    text = w.warnings.encode("utf-8")
    return len(text).to_bytes(8, "little") + text + w.docx


def decode(data: bytes | None) -> Written | None:
    if data is None or len(data) < 8:
        return None
    size = int.from_bytes(data[:8], "little")
    if 8 + size > len(data):
        return None
    try:
        warnings = data[8:8 + size].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return Written(data[8 + size:], warnings, stored=True)
