"""`docx`: the book as a Word document whose cross-references work in Word and LibreOffice.

pandoc's DOCX writer does the heavy lifting (styles from the reference document, OMML math,
highlighted code, tables, images, footnotes, core properties). This module prepares what it
cannot do: Word-valid bookmark names for every id, a PAGEREF field after every cross-reference,
a table of contents that is readable before any program updates it, the imprint and the
index's layout; then it checks that every link in the result lands on a bookmark.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ... import diagnostics as dg
from ... import jsonbytes, pandoc
from ...i18n import labels, written_date
from ...model import Book
from ...pandoc_ast import Div, Node, Para, attr, text_inlines
from ..common.document import document, metadata
from ..context import STYLES_DIR
from . import bookmarks, chunks, columns, fonts, images, joined, merge, prepare, safety, verify
from . import ooxml as ox
from .styles import INDEX_GAP

if TYPE_CHECKING:
    from ..context import BuildContext

REFERENCE = Path("docx") / "reference.docx"
NBSP = "\u00a0"
IMPRINT_HEADING_STYLE = "Imprint Heading"
IMPRINT_STYLE = "Imprint"
# Word tags languages with a region; a bare tag gets the region its speakers mostly use.
_REGIONS = {"de": "DE", "en": "US", "fr": "FR", "es": "ES", "it": "IT", "nl": "NL", "pt": "PT",
            "pl": "PL", "cs": "CZ", "da": "DK", "sv": "SE", "fi": "FI", "nb": "NO", "ja": "JP"}


def build(book: Book, out_dir: Path, ctx: BuildContext) -> Path:
    """Write `<slug>.docx`: in chunks, each written by pandoc when it changed, then joined
    (`joined`); in one pandoc run for a book whose chunks cannot be joined soundly."""
    path = out_dir / f"{book.config.slug}.docx"
    with reference_doc(ctx.styles_dir) as reference, images.staged(book) as media_dir:
        made = joined.write(book, _setting(book), ctx, reference, media_dir)
        if made is None:
            doc = word_document(book, ctx.report)
            data, index = _run_pandoc(doc, reference, media_dir, ctx), _index_bookmark(doc)
    if made is not None:
        ctx.report.extend(made.diagnostics)
        for warnings in made.warnings:
            ctx.pandoc_warnings("docx", warnings)
        index = made.index_bookmark
    if made is None:
        package = merge.Package.opened(data)
        columns.split(package.contents, index, gap=INDEX_GAP)
        data = _finished(package, None, ctx)
        _check(data, path, ctx.report)
    else:  # the index is in columns already; the chunks' bodies were checked each (`parts`)
        data = _finished(made.package, made.characters, ctx)
        _report(*joined.checked(made), path, ctx.report)
    with ctx.output(path) as tmp:
        tmp.write_bytes(data)
    return path


def _finished(package: merge.Package, characters: str | None, ctx: BuildContext) -> bytes:
    """The fonts embedded (`characters`: the text's, if known), zipped."""
    for name, part in fonts.embed(package.contents, ctx.cache, characters).items():
        package.add(name, part)
    return package.zipped()


def _setting(book: Book) -> chunks.Setting:
    words = labels(book.config.language)
    meta = word_metadata(book)
    return chunks.Setting(wording(book), words["contents"], meta, meta["lang"], imprint(book),
                          lambda report: _images_for(book, report), index_columns=(2, INDEX_GAP))


def wording(book: Book) -> prepare.Wording:
    """How page references read in the book's language."""
    words = labels(book.config.language)
    # No-break spaces: "(→ S. 38)" never breaks, nor leaves its link's last word ("(→" | "S. 38)")
    return prepare.Wording(in_text=(_unbroken(f" ({words['page_ref']} "), ")"),
                           in_list=(_unbroken(f" ({words['page']} "), ")"))


def word_metadata(book: Book) -> dict[str, Any]:
    """The document's metadata (title page, core properties) with a language Word knows."""
    meta = metadata(book)
    meta["lang"] = {"t": "MetaInlines", "c": text_inlines(word_language(book.config.language))}
    # pandoc prints `date` on the title page (the core properties carry the build's timestamp)
    meta["date"] = {"t": "MetaInlines", "c": text_inlines(_date(book))}
    return meta


def word_document(book: Book, report: dg.Report) -> dict[str, Any]:
    """The book's pandoc document, prepared for the DOCX writer (in one piece)."""
    doc: dict[str, Any] = prepare.private_copy(document(book))
    words = labels(book.config.language)
    names = bookmarks.bookmark_names(prepare.element_ids(doc["blocks"]))
    blocks, dead = prepare.prepared(doc["blocks"], names, wording(book), _images_for(book, report))
    report.extend(chunks.dead_link(target) for target in dead)
    toc = ox.toc(words["contents"], prepare.toc_entries(blocks))
    doc["blocks"] = [*imprint(book), toc, *blocks]
    doc["meta"] = word_metadata(book)
    return doc


def _unbroken(text: str) -> str:
    return text.replace(" ", NBSP)


def _index_bookmark(doc: dict[str, Any]) -> str:
    """The bookmark of the index's heading (the H1 of class `index`, see `common.document`)."""
    return next((b["c"][1][0] for b in doc["blocks"]
                 if b["t"] == "Header" and b["c"][0] == 1 and "index" in b["c"][1][1]), "")


def _images_for(book: Book, report: dg.Report) -> Callable[[str], prepare.Fixer]:
    def fixer(ident: str) -> prepare.Fixer:
        owner = book.owner(ident)  # a term or a front/back matter page
        if owner is None:
            return prepare.description_only
        return images.image_fixer(book, owner, report)

    return fixer


def word_language(tag: str) -> str:
    """`de` -> `de-DE`; a tag with a region stays as it is."""
    parts = tag.split("-")
    if len(parts) == 1 and parts[0].lower() in _REGIONS:
        return f"{parts[0].lower()}-{_REGIONS[parts[0].lower()]}"
    return tag


def _date(book: Book) -> str:
    return written_date(book.config.date, book.config.language)


def imprint(book: Book) -> list[Node]:
    """The imprint page (after the title page pandoc writes from the metadata)."""
    c = book.config
    words = labels(c.language)
    lines: list[list[Node]] = [[{"t": "Strong", "c": text_inlines(c.title)}]]
    if c.subtitle:
        lines.append(text_inlines(c.subtitle))
    facts = [
        (words["authors"] if len(c.authors) > 1 else words["author"], ", ".join(c.authors)),
        (words["version"], c.version), (words["date"], _date(book)), (words["license"], c.license),
        (words["publisher"], c.publisher),
    ]
    lines += [text_inlines(f"{label}: {value}") for label, value in facts if value]
    if c.identifier:
        lines.append(text_inlines(c.identifier))
    if c.description:
        lines.append(text_inlines(c.description))
    heading = Para(text_inlines(words["imprint"]))
    return [Div(attr("", [], {"custom-style": IMPRINT_HEADING_STYLE}), [heading]),
            Div(attr("", [], {"custom-style": IMPRINT_STYLE}), [Para(line) for line in lines])]


@contextmanager
def reference_doc(styles_dir: Path) -> Iterator[Path]:
    """The styles folder's reference document, else the built-in one, else a freshly generated one."""
    for folder in (styles_dir, STYLES_DIR):
        if (folder / REFERENCE).is_file():
            yield folder / REFERENCE
            return
    from .reference import write_reference

    with tempfile.TemporaryDirectory(prefix="glossary-docx-") as tmp:
        yield write_reference(Path(tmp) / "reference.docx")


def _run_pandoc(doc: dict[str, Any], reference: Path, media_dir: Path, ctx: BuildContext) -> bytes:
    """pandoc in the folder of staged images, so the image paths it reads resolve only there."""
    args = ["-f", "json", "-t", "docx", "--reference-doc", str(reference.resolve()), "-o", "-"]
    try:
        data, warnings = pandoc.run(args, jsonbytes.dumps(doc), cwd=str(media_dir))
    except pandoc.PandocError as exc:
        raise dg.GlossaryError(dg.make(dg.TOOL_FAILED, "", 0, 0, f"pandoc (docx) failed: {exc}",
                                       "check the reference document and the message")) from exc
    ctx.pandoc_warnings("docx", warnings)
    return data


def _check(data: bytes, path: Path, report: dg.Report) -> None:
    _report(verify.inspect(data), safety.problems(data), path, report)


def _report(found: verify.Findings, unsafe: list[str], path: Path, report: dg.Report) -> None:
    for anchor in found.dead:
        report.add(dg.make(dg.DEAD_LINK_OUTPUT, path.name, 0, 0,
                           f"link to bookmark {anchor!r}, which the document does not have",
                           "report this as a bug in the DOCX backend"))
    for name in found.invalid + found.duplicates:
        report.add(dg.make(dg.OUTPUT_INVALID, path.name, 0, 0,
                           f"bookmark name {name!r} is invalid or not unique for Word",
                           "report this as a bug in the DOCX backend"))
    if unsafe:  # never published, not even without --strict: Word would act on it when opened
        report.extend(dg.make(dg.OUTPUT_INVALID, path.name, 0, 0, f"docx: {p}",
                              "report this as a bug: entries' raw Word XML is removed on reading")
                      for p in unsafe[1:])
        raise dg.GlossaryError(dg.make(dg.OUTPUT_INVALID, path.name, 0, 0,
                                       f"docx not written: {unsafe[0]}",
                                       "report this as a bug: entries' raw Word XML is removed on reading"))
