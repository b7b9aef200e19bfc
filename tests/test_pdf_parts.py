"""The PDF's parts on their own: the resource fetcher, the worker's log capture, chunk planning,
formulas drawn after layout."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import diagnostics as dg
from pipeline.formats.pdf import chunks
from pipeline.formats.pdf import compose as pdf_html
from pipeline.formats.pdf import formulas as pdf_math
from pipeline.formats.pdf import paint as overlay
from pipeline.formats.pdf.compose import Origin
from pipeline.formats.pdf.fetcher import MAX_DATA_URL, GlossaryFetcher, ResourceRefused
from pipeline.formats.pdf.layout import ChunkJob, render_chunk
from pipeline.formats.pdf.pagenumbers import REF_CLOSE, REF_OPEN, Figure


@pytest.fixture
def roots(tmp_path: Path) -> tuple[Path, Path]:
    src, outside = tmp_path / "src", tmp_path / "outside"
    (src / "images").mkdir(parents=True)
    outside.mkdir()
    (src / "images" / "ok.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    (outside / "secret.txt").write_text("secret", encoding="utf-8")
    return src, outside


def _refused(fetcher: GlossaryFetcher, url: str) -> dg.Diagnostic:
    with pytest.raises(ResourceRefused):
        fetcher.fetch(url)
    assert fetcher.refused
    return fetcher.refused[-1]


def test_fetcher_serves_files_inside_the_roots(roots: tuple[Path, Path]) -> None:
    src, _ = roots
    response = GlossaryFetcher([src]).fetch((src / "images" / "ok.svg").as_uri())
    assert response.read().startswith(b"<svg")
    assert response.content_type == "image/svg+xml"


def test_fetcher_refuses_a_file_outside_with_the_entry_location(roots: tuple[Path, Path]) -> None:
    src, _ = roots
    url = (src / ".." / "outside" / "secret.txt").as_uri()
    fetcher = GlossaryFetcher([src], {url: Origin("Apfel.md", 7)})
    d = _refused(fetcher, url)
    assert (d.code, d.file, d.line, d.severity) == (dg.RESOURCE_REFUSED, "Apfel.md", 7, dg.Severity.ERROR)
    assert "outside the source and styles folders" in d.message


def test_fetcher_refuses_a_symlink_leading_outside(roots: tuple[Path, Path]) -> None:
    src, outside = roots
    link = src / "images" / "link.txt"
    link.symlink_to(outside / "secret.txt")
    d = _refused(GlossaryFetcher([src]), link.as_uri())
    assert "outside" in d.message


def test_fetcher_refuses_the_network(roots: tuple[Path, Path]) -> None:
    src, _ = roots
    url = "http://example.com/x.png"
    d = _refused(GlossaryFetcher([src], {url: Origin("Birne.md", 3)}), url)
    assert (d.code, d.file, d.line) == (dg.RESOURCE_REFUSED, "Birne.md", 3)
    assert "no network" in d.message
    _refused(GlossaryFetcher([src]), "https://example.com/x.css")
    _refused(GlossaryFetcher([src]), "ftp://example.com/x")


def test_fetcher_refuses_a_huge_data_url_and_serves_a_small_one(roots: tuple[Path, Path]) -> None:
    src, _ = roots
    small = "data:text/plain;base64," + base64.b64encode(b"hello").decode()
    assert GlossaryFetcher([src]).fetch(small).read() == b"hello"
    huge = "data:image/png;base64," + "A" * MAX_DATA_URL
    d = _refused(GlossaryFetcher([src], {huge: Origin("Kirsche.md", 2)}), huge)
    assert (d.file, d.line) == ("Kirsche.md", 2)
    assert "exceeds" in d.message and len(d.message) < 300


def _job(html: str, src: Path, origins: dict[str, Origin] | None = None) -> ChunkJob:
    return ChunkJob(0, html, "@page { size: A5 }", (), src.as_uri() + "/", (str(src),),
                    origins or {})


def test_worker_turns_weasyprint_log_records_into_diagnostics(roots: tuple[Path, Path]) -> None:
    src, _ = roots
    url = "http://example.com/x.png"
    html = (f'<html lang="de"><body><p id="here"><a href="#nowhere">x</a> <a href="#here">y</a>'
            f'<img src="{url}"><img src="images/ok.svg"></p></body></html>')
    result = render_chunk(_job(html, src, {url: Origin("Zitrone.md", 4)}))
    assert not result.failed and result.pdf and result.pages == 1
    assert result.dead_anchors == ("nowhere",)
    assert result.anchors == {"here": 1}
    codes = [(d.code, d.file, d.line) for d in result.diagnostics]
    assert codes == [(dg.RESOURCE_REFUSED, "Zitrone.md", 4)]  # and no duplicate GL602


def test_worker_reports_other_weasyprint_warnings_as_gl602(roots: tuple[Path, Path]) -> None:
    src, _ = roots
    html = ('<html lang="de"><body><p style="color: nonsense(1)">x</p>'
            '<img src="images/none.png"></body></html>')
    result = render_chunk(_job(html, src))
    found = sorted((d.code, d.message) for d in result.diagnostics)
    assert [code for code, _ in found] == [dg.RESOURCE_REFUSED, dg.RENDER_WARNING]
    assert "no such file" in found[0][1]
    assert found[1][1] == "WeasyPrint: Ignored `color: nonsense(1)` at 1:1, invalid value."


def test_worker_exception_becomes_gl604_not_a_traceback(roots: tuple[Path, Path]) -> None:
    src, _ = roots
    job = ChunkJob(2, "<p>x</p>", "@page { size: A5 }", ("/nonexistent/print.css",),
                   src.as_uri() + "/", (str(src),), {})
    result = render_chunk(job)
    assert result.failed and result.pdf is None
    assert [d.code for d in result.diagnostics] == [dg.TOOL_FAILED]
    assert "part 3" in result.diagnostics[0].message


def test_chunks_cut_at_parts_and_keep_their_order() -> None:
    parts = [pdf_html.Part("front", "f" * 1000)]
    parts += [pdf_html.Part("letter", f'<section id="L{i}">' + "x" * 100_000 + "</section>")
              for i in range(9)]
    parts.append(pdf_html.Part("index", '<a href="#L0">a</a><a href="#L8">b</a>'))
    cut = chunks.cut(parts)
    assert len(cut) == len(parts)  # each part a chunk of its own
    joined = "".join(c.body for c in cut)
    where = [joined.index(f'id="L{i}"') for i in range(9)]
    assert where == sorted(where)
    assert 'href="glossary-xref:L0"' in cut[-1].body  # links into other chunks are placeholders


def test_one_annotation_per_link_not_per_box_inside_it() -> None:
    from pipeline.formats.pdf.layout import _outermost

    outer = ("internal", "RSA", (10.0, 100.0, 90.0, 112.0), None)
    inner_span = ("internal", "RSA", (60.0, 101.0, 90.0, 111.0), None)
    inner_box = ("internal", "RSA", (75.0, 98.0, 90.0, 114.0), None)  # taller inline-block
    next_line = ("internal", "RSA", (10.0, 112.0, 40.0, 126.0), None)  # the link's second line
    other = ("internal", "AES", (60.0, 101.0, 90.0, 111.0), None)
    kept = _outermost([inner_span, outer, inner_box, next_line, other])
    assert kept == [outer, other, next_line]


# --- formulas drawn after layout ------------------------------------------------------------

def _svg(tex: str) -> str:
    """The SVG the PDF gets for a formula (plain paths, as `pdf_math` asks ziamath for)."""
    from ziamath import Math, config

    saved, config.svg2 = config.svg2, False
    try:
        return str(Math.fromlatex(tex, size=pdf_math.SIZE).svg())
    finally:
        config.svg2 = saved


def _raster(pdf_bytes: bytes, tmp_path: Path, name: str) -> list[int]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf_bytes)
    subprocess.run(["pdftoppm", "-r", "150", "-gray", str(path), str(tmp_path / name)], check=True)
    from PIL import Image

    image = Image.open(next(tmp_path.glob(f"{name}*.pgm")))
    return list(image.get_flattened_data())


def test_a_formula_form_draws_what_weasyprint_draws_from_the_svg(tmp_path: Path) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject
    from weasyprint import HTML

    svg = _svg(r"\frac{a}{b} + \sqrt{x^2} \equiv \varphi(n)")
    form = pdf_math.to_form(svg)
    assert form is not None
    x1, y1, x2, y2 = form.bbox
    w, h = (x2 - x1) * 3, (y2 - y1) * 3  # pt: the formula three times the size of its viewBox
    data = base64.b64encode(svg.encode()).decode()
    page_css = f"@page {{ size: {w + 40}pt {h + 40}pt; margin: 20pt }} body {{ margin: 0 }}"
    theirs = HTML(string=f'<style>{page_css}</style><img style="display: block; width: {w}pt; '
                         f'height: {h}pt" src="data:image/svg+xml;base64,{data}">').write_pdf()
    writer = PdfWriter()
    page = writer.add_blank_page(w + 40, h + 40)
    ref = writer._add_object(overlay._form(form))
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/F"): ref})})
    figure = Figure(0, "k", 20, 20, w, h)
    page[NameObject("/Contents")] = writer._add_object(overlay._stream(
        overlay._place(figure, NameObject("/F"), form)))
    out = io.BytesIO()
    writer.write(out)
    a, b = _raster(theirs, tmp_path, "theirs"), _raster(out.getvalue(), tmp_path, "ours")
    assert len(a) == len(b)
    ink = sum(1 for v in a if v < 128)
    assert ink > 500  # the formula is there
    assert sum(1 for p, q in zip(a, b, strict=True) if abs(p - q) > 64) < ink / 100


def test_a_formula_svg_with_unknown_parts_stays_an_image() -> None:
    svg = _svg("x^2")
    assert pdf_math.to_form(svg) is not None
    circle = svg.replace("</svg>", '<circle cx="1" cy="1" r="1"/></svg>')
    relative = svg.replace(' d="M', ' d="m', 1)
    coloured = svg.replace('fill="black"', 'fill="red"', 1)
    for odd in (circle, relative, coloured):
        assert pdf_math.to_form(odd) is None
    forms: dict[str, pdf_math.Form] = {}
    html = pdf_math.convert('<math display="inline"><mi>x</mi></math>', lambda _: None, forms)
    assert 'data-math="' in html and len(forms) == 1
    assert pdf_math.convert('<math display="inline"><mi>x</mi></math>', lambda _: None).startswith(
        '<img class="math"')  # without a place to put the form: an image for WeasyPrint


# A text box that fits its line only without its trailing space, then an inline element.
# The paragraph is made exactly as wide as the text without the space (plus half a pixel),
# whatever the fonts, so the case is met on every machine.
_LINES_SCRIPT = r"""
import json, sys
from weasyprint import HTML
from pipeline.formats.pdf import linebreak as pdf_linebreak
if sys.argv[1] == "corrected":
    pdf_linebreak.install()
TEXT = "Dreifach arbeitet nach dem Schema Verschlüsseln Entschlüsseln Verschlüsseln mit Teilschlüsseln"
def lines(html):
    page = HTML(string=html).render().pages[0]._page_box
    return ["".join(getattr(b, "text", "") or "" for b in line.descendants()).strip()
            for line in page.descendants() if type(line).__name__ == "LineBox"]
def width():
    html = f'<html lang="de"><body style="margin:0"><span id="t" style="white-space:nowrap">{TEXT}</span>'
    page = HTML(string=html).render().pages[0]._page_box
    return next(b for b in page.descendants() if getattr(b, "element_tag", "") == "span").width
box = '<span style="display:inline-block;width:2em;height:1em"></span>'
print(json.dumps(lines(f'<html lang="de"><body style="margin:0"><p style="width:{width() + 0.5}px;'
                       f'margin:0">{TEXT} {box} und so weiter</p>')))
"""


def _first_line(mode: str) -> str:
    done = subprocess.run([sys.executable, "-c", _LINES_SCRIPT, mode], capture_output=True, text=True,
                          check=True)
    return str(json.loads(done.stdout)[0])


def test_a_text_box_that_fits_without_its_trailing_space_keeps_its_line() -> None:
    assert _first_line("corrected").endswith("Teilschlüsseln")


def test_weasyprint_still_needs_the_line_break_correction() -> None:
    # If this fails, WeasyPrint fixed the trailing-space check: drop pdf_linebreak.
    assert _first_line("plain") == "Dreifach"


def test_notes_of_paragraphs_become_page_footnotes_and_others_stay_with_the_entry() -> None:
    ref = '<a href="#T--fn-1" id="T--fnref-1" class="xref footnote-ref" data-term="T"><sup>1</sup></a>'
    place = pdf_html._page_footnotes((("T--fn-1", "<p>Erstens.</p>\n<p>Zweitens <em>kursiv</em>.</p>"),))
    assert place is not None
    printed = pdf_html._FOOTNOTE_REF.sub(place, f"<p>Text.{ref} Weiter.</p>")
    assert printed == ('<p>Text.<span class="footnote" id="T--fn-1">Erstens.<br/>Zweitens '
                       "<em>kursiv</em>.</span> Weiter.</p>")
    assert pdf_html._page_footnotes((("T--fn-1", "<p>Liste:</p><ul><li>a</li></ul>"),)) is None
    assert pdf_html._page_footnotes((("T--fn-1", "<pre><code>x</code></pre>"),)) is None


def test_deeply_nested_content_is_laid_out_not_a_recursion_error(tmp_path: Path) -> None:
    # WeasyPrint recurses once per nesting level; 300 levels pass Python's default limit.
    deep = "<div>" * 300 + "tief" + "</div>" * 300
    job = ChunkJob(0, f"<html><body>{deep}</body></html>", "", (), tmp_path.as_uri() + "/",
                   (str(tmp_path),), {})
    result = render_chunk(job)
    assert not result.failed, [d.message for d in result.diagnostics]
    assert result.pages == 1 and result.pdf


def _sized(pages: int, anchors: list[str]) -> chunks.Chunk:
    """A chunk the estimate takes for `pages` pages, its anchors spread over it."""
    places = {a: i / max(len(anchors), 1) for i, a in enumerate(anchors)}
    return chunks.Chunk("", pages, frozenset(), places, False)


def test_without_a_page_map_the_parts_up_to_the_last_new_digit_are_laid_out_first() -> None:
    # 27 parts of 20 estimated pages: 540 pages, the numbers gain their third digit at 100;
    # parts up to a little past it (110) go first, so every later anchor is known to be past 100.
    book = [_sized(20, [f"T{i}"]) for i in range(27)]
    first = chunks._prefix(book)
    assert chunks._starts(book)[first - 1] <= 110 < chunks._starts(book)[first]
    assert 6 <= first <= 8
    # no first round for a book of fewer than ten pages, nor when it would be one part alone
    assert chunks._prefix([_sized(2, ["A"]), _sized(3, ["B"])]) == 2
    assert chunks._prefix([_sized(20, ["A"]), _sized(20, ["B"]), _sized(20, ["C"])]) == 3
    assert chunks._prefix([_sized(5, ["A"]), _sized(5, ["B"]), _sized(5, ["C"]), _sized(20, ["D"])]) == 3


def test_the_first_parts_laid_out_correct_every_later_guess() -> None:
    from pipeline.formats.pdf.layout import ChunkResult

    book = [_sized(10, ["A"]), _sized(10, ["B"]), _sized(10, ["C"])]
    guess = chunks._estimate(book)
    assert guess == {"A": 1, "B": 11, "C": 21}
    laid = [ChunkResult(0, 14, {"A": 1}, b"", ()), ChunkResult(1, 13, {"B": 2}, b"", ())]
    corrected = chunks._corrected(book, guess, laid)
    # A and B where they really are; C moved by the 7 pages the first two took more
    assert corrected == {"A": 1, "B": 16, "C": 28}


def test_the_classes_a_stylesheet_begins_a_page_with(tmp_path: Path) -> None:
    sheet = tmp_path / "print.css"
    sheet.write_text(".a { break-before: page }\n.b, .c { color: red; break-before: right }\n"
                     ".d { break-before: avoid }\ndiv.e { break-before: page }\n"
                     "/* .f { break-before: page } */\n.g { page-break-before: always }\n"
                     "@page { margin: 1cm }\n", encoding="utf-8")
    assert chunks.page_breaks([str(sheet)]) == {"a", "b", "c", "g"}
    shipped = Path(__file__).resolve().parent.parent / "styles" / "print" / "print.css"
    assert chunks.page_breaks([str(shipped)]) == {"imprint", "toc", "letter", "index", "page"}


def test_the_page_estimate_counts_text_lines_and_pieces_that_begin_a_page() -> None:
    per_page = chunks.TEXT_PER_PAGE
    assert chunks.estimated_pages("<p>" + "x" * (2 * per_page + 500) + "</p>") == 3
    assert chunks.estimated_pages("<p>" + "x" * (2 * per_page - 300) + "</p>") == 2  # nearly full
    assert chunks.estimated_pages("<p>" + "x" * (2 * per_page - 10) + "</p>") == 3  # no room left
    # entities are one character; an image's data: URL is no text
    assert chunks.estimated_pages("<p>" + "&amp;" * (per_page // 2) + "</p>") == 1
    assert chunks.estimated_pages('<p><img src="data:image/png;base64,' + "A" * 50_000 + '"></p>') == 1
    lines = "".join(f"<li>{i}</li>" for i in range(2 * chunks.LINES_PER_PAGE + chunks.LINES_PER_PAGE // 2))
    assert chunks.estimated_pages(f"<ul>{lines}</ul>") == 3  # the contents: many short lines
    # a page reference is as long as its digits, however long the anchor its placeholder names
    ref = f"→ S. <span>{REF_OPEN}{'Ein-sehr-langer-Begriff' * 4}{REF_CLOSE}</span> "
    text = "<p>" + "x" * (per_page // 2) + ref * 20 + "</p>"
    assert chunks.estimated_pages(text) == 1
    assert chunks.estimated_pages(text.replace(REF_OPEN, "").replace(REF_CLOSE, "")) == 2
    front = '<section class="title"><p>T</p></section><section class="imprint"><p>I</p></section>'
    assert chunks.estimated_pages(front) == 1
    assert chunks.estimated_pages(front, frozenset({"imprint"})) == 2
