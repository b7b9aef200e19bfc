"""The Word document cut into chunks, each one's pandoc input made from parts kept in the cache.

pandoc's DOCX writer is most of a DOCX build, and it takes one document: an edited entry cost
the whole book again. So the book is cut where the writer carries nothing from one block to the
next (before a heading that opens a letter group, a term, the index or a page) and every chunk
is written by a pandoc run of its own (`runs`), the packages then joined (`merge`).

A term's prepared blocks (`prepare`) depend on the term (its fingerprint, its back-references),
the bookmark names of the ids it has and links to, which of its ids came earlier in the book (a
repeated id gets no bookmark), the wording and its images. Those make the key under which the
cache keeps them: the blocks' JSON, read only when their chunk is written again, and what every
build needs (table of contents entries, findings). A chunk's key is made of its parts' keys, so
the chunks whose terms did not change are found without preparing anything. The table of
contents, the index and the pages are prepared every time: they are small.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ... import diagnostics as dg
from ...cache import Cache, digest
from ...model import Book, Term
from ...pandoc_ast import Node, attr_of, iter_nodes
from ..common.document import index_blocks, letter_heading, page_blocks, term_blocks
from . import ooxml as ox
from . import prepare
from .bookmarks import bookmark_names

IDS, PREPARED, BLOCKS, NAMES = "docx-ids", "docx-prepared", "docx-blocks", "docx-names"
# Chunks of a letter group: a cut after a term whose id hashes to 0 modulo SPREAD (so adding a
# term moves no other cut), never fewer than MIN_TERMS terms, never more than MAX_TERMS.
MIN_TERMS, SPREAD, MAX_TERMS = 10, 10, 40
FixerFor = Callable[[dg.Report], Callable[[str], prepare.Fixer]]


@dataclass(frozen=True)
class Setting:
    """What every chunk shares, given by the DOCX face."""

    wording: prepare.Wording
    contents: str  # the table of contents' title
    meta: dict[str, Any]  # the whole document's metadata: title page and properties (first chunk)
    lang: dict[str, Any]  # the document language's MetaValue (every other chunk)
    front: list[Node]  # blocks before the table of contents (the imprint), not prepared
    images_for: FixerFor  # a report -> (term or page id -> its image fixer)
    index_columns: tuple[int, int] | None = None  # the index in (columns, gap in twips)


@dataclass
class _Unit:
    """Blocks prepared together: a letter heading, a term, a page or the index."""

    ids: list[str]  # element ids of the raw blocks
    targets: list[str]  # `#…` link targets of the raw blocks
    owner: str = ""  # the file whose images it shows (a term's or a page's)
    raw: list[Node] | None = None
    term: Term | None = None
    base: str = ""  # a term's key: what its raw blocks are made of
    key: str = ""  # the prepared blocks' key
    text: str | None = None  # the prepared blocks as JSON (a list's items)
    load: Callable[[], str] | None = None
    toc: list[ox.TocEntry] = field(default_factory=list)
    found: list[dg.Diagnostic] = field(default_factory=list)  # image findings
    dead: list[str] = field(default_factory=list)  # link targets that match no id
    blocks: str = ""  # the digest of the prepared blocks' JSON, as stored

    def json(self) -> str:
        if self.text is None:
            assert self.load is not None
            self.text = self.load()
        return self.text


@dataclass(frozen=True)
class Chunk:
    """A part of the document that one pandoc run writes."""

    name: str  # for messages: "front", "A 1", "A 2", "index", a page's id
    key: str  # of its pandoc input
    meta: str  # its metadata, JSON
    texts: tuple[Callable[[], str], ...]  # its blocks' JSON, piece by piece
    # A letter group in several chunks: pandoc ends the bookmark of the group's heading (it
    # spans the group's section) at the end of the first chunk; the join moves that end
    # (`hold`: the bookmark's name) to the end of the group's last chunk (`release`).
    hold: str = ""
    release: bool = False
    index_role: str = ""  # "before" the index, or "index": its part of setting it in columns

    def document(self, api: list[int]) -> bytes:
        blocks = ",".join(t for t in (text() for text in self.texts) if t)
        return (f'{{"pandoc-api-version":{json.dumps(api)},"meta":{self.meta},'
                f'"blocks":[{blocks}]}}').encode()


@dataclass(frozen=True)
class Plan:
    chunks: list[Chunk]
    found: list[dg.Diagnostic]  # images refused while preparing, in document order
    dead: list[str]  # link targets matching no id, in document order
    index_bookmark: str = ""  # the index heading's bookmark


def plan(book: Book, setting: Setting, cache: Cache, common: str) -> Plan:
    """The document's chunks in order; `common`: what every chunk's key includes (pandoc,
    the reference document)."""
    planner = _Planner(book, setting, cache, common)
    return planner.run()


class _Planner:
    """One build's plan: the units of the book in order, prepared or found, then chunked."""

    def __init__(self, book: Book, setting: Setting, cache: Cache, common: str) -> None:
        self.book = book
        self.setting = setting
        self.cache = cache
        self.common = common
        self.names: dict[str, str] = {}
        self._images: dict[str, str] = {}
        self._by_file: dict[str, list[tuple[str, Any]]] = {}
        for (file, url), resource in sorted(book.resources.items()):
            self._by_file.setdefault(file, []).append((url, resource))

    def run(self) -> Plan:
        book = self.book
        front = [_raw(page_blocks(p), p.source.file) for p in book.front]
        groups = [(_raw([letter_heading(g)]), [self._term(book.term(t)) for t in g.term_ids])
                  for g in book.groups]
        index = _raw(index_blocks(book))
        back = [_raw(page_blocks(p), p.source.file) for p in book.back]
        order = [*front, *(u for head, terms in groups for u in (head, *terms)), index, *back]
        self.names = self._bookmark_names({i for u in order for i in u.ids})
        seen: set[str] = set()
        for unit in order:
            earlier = sorted(self.names[i] for i in set(unit.ids) & seen)
            seen.update(unit.ids)
            self._prepare(unit, earlier)
        toc = ox.toc(self.setting.contents, [e for u in order for e in u.toc])
        first = json.dumps([*self.setting.front, toc], ensure_ascii=False)[1:-1]
        meta = json.dumps(self.setting.meta, ensure_ascii=False)
        chunks = [self._chunk("front", meta, [first])]
        rest = json.dumps({"lang": self.setting.lang}, ensure_ascii=False)
        for page, unit in zip(book.front, front, strict=True):
            chunks.append(self._chunk(page.id, rest, [unit]))
        for group, (head, terms) in zip(book.groups, groups, strict=True):
            cut = _cut(terms)
            for n, part in enumerate(cut):
                units = [head, *part] if n == 0 else part
                chunk = self._chunk(f"{group.label} {n + 1}", rest, units)
                if len(cut) > 1:
                    chunk = replace(chunk, hold=self.names[group.anchor] if n == 0 else "",
                                    release=n == len(cut) - 1)
                chunks.append(chunk)
        bookmark = next((e.bookmark for e in index.toc if e.level == 1), "")
        if self.setting.index_columns and bookmark:
            chunks[-1] = replace(chunks[-1], index_role="before")
        chunks.append(self._chunk("index", rest, [index]))
        if self.setting.index_columns and bookmark:
            chunks[-1] = replace(chunks[-1], index_role="index")
        for page, unit in zip(book.back, back, strict=True):
            chunks.append(self._chunk(page.id, rest, [unit]))
        return Plan(chunks, [d for u in order for d in u.found], [t for u in order for t in u.dead],
                    bookmark)

    def _chunk(self, name: str, meta: str, units: list[_Unit] | list[str]) -> Chunk:
        texts: list[Callable[[], str]] = []
        keys: list[str] = []
        for unit in units:
            if isinstance(unit, str):
                texts.append(_constant(unit))
                keys.append(digest(unit))
            else:
                texts.append(unit.json)
                keys.append(unit.key)
        return Chunk(name, self.cache.key("docx-chunk", self.common, meta, *keys), meta, tuple(texts))

    def _bookmark_names(self, ids: set[str]) -> dict[str, str]:
        """`bookmark_names` of the book's ids, kept in the cache under the set of ids."""
        unique = sorted(ids)
        key = self.cache.key(NAMES, json.dumps(unique, ensure_ascii=False))
        stored = self.cache.get_json(NAMES, key) if self.cache.enabled else None
        if isinstance(stored, dict) and sorted(stored) == unique and _strings(list(stored.values())):
            return stored
        names = bookmark_names(unique)
        self.cache.put_json(NAMES, key, names)
        return names

    def _term(self, term: Term) -> _Unit:
        """A term's ids and link targets, from the cache when its blocks were seen before."""
        book = self.book
        referrers = [[r, list(book.term(r).title)] for r in term.refs_in]
        made_of = term.fingerprint or json.dumps(term_blocks(book, term), ensure_ascii=False)
        base = self.cache.key(IDS, made_of, json.dumps([term.id, referrers, book.config.language],
                                                       ensure_ascii=False))
        stored = self.cache.get_json(IDS, base) if self.cache.enabled else None
        if isinstance(stored, dict) and _strings(stored.get("ids")) and _strings(stored.get("targets")):
            return _Unit(stored["ids"], stored["targets"], owner=term.source.file, term=term, base=base)
        unit = _raw(term_blocks(book, term), term.source.file)
        unit.term, unit.base = term, base
        self.cache.put_json(IDS, base, {"ids": unit.ids, "targets": unit.targets})
        return unit

    def _prepare(self, unit: _Unit, earlier: list[str]) -> None:
        images = self._image_digest(unit.owner)
        if unit.term is None:  # a letter heading, a page, the index: prepared every time
            self._compute(unit, earlier)
            unit.key = digest(unit.json(), images)
            return
        names = self.names
        context = [sorted({(i, names[i]) for i in unit.ids}),
                   sorted({(t, names.get(t, "")) for t in unit.targets}),
                   earlier, self.setting.wording.in_text, self.setting.wording.in_list, images]
        unit.key = self.cache.key(PREPARED, unit.base, json.dumps(context, ensure_ascii=False))
        stored = self.cache.get_json(PREPARED, unit.key) if self.cache.enabled else None
        if stored is not None and _restore(unit, stored):
            unit.load = lambda: self._blocks(unit, earlier)
            return
        self._compute(unit, earlier)
        self.cache.put(BLOCKS, unit.key, unit.json().encode("utf-8"))
        self.cache.put_json(PREPARED, unit.key, {
            "toc": [[e.level, e.text, e.bookmark] for e in unit.toc],
            "found": [d.to_json() for d in unit.found], "dead": unit.dead,
            "blocks": digest(unit.json())})

    def _blocks(self, unit: _Unit, earlier: list[str]) -> str:
        """A term's prepared blocks from the cache (if they are the ones its entry names), or
        prepared again."""
        stored = self.cache.get(BLOCKS, unit.key)
        if stored is not None and unit.blocks:
            try:
                text = stored.decode("utf-8")
            except UnicodeDecodeError:
                text = ""
            if digest(text) == unit.blocks:
                return text
        again = _Unit(unit.ids, unit.targets, unit.owner, term=unit.term)
        self._compute(again, earlier)
        self.cache.put(BLOCKS, unit.key, again.json().encode("utf-8"))
        return again.json()

    def _compute(self, unit: _Unit, earlier: list[str]) -> None:
        if unit.raw is None:
            assert unit.term is not None
            unit.raw = term_blocks(self.book, unit.term)
        own = dg.Report()
        blocks, unit.dead = prepare.prepared(prepare.private_copy(unit.raw), self.names,
                                             self.setting.wording, self.setting.images_for(own),
                                             seen=earlier)
        unit.found = list(own)
        unit.toc = prepare.toc_entries(blocks)
        unit.text = json.dumps(blocks, ensure_ascii=False)[1:-1]
        unit.raw = None  # what is kept from here on is the JSON

    def _image_digest(self, file: str) -> str:
        """The images a file's entries show, by content: pandoc embeds their bytes."""
        if not file:
            return ""
        if file not in self._images:
            parts: list[str] = []
            for url, resource in self._by_file.get(file, []):
                content = _file_digest(resource.path) if resource.path is not None else ""
                parts += [url, resource.name, resource.problem, content]
            self._images[file] = digest(*parts)
        return self._images[file]


def dead_link(target: str) -> dg.Diagnostic:
    """A link that survived the resolver without a target (the DOCX writes its text)."""
    return dg.make(dg.DEAD_LINK_OUTPUT, "", 0, 0,
                   f"docx: link to #{target}, which no element has; written as plain text",
                   "report this as a bug: the resolver should have caught it")


def _constant(text: str) -> Callable[[], str]:
    return lambda: text


def _raw(blocks: list[Node], owner: str = "") -> _Unit:
    ids, targets = [], []
    for node in iter_nodes(blocks):  # one walk for both (`prepare.element_ids`' ids)
        a = attr_of(node)
        if a is not None and a[0]:
            ids.append(str(a[0]))
        if node["t"] == "Link" and node["c"][2][0].startswith("#"):
            targets.append(node["c"][2][0][1:])
    return _Unit(ids, targets, owner, raw=blocks)


def _cut(terms: list[_Unit]) -> list[list[_Unit]]:
    """A letter group's terms in chunks (at least one, maybe empty)."""
    out: list[list[_Unit]] = [[]]
    for i, unit in enumerate(terms):
        out[-1].append(unit)
        assert unit.term is not None
        size = len(out[-1])
        marked = int.from_bytes(hashlib.blake2b(unit.term.id.encode()).digest()[:4], "big") % SPREAD == 0
        if i + 1 < len(terms) and (size >= MAX_TERMS or (size >= MIN_TERMS and marked)):
            out.append([])
    return out


def _restore(unit: _Unit, stored: Any) -> bool:
    try:
        unit.toc = [ox.TocEntry(int(level), str(text), str(mark)) for level, text, mark in stored["toc"]]
        unit.found = [dg.Diagnostic.from_json(d) for d in stored["found"]]
        unit.dead = [str(t) for t in stored["dead"]]
        unit.blocks = str(stored["blocks"])
    except (KeyError, TypeError, ValueError):
        return False
    return True


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _file_digest(path: Any) -> str:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=20).hexdigest()
    except OSError:
        return "?"
