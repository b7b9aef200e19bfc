"""Where a mention found in the AST stands in the source file (line and column).

pandoc's Markdown reader keeps no positions, and a second pandoc pass for every file would
cost more than the whole search. The mention is found in the file text instead, the way
`mathcheck` finds formulas: the term's lines are taken from its heading to the next term's,
everything the search does not read as prose is blanked out (code, math, links and images,
attribute blocks, HTML, headings, footnote definitions, the see-also section), and the n-th
then the words of the term's prose (as the search read it from the AST) are lined up with the
words left in the file: both are mostly the same sequence, and where they differ (a word split
by emphasis, an HTML entity, an indented code block) the two are brought in step again at the
nearest word they share. A mention is then at the file position of its word — checked against
the text, so a position is exact or not given.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .inflect import PART, fold
from .prose import SKIP

_MASKS = [
    re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[`~]*[ \t]*$|\Z)", re.M | re.S),  # fences
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.S),  # inline code
    re.compile(r"\$\$.+?\$\$", re.S),
    re.compile(r"(?<![\\$])\$(?![\s$]).*?(?<![\s\\])\$(?!\d)"),  # TeX math
    re.compile(r"^\[\^[^\]\n]+\]:[^\n]*(?:\n[ \t]+[^\n]*)*", re.M),  # footnote texts
    re.compile(r"!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\([^)\n]*\)"),  # links and images
    re.compile(r"!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\[[^\]\n]*\]"),  # reference links
    re.compile(r"\[\^[^\]\n]+\]"),  # footnote calls
    re.compile(r"\^\[[^\]\n]*\]"),  # inline footnotes
    re.compile(r"\{[^{}\n]*\}"),  # attribute blocks
    re.compile(r"</?[A-Za-z][^<>\n]*>"),  # HTML tags and autolinks
    re.compile(r"^ {0,3}#{1,6}[ \t][^\n]*$", re.M),  # headings
]
_SEEALSO = re.compile(r"^ {0,3}#{1,6}[ \t][^\n]*\.seealso\b[^\n]*\n(?:(?! {0,3}#{1,6}[ \t]).*\n?)*",
                      re.M)
_PART = re.compile(PART)
_WINDOW = 40  # words: how far apart the two texts may drift before a word is given up


@dataclass(frozen=True)
class Region:
    """The prose of one term in its file: the masked text and the line it starts on."""

    text: str
    first_line: int

    def position(self, offset: int) -> tuple[int, int]:
        line = self.text.count("\n", 0, offset)
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return self.first_line + line, column


def region(file_text: str, first_line: int, end_line: int | None) -> Region:
    """Lines `first_line`..`end_line - 1` (1-based; None: to the end), non-prose blanked."""
    lines = file_text.split("\n")
    start = max(first_line, 1) - 1
    text = "\n".join(lines[start: (end_line - 1) if end_line else None])
    for pattern in (_SEEALSO, *_MASKS):
        text = pattern.sub(_blank, text)
    return Region(text, start + 1)


def _blank(m: re.Match[str]) -> str:
    return re.sub(r"[^\n]", SKIP, m.group(0))


class WordMap:
    """From offsets in a term's prose (the AST's text) to offsets in its masked file region."""

    def __init__(self, prose: str, region: Region) -> None:
        self._starts, self._words = _words(prose)
        self._theirs, words = _words(region.text)
        same = words == self._words  # the common case: nothing to line up
        self._to = list(range(len(words))) if same else _align(self._words, words)
        self._region = region

    def position(self, offset: int, text: str) -> tuple[int, int] | None:
        """Line and column of `text`, which starts at `offset` in the prose, or None."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0 or self._to[i] < 0 or offset - self._starts[i] >= len(self._words[i]):
            return None
        at = self._theirs[self._to[i]] + offset - self._starts[i]
        first = _PART.match(text)  # only the first word: markup may stand between the others
        size = first.end() if first else len(text)
        if fold(self._region.text[at:at + size]) != fold(text[:size]):
            return None
        return self._region.position(at)


def _words(text: str) -> tuple[list[int], list[str]]:
    """Offsets and folded forms of every word (folded once: `fold` keeps offsets)."""
    low = fold(text)
    if len(low) != len(text):
        found = list(_PART.finditer(text))
        return [m.start() for m in found], [fold(m.group()) for m in found]
    return [m.start() for m in _PART.finditer(low)], _PART.findall(low)


def _align(ours: list[str], theirs: list[str]) -> list[int]:
    """For each of our words the index of the same word in theirs, or -1."""
    out = [-1] * len(ours)
    i = j = 0
    while i < len(ours) and j < len(theirs):
        if ours[i] == theirs[j]:
            out[i] = j
            i, j = i + 1, j + 1
            continue
        skip_theirs = _ahead(theirs, j, ours[i])
        skip_ours = _ahead(ours, i, theirs[j])
        if skip_theirs and (not skip_ours or skip_theirs <= skip_ours):
            j += skip_theirs
        elif skip_ours:
            i += skip_ours
        else:
            i, j = i + 1, j + 1
    return out


def _ahead(words: list[str], at: int, word: str) -> int:
    """How far ahead of `at` (within the window) `word` comes next; 0 if not."""
    for k in range(1, _WINDOW):
        if at + k < len(words) and words[at + k] == word:
            return k
    return 0
