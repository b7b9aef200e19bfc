"""Unlinked mentions (GL110): an entry names another term in its text and never links it.

For every entry, the first mention of each term it does not link anywhere (text or see-also)
is reported at its line and column, and is a see-also suggestion for the report. Titles and
aliases are matched with the book language's inflection and compounds (`inflect`, `matcher`);
the entry's own names are matched too, so that they hide the names inside them, and never
reported.

The search reads only the Book and the source files' text; it is opt-in for `glossary check`
(see `wanted`) because its findings are infos, shown with `-v` only.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .. import diagnostics as dg
from ..model import Book, Term
from . import locate
from .matcher import WITHIN, Hit, Matcher
from .prose import SKIP, term_prose

OPT_IN = dg.MENTION_UNLINKED


@dataclass(frozen=True)
class Mention:
    entry: str  # the term whose text mentions
    target: str  # the term mentioned
    text: str  # as written in the entry (`Sprachmodelle`, `netzgerät`)
    word: str  # the whole word(s) it stands in (`Hochspannungsnetzgerät`)
    kind: str  # matcher.WORD, COMPOUND or WITHIN
    file: str
    line: int
    column: int

    def as_dict(self) -> dict[str, str | int]:
        return {"entry": self.entry, "target": self.target, "text": self.text, "word": self.word,
                "kind": self.kind, "file": self.file, "line": self.line, "column": self.column}


def wanted(report: dg.Report, verbose: bool, selected: bool) -> bool:
    """Whether `check` should search: with -v (infos are shown), when --select names GL110 (the
    code or its name, not a prefix), or
    when book.toml gives GL110 a severity (`GL110 = "warning"` makes it part of every check)."""
    configured = OPT_IN in report.severities
    if configured and report.severities[OPT_IN] is None:
        return selected
    return verbose or selected or configured


def find_mentions(book: Book) -> list[Mention]:
    """Every entry's first unlinked mention of each other term, in book order."""
    matcher = Matcher([(t.id, n) for t in book.terms for n in (t.title_text, *t.aliases)],
                      book.config.language)
    ends = _region_ends(book)
    texts: dict[str, str] = {}
    out: list[Mention] = []
    for term in book.terms:
        prose = SKIP.join(term_prose(term))
        hits = _first_hits(term, prose, matcher)
        if not hits:
            continue
        file = term.source.file
        if file not in texts:
            texts[file] = _read(book.source_dir / file)
        words = locate.WordMap(prose, locate.region(texts[file], term.source.line, ends.get(term.id)))
        for hit in hits:
            text = prose[hit.start:hit.end]
            line, column = words.position(hit.start, text) or (term.source.line, term.source.column)
            out.append(Mention(term.id, hit.term, text, prose[hit.word_start:hit.word_end],
                               hit.kind, file, line, column))
    return out


def report_mentions(mentions: list[Mention], book: Book, report: dg.Report) -> None:
    for m in mentions:
        report.add(diagnostic(m, book))


def diagnostic(m: Mention, book: Book) -> dg.Diagnostic:
    entry, target = book.term(m.entry), book.term(m.target)
    inside = f" (inside „{m.word}“)" if m.kind == WITHIN else ""
    named = f"„{target.title_text}“" if m.text.casefold() == target.title_text.casefold() else (
        f"„{m.text}“ (#{target.id})")
    shown = m.word if m.kind == WITHIN else m.text  # a link covers whole words
    return dg.make(dg.MENTION_UNLINKED, m.file, m.line, m.column,
                   f"„{entry.title_text}“ mentions {named}{inside} without linking it",
                   f"link it: [{shown}](#{target.id}), or add [{target.title_text}](#{target.id}) "
                   "to the see-also list")


def see_also_suggestions(mentions: list[Mention]) -> dict[str, list[str]]:
    """Entry id -> the terms it mentions but does not link, in order of first mention."""
    out: dict[str, list[str]] = defaultdict(list)
    for m in mentions:
        if m.target not in out[m.entry]:
            out[m.entry].append(m.target)
    return dict(out)


def _first_hits(term: Term, prose: str, matcher: Matcher) -> list[Hit]:
    """The first hit of each term the entry does not link (nor is)."""
    linked = {term.id, *term.refs_out}
    found: dict[str, Hit] = {}
    for hit in matcher.hits(prose):
        if hit.term not in linked and hit.term not in found:
            found[hit.term] = hit
    return list(found.values())


def _region_ends(book: Book) -> dict[str, int]:
    """Term id -> the line of the next term heading in the same file."""
    by_file: dict[str, list[Term]] = defaultdict(list)
    for t in book.terms:
        by_file[t.source.file].append(t)
    ends = {}
    for terms in by_file.values():
        terms.sort(key=lambda t: t.source.line)
        for a, b in itertools.pairwise(terms):
            if b.source.line > a.source.line:
                ends[a.id] = b.source.line
    return ends


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError):
        return ""
