"""Running heads: one term, not "Guardrails | Guardrails", when a page holds only one.

`print.css` puts `string(term, first)` at the top left and `string(term, last)` at the top
right. On a page where no term begins, or only one, both say the same. CSS cannot compare two
strings, so after layout (before the chunk becomes PDF) the right-hand head of such a page is
removed from the page's box tree; the left one stays, so every page still names its term.
"""

from __future__ import annotations

from typing import Any

from . import _weasyprint

FIRST, LAST = "@top-left", "@top-right"


def one_term_per_page(document: Any) -> int:
    """Drop the last-term head of every page whose first and last term are the same; the count."""
    boxes = _weasyprint.boxes()
    dropped = 0
    for page in document.pages:
        root = _weasyprint.page_box(page)
        heads = {child.at_keyword: child for child in root.children
                 if isinstance(child, boxes.MarginBox) and child.at_keyword in (FIRST, LAST)}
        if FIRST in heads and LAST in heads and _text(heads[FIRST], boxes) == _text(heads[LAST], boxes):
            root.children = [c for c in root.children if c is not heads[LAST]]
            dropped += 1
    return dropped


def _text(margin_box: Any, boxes: Any) -> str:
    return "".join(t.text for t in margin_box.descendants() if isinstance(t, boxes.TextBox)).strip()
