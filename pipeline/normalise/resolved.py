"""Resolving a file's terms, or finding them resolved in the build cache.

What a file resolves to depends on its own text, the final ids and aliases of its terms, the
book's language and the table of everything links may point at (`IdTable`). Under a key of
exactly those, the cache keeps two entries: the file's findings with its terms' light parts
(read by every run, `check` included) and the terms' definitions and sections (checked when
found, decoded only when a writer first reads one: `model.lazy_term`). Editing one entry's
text leaves the table as it was, so every other file is found resolved; adding, renaming or
removing a term changes the table and every file is resolved again from its cached blocks.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from .. import diagnostics as dg
from ..cache import Cache
from ..model import BODY_FIELDS, Body, Term, lazy_term, with_light
from ..pandoc_ast import Node
from .links import IdTable
from .load import ensure_blocks
from .positions import Locator
from .records import diagnostic_to_json, diagnostics_from_json, term_from_json, term_to_json
from .sources import SourceFile

LIGHT, BODIES = "resolved", "bodies"
# The light fields a body is decoded beside (term_from_json reads a whole term).
_EMPTY_LIGHT: dict[str, Any] = {
    "id": "", "title": [], "title_text": "", "sort_key": [], "letter": "", "aliases": [], "taglines": [],
    "see_also": [], "missing_out": [], "anchors": [], "links_index": False, "refs_out": [],
    "source": ["", 0, 0], "original_id": ""}
Builder = Callable[[Any, dict[str, int], IdTable, Locator, dg.Report], tuple[Term, list[Node]]]
Computer = Callable[[], tuple[list[tuple[Term, list[Node]]], list[dg.Diagnostic]]]


def table_digest(table: IdTable, language: str) -> str:
    """Everything of the table a link's resolution (and its 'did you mean') can depend on."""
    return json.dumps([language, sorted(table.ids), sorted(table.aliases.items()),
                       sorted(table.files.items()), sorted(table.sections.items()),
                       sorted(table.pages)],
                      ensure_ascii=False, separators=(",", ":"))


def resolve_file(f: SourceFile, named: Sequence[Any], build: Builder, table: IdTable, table_key: str,
                 cache: Cache, report: dg.Report, bodies: bool) -> list[tuple[Term, list[Node]]]:
    """The file's terms with their images, formulas and raw HTML, and its findings in `report`.

    `named`: the file's terms with their final ids and aliases, in file order. Without
    `bodies`, a term found in the cache has no definition or sections (for `check`)."""
    key = cache.key(LIGHT, f.key, table_key, json.dumps([[n.id, n.aliases] for n in named]))

    @functools.cache  # once per file: resolving changes the parsed blocks in place
    def compute() -> tuple[list[tuple[Term, list[Node]]], list[dg.Diagnostic]]:
        ensure_blocks(f, cache)
        own = dg.Report()
        locator = Locator({f.name: f.text})
        seen: dict[str, int] = {}  # link occurrences in the file, to match them with positions
        walked = [build(n, seen, table, locator, own) for n in named]
        locator.settle(own)
        _store(key, walked, list(own), cache)
        return walked, list(own)

    found = _cached(key, cache, bodies, compute)
    if found is not None:
        terms, picked, diagnostics = found
        report.extend(diagnostics)
        return _fingerprinted(key, list(zip(terms, picked, strict=True)), cache)
    walked, findings = compute()
    report.extend(findings)
    return _fingerprinted(key, walked, cache)


def _fingerprinted(key: str, walked: list[tuple[Term, list[Node]]], cache: Cache
                   ) -> list[tuple[Term, list[Node]]]:
    """The terms, each with the fingerprint writers key their own caches by."""
    return [(with_light(t, fingerprint=cache.key("term", key, str(i))), p)
            for i, (t, p) in enumerate(walked)]


def _cached(key: str, cache: Cache, bodies: bool, compute: Computer
            ) -> tuple[list[Term], list[list[Node]], list[dg.Diagnostic]] | None:
    """The file's terms, findings and picked nodes from the cache. With `bodies`, the bodies'
    entry must be there and intact (its checksum is verified now), but it is decoded only when a
    writer first reads a term's body (`lazy_term`); without, the bodies stay empty."""
    light = cache.get_json(LIGHT, key)
    stored = cache.get(BODIES, key) if bodies and light is not None else None
    if light is None or (bodies and stored is None):
        return None
    try:
        found = [term_from_json({**t, **dict.fromkeys(BODY_FIELDS, ())}) for t in light["terms"]]
        if stored is not None:
            data = stored
            decoded = functools.cache(lambda: json.loads(data))
            found = [lazy_term(t, _body_loader(decoded, i, compute)) for i, t in enumerate(found)]
        return (found, [list(p) for p in light["picked"]],
                diagnostics_from_json(light["diagnostics"]))
    except (KeyError, TypeError, ValueError):
        return None


def _body_loader(decoded: Callable[[], Any], index: int, compute: Computer) -> Callable[[], Body]:
    """Term `index`'s body from the file's bodies entry (`decoded` once for all its terms)."""

    def load() -> Body:
        try:
            body = dict(zip(BODY_FIELDS, decoded()[index], strict=True))
            term = term_from_json({**_EMPTY_LIGHT, **body})
        except (IndexError, KeyError, TypeError, ValueError):
            # A foreign entry under a valid checksum: resolved again, like any other miss (its
            # findings are those the light entry already reported).
            term = compute()[0][index][0]
        return term.definition, term.sections

    return load


def _store(key: str, walked: list[tuple[Term, list[Node]]], diagnostics: list[dg.Diagnostic],
           cache: Cache) -> None:
    if not cache.enabled:
        return
    light = [term_to_json(replace(t, definition=(), sections=())) for t, _ in walked]
    cache.put_json(LIGHT, key, {"terms": light, "picked": [p for _, p in walked],
                                "diagnostics": [diagnostic_to_json(d) for d in diagnostics]})
    full = [term_to_json(t) for t, _ in walked]
    cache.put_json(BODIES, key, [[t[k] for k in BODY_FIELDS] for t in full])
