"""The print document: the shared HTML fragments (`ctx.fragments`) laid into `styles/print` templates.

The book becomes a list of parts — title page, imprint and contents, the front matter pages
(book.toml `front`), one part per letter group, the index, the back matter pages — each an HTML
body fragment. A page number is a hidden placeholder as wide as the widest number
(`<span class="pn" data-pn="ANCHOR">000</span>`, its zeros filled in per chunk): the real
number is painted onto the PDF after every chunk is laid out (`pagenumbers`, `paint`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ... import diagnostics as dg
from ...cache import Cache
from ...config import build_time
from ...i18n import labels
from ...model import INDEX_ID, Book, Owner, Page, Term
from ..common.fragments import Fragments, PageFragments, TermFragments, retarget, same_document
from ..common.media import WEB_IMAGE_TYPES, pick
from ..common.templates import environment, template_context
from . import formulas
from .pagenumbers import PN_ATTR, PN_PLACEHOLDER, REF_CLOSE, REF_OPEN

STYLE_FOLDER = "print"
SUPPORTED_IMAGE_TYPES = WEB_IMAGE_TYPES  # what WeasyPrint draws
# A link, and the rest of the word it ends in (`-Verknüpfung`, `s`, but not `.`, `,`, `)`)
_XREF_LINK = re.compile(r'(<a href="xref:([^"#]*)#?([^"]*)"([^>]*)>.*?</a>)((?:[-\w\u00ad\u2010\u2011]'
                        r'|&[a-z]+;(?=\w))*)', re.DOTALL)
_LINE_ANCHOR = re.compile(r'<a href="#[^"]*" aria-hidden="true" tabindex="-1"></a>')
_IMG = re.compile(r"<img\b([^>]*?)/?>", re.IGNORECASE)
_SRC = re.compile(r'\bsrc="([^"]*)"', re.IGNORECASE)
_ALT = re.compile(r'\balt="([^"]*)"', re.IGNORECASE)
_FOOTNOTE_REF = re.compile(r'<a\b(?=[^>]*\bclass="xref footnote-ref")[^>]*\bhref="#([^"]+)"[^>]*>.*?</a>',
                           re.DOTALL)
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_NOTE_PARAGRAPHS = re.compile(r"(?:<p>.*?</p>\s*)+", re.DOTALL)
_BLOCK_TAG = re.compile(r"<(?:ul|ol|dl|pre|table|div|blockquote|figure|h[1-6]|hr|section)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Origin:
    """Where a URL was written: the entry's file and line (relative to the source folder)."""

    file: str
    line: int


@dataclass(frozen=True)
class Part:
    """A run of pages that starts on a new page: front matter, a letter group or the index."""

    kind: str  # "front" (title, contents and front matter pages), "letter", "index", "back"
    html: str  # body HTML


@dataclass
class PrintDocument:
    """Everything the renderer needs: the HTML shell, the parts, where each URL was written."""

    head: str  # everything up to and including <body>
    tail: str  # </body></html>
    parts: list[Part]
    origins: dict[str, Origin] = field(default_factory=dict)
    forms: dict[str, formulas.Form] = field(default_factory=dict)  # formulas, drawn after layout


def compose(rendered: Fragments, styles_dir: Path, report: dg.Report,
            cache: Cache | None = None) -> PrintDocument:
    """Build the print document's parts from the shared rendering."""
    book = rendered.book
    env = environment(styles_dir, STYLE_FOLDER)
    label = Markup(html.escape(labels(book.config.language)["page_ref"]).replace(" ", "&#8239;"))
    base = template_context(book, pn=pn, ref=ref, pageref_label=label, INDEX=INDEX_ID)
    macros: Any = env.get_template("macros.html.j2").make_module(base)
    composer = _Composer(book, macros, report, cache or Cache(None))
    terms = {t.id: composer.term(book.term(t.id), t) for t in rendered.terms.values()}
    pages = {p.id: composer.page(p, rendered.pages[p.id]) for p in book.pages}
    context = {**base, "terms": terms, "pages": pages, "built": build_time()}
    parts = [Part("front", env.get_template("front.html.j2").render(context))]
    parts += [_page_part(env, context, page) for page in book.front]
    for group in book.groups:
        parts.append(Part("letter", env.get_template("letter.html.j2").render(context, group=group)))
    parts.append(Part("index", env.get_template("index.html.j2").render(context)))
    parts += [_page_part(env, context, page) for page in book.back]
    marker = "\ue002BODY\ue002"
    shell = env.get_template("book.html.j2").render(context, body=Markup(marker))
    head, tail = shell.split(marker)
    return PrintDocument(head, tail, parts, composer.origins, composer.forms)


def _page_part(env: Any, context: dict[str, Any], page: Page) -> Part:
    """A front or back matter page: a part of its own, on a new page."""
    return Part(page.role, env.get_template("page.html.j2").render(context, page=page,
                                                                   p=context["pages"][page.id]))


def _page_footnotes(notes: tuple[tuple[str, str], ...]) -> Callable[[re.Match[str]], str] | None:
    """Replaces a term's footnote references by the notes themselves (CSS `float: footnote` puts
    them at the foot of the page), or None when it has no notes or a note holds more than
    paragraphs: such a term keeps its notes at the end of the entry, as the HTML `<span>` a
    page footnote needs cannot hold a list or a table."""
    if not notes:
        return None
    inline: dict[str, str] = {}
    for anchor, body in notes:
        paragraphs = _NOTE_PARAGRAPHS.fullmatch(body.strip())
        if paragraphs is None or _BLOCK_TAG.search(body):
            return None
        inline[anchor] = "<br/>".join(p.strip() for p in _PARAGRAPH.findall(body))

    def place(m: re.Match[str]) -> str:
        anchor = html.unescape(m.group(1))
        if anchor not in inline:
            return m.group(0)
        return f'<span class="footnote" id="{html.escape(anchor)}">{inline[anchor]}</span>'

    return place


def ref(anchor: str) -> Markup:
    """A page reference's number: a placeholder the layout replaces by as many zeros as the
    anchor's page number has digits (`chunks`)."""
    return Markup(REF_OPEN) + Markup.escape(anchor) + Markup(REF_CLOSE)


def pn(anchor: str, exact: bool = False) -> Markup:
    """The page-number box for an anchor: a hidden placeholder, the number is painted later.
    It keeps room for the widest number (right-aligned columns: the contents), or with `exact`
    for as many digits as its own number has (numbers that follow their text: the index)."""
    return Markup('<span class="pn" {}="{}">{}</span>').format(
        Markup(PN_ATTR), anchor, ref(anchor) if exact else Markup(PN_PLACEHOLDER))


@dataclass(frozen=True)
class PrintTerm:
    """A term's pieces as print HTML (links point into the PDF, formulas are SVG)."""

    id: str
    title: Markup
    taglines: tuple[Markup, ...]
    definition: Markup
    sections: tuple[tuple[str, str, Markup, Markup], ...]  # id, kind, title, body
    see_also: tuple[tuple[str | None, Markup], ...]  # target (None: broken), label
    notes: tuple[tuple[str, Markup], ...]


@dataclass(frozen=True)
class PrintPage:
    """A front or back matter page as print HTML."""

    id: str
    title: Markup
    body: Markup
    notes: tuple[tuple[str, Markup], ...]


class _Composer:
    """Turns one TermFragments into a PrintTerm, remembering which entry wrote which URL."""

    def __init__(self, book: Book, macros: Any, report: dg.Report, cache: Cache) -> None:
        self.cache = cache
        self.book = book
        self.pageref: Callable[[str], str] = macros.pageref
        self.report = report
        self.origins: dict[str, Origin] = {}
        self.forms: dict[str, formulas.Form] = {}

    def term(self, term: Term, r: TermFragments) -> PrintTerm:
        fix, notes = self._printer(term, r.notes)
        return PrintTerm(
            id=term.id,
            title=fix(r.title, False),
            taglines=tuple(fix(t) for t in r.taglines),
            definition=fix(r.definition),
            sections=tuple((s.id, s.kind, fix(s.title, False), fix(s.body)) for s in r.sections),
            see_also=tuple((link.target, fix(link.label, False)) for link in r.see_also),
            notes=notes,
        )

    def page(self, page: Page, r: PageFragments) -> PrintPage:
        fix, notes = self._printer(page, r.notes)
        return PrintPage(page.id, fix(r.title, False), fix(r.body), notes)

    def _printer(self, owner: Owner, raw_notes: tuple[tuple[str, str], ...]
                 ) -> tuple[Callable[..., Markup], tuple[tuple[str, Markup], ...]]:
        """How a term's or a page's fragments are printed, and the notes printed at its end:
        none when they all stand at the foot of the page (`_page_footnotes`)."""
        notes = tuple((anchor, self._fragment(owner, body, True)) for anchor, body in raw_notes)
        at_foot = _page_footnotes(notes)

        def fix(fragment: str, refs: bool = True) -> Markup:
            printed = self._fragment(owner, fragment, refs)
            return Markup(_FOOTNOTE_REF.sub(at_foot, printed) if at_foot else printed)

        return fix, () if at_foot else tuple((anchor, Markup(body)) for anchor, body in notes)

    def _fragment(self, term: Owner, fragment: str, refs: bool) -> str:
        def warn(message: str) -> None:
            self.report.add(dg.make(dg.RENDER_WARNING, term.source.file, term.source.line, 0,
                                    message, "simplify the formula or check its TeX"))

        fragment = _LINE_ANCHOR.sub("", fragment)  # pandoc's code-line anchors mean nothing on paper
        fragment = self._sources(term, fragment)  # before math: formula images need no origin
        fragment = formulas.convert(fragment, warn, self.forms, self.cache)
        if refs:
            fragment = _XREF_LINK.sub(self._with_pageref, fragment)
        return retarget(fragment, same_document)

    def _with_pageref(self, m: re.Match[str]) -> str:
        """A link in the text gets its page reference; a link that is part of a word
        (`[XOR](#XOR)-Verknüpfung`) gets it after the whole word, as a link of its own."""
        link, target, anchor, attrs, tail = m.groups()
        if "footnote-ref" in attrs:
            return link + tail
        ref = str(self.pageref(html.unescape(anchor) or html.unescape(target)))
        if not tail:
            return link[: -len("</a>")] + "&#160;" + ref + "</a>"
        href = re.match(r'<a href="([^"]*)"', link)
        return f'{link}{tail}<a href="{href.group(1) if href else ""}" class="xref">&#160;{ref}</a>'


    def _sources(self, term: Owner, fragment: str) -> str:
        """Make every image's src absolute and note its entry (for GL601 from the fetcher).

        An image no format may publish (remote, outside the source folder, missing) was
        reported when the book was read; it is printed as its alt text, never fetched."""

        def absolute(m: re.Match[str]) -> str:
            src = _SRC.search(m.group(1))
            if src is None or src.group(1).startswith("data:"):
                return m.group(0)
            resource = pick(self.book, term, html.unescape(src.group(1)), SUPPORTED_IMAGE_TYPES,
                            self.report, "which the PDF cannot show; it prints the alt text",
                            "convert it to PNG, JPEG or SVG")
            path = resource.path if resource is not None else None
            if path is None:
                alt = _ALT.search(m.group(1))
                return f'<span class="missing-media">{alt.group(1) if alt else ""}</span>'
            url = path.as_uri()
            self.origins.setdefault(url, Origin(term.source.file, term.source.line))
            new = f'src="{html.escape(url, quote=True)}"'
            return f"<img{m.group(1)[:src.start()]}{new}{m.group(1)[src.end():]}/>"

        return _IMG.sub(absolute, fragment)


def anchors_in(body: str) -> set[str]:
    """Every id defined in a body fragment."""
    return {html.unescape(v) for v in re.findall(r'\bid="([^"]*)"', body)}


def localise_links(body: str, anchors: set[str], uri_for: Callable[[str], str]) -> str:
    """Links to anchors outside this chunk become placeholder URIs (made internal after merge)."""

    def sub(m: re.Match[str]) -> str:
        anchor = html.unescape(m.group(1))
        if anchor in anchors:
            return m.group(0)
        return f'href="{html.escape(uri_for(anchor), quote=True)}"'

    return re.sub(r'href="#([^"]*)"', sub, body)
