"""Typography rules shared by the formats: dates as the language writes them, unary minus set
as a sign. (Running heads: tests/test_pdf.py; DOCX page references: tests/test_docx*.py; one
order of a term's parts: tests/test_consistency.py.)"""

from __future__ import annotations

import itertools
import re
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pypandoc
import pytest

from pipeline import diagnostics as dg
from pipeline.config import load_config
from pipeline.formats.pdf import formulas
from pipeline.i18n import written_date

# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("iso", "language", "written"), [
    ("2026-11-29", "de", "29. November 2026"),
    ("2026-03-01", "de-AT", "1. März 2026"),
    ("2026-11-29", "en", "November 29, 2026"),
    ("2026-11-29", "en-GB", "29 November 2026"),
    ("2026-11-29", "fr", "29 novembre 2026"),
    ("2025-03", "de", "März 2025"),
    ("2025-03", "en", "March 2025"),
    ("2025", "de", "2025"),
    ("2026-11-29", "tlh", "2026-11-29"),  # a language CLDR does not know keeps the ISO form
])
def test_a_date_is_written_the_languages_way(iso: str, language: str, written: str) -> None:
    assert written_date(iso, language) == written


@pytest.mark.parametrize(("value", "iso"), [('"2025-03"', "2025-03"), ('"2025"', "2025"), ("2025", "2025"),
                                            ("2026-11-29", "2026-11-29"), ('"2026-11-29"', "2026-11-29")])
def test_date_may_be_a_day_a_month_or_a_year(tmp_path: Path, value: str, iso: str) -> None:
    (tmp_path / "book.toml").write_text(f"date = {value}\n", encoding="utf-8")
    assert load_config(tmp_path, dg.Report()).date == iso


@pytest.mark.parametrize("value", ['"2025-13"', '"20261129"', '"2026-W48"', '"29.11.2026"', "true"])
def test_other_dates_are_refused_with_their_line(tmp_path: Path, value: str) -> None:
    (tmp_path / "book.toml").write_text(f'title = "T"\ndate = {value}\n', encoding="utf-8")
    with pytest.raises(dg.GlossaryError) as caught:
        load_config(tmp_path, dg.Report())
    d = caught.value.diagnostic
    assert d.line == 2 and "2026-11" in d.message


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["pdf", "epub", "docx", "html"])
def test_every_format_prints_the_written_date(fmt: str, demo_outputs: Callable[[str], Path]) -> None:
    """The demo's `date = "2026-11-29"`: "29. November 2026" wherever a reader reads it; the
    ISO form only where a machine reads it (`<time datetime>`, metadata)."""
    out = demo_outputs(fmt)
    if fmt == "pdf":
        text = subprocess.run(["pdftotext", "-l", "3", str(out), "-"], capture_output=True, text=True,
                              check=True).stdout
    elif fmt == "html":
        text = (out / "index.html").read_text(encoding="utf-8")
        assert '<time datetime="2026-11-29">29. November 2026</time>' in text
        text = re.sub(r'datetime="[^"]*"', "", text)
    else:
        with zipfile.ZipFile(out) as z:
            part = "word/document.xml" if fmt == "docx" else "EPUB/titlepage.xhtml"
            text = re.sub(r"<[^>]+>", "", z.read(part).decode("utf-8"))
    assert "29. November 2026" in text
    assert "2026-11-29" not in text


# --- unary minus ----------------------------------------------------------------------------


def _gaps(tex: str) -> list[float]:
    """Ink gaps between consecutive glyphs of the formula as the PDF draws it (ziamath paths, in
    SVG units of 20 per em), after the pipeline's MathML pass."""
    html = pypandoc.convert_text(f"${tex}$", "html", format="markdown", extra_args=["--mathml"])
    mathml = re.findall(r"<math.*?</math>", html, re.S)[0]
    svg, _ = formulas._svg(formulas.signs(mathml))
    spans = []
    for d in re.findall(r'<path d="([^"]*)"', svg):
        xs = [float(v) for v in re.findall(r"-?[\d.]+", d)[0::2]]
        spans.append((min(xs), max(xs)))
    return [b[0] - a[1] for a, b in itertools.pairwise(spans)]


def test_unary_minus_is_a_sign_not_an_operation() -> None:
    """"(1, −8, −3, 2)": each − sits against its number as in the EPUB (a browser's MathML), not
    with the medium space of a subtraction ("1 − 8") on its right."""
    binary = _gaps("1 - 8")
    assert len(binary) == 2
    listed = _gaps("(1, -8, -3, 2)")  # ( 1 , − 8 , − 3 , 2 )
    assert listed[3] < binary[1] * 0.6 and listed[6] < binary[1] * 0.6, (listed, binary)
    after_relation = _gaps("x = -8")  # x = − 8
    assert after_relation[2] < binary[1] * 0.6, after_relation
    assert min(_gaps("a - b")) > binary[1] * 0.8  # a subtraction keeps its spaces
