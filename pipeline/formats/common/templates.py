"""Jinja2 over the styles folder, the same way for every templated format (pdf, epub, html)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

from ...i18n import labels, text_direction
from ...model import INDEX_ID, Book


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
    env.globals["INDEX_ID"] = INDEX_ID
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
    language and its writing direction."""
    return {"book": BookView(book), "config": book.config, "labels": labels(book.config.language),
            "direction": text_direction(book.config.language), **extra}
