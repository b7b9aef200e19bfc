"""The package's XHTML documents, rendered from `styles/epub/*.xhtml.j2` and the shared fragments.

Every fragment of `ctx.fragments` is retargeted for the document it lands in (`#id` inside the
same document, `../index.xhtml#Index` or `b.xhtml#Blockchiffre` across documents), wrapped by
the templates, checked entry by entry, then finished by `finish.DocumentPass`.
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from ... import diagnostics as dg
from ...cache import Cache
from ...model import INDEX_ID, Book, Owner, Term
from ..common.fragments import Fragments, retarget
from ..common.memo import remembered
from ..common.templates import environment, template_context
from .finish import DocumentPass, Finished, well_formed
from .images import PackageImages
from .layout import INDEX_FILE, Chapter, Layout, PageDocument

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
                 report: dg.Report, cache: Cache | None = None, styles_key: str = "") -> None:
        self.book = book
        self.rendered = rendered
        self.layout = layout
        self.report = report
        self.env: jinja2.Environment = environment(styles, "epub")
        self.media = PackageImages(book, report)
        paths = {c.path for c in layout.chapters} | {p.path for p in layout.pages} | {
            INDEX_FILE, COVER_PAGE, TITLE_PAGE, NAV_FILE, COVER_IMAGE}
        self.finisher = DocumentPass(book, self.media, paths, report)
        self.cache = cache or Cache(None)
        # What every cached piece depends on besides its own view: templates, config, resources.
        images = sorted((k, r.name, _stamp(r.path)) for k, r in book.resources.items())
        self.salt = self.cache.key("epub", styles_key, repr(book.config), repr(images))

    def chapter(self, chapter: Chapter) -> Document:
        entries = [self._entry(self.book.term(t), chapter.path) for t in chapter.term_ids]
        label = chapter.group.label
        return self._document("chapter.xhtml.j2", chapter.path, chapter.item_id, label,
                              chapter=chapter, entries=entries)

    def page(self, doc: PageDocument) -> Document:
        """A front or back matter page (`epub:type` preface or appendix)."""
        page = self.book.page(doc.page_id)
        assert page is not None
        r = self.rendered.pages[page.id]

        def fix(fragment: str) -> str:  # checked piece by piece, so a problem names the page
            out = retarget(fragment, lambda t, a: self.layout.href(doc.path, t, a))
            return well_formed(out, page, self.report)

        notes = [{"id": nid, "number": n, "body": fix(body),
                  "back": self.layout.href(doc.path, page.id, f"{page.id}--fnref-{n}")}
                 for n, (nid, body) in enumerate(r.notes, start=1)]
        view = {"id": page.id, "role": page.role, "title": fix(r.title), "body": fix(r.body),
                "notes": notes}
        return self._document("page.xhtml.j2", doc.path, doc.item_id, page.title_text, page=view)

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
        finished = self._finished(xhtml, path)
        return Document(path, item_id, title, finished.content, finished.properties)

    def _finished(self, xhtml: str, path: str) -> Finished:
        """The finishing pass, or its result from the cache; the images it carried into the
        package are carried again (same order, same names), or the pass runs again."""
        key = self.cache.key("epub-document", self.salt, path, xhtml)
        published: list[tuple[str, str, str | None]] = []

        def compute(report: dg.Report) -> tuple[Finished, list[tuple[str, str, str | None]]]:
            with self._reporting_to(report), self._logging(published):
                return self.finisher.finish(xhtml, path), published

        finished, calls = remembered(self.cache, "epub-document", key, self.report, compute,
                                     _encode_finished, _decode_finished)
        if calls is not published and not self._replayed(calls):
            self.cache.put("epub-document", key, b"")  # a stale entry: forget it, then redo
            return self._finished(xhtml, path)
        return finished

    def _replayed(self, calls: list[tuple[str, str, str | None]]) -> bool:
        """Publish the images a cached document carried; False if any lands elsewhere now."""
        with self._reporting_to(dg.Report()):
            return all(self.media.publish(src, owner) == target for src, ident, target in calls
                       if (owner := self.book.owner(ident)) is not None)

    @contextmanager
    def _reporting_to(self, report: dg.Report) -> Iterator[None]:
        saved = self.finisher.report, self.media.report
        self.finisher.report = self.media.report = report
        try:
            yield
        finally:
            self.finisher.report, self.media.report = saved

    @contextmanager
    def _logging(self, calls: list[tuple[str, str, str | None]]) -> Iterator[None]:
        publish = self.media.publish

        def logged(url: str, term: Owner) -> str | None:
            target = publish(url, term)
            calls.append((url, term.id, target))
            return target

        self.media.publish = logged  # type: ignore[method-assign]
        try:
            yield
        finally:
            self.media.publish = publish  # type: ignore[method-assign]

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
        key = self.cache.key("epub-entry", self.salt, json.dumps(view, ensure_ascii=False))
        given = template_context(self.book, entry=view)

        def compute(report: dg.Report) -> str:
            return well_formed(self.env.get_template("entry.xhtml.j2").render(given), term, report)

        return remembered(self.cache, "epub-entry", key, self.report, compute, str, str,
                          given["book"], self.book.fingerprint)


def _stamp(path: Path | None) -> str:
    """A resolved image's identity for cache keys: size and modification time."""
    if path is None:
        return ""
    try:
        st = os.stat(path)
    except OSError:
        return "?"
    return f"{st.st_size}:{st.st_mtime_ns}"


def _encode_finished(value: tuple[Finished, list[tuple[str, str, str | None]]]) -> Any:
    finished, calls = value
    return [finished.content.decode("utf-8"), list(finished.properties), calls]


def _decode_finished(value: Any) -> tuple[Finished, list[tuple[str, str, str | None]]]:
    content, properties, calls = value
    return Finished(content.encode("utf-8"), tuple(properties)), [tuple(c) for c in calls]
