"""Deferred source positions: diagnostics about links, images and headings get their line and
column from the file's text, once every file has been read.

pandoc's Markdown reader keeps no source positions. Which elements exist is decided by its AST;
this module only finds where they were written: the n-th link to a target in the AST is the
n-th link destination with that target in the text, the n-th heading the n-th heading line.
Code (fenced, indented, inline) and HTML comments are masked first, so a link shown as code is
not counted. One scan per file that has something to report; a file whose text does not show
the element keeps the position of its term's heading.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import unquote

from .. import diagnostics as dg

LINK, HEADER, IMAGE = "L", "H", "I"
_TERM_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t].*\{[^}\n]*\.term\b[^}\n]*\}[ \t]*$", re.MULTILINE)
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\2[`~]*[ \t]*$|\Z)",
                    re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# A link destination: `](` then `<…>` or a run without spaces and parentheses (one level nested)
_DESTINATION = re.compile(r"\]\(\s*(<[^>\n]*>|(?:[^\s()\\]|\\.|\([^\s()]*\))*)")
_RAW_HREF = re.compile(r"<a\s[^>]*?\bhref\s*=\s*(\"[^\"]*\"|'[^']*')", re.IGNORECASE)
# Headings (pandoc's `blank_before_header`: only at the start or after a blank line)
_ATX = re.compile(r"(?:\A|(?<=\n\n)) {0,3}#{1,6}(?:[ \t]|$)", re.MULTILINE)
_SETEXT = re.compile(r"(?:\A|(?<=\n\n))(?=[^\n]*\S)(?! {0,3}[-*_>#|]|\s{4})[^\n]*\n {0,3}(=+|-+)[ \t]*$",
                     re.MULTILINE)
_REF_DEFINITION = re.compile(r"^ {0,3}\[((?:[^\]\\\n]|\\.)+)\]:[ \t]*(<[^>\n]*>|\S+)", re.MULTILINE)
_REF_USE = re.compile(r"(!?)\[((?:[^\]\\\n]|\\.)+)\](?:\[((?:[^\]\\\n]|\\.)*)\])?(?![(:\[])")


@dataclass(frozen=True)
class _Pending:
    diagnostic: dg.Diagnostic
    kind: str  # LINK or IMAGE (key: the url as written) or HEADER (key unused)
    key: str
    nth: int  # LINK, IMAGE: occurrence of the url in the file; HEADER: index among its headings


@dataclass
class FilePositions:
    """Where headings (in order), links and images (by target, in order) were written."""

    headers: list[tuple[int, int]] = field(default_factory=list)
    links: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    images: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


class Locator:
    """Collects diagnostics that still need a position; `settle` adds them to the report."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = texts  # file name -> its text, as parsed
        self._pending: list[_Pending] = []

    def defer(self, diagnostic: dg.Diagnostic, kind: str, key: str, nth: int) -> None:
        self._pending.append(_Pending(diagnostic, kind, key, nth))

    def settle(self, report: dg.Report) -> None:
        found: dict[str, FilePositions] = {}
        for p in self._pending:
            name = p.diagnostic.file
            if name in self._texts and name not in found:
                found[name] = scan(self._texts[name])
            report.add(_placed(p, found.get(name)))
        self._pending.clear()


def _placed(p: _Pending, positions: FilePositions | None) -> dg.Diagnostic:
    if positions is None:
        return p.diagnostic
    if p.kind == HEADER:
        hits = positions.headers
    else:
        hits = (positions.links if p.kind == LINK else positions.images).get(_key(p.key), [])
    if p.nth >= len(hits):
        return p.diagnostic
    line, column = hits[p.nth]
    return replace(p.diagnostic, line=line, column=column)


def _key(url: str) -> str:
    """Targets compared as pandoc reads them: escapes and entities resolved, percent-decoded."""
    return unquote(url)


def scan(text: str) -> FilePositions:
    """Every heading, link and image destination of a file's text, in order."""
    masked = _mask(text)
    lines = _LineIndex(text)
    out = FilePositions()
    heads = [m.start() for m in _ATX.finditer(masked)]
    heads += [m.start() for m in _SETEXT.finditer(masked) if not _is_rule_or_table(masked, m)]
    out.headers = [lines.at(i) for i in sorted(heads)]
    found: list[tuple[int, str, bool]] = []  # (offset of the opening bracket, target, image?)
    for m in _DESTINATION.finditer(masked):
        opening = _opening_bracket(masked, m.start())
        if opening is not None:
            image = opening > 0 and masked[opening - 1] == "!"
            found.append((opening - 1 if image else opening, _destination(m.group(1)), image))
    for m in _RAW_HREF.finditer(masked):
        found.append((m.start(), html.unescape(m.group(1)[1:-1]), False))
    found += _reference_links(masked)
    for offset, target, image in sorted(found):
        table = out.images if image else out.links
        table.setdefault(_key(target), []).append(lines.at(offset))
    return out


def _reference_links(text: str) -> list[tuple[int, str, bool]]:
    """`[label][ref]`, `[ref][]` and `[ref]` where a `[ref]: url` definition exists."""
    defined = {_label(m.group(1)): _destination(m.group(2)) for m in _REF_DEFINITION.finditer(text)}
    if not defined:
        return []
    out = []
    for m in _REF_USE.finditer(text):
        ref = _label(m.group(3) or m.group(2))
        if ref in defined and not _is_definition(text, m.start()):
            out.append((m.start(), defined[ref], bool(m.group(1))))
    return out


def _is_definition(text: str, at: int) -> bool:
    line_start = text.rfind("\n", 0, at) + 1
    return bool(_REF_DEFINITION.match(text, line_start)) and text[line_start:at].strip() == ""


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()


def _mask(text: str) -> str:
    """The text with code and comments blanked (same length, line breaks kept)."""

    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))

    text = _FENCE.sub(blank, text)
    text = _COMMENT.sub(blank, text)
    text = re.sub(r"(?:^(?: {4}|\t)[^\n]*\n?)+", lambda m: blank(m) if _after_blank(text, m.start())
                  else m.group(0), text, flags=re.MULTILINE)
    return _CODE_SPAN.sub(blank, text)


def _after_blank(text: str, at: int) -> bool:
    """An indented line is code only after a blank line (else it continues a paragraph or list)."""
    before = text[:at].rstrip(" \t")
    return not before or before.endswith("\n\n") or (before.endswith("\n") and not before[:-1].strip())


def _is_rule_or_table(text: str, m: re.Match[str]) -> bool:
    """A `---` under a table row or list item is no setext underline."""
    first = text[m.start():text.index("\n", m.start())]
    return "|" in first or bool(re.match(r"\s*([-*+]|\d+[.)])\s", first))


def _opening_bracket(text: str, close: int) -> int | None:
    """The `[` that the `]` at `close` closes (escapes skipped, nested brackets balanced)."""
    depth = 0
    i = close - 1
    while i >= 0:
        ch = text[i]
        escaped = i > 0 and text[i - 1] == "\\"
        if ch == "]" and not escaped:
            depth += 1
        elif ch == "[" and not escaped:
            if depth == 0:
                return i
            depth -= 1
        elif ch == "\n" and i > 0 and text[i - 1] == "\n":
            return None  # a link label does not span paragraphs
        i -= 1
    return None


def _destination(raw: str) -> str:
    dest = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
    dest = re.sub(r"\\(.)", r"\1", dest)
    return html.unescape(dest)


class _LineIndex:
    """Offsets to (line, column), both 1-based."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def term_heading_lines(text: str) -> list[tuple[int, int, str]]:
    """(line, column, heading line) of every ATX heading with a `.term` class, in order.

    Only a locator for diagnostics: which headings are terms is decided by pandoc's AST; the
    k-th AST term heading is matched with the k-th line found here and checked by its id.
    """
    lines = _LineIndex(text)
    out = []
    for m in _TERM_HEADING.finditer(text):
        line = lines.at(m.start())[0]
        out.append((line, len(m.group(0)) - len(m.group(0).lstrip(" ")) + 1, m.group(0)))
    return out
