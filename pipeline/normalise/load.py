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
from ..cache import Cache
from ..config import CONFIG_NAME, BookConfig
from ..limits import Limits
from ..model import KNOWN_SECTION_CLASSES, KNOWN_TERM_CLASSES, TERM_CLASS
from ..pandoc_ast import Node, stringify
from . import rawlinks, stored, termlike, unsafe
from .discover import discover, page_small_enough
from .intake import decode, flattened, too_slow
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


def load(source: Path, config: BookConfig, report: dg.Report,
         progress: Callable[[str], None] | None = None, cache: Cache | None = None,
         skip: tuple[Path, ...] = ()) -> Loaded:
    """Read and parse every source file; unreadable, empty, merged, oversized and too slow
    files are reported and skipped. `skip`: folders and files the build writes (not entries).

    With a cache, a file whose text was parsed before is not parsed again: its terms' headings
    and its diagnostics come from the cache, its blocks only when the resolver needs them. The
    text is normalised (NFC, no BOM or control characters) before its key is computed."""
    if not source.is_dir():
        raise dg.GlossaryError(dg.make(
            dg.SOURCE_MISSING, str(source), 0, 0, "source folder does not exist",
            "pass the folder that holds your entries, e.g. `glossary check source/`"), exit_code=2)
    parse_time = config.limits.parse_time
    readable: list[SourceFile] = []
    for found_file in discover(source, config, report, skip):
        f = _read(found_file.name, found_file.path, report, parse_time)
        if f is not None and not _skip(f.name, f.text, report):
            readable.append(f)
    if not readable:
        raise dg.GlossaryError(dg.make(
            dg.SOURCE_MISSING, str(source), 0, 0, "no Markdown entries found",
            f"put one .md file per term in the folder (and {CONFIG_NAME} beside them)"), exit_code=2)
    cache = cache or Cache(None)
    roles = {**{n: "front" for n in config.front}, **{n: "back" for n in config.back}}
    role_files = [f for n in roles if page_small_enough(n, source / n, config, report)
                  and (f := _read(n, source / n, report, parse_time)) is not None]
    stored.keys([*readable, *role_files], cache)
    found = {f.name: head for f in readable if (head := stored.head(f, cache)) is not None}
    misses = [f for f in readable if f.name not in found]
    misses += [f for f in role_files if stored.whole(f, cache, stored.PAGE) is None]
    if progress:
        progress(f"parsing {len(misses)} of {len(readable) + len(role_files)} files with pandoc")
    batch = (pandoc_batch.parse_batch({f.name: f.source for f in misses}, parse_time) if misses
             else pandoc_batch.Batch([], {}, {}))
    # Writers need pandoc's API version even for a book none of whose files could be parsed.
    api = batch.api_version or next((h.api for h in found.values() if h.api), []) or pandoc.api_version()
    files: list[SourceFile] = []
    for f in readable:
        head = found.get(f.name)
        if head is None:
            done = cut(f, batch, cache)
            # Too slow is this machine's verdict today, not the text's: never kept in the cache.
            head = (stored.Head(api, False, done[1]) if f.name in batch.slow
                    else stored.store(f, done, api, cache))
        report.extend(head.diagnostics)
        if head.parsed:
            files.append(f)
    pages = [page for f in role_files if (page := _page(f, roles[f.name], batch, cache, report))]
    locator = Locator({f.name: f.text for f in [*readable, *role_files]})
    termless = [(f, whole) for f in files
                if not f.terms and (whole := _whole(f, batch, cache)) is not None]
    _judge_termless(termless, files, report, locator, pages)
    return Loaded(files, api, locator, pages)


def ensure_blocks(f: SourceFile, cache: Cache) -> None:
    """Give the terms of a file whose head came from the cache their blocks (from the cache, or
    by parsing the file again when the cache lost them: its findings were reported already)."""
    if not f.needs_blocks or stored.blocks(f, cache):
        return
    f.terms = []
    cut(f, pandoc_batch.parse_batch({f.name: f.source}, f.parse_time), Cache(None))
    f.needs_blocks = False


def cut(f: SourceFile, batch: pandoc_batch.Batch, cache: Cache) -> tuple[bool, list[dg.Diagnostic]]:
    """Cut a freshly parsed file into raw terms (into `f.terms`): whether it parsed, and what
    was found wrong with it, positions settled (they depend on the file alone). A file without
    terms keeps its blocks whole, for `_judge_termless`."""
    found = dg.Report()
    blocks = _blocks(f, batch, found)
    if blocks is None:
        return False, list(found)
    locator = Locator({f.name: f.text})
    _cut_terms(f, blocks, found, locator)
    unsafe.neutralise(f, locator, found)  # before anything reads an entry, or the cache keeps it
    locator.settle(found)
    if not f.terms:
        stored.keep_whole(f, blocks, [], cache)
    return True, list(found)


def _blocks(f: SourceFile, batch: pandoc_batch.Batch, found: dg.Report) -> list[Node] | None:
    """The file's blocks from the batch (its warnings, failure or slowness into `found`)."""
    if f.name in batch.slow:
        found.add(too_slow(f.name, *batch.slow[f.name], f.parse_time))
        return None
    if f.name in batch.failures:
        found.add(_parse_failure(f.name, batch.failures[f.name]))
        return None
    parsed = batch.files[f.name]
    _pandoc_warnings(f.name, parsed.warnings, found)
    if parsed.nesting:
        found.add(flattened(f.name, parsed.nesting))
    return rawlinks.convert(parsed.blocks) if _RAW_ANCHOR.search(f.text) else parsed.blocks


def _page(f: SourceFile, role: str, batch: pandoc_batch.Batch, cache: Cache,
          report: dg.Report) -> PageSource | None:
    """A front or back matter page, from the cache or the batch (its findings reported)."""
    kept = stored.whole(f, cache, stored.PAGE)
    if kept is not None:
        report.extend(kept[1])
        return PageSource(f.name, role, kept[0], f.text)
    found = dg.Report()
    blocks = _blocks(f, batch, found)
    if blocks is None:
        report.extend(found)
        return None
    blocks = unsafe.neutralise_page(f, blocks, found)  # before anything reads it, or the cache keeps it
    report.extend(found)
    stored.keep_whole(f, blocks, list(found), cache, stored.PAGE)
    return PageSource(f.name, role, blocks, f.text)


def _whole(f: SourceFile, batch: pandoc_batch.Batch, cache: Cache) -> list[Node] | None:
    """A term-less file's blocks: kept by `cut`, or parsed again when the cache lost them."""
    kept = stored.whole(f, cache)
    if kept is not None:
        return kept[0]
    blocks = _blocks(f, batch if f.name in batch.files else
                     pandoc_batch.parse_batch({f.name: f.source}, f.parse_time), dg.Report())
    return blocks


def _judge_termless(termless: list[tuple[SourceFile, list[Node]]], files: list[SourceFile],
                    report: dg.Report, locator: Locator, pages: list[PageSource]) -> None:
    """A file without a `.term` heading is a superseded index page, a term that lacks the class
    (when most other files are terms), or no entry (GL303) — never silently dropped."""
    with_terms = [f for f in files if f.terms]
    # "Where the other files are terms": at least half of them (a converted glossary has a few
    # stray entries among hundreds; a folder of notes has no terms to be like).
    siblings_are_terms = bool(with_terms) and 2 * len(with_terms) >= len(files) - 1
    levels = {f.terms[0].level for f in with_terms}
    for f, blocks in termless:
        verdict = termlike.judge(f.name, f.text, blocks, levels if siblings_are_terms else set(),
                                 KNOWN_TERM_CLASSES)
        report.extend(verdict.diagnostics)
        if verdict.kind == termlike.INDEX:
            pages.append(PageSource(f.name, "superseded", blocks))
        elif verdict.kind == termlike.TERM:
            _cut_terms(f, verdict.blocks, report, locator)
            unsafe.neutralise(f, locator, report)
            for term in f.terms:
                if not term.line:
                    term.line, term.column = verdict.positions.get(term.id, (0, 0))
        else:
            report.add(dg.make(dg.FILE_NO_TERM, f.name, 1, 1, "no term heading in this file",
                               "mark the entry's heading with {#Id .term}, list the page in "
                               "`front`/`back` in book.toml, or exclude the file"))


def _read(rel: str, path: Path, report: dg.Report, parse_time: float) -> SourceFile | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.add(dg.make(dg.FILE_UNREADABLE, rel, 0, 0, f"cannot read file: {exc.strerror}",
                           "check the file's permissions"))
        return None
    text = decode(rel, data, report)
    if text is None:
        return None
    return SourceFile(rel, path, text.text, text.changed, parse_time=parse_time)


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
    for term in f.terms:
        term.header_ids = [b["c"][1][0] for b in term.blocks if b["t"] == "Header" and b["c"][1][0]]
    if not f.terms:  # judged with its siblings in `_judge_termless`
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
    closed = raw.endswith("}")
    tokens = (raw[1:-1] if closed else raw[1:]).split()
    classes = [t[1:] for t in tokens if t.startswith(".")]
    if TERM_CLASS not in classes:
        return header
    written = next((t[1:] for t in tokens if t.startswith("#")), "")
    ident = _ID_CHARS.sub("-", written).strip("-")
    title = inlines[:start]
    while title and title[-1]["t"] in ("Space", "SoftBreak"):
        title = title[:-1]
    if closed:
        line, col = lines[ordinal][:2] if ordinal < len(lines) else (0, 0)
        message = f"pandoc cannot read the attribute block {raw}; published with id #{ident}"
        hint = f"ids may hold letters, digits and - _ . : only; write {{#{ident} .term}}"
    else:  # the line locator only sees closed blocks
        line, col = termlike.heading_with_id(f.text, written)
        message = f"the attribute block {raw} is not closed (missing }}); published as #{ident}"
        hint = f"close it: {{#{ident} .term}}"
    report.add(dg.make(dg.ID_INVALID, f.name, line, col, message, hint))
    return {"t": "Header", "c": [level, [ident, classes, []], title]}


def _start_term(f: SourceFile, header: Node, ordinal: int,
                lines: list[tuple[int, int, str]]) -> RawTerm:
    level, (ident, classes, kvs), inlines = header["c"]
    line, col = 0, 0
    if ordinal < len(lines) and (not ident or f"#{ident}" in lines[ordinal][2]):
        line, col = lines[ordinal][0], lines[ordinal][1]
    else:  # the k-th match is off (a heading inside a code block?): find the id instead
        line, col = next(((ln, c) for ln, c, text in lines if ident and f"#{ident}" in text),
                         termlike.heading_with_id(f.text, ident) if ident else (0, 0))
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
