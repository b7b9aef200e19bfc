"""The PDF handbook, checked in the PDF itself (pypdf and poppler), not in our own page map.

One demo build per session (with SOURCE_DATE_EPOCH) serves the structural tests; the small
fixture `tests/fixtures/pdf-small` serves the builds that change sources or styles.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import DEMO, build_into, fixture_path
from pypdf import PdfReader
from pypdf.generic import Destination

from pipeline import build, read_book
from pipeline import diagnostics as dg
from pipeline.model import Book

pytestmark = pytest.mark.slow
EPOCH = "1764374400"  # 2025-11-29 00:00:00 UTC
SMALL = "pdf-small"


@dataclass(frozen=True)
class Built:
    pdf: Path
    report: dg.Report
    records: list[logging.LogRecord]
    book: Book


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The demo glossary built once as PDF, with a fixed build time and every log record kept."""
    out = tmp_path_factory.mktemp("pdf-demo")
    keep = _Keep()
    logging.getLogger().addHandler(keep)
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        outputs, report = build_into(DEMO, out, "pdf")
    finally:
        logging.getLogger().removeHandler(keep)
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    return Built(outputs["pdf"], report, keep.records, read_book(DEMO, dg.Report()))


# --- reading the PDF ------------------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    page: int  # 0-based
    rect: tuple[float, float, float, float]  # as shown: from the page's bottom left (crop box)
    dest: str | None
    uri: str | None


def links(reader: PdfReader) -> list[Link]:
    out = []
    for number, page in enumerate(reader.pages):
        # A page that changed side shows its content through a moved window (crop box): a
        # viewer places annotations relative to it, and so does pdftotext with words.
        ox, oy = float(page.cropbox.left), float(page.cropbox.bottom)
        for ref in page.get("/Annots", []):
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            x1, x2 = (float(annot["/Rect"][i]) - ox for i in (0, 2))
            y1, y2 = (float(annot["/Rect"][i]) - oy for i in (1, 3))
            action = annot.get("/A")
            uri = str(action.get_object().get("/URI")) if action is not None else None
            dest = annot.get("/Dest")
            out.append(Link(number, (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)),
                            str(dest) if isinstance(dest, str) else None, uri))
    return out


def dest_pages(reader: PdfReader) -> dict[str, int]:
    """Named destination -> 0-based page."""
    return {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}


def dest_tops(reader: PdfReader) -> dict[str, float]:
    return {name: float(d.top or 0) for name, d in reader.named_destinations.items()}


@dataclass(frozen=True)
class Word:
    x1: float
    y1: float  # from the top of the page (poppler's convention)
    x2: float
    y2: float
    text: str


def words(pdf: Path) -> tuple[list[list[Word]], float, float]:
    """Every page's words with their boxes (pdftotext -bbox), and the page size."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages: list[list[Word]] = []
    width = height = 0.0
    for chunk in out.split("<page ")[1:]:
        size = re.match(r'width="([\d.]+)" height="([\d.]+)"', chunk)
        assert size
        width, height = float(size.group(1)), float(size.group(2))
        pages.append([Word(float(a), float(b), float(c), float(d), _unescape(t)) for a, b, c, d, t in
                      re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                 r'yMax="([\d.]+)">(.*?)</word>', chunk)])
    return pages, width, height


def _unescape(text: str) -> str:
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')


def text_in(link: Link, page_words: list[Word], height: float) -> str:
    """The words inside a link's rectangle, in reading order."""
    x1, y1, x2, y2 = link.rect
    top, bottom = height - y2, height - y1
    inside = [w for w in page_words
              if w.x1 >= x1 - 1 and w.x2 <= x2 + 1 and w.y1 >= top - 2 and w.y2 <= bottom + 2]
    return " ".join(w.text for w in sorted(inside, key=lambda w: (round(w.y1), w.x1)))


def line_of(link: Link, page_words: list[Word], height: float) -> str:
    """The words on the line and in the column a link sits on (label, leader, page number)."""
    x1, y1, x2, y2 = link.rect
    top, bottom = height - y2, height - y1
    on_line = [w for w in page_words if top - 1 <= (w.y1 + w.y2) / 2 <= bottom + 1
               and x1 - 1 <= w.x1 <= x2 + 30]
    return " ".join(w.text for w in sorted(on_line, key=lambda w: w.x1))


def outline(reader: PdfReader) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """Top-level bookmarks with their page and their children."""
    result: list[tuple[str, int, list[tuple[str, int]]]] = []
    for item in reader.outline:
        if isinstance(item, list):
            title, page, _ = result[-1]
            result[-1] = (title, page, [(str(c.title), reader.get_destination_page_number(c))
                                        for c in item if isinstance(c, Destination)])
        else:
            result.append((str(item.title), reader.get_destination_page_number(item), []))
    return result


# --- the demo book --------------------------------------------------------------------------

def test_demo_builds_without_unhandled_warnings(demo: Built) -> None:
    assert demo.pdf.name == "kleines-kryptographie-glossar.pdf"
    assert demo.pdf.read_bytes().startswith(b"%PDF-")
    problems = [dg.format_text(d) for d in demo.report if d.code.startswith("GL6")]
    assert problems == []
    assert [r.getMessage() for r in demo.records] == []


def test_every_link_points_to_an_existing_destination(demo: Built) -> None:
    reader = PdfReader(demo.pdf)
    names = set(reader.named_destinations)
    found = links(reader)
    internal = [link for link in found if link.dest is not None]
    assert len(internal) > 500
    assert [link for link in internal if link.dest not in names] == []
    # no placeholder or other URI survives: the book has no external links
    assert [link.uri for link in found if link.dest is None] == []
    # one annotation per link (and line), not one per box inside it
    for a in internal:
        inside = [b for b in internal if b is not a and b.page == a.page and b.dest == a.dest
                  and a.rect[0] - 1 <= b.rect[0] and b.rect[2] <= a.rect[2] + 1
                  and b.rect[1] < a.rect[3] and a.rect[1] < b.rect[3]]
        assert inside == [], (a, inside)


def test_every_term_has_a_destination_and_a_bookmark_under_its_letter(demo: Built) -> None:
    reader = PdfReader(demo.pdf)
    pages = dest_pages(reader)
    marks = {title: (page, children) for title, page, children in outline(reader)}
    for group in demo.book.groups:
        assert group.label in marks, f"no bookmark for letter {group.label}"
        children = marks[group.label][1]
        assert [t for t, _ in children] == [demo.book.term(i).title_text for i in group.term_ids]
        for term_id, (_, page) in zip(group.term_ids, children, strict=True):
            assert term_id in pages
            assert page == pages[term_id]
    assert "Index" in marks and marks["Index"][0] == pages["Index"]
    # section headings are not bookmarks
    assert sum(len(c) for _, (_, c) in marks.items()) == len(demo.book.terms)


def test_printed_page_references_are_the_target_pages(demo: Built) -> None:
    reader = PdfReader(demo.pdf)
    pages = dest_pages(reader)
    page_words, _, height = words(demo.pdf)
    checked = 0
    for link in links(reader):
        assert link.dest is not None
        text = text_in(link, page_words[link.page], height)
        m = re.search(r"\S → S\. (\d+)$", text)  # the term, then its page, in one link
        if m:
            assert int(m.group(1)) == pages[link.dest] + 1, (link, text)
            checked += 1
    assert checked > 300  # in-text, see-also and back-references, across both chunks


# (text before the call, the note's first word, text in the note) for the demo's footnotes
_FOOTNOTES = [("Informationstheorie begründete.", "Claude", "Bell System Technical Journal"),
              ("um Marian Rejewski", "Rejewski", "Biuro Szyfrów"),
              ("in Cryptography“", "Whitfield", "IEEE Transactions on Information")]


def test_footnotes_stand_at_the_foot_of_the_page_that_calls_them(demo: Built) -> None:
    """...or of the next page, where WeasyPrint defers a note rather than break a paragraph
    against its orphans rule (the demo has one such note)."""
    page_words, _, height = words(demo.pdf)
    # words of each page, hyphenation at line ends undone ("In- formationstheorie")
    text = [re.sub(r"(\w)[-\u2010] (?=[a-zäöüß])", r"\1", " ".join(w.text for w in page))
            for page in page_words]
    same_page = 0
    for call, first, note in _FOOTNOTES:
        (called,) = [i for i, t in enumerate(text) if call in t]
        (noted,) = [i for i, t in enumerate(text) if note in t]
        assert noted in (called, called + 1), (call, called + 1, noted + 1)
        same_page += noted == called
        note_top = max(w.y1 for w in page_words[noted] if w.text.startswith(first))
        body = [w for w in page_words[noted] if w.y1 < note_top]
        assert note_top > 0.6 * height and body, (note, note_top)  # below the text, not after it
        line = sorted((w for w in page_words[noted] if abs(w.y1 - note_top) < 2), key=lambda w: w.x1)
        assert re.fullmatch(r"\d\.", line[0].text), line[0].text  # numbered in its letter group
        below = {w.text for w in page_words[noted] if w.y1 > note_top + 1}
        assert not below & {"Verwandte", "Verweise"}, below  # not a note list inside the entry
    assert same_page >= 2


def test_contents_and_index_print_the_pages_they_link_to(demo: Built) -> None:
    reader = PdfReader(demo.pdf)
    pages = dest_pages(reader)
    page_words, _, height = words(demo.pdf)
    first_body, index_page = pages["letter-0-9"], pages["Index"]
    entries = [link for link in links(reader) if not first_body <= link.page < index_page]
    checked = 0
    for link in entries:
        wraps = any(o.page == link.page and o.dest == link.dest and abs(o.rect[3] - link.rect[1]) < 2
                    and o.rect[0] > link.rect[0] + 5 for o in entries)  # hanging indent
        if wraps:
            continue  # an entry that wraps prints its number at the end of its last line
        text = line_of(link, page_words[link.page], height)
        m = re.search(r"(\d+)$", text)
        assert m, (link, text)
        assert int(m.group(1)) == pages[link.dest or ""] + 1, (link, text)
        checked += 1
    index_entries = sum(len(g.entries) for g in demo.book.index)
    assert checked == len(demo.book.terms) + len(demo.book.groups) + 1 + index_entries


def test_running_heads_show_the_first_and_last_term_of_the_page(demo: Built) -> None:
    """First term top left, last top right; one head only when they are the same term (a page
    with one term starting, or none: never "Guardrails | Guardrails")."""
    reader = PdfReader(demo.pdf)
    pages, tops = dest_pages(reader), dest_tops(reader)
    page_words, width, _ = words(demo.pdf)
    on_page: dict[int, list[str]] = {}
    for term in demo.book.terms:
        on_page.setdefault(pages[term.id], []).append(term.id)
    assert len(on_page) > 10
    for page, ids in on_page.items():
        ids.sort(key=lambda i: -tops[i])
        head = [w for w in page_words[page] if w.y2 < 20 / 25.4 * 72]
        left = " ".join(w.text for w in head if w.x2 < width / 2)
        right = " ".join(w.text for w in head if w.x1 > width / 2)
        assert left == demo.book.term(ids[0]).title_text, page
        assert right == ("" if len(ids) == 1 else demo.book.term(ids[-1]).title_text), page
    singles = [p for p, ids in on_page.items() if len(ids) == 1]
    assert singles  # the demo has such pages: the rule is exercised
    for page in range(pages["letter-0-9"], pages["Index"]):
        head = [w for w in page_words[page] if w.y2 < 20 / 25.4 * 72]
        left = " ".join(w.text for w in head if w.x2 < width / 2)
        right = " ".join(w.text for w in head if w.x1 > width / 2)
        assert left and left != right, page
    title_head = [w for w in page_words[0] if w.y2 < 20 / 25.4 * 72 or w.y1 > 270 / 25.4 * 72]
    assert title_head == []  # no running head or folio on the title page


def test_metadata_language_and_dates(demo: Built) -> None:
    reader = PdfReader(demo.pdf)
    info = reader.metadata
    assert info is not None
    config = demo.book.config
    assert info.title == config.title
    assert info.author == "Glossary Pipeline Team"
    assert info.subject == config.description
    assert info["/Keywords"] == "Kryptographie, Verschlüsselung, Glossar"
    assert info["/CreationDate"] == info["/ModDate"] == "D:20251129000000+00'00'"
    assert reader.trailer["/Root"]["/Lang"] == "de"
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"


def test_all_fonts_are_embedded_and_subset(demo: Built) -> None:
    out = subprocess.run(["pdffonts", str(demo.pdf)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        emb, sub = row.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), row


def test_pages_are_mirrored_and_a4(demo: Built) -> None:
    reader = PdfReader(demo.pdf)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    page_words, width, _ = words(demo.pdf)
    # a folio sits in the outer corner: right on odd pages, left on even ones
    for number in range(3, len(page_words) + 1):
        foot = [w for w in page_words[number - 1] if w.y1 > 280 / 25.4 * 72]
        assert [w.text for w in foot] == [str(number)], number
        assert (foot[0].x1 > width / 2) == (number % 2 == 1), number


def test_formulas_are_drawn_not_left_as_tex(demo: Built) -> None:
    from pipeline.formats.context import BuildContext
    from pipeline.formats.pdf import compose

    report = dg.Report()
    ctx = BuildContext(report)
    doc = compose.compose(ctx.fragments(demo.book), ctx.styles_dir, report)
    body = "".join(p.html for p in doc.parts)
    assert "<math" not in body and "<img class=\"math" not in body  # every formula converts
    boxes = body.count(' data-math="')
    assert boxes > 50 and body.count('class="math display"') > 5
    assert [d for d in report if d.code == dg.RENDER_WARNING] == []
    reader = PdfReader(demo.pdf)
    drawn = [name for page in reader.pages
             for name in re.findall(rb"/(GLf\d+) Do", page.get_contents().get_data())]  # type: ignore[union-attr]
    assert len(drawn) == boxes  # each formula box gets its drawing, once
    for page in reader.pages:
        for name, ref in page["/Resources"].get("/XObject", {}).items():
            if name.startswith("/GLf"):
                data = ref.get_object().get_data()
                assert re.search(rb" (m|re)\b", data) and data.endswith(b" rg f")  # shapes, filled
    page = dest_pages(reader)["RSA"] + 1
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(demo.pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "\\pmod" not in text and "\\varphi" not in text and "Rechenbeispiel" in text


# --- builds of the small fixture ------------------------------------------------------------

def _small(tmp_path: Path, extra: dict[str, str] | None = None) -> Path:
    src = tmp_path / "src"
    shutil.copytree(fixture_path(SMALL), src)
    for name, text in (extra or {}).items():
        (src / name).write_text(text, encoding="utf-8")
    return src


EVIL = """## Böse {#Boese .term}

***Lädt, was sie nicht darf***

Bilder von außen: ![Netz](http://example.com/x.png) und ![Datei](../../../../../../etc/hostname).
"""


def test_refused_images_are_reported_once_and_printed_as_alt_text(tmp_path: Path) -> None:
    src = _small(tmp_path)
    (src / "Böse.md").write_text(EVIL, encoding="utf-8")
    outputs, report = build_into(src, tmp_path / "out", "pdf")
    refused = [d for d in report if d.code == dg.RESOURCE_REFUSED]
    assert len(refused) == 2, [dg.format_text(d) for d in report]
    assert {(d.file, d.line) for d in refused} == {("Böse.md", 5)}  # at the image, when read
    assert any("http://example.com/x.png" in d.message for d in refused)
    assert any("outside the source folder" in d.message for d in refused)
    assert [d for d in report if d.code == dg.RENDER_WARNING] == []  # not reported again
    text = subprocess.run(["pdftotext", str(outputs["pdf"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Bilder von außen: Netz und Datei" in " ".join(text.split())


def test_a_failing_build_keeps_the_previous_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _small(tmp_path)
    out = tmp_path / "out"
    outputs, _ = build_into(src, out, "pdf", strict=True)
    before = outputs["pdf"].read_bytes()
    (src / "Böse.md").write_text(EVIL, encoding="utf-8")
    with pytest.raises(dg.GlossaryError):
        build_into(src, out, "pdf", strict=True)
    assert outputs["pdf"].read_bytes() == before

    from pipeline.formats import pdf

    def broken(*_: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(pdf, "_report_dead", broken)  # fails after every part is rendered
    (src / "Böse.md").unlink()
    with pytest.raises(RuntimeError):
        build_into(src, out, "pdf")
    assert outputs["pdf"].read_bytes() == before
    assert sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp")) == []


def test_a_dead_link_from_a_template_is_gl603_and_fails_strict(tmp_path: Path) -> None:
    src = _small(tmp_path)
    styles = tmp_path / "styles"
    shutil.copytree(Path(__file__).resolve().parent.parent / "styles", styles)
    term = styles / "print" / "term.html.j2"
    term.write_text(term.read_text(encoding="utf-8").replace(
        '<div class="definition">', '<a href="#Nirgendwo">kaputt</a><div class="definition">'),
        encoding="utf-8")
    out = tmp_path / "out"
    report = dg.Report()
    outputs = build(src, out, ["pdf"], report, styles_dir=styles)
    dead = [d for d in report if d.code == dg.DEAD_LINK_OUTPUT]
    assert len(dead) == 1 and "#Nirgendwo" in dead[0].message
    assert dead[0].file == "Apfel.md" and dead[0].line == 1
    before = outputs["pdf"].read_bytes()
    with pytest.raises(dg.GlossaryError):
        build(src, out, ["pdf"], dg.Report(strict=True), styles_dir=styles)
    assert outputs["pdf"].read_bytes() == before


def test_one_layout_pass_and_identical_rebuilds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    src = _small(tmp_path)
    runs: list[list[str]] = []
    pdfs: list[bytes] = []
    for _ in range(2):
        seen: list[str] = []
        outputs = build(src, tmp_path / "out", ["pdf"], dg.Report(), progress=seen.append)
        runs.append([m for m in seen if m.startswith("laying out")])
        pdfs.append(outputs["pdf"].read_bytes())
    assert runs == [["laying out 2 part(s), pass 1"]] * 2
    assert pdfs[0] == pdfs[1]
    assert [p.name for p in (tmp_path / "out").iterdir()] == [outputs["pdf"].name]  # nothing kept beside it


def test_the_pdf_does_not_depend_on_which_worker_laid_out_what(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """One worker lays out every chunk in turn, two share them: the same bytes. (Digit widths
    taken from the first size a worker shaped once made the painted numbers differ.)"""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    pdfs, plans = [], []
    for jobs in ("1", "2"):
        monkeypatch.setenv("GLOSSARY_PDF_JOBS", jobs)
        seen: list[str] = []
        pdfs.append(build(DEMO, tmp_path / jobs, ["pdf"], dg.Report(), progress=seen.append)["pdf"])
        plans.append([m for m in seen if m.startswith("laying out")])
    assert plans[0] == plans[1] and plans[0][0] != "laying out 1 part(s), pass 1"
    assert pdfs[0].read_bytes() == pdfs[1].read_bytes()


def test_page_size_from_book_toml(tmp_path: Path) -> None:
    src = _small(tmp_path)
    toml = src / "book.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[pdf]\npage-size = "A5"\n', encoding="utf-8")
    outputs, report = build_into(src, tmp_path / "out", "pdf")
    box = PdfReader(outputs["pdf"]).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (420, 595)
    assert [d for d in report if d.code.startswith("GL6")] == []


def test_messy_glossary_prints_broken_links_as_text(tmp_path: Path) -> None:
    outputs, report = build_into(fixture_path("messy"), tmp_path / "out", "pdf")
    assert [dg.format_text(d) for d in report if d.code.startswith("GL6")] == []
    reader = PdfReader(outputs["pdf"])
    names = set(reader.named_destinations)
    found = links(reader)
    assert all(link.dest in names for link in found if link.uri is None)
    assert {link.uri for link in found if link.uri} == {"https://de.wikipedia.org/wiki/Zebras"}
    text = subprocess.run(["pdftotext", str(outputs["pdf"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Nirgendwo" in text and "Nirgendwo" not in names
    assert "Schwarz" in text and 'print("Streifen")' in text  # grid table and code


def _printed_refs_match(pdf: Path) -> int:
    """Assert every in-text page reference prints its target's page; return how many there are."""
    reader = PdfReader(pdf)
    pages = dest_pages(reader)
    page_words, _, height = words(pdf)
    checked = 0
    for link in links(reader):
        m = re.search(r"\S → S\. (\d+)$", text_in(link, page_words[link.page], height))
        if m:
            assert int(m.group(1)) == pages[link.dest or ""] + 1, link
            checked += 1
    return checked


def test_an_edit_that_moves_pages_moves_the_numbers(tmp_path: Path) -> None:
    src = _small(tmp_path)
    out = tmp_path / "out"
    build(src, out, ["pdf"], dg.Report())
    apfel = src / "Apfel.md"
    filler = "\n\n".join(["Ein langer Absatz über Äpfel, der die folgenden Seiten verschiebt. " * 12] * 14)
    apfel.write_text(apfel.read_text(encoding="utf-8").replace("### Sorten", filler + "\n\n### Sorten"),
                     encoding="utf-8")
    outputs = build(src, out, ["pdf"], dg.Report())
    pages = dest_pages(PdfReader(outputs["pdf"]))
    assert pages["Birne"] > pages["Apfel"] + 1
    assert _printed_refs_match(outputs["pdf"]) >= 15


def test_parts_that_start_on_a_left_page_are_mirrored(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Every part laid out on its own, each as if it began on a right-hand page."""
    from pipeline.formats.pdf import chunks

    monkeypatch.setattr(chunks, "CHUNK_COST", 1)  # one chunk per part: front matter, letters, index
    src = _small(tmp_path)
    seen: list[str] = []
    outputs = build(src, tmp_path / "out", ["pdf"], dg.Report(), progress=seen.append)
    assert [m for m in seen if m.startswith("laying out")] == ["laying out 6 part(s), pass 1"]
    reader = PdfReader(outputs["pdf"])
    moved = [n for n, page in enumerate(reader.pages, start=1) if float(page.cropbox.left) != 0]
    assert moved and all(n > 3 for n in moved)  # some parts did start on a left-hand page
    page_words, width, height = words(outputs["pdf"])
    for number in range(3, len(page_words) + 1):
        body = [w for w in page_words[number - 1] if 21 / 25.4 * 72 < w.y1 < height - 23 / 25.4 * 72]
        inner = (24 if number % 2 else 16) / 25.4 * 72  # the left margin: inner on odd pages
        assert abs(min(w.x1 for w in body) - inner) < 1, number
        foot = [w for w in page_words[number - 1] if w.y1 > 280 / 25.4 * 72]
        assert [w.text for w in foot] == [str(number)], number
        assert (foot[0].x1 > width / 2) == (number % 2 == 1), number
        outer = width - foot[0].x2 if number % 2 else foot[0].x1
        assert abs(outer - 16 / 25.4 * 72) < 1, number  # flush with the outer margin
    assert _printed_refs_match(outputs["pdf"]) >= 10


def test_a_wrong_guess_of_the_number_width_costs_one_more_pass(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.formats.pdf import chunks

    src = _small(tmp_path)
    right = build(src, tmp_path / "right", ["pdf"], dg.Report())["pdf"]
    monkeypatch.setattr(chunks, "_estimated_digits", lambda _: 3)  # the small book has < 100 pages
    seen: list[str] = []
    wrong = build(src, tmp_path / "wrong", ["pdf"], dg.Report(), progress=seen.append)["pdf"]
    assert [m for m in seen if m.startswith("laying out")] == [
        "laying out 2 part(s), pass 1", "laying out 2 part(s), pass 2"]
    # the first pass's parts are dropped: the same book as with a right guess
    assert len(PdfReader(wrong).pages) == len(PdfReader(right).pages)
    assert words(wrong)[0] == words(right)[0]
    assert _printed_refs_match(wrong) >= 10


def test_placeholders_stay_hidden_whatever_the_stylesheet_says(tmp_path: Path) -> None:
    src = _small(tmp_path)
    styles = tmp_path / "styles"
    shutil.copytree(Path(__file__).resolve().parent.parent / "styles", styles)
    css = styles / "print" / "print.css"
    text = css.read_text(encoding="utf-8")
    assert text.count("content: counter(page); visibility: hidden;") == 2
    css.write_text(text.replace("content: counter(page); visibility: hidden;", "content: counter(page);")
                   + "\n.pn { visibility: visible; }\n", encoding="utf-8")
    outputs = build(src, tmp_path / "out", ["pdf"], dg.Report(), styles_dir=styles)
    page_words, _, _ = words(outputs["pdf"])
    for number in range(3, len(page_words) + 1):
        foot = [w.text for w in page_words[number - 1] if w.y1 > 280 / 25.4 * 72]
        assert foot == [str(number)], number  # not the part's own count under the book's
    toc = [w.text for w in page_words[2]]
    assert "000" not in toc and "0" not in toc  # no placeholder zeros next to the numbers
