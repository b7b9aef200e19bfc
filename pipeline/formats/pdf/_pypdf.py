"""pypdf's one private method the PDF needs: adding an object to a writer's document.

`PdfWriter` has no public way to add an indirect object that no page owns yet (a font, a form
XObject, a shared content stream); `_add_object` is what pypdf itself uses for that. pyproject
pins the pypdf series it was read from; `tests/test_pdf_internals.py` fails when it moves.
"""

from __future__ import annotations

from typing import Any

from pypdf import PdfWriter
from pypdf.generic import IndirectObject, PdfObject

ADD_OBJECT = "_add_object"


def add_object(writer: PdfWriter, obj: PdfObject) -> IndirectObject:
    """`obj` as an indirect object of `writer`'s document."""
    method: Any = getattr(writer, ADD_OBJECT)
    ref: IndirectObject = method(obj)
    return ref


def missing_internals() -> list[str]:
    """The private names this pypdf no longer has; empty when all are there."""
    return [] if callable(getattr(PdfWriter(), ADD_OBJECT, None)) else [f"pypdf.PdfWriter.{ADD_OBJECT}"]
