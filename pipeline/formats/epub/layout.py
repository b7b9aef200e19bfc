"""Where everything lands inside the EPUB: one XHTML document per letter group, split when large.

Letter groups, not single terms, are the unit: most reading systems start every spine item on a
fresh page and pause to load it, so a document per term would put each short entry on its own
half-empty screen. Very large groups are split at term boundaries to stay well below the
~300 KB per document that older Adobe-based readers handle.

File names and manifest ids are ASCII and deterministic (`letters/0-9.xhtml`, `letters/ae.xhtml`
for a group `Ä`, id `letter-ae`); XHTML ids inside documents stay the term ids, umlauts and all.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ...model import INDEX_ID, Book, LetterGroup
from ...names import slugify
from ..common.fragments import Fragments, TermFragments

LETTERS_DIR = "letters"
PAGES_DIR = "pages"  # front and back matter pages, a document each
INDEX_FILE = "index.xhtml"
MAX_DOCUMENT_CHARS = 250_000  # rendered HTML per document before a letter group is split
_IRI_UNSAFE = frozenset(' "<>\\^`{|}%#')


@dataclass(frozen=True)
class Chapter:
    """One letter-group document (or one part of a split group)."""

    group: LetterGroup
    part: int  # 1 for the first (or only) part
    path: str  # inside the package folder, e.g. "letters/a.xhtml"
    item_id: str  # manifest id, a valid XML name
    term_ids: tuple[str, ...]


@dataclass(frozen=True)
class PageDocument:
    """One front or back matter page's document."""

    page_id: str
    role: str  # "front" or "back"
    path: str  # e.g. "pages/vorwort.xhtml"
    item_id: str


@dataclass(frozen=True)
class Layout:
    chapters: tuple[Chapter, ...]
    file_of: Mapping[str, str]  # term id (and "Index", and each page id) -> document path
    pages: tuple[PageDocument, ...] = ()  # front matter, then back matter

    def href(self, from_path: str, term: str, anchor: str = "") -> str:
        """The URL, relative to `from_path`, of `anchor` (or the term itself) in `term`'s document."""
        target = self.file_of[term]
        fragment = "#" + iri_escape(anchor or term)
        if target == from_path:
            return fragment
        return _relative(target, posixpath.dirname(from_path)) + fragment


@functools.lru_cache(maxsize=4096)
def _relative(target: str, from_dir: str) -> str:
    """`posixpath.relpath`, cached: a book has few documents but thousands of links."""
    return posixpath.relpath(target, from_dir or ".")


def assign_documents(book: Book, rendered: Fragments, limit: int | None = None) -> Layout:
    """Assign every term to a document in reading order."""
    limit = limit or MAX_DOCUMENT_CHARS
    chapters: list[Chapter] = []
    used: set[str] = set()
    for group in book.groups:
        stem = _unique(file_stem(group.id), used)
        parts = _split([rendered.terms[t] for t in group.term_ids], limit)
        for n, term_ids in enumerate(parts, start=1):
            name = stem if n == 1 else f"{stem}-{n}"
            chapters.append(Chapter(group, n, f"{LETTERS_DIR}/{name}.xhtml", f"letter-{name}", term_ids))
    file_of = {t: c.path for c in chapters for t in c.term_ids}
    file_of[INDEX_ID] = INDEX_FILE
    pages = _page_documents(book)
    file_of.update({p.page_id: p.path for p in pages})
    return Layout(tuple(chapters), MappingProxyType(file_of), pages)


def _page_documents(book: Book) -> tuple[PageDocument, ...]:
    used: set[str] = set()
    out = []
    for page in book.pages:
        stem = _unique(file_stem(page.id), used)
        out.append(PageDocument(page.id, page.role, f"{PAGES_DIR}/{stem}.xhtml", f"page-{stem}"))
    return tuple(out)


def file_stem(group_id: str) -> str:
    """ASCII file stem for a letter group: `A` -> `a`, `Ä` -> `ae`, `0-9` -> `0-9`, `Ж` -> `u0416`."""
    stem = slugify(group_id)
    return stem or "u" + "-".join(f"{ord(c):04x}" for c in group_id)


def _unique(stem: str, used: set[str]) -> str:
    name, n = stem, 1
    while name in used:
        n += 1
        name = f"{stem}-g{n}"
    used.add(name)
    return name


def _split(terms: list[TermFragments], limit: int) -> list[tuple[str, ...]]:
    """Greedy split at term boundaries so no part exceeds `limit` (a single huge term stays whole)."""
    parts: list[list[str]] = [[]]
    size = 0
    for term in terms:
        n = _size(term)
        if parts[-1] and size + n > limit:
            parts.append([])
            size = 0
        parts[-1].append(term.id)
        size += n
    return [tuple(p) for p in parts if p]


def _size(term: TermFragments) -> int:
    pieces = [term.title, *term.taglines, term.definition, *(s.body for s in term.sections),
              *(s.title for s in term.sections), *(n for _, n in term.notes)]
    return sum(len(p) for p in pieces)


def iri_escape(text: str) -> str:
    """Percent-encode only what may not appear in an IRI; umlauts stay readable."""
    return "".join(_escape_char(ch) for ch in text)


def _escape_char(ch: str) -> str:
    if ch in _IRI_UNSAFE or ord(ch) < 0x21 or ord(ch) == 0x7F:
        return "".join(f"%{b:02X}" for b in ch.encode("utf-8"))
    return ch
