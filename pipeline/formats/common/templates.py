"""Jinja2 over the styles folder, the same way for every templated format (pdf, epub, html)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from ...i18n import labels, text_direction, written_date
from ...model import INDEX_ID, Book
from .fonts import face_rules
from .linebreaks import bound


def environment(styles_dir: Path, *subdirs: str) -> jinja2.Environment:
    """A Jinja2 environment over `styles/<subdir>` (then `styles/`), autoescaping HTML/XHTML."""
    paths = [str(styles_dir / s) for s in subdirs] + [str(styles_dir)]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(paths),
        autoescape=jinja2.select_autoescape(["html", "xhtml", "xml", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["tojson_compact"] = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    env.filters["unbroken"] = bound  # display text: no line begins with "-Tutorial" (linebreaks.py)
    env.globals["INDEX_ID"] = INDEX_ID
    env.globals["font_faces"] = lambda: markupsafe.Markup(face_rules())  # CSS, not text to escape
    return env


class BookView:
    """The Book as a template sees it: every use is noted. A page that reads the book depends
    on all of it, so the build cache keeps it under the whole book's fingerprint."""

    __slots__ = ("_book", "read")

    def __init__(self, book: Book) -> None:
        self._book = book
        self.read = False

    def __getattr__(self, name: str) -> Any:
        self.read = True
        return getattr(self._book, name)


def template_context(book: Book, **extra: Any) -> dict[str, Any]:
    """What every template gets: the book (a `BookView`), its config, the labels for its
    language, its writing direction and the date as the language writes it (`date_text`;
    `config.date` stays ISO for metadata)."""
    c = book.config
    return {"book": BookView(book), "config": c, "labels": labels(c.language),
            "direction": text_direction(c.language), "date_text": written_date(c.date, c.language),
            **extra}
