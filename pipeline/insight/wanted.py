"""The most-wanted missing terms: link targets no term has, ranked by how often they are asked for.

A glossary that grows links to terms nobody wrote yet; `glossary check` lists each such link
(GL101) in file order, and this turns them into a to-do list: "#Red-Teaming is wanted by 12
links in 9 entries — write it". Targets that exist but could not be resolved (ambiguous by
case, a section id several terms use) and links to missing files are not "missing terms".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Book, Term
from ..normalise.closest import ClosestIds


@dataclass(frozen=True)
class BrokenLink:
    entry: str  # the term id the link is in
    target: str  # as written
    label: str


@dataclass(frozen=True)
class Wanted:
    id: str
    links: int
    entries: tuple[str, ...]  # term ids that link it, in book order
    labels: tuple[str, ...]  # the link texts used, most used first
    closest: tuple[str, ...]  # existing ids or aliases that are really close ('' none)

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "links": self.links, "entries": list(self.entries),
                "labels": list(self.labels), "closest": list(self.closest)}


def broken_links(book: Book) -> list[BrokenLink]:
    """Every link that resolved nowhere, in the text and in see-also lists, in book order."""
    return [link for term in book.terms for link in _broken_in(term)]


def _broken_in(term: Term) -> Iterator[BrokenLink]:
    """The term's links to nowhere, in its text and see-also list (`Term.missing_out`: found
    when the links were resolved, so this needs no walk and no term bodies)."""
    for target, label in term.missing_out:
        yield BrokenLink(term.id, target, label)


def most_wanted(book: Book, links: list[BrokenLink] | None = None) -> list[Wanted]:
    """Missing ids, most links first, then most entries, then by id."""
    known = _known(book)
    by_target: dict[str, list[BrokenLink]] = defaultdict(list)
    for link in broken_links(book) if links is None else links:
        if _is_missing_term(link.target, known):
            by_target[link.target].append(link)
    closest = ClosestIds((*(t.id for t in book.terms), *(a for t in book.terms for a in t.aliases)))
    out = []
    for target, found in by_target.items():
        entries = tuple(dict.fromkeys(link.entry for link in found))
        labels = Counter(link.label for link in found if link.label.strip())
        ranked = tuple(label for label, _n in sorted(labels.items(), key=lambda kv: (-kv[1], kv[0])))
        out.append(Wanted(target, len(found), entries, ranked, tuple(closest.closest(target))))
    out.sort(key=lambda w: (-w.links, -len(w.entries), w.id))
    return out


def _known(book: Book) -> set[str]:
    """Everything a link may name that is not a missing term, case-folded."""
    known = {t.id.casefold() for t in book.terms} | {a.casefold() for t in book.terms for a in t.aliases}
    anchors = [a for t in book.terms for a in t.anchors]
    for anchor in filter(None, anchors):  # published as `Term--id`, written as `id`
        known |= {anchor.casefold(), anchor.split("--", 1)[-1].casefold()}
    return known


def _is_missing_term(target: str, known: set[str]) -> bool:
    if not target or "/" in target or target.lower().endswith((".md", ".markdown")):
        return False
    return target.casefold() not in known
