"""The PDF handbook, checked in the PDF itself (pypdf and poppler), not in our own page map.

One demo build per session (with SOURCE_DATE_EPOCH) serves the structural tests; the small
fixture `tests/fixtures/pdf-small` serves the builds that change sources or styles.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import DEMO, build_into, fixture_path, outputs_in
from pdfread import Word, dest_pages, dest_tops, line_of, links, outline, text_in, words
from pypdf import PdfReader

from pipeline import build, read_book
from pipeline import diagnostics as dg
from pipeline.model import INDEX_ID, Book

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


def _reference_gaps(page_words: list[Word]) -> list[tuple[float, float, float, str]]:
    """(gap "→"–"S.", gap "S."–number, height of "S.", context) for every printed page reference."""
    gaps = []
    for i, word in enumerate(page_words[:-2]):
        after, number = page_words[i + 1], page_words[i + 2]
        if (word.text == "→" and after.text == "S." and re.fullmatch(r"\d+\)?[,.;]?", number.text)
                and abs(word.y1 - number.y1) < 1):  # all three on one line
            gaps.append((after.x1 - word.x2, number.x1 - after.x2, after.y2 - after.y1,
                         f"{word.text} {after.text} {number.text}"))
    return gaps


def test_page_references_have_no_holes_and_do_not_stretch(demo: Built) -> None:
    # Numbers are laid out at their own width (no room kept for the widest one), and the two
    # spaces inside "→ S. 12" are fixed: equal to each other, and the same fraction of the font
    # size in every line, justified or not, in text, see-also lines and the index.
    page_words, _, _ = words(demo.pdf)
    gaps = [g for page in page_words for g in _reference_gaps(page)]
    assert len(gaps) > 300
    for before, after, _, context in gaps:
        assert abs(before - after) < 0.15, (before, after, context)
    ratios = [before / height for before, _, height, _ in gaps]
    assert max(ratios) - min(ratios) < 0.01, (min(ratios), max(ratios))
    assert len({round(height) for _, _, height, _ in gaps}) > 1  # several sizes were seen


def test_index_numbers_follow_their_entry_without_a_hole(demo: Built) -> None:
    # "3DES 5" and "Blockchiffre 10": the space before a number is the same whatever its digits.
    reader = PdfReader(demo.pdf)
    page_words, _, _ = words(demo.pdf)
    gaps: dict[int, list[float]] = {}
    for page in page_words[dest_pages(reader)[INDEX_ID]:]:
        for before, number in itertools.pairwise(page):
            if re.fullmatch(r"\d+", number.text) and abs(before.y1 - number.y1) < 1 and before.x2 < number.x1:
                gaps.setdefault(len(number.text), []).append(number.x1 - before.x2)
    assert set(gaps) == {1, 2}, gaps.keys()  # the demo has pages 1-9 and 10-39
    every = [g for found in gaps.values() for g in found]
    assert max(every) - min(every) < 0.3, {n: (min(g), max(g)) for n, g in gaps.items()}


def test_a_reference_follows_the_whole_compound_word(demo: Built) -> None:
    # AES: "[XOR](#XOR)-Verknüpfung mit …" prints "XOR-Verknüpfung → S. n", not "XOR → S. n-Verknüpfung"
    reader = PdfReader(demo.pdf)
    xor_page = dest_pages(reader)["XOR"] + 1
    page_words, _, _ = words(demo.pdf)
    found = []
    for page in page_words:
        texts = [w.text for w in page]
        assert not any(t.startswith("-Verknüpfung") for t in texts)
        found += [texts[i:i + 4] for i, t in enumerate(texts) if t == "XOR-Verknüpfung"
                  and texts[i + 1:i + 3] == ["→", "S."]]
    assert found == [["XOR-Verknüpfung", "→", "S.", str(xor_page)]]


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
    assert runs == [["laying out 6 part(s), pass 1"]] * 2  # each part a chunk, laid out once
    assert pdfs[0] == pdfs[1]
    assert outputs_in(tmp_path / "out") == [outputs["pdf"].name]  # nothing kept beside it


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
    src = _small(tmp_path)  # one chunk per part: front matter, letters, index
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
    # every page guessed at 500 (three digits): the small book has fewer than ten pages
    monkeypatch.setattr(chunks, "_estimate", lambda cut: {a: 500 for c in cut for a in c.places})
    seen: list[str] = []
    wrong = build(src, tmp_path / "wrong", ["pdf"], dg.Report(), progress=seen.append)["pdf"]
    passes = [m for m in seen if m.startswith("laying out")]
    assert len(passes) == 2 and passes[0] == "laying out 6 part(s), pass 1"
    assert passes[1].endswith("pass 2") and passes[1] != "laying out 0 part(s), pass 2"
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


def test_the_first_guess_at_where_each_part_starts_fits_the_print_styles(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a page map (a cold build), the page references are laid out with a guess at
    every page, from the parts' text; a guess a digit short or long costs a second layout of
    every part that refers there. On a glossary shaped like a real one the guess must stay
    within a few pages of where each part really starts."""
    import sys

    from pipeline.formats.pdf import chunks

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from generate import generate

    seen: list[tuple[list[int], list[int]]] = []
    real = chunks.paginate

    def watched(doc, cut, *args, **kwargs):  # type: ignore[no-untyped-def]
        results, pages = real(doc, cut, *args, **kwargs)
        seen.append(([c.pages for c in cut], [r.pages for r in results]))
        return results, pages

    monkeypatch.setattr(chunks, "paginate", watched)
    src = generate(tmp_path / "g", 40, seed=3)
    build(src, tmp_path / "out", ["pdf"], dg.Report())  # no cache: no page map
    (estimated, laid), = seen
    assert len(laid) > 10 and sum(laid) > 30
    drift = list(itertools.accumulate(e - r for e, r in zip(estimated, laid, strict=True)))
    assert max(abs(d) for d in drift[:-1]) <= 2, (estimated, laid)  # the index comes last
