"""The facts of the health report, as plain data (the JSON for CI dashboards and the page's model).

Counts: entries, words, aliases, links (every resolved link to a term, text and see-also),
broken links, duplicate ids, unlinked mentions. Lists: orphans (no entry links here), dead ends
(links nowhere), most-wanted missing terms, entries without tagline or see-also list, the
largest and smallest entries, the letter distribution, and the see-also suggestions that
unlinked mentions make.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .. import diagnostics as dg
from ..model import INDEX_ID, Book, Term, xref_target
from ..pandoc_ast import iter_nodes, stringify
from .mentions import Mention, see_also_suggestions
from .summary import summarize
from .wanted import Wanted, broken_links, most_wanted

TOP = 15


def words(term: Term) -> int:
    """Words of the text an author wrote under the heading (taglines, definition, sections)."""
    blocks = [*(n for t in term.taglines for n in t), *term.definition,
              *(n for s in term.sections for n in (*s.title, *s.blocks))]
    return len(stringify(blocks).split())


def links_out(term: Term) -> int:
    """Resolved links to terms: in the text, and see-also items."""
    targets = (xref_target(n) for n in iter_nodes(term.content))
    in_text = sum(1 for x in targets if x is not None and x[0] != INDEX_ID)
    return in_text + sum(1 for s in term.see_also if s.target)


def health(book: Book, diagnostics: Sequence[dg.Diagnostic], mentions: Sequence[Mention],
           page: Callable[[str], str | None], wanted: list[Wanted] | None = None) -> dict[str, Any]:
    """The report's data. `page(term id)`: the entry's site page (relative URL) or None;
    `wanted`: the most-wanted missing terms, when the caller has them already."""
    size = {t.id: words(t) for t in book.terms}
    broken = broken_links(book)
    wanted = most_wanted(book, broken) if wanted is None else wanted
    by_size = sorted(book.terms, key=lambda t: (-size[t.id], t.sort_key))

    def ref(t: Term, **extra: object) -> dict[str, object]:
        return {"id": t.id, "title": t.title_text, "file": t.source.file, "page": page(t.id), **extra}

    suggestions = see_also_suggestions(list(mentions))
    return {
        "title": book.config.title,
        "language": book.config.language,
        "counts": {
            "entries": len(book.terms),
            "words": sum(size.values()),
            "aliases": sum(len(t.aliases) for t in book.terms),
            "links": sum(links_out(t) for t in book.terms),
            "broken_links": len(broken),
            "missing_terms": len(wanted),
            "duplicate_ids": sum(1 for d in diagnostics if d.code == dg.ID_DUPLICATE),
            "orphans": sum(1 for t in book.terms if not t.refs_in),
            "dead_ends": sum(1 for t in book.terms if not t.refs_out),
            "unlinked_mentions": len(mentions),
            **{f"diagnostics_{s}": sum(1 for d in diagnostics if d.severity is s) for s in dg.Severity},
        },
        "orphans": [ref(t, outgoing=len(t.refs_out)) for t in book.terms if not t.refs_in],
        "dead_ends": [ref(t, incoming=len(t.refs_in)) for t in book.terms if not t.refs_out],
        "most_wanted": [_wanted(w, book, page) for w in wanted],
        "no_tagline": [ref(t) for t in book.terms if not t.taglines],
        "no_see_also": [ref(t) for t in book.terms if not t.see_also],
        "largest": [ref(t, words=size[t.id]) for t in by_size[:TOP]],
        "smallest": [ref(t, words=size[t.id]) for t in reversed(by_size[-TOP:])],
        "letters": [{"letter": g.label, "entries": len(g.term_ids)} for g in book.groups],
        "mentions": [{**m.as_dict(), "entry_title": book.term(m.entry).title_text,
                      "target_title": book.term(m.target).title_text,
                      "entry_page": page(m.entry), "target_page": page(m.target)} for m in mentions],
        "see_also_suggestions": [ref(book.term(e), suggest=[ref(book.term(s)) for s in targets])
                                 for e, targets in suggestions.items()],
        "by_code": [vars(c) for c in summarize(None, list(diagnostics)).by_code],
    }


def _wanted(w: Wanted, book: Book, page: Callable[[str], str | None]) -> dict[str, object]:
    return {**w.as_dict(), "entry_titles": [book.term(e).title_text for e in w.entries],
            "entry_pages": [page(e) for e in w.entries]}
