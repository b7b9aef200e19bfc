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
from test_pdf import words

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
    # column by column (the index has two), a wrapped entry joined again
    page_words, width, _ = words(c.pdf)
    raw = " ".join(w.text for page in page_words[index_start:] for column in (False, True)
                   for w in sorted((w for w in page if (w.x1 > width / 2) is column),
                                   key=lambda w: (round(w.y1), w.x1)))
    # pdftotext drops the hyphen of a compound wrapped at its hyphen: compare without hyphens
    flowing = re.sub(r"-\s*", "", re.sub(r"\s+", " ", raw))
    checked = 0
    for para in xpath(part(c.docx, "word/document.xml"), "//w:p[w:pPr/w:pStyle/@w:val='IndexEntry']"):
        label = text(para).split("\t")[0].strip().replace("-", "")
        anchor = str(para.find(f".//{W}hyperlink").get(W + "anchor"))  # type: ignore[union-attr]
        page = c.destinations[anchor][0] + 1
        # a label that fills its line leaves no room for the leader's dots
        assert re.search(rf"{re.escape(label)}[\s.]*{page}\b", flowing), (label, page)
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


def _index_rows(c: Converted) -> list[list[str]]:
    """The index pages' lines, each cut into its columns (runs of 4+ spaces between them)."""
    start = max(i for i, page in enumerate(c.pages) if page.lstrip().startswith("Index"))
    return [re.split(r"\s{4,}", ln.strip()) for page in c.pages[start:] for ln in page.splitlines()
            if ln.strip()]


@pytest.mark.parametrize("name", ["demo", "docx-ids"])
def test_the_index_is_set_in_two_columns(name: str, converted: dict[str, Converted]) -> None:
    """As in the PDF: entries side by side, a dotted leader and a page in each column."""
    rows = _index_rows(converted[name])
    entry = re.compile(r"\S.*\.{3,}\s*\d+$")
    two = [r for r in rows if len(r) == 2 and all(entry.match(cell) for cell in r)]
    assert len(two) >= (3 if name == "docx-ids" else 8), rows[:20]
    assert not any(len(r) > 2 for r in rows)


def test_a_page_reference_never_breaks_and_follows_the_whole_word(converted: dict[str, Converted]) -> None:
    """No-break spaces hold "(→ S. 38)" together; after `[XOR](#XOR)-Verknüpfung` the reference
    follows the compound ("XOR-Verknüpfung (→ S. 36)"), never splits it."""
    c = converted["demo"]
    lines = [ln.strip() for page in c.pages for ln in page.splitlines()]
    assert not [ln for ln in lines if re.search(r"\((→( S\.)?)?$|^(S\. )?\d+\)", ln)]
    body = " ".join(lines)
    for compound in ("XOR-Verknüpfung", "TLS-Verbindung", "Klartext-Fragmente"):
        assert re.search(rf"{compound} \(→ S\. \d+\)", body), compound
    assert not re.search(r"(XOR|TLS|Klartext) \(→ S\. \d+\)-", body)


def test_libreoffice_shows_the_embedded_faces(converted: dict[str, Converted]) -> None:
    """The DOCX carries Source Serif Pro and Source Sans Pro; LibreOffice sets the text in them
    though fontconfig knows neither (CI installs no such font), as in the PDF."""
    installed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=True).stdout
    out = subprocess.run(["pdffonts", str(converted["demo"].pdf)], capture_output=True, text=True,
                         check=True).stdout
    used = {line.split()[0].split("+", 1)[-1] for line in out.splitlines()[2:] if line.strip()}
    assert {"SourceSerifPro-Regular", "SourceSerifPro-Bold", "SourceSansPro-Bold"} <= used, used
    if "Source Serif Pro" not in installed:
        assert not any(name.startswith(("Caladea", "Carlito", "DejaVuSerif")) for name in used), used
