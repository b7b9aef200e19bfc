"""The Book: the one immutable model every output format reads.

Term bodies are kept as pandoc AST. Internal links are symbolic: a resolved link is a pandoc
`Link` with class `xref`, target `#<term id>` (or `#<term id>--<fragment>` for a place inside a
term) and the key `term=<term id>`; an unresolved one is a `Span` with class `xref-broken`. Every
format turns those into its own kind of link with `xref_target` and `pipeline.pandoc_ast.walk`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .config import BookConfig
from .diagnostics import Diagnostic
from .pandoc_ast import Node, stringify

INDEX_ID = "Index"
RESERVED_IDS = frozenset({INDEX_ID})
XREF_CLASS = "xref"
BROKEN_CLASS = "xref-broken"
SELF_CLASS = "xref-self"  # a link to its own term, published as plain text


@dataclass(frozen=True)
class Location:
    file: str  # relative to the source folder, with forward slashes
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}" if self.line else self.file


@dataclass(frozen=True)
class SeeAlso:
    """One item of a see-also list: a resolved target id, or None when the link is broken."""

    target: str | None
    label: tuple[Node, ...]  # pandoc inlines
    label_text: str
    missing: str = ""  # a broken link's target as written (for "most wanted" in the report)


@dataclass(frozen=True)
class Section:
    """A classed sub-section of a term (`{.explanation}`, `{.haiku}`, …); level is relative (1 = top)."""

    id: str
    kind: str
    title: tuple[Node, ...]
    blocks: tuple[Node, ...]


@dataclass(frozen=True)
class Term:
    id: str
    title: tuple[Node, ...]  # inlines, markup kept for display
    title_text: str  # plain text, for sorting, running heads and search
    sort_key: tuple[object, ...]
    letter: str  # letter group id, e.g. "A" or "0-9"
    aliases: tuple[str, ...]
    taglines: tuple[tuple[Node, ...], ...]
    definition: tuple[Node, ...]
    sections: tuple[Section, ...]  # the see-also section is not among them
    see_also: tuple[SeeAlso, ...]
    links_index: bool  # the see-also list ends with [Index](#Index)
    refs_out: tuple[str, ...]  # distinct term ids this term links to, in first-use order
    refs_in: tuple[str, ...]  # term ids linking here, in book order
    source: Location
    original_id: str  # the id as written; differs when a duplicate was renamed

    @property
    def tagline_text(self) -> str:
        return " ".join(stringify(list(t)) for t in self.taglines)

    @property
    def content(self) -> list[Node]:
        """What the author wrote, in source order: title, taglines, definition, sections."""
        return [*self.title, *(n for t in self.taglines for n in t), *self.definition,
                *(n for s in self.sections for n in (*s.title, *s.blocks))]


@dataclass(frozen=True)
class LetterGroup:
    id: str  # "A", "0-9"; anchor ids are "letter-<id>"
    label: str  # "A", "0–9"
    term_ids: tuple[str, ...]

    @property
    def anchor(self) -> str:
        return f"letter-{self.id}"


@dataclass(frozen=True)
class IndexEntry:
    label: str
    term_id: str
    is_alias: bool
    sort_key: tuple[object, ...]


@dataclass(frozen=True)
class IndexGroup:
    id: str
    label: str
    entries: tuple[IndexEntry, ...]


@dataclass(frozen=True)
class Book:
    config: BookConfig
    source_dir: Path
    terms: tuple[Term, ...]  # in book (collation) order
    groups: tuple[LetterGroup, ...]
    index: tuple[IndexGroup, ...]
    diagnostics: tuple[Diagnostic, ...]
    pandoc_api_version: tuple[int, ...]
    _by_id: Mapping[str, Term] = field(default_factory=dict, repr=False, compare=False)
    _position: Mapping[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", MappingProxyType({t.id: t for t in self.terms}))
        positions = {t.id: i for i, t in enumerate(self.terms)}
        object.__setattr__(self, "_position", MappingProxyType(positions))

    def term(self, term_id: str) -> Term:
        return self._by_id[term_id]

    def __contains__(self, term_id: object) -> bool:
        return term_id in self._by_id

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def neighbours(self, term_id: str) -> tuple[Term | None, Term | None]:
        """Previous and next term in book order (for site navigation)."""
        i = self._position[term_id]
        prev = self.terms[i - 1] if i > 0 else None
        nxt = self.terms[i + 1] if i + 1 < len(self.terms) else None
        return prev, nxt


def xref_target(node: Node) -> tuple[str, str] | None:
    """(term id, fragment) of a resolved internal link, else None. Fragment is '' for the term."""
    if node.get("t") != "Link":
        return None
    a = node["c"][0]
    if XREF_CLASS not in a[1]:
        return None
    term = next((v for k, v in a[2] if k == "term"), "")
    url: str = node["c"][2][0]
    anchor = url[1:] if url.startswith("#") else url
    return term, "" if anchor == term else anchor
