"""A correction to WeasyPrint 70's line breaking, installed in the PDF worker processes.

WeasyPrint asks Pango for the first line of a text box and then checks Pango's answer against
the line's width *including* its trailing space. Pango lets a trailing space hang past the
margin, so a text box that ends in a space right before an inline element (a link, a formula)
and fits only without that space is judged too wide. WeasyPrint then falls back to "the first
word does not fit" and ends the line after the text box's first word: "3DES" alone on a line,
the rest of the sentence on the next.

The correction runs only when that symptom shows (a box ending in a space was cut after its
first word): if the box without its trailing spaces fits the line, the whole box is the line's
content and the trailing space hangs, as in a browser. Every other case is WeasyPrint's own
result. The splitter is reached through `_weasyprint`, like every other internal.
"""

from __future__ import annotations

from typing import Any

from . import _weasyprint

_SPACE = " "
_installed = False


def install() -> None:
    """Wrap the line splitter WeasyPrint's inline layout calls (idempotent, per process)."""
    global _installed
    if _installed:
        return
    _weasyprint.wrap_line_splitter(_corrected)
    _installed = True


def _corrected(split: Any) -> Any:
    def split_first_line(text: str, style: Any, context: Any, max_width: float | None,
                         justification_spacing: float, is_line_start: bool = True,
                         minimum: bool = False) -> Any:
        result = split(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        if not _cut_after_first_word(text, style, max_width, minimum, result):
            return result
        stripped = split(text.rstrip(_SPACE), style, context, max_width, justification_spacing,
                         is_line_start, minimum)
        if stripped[2] is not None or stripped[3] > max_width:
            return result
        # The whole box is this line's content: lay it out unwrapped, trailing space included.
        return split(text, style, context, None, justification_spacing, is_line_start, minimum)

    return split_first_line


def _cut_after_first_word(text: str, style: Any, max_width: float | None, minimum: bool,
                          result: Any) -> bool:
    """The symptom: a collapsible trailing space, a cut, and nothing but one word before it."""
    if minimum or max_width is None or not text.endswith(_SPACE):
        return False
    if style["white_space"] not in ("normal", "pre-line"):
        return False
    length, resume_index = result[1], result[2]
    if resume_index is None:
        return False
    first = text.encode()[:length].decode(errors="ignore").strip()
    return bool(first) and _SPACE not in first
