"""What the reader hands on: the source files, the raw terms cut from them, pages that are no
terms, and the whole load. Plain records, so every step of reading (`load`, `stored`, `unsafe`,
`titles`) and of resolving can name them without importing the reader itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import pandoc
from ..limits import Limits
from ..pandoc_ast import Node
from .positions import Locator


@dataclass
class RawTerm:
    """A term as found in one file: its heading and the blocks up to the next term heading."""

    file: str
    ordinal: int  # position among the file's term headings
    level: int
    id: str  # as written; '' when the heading has none
    classes: list[str]
    attributes: dict[str, str]
    title: list[Node]
    blocks: list[Node]  # filled in lazily when the file's head came from the cache (`needs_blocks`)
    line: int
    column: int
    header_ids: list[str] = field(default_factory=list)  # ids written on headings inside the term


@dataclass
class SourceFile:
    name: str  # relative to the source folder, forward slashes, NFC
    path: Path
    text: str  # as pandoc reads it: NFC, without BOM and control characters
    changed: bool = False  # `text` differs from the file: pandoc is given the text
    terms: list[RawTerm] = field(default_factory=list)
    key: str = ""  # its cache key: name, (normalised) text and the reader
    needs_blocks: bool = False  # terms' blocks are still in the cache (`stored.blocks`)
    parse_time: float = Limits.parse_time  # [limits] parse-time, for a parse after the cache's

    @property
    def source(self) -> pandoc.Source:
        return self.text if self.changed else self.path


@dataclass
class PageSource:
    """A page that is no term: front/back matter from book.toml, or a superseded index page
    (GL310). Its links are resolved and checked; only front and back matter is published."""

    file: str
    role: str  # "front", "back" or "superseded"
    blocks: list[Node]
    text: str = ""  # the file's text (for positions)


@dataclass
class Loaded:
    files: list[SourceFile]
    api_version: list[int]
    locator: Locator
    pages: list[PageSource] = field(default_factory=list)
