"""`epub`: the glossary as an EPUB 3 (with an EPUB 2 NCX), packaged with ebooklib.

Reading order: cover, title page, contents (`nav.xhtml`), the front matter pages
(`pages/vorwort.xhtml`, landmark `preface`), one document per letter group (`letters/a.xhtml`,
…), the index, the back matter pages (landmark `appendix`). The term bodies are the run's one HTML rendering
(`ctx.fragments`) with links retargeted to `file#id`; the package is verified after it is
written (every document non-empty, every href resolving) and zipped deterministically.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ... import diagnostics as dg
from ...config import build_time
from ...i18n import labels
from ...model import INDEX_ID
from ..common.xml import parse_xml
from .cover import cover_fonts, cover_png
from .documents import COVER_IMAGE, COVER_PAGE, CSS_DIR, NAV_FILE, STYLE_FILES, Document, Documents, TocEntry
from .finish import XHTML
from .images import Image, animated
from .layout import INDEX_FILE, Layout, assign_documents, iri_escape
from .package import Accessibility, Item, package, zip_bytes
from .verify import verify

if TYPE_CHECKING:
    from ...model import Book, Page
    from ..context import BuildContext

XHTML_TYPE = "application/xhtml+xml"


def build(book: Book, out_dir: Path, ctx: BuildContext) -> Path:
    """Write `<slug>.epub`."""
    if not book.terms:
        raise dg.GlossaryError(dg.make(dg.OUTPUT_INVALID, "", 0, 0, "the EPUB would have no entries",
                                       "add entries to the source folder"))
    path = out_dir / f"{book.config.slug}.epub"
    # Everything happens inside `ctx.output`, so under --strict any error the writer reports
    # (a refused image, a dead link) discards the new file and keeps the previous one.
    with ctx.output(path) as tmp:
        tmp.write_bytes(_epub(book, ctx))
    return path


def _epub(book: Book, ctx: BuildContext) -> bytes:
    fragments = ctx.fragments(book)
    layout = assign_documents(book, fragments)
    pages = Documents(book, fragments, layout, ctx.styles_dir, ctx.report, ctx.cache,
                      ctx.styles_key("epub"))
    chapters = [pages.chapter(c) for c in layout.chapters]
    matter = {p.page_id: pages.page(p) for p in layout.pages}
    front = [matter[p.id] for p in book.front]
    back = [matter[p.id] for p in book.back]
    toc = table_of_contents(book, layout)
    guide = _landmarks(book, layout, chapters)
    documents = [pages.cover_page(), pages.title_page(), pages.nav(toc, guide), *front, *chapters,
                 pages.index(), *back]
    spine = [_item(d, "nav" if d.path == NAV_FILE else "") for d in documents]
    cover = Item(COVER_IMAGE, "cover-img", "image/png", _cover(book, ctx))
    images = [Item(i.path, i.item_id, i.media_type, i.data) for i in pages.media.images]
    modified = build_time()
    entries = package(book.config, spine, [*_styles(ctx.styles_dir), *images], cover, toc,
                      [(_epub2_guide(kind), href, title) for kind, href, title in guide],
                      _accessibility(book, [*front, *chapters, *back], pages.media.images), modified)
    verify(entries, book, ctx.report, ctx.cache)
    return zip_bytes(entries, modified)


def _cover(book: Book, ctx: BuildContext) -> bytes:
    """The cover PNG (drawn once for a title, subtitle, authors, publisher and fonts)."""
    c = book.config
    key = ctx.cache.key("epub-cover", ctx.styles_key("epub"), c.title, c.subtitle, *c.authors, "|",
                        c.publisher, cover_fonts(ctx.styles_dir))
    data = ctx.cache.get("epub-cover", key)
    if data is None:
        data = cover_png(c, ctx.styles_dir)
        ctx.cache.put("epub-cover", key, data)
    return data


def _landmarks(book: Book, layout: Layout, chapters: list[Document]) -> list[tuple[str, str, str]]:
    """The landmarks (EPUB 3 structural semantics): cover, contents, the first front matter page
    (`preface`), the terms, the index, the first back matter page (`appendix`)."""
    words = labels(book.config.language)
    out = [("cover", COVER_PAGE, words["cover"]), ("toc", f"{NAV_FILE}#toc", words["contents"])]
    if book.front:
        out.append(("preface", layout.href(NAV_FILE, book.front[0].id), book.front[0].title_text))
    out += [("bodymatter", chapters[0].path, words["terms"]),
            ("index", f"{INDEX_FILE}#{INDEX_ID}", words["index"])]
    if book.back:
        out.append(("appendix", layout.href(NAV_FILE, book.back[0].id), book.back[0].title_text))
    return out


def table_of_contents(book: Book, layout: Layout) -> list[TocEntry]:
    """Two levels: the front matter pages, each letter group with its terms, the index, the
    back matter pages (hrefs package-relative)."""
    out = [_page_entry(p, layout) for p in book.front]
    for chapter in (c for c in layout.chapters if c.part == 1):
        terms = [t for c in layout.chapters if c.group.id == chapter.group.id for t in c.term_ids]
        children = tuple(TocEntry(book.term(t).title_text, f"{layout.file_of[t]}#{iri_escape(t)}")
                         for t in terms)
        out.append(TocEntry(chapter.group.label, chapter.path, children))
    out.append(TocEntry(labels(book.config.language)["index"], f"{INDEX_FILE}#{INDEX_ID}"))
    return out + [_page_entry(p, layout) for p in book.back]


def _page_entry(page: Page, layout: Layout) -> TocEntry:
    return TocEntry(page.title_text, f"{layout.file_of[page.id]}#{iri_escape(page.id)}")


def _item(doc: Document, extra: str) -> Item:
    props = tuple(p for p in (*doc.properties, extra) if p)
    return Item(doc.path, doc.item_id, XHTML_TYPE, doc.content, props)


def _styles(styles_dir: Path) -> list[Item]:
    """highlight.css (shared with the other formats) and epub.css, from the styles folder only."""
    sources = {"highlight.css": styles_dir / "highlight.css", "epub.css": styles_dir / "epub" / "epub.css"}
    return [Item(f"{CSS_DIR}/{name}", f"css-{name.removesuffix('.css')}", "text/css",
                 sources[name].read_bytes()) for name in STYLE_FILES]


def _epub2_guide(kind: str) -> str:
    """EPUB 2 guide types for the landmarks (OPF 2.0 has no `appendix`: other.* is its way)."""
    return {"bodymatter": "text", "appendix": "other.appendix"}.get(kind, kind)


def _accessibility(book: Book, chapters: list[Document], images: list[Image]) -> Accessibility:
    words = labels(book.config.language)
    has_math = any("mathml" in c.properties for c in chapters)
    alts = [img.get("alt", "").strip() for c in chapters
            for img in parse_xml(c.content).iter(f"{{{XHTML}}}img")]
    summary = " ".join([words["a11y_summary"], *([words["a11y_math"]] if has_math else []),
                        *([words["a11y_images"]] if alts and all(alts) else []),
                        *([] if book.config.epub.conformance else [words["a11y_no_claim"]])])
    return Accessibility(summary, has_math, bool(alts), all(alts), any(map(animated, images)))
