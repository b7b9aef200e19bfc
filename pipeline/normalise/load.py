"""Phase 1 — load: find the source files, read and parse them, cut them into raw terms.

Nothing here knows about other files; cross-file checks (duplicate ids, links) are resolve's job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import diagnostics as dg
from .. import pandoc, pandoc_batch
from ..config import CONFIG_NAME, BookConfig
from ..limits import MAX_NESTING, shown_time
from ..model import KNOWN_SECTION_CLASSES, KNOWN_TERM_CLASSES, TERM_CLASS
from ..pandoc_ast import Node, stringify
from . import rawlinks
from .discover import discover
from .intake import decode
from .positions import HEADER, Locator, term_heading_lines

MERGE_MIN_TERMS = 12
_ID_CHARS = re.compile(r"[^\w.:-]+")
_RAW_ANCHOR = re.compile(r"<a\s", re.IGNORECASE)
_WARN_POS = re.compile(r"line (\d+),? column (\d+)")


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
    blocks: list[Node]
    line: int
    column: int


@dataclass
class SourceFile:
    name: str  # relative to the source folder, forward slashes, NFC
    path: Path
    text: str  # as pandoc reads it: NFC, without BOM and control characters
    changed: bool = False  # `text` differs from the file: pandoc is given the text
    terms: list[RawTerm] = field(default_factory=list)

    @property
    def source(self) -> pandoc.Source:
        return self.text if self.changed else self.path


@dataclass
class Loaded:
    files: list[SourceFile]
    api_version: list[int]
    locator: Locator


def load(source: Path, config: BookConfig, report: dg.Report,
         progress: Callable[[str], None] | None = None, skip: tuple[Path, ...] = ()) -> Loaded:
    """Read and parse every source file; unreadable, empty, merged, oversized and too slow
    files are reported and skipped. `skip`: folders and files the build writes (not entries)."""
    if not source.is_dir():
        raise dg.GlossaryError(dg.make(
            dg.SOURCE_MISSING, str(source), 0, 0, "source folder does not exist",
            "pass the folder that holds your entries, e.g. `glossary check source/`"), exit_code=2)
    readable: list[SourceFile] = []
    for found in discover(source, config, report, skip):
        f = _read(found.name, found.path, report)
        if f is not None and not _skip(f.name, f.text, report):
            readable.append(f)
    if not readable:
        raise dg.GlossaryError(dg.make(
            dg.SOURCE_MISSING, str(source), 0, 0, "no Markdown entries found",
            f"put one .md file per term in the folder (and {CONFIG_NAME} beside them)"), exit_code=2)
    if progress:
        progress(f"parsing {len(readable)} files with pandoc")
    parse_time = config.limits.parse_time
    batch = pandoc_batch.parse_batch({f.name: f.source for f in readable}, parse_time)
    files: list[SourceFile] = []
    raw_anchors = frozenset(f.name for f in readable if _RAW_ANCHOR.search(f.text))
    locator = Locator({f.name: f.source for f in readable}, raw_anchors, parse_time)
    for f in readable:
        if f.name in batch.slow:
            report.add(_too_slow(f.name, *batch.slow[f.name], parse_time))
            continue
        if f.name in batch.failures:
            report.add(_parse_failure(f.name, batch.failures[f.name]))
            continue
        parsed = batch.files[f.name]
        _pandoc_warnings(f.name, parsed.warnings, report)
        if parsed.nesting:
            report.add(_flattened(f.name, parsed.nesting))
        blocks = rawlinks.convert(parsed.blocks) if f.name in raw_anchors else parsed.blocks
        _cut_terms(f, blocks, report, locator)
        files.append(f)
    # Writers need pandoc's API version even for a book none of whose files could be parsed.
    return Loaded(files, batch.api_version or pandoc.api_version(), locator)


def _read(rel: str, path: Path, report: dg.Report) -> SourceFile | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.add(dg.make(dg.FILE_UNREADABLE, rel, 0, 0, f"cannot read file: {exc.strerror}",
                           "check the file's permissions"))
        return None
    text = decode(rel, data, report)
    return SourceFile(rel, path, text.text, text.changed) if text is not None else None


def _too_slow(rel: str, line: int, advice: str, parse_time: float) -> dg.Diagnostic:
    where = f" (it got stuck from line {line} on)" if line > 1 else ""
    return dg.make(dg.ENTRY_TOO_COMPLEX, rel, line, 1 if line else 0,
                   f"pandoc needs longer than [limits] parse-time ({shown_time(parse_time)}) to "
                   f"read this entry{where}; left out",
                   f"{advice}; or raise parse-time in book.toml's [limits]")


def _flattened(rel: str, depth: int) -> dg.Diagnostic:
    return dg.make(dg.NESTING_TOO_DEEP, rel, 0, 0,
                   f"lists, quotes, divs or emphasis nest {depth} levels deep; below level "
                   f"{MAX_NESTING} they are published as plain text",
                   f"nest at most {MAX_NESTING} levels")


def _skip(rel: str, text: str, report: dg.Report) -> bool:
    if not text.strip():
        report.add(dg.make(dg.FILE_EMPTY, rel, 1, 1, "file is empty",
                           "write the entry or delete the file"))
        return True
    terms = len(term_heading_lines(text))
    if text.startswith("---\n") and terms >= MERGE_MIN_TERMS:
        report.add(dg.make(
            dg.FILE_MERGED, rel, 1, 1,
            f"looks like a generated merge of the glossary (YAML front matter, {terms} terms); skipped",
            "delete it or add it to `exclude` in book.toml; entries belong in one file each"))
        return True
    return False


def _parse_failure(rel: str, message: str) -> dg.Diagnostic:
    lines = [ln.strip().rstrip(":") for ln in message.splitlines() if ln.strip()]
    first = "; ".join(lines[:3]) if lines else "pandoc failed"
    m = _WARN_POS.search(message)
    line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
    return dg.make(dg.FILE_PARSE, rel, line, max(col, 1), f"pandoc cannot parse the file: {first}",
                   "fix the syntax pandoc names (often a YAML block or an unclosed fence)")


def _pandoc_warnings(rel: str, warnings: list[str], report: dg.Report) -> None:
    for message in warnings:
        m = _WARN_POS.search(message)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
        clean = re.sub(r"\s*(at\s+)?\"?" + re.escape(rel) + r"\"?(\s+line \d+ column \d+)?", "", message)
        report.add(dg.make(dg.PANDOC_WARNING, rel, line, col, f"pandoc: {clean.strip()}",
                           "see pandoc's manual for the construct it names"))


def _cut_terms(f: SourceFile, blocks: list[Node], report: dg.Report, locator: Locator) -> None:
    """Split a file's blocks at headings carrying `.term`."""
    current: RawTerm | None = None
    preamble: list[Node] = []
    lines = term_heading_lines(f.text)
    for block in blocks:
        if block["t"] == "Header" and TERM_CLASS not in block["c"][1][1]:
            block = _repaired(f, block, len(f.terms), lines, report)
        if block["t"] == "Header" and TERM_CLASS in block["c"][1][1]:
            current = _start_term(f, block, len(f.terms), lines)
            f.terms.append(current)
        elif current is not None:
            current.blocks.append(block)
        else:
            preamble.append(block)
    if not f.terms:
        report.add(dg.make(dg.FILE_NO_TERM, f.name, 1, 1, "no term heading in this file",
                           "mark the entry's heading with {#Id .term}, or exclude the file"))
        return
    if any(b["t"] not in ("HorizontalRule", "RawBlock", "Null") for b in preamble):
        t = f.terms[0]
        report.add(dg.make(dg.FILE_PREAMBLE, f.name, 1, 1,
                           f"text before the first term heading (line {t.line}) is not published",
                           "move it below a term heading or delete it"))
    ordinal = 0  # headings counted in file order, to match pandoc's positions later
    for term in f.terms:
        ordinal = _check_classes(f, term, report, locator, ordinal)


def _repaired(f: SourceFile, header: Node, ordinal: int, lines: list[tuple[int, int, str]],
              report: dg.Report) -> Node:
    """A heading whose `{#id .term}` pandoc could not read (it shows up as text) becomes a term
    again, with an id reduced to the characters pandoc accepts — and an error saying so."""
    level, _attr, inlines = header["c"]
    start = next((i for i, n in enumerate(inlines)
                  if n["t"] == "Str" and n["c"].startswith("{")), None)
    if start is None:
        return header
    raw = stringify(inlines[start:]).strip()
    tokens = raw[1:-1].split() if raw.endswith("}") else []
    classes = [t[1:] for t in tokens if t.startswith(".")]
    if TERM_CLASS not in classes:
        return header
    written = next((t[1:] for t in tokens if t.startswith("#")), "")
    ident = _ID_CHARS.sub("-", written).strip("-")
    title = inlines[:start]
    while title and title[-1]["t"] in ("Space", "SoftBreak"):
        title = title[:-1]
    line, col = lines[ordinal][:2] if ordinal < len(lines) else (0, 0)
    report.add(dg.make(dg.ID_INVALID, f.name, line, col,
                       f"pandoc cannot read the attribute block {raw}; published with id #{ident}",
                       "ids may hold letters, digits and - _ . : only; write "
                       f"{{#{ident} .term}}"))
    return {"t": "Header", "c": [level, [ident, classes, []], title]}


def _start_term(f: SourceFile, header: Node, ordinal: int,
                lines: list[tuple[int, int, str]]) -> RawTerm:
    level, (ident, classes, kvs), inlines = header["c"]
    line, col = 0, 0
    if ordinal < len(lines) and (not ident or f"#{ident}" in lines[ordinal][2]):
        line, col = lines[ordinal][0], lines[ordinal][1]
    else:  # the k-th match is off (a heading inside a code block?): find the id instead
        line, col = next(((ln, c) for ln, c, text in lines if ident and f"#{ident}" in text), (0, 0))
    return RawTerm(f.name, ordinal, level, ident, list(classes), {k: v for k, v in kvs},
                   inlines, [], line, col)


def _check_classes(f: SourceFile, term: RawTerm, report: dg.Report, locator: Locator,
                   ordinal: int) -> int:
    """Report unknown heading classes; returns the running count of headings in the file."""
    unknown = [c for c in term.classes if c not in KNOWN_TERM_CLASSES]
    if unknown:
        report.add(_unknown_class(f.name, term.line, term.column, unknown, stringify(term.title)))
    ordinal += 1
    for block in term.blocks:
        if block["t"] != "Header":
            continue
        _, (_ident, classes, _kvs), inlines = block["c"]
        unknown = [c for c in classes if c not in KNOWN_SECTION_CLASSES]
        if unknown:
            d = _unknown_class(f.name, term.line, 0, unknown, stringify(inlines))
            locator.defer(d, HEADER, "", ordinal)
        ordinal += 1
    return ordinal


def _unknown_class(file: str, line: int, col: int, classes: list[str], title: str) -> dg.Diagnostic:
    names = ", ".join(f".{c}" for c in classes)
    return dg.make(dg.HEADING_CLASS, file, line, col,
                   f"heading „{title}“ has unknown class {names}",
                   "known: .term .explanation .seealso .haiku .example .note .history .quote "
                   ".sources — check the spelling")
