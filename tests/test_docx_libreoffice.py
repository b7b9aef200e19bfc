"""A real client: LibreOffice converts the DOCX to PDF; the cross-references must survive.

One `soffice` run per session converts the demo and the docx-ids fixture. Bookmarks are
exported as named destinations, so every link in the PDF can be checked against the bookmark
it was meant for, and every page number LibreOffice computed for a PAGEREF field against the
page that bookmark landed on.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import build_into, fixture_path
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject
from test_docx import W, heading_bookmarks, hyperlinks, part, text, xpath

pytestmark = pytest.mark.slow
PDF_FILTER = 'pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}'
Position = tuple[int, int]  # page index, top in whole points


@dataclass(frozen=True)
class Converted:
    docx: Path
    pdf: Path
    reader: PdfReader
    destinations: dict[str, Position]  # bookmark name -> where LibreOffice put it
    pages: list[str]  # pdftotext -layout, per page


def _lo_name(bookmark: str) -> str:
    """LibreOffice writes destination names with every character but [A-Za-z0-9-] as hex."""
    return "".join(c if (c.isascii() and c.isalnum()) or c == "-" else f"{ord(c):02X}" for c in bookmark)


@pytest.fixture(scope="session")
def converted(demo_outputs: Callable[[str], Path],
              tmp_path_factory: pytest.TempPathFactory) -> dict[str, Converted]:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is required: apt-get install libreoffice-writer-nogui"
    work = tmp_path_factory.mktemp("libreoffice")
    ids, _ = build_into(fixture_path("docx-ids"), work / "ids", "docx")
    docs = {"demo": demo_outputs("docx"), "docx-ids": ids["docx"]}
    profile = (work / "profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", PDF_FILTER,
                    "--outdir", str(work / "pdf"), *map(str, docs.values())],
                   check=True, capture_output=True, timeout=600, cwd=work)
    return {name: _read(docx, work / "pdf" / f"{docx.stem}.pdf") for name, docx in docs.items()}


def _read(docx: Path, pdf: Path) -> Converted:
    assert pdf.is_file(), f"LibreOffice wrote no {pdf.name}"
    reader = PdfReader(pdf)
    pages = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}  # type: ignore[union-attr]
    names = {}
    for name, dest in reader.named_destinations.items():
        names[name.lstrip("/")] = (pages[dest.page.idnum], round(float(dest.top)))
    by_bookmark = {}
    for p in (part(docx, "word/document.xml"),):
        for b in p.iter(W + "bookmarkStart"):
            bookmark = b.get(W + "name", "")
            if _lo_name(bookmark) in names:
                by_bookmark[bookmark] = names[_lo_name(bookmark)]
    layout = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout
    return Converted(docx, pdf, reader, by_bookmark, layout.split("\f"))


def _link_targets(reader: PdfReader) -> list[tuple[int, Position]]:
    """(page the link is on, where it goes) for every internal link annotation."""
    pages = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}  # type: ignore[union-attr]
    out = []
    for i, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            if a.get("/Subtype") != "/Link":
                continue
            dest = a.get("/Dest")
            action = a.get("/A")
            if dest is None and isinstance(action, DictionaryObject) and action.get("/S") == "/GoTo":
                dest = action.get("/D")
            assert isinstance(dest, ArrayObject), f"link on page {i + 1} has no explicit destination: {a}"
            out.append((i, (pages[dest[0].idnum], round(float(dest[3])))))
    return out


def _footnotes(docx: Path) -> int:
    """The document's own footnotes (not Word's separator entries)."""
    with zipfile.ZipFile(docx) as z:
        if "word/footnotes.xml" not in z.namelist():
            return 0
    return len(xpath(part(docx, "word/footnotes.xml"), "//w:footnote[not(@w:type)]"))


@pytest.mark.parametrize("name", ["demo", "docx-ids"])
def test_every_bookmark_becomes_a_pdf_destination(name: str, converted: dict[str, Converted]) -> None:
    c = converted[name]
    terms = [n for n, _ in heading_bookmarks(c.docx, "Heading2")]
    anchors = {h.get(W + "anchor") for h in hyperlinks(c.docx)}
    assert set(terms) <= set(c.destinations), set(terms) - set(c.destinations)
    assert anchors <= set(c.destinations), anchors - set(c.destinations)


@pytest.mark.parametrize("name", ["demo", "docx-ids"])
def test_internal_links_resolve_to_their_bookmarks(name: str, converted: dict[str, Converted]) -> None:
    c = converted[name]
    links = _link_targets(c.reader)
    wanted = {c.destinations[str(h.get(W + "anchor"))] for h in hyperlinks(c.docx)}
    reached = {target for _, target in links}
    assert len(links) >= len(hyperlinks(c.docx))  # a link broken across lines gives two
    assert wanted <= reached
    # LibreOffice adds its own links between each footnote call and its note, both ways.
    notes = _footnotes(c.docx)
    assert len(reached - wanted) <= 2 * notes, reached - wanted


@pytest.mark.parametrize(("name", "word"), [("demo", "S."), ("docx-ids", "p.")])
def test_page_references_show_the_page_of_their_target(name: str, word: str,
                                                       converted: dict[str, Converted]) -> None:
    c = converted[name]
    body = "\n".join(c.pages)
    assert f"{word} ?" not in body  # LibreOffice computed every PAGEREF field
    assert len(re.findall(rf"\(→ {re.escape(word)} \d+\)", body)) > 3
    index_start = max(i for i, page in enumerate(c.pages) if page.lstrip().startswith("Index"))
    index_lines = [ln.strip() for page in c.pages[index_start:] for ln in page.splitlines()]
    checked = 0
    for para in xpath(part(c.docx, "word/document.xml"), "//w:p[w:pPr/w:pStyle/@w:val='IndexEntry']"):
        label = text(para).split("\t")[0]
        anchor = str(para.find(f".//{W}hyperlink").get(W + "anchor"))  # type: ignore[union-attr]
        page = c.destinations[anchor][0] + 1
        line = next(ln for ln in index_lines if ln.startswith(label.strip()))
        assert re.search(rf"\.\s*{page}$", line), (label, page, line)
        checked += 1
    assert checked >= (5 if name == "docx-ids" else 60)


def test_toc_entries_are_listed_even_without_an_update(converted: dict[str, Converted]) -> None:
    """LibreOffice's headless conversion does not update the TOC field: it shows the cached
    entries the backend wrote (titles, linked; no page numbers)."""
    c = converted["demo"]
    toc_page = next(i for i, page in enumerate(c.pages) if page.lstrip().startswith("Inhalt"))
    toc_text = " ".join(c.pages[toc_page:toc_page + 3])
    titles = [t for _, t in heading_bookmarks(c.docx, "Heading2")]
    assert [t for t in titles if t not in toc_text] == []
    toc_links = [target for page, target in _link_targets(c.reader) if toc_page <= page < toc_page + 3]
    assert {c.destinations[n] for n, _ in heading_bookmarks(c.docx, "Heading2")} <= set(toc_links)
