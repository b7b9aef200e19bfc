"""Line breaks of covers and title pages, chosen by the text (pipeline/formats/common/linebreaks.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import build_into
from PIL import Image, ImageDraw

from pipeline.config import BookConfig
from pipeline.formats.common import linebreaks
from pipeline.formats.epub import cover

STYLES = Path(__file__).resolve().parent.parent / "styles"
TITLES = ["KI-Glossar und -Tutorial von A bis Z", "Kleines Kryptographie-Glossar",
          "Begriffe der Verschlüsselung von A bis Z", "Ein- und Ausgabe von Daten und Programmen",
          "Das große Handbuch der Post-Quanten-Kryptographie und Schlüsselverwaltung"]


def _mono(text: str) -> float:
    return float(len(text))


def test_no_line_begins_with_a_hyphen_and_the_last_line_is_not_left_alone() -> None:
    # greedy at 16 characters: "KI-Glossar und" | "-Tutorial von A" | "bis Z"
    assert linebreaks.lines("KI-Glossar und -Tutorial von A bis Z", _mono, 16) == \
        ["KI-Glossar", "und -Tutorial", "von A bis Z"]


def test_a_compound_breaks_at_its_hyphen_only_between_real_parts() -> None:
    assert linebreaks.lines("Post-Quanten-Kryptographie", _mono, 15) == ["Post-Quanten-", "Kryptographie"]
    assert linebreaks.lines("E-Mail-Verschlüsselung", _mono, 8) == ["E-Mail-", "Verschlüsselung"]


def test_a_single_word_on_the_last_line_is_avoided_when_it_can_be() -> None:
    # greedy at 30 characters: "Begriffe der Verschlüsselung" | "von A bis Z" is fine, but at 33:
    # "Begriffe der Verschlüsselung von" | "A bis Z"; at 36 "… von A bis" | "Z"
    for width in (30, 33, 36):
        lines = linebreaks.lines("Begriffe der Verschlüsselung von A bis Z", _mono, width)
        assert len(lines) == 2 and not linebreaks.lonely(lines), (width, lines)
        assert not lines[0].endswith((" von", " A", " bis")), (width, lines)
    assert linebreaks.lines("Kleines Glossar", _mono, 10) == ["Kleines", "Glossar"]  # unavoidable


def test_bound_puts_no_break_spaces_where_a_break_is_forbidden() -> None:
    assert linebreaks.bound("KI-Glossar und -Tutorial") == "KI-Glossar und\u00a0-\u2060Tutorial"
    assert linebreaks.bound("Ein- und Ausgabe") == "Ein- und Ausgabe"


@pytest.mark.parametrize("title", TITLES)
def test_the_cover_sets_titles_by_these_rules_at_real_widths(title: str) -> None:
    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    font = cover._fit(draw, title, cover._fonts(STYLES)[0], 150, 4)
    lines = cover._lines(draw, title, font)
    assert "".join(lines).replace(" ", "") == title.replace(" ", "")
    assert all(not line.startswith("-") for line in lines)
    assert all(draw.textlength(line, font=font) <= cover._TEXT_WIDTH for line in lines)
    if title in TITLES[2:4] + TITLES[:1]:  # need not leave a word alone (the others must)
        assert not linebreaks.lonely(lines), lines


def test_the_cover_image_and_the_title_pages_keep_the_rules(tmp_path: Path) -> None:
    config = BookConfig(title=TITLES[0], subtitle="Begriffe und Verfahren", authors=("A. Autorin",))
    png = cover.cover_png(config, STYLES)
    assert png.startswith(b"\x89PNG")
    root = tmp_path / "g"
    root.mkdir()
    (root / "A.md").write_text("## A {#A .term}\n\n***Kurz.***\n\nText.\n", encoding="utf-8")
    (root / "book.toml").write_text(f'title = "{TITLES[0]}"\n', encoding="utf-8")
    outputs, report = build_into(root, tmp_path / "out", "epub")
    assert not report.errors
    with zipfile.ZipFile(outputs["epub"]) as z:
        page = z.read("EPUB/titlepage.xhtml").decode("utf-8")
    assert '<h1 class="book-title">KI-Glossar und\u00a0-\u2060Tutorial von A bis Z</h1>' in page
    assert '<section class="imprint"' in page and "imprint-identifier" in page
