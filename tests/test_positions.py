"""Source positions found in the file text (no second pandoc pass), checked on a tricky entry:
code spans, fenced and indented code and comments that look like links, reference links,
nested brackets, images, raw anchors, percent-encoded targets and setext headings."""

from __future__ import annotations

from conftest import fixture_path

from pipeline import Report, read_book
from pipeline.normalise.positions import scan


def test_every_finding_is_placed_where_it_was_written() -> None:
    report = Report()
    read_book(fixture_path("positions"), report)
    found = {(d.code, d.line, d.column) for d in report if d.file == "Alpha.md"}
    assert found == {
        ("GL101", 5, 7),     # [Beta](#Betta), after `[Code](#Nope1)` in a code span (not a link)
        ("GL101", 5, 47),    # [Gamma] with a definition further down
        ("GL101", 5, 59),    # [Delta][d]
        ("GL308", 6, 11),    # ![Bild](fehlt.png "Titel"): the image's "!"
        ("GL101", 6, 42),    # [Link mit [Klammern]](#Nope2): the outer bracket
        ("GL401", 16, 1),    # a setext heading with an unknown class
        ("GL101", 19, 6),    # <a href="#Nope6">: the raw anchor
        ("GL101", 19, 35),   # [Beta](<#Betta>): the second link to #Betta in the file
        ("GL101", 19, 56),   # [E](#Ü%20x): percent-encoded
        ("GL401", 21, 1),    # ### Abschnitt {.unbekannt}
        ("GL101", 23, 13),   # a link in a list item
    }


def test_code_and_comments_hold_no_links() -> None:
    text = (fixture_path("positions") / "Alpha.md").read_text(encoding="utf-8")
    targets = set(scan(text).links)
    assert {"#Nope1", "#Nope3", "#Nope4", "#Nope5"}.isdisjoint(targets)
    assert {"#Betta", "#Nope2", "#Nope6", "#Gamma-fehlt", "#Delta-fehlt", "#Ü x"} <= targets
