"""Laid-out chunks in the build cache: a chunk's PDF and where its numbers go, under the key of
everything its layout depends on (its HTML as laid out, the generated and the print sheets, the
images, WeasyPrint's version and the system's fonts).

Two entries per chunk: the PDF bytes, and its layout as JSON (pages, anchors, number slots,
formula boxes, digit fonts with their subset files in base64, diagnostics). A chunk whose
layout failed is not kept.
"""

from __future__ import annotations

import base64
import functools
import os
import subprocess
from pathlib import Path
from typing import Any

from ... import diagnostics as dg
from ...cache import Cache, digest
from .layout import ChunkJob, ChunkResult
from .pagenumbers import ChunkPaint, DigitFont, Figure, Slot

PDF, LAYOUT = "pdf-chunk", "pdf-layout"


def stamp(path: Path) -> str:
    """A file's identity for a key: its size and modification time."""
    try:
        st = os.stat(path)
    except OSError:
        return f"{path}:?"
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


@functools.cache
def environment() -> str:
    """WeasyPrint's version and the fonts fontconfig offers (a new font can change a layout)."""
    from importlib.metadata import version

    try:
        fonts = subprocess.run(["fc-list", "--format", "%{file}|%{style}\n"], capture_output=True,
                               text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        fonts = "?"
    return digest(version("weasyprint"), "\n".join(sorted(fonts.splitlines())))


def _key(cache: Cache, fingerprint: str, job: ChunkJob) -> str:
    return cache.key(PDF, fingerprint, job.css, job.html)


def load(cache: Cache, fingerprint: str, job: ChunkJob) -> ChunkResult | None:
    """The chunk laid out before with exactly this job, or None."""
    if not cache.enabled:
        return None
    key = _key(cache, fingerprint, job)
    pdf = cache.get(PDF, key)
    meta = cache.get_json(LAYOUT, key) if pdf is not None else None
    if pdf is None or not isinstance(meta, dict):
        return None
    try:
        return ChunkResult(job.index, int(meta["pages"]), dict(meta["anchors"]), pdf,
                           tuple(dg.Diagnostic.from_json(d) for d in meta["diagnostics"]),
                           _paint(meta["paint"]), tuple(meta["dead"]))
    except (KeyError, TypeError, ValueError):
        return None


def save(cache: Cache, fingerprint: str, job: ChunkJob, result: ChunkResult) -> None:
    """Keep a chunk's layout (not one that failed)."""
    if not cache.enabled or result.failed or result.pdf is None or result.paint is None:
        return
    key = _key(cache, fingerprint, job)
    cache.put(PDF, key, result.pdf)
    cache.put_json(LAYOUT, key, {
        "pages": result.pages, "anchors": dict(result.anchors),
        "diagnostics": [d.to_json() for d in result.diagnostics],
        "paint": _paint_json(result.paint), "dead": list(result.dead_anchors)})


def _paint_json(p: ChunkPaint) -> dict[str, Any]:
    return {
        "width": p.width, "right": list(p.right), "shift": list(p.shift),
        "slots": [[s.page, s.anchor, s.x, s.y, s.align, s.font, s.size, list(s.color)] for s in p.slots],
        "figures": [[f.page, f.key, f.x, f.y, f.width, f.height] for f in p.figures],
        "fonts": {k: [f.name, f.family, base64.b64encode(f.data).decode(), f.opentype, list(f.glyphs),
                      list(f.widths), f.ascent, f.descent, f.flags] for k, f in p.fonts.items()},
    }


def _paint(v: dict[str, Any]) -> ChunkPaint:
    slots = tuple(Slot(int(page), anchor, float(x), float(y), str(align), str(font), float(size),
                       (float(color[0]), float(color[1]), float(color[2])))
                  for page, anchor, x, y, align, font, size, color in v["slots"])
    figures = tuple(Figure(int(page), str(key), float(x), float(y), float(w), float(h))
                    for page, key, x, y, w, h in v["figures"])
    fonts = {k: DigitFont(str(name), str(family), base64.b64decode(data), bool(otf),
                          tuple(int(g) for g in glyphs), tuple(float(w) for w in widths),
                          int(ascent), int(descent), int(flags))
             for k, (name, family, data, otf, glyphs, widths, ascent, descent, flags)
             in v["fonts"].items()}
    return ChunkPaint(float(v["width"]), tuple(bool(r) for r in v["right"]),
                      tuple(float(s) for s in v["shift"]), slots, figures, fonts)
