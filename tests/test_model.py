"""Parsing and resolution: from source files to the Book (structure, ids, links, index)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fixture_path

from pipeline import diagnostics as dg
from pipeline import read_book
from pipeline.model import BROKEN_CLASS, Book, xref_target
from pipeline.pandoc_ast import iter_nodes, stringify


@pytest.fixture(scope="module")
def messy() -> tuple[Book, dg.Report]:
    report = dg.Report()
    return read_book(fixture_path("messy"), report), report


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def links_of(nodes: object) -> list[tuple[str, str]]:
    return [t for n in iter_nodes(nodes) if (t := xref_target(n)) is not None]


def test_term_structure(demo_book: Book) -> None:
    rsa = demo_book.term("RSA")
    assert rsa.title_text == "RSA"
    assert len(rsa.taglines) == 1 and "Public-Key" in stringify(list(rsa.taglines[0]))
    assert rsa.definition and rsa.definition[0]["t"] == "Para"
    assert [s.kind for s in rsa.sections] and all(s.kind != "seealso" for s in rsa.sections)
    assert rsa.see_also and rsa.links_index
    assert all(item.target in demo_book for item in rsa.see_also)
    assert rsa.source.file == "RSA.md" and rsa.source.line == 1


def test_bulleted_taglines_and_haiku(demo_book: Book) -> None:
    assert len(demo_book.term("XOR").taglines) == 2
    assert "haiku" in [s.kind for s in demo_book.term("Enigma").sections]


def test_h3_term_is_normalised_and_its_h4_sections_found(demo_book: Book) -> None:
    term = demo_book.term("Kerckhoffs-Prinzip")
    assert term.sections and term.see_also
    assert term.source.line == 1


def test_two_terms_in_one_file(demo_book: Book) -> None:
    assert demo_book.term("Klartext").source.file == demo_book.term("Chiffretext").source.file
    assert demo_book.term("Chiffretext").source.line > 1


def test_aliases_enter_the_index(demo_book: Book) -> None:
    entries = {e.label: e for g in demo_book.index for e in g.entries}
    assert entries["Rijndael"].term_id == "AES" and entries["Rijndael"].is_alias
    assert entries["RSA"].term_id == "RSA" and not entries["RSA"].is_alias
    assert len([e for e in entries.values() if not e.is_alias]) == len(demo_book.terms)


def test_back_references_are_the_inverse_of_references(demo_book: Book) -> None:
    for term in demo_book:
        for target in term.refs_out:
            assert term.id in demo_book.term(target).refs_in
        for source in term.refs_in:
            assert term.id in demo_book.term(source).refs_out
    ids = [t.id for t in demo_book]
    for term in demo_book:
        assert list(term.refs_in) == sorted(term.refs_in, key=ids.index)


def test_ids_are_unique_in_the_whole_book(demo_book: Book) -> None:
    seen: set[str] = set()
    for term in demo_book:
        content = [*term.definition, *(b for s in term.sections for b in s.blocks)]
        ids = [term.id, *(s.id for s in term.sections)]
        ids += [n["c"][1][0] for n in iter_nodes(content) if n["t"] == "Header" and n["c"][1][0]]
        for ident in ids:
            assert ident not in seen
            seen.add(ident)


def test_messy_duplicate_is_renamed_and_links_go_to_the_first(messy: tuple[Book, dg.Report]) -> None:
    book, _ = messy
    assert book.term("Zebra").source.file == "Zebra.md"
    assert book.term("Zebra-2").source.file == "Zebra-Kopie.md"
    assert book.term("Zebra-2").original_id == "Zebra"
    assert "Ärger" in book.term("Zebra").refs_in


def test_messy_broken_links_become_plain_text(messy: tuple[Book, dg.Report]) -> None:
    book, _ = messy
    arger = book.term("Ärger")
    broken = [n for n in iter_nodes(list(arger.definition)) if n["t"] == "Span"
              and BROKEN_CLASS in n["c"][0][1]]
    assert [stringify(n["c"][1]) for n in broken] == ["Nirgendwo"]
    assert [i.target for i in arger.see_also] == ["Zebra", "Öl", None]
    assert ("Zebra", "") in links_of(list(arger.definition))  # #zebra resolved by case


def test_messy_skips_bad_files_and_keeps_the_rest(messy: tuple[Book, dg.Report]) -> None:
    book, report = messy
    files = {t.source.file for t in book}
    assert files == {"Ärger.md", "Zebra.md", "Zebra-Kopie.md", "sub/Öl.md", "ohne-id.md"}
    assert "Merged-1" not in book and "Latin" not in book
    assert book.term("3D-Druck").letter == "0-9"
    assert book.term("Ohne-Id").original_id == ""
    codes = {d.code for d in report}
    assert {"GL101", "GL201", "GL202", "GL301", "GL302", "GL303", "GL304"} <= codes


def test_footnotes_stay_in_their_file(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "## A {#A .term}\n\n***a***\n\nEins.[^1]\n\n[^1]: Note A.\n")
    write(tmp_path, "b.md", "## B {#B .term}\n\n***b***\n\nZwei.[^1]\n\n[^1]: Note B.\n")
    book = read_book(tmp_path, dg.Report())
    notes = {t.id: [stringify(n["c"]) for n in iter_nodes(list(t.definition)) if n["t"] == "Note"]
             for t in book}
    assert notes == {"A": ["Note A."], "B": ["Note B."]}


def test_an_unclosed_fence_does_not_swallow_the_next_file(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "## A {#A .term}\n\n***a***\n\n```\nnever closed\n")
    write(tmp_path, "b.md", "## B {#B .term}\n\n***b***\n\nText.\n")
    book = read_book(tmp_path, dg.Report())
    assert [t.id for t in book] == ["A", "B"]


def test_a_link_inside_code_is_not_a_link(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "## A {#A .term}\n\n***a***\n\n```\n[x](#Nowhere)\n```\n\n`[y](#Nope)`\n")
    report = dg.Report()
    read_book(tmp_path, report)
    assert not [d for d in report if d.code == "GL101"]


def test_local_section_links_and_file_links_resolve(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "## A {#A .term}\n\n***a***\n\nSee [below](#more) and [B](b.md).\n\n"
          "### More {#more .explanation}\n\nText.\n")
    write(tmp_path, "b.md", "## B {#B .term}\n\n***b***\n\nText.\n")
    book = read_book(tmp_path, dg.Report())
    assert links_of(list(book.term("A").definition)) == [("A", "A--more"), ("B", "")]
    assert book.term("A").sections[0].id == "A--more"


def test_a_link_to_a_section_of_another_term_lands_on_that_section(tmp_path: Path) -> None:
    section = "### Aufbau {#aufbau .explanation}\n\nMehr.\n"
    write(tmp_path, "a.md", f"## A {{#A .term}}\n\n***a***\n\nText.\n\n{section}")
    write(tmp_path, "b.md", "## B {#B .term}\n\n***b***\n\n[Aufbau](#aufbau), [again](#A--aufbau).\n")
    report = dg.Report()
    book = read_book(tmp_path, report)
    assert links_of(list(book.term("B").definition)) == [("A", "A--aufbau"), ("A", "A--aufbau")]
    assert book.term("A").refs_in == ("B",) and not list(report)
    write(tmp_path, "c.md", f"## C {{#C .term}}\n\n***c***\n\nText.\n\n{section}")
    report = dg.Report()
    book = read_book(tmp_path, report)
    assert links_of(list(book.term("B").definition)) == [("A", "A--aufbau")]  # the ambiguous one: text
    (ambiguous,) = [d for d in report if d.code == "GL101"]
    assert "(#A--aufbau) or (#C--aufbau)" in ambiguous.hint and (ambiguous.line, ambiguous.column) == (5, 1)


def test_see_also_keeps_every_item_and_reports_text_that_is_no_link(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "## A {#A .term}\n\n***a***\n\nText.\n\n### Verwandte Themen {.seealso}\n\n"
          "[B](#B) | *[C](#C)* | [Web](https://example.org/) | [Fehlt](#Fehlt) | [A](#A) |\n"
          "Nur Text | [Index](#Index) |\n")
    write(tmp_path, "b.md", "## B {#B .term}\n\n***b***\n\nText.\n\n### Verwandte Themen {.seealso}\n\n"
          "- [A](#A)\n- [C](#C)\n- [Index](#Index)\n")
    write(tmp_path, "c.md", "## C {#C .term}\n\n***c***\n\nText.\n")
    report = dg.Report()
    book = read_book(tmp_path, report)
    a = book.term("A")
    assert [(i.target, i.label_text) for i in a.see_also] == [
        ("B", "B"), ("C", "C"), (None, "Web"), (None, "Fehlt"), (None, "Nur Text")]
    assert a.see_also[2].label[0]["t"] == "Link"  # the web link is kept as a link
    assert a.links_index and book.term("B").links_index
    assert [i.target for i in book.term("B").see_also] == ["A", "C"]
    (text,) = [d for d in report if d.code == "GL403"]
    assert "„Nur Text“" in text.message


def test_raw_html_anchors_are_links_like_any_other(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "## A {#A .term}\n\n***a***\n\n"
          "See <a href=\"#B\" title=\"t\">the <em>B</em> term</a>, <A HREF='b.md'>B again</A>,\n"
          "<a href=\"#Nowhere\">gone</a>, <a href=\"https://example.org/?a=1&amp;b=2\">web</a> "
          "and <a href=\"#B\">unclosed. <a name=\"anchor\">Named</a>, not a link.\n")
    write(tmp_path, "b.md", "## B {#B .term}\n\n***b***\n\nText.\n")
    report = dg.Report()
    book = read_book(tmp_path, report)
    definition = list(book.term("A").definition)
    assert links_of(definition) == [("B", ""), ("B", "")]
    assert "the B term" in stringify(definition)
    web = [n["c"][2][0] for n in iter_nodes(definition) if n["t"] == "Link" and not xref_target(n)]
    assert web == ["https://example.org/?a=1&b=2"]
    raw = [n["c"][1] for n in iter_nodes(definition) if n["t"] == "RawInline"]
    # no </a> before the next <a>, or no href: left raw HTML (which the sanitiser closes the way
    # a browser reads it: the second <a> ends the first)
    assert "".join(raw).count('<a href="#B">') == 1 and '<a name="anchor">' in "".join(raw)
    broken = [d for d in report if d.code == "GL101"]
    assert [(d.file, d.line, d.column) for d in broken] == [("a.md", 6, 1)]
    assert book.term("B").refs_in == ("A",)


@pytest.mark.parametrize(("language", "printed"), [
    ("de", "„Hallo“ und ‚so‘"), ("de-AT", "„Hallo“ und ‚so‘"), ("de-CH", "«Hallo» und ‹so›"),
    ("en", "“Hallo” und ‘so’"), ("fr", "«\u202fHallo\u202f» und ‹\u202fso\u202f›"),
    ("tlh", "“Hallo” und ‘so’"),
])
def test_straight_quotes_become_the_languages_quotation_marks(tmp_path: Path, language: str,
                                                               printed: str) -> None:
    write(tmp_path, "book.toml", f'title = "T"\nlanguage = "{language}"\n')
    write(tmp_path, "a.md", '## "Zitat" {#A .term}\n\n***a***\n\nEr sagte "Hallo" und \'so\'.\n')
    term = read_book(tmp_path, dg.Report()).term("A")
    assert printed in stringify(list(term.definition))
    assert not [n for n in iter_nodes(list(term.content)) if n["t"] == "Quoted"]
    assert term.title_text == printed.replace("Hallo", "Zitat").split(" und")[0]


def test_title_markup_is_kept_but_sorting_uses_plain_text(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "## GPT-4.5 *(Stand März 2025)* {#GPT-4.5 .term}\n\n***x***\n\nText.\n")
    write(tmp_path, "b.md", "## Gamma {#Gamma .term}\n\n***x***\n\nText.\n")
    book = read_book(tmp_path, dg.Report())
    term = book.term("GPT-4.5")
    assert any(n["t"] == "Emph" for n in term.title)
    assert term.title_text == "GPT-4.5 (Stand März 2025)"
    assert [t.id for t in book] == ["Gamma", "GPT-4.5"]


def test_index_link_is_reserved(demo_book: Book) -> None:
    assert all(item.target != "Index" for t in demo_book for item in t.see_also)
    assert sum(t.links_index for t in demo_book) == len(demo_book.terms)
