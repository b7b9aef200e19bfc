"""An entry's bytes made the text pandoc reads: UTF-8, no BOM, no control characters, NFC.

Unicode NFC: ids, links, aliases and file names are compared as NFC, so a heading id typed
decomposed (`U+0055 U+0308`, as macOS and some editors write `Ü`) is the same id as the
precomposed `Ü` a link names. The text is normalised *before* pandoc parses it — pandoc's
identifiers reject a combining mark, and every later comparison then sees one spelling.
Line numbers are unchanged (NFC never adds or removes a line break); a column counts
characters of the normalised line, that is a decomposed `Ü` as one, as an editor shows it.

NUL and the other C0 control characters (except tab and line breaks) are removed with one
GL315 per file: XML 1.0 forbids them, so no EPUB or DOCX could carry them.

What pandoc's reading of an entry can end in besides blocks is said here too: too slow to read
(GL313, left out) and nested too deeply (GL314, flattened by `pandoc_batch`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .. import diagnostics as dg
from ..limits import MAX_NESTING, shown_time
from ..names import describe_char

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Text:
    text: str
    changed: bool  # differs from the file's bytes: pandoc must read `text`, not the file


def decode(rel: str, data: bytes, report: dg.Report) -> Text | None:
    """The entry's text, or None (reported) when it is not UTF-8."""
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        report.add(dg.make(
            dg.FILE_UNREADABLE, rel, line, column,
            f"not valid UTF-8 at byte {exc.start} (0x{data[exc.start]:02x})",
            "re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)"))
        return None
    text = raw.removeprefix("\ufeff")
    changed = text is not raw
    first = _CONTROL.search(text)
    if first:
        text = _without_controls(rel, text, first, report)
        changed = True
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
        changed = True
    return Text(text, changed)


def _without_controls(rel: str, text: str, first: re.Match[str], report: dg.Report) -> str:
    line = text.count("\n", 0, first.start()) + 1
    column = first.start() - (text.rfind("\n", 0, first.start()) + 1) + 1
    count = len(_CONTROL.findall(text))
    more = f" (and {count - 1} more)" if count > 1 else ""
    report.add(dg.make(dg.CONTROL_CHARACTER, rel, line, column,
                       f"control character {describe_char(first.group())}{more} removed",
                       "delete it: a text file holds no control characters besides tab and newline"))
    return _CONTROL.sub("", text)


def too_slow(rel: str, line: int, advice: str, parse_time: float) -> dg.Diagnostic:
    where = f" (it got stuck from line {line} on)" if line > 1 else ""
    return dg.make(dg.ENTRY_TOO_COMPLEX, rel, line, 1 if line else 0,
                   f"pandoc needs longer than [limits] parse-time ({shown_time(parse_time)}) to "
                   f"read this entry{where}; left out",
                   f"{advice}; or raise parse-time in book.toml's [limits]")


def flattened(rel: str, depth: int) -> dg.Diagnostic:
    return dg.make(dg.NESTING_TOO_DEEP, rel, 0, 0,
                   f"lists, quotes, divs or emphasis nest {depth} levels deep; below level "
                   f"{MAX_NESTING} they are published as plain text",
                   f"nest at most {MAX_NESTING} levels")
