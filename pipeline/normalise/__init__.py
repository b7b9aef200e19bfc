"""The normaliser: every entry read and every link resolved into one immutable `Book`.

Phases 1 and 2 of a build (Sphinx's READING and RESOLVING): `load` finds, reads and parses the
files and cuts them into terms; `resolve` gives every term its final id, resolves links,
aliases and resources, orders the terms and builds letter groups, index and back-references.
Nothing here knows about output formats.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from .. import diagnostics as dg
from .. import pandoc
from ..cache import CACHE_DIR, Cache, Memory
from ..config import load_config, severities
from ..model import Book
from .load import load
from .resolve import resolve

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def book_cache(source: Path, folder: Path | None = None, enabled: bool = True,
               memory: Memory | None = None) -> Cache:
    """The build cache of a glossary: `folder`, else `.glossary-cache/` beside its book.toml
    (`memory`: kept by a long-lived process between its builds)."""
    root = (folder or source / CACHE_DIR) if enabled else None
    return Cache(root, salt=pandoc.identity() if enabled else "", memory=memory)


def read_book(source: Path, report: dg.Report, progress: Progress = _quiet,
              cache: Cache | None = None, bodies: bool = True, out_dir: Path | None = None,
              flush: bool = True) -> Book:
    """Load every entry of `source` and resolve it into the Book; problems go to `report`.

    With a `cache`, what was computed from the same inputs before is taken from it, and what
    was computed now is stored (in the files when this returns; with `flush=False`, when the
    caller flushes the cache: a build lets them be written while it writes the formats).
    `bodies=False` (for `check`) may leave the taglines, definitions and sections of terms
    found in the cache empty. `out_dir`: where the build writes; when it lies inside `source`,
    what it holds is not read back as entries."""
    config = load_config(source, report)
    report.severities.update(severities(config))
    progress("reading entries")
    with cache.flushed() if flush and cache is not None else contextlib.nullcontext():
        loaded = load(source, config, report, progress, cache, _written(source, out_dir, config.slug))
        progress("resolving ids and links")
        return resolve(loaded, config, source, report, cache, bodies)


def _written(source: Path, out_dir: Path | None, slug: str) -> tuple[Path, ...]:
    """What a build into `out_dir` writes inside `source`: the whole folder, or — when it is
    the source folder itself — the generated Markdown and the site."""
    if out_dir is None:
        return ()
    out, src = out_dir.resolve(), source.resolve()
    if out == src:
        return (out / f"{slug}.md", out / "html")
    return (out,) if out.is_relative_to(src) else ()
