"""`html`: the glossary as a static site — start page, one page per term, index, search.

Layout of `build/html/`:

    index.html             start page: title, A–Z letter bar, every term with its tagline
    genindex.html          the generated index (titles and aliases)
    terms/<name>.html      one page per term; <name> from `names.page_names`
    pages/<name>.html      one page per front or back matter page (book.toml), named alike
    assets/                CSS, search script, search index (a script: works from file://)
    media/                 images of entries, copied from the source folder
    downloads/             PDF/EPUB/DOCX built earlier in the same run

Term bodies come from the shared HTML fragments (`ctx.fragments`); their `xref:` placeholders become
relative URLs, so the same folder works opened from disk and served from any path. The
finished site is link-checked before it replaces the previous one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from ... import diagnostics as dg
from ...cache import Cache
from ..common.templates import environment, template_context
from .check import check_site
from .media import ASSETS_DIR, SiteMedia, copy_assets, copy_downloads
from .names import page_names
from .pages import INDEX_PAGE, START_PAGE, SiteLinks, SitePages, tagline_text

if TYPE_CHECKING:
    from ...model import Book, Owner
    from ..context import BuildContext

SEARCH_INDEX = "search-index.js"
SEARCH_GLOBAL = "GLOSSARY_SEARCH"


def build(book: Book, out_dir: Path, ctx: BuildContext) -> Path:
    """Write the site into `out_dir/html` atomically; returns that folder."""
    site = out_dir / "html"
    fragments = ctx.fragments(book)
    with ctx.output_dir(site) as tmp:
        links = SiteLinks(page_names(t.id for t in book.terms), page_names(p.id for p in book.pages))
        env = environment(ctx.styles_dir, "site")
        base = template_context(book)
        salt = ctx.cache.key("site", ctx.styles_key("site"), repr(book.config))
        pages = SitePages(env, fragments, links, SiteMedia(book, ctx.report, tmp),
                          copy_downloads({**ctx.previous, **{f: ctx.artifact(p) for f, p in
                                                             ctx.built.items()}}, tmp),
                          base, ctx.cache, salt)
        _write(tmp / START_PAGE, pages.start())
        _write(tmp / INDEX_PAGE, pages.index())
        for term in book.terms:
            _write(tmp / links.page(term.id), pages.term(term))
        for page in book.pages:
            _write(tmp / links.page(page.id), pages.matter(page))
        copy_assets(ctx.styles_dir, tmp)
        ctx.progress("checking the site's links")
        _write(tmp / ASSETS_DIR / SEARCH_INDEX, search_index(book, links))
        _report_dead_links(tmp, book, links, ctx.report, ctx.cache)
    return site


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def search_index(book: Book, links: SiteLinks) -> str:
    """The search data as a script assigning a global (fetch() of JSON is blocked on file://)."""
    entries = [{"t": t.title_text, "a": list(t.aliases), "g": tagline_text(t),
                "u": links.page(t.id)} for t in book.terms]
    data = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    # Titles are text from entries: as \u escapes, `</script>`, `<!--` and line separators stay
    # inert even where a custom template inlines the index into a <script> element.
    for char in "<>&\u2028\u2029":
        data = data.replace(char, f"\\u{ord(char):04x}")
    return (f"/* generated: titles, aliases and taglines of every term */\n"
            f"window.{SEARCH_GLOBAL} = {data};\n")


def _report_dead_links(site: Path, book: Book, links: SiteLinks, report: dg.Report,
                       cache: Cache) -> None:
    by_page: dict[str, Owner] = {links.page(t.id): t for t in book.terms}
    by_page.update({links.page(p.id): p for p in book.pages})
    for dead in check_site(site, cache):
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
