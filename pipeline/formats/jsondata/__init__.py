"""`json`: the glossary as one versioned JSON document, for other programs.

`<slug>.json` holds the book's metadata and, per term id in book order: title (plain and as
HTML), aliases, taglines, definition (HTML and plain text), sections, notes, see-also,
back-references, links, letter group, source file and line, and its address on the site.
HTML comes from the same fragments as the site's, cleaned by the same allowlist, with links
and images pointing where the site publishes them. The document's shape is the JSON Schema
`glossary-1.schema.json` beside this module (`SCHEMA_PATH`); `format_version` changes only
when a field is removed or changes meaning.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...version import __version__
from ..common import plaintext
from ..common.termdata import SiteAddresses

if TYPE_CHECKING:
    from ...model import Book, Term
    from ..common.fragments import TermFragments
    from ..context import BuildContext

FORMAT = "glossary-pipeline/glossary"
FORMAT_VERSION = 1
SCHEMA_ID = "urn:glossary-pipeline:schema:glossary:1"
SCHEMA_PATH = Path(__file__).resolve().parent / "glossary-1.schema.json"


def build(book: Book, out_dir: Path, ctx: BuildContext) -> Path:
    """Write `<slug>.json`."""
    path = out_dir / f"{book.config.slug}.json"
    text = json.dumps(document(book, ctx), ensure_ascii=False, indent=2) + "\n"
    with ctx.output(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return path


def document(book: Book, ctx: BuildContext) -> dict[str, Any]:
    """The whole document as JSON-ready data."""
    fragments = ctx.fragments(book)
    site = SiteAddresses.of(book)
    c = book.config
    return {
        "$schema": SCHEMA_ID,
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generator": {"name": "glossary-pipeline", "version": __version__},
        "book": {"title": c.title, "subtitle": c.subtitle, "authors": list(c.authors),
                 "language": c.language, "version": c.version, "date": c.date, "license": c.license,
                 "identifier": c.identifier, "publisher": c.publisher, "description": c.description,
                 "keywords": list(c.keywords), "slug": c.slug, "base_url": c.base_url,
                 "site_url": site.start()},
        "letters": [{"id": g.id, "label": g.label, "terms": list(g.term_ids)} for g in book.groups],
        "terms": {t.id: _term(t, fragments.terms[t.id], site) for t in book.terms},
    }


def _term(term: Term, rt: TermFragments, site: SiteAddresses) -> dict[str, Any]:
    def html(fragment: str) -> str:
        return site.html(fragment, term)

    return {
        "id": term.id,
        "title": term.title_text,
        "title_html": html(rt.title),
        "aliases": list(term.aliases),
        "tagline": plaintext.tagline(term),
        "taglines_html": [html(t) for t in rt.taglines],
        "definition": {"html": html(rt.definition), "text": plaintext.definition_text(term)},
        "sections": [{"id": s.id, "kind": s.kind, "title": plaintext.inline_text(s.title),
                      "title_html": html(f.title), "html": html(f.body),
                      "text": plaintext.blocks_text(list(s.blocks))}
                     for s, f in zip(term.sections, rt.sections, strict=True)],
        "notes": [{"id": nid, "html": html(body)} for nid, body in rt.notes],
        "see_also": [{"term": item.target, "label": item.label_text} for item in term.see_also],
        "links_to": list(term.refs_out),
        "referenced_by": list(term.refs_in),
        "letter": term.letter,
        "source": {"file": term.source.file, "line": term.source.line},
        "url": site.url(term.id),
    }
