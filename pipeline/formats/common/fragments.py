"""The book's HTML fragments, rendered once per run (a pandoc call per core) for html, pdf and epub.

Every piece of a term (title, taglines, definition, each section, see-also labels, notes) is
rendered to an HTML fragment, and so is every front and back matter page (title, body, notes).
Internal links come out as

    <a href="xref:TERM#ANCHOR" class="xref" data-term="TERM">…</a>

a placeholder that each format turns into its own URL with `retarget` (same page `#ANCHOR`
for the PDF, `letters/k.xhtml#ANCHOR` for the EPUB, `TERM.html#ANCHOR` for the site).
Headings inside sections start at <h4> (letter h1, term h2, section h3); `shift_headings`
moves them for layouts with other levels. Math is MathML (pandoc `--mathml`); the PDF, which
WeasyPrint cannot show MathML in, converts it itself.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ... import diagnostics as dg
from ... import jsonbytes, pandoc, sanitise
from ...cache import Cache
from ...model import BROKEN_CLASS, Book, Owner, Page, Term, anchor, xref_target
from ...pandoc_ast import Div, Link, Node, Plain, RawBlock, Span, Str, attr, walk
from .document import metadata

XREF_SCHEME = "xref:"
_XREF_HREF = re.compile(r'href="xref:([^"#]*)#?([^"]*)"')
_HEADING = re.compile(r"<(/?)h([1-6])\b")
_MARK = "glossary-fragment"
HrefFor = Callable[[str, str], str]  # (term id or "Index", anchor or "") -> URL


@dataclass(frozen=True)
class SectionFragments:
    id: str
    kind: str
    title: str  # inline HTML
    body: str  # block HTML


@dataclass(frozen=True)
class LinkFragment:
    target: str | None  # term id; None for a broken link (render the label as text)
    label: str  # inline HTML


@dataclass(frozen=True)
class TermFragments:
    id: str
    title: str  # inline HTML
    taglines: tuple[str, ...]  # inline HTML each
    definition: str  # block HTML
    sections: tuple[SectionFragments, ...]
    see_also: tuple[LinkFragment, ...]
    notes: tuple[tuple[str, str], ...]  # (anchor id, block HTML) of each footnote, in order


@dataclass(frozen=True)
class PageFragments:
    """A front or back matter page: its title (the heading it starts with) and the rest."""

    id: str
    title: str  # inline HTML
    body: str  # block HTML; its headings start at <h2> (the title is the page's <h1>)
    notes: tuple[tuple[str, str], ...]  # (anchor id, block HTML) of each footnote, in order


@dataclass(frozen=True)
class Fragments:
    book: Book
    terms: Mapping[str, TermFragments]
    pages: Mapping[str, PageFragments] = field(default_factory=lambda: MappingProxyType({}))


def render(book: Book, report: dg.Report, cache: Cache | None = None) -> Fragments:
    """Render every term's fragments to HTML (one pandoc run per core, each started as soon as
    its terms are planned); with a cache, only the terms not rendered before (keyed by the
    term's fingerprint, or by its exact pandoc input when it has none)."""
    cache = cache or Cache(None)
    salt = json.dumps([list(book.pandoc_api_version), book.config.language])
    found: dict[str, TermFragments] = {}
    todo: list[tuple[Term, str, _Plan]] = []
    pages: dict[str, PageFragments] = {}
    page_todo: list[tuple[Page, str, list[int]]] = []
    with _Runs(book, len(book.terms)) as runs:
        for term in book.terms:
            fragments: list[list[Node]] = []
            plan = None if term.fingerprint else _plan(term, fragments)
            key = cache.key("fragments", salt,
                            term.fingerprint or json.dumps(fragments, ensure_ascii=False))
            hit = _cached(cache, key)
            if hit is not None:
                found[term.id] = hit
                continue
            todo.append((term, key, plan or _plan(term, fragments)))
            runs.add(fragments)
        for page in book.pages:  # few and small: planned every time, rendered when not cached
            fragments = []
            indexes = _page_plan(page, fragments)
            key = cache.key("page-fragments", salt,
                            page.fingerprint or json.dumps(fragments, ensure_ascii=False))
            earlier = _cached_page(cache, key)
            if earlier is not None:
                pages[page.id] = earlier
            else:
                page_todo.append((page, key, indexes))
                runs.add(fragments)
        rendered = runs.results(report)
    for (term, key, plan), (pieces, clean) in zip(todo, rendered[:len(todo)], strict=True):
        kept = _sanitised(term, _indexes(plan), pieces, report)
        found[term.id] = _assemble(term, plan, pieces)
        if clean and kept:  # what warned is rendered again next time, so it warns again
            cache.put_json("fragments", key, _encode(found[term.id]))
    for (page, key, indexes), (pieces, clean) in zip(page_todo, rendered[len(todo):], strict=True):
        kept = _sanitised(page, indexes, pieces, report)
        pages[page.id] = _assemble_page(page, pieces)
        if clean and kept:
            cache.put_json("page-fragments", key, _encode_page(pages[page.id]))
    return Fragments(book, MappingProxyType({t.id: found[t.id] for t in book.terms}),
                     MappingProxyType({p.id: pages[p.id] for p in book.pages}))


class _Runs:
    """The pandoc runs that render the fragments: the terms in as many shards as there are
    cores, each run started (in a thread; pandoc is a process of its own) as soon as its
    terms are planned, while the next shard's are. A fragment's HTML does not depend on the
    others in its run, so the shards give the bytes one run gives.

    Each term's fragments are written as JSON when they are added, and only the bytes wait
    for the run: the fragments are a rewritten copy of the term's AST, and all of them held
    until their run was 105 of the 351 MB the build process of a 350-entry PDF peaked at."""

    def __init__(self, book: Book, expected: int) -> None:
        self.book = book
        self.size = max(pandoc.MIN_SHARD, -(-expected // (os.cpu_count() or 1)))
        self.pool = pandoc.SideBySide()
        self.pending: list[list[bytes]] = []  # per term or page: its fragments, as JSON Divs
        self.runs: list[Future[tuple[list[list[str]], str]]] = []

    def __enter__(self) -> _Runs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.close()

    def add(self, fragments: list[list[Node]]) -> None:
        self.pending.append([jsonbytes.dumps(Div(attr(), f)) for f in fragments])
        if len(self.pending) >= self.size:
            self._start()

    def _start(self) -> None:
        if self.pending:
            shard, self.pending = self.pending, []
            self.runs.append(self.pool.submit(_pandoc, shard, self.book))

    def results(self, report: dg.Report) -> list[tuple[list[str], bool]]:
        """Per term or page, in the order added: its pieces, and whether its run was silent."""
        self._start()
        out: list[tuple[list[str], bool]] = []
        for run in self.runs:
            pieces, warnings = run.result()
            for line in warnings.splitlines():
                report.add(dg.make(dg.RENDER_WARNING, "", 0, 0, f"pandoc (html): {line}",
                                   "check the entry the message names"))
            out += [(p, not warnings.strip()) for p in pieces]
        return out


def _page_plan(page: Page, fragments: list[list[Node]]) -> list[int]:
    """A page's pieces in the fragment list: title, body, then its notes."""
    notes: list[list[Node]] = []
    fix = _links_and_notes(page.id, notes)
    fragments.append([Plain(walk(list(page.title), fix))])
    fragments.append(walk(list(page.blocks), fix))
    fragments.extend(notes)
    return list(range(len(fragments)))


def _assemble_page(page: Page, pieces: list[str]) -> PageFragments:
    notes = tuple((anchor(page.id, f"fn-{n}"), body) for n, body in enumerate(pieces[2:], start=1))
    return PageFragments(page.id, pieces[0], pieces[1], notes)


def _encode_page(p: PageFragments) -> list[object]:
    return [p.id, p.title, p.body, [list(n) for n in p.notes]]


def _cached_page(cache: Cache, key: str) -> PageFragments | None:
    value = cache.get_json("page-fragments", key)
    try:
        ident, title, body, notes = value
        return PageFragments(ident, title, body, tuple((a, b) for a, b in notes))
    except (TypeError, ValueError):
        return None


def _encode(t: TermFragments) -> list[object]:
    sections = [[s.id, s.kind, s.title, s.body] for s in t.sections]
    return [t.id, t.title, list(t.taglines), t.definition, sections,
            [[link.target, link.label] for link in t.see_also], [list(n) for n in t.notes]]


def _cached(cache: Cache, key: str) -> TermFragments | None:
    value = cache.get_json("fragments", key)
    try:
        ident, title, taglines, definition, sections, see_also, notes = value
        return TermFragments(ident, title, tuple(taglines), definition,
                             tuple(SectionFragments(*s) for s in sections),
                             tuple(LinkFragment(*link) for link in see_also),
                             tuple((a, b) for a, b in notes))
    except (TypeError, ValueError):
        return None


def _pandoc(terms: list[list[bytes]], book: Book) -> tuple[list[list[str]], str]:
    """Each term's fragments as HTML (one pandoc run for all of them), and pandoc's warnings."""
    flat = [f for fragments in terms for f in fragments]
    doc = _document(flat, list(book.pandoc_api_version), metadata(book))
    out, warnings = pandoc.convert_json(doc, "html5", ["--mathml", "--wrap=none"])
    pieces = _split(out.decode("utf-8"), len(flat))
    out_terms: list[list[str]] = []
    at = 0
    for fragments in terms:
        out_terms.append(pieces[at:at + len(fragments)])
        at += len(fragments)
    return out_terms, warnings


def _document(flat: list[bytes], api: list[int], meta: dict[str, Any]) -> bytes:
    """The pandoc document of the fragments, joined from their JSON (each after its marker):
    the bytes `jsonbytes.dumps` would give the whole."""
    blocks = b",".join(part for i, f in enumerate(flat) for part in (jsonbytes.dumps(_marker(i)), f))
    return (b'{"pandoc-api-version":' + jsonbytes.dumps(api) + b',"meta":' + jsonbytes.dumps(meta)
            + b',"blocks":[' + blocks + b"]}")


def _indexes(plan: _Plan) -> list[int]:
    return [plan.title, *plan.taglines, plan.definition, *plan.sections, *plan.section_titles,
            *plan.see_also, *plan.notes]


def _sanitised(term: Owner, indexes: list[int], pieces: list[str], report: dg.Report) -> bool:
    """Every piece of the term through the allowlist once more, after pandoc (in place);
    whether nothing had to be removed.

    The normaliser cleaned the entry already; what pandoc makes of the cleaned AST (MathML from
    TeX, attributes it adds) must pass the same rules, so a finding here is reported too."""
    gone: list[str] = []
    for i in indexes:
        cleaned = sanitise.clean(pieces[i], placeholders=True)
        if not sanitise.unchanged(pieces[i], cleaned):
            gone += [g for found in sanitise.removed([pieces[i]], cleaned) for g in found]
        pieces[i] = cleaned
    if gone:
        where = term.source
        report.add(dg.make(dg.UNSAFE_REMOVED, where.file, where.line, where.column,
                           f"„{term.title_text}“: removed from the rendered HTML: {', '.join(gone[:4])}",
                           "the entry was cleaned when it was read; report this as a bug"))
    return not gone


def _marker(i: int) -> Node:
    return RawBlock("html", f"<!--{_MARK}:{i}-->")


@dataclass
class _Plan:
    """Indexes into the fragment list for one term's pieces."""

    title: int
    taglines: list[int]
    definition: int
    sections: list[int]
    section_titles: list[int]
    see_also: list[int]
    notes: list[int]


def _plan(term: Term, fragments: list[list[Node]]) -> _Plan:
    def add(blocks: list[Node]) -> int:
        fragments.append(blocks)
        return len(fragments) - 1

    notes: list[list[Node]] = []
    fix = _links_and_notes(term.id, notes)
    plan = _Plan(
        title=add([Plain(walk(list(term.title), fix))]),
        taglines=[add([Plain(walk(list(t), fix))]) for t in term.taglines],
        definition=add(walk(list(term.definition), fix)),
        sections=[add(walk(list(s.blocks), fix)) for s in term.sections],
        section_titles=[add([Plain(walk(list(s.title), fix))]) for s in term.sections],
        see_also=[add([Plain(walk(list(item.label), fix))]) for item in term.see_also],
        notes=[],
    )
    plan.notes = [add(n) for n in notes]
    return plan


def _links_and_notes(term_id: str, notes: list[list[Node]]) -> Callable[[Node], Node | None]:
    """Internal links to the placeholder scheme; footnotes to numbered per-term notes; code
    blocks an id of the term's own (pandoc numbers them through its whole run, `cb7`, so a
    term's ids would depend on the terms rendered with it)."""
    blocks = 0

    def fix(node: Node) -> Node | None:
        nonlocal blocks
        if node["t"] == "CodeBlock" and not node["c"][0][0] and node["c"][0][1]:
            blocks += 1
            (_, classes, pairs), text = node["c"]
            return {"t": "CodeBlock", "c": [[anchor(term_id, f"cb-{blocks}"), classes, pairs], text]}
        target = xref_target(node)
        if target is not None:
            term, place = target
            a, inlines, (_url, title) = node["c"]
            return Link(attr(a[0], a[1], {"term": term}), inlines,
                        f"{XREF_SCHEME}{term}#{place}", title)
        if node["t"] == "Note":
            notes.append(node["c"])
            n = len(notes)
            ref_id, note_id = anchor(term_id, f"fnref-{n}"), anchor(term_id, f"fn-{n}")
            return Link(attr(ref_id, ["xref", "footnote-ref"], {"term": term_id}),
                        [{"t": "Superscript", "c": [Str(str(n))]}], f"{XREF_SCHEME}{term_id}#{note_id}")
        if node["t"] == "Span" and BROKEN_CLASS in node["c"][0][1]:
            return Span(attr("", [BROKEN_CLASS]), node["c"][1])
        return None

    return fix


def _split(out: str, count: int) -> list[str]:
    parts = re.split(rf"<!--{_MARK}:(\d+)-->", out)
    pieces = [""] * count
    for i in range(1, len(parts), 2):
        pieces[int(parts[i])] = _unwrap(parts[i + 1].strip())
    return pieces


def _unwrap(fragment: str) -> str:
    """Drop the <div> each fragment was wrapped in (so pandoc kept it a block)."""
    if fragment.startswith("<div>") and fragment.endswith("</div>"):
        return fragment[5:-6].strip()
    return fragment


def _assemble(term: Term, plan: _Plan, pieces: list[str]) -> TermFragments:
    sections = tuple(
        SectionFragments(s.id, s.kind, pieces[ti], pieces[bi])
        for s, bi, ti in zip(term.sections, plan.sections, plan.section_titles, strict=True)
    )
    see_also = tuple(LinkFragment(item.target, pieces[i])
                     for item, i in zip(term.see_also, plan.see_also, strict=True))
    notes = tuple((anchor(term.id, f"fn-{n}"), pieces[i]) for n, i in enumerate(plan.notes, start=1))
    return TermFragments(term.id, pieces[plan.title], tuple(pieces[i] for i in plan.taglines),
                        pieces[plan.definition], sections, see_also, notes)


def retarget(fragment: str, href_for: HrefFor) -> str:
    """Replace every placeholder `xref:TERM#ANCHOR` href with the format's URL."""

    def sub(m: re.Match[str]) -> str:
        term, anchor = html.unescape(m.group(1)), html.unescape(m.group(2))
        return f'href="{html.escape(href_for(term, anchor), quote=True)}"'

    return _XREF_HREF.sub(sub, fragment)


def same_document(term: str, anchor: str) -> str:
    """`href_for` for one-document outputs (PDF, single-page HTML): `#ANCHOR`."""
    return "#" + (anchor or term)


def shift_headings(fragment: str, delta: int) -> str:
    """Move every <hN> in a fragment by `delta` levels (clamped to h1–h6)."""
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, max(1, int(m.group(2)) + delta))}",
                        fragment)
