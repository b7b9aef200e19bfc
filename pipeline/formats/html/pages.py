"""The site's pages: the start page, one page per term, the generated index and a page per front
or back matter page (book.toml `front`/`back`), via Jinja2.

Page paths are site-relative (`index.html`, `genindex.html`, `terms/<name>.html`,
`pages/<name>.html`); every URL
written into a page is relative to that page, so the site works from `file://` and under any
path of any static server.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jinja2
from markupsafe import Markup

from ... import diagnostics as dg
from ...cache import Cache
from ...model import INDEX_ID, Book, LetterGroup, Owner, Page, Term
from ...pandoc_ast import stringify
from ..common import plaintext
from ..common.fragments import Fragments, HrefFor, TermFragments, retarget, shift_headings
from ..common.memo import remembered
from ..common.pagenames import (
    INDEX_PAGE,
    PAGES_DIR,
    START_PAGE,
    TERMS_DIR,
    fragment,
    matter_page,
    relative,
    site_url,
    term_page,
)
from ..common.templates import BookView
from .media import Download, SiteMedia, human_size
from .search import stemmer_name

NOT_FOUND_PAGE = "404.html"

__all__ = ["INDEX_PAGE", "NOT_FOUND_PAGE", "PAGES_DIR", "START_PAGE", "TERMS_DIR", "SiteLinks", "SitePages",
           "tagline_text"]
_LINK_TAG = re.compile(r"</?a\b[^>]*>")


@dataclass(frozen=True)
class SiteLinks:
    """Where each term's page lives, and relative URLs between pages."""

    names: Mapping[str, str]  # term id -> file stem
    matter: Mapping[str, str] = field(default_factory=dict)  # front/back page id -> file stem

    def page(self, term_id: str) -> str:
        if term_id == INDEX_ID:
            return INDEX_PAGE
        if term_id in self.matter:
            return matter_page(self.matter[term_id])
        return term_page(self.names[term_id])

    @staticmethod
    def page_of_name(stem: str) -> str:
        return term_page(stem)

    def href(self, from_page: str, term_id: str, anchor: str = "") -> str:
        return relative(from_page, self.page(term_id), anchor)

    def href_for(self, from_page: str, current: str | None = None) -> HrefFor:
        """`href_for` for `fragments.retarget` on one page; anchors of its own term stay on it."""

        def href(term_id: str, anchor: str) -> str:
            if term_id == current:
                return fragment(anchor or term_id)
            return self.href(from_page, term_id, anchor)

        return href


@dataclass(frozen=True)
class LetterLink:
    label: str
    href: str | None  # None: no term under this letter


def letter_bar(groups: list[tuple[str, str]], href: Mapping[str, str]) -> list[LetterLink]:
    """The groups `(id, label)` in order, with the missing letters A–Z shown (unlinked) in place."""
    missing = [c for c in string.ascii_uppercase if c not in {g for g, _ in groups}]
    out: list[LetterLink] = []
    for gid, label in groups:
        if len(gid) == 1 and gid in string.ascii_uppercase:
            while missing and missing[0] < gid:
                out.append(LetterLink(missing.pop(0), None))
        out.append(LetterLink(label, href[gid]))
    out.extend(LetterLink(c, None) for c in missing)
    return out


class SitePages:
    """Renders every page of the site; `SiteMedia` copies the files the pages need."""

    def __init__(self, env: jinja2.Environment, rendered: Fragments, links: SiteLinks,
                 media: SiteMedia, downloads: list[Download], base: dict[str, Any],
                 cache: Cache | None = None, salt: str = "") -> None:
        self.env = env
        self.book: Book = rendered.book
        self.rendered = rendered
        self.links = links
        self.media = media
        self.downloads = downloads
        self.base = base
        self.cache = cache or Cache(None)
        self.salt = salt  # the styles and the configuration, for the page cache
        self._shared_key = ""

    def _common(self, page: str, page_kind: str) -> dict[str, Any]:
        root = relative(page, START_PAGE).removesuffix(START_PAGE)
        on_start = page == START_PAGE
        groups = [(g.id, g.label) for g in self.book.groups]
        hrefs = {g.id: ("" if on_start else relative(page, START_PAGE)) + "#" + g.anchor
                 for g in self.book.groups}
        lang = self.book.config.language
        downloads = [{"label": d.label, "href": relative(page, d.path),
                      "size": human_size(d.size, lang)} for d in self.downloads]
        config = self.book.config
        matter = {role: [{"href": relative(page, self.links.page(p.id)), "title": p.title_text,
                          "current": self.links.page(p.id) == page} for p in pages]
                  for role, pages in (("front", self.book.front), ("back", self.book.back))}
        return {**self.base, "page": page, "root": root, "letters": letter_bar(groups, hrefs),
                "matter": matter,
                "letters_label": self.base["labels"]["letter_nav"],
                "page_kind": page_kind, "downloads": downloads,
                "start_href": relative(page, START_PAGE), "index_href": relative(page, INDEX_PAGE),
                "canonical": site_url(config.base_url, page) if config.base_url else "",
                "og": {"title": config.title, "type": "website", "description": config.description,
                       "locale": lang.replace("-", "_")},
                "search_stemmer": stemmer_name(lang)}

    def start(self) -> str:
        """The start page: title, letter bar and the list of terms with their taglines."""
        ctx = self._common(START_PAGE, "start")
        ctx["groups"] = [self._group(g) for g in self.book.groups]
        ctx["count"] = len(self.book.terms)
        return self._render("start.html", ctx)

    def _group(self, group: LetterGroup) -> dict[str, Any]:
        terms = [self.book.term(t) for t in group.term_ids]
        return {"id": group.anchor, "label": group.label, "terms": [
            {"href": self.links.href(START_PAGE, t.id), "tagline": tagline_text(t),
             "title": Markup(_unlinked(self.rendered.terms[t.id].title))} for t in terms]}

    def index(self) -> str:
        """The generated index: every title and alias, grouped by letter."""
        ctx = self._common(INDEX_PAGE, "index")
        groups = [(g.id, g.label) for g in self.book.index]
        # The header's letter bar jumps within the index here (aliases add letters of their own).
        ctx["letters"] = letter_bar(groups, {g.id: f"#index-{g.id}" for g in self.book.index})
        labels = self.base["labels"]
        ctx["letters_label"] = f"{labels['index']}: {labels['letter_nav']}"
        ctx["index_groups"] = [
            {"id": f"index-{g.id}", "label": g.label, "entries": [
                {"label": e.label, "href": self.links.href(INDEX_PAGE, e.term_id),
                 "alias_of": self.book.term(e.term_id).title_text if e.is_alias else ""}
                for e in g.entries]}
            for g in self.book.index]
        ctx["index_id"] = INDEX_ID
        return self._render("genindex.html", ctx)

    def term(self, term: Term) -> str:
        """One term's page: tagline, definition, sections, notes, see-also, back-references;
        from the cache under the key of what it is made of (`_recipe`) when it can be."""
        recipe = self._recipe(term)
        stored = self.cache.get_json("site-term", recipe) if recipe else None
        if (isinstance(stored, list) and len(stored) == 2 and isinstance(stored[0], str)
                and stored[1] in ("", self.book.fingerprint)):
            return stored[0]
        whole: list[bool] = []
        made = self._term(term, whole)
        if recipe:
            self.cache.put_json("site-term", recipe, [made, self.book.fingerprint if any(whole) else ""])
        return made

    def _recipe(self, term: Term) -> str:
        """A key of everything a term's page is made of, found without making any of it: the
        term (its fingerprint: its file, ids, the link table), the neighbours and back-references
        whose titles it shows, and what every term page shares (`_shared`). '' for a page
        that publishes media: making it copies the files into the site."""
        rt = self.rendered.terms[term.id]
        pieces = [rt.title, *rt.taglines, rt.definition, *(p for s in rt.sections for p in (s.title, s.body)),
                  *(body for _, body in rt.notes), *(link.label for link in rt.see_also)]
        if not term.fingerprint or not self.cache.enabled or any("src=" in p for p in pieces):
            return ""
        prev, nxt = self.book.neighbours(term.id)
        shown = [t.id + "\0" + t.fingerprint if t is not None else "" for t in (prev, nxt)]
        shown += [r + "\0" + self.book.term(r).fingerprint for r in term.refs_in]
        return self.cache.key("site-term", self.salt, self._shared(), term.fingerprint, *shown)

    def _shared(self) -> str:
        """What every term page shows besides its term: page names, letters, front and back
        matter, downloads, the template context (the configuration, the labels)."""
        if not self._shared_key:
            book = self.book
            self._shared_key = self.cache.key(
                repr(sorted(self.links.names.items())), repr(sorted(self.links.matter.items())),
                repr([(g.id, g.label, g.anchor) for g in book.groups]),
                repr([(p.id, p.title_text) for p in (*book.front, *book.back)]),
                # as shown: an edit changes the EPUB's bytes, rarely its size rounded to 0.1 MB
                repr([(d.label, d.path, human_size(d.size, book.config.language)) for d in self.downloads]),
                repr(sorted((k, repr(v)) for k, v in self.base.items() if k != "book")))
        return self._shared_key

    def _term(self, term: Term, whole: list[bool]) -> str:
        page = self.links.page(term.id)
        rt = self.rendered.terms[term.id]
        ctx = self._common(page, "term")
        fix = self._fixer(term, page)
        prev, nxt = self.book.neighbours(term.id)
        group = next(g for g in self.book.groups if g.id == term.letter)
        description = tagline_text(term) or plaintext.summary(term)
        ctx.update(
            term=term, title=Markup(_unlinked(rt.title)), taglines=[fix(t) for t in rt.taglines],
            definition=fix(rt.definition),
            sections=[{"id": s.id, "kind": s.kind, "title": fix(s.title), "body": fix(s.body, -1)}
                      for s in rt.sections],
            notes=[{"id": nid, "ref": nid.replace("--fn-", "--fnref-"), "body": fix(body)}
                   for nid, body in rt.notes],
            see_also=self._see_also(term, rt, page),
            backrefs=[self._neighbour(page, r) for r in term.refs_in],
            prev=self._neighbour(page, prev.id) if prev else None,
            next=self._neighbour(page, nxt.id) if nxt else None,
            letter={"label": group.label, "href": relative(page, START_PAGE, group.anchor)},
            description=description,
            og={**ctx["og"], "title": term.title_text, "type": "article", "description": description},
            see_also_id=f"{term.id}--seealso", backrefs_id=f"{term.id}--backrefs",
        )
        return self._render("term.html", ctx, whole)

    def not_found(self, root_path: str) -> str:
        """The 404 page. `root_path` ('/glossar/' from base-url, or ''): the path every address
        in it starts with, since a host serves it for a missing address at any depth."""
        ctx = self._common(NOT_FOUND_PAGE, "notfound")
        if root_path:
            ctx.update(
                root=root_path, start_href=root_path + START_PAGE, index_href=root_path + INDEX_PAGE,
                letters=[LetterLink(x.label, root_path + x.href if x.href else None) for x in ctx["letters"]],
                downloads=[{**d, "href": root_path + d["href"]} for d in ctx["downloads"]],
                matter={role: [{**m, "href": root_path + m["href"]} for m in found]
                        for role, found in ctx["matter"].items()})
        ctx["canonical"] = ""  # it stands for no address of its own
        return self._render("404.html", ctx)

    def redirect(self, page: str, term: Term) -> str:
        """A page at `page` (a former id's name) forwarding to `term`'s page."""
        target = self.links.page(term.id)
        config = self.book.config
        ctx = {**self.base, "root": relative(page, START_PAGE).removesuffix(START_PAGE),
               "target_href": relative(page, target), "title": term.title_text,
               "canonical": site_url(config.base_url, target) if config.base_url else ""}
        return self._render("redirect.html", ctx)

    def matter(self, matter: Page) -> str:
        """A front or back matter page: its title, its text, its notes."""
        page = self.links.page(matter.id)
        r = self.rendered.pages[matter.id]
        ctx = self._common(page, "matter")
        fix = self._fixer(matter, page)
        ctx.update(matter_page=matter, title=Markup(_unlinked(r.title)), body=fix(r.body),
                   notes=[{"id": nid, "ref": nid.replace("--fn-", "--fnref-"), "body": fix(body)}
                          for nid, body in r.notes])
        return self._render("page.html", ctx)

    def _render(self, template: str, ctx: dict[str, Any], whole: list[bool] | None = None) -> str:
        """A page from its template, or from the cache under the key of everything it was given
        (and of the whole book, if the template read `book`: `whole` is told)."""
        view = BookView(self.book)
        given = {**ctx, "book": view}
        shown = repr(sorted((k, _shown(v)) for k, v in ctx.items() if k != "book"))
        key = self.cache.key("site-page", self.salt, template, shown)
        return remembered(self.cache, "site-page", key, dg.Report(),
                          lambda _: self.env.get_template(template).render(given), str, str,
                          view, self.book.fingerprint, whole)

    def _fixer(self, term: Owner, page: str) -> Callable[..., Markup]:
        """Retarget links, rewrite media and (optionally) shift headings of the term's fragments."""
        href_for = self.links.href_for(page, term.id)

        def fix(fragment: str, shift: int = 0) -> Markup:
            out = self.media.rewrite(retarget(fragment, href_for), term, page)
            return Markup(shift_headings(out, shift) if shift else out)

        return fix

    def _see_also(self, term: Term, rt: TermFragments, page: str) -> list[dict[str, Any]]:
        href_for = self.links.href_for(page, term.id)
        # A term item gets our link around its label; any other item (a web link, text) is
        # printed as written.
        items = [{"href": self.links.href(page, link.target) if link.target else None,
                  "label": Markup(_unlinked(retarget(link.label, href_for)) if link.target
                                  else retarget(link.label, href_for)),
                  "broken": not link.target, "web": not link.target and link.label.startswith("<a ")}
                 for link in rt.see_also]
        if term.links_index:
            items.append({"href": self.links.href(page, INDEX_ID),
                          "label": self.base["labels"]["index"], "broken": False, "web": False})
        return items

    def _neighbour(self, page: str, term_id: str) -> dict[str, Any]:
        return {"href": self.links.href(page, term_id),
                "title": Markup(_unlinked(self.rendered.terms[term_id].title))}


def _shown(value: Any) -> Any:
    """A context value as the page cache's key sees it: a term by its fingerprint (its whole
    content) and its back-references, anything else as its repr."""
    if isinstance(value, Term) and value.fingerprint:
        return ("term", value.fingerprint, value.refs_in)
    if isinstance(value, Page) and value.fingerprint:
        return ("page", value.fingerprint)
    return repr(value)


def tagline_text(term: Term) -> str:
    """All taglines as one line of plain text (for lists, search and `<meta name=description>`)."""
    return " · ".join(stringify(list(t)) for t in term.taglines)


def _unlinked(fragment: str) -> str:
    """Inline HTML without its <a> tags, for use inside a link of our own."""
    return _LINK_TAG.sub("", fragment)
