"""The Book: the one immutable model every output format reads, and the id scheme it uses.

Term bodies are kept as pandoc AST. Internal links are symbolic: a resolved link is a pandoc
`Link` with class `xref`, target `#<term id>` (or `#<term id>--<fragment>` for a place inside a
term, see `anchor`) and the key `term=<term id>`; an unresolved one is a `Span` with class
`xref-broken`. Every format turns those into its own kind of link with `xref_target` and
`pipeline.pandoc_ast.walk`.

Files an entry refers to (images) are resolved once, by the normaliser: `Book.resource` answers
for every image which file it is, or why no format may publish it. Formats never look into the
source folder themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote

from .config import BookConfig
from .diagnostics import Diagnostic
from .pandoc_ast import Node, stringify

INDEX_ID = "Index"
RESERVED_IDS = frozenset({INDEX_ID})
XREF_CLASS = "xref"
BROKEN_CLASS = "xref-broken"
SELF_CLASS = "xref-self"  # a link to its own term, published as plain text

# The id scheme: heading classes an entry may use, and how ids inside a term are made unique.
TERM_CLASS = "term"
KNOWN_TERM_CLASSES = frozenset({TERM_CLASS, "chapter", "small", "unnumbered", "unlisted"})
SEEALSO = "seealso"
KNOWN_SECTION_CLASSES = frozenset({
    "explanation", SEEALSO, "haiku", "example", "examples", "note", "history", "quote",
    "sources", "references", "unnumbered", "unlisted",
})
SEPARATOR = "--"  # between a term id and an anchor inside the term


def anchor(term_id: str, ident: str) -> str:
    """The book-wide unique id of `ident` written inside term `term_id`: `Term--ident`."""
    return f"{term_id}{SEPARATOR}{ident}"


# Why a resource cannot be published (`Resource.problem`).
REMOTE, OUTSIDE, MISSING, HIDDEN = "remote", "outside", "missing", "hidden"
# Media types by file suffix: one fixed table (the `mimetypes` module depends on the machine).
MEDIA_TYPES: Mapping[str, str] = MappingProxyType({
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".svg": "image/svg+xml", ".webp": "image/webp", ".avif": "image/avif", ".bmp": "image/bmp",
    ".tif": "image/tiff", ".tiff": "image/tiff", ".ico": "image/vnd.microsoft.icon",
    ".emf": "image/emf", ".wmf": "image/wmf",
})


@dataclass(frozen=True)
class Resource:
    """A file an entry names (an image), as the normaliser resolved it."""

    url: str  # as written in the entry
    path: Path | None  # the resolved file inside the source folder; None when it may not be used
    name: str  # its path relative to the source folder (forward slashes); '' when refused
    problem: str = ""  # '' or REMOTE, OUTSIDE, MISSING, HIDDEN

    @property
    def media_type(self) -> str:
        """The media type its suffix names ('' when unknown)."""
        return MEDIA_TYPES.get(Path(self.name).suffix.lower(), "") if self.name else ""

    def read(self) -> bytes:
        """The file's bytes (only for a resource with a path)."""
        if self.path is None:
            raise ValueError(f"resource {self.url} has no file ({self.problem})")
        return self.path.read_bytes()


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
    # Links that resolved nowhere, as (target as written, label text), in source order
    missing_out: tuple[tuple[str, str], ...] = ()
    anchors: tuple[str, ...] = ()  # ids of the term's sections and of the headings inside them
    # A digest of everything the term was made from (its file, ids, the link table), or '':
    # writers key what they cache for this term by it. Back-references are not part of it.
    fingerprint: str = field(default="", compare=False)

    if not TYPE_CHECKING:  # hidden from mypy, which would otherwise accept any attribute name
        def __getattr__(self, name: str) -> Any:
            # Called only for an attribute the instance lacks: a body field of a `lazy_term`.
            load = self.__dict__.get(_LOADER)
            if load is None or name not in BODY_FIELDS:
                raise AttributeError(name)
            self.__dict__.update(zip(BODY_FIELDS, load(), strict=True))
            self.__dict__.pop(_LOADER, None)
            return self.__dict__[name]

    def __getstate__(self) -> dict[str, Any]:
        """A whole term (a lazy one read first): its loader does not travel to other processes."""
        return {**{name: getattr(self, name) for name in BODY_FIELDS},
                **{k: v for k, v in self.__dict__.items() if k != _LOADER}}

    @property
    def tagline_text(self) -> str:
        return " ".join(stringify(list(t)) for t in self.taglines)

    @property
    def content(self) -> list[Node]:
        """What the author wrote, in source order: title, taglines, definition, sections."""
        return [*self.title, *(n for t in self.taglines for n in t), *self.definition,
                *(n for s in self.sections for n in (*s.title, *s.blocks))]


BODY_FIELDS = ("definition", "sections")  # what `lazy_term` defers (taglines are short, and lists show them)
Body = tuple[tuple[Node, ...], tuple[Section, ...]]
_LOADER = "_load_body"


def lazy_term(light: Term, load: Callable[[], Body]) -> Term:
    """`light` whose definition and sections are `load()`ed when first used.

    A warm build finds most terms resolved in the cache, and most writers then need only their
    light parts (the cached fragments or pages are keyed by the fingerprint): decoding every
    body's AST would be most of a warm rebuild's time."""
    term = object.__new__(Term)
    term.__dict__.update((k, v) for k, v in light.__dict__.items() if k not in BODY_FIELDS)
    term.__dict__[_LOADER] = functools.cache(load)
    return term


def with_light(term: Term, **changes: Any) -> Term:
    """`dataclasses.replace` for the light fields, keeping a lazy term's body unread."""
    if _LOADER not in term.__dict__:
        return replace(term, **changes)
    assert not set(changes) & set(BODY_FIELDS), "a lazy term's body is changed by replace()"
    changed = object.__new__(Term)
    changed.__dict__.update(term.__dict__)
    changed.__dict__.update(changes)
    return changed


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


FRONT, BACK = "front", "back"  # `Page.role`
PAGE_CLASS = "page"  # the class of a page's title heading in the pandoc document


@dataclass(frozen=True)
class Page:
    """A front or back matter page (`front`/`back` in book.toml): no term, but linked and
    linking like one. Its id is the id of the heading it starts with (else derived from its
    file name); every other id on it is made unique like a term's (`Page--ident`), and its
    links are resolved like a term's (a link to a term is an `xref` link, a broken one text)."""

    id: str
    role: str  # FRONT or BACK
    title: tuple[Node, ...]  # inlines: the heading it starts with, else a title from its file name
    title_text: str
    source: Location
    blocks: tuple[Node, ...]  # everything after the title; headings relative to it (2 = first level)
    anchors: tuple[str, ...] = ()  # the ids of its headings (after the title), as published
    # A digest of everything the page is made of: writers key what they cache for it by it.
    fingerprint: str = field(default="", compare=False)


class Owner(Protocol):
    """What wrote a piece of the book (a term or a page): named in diagnostics, and the file
    its images are resolved against."""

    @property
    def id(self) -> str: ...

    @property
    def title_text(self) -> str: ...

    @property
    def source(self) -> Location: ...


@dataclass(frozen=True)
class Book:
    config: BookConfig
    source_dir: Path
    terms: tuple[Term, ...]  # in book (collation) order
    groups: tuple[LetterGroup, ...]
    index: tuple[IndexGroup, ...]
    diagnostics: tuple[Diagnostic, ...]
    pandoc_api_version: tuple[int, ...]
    # (entry file, URL as written, percent-decoded) -> the resolved resource
    resources: Mapping[tuple[str, str], Resource] = field(default_factory=dict)
    pages: tuple[Page, ...] = ()  # front matter first, then back matter, each in book.toml order
    fingerprint: str = ""  # a digest of everything the Book was made from (sources, config, images)
    _by_id: Mapping[str, Term] = field(default_factory=dict, repr=False, compare=False)
    _position: Mapping[str, int] = field(default_factory=dict, repr=False, compare=False)
    _pages: Mapping[str, Page] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", MappingProxyType({t.id: t for t in self.terms}))
        object.__setattr__(self, "_pages", MappingProxyType({p.id: p for p in self.pages}))
        positions = {t.id: i for i, t in enumerate(self.terms)}
        object.__setattr__(self, "_position", MappingProxyType(positions))

    def term(self, term_id: str) -> Term:
        return self._by_id[term_id]

    def __contains__(self, term_id: object) -> bool:
        return term_id in self._by_id

    def page(self, page_id: str) -> Page | None:
        """The front or back matter page with this id, or None."""
        return self._pages.get(page_id)

    @property
    def front(self) -> tuple[Page, ...]:
        return tuple(p for p in self.pages if p.role == FRONT)

    @property
    def back(self) -> tuple[Page, ...]:
        return tuple(p for p in self.pages if p.role == BACK)

    def owner(self, ident: str) -> Term | Page | None:
        """The term or page with this id."""
        return self._by_id.get(ident) or self._pages.get(ident)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def resource(self, term: Owner, url: str) -> Resource:
        """The file `url` (written in `term`, or a page) names; refused when the normaliser did
        not resolve it."""
        found = self.resources.get((term.source.file, resource_key(url)))
        return found if found is not None else Resource(url, None, "", MISSING)

    def neighbours(self, term_id: str) -> tuple[Term | None, Term | None]:
        """Previous and next term in book order (for site navigation)."""
        i = self._position[term_id]
        prev = self.terms[i - 1] if i > 0 else None
        nxt = self.terms[i + 1] if i + 1 < len(self.terms) else None
        return prev, nxt


def resource_key(url: str) -> str:
    """How a URL is looked up in `Book.resources`: percent-decoded, without query or fragment,
    so the URL of the AST and the one a writer's HTML carries find the same entry."""
    return unquote(url.split("#")[0].split("?")[0])


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
