"""`html`: the glossary as a static site — start page, one page per term, index, search.

Layout of `build/html/`:

    index.html             start page: title, A–Z letter bar, every term with its tagline
    genindex.html          the generated index (titles and aliases)
    404.html               for a host to serve at addresses it has no file for
    sitemap.xml            with `base-url` only: every page's address
    terms/<name>.html      one page per term; <name> from `common.pagenames.page_names`;
                           also pages under former ids (aliases) that forward to the entry
    pages/<name>.html      one page per front or back matter page (book.toml), named alike
    assets/                CSS, scripts, search index and preview texts (scripts: work from file://)
    media/                 images of entries, copied from the source folder
    downloads/             PDF/EPUB/DOCX built earlier in the same run

Term bodies come from the shared HTML fragments (`ctx.fragments`); their `xref:` placeholders become
relative URLs, so the same folder works opened from disk and served from any path. The
finished site is link-checked before it replaces the previous one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ... import diagnostics as dg
from ...atomic import write_reusing
from ...cache import Cache
from ..common.templates import environment, template_context
from .check import check_site
from .media import ASSETS_DIR, SiteMedia, copy_assets, copy_downloads
from .names import page_names
from .pages import INDEX_PAGE, NOT_FOUND_PAGE, START_PAGE, SiteLinks, SitePages
from .previews import PREVIEW_DATA, preview_script
from .search import TEXT_GLOBAL, Analysed, analysed, index_data, search_script
from .web import listed_pages, redirects, sitemap

if TYPE_CHECKING:
    from ...model import Book, Owner
    from ..context import BuildContext

SEARCH_INDEX = "search-index.js"
SEARCH_TEXT = "search-text.js"
SITEMAP = "sitemap.xml"


def build(book: Book, out_dir: Path, ctx: BuildContext) -> Path:
    """Write the site into `out_dir/html` atomically; returns that folder."""
    site = out_dir / "html"
    fragments = ctx.fragments(book)
    with ctx.output_dir(site) as tmp:
        links = SiteLinks(page_names(t.id for t in book.terms), page_names(p.id for p in book.pages))
        env = environment(ctx.styles_dir, "site")
        base = template_context(book)
        salt = ctx.cache.key("site", ctx.styles_key("site"), repr(book.config))
        pages = SitePages(env, fragments, links, SiteMedia(book, ctx.report, tmp, site),
                          copy_downloads({**ctx.previous, **{f: ctx.artifact(p) for f, p in
                                                             ctx.built.items()}}, tmp, site),
                          base, ctx.cache, salt)
        write = _Writer(tmp, site)
        write(START_PAGE, pages.start())
        write(INDEX_PAGE, pages.index())
        for term in book.terms:
            write(links.page(term.id), pages.term(term))
        for page in book.pages:
            write(links.page(page.id), pages.matter(page))
        _write_web(write, book, links, pages)
        copy_assets(ctx.styles_dir, tmp, site)
        ctx.progress("indexing the site for search")
        records = analysed(book, ctx.cache)
        index, texts = search_index(book, links, ctx.cache, records)
        write(f"{ASSETS_DIR}/{SEARCH_INDEX}", index)
        write(f"{ASSETS_DIR}/{SEARCH_TEXT}", texts)
        write(f"{ASSETS_DIR}/{PREVIEW_DATA}", preview_script(book, links, records))
        ctx.progress("checking the site's links")
        _report_dead_links(tmp, book, links, ctx.report, ctx.cache)
    return site


class _Writer:
    """Writes the site's files into the new folder; one unchanged since the site that is
    published now becomes a link to it (`atomic.write_reusing`)."""

    def __init__(self, new: Path, published: Path) -> None:
        self.new, self.published = new, published
        self.folders: set[Path] = set()

    def __call__(self, name: str, text: str) -> None:
        path = self.new / name
        if path.parent not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        write_reusing(path, text.encode("utf-8"), self.published / name)


def _write_web(write: _Writer, book: Book, links: SiteLinks, pages: SitePages) -> None:
    """The 404 page, pages under former ids, and (with base-url) the sitemap."""
    base = book.config.base_url
    write(NOT_FOUND_PAGE, pages.not_found(urlsplit(base).path if base else ""))
    for page, term in redirects(book, links):
        write(page, pages.redirect(page, term))
    if base:
        write(SITEMAP, sitemap(book, listed_pages(book, links)))


def search_index(book: Book, links: SiteLinks, cache: Cache | None = None,
                 records: list[Analysed] | None = None) -> tuple[str, str]:
    """The full-text index and the snippet texts, as scripts assigning globals (fetch() of JSON
    is refused on file://); kept in the build cache under everything they are made of (each
    term's analysis is kept on its own, see `search.analysed`)."""
    cache = cache or Cache(None)
    key = cache.key("search-index", book.fingerprint, repr(book.config),
                    repr([(t.id, t.fingerprint) for t in book.terms]), repr(sorted(links.names.items())))
    stored = cache.get_json("search-index", key) if book.fingerprint else None
    if isinstance(stored, list) and len(stored) == 2 and all(isinstance(x, str) for x in stored):
        return stored[0], stored[1]
    index, texts = index_data(book, links, records if records is not None else analysed(book, cache), cache)
    scripts = search_script(index), search_script(texts, TEXT_GLOBAL)
    if book.fingerprint:
        cache.put_json("search-index", key, list(scripts))
    return scripts


def _report_dead_links(site: Path, book: Book, links: SiteLinks, report: dg.Report,
                       cache: Cache) -> None:
    by_page: dict[str, Owner] = {links.page(t.id): t for t in book.terms}
    by_page.update({links.page(p.id): p for p in book.pages})
    base = book.config.base_url
    for dead in check_site(site, cache, urlsplit(base).path if base else ""):
        term = by_page.get(dead.page)
        where = term.source if term else None
        if dead.active:
            report.add(dg.make(
                dg.OUTPUT_INVALID, where.file if where else f"html/{dead.page}",
                where.line if where else 0, where.column if where else 0,
                f"site page {dead.page} {dead.reason}",
                "report this as a bug (entries are cleaned), or fix the custom template"))
            continue
        report.add(dg.make(
            dg.DEAD_LINK_OUTPUT, where.file if where else f"html/{dead.page}",
            where.line if where else 0, where.column if where else 0,
            f"site page {dead.page} links to {dead.url}: {dead.reason}",
            "report this as a bug in the html format, or fix the custom template"))
