"""A writer's step remembered in the build cache, with what it reported.

A step that turns inputs into a value may report findings on the way (a repaired entry, a
refused image). Remembered, the value comes back under the key of its inputs and its findings
are reported again, so a warm build says what a cold one says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ... import diagnostics as dg
from ...cache import Cache
from .templates import BookView

T = TypeVar("T")


def remembered(cache: Cache, kind: str, key: str, report: dg.Report, compute: Callable[[dg.Report], T],
               encode: Callable[[T], Any], decode: Callable[[Any], T],
               view: BookView | None = None, book: str = "", whole: list[bool] | None = None) -> T:
    """`compute(report)`, or its value and findings from the cache under `key`.

    `view`: the BookView a template step was given; if the template read it, the value also
    depends on the whole book, and is found again only under the same `book` fingerprint
    (`whole`, if given, is told whether it does)."""
    stored = cache.get_json(kind, key) if cache.enabled else None
    if isinstance(stored, dict) and stored.get("book") not in (None, book):
        stored = None
    if isinstance(stored, dict):
        try:
            value = decode(stored["value"])
            found = [dg.Diagnostic.from_json(d) for d in stored["diagnostics"]]
        except (KeyError, TypeError, ValueError):
            pass
        else:
            report.extend(found)
            if whole is not None:
                whole.append(stored.get("book") is not None)
            return value
    own = dg.Report()
    value = compute(own)
    if cache.enabled:
        cache.put_json(kind, key, {"value": encode(value), "diagnostics": [d.to_json() for d in own],
                                   "book": book if view is not None and view.read else None})
    if whole is not None:
        whole.append(view is not None and view.read)
    report.extend(own)
    return value
