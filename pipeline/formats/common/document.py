"""The whole book as one pandoc document (AST): the input of the pandoc-based writers (md, docx).

Levels: letter groups are H1, terms H2, their sections H3 and below; the index is H1 `#Index`.
Front matter pages come before the first letter, back matter pages after the index: each an H1
with the page's id and the classes `page` and its role, its own headings H2 and below.
Links stay `#<anchor>`; a writer that needs other link names maps them with `pandoc_ast.walk`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...i18n import labels
from ...model import INDEX_ID, PAGE_CLASS, SEEALSO, Book, LetterGroup, Page, Term, anchor
from ...pandoc_ast import (
    BulletList,
    Div,
    Header,
    Link,
    Node,
    Para,
    Plain,
    Space,
    Str,
    attr,
    text_inlines,
)

TERM_LEVEL = 2
ALIASES = "term-aliases"  # the class of the "Auch: …" line under a term's heading


def metadata(book: Book) -> dict[str, Any]:
    """pandoc metadata (MetaValues) from book.toml."""
    c = book.config
    meta: dict[str, Any] = {
        "title": _meta_str(c.title),
        "lang": _meta_str(c.language),
        "date": _meta_str(c.date),
    }
    optional = {
        "subtitle": c.subtitle, "version": c.version, "rights": c.license,
        "identifier": c.identifier, "publisher": c.publisher, "description": c.description,
        "subject": c.description,
    }
    meta.update({k: _meta_str(v) for k, v in optional.items() if v})
    if c.authors:
        meta["author"] = {"t": "MetaList", "c": [_meta_str(a) for a in c.authors]}
    if c.keywords:
        meta["keywords"] = {"t": "MetaList", "c": [_meta_str(k) for k in c.keywords]}
    return meta


def _meta_str(text: str) -> dict[str, Any]:
    return {"t": "MetaInlines", "c": text_inlines(text)}


def document(book: Book, back_references: bool = True) -> dict[str, Any]:
    """The book as a pandoc JSON document."""
    return {
        "pandoc-api-version": list(book.pandoc_api_version),
        "meta": metadata(book),
        "blocks": [b for _, part in parts(book, back_references) for b in part],
    }


def parts(book: Book, back_references: bool = True) -> Iterator[tuple[int, list[Node]]]:
    """The document's blocks part by part, each with its count of terms: the front matter,
    each letter group, then the index with the back matter (each part begins with an H1)."""
    yield 0, [b for page in book.front for b in page_blocks(page)]
    for group in book.groups:
        blocks = [letter_heading(group)]
        for term_id in group.term_ids:
            blocks.extend(term_blocks(book, book.term(term_id), back_references))
        yield len(group.term_ids), blocks
    yield 0, [*index_blocks(book), *(b for page in book.back for b in page_blocks(page))]


def letter_heading(group: LetterGroup) -> Node:
    """A letter group's heading (H1 with the group's anchor)."""
    return Header(1, attr(group.anchor, ["letter"]), [Str(group.label)])


def page_blocks(page: Page) -> list[Node]:
    """A front or back matter page: its title as H1 (with the page's id), then its blocks."""
    return [Header(1, attr(page.id, [PAGE_CLASS, page.role]), list(page.title)), *page.blocks]


def term_blocks(book: Book, term: Term, back_references: bool = True) -> list[Node]:
    """Heading, aliases, taglines, definition, sections, see-also and back-references of one
    term: the order of every format (README, "One order in every format")."""
    words = labels(book.config.language)
    kvs = {"aliases": ";".join(term.aliases)} if term.aliases else {}
    out: list[Node] = [Header(TERM_LEVEL, attr(term.id, ["term"], kvs), list(term.title))]
    if term.aliases:  # shown as in every format (`md` keeps only the heading's attribute)
        out.append(Div(attr("", [ALIASES]), [Para(text_inlines(
            f"{words['aliases']}: {', '.join(term.aliases)}"))]))
    for tagline in term.taglines:
        out.append(Div(attr("", ["tagline"]), [Para([{"t": "Emph", "c": [
            {"t": "Strong", "c": list(tagline)}]}])]))
    out.extend(term.definition)
    for section in term.sections:
        out.append(Header(TERM_LEVEL + 1, attr(section.id, [section.kind]), list(section.title)))
        out.extend(_shift_headers(list(section.blocks), TERM_LEVEL))
    if term.see_also or term.links_index:
        out.append(Header(TERM_LEVEL + 1, attr(anchor(term.id, SEEALSO), [SEEALSO]),
                          text_inlines(words["see_also"])))
        out.append(Para(see_also_inlines(term, words["index"])))
    if back_references and term.refs_in:
        refs = [xref(book.term(r).id, list(book.term(r).title)) for r in term.refs_in]
        out.append(Div(attr(anchor(term.id, "backrefs"), ["backrefs"]), [Para(
            [*text_inlines(words["referenced_by"] + ":"), Space(), *_joined(refs, ",")])]))
    return out


def see_also_inlines(term: Term, index_label: str = INDEX_ID) -> list[Node]:
    """`[A](#A) | [B](#B) | [Index](#Index)`; broken items as plain text."""
    items: list[list[Node]] = []
    for item in term.see_also:
        label = list(item.label)
        if item.target is None:
            items.append([{"t": "Span", "c": [attr("", ["xref-broken"]), label]}])
        else:
            items.append([xref(item.target, label)])
    if term.links_index:
        items.append([xref(INDEX_ID, text_inlines(index_label))])
    out: list[Node] = []
    for i, inl in enumerate(items):
        if i:
            out.extend([Space(), Str("|"), Space()])
        out.extend(inl)
    return out


def xref(term_id: str, label: list[Node], anchor: str = "") -> Node:
    """A symbolic internal link, as the model writes them."""
    return Link(attr("", ["xref"], {"term": term_id}), label, "#" + (anchor or term_id))


def _joined(links: list[Node], sep: str) -> list[Node]:
    out: list[Node] = []
    for i, link in enumerate(links):
        if i:
            out.extend([Str(sep), Space()])
        out.append(link)
    return out


def _shift_headers(blocks: list[Node], offset: int) -> list[Node]:
    out = []
    for b in blocks:
        if b["t"] == "Header":
            level, a, inl = b["c"]
            b = {"t": "Header", "c": [min(level + offset, 6), a, inl]}
        out.append(b)
    return out


def index_blocks(book: Book) -> list[Node]:
    """The generated index: H1 #Index, a heading per letter, the entries as a list."""
    words = labels(book.config.language)
    out: list[Node] = [Header(1, attr(INDEX_ID, ["index"]), [Str(words["index"])])]
    for group in book.index:
        out.append(Header(2, attr(f"index-{group.id}", ["index-letter", "unnumbered"]),
                          [Str(group.label)]))
        items = []
        for entry in group.entries:
            label: list[Node] = text_inlines(entry.label)
            if entry.is_alias:
                target = book.term(entry.term_id).title_text
                label = [{"t": "Emph", "c": label}, Space(), Str("→"), Space(), *text_inlines(target)]
            items.append([Plain([xref(entry.term_id, label)])])
        out.append(BulletList(items))
    return out
