"""The summary at the end of `glossary check`: what an author of a growing glossary needs to
know first — how many problems of which kind, which missing terms are wanted most, and which
entries have the most problems."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from .. import diagnostics as dg
from ..model import Book
from .wanted import Wanted, most_wanted

_ORDER = {dg.Severity.ERROR: 0, dg.Severity.WARNING: 1, dg.Severity.INFO: 2}
TOP = 10


@dataclass(frozen=True)
class CodeCount:
    code: str
    name: str
    severity: str  # the most severe one reported under this code
    count: int


@dataclass(frozen=True)
class EntryProblems:
    file: str
    term: str  # term id, '' for a file without a term (unreadable, skipped)
    title: str
    counts: dict[str, int]  # severity -> number
    codes: dict[str, int]  # code -> number, most first

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Summary:
    entries: int
    totals: dict[str, int]  # severity -> number
    by_code: list[CodeCount]
    wanted: list[Wanted]
    problem_entries: list[EntryProblems] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "entries": self.entries,
            "totals": self.totals,
            "by_code": [vars(c) for c in self.by_code],
            "most_wanted": [w.as_dict() for w in self.wanted],
            "problem_entries": [{"file": e.file, "term": e.term, "title": e.title, "total": e.total,
                                 **e.counts, "codes": e.codes} for e in self.problem_entries],
        }


def summarize(book: Book | None, items: Sequence[dg.Diagnostic], wanted_shown: bool = True) -> Summary:
    """`items`: the diagnostics the run reports (after --select/--ignore). `wanted_shown`:
    whether broken links (GL101) are among the codes reported at all."""
    totals = {str(s): sum(1 for d in items if d.severity is s) for s in _ORDER}
    return Summary(
        entries=len(book.terms) if book else 0,
        totals=totals,
        by_code=_by_code(items),
        wanted=most_wanted(book) if book and wanted_shown else [],
        problem_entries=_by_entry(book, items),
    )


def _by_code(items: Sequence[dg.Diagnostic]) -> list[CodeCount]:
    counts = Counter(d.code for d in items)
    worst: dict[str, dg.Severity] = {}
    for d in items:
        if d.code not in worst or _ORDER[d.severity] < _ORDER[worst[d.code]]:
            worst[d.code] = d.severity
    rows = [CodeCount(c, dg.CODES[c].name if c in dg.CODES else "", str(worst[c]), n)
            for c, n in counts.items()]
    return sorted(rows, key=lambda r: (_ORDER[dg.Severity(r.severity)], -r.count, r.code))


def _by_entry(book: Book | None, items: Sequence[dg.Diagnostic]) -> list[EntryProblems]:
    """Each diagnostic belongs to the term whose heading is the last one above it in its file."""
    heads: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for t in book.terms if book else ():
        heads[t.source.file].append((t.source.line, t.id, t.title_text))
    for rows in heads.values():
        rows.sort()
    grouped: dict[tuple[str, str, str], list[dg.Diagnostic]] = defaultdict(list)
    for d in items:
        if not d.file:
            continue
        rows = heads.get(d.file, [])
        i = bisect.bisect_right([r[0] for r in rows], d.line) - 1
        _line, term, title = rows[max(i, 0)] if rows else (0, "", "")
        grouped[(d.file, term, title)].append(d)
    out = []
    for (file, term, title), found in grouped.items():
        counts = {str(s): n for s in _ORDER if (n := sum(1 for d in found if d.severity is s))}
        codes = dict(sorted(Counter(d.code for d in found).items(), key=lambda kv: (-kv[1], kv[0])))
        out.append(EntryProblems(file, term, title, counts, codes))
    out.sort(key=lambda e: (-e.counts.get("error", 0), -e.total, e.file, e.term))
    return out


def format_text(s: Summary, top: int = TOP) -> str:
    totals = ", ".join(f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in s.totals.items())
    if not s.by_code:
        return f"Summary: no problems in {s.entries} entries"
    lines = [f"Summary: {totals} in {s.entries} entries", "  by code:"]
    lines += [f"    {c.code}  {c.name:<24} {c.severity:<8}{c.count:>6}" for c in s.by_code]
    if s.wanted:
        lines.append("  most-wanted missing terms (write the entry, or fix the links):")
        for w in s.wanted[:top]:
            links = f"{w.links} link{'s' if w.links != 1 else ''} in {len(w.entries)} " \
                    f"entr{'ies' if len(w.entries) != 1 else 'y'}"
            labels = ", ".join(f"„{label}“" for label in w.labels[:3]) or "—"
            close = " or ".join(f"#{c}" for c in w.closest) if w.closest else "none"
            lines.append(f"    #{w.id:<28} {links:<22} as {labels}; closest existing: {close}")
        lines += _more(len(s.wanted), top)
    if s.problem_entries:
        lines.append("  entries with the most problems:")
        for e in s.problem_entries[:top]:
            counts = ", ".join(f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in e.counts.items())
            codes = ", ".join(f"{c} ×{n}" if n > 1 else c for c, n in list(e.codes.items())[:4])
            name = f"„{e.title}“ " if e.title else ""
            lines.append(f"    {e.file} {name}— {counts} ({codes})")
        lines += _more(len(s.problem_entries), top)
    return "\n".join(lines)


def _more(count: int, top: int) -> list[str]:
    return [f"    … and {count - top} more (--format json --summary lists all)"] if count > top else []
