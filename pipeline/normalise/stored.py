"""What the loader keeps in the build cache for each source file, under the key of its bytes.

Two entries per file: its *head* (the term headings, the heading ids inside each term, and the
diagnostics of loading it: small, read on every run) and its *blocks* (the terms' pandoc AST:
large, read only when the resolver has to resolve the file again). Nothing here depends on any
other file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import diagnostics as dg
from ..cache import Cache
from ..pandoc import READER
from ..pandoc_ast import Node
from .records import diagnostic_to_json, diagnostics_from_json

if TYPE_CHECKING:
    from .load import RawTerm, SourceFile

HEAD, BLOCKS, WHOLE = "head", "blocks", "whole"
# A front/back page's cleaned blocks: not WHOLE, which holds a term-less file's blocks as read
# (the same file may have been one before it was listed as a page).
PAGE = "page"


@dataclass(frozen=True)
class Head:
    api: list[int]  # pandoc's API version of the parse
    parsed: bool  # False: pandoc could not parse the file (reported)
    diagnostics: list[dg.Diagnostic]


def keys(files: list[SourceFile], cache: Cache) -> None:
    """Give every file its cache key: its name, its text (normalised: NFC, no BOM or control
    characters), the reader and how long the reader may take (`[limits] parse-time` decides
    whether the file is read at all)."""
    for f in files:
        f.key = cache.key("file", f.name, f.text, READER, repr(f.parse_time))


def head(f: SourceFile, cache: Cache) -> Head | None:
    """The file's head from the cache (its terms go into `f.terms`, blocks still to load)."""
    value = cache.get_json(HEAD, f.key)
    if not isinstance(value, dict):
        return None
    try:
        terms = [_raw_term(f.name, t) for t in value["terms"]]
        found = Head(list(value["api"]), bool(value["parsed"]), diagnostics_from_json(value["diagnostics"]))
    except (KeyError, TypeError, ValueError):
        return None
    f.terms = terms
    f.needs_blocks = bool(terms)
    return found


def store(f: SourceFile, cut: tuple[bool, list[dg.Diagnostic]], api: list[int], cache: Cache) -> Head:
    """Keep a freshly cut file's head and blocks; its Head."""
    parsed, diagnostics = cut
    cache.put_json(HEAD, f.key, {"api": api, "parsed": parsed,
                                 "diagnostics": [diagnostic_to_json(d) for d in diagnostics],
                                 "terms": [_head_json(t) for t in f.terms]})
    cache.put_json(BLOCKS, f.key, [t.blocks for t in f.terms])
    return Head(api, parsed, diagnostics)


def blocks(f: SourceFile, cache: Cache) -> bool:
    """Fill in the terms' blocks from the cache; False when they are not there (parse again)."""
    value = cache.get_json(BLOCKS, f.key)
    if not isinstance(value, list) or len(value) != len(f.terms):
        return False
    for term, term_blocks in zip(f.terms, value, strict=True):
        term.blocks = term_blocks
    f.needs_blocks = False
    return True


def _head_json(t: RawTerm) -> list[Any]:
    return [t.ordinal, t.level, t.id, t.classes, t.attributes, t.title, t.line, t.column, t.header_ids]


def _raw_term(file: str, v: list[Any]) -> RawTerm:
    from .load import RawTerm

    ordinal, level, ident, classes, attributes, title, line, column, header_ids = v
    return RawTerm(file, int(ordinal), int(level), str(ident), list(classes), dict(attributes),
                   list(title), [], int(line), int(column), list(header_ids))


def keep_whole(f: SourceFile, blocks: list[Node], diagnostics: list[dg.Diagnostic], cache: Cache,
               kind: str = WHOLE) -> None:
    """Keep the blocks of a file that is no entry (a page, or a file without term headings)."""
    cache.put_json(kind, f.key, {"blocks": blocks,
                                  "diagnostics": [diagnostic_to_json(d) for d in diagnostics]})


def whole(f: SourceFile, cache: Cache, kind: str = WHOLE
          ) -> tuple[list[Node], list[dg.Diagnostic]] | None:
    value = cache.get_json(kind, f.key)
    if not isinstance(value, dict) or not isinstance(value.get("blocks"), list):
        return None
    try:
        return value["blocks"], diagnostics_from_json(value["diagnostics"])
    except (KeyError, ValueError):
        return None
