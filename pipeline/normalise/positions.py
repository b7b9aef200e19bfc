"""Deferred source positions: diagnostics about links and headings get their line and column
in one batched pandoc pass over just the files that need them (see `pandoc.locate`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .. import diagnostics as dg
from .. import pandoc
from ..limits import Limits

LINK, HEADER, IMAGE = "L", "H", "I"
_TERM_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t].*\{[^}\n]*\.term\b[^}\n]*\}[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class _Pending:
    diagnostic: dg.Diagnostic
    kind: str  # LINK or IMAGE (key: the url as written) or HEADER (key unused)
    key: str
    nth: int  # LINK, IMAGE: occurrence of the url in the file; HEADER: index among its headings


class Locator:
    """Collects diagnostics that still need a position; `settle` adds them to the report."""

    def __init__(self, paths: dict[str, pandoc.Source], raw_anchors: frozenset[str] = frozenset(),
                 parse_time: float = Limits.parse_time) -> None:
        self._paths = paths
        self._raw_anchors = raw_anchors  # files with `<a href>` links (need the slower filter)
        self._parse_time = parse_time
        self._pending: list[_Pending] = []

    def defer(self, diagnostic: dg.Diagnostic, kind: str, key: str, nth: int) -> None:
        self._pending.append(_Pending(diagnostic, kind, key, nth))

    def settle(self, report: dg.Report) -> None:
        files = sorted({p.diagnostic.file for p in self._pending if p.diagnostic.file in self._paths})
        found = pandoc.locate({f: self._paths[f] for f in files}, self._raw_anchors,
                              self._parse_time) if files else {}
        for p in self._pending:
            report.add(_placed(p, found.get(p.diagnostic.file)))
        self._pending.clear()


def _placed(p: _Pending, positions: pandoc.FilePositions | None) -> dg.Diagnostic:
    if positions is None:
        return p.diagnostic
    if p.kind == HEADER:
        hits = positions.headers
    else:
        hits = (positions.links if p.kind == LINK else positions.images).get(p.key, [])
    if p.nth >= len(hits):
        return p.diagnostic
    return replace(p.diagnostic, line=hits[p.nth].line, column=hits[p.nth].column)


def term_heading_lines(text: str) -> list[tuple[int, int, str]]:
    """(line, column, heading line) of every ATX heading with a `.term` class, in order.

    Only a locator for diagnostics: which headings are terms is decided by pandoc's AST; the
    k-th AST term heading is matched with the k-th line found here and checked by its id.
    """
    out = []
    for m in _TERM_HEADING.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        out.append((line, len(m.group(0)) - len(m.group(0).lstrip(" ")) + 1, m.group(0)))
    return out
