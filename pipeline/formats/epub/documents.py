"""The package's XHTML documents, rendered from `styles/epub/*.xhtml.j2` and the shared fragments.

Every fragment of `ctx.fragments` is retargeted for the document it lands in (`#id` inside the
same document, `../index.xhtml#Index` or `b.xhtml#Blockchiffre` across documents), wrapped by
the templates, checked entry by entry, then finished by `finish.DocumentPass`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from ... import diagnostics as dg
from ...model import INDEX_ID, Book, Term
from ..common.fragments import Fragments, retarget
from ..common.templates import environment, template_context
from .finish import DocumentPass, well_formed
from .images import PackageImages
from .layout import INDEX_FILE, Chapter, Layout

STYLE_FILES = ("highlight.css", "epub.css")  # highlight.css from styles/, epub.css from styles/epub/
CSS_DIR = "css"
COVER_PAGE, TITLE_PAGE, NAV_FILE = "cover.xhtml", "titlepage.xhtml", "nav.xhtml"
COVER_IMAGE = "images/cover.png"


@dataclass(frozen=True)
class Document:
    path: str  # inside the package folder
    item_id: str
    title: str
    content: bytes
    properties: tuple[str, ...]


@dataclass(frozen=True)
class TocEntry:
    label: str
    href: str  # relative to the package folder
    children: tuple[TocEntry, ...] = ()


class Documents:
    """Renders each document of the book."""

    def __init__(self, book: Book, rendered: Fragments, layout: Layout, styles: Path,
                 report: dg.Report) -> None:
        self.book = book
        self.rendered = rendered
        self.layout = layout
        self.report = report
        self.env: jinja2.Environment = environment(styles, "epub")
        self.media = PackageImages(book, report)
        paths = {c.path for c in layout.chapters} | {INDEX_FILE, COVER_PAGE, TITLE_PAGE, NAV_FILE,
                                                      COVER_IMAGE}
        self.finisher = DocumentPass(book, self.media, paths, report)

    def chapter(self, chapter: Chapter) -> Document:
        entries = [self._entry(self.book.term(t), chapter.path) for t in chapter.term_ids]
        label = chapter.group.label
        return self._document("chapter.xhtml.j2", chapter.path, chapter.item_id, label,
                              chapter=chapter, entries=entries)

    def index(self) -> Document:
        groups = [{"id": g.id, "label": g.label, "entries": [
            {"href": self.layout.href(INDEX_FILE, e.term_id), "label": e.label, "alias": e.is_alias,
             "target": self.book.term(e.term_id).title_text} for e in g.entries]} for g in self.book.index]
        words = template_context(self.book)["labels"]
        return self._document("index.xhtml.j2", INDEX_FILE, "index", words["index"], groups=groups,
                              index_id=INDEX_ID)

    def title_page(self) -> Document:
        return self._document("titlepage.xhtml.j2", TITLE_PAGE, "titlepage", self.book.config.title)

    def cover_page(self) -> Document:
        return self._document("cover.xhtml.j2", COVER_PAGE, "cover", self.book.config.title,
                              image=COVER_IMAGE)

    def nav(self, toc: list[TocEntry], landmarks: list[tuple[str, str, str]]) -> Document:
        words = template_context(self.book)["labels"]
        return self._document("nav.xhtml.j2", NAV_FILE, "nav", words["contents"], toc=toc,
                              landmarks=landmarks)

    def _document(self, template: str, path: str, item_id: str, title: str, **extra: Any) -> Document:
        up = posixpath.relpath(".", posixpath.dirname(path) or ".")
        base = "" if up == "." else up + "/"
        css = [f"{base}{CSS_DIR}/{name}" for name in STYLE_FILES]
        xhtml = self.env.get_template(template).render(template_context(
            self.book, doc_title=title, stylesheets=css, base=base, **extra))
        finished = self.finisher.finish(xhtml, path)
        return Document(path, item_id, title, finished.content, finished.properties)

    def _entry(self, term: Term, path: str) -> str:
        """One entry's XHTML (`section.entry`), links retargeted for the document at `path`."""
        r = self.rendered.terms[term.id]

        def fix(fragment: str) -> str:
            return retarget(fragment, lambda t, a: self.layout.href(path, t, a))

        href: Callable[[str], str] = lambda t: self.layout.href(path, t)  # noqa: E731
        view = {
            "id": term.id, "title": fix(r.title), "aliases": term.aliases,
            "taglines": [fix(t) for t in r.taglines], "definition": fix(r.definition),
            "sections": [{"id": s.id, "kind": s.kind, "title": fix(s.title), "body": fix(s.body)}
                         for s in r.sections],
            "see_also": [{"href": href(s.target) if s.target else None, "label": fix(s.label)}
                         for s in r.see_also],
            "index_href": href(INDEX_ID) if term.links_index else None,
            "backrefs": [{"href": href(t), "label": fix(self.rendered.terms[t].title)}
                         for t in term.refs_in],
            "notes": [{"id": nid, "number": n, "body": fix(body),
                       "back": self.layout.href(path, term.id, f"{term.id}--fnref-{n}")}
                      for n, (nid, body) in enumerate(r.notes, start=1)],
        }
        chunk = self.env.get_template("entry.xhtml.j2").render(template_context(self.book, entry=view))
        return well_formed(chunk, term, self.report)
