"""The normaliser's results as JSON, for the build cache: diagnostics, raw terms, resolved terms.

Each `*_to_json` has its `*_from_json`; a value that does not read back (a foreign or damaged
cache entry) raises `ValueError`, which the caller treats as a miss.
"""

from __future__ import annotations

from typing import Any

from .. import diagnostics as dg
from ..model import Location, Section, SeeAlso, Term


def diagnostic_to_json(d: dg.Diagnostic) -> list[Any]:
    return d.to_json()


def diagnostics_from_json(values: Any) -> list[dg.Diagnostic]:
    if not isinstance(values, list):
        raise ValueError("not a list of diagnostics")
    return [dg.Diagnostic.from_json(v) for v in values]


def term_to_json(t: Term) -> dict[str, Any]:
    return {
        "id": t.id, "title": list(t.title), "title_text": t.title_text, "sort_key": list(t.sort_key),
        "letter": t.letter, "aliases": list(t.aliases), "taglines": [list(x) for x in t.taglines],
        "definition": list(t.definition),
        "sections": [[s.id, s.kind, list(s.title), list(s.blocks)] for s in t.sections],
        "see_also": [[s.target, list(s.label), s.label_text, s.missing] for s in t.see_also],
        "missing_out": [list(m) for m in t.missing_out], "anchors": list(t.anchors),
        "links_index": t.links_index, "refs_out": list(t.refs_out),
        "source": [t.source.file, t.source.line, t.source.column], "original_id": t.original_id,
    }


def term_from_json(v: dict[str, Any]) -> Term:
    try:
        return Term(
            id=v["id"], title=tuple(v["title"]), title_text=v["title_text"],
            sort_key=tuple(v["sort_key"]), letter=v["letter"], aliases=tuple(v["aliases"]),
            taglines=tuple(tuple(x) for x in v["taglines"]), definition=tuple(v["definition"]),
            sections=tuple(Section(i, k, tuple(ti), tuple(b)) for i, k, ti, b in v["sections"]),
            see_also=tuple(SeeAlso(tg, tuple(la), lt, mi) for tg, la, lt, mi in v["see_also"]),
            missing_out=tuple((a, b) for a, b in v["missing_out"]), anchors=tuple(v["anchors"]),
            links_index=bool(v["links_index"]), refs_out=tuple(v["refs_out"]), refs_in=(),
            source=Location(*v["source"]), original_id=v["original_id"],
        )
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"not a term: {exc}") from exc
