"""Term-less files are judged with their siblings: a heading that lacks `.term` among term files
is read as a term (GL209), a hand-kept index page is reported and not published (GL310), an
attribute block left open is GL207 at its line with the entry still published."""

from __future__ import annotations

from pathlib import Path

from conftest import fixture_path

from pipeline import diagnostics as dg
from pipeline.build import read_book

CODES = fixture_path("codes")


def _read(folder: Path) -> tuple[set[str], list[dg.Diagnostic]]:
    report = dg.Report()
    book = read_book(folder, report)
    return {t.id for t in book.terms}, list(report)


def test_headings_without_term_class_are_terms_and_their_links_resolve() -> None:
    ids, found = _read(CODES / "GL209")
    assert ids == {"Alpha", "Beta", "Gamma", "LAM", "Netz"}
    assert not [d for d in found if d.code == dg.LINK_BROKEN]  # Alpha links both
    netz = next(d for d in found if d.code == dg.TERM_NO_CLASS and d.file == "Netz.md")
    assert "id from the file name" in netz.message and "{#Netz .term}" in netz.hint
    # an H1 note is at no term level: no entry, and said so
    assert [d.file for d in found if d.code == dg.FILE_NO_TERM] == ["notizen.md"]


def test_a_heading_is_not_taken_for_a_term_when_the_siblings_are_no_terms(tmp_path: Path) -> None:
    (tmp_path / "Alpha.md").write_text("## Alpha {#Alpha .term}\n\n***A***\n\nText.\n", encoding="utf-8")
    for name in ("eins", "zwei", "drei"):
        (tmp_path / f"{name}.md").write_text(f"## {name} {{#{name}}}\n\nNotiz.\n", encoding="utf-8")
    ids, found = _read(tmp_path)
    assert ids == {"Alpha"}
    assert sorted(d.file for d in found if d.code == dg.FILE_NO_TERM) == ["drei.md", "eins.md", "zwei.md"]
    assert not [d for d in found if d.code == dg.TERM_NO_CLASS]


def test_a_file_with_several_headings_and_no_id_stays_no_entry(tmp_path: Path) -> None:
    for name in ("Alpha", "Beta"):
        (tmp_path / f"{name}.md").write_text(f"## {name} {{#{name} .term}}\n\n***A***\n\nText.\n",
                                             encoding="utf-8")
    (tmp_path / "liste.md").write_text("## Eins\n\nText.\n\n## Zwei\n\nText.\n", encoding="utf-8")
    ids, found = _read(tmp_path)
    assert ids == {"Alpha", "Beta"}
    assert [d.file for d in found if d.code == dg.FILE_NO_TERM] == ["liste.md"]


def test_an_unclosed_attribute_block_is_an_error_at_its_line_and_the_entry_is_published(
        tmp_path: Path) -> None:
    (tmp_path / "Alpha.md").write_text(
        "## Alpha {#Alpha .term}\n\n***A***\n\nSiehe [Kaputt](#Kaputt).\n\n"
        "## Kaputt {#Kaputt .term\n\n***K***\n\nText.\n", encoding="utf-8")
    report = dg.Report()
    book = read_book(tmp_path, report)
    assert [t.id for t in book.terms] == ["Alpha", "Kaputt"]
    assert book.term("Kaputt").title_text == "Kaputt"
    (err,) = [d for d in report if d.code == dg.ID_INVALID]
    assert (err.line, err.column, err.severity) == (7, 1, dg.Severity.ERROR)
    assert "missing }" in err.message
    assert not [d for d in report if d.code == dg.LINK_BROKEN]


def test_an_unclosed_block_without_term_class_among_terms_is_a_term_too(tmp_path: Path) -> None:
    for name in ("Alpha", "Beta"):
        (tmp_path / f"{name}.md").write_text(f"## {name} {{#{name} .term}}\n\n***A***\n\nText.\n",
                                             encoding="utf-8")
    (tmp_path / "LAM.md").write_text("Vorab.\n\n## LAM {#LAM\n\n***L***\n\nText.\n", encoding="utf-8")
    report = dg.Report()
    book = read_book(tmp_path, report)
    assert book.term("LAM").title_text == "LAM"
    codes = {(d.code, d.line) for d in report if d.file == "LAM.md"}
    assert {(dg.TERM_NO_CLASS, 3), (dg.ID_INVALID, 3), (dg.FILE_PREAMBLE, 1)} <= codes


def test_a_hand_kept_index_is_not_published_and_its_links_are_checked() -> None:
    report = dg.Report()
    book = read_book(CODES / "GL310", report)
    assert [t.id for t in book.terms] == ["Alpha", "Beta", "Delta"]
    assert book.pages == ()  # superseded, not front or back matter
    (index,) = [d for d in report if d.code == dg.FILE_INDEX_PAGE]
    assert index.file == "index.md" and "4 links" in index.message
    (broken,) = [d for d in report if d.code == dg.LINK_BROKEN]
    assert (broken.file, broken.line, broken.column) == ("index.md", 17, 3)


def test_a_list_of_web_links_under_letters_is_no_index_page(tmp_path: Path) -> None:
    for name in ("Alpha", "Beta"):
        (tmp_path / f"{name}.md").write_text(f"## {name} {{#{name} .term}}\n\n***A***\n\nText.\n",
                                             encoding="utf-8")
    (tmp_path / "links.md").write_text(
        "# Links\n\n## A\n\n- [a](https://a.example)\n- [b](https://b.example)\n\n"
        "## B\n\n- [c](https://c.example)\n", encoding="utf-8")
    _ids, found = _read(tmp_path)
    assert [d.file for d in found if d.code == dg.FILE_NO_TERM] == ["links.md"]
