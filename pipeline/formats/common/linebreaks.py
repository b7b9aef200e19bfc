"""Line breaks for display text (covers, title pages) chosen by the text, not by a greedy fill.

A title is set in few, large lines: where it breaks is seen at once. The rules:
- a break falls at a space or after the hyphen inside a compound ("KI-|Glossar");
- never before a word that begins with a hyphen ("und -Tutorial": the hyphen stands for the
  word it shares, so "-Tutorial" never begins a line) and never after a one-letter part;
- among the layouts with the fewest lines, the one with the most even lines wins (every line's
  slack counts, the last one's too), with penalties for a break at a hyphen, for a line that ends
  in a short word ("von A bis | Z") and, most, for a single word alone on the last line.

`lines` measures with the caller's function (a PIL font for the cover), so the choice is made on
the real widths. `bound` is the same rule for HTML (the EPUB and PDF title pages, where the
reading system breaks lines): a no-break space where a break is forbidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

NBSP = "\u00a0"
WJ = "\u2060"  # word joiner: no break here, and no glyph
_HYPHENS = "-\u2010"
_SHORT = 3  # a line ending in a word this short ("und", "von", "A") reads as cut off


@dataclass(frozen=True)
class Piece:
    text: str  # a word, or the part of a compound up to and including its hyphen
    space_before: bool  # joined to the previous piece by a space (else it follows a hyphen)
    breakable: bool  # a line may begin with this piece


def pieces(text: str) -> list[Piece]:
    """The text cut at every place a line may (or may not) break."""
    out: list[Piece] = []
    for n, word in enumerate(text.split()):
        parts = re.findall(rf"[^{_HYPHENS}]+[{_HYPHENS}]|[^{_HYPHENS}]+$|[{_HYPHENS}]+", word)
        for i, part in enumerate(parts):
            if i == 0:
                ok = n > 0 and word[0] not in _HYPHENS
            else:  # after a hyphen: only between parts of two letters or more
                ok = len(parts[i - 1].rstrip(_HYPHENS)) > 1 and len(part.rstrip(_HYPHENS)) > 1
            out.append(Piece(part, i == 0 and n > 0, ok))
    return out


def join(parts: list[Piece]) -> str:
    return "".join((" " if p.space_before and i else "") + p.text for i, p in enumerate(parts))


def lines(text: str, width: Callable[[str], float], max_width: float) -> list[str]:
    """The text in the fewest lines no wider than `max_width`, then the most even; a piece
    wider than the line stands alone (the caller shrinks the type until it fits)."""
    ps = pieces(text)
    if not ps:
        return []
    starts = [i for i, p in enumerate(ps) if i == 0 or p.breakable]

    @cache
    def best(start: int) -> tuple[int, float, tuple[int, ...]]:
        """(lines, cost, ends) of the best layout of pieces[start:]."""
        options: list[tuple[int, float, tuple[int, ...]]] = []
        for end in [s for s in starts if s > start] + [len(ps)]:
            line = join(ps[start:end])
            w = width(line)
            if w > max_width and end != next((s for s in starts if s > start), len(ps)):
                break  # longer lines only get wider
            cost = _cost(ps, start, end, w, max_width)
            if end == len(ps):
                options.append((1, cost, (end,)))
            else:
                n, rest, ends = best(end)
                options.append((n + 1, cost + rest, (end, *ends)))
        return min(options)

    _, _, ends = best(0)
    out, start = [], 0
    for end in ends:
        out.append(join(ps[start:end]))
        start = end
    return out


def _cost(ps: list[Piece], start: int, end: int, w: float, max_width: float) -> float:
    slack = max(max_width - w, 0.0) / max_width
    cost = slack * slack + (10.0 if w > max_width else 0.0)
    last = ps[end - 1]
    if end < len(ps):
        if last.text[-1] in _HYPHENS:
            cost += 0.04  # a compound broken at its hyphen
        elif len(last.text) <= _SHORT:
            cost += 0.03  # "… von A bis" | "Z"
    elif start > 0 and not any(p.space_before for p in ps[start + 1:end]):
        cost += 0.5  # one word alone on the last line
    return cost


def lonely(chosen: list[str]) -> bool:
    """Whether the last of several lines is a single word."""
    return len(chosen) > 1 and " " not in chosen[-1].strip()


def bound(text: str) -> str:
    """`text` with a no-break space wherever `pieces` forbids a break at a space, and a word
    joiner after a word's leading hyphen (browsers may break after any hyphen: "und -|Tutorial")."""
    out = []
    for i, p in enumerate(pieces(text)):
        if p.space_before and i:
            out.append(" " if p.breakable else NBSP)
        out.append(p.text + WJ if p.text in _HYPHENS else p.text)  # a leading hyphen stands alone
    return "".join(out)
