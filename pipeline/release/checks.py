"""Validation of the built artifacts with tools independent of the writers that made them.

Each check returns a `Checked`: what it counted (for the manifest and the summary) and what
it found wrong, as GL605 diagnostics naming the artifact and, where the tool says, the place.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ArrayObject, Destination, DictionaryObject, IndirectObject, PdfObject

from .. import diagnostics as dg
from .. import pandoc
from ..formats.docx.verify import inspect
from ..formats.html.check import check_site
from ..pandoc_ast import iter_nodes

_EMBEDDED = ("/FontFile", "/FontFile2", "/FontFile3")


@dataclass
class Checked:
    kind: str  # what was checked: pdf, epub, docx, libreoffice, site, md (the manifest's prefix)
    artifact: str  # the file name shown in messages
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[dg.Diagnostic] = field(default_factory=list)

    def fail(self, message: str, hint: str, line: int = 0, where: str = "") -> None:
        self.problems.append(dg.make(dg.OUTPUT_INVALID, where or self.artifact, line, 0, message, hint))


def check_pdf(path: Path) -> Checked:
    """Internal links and outline entries land on named destinations that exist; every font
    is embedded; the page count is recorded."""
    out = Checked("pdf", path.name)
    reader = PdfReader(path)
    pages = {_ref(p.indirect_reference): i for i, p in enumerate(reader.pages)}
    names = reader.named_destinations
    out.counts.update(pages=len(reader.pages), destinations=len(names))
    for name, dest in names.items():
        if _page_of(dest.page, pages) is None:
            out.fail(f"named destination {name!r} points at no page", "rebuild the PDF")
    links = 0
    for number, annot in _links(reader):
        links += 1
        problem = _link_problem(annot, names, pages)
        if problem:
            out.fail(f"page {number}: {problem}", "a cross-reference leads nowhere; rebuild the PDF")
    out.counts["links"] = links
    fonts = _fonts(reader)
    out.counts["fonts"] = len(fonts)
    for font in sorted(name for name, embedded in fonts.items() if not embedded):
        out.fail(f"font {font} is not embedded", "use an installed font file, not a PDF base font")
    for item in _flat(reader.outline):
        if (reader.get_destination_page_number(item) or -1) < 0:
            out.fail(f"outline entry {item.title!r} points at no page", "rebuild the PDF")
    if not reader.pages:
        out.fail("the PDF has no pages", "rebuild the PDF")
    return out


def _ref(obj: object) -> int:
    return obj.idnum if isinstance(obj, IndirectObject) else id(obj)


def _page_of(page: PdfObject | None, pages: dict[int, int]) -> int | None:
    if isinstance(page, IndirectObject):
        return pages.get(page.idnum)
    return None


def _links(reader: PdfReader) -> Iterator[tuple[int, DictionaryObject]]:
    for number, page in enumerate(reader.pages, 1):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if isinstance(annot, DictionaryObject) and annot.get("/Subtype") == "/Link":
                yield number, annot


def _link_problem(annot: DictionaryObject, names: Mapping[str, object], pages: dict[int, int]) -> str:
    action = annot.get("/A")
    action = action.get_object() if action is not None else None
    dest = annot.get("/Dest")
    if isinstance(action, DictionaryObject):
        kind = action.get("/S")
        if kind == "/URI":
            return ""  # a web link: not ours to resolve, and no network at release time
        if kind != "/GoTo":
            return f"link with action {kind} (only internal GoTo and web links are expected)"
        dest = action.get("/D")
    dest = dest.get_object() if isinstance(dest, IndirectObject) else dest
    if isinstance(dest, str):
        return "" if dest in names or f"/{dest}" in names else f"link to missing destination {dest!r}"
    if isinstance(dest, ArrayObject) and dest:
        return "" if _page_of(dest[0], pages) is not None else "link to a page not in the document"
    return "link without a destination"


def _fonts(reader: PdfReader) -> dict[str, bool]:
    """Every font used on any page (forms included): base name -> embedded."""
    found: dict[str, bool] = {}
    seen: set[int] = set()
    for page in reader.pages:
        _walk_resources(page.get("/Resources"), found, seen)
    return found


def _walk_resources(res: object, found: dict[str, bool], seen: set[int]) -> None:
    if isinstance(res, IndirectObject):
        if res.idnum in seen:
            return
        seen.add(res.idnum)
        res = res.get_object()
    if not isinstance(res, DictionaryObject):
        return
    for ref in (res.get("/Font") or DictionaryObject()).values():
        font = ref.get_object()
        found[str(font.get("/BaseFont", font.get("/Name", "?")))] = _embedded(font)
    for ref in (res.get("/XObject") or DictionaryObject()).values():
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Form":
            _walk_resources(xobject.get("/Resources"), found, seen)


def _embedded(font: DictionaryObject) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs are drawn by the font's own content streams
    if font.get("/Subtype") == "/Type0":
        descendants = font["/DescendantFonts"].get_object()
        font = descendants[0].get_object() if isinstance(descendants, ArrayObject) else DictionaryObject()
    descriptor = font.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else None
    return isinstance(descriptor, DictionaryObject) and any(k in descriptor for k in _EMBEDDED)


def _flat(outline: object) -> Iterator[Destination]:
    for item in outline if isinstance(outline, list) else []:
        if isinstance(item, list):
            yield from _flat(item)
        elif isinstance(item, Destination):
            yield item


def check_docx(path: Path) -> Checked:
    """Every hyperlink and PAGEREF has its bookmark; every bookmark is valid and unique for Word."""
    out = Checked("docx", path.name)
    found = inspect(path.read_bytes())
    out.counts.update(references=len(found.anchors), bookmarks=len(found.bookmarks))
    for anchor in found.dead:
        out.fail(f"hyperlink to bookmark {anchor!r}, which does not exist", "rebuild the DOCX")
    for name in found.invalid:
        out.fail(f"bookmark name {name!r} is not valid for Word", "rebuild the DOCX")
    for name in found.duplicates:
        out.fail(f"bookmark {name!r} is used twice (ignoring case)", "rebuild the DOCX")
    return out


def check_site_folder(site: Path, artifact: str) -> Checked:
    """The link crawl: every local href and src names an existing file and fragment."""
    out = Checked("site", artifact)
    pages = sorted(site.rglob("*.html"))
    out.counts.update(pages=len(pages), files=sum(1 for p in site.rglob("*") if p.is_file()))
    for dead in check_site(site):
        out.fail(f"{dead.url!r} {dead.reason}", "rebuild the site", where=f"{artifact}:{dead.page}")
    if not (site / "index.html").is_file():
        out.fail("the site has no index.html", "rebuild the site")
    return out


def check_markdown(path: Path, entries: int) -> Checked:
    """pandoc reads the normalised Markdown back and finds one `.term` heading per entry."""
    out = Checked("md", path.name)
    try:
        data, _ = pandoc.run(["-f", "markdown", "-t", "json", str(path)])
    except pandoc.PandocError as exc:
        out.fail(f"pandoc cannot read it back: {exc}", "rebuild the Markdown")
        return out
    terms = sum(
        1 for n in iter_nodes(json.loads(data)["blocks"]) if n.get("t") == "Header" and "term" in n["c"][1][1]
    )
    out.counts["terms"] = terms
    if terms != entries:
        out.fail(f"{terms} term headings read back, the book has {entries} entries", "rebuild the Markdown")
    return out
