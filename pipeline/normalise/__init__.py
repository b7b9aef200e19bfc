"""The normaliser: every entry read and every link resolved into one immutable `Book`.

Phases 1 and 2 of a build (Sphinx's READING and RESOLVING): `load` finds, reads and parses the
files and cuts them into terms; `resolve` gives every term its final id, resolves links,
aliases and resources, orders the terms and builds letter groups, index and back-references.
Nothing here knows about output formats.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .. import diagnostics as dg
from ..config import load_config, severities
from ..model import Book
from .load import load
from .resolve import resolve
from .unsafe import neutralise

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def read_book(source: Path, report: dg.Report, progress: Progress = _quiet) -> Book:
    """Load every entry of `source` and resolve it into the Book; problems go to `report`."""
    config = load_config(source, report)
    report.severities.update(severities(config))
    progress("reading entries")
    loaded = load(source, config, report, progress)
    neutralise(loaded, report)  # before anything reads an entry: see unsafe.py
    progress("resolving ids and links")
    return resolve(loaded, config, source, report)
