"""Unlinked mentions (GL110): precision and recall on a hand-labelled German fixture, exact
positions, the German and English rules, and what is never searched.

`tests/fixtures/mentions/labels.json` was labelled by hand before the search was run on it:
every entry's first mention of each term it does not link (positives, with line and column),
and false friends and places that must not count (negatives, listed for the reader).
Labelling rule: a mention names the term's concept — an inflected form, a synonym, a verb of
it, the term as a part of a hyphenated compound or as the head (last part) of a closed one;
not a homonym (`Access-Token`, `Spannung` as suspense) and not a compound's first part
(`Trainingsdaten`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DEMO, fixture_path

from pipeline import diagnostics as dg
from pipeline.build import read_book
from pipeline.insight.inflect import name_words
from pipeline.insight.matcher import COMPOUND, WITHIN, WORD, Matcher
from pipeline.insight.mentions import find_mentions, see_also_suggestions

FIXTURE = fixture_path("mentions")


def _found(folder: Path) -> list[tuple[str, str, str, int, int]]:
    book = read_book(folder, dg.Report())
    return [(m.entry, m.target, m.file, m.line, m.column) for m in find_mentions(book)]


def test_precision_and_recall_on_the_labelled_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    labels = json.loads((FIXTURE / "labels.json").read_text(encoding="utf-8"))
    truth = {(p["entry"], p["target"], p["file"], p["line"], p["column"]) for p in labels["positives"]}
    found = set(_found(FIXTURE))
    hits = found & truth
    precision, recall = len(hits) / len(found), len(hits) / len(truth)
    with capsys.disabled():
        print(f"\nunlinked mentions on {FIXTURE.name}: {len(truth)} labelled, {len(found)} found, "
              f"{len(hits)} right — precision {precision:.2f}, recall {recall:.2f}")
        for miss in sorted(truth - found):
            print("  missed:", miss)
        for wrong in sorted(found - truth):
            print("  wrong: ", wrong)
    assert len(truth) >= 40
    assert precision >= 0.9
    assert recall >= 0.8


def test_false_friends_and_non_prose_are_not_reported_where_they_stand() -> None:
    labels = json.loads((FIXTURE / "labels.json").read_text(encoding="utf-8"))
    found = {(f, line, col) for _e, _t, f, line, col in _found(FIXTURE)}
    deterministic = [n for n in labels["negatives"] if "homonym" not in n.get("note", "")]
    assert len(deterministic) >= 8
    for n in deterministic:  # a homonym is the one thing spelling cannot tell apart
        assert (n["file"], n["line"], n["column"]) not in found, n


@pytest.mark.parametrize("folder", [FIXTURE, DEMO], ids=["fixture", "demo"])
def test_each_position_points_at_the_mention_in_the_file(folder: Path) -> None:
    book = read_book(folder, dg.Report())
    found = find_mentions(book)
    assert found
    for m in found:
        line = (folder / m.file).read_text(encoding="utf-8").split("\n")[m.line - 1]
        first = m.text.split()[0]
        assert line[m.column - 1:].casefold().startswith(first.casefold()), (m, line)


def _hits(names: list[tuple[str, str]], text: str, language: str = "de") -> list[tuple[str, str, str]]:
    return [(h.term, text[h.start:h.end], h.kind) for h in Matcher(names, language).hits(text)]


@pytest.mark.parametrize("text, found", [
    ("des Sprachmodells", "Sprachmodells"),  # Genitiv -s
    ("zwei Sprachmodelle", "Sprachmodelle"),  # plural -e
    ("mit Sprachmodellen", "Sprachmodellen"),  # dative plural
    ("SPRACHMODELL", "SPRACHMODELL"),  # case-insensitive
])
def test_german_inflection(text: str, found: str) -> None:
    assert _hits([("S", "Sprachmodell")], text) == [("S", found, WORD)]


def test_german_adjectives_inflect_in_a_multi_word_name() -> None:
    names = [("OS", "Öffentlicher Schlüssel")]
    assert _hits(names, "des öffentlichen Schlüssels")[0][1] == "öffentlichen Schlüssels"
    assert _hits(names, "einen öffentlichen\nSchlüssel")[0][1] == "öffentlichen\nSchlüssel"


def test_umlaut_plural_only_through_the_alias_list() -> None:
    assert _hits([("D", "Datensatz")], "viele Datensätze") == []
    assert _hits([("D", "Datensatz"), ("D", "Datensätze")], "viele Datensätzen") == [
        ("D", "Datensätzen", WORD)]


def test_compounds_hyphenated_and_closed() -> None:
    names = [("T", "Transformer"), ("N", "Netzgerät"), ("S", "Salt")]
    assert _hits(names, "ein Transformer-Modell") == [("T", "Transformer", COMPOUND)]
    assert _hits(names, "das Hochspannungsnetzgerät") == [("N", "netzgerät", WITHIN)]
    assert _hits(names, "Labornetzgeräte") == [("N", "netzgeräte", WITHIN)]
    assert _hits(names, "auf Asphalt") == []  # too short to look for inside a word
    assert _hits(names, "Netzgerätehersteller") == []  # a first part is no mention


def test_longest_name_wins_and_hides_the_names_inside_it() -> None:
    names = [("AES", "Advanced Encryption Standard"), ("S", "Standard")]
    assert _hits(names, "der Advanced Encryption Standard ist ein Standard") == [
        ("AES", "Advanced Encryption Standard", WORD), ("S", "Standard", WORD)]


def test_acronyms_and_short_words_match_only_as_written() -> None:
    names = [("KI", "KI"), ("DES", "DES"), ("R", "Rat")]
    assert _hits(names, "KI-Systeme und Kiel und des Rates") == [("KI", "KI", COMPOUND)]
    assert _hits(names, "der DES und die Rate") == [("DES", "DES", WORD)]


def test_a_german_noun_must_be_capitalised() -> None:
    assert _hits([("P", "Prompt")], "antwortet prompt") == []
    assert _hits([("P", "Prompt")], "der Prompt") == [("P", "Prompt", WORD)]


def test_english_rules() -> None:
    names = [("LM", "language model"), ("P", "policy"), ("N", "network")]
    assert _hits(names, "two language models", "en") == [("LM", "language models", WORD)]
    assert _hits(names, "the language model's output", "en")[0][1] == "language model's"
    assert _hits(names, "security policies", "en") == [("P", "policies", WORD)]
    assert _hits(names, "subnetwork", "en") == []  # no closed compounds in English
    assert name_words("Language Model", "en")[0].capital is False  # English: any case


def _book(tmp_path: Path, entries: dict[str, str], language: str = "de") -> Path:
    (tmp_path / "book.toml").write_text(f'title = "T"\nlanguage = "{language}"\n', encoding="utf-8")
    for name, text in entries.items():
        (tmp_path / f"{name}.md").write_text(text, encoding="utf-8")
    return tmp_path


def test_code_math_links_headings_and_own_name_are_not_searched(tmp_path: Path) -> None:
    folder = _book(tmp_path, {
        "A": "## Alpha {#A .term}\n\n***Alpha***\n\nDie Alpha nutzt `Beta` und $Beta$ und "
             "[Beta hier](#C).\n\n### Beta {.note}\n\nText.\n",
        "B": "## Beta {#B .term}\n\n***b***\n\nText.\n",
        "C": "## Gamma {#C .term}\n\n***c***\n\nGamma nennt Beta, Beta und Alpha.\n",
    })
    found = _found(folder)
    assert [(e, t) for e, t, *_ in found] == [("C", "B"), ("C", "A")]  # first mention each
    assert found[0][3:] == (5, 13)


def test_a_linked_term_is_not_reported_and_mentions_become_see_also_suggestions(tmp_path: Path) -> None:
    folder = _book(tmp_path, {
        "A": "## Alpha {#A .term}\n\n***a***\n\nAlpha nennt Beta und Gamma.\n\n"
             "### Verwandte Themen {.seealso}\n\n[Beta](#B) |\n[Index](#Index) |\n",
        "B": "## Beta {#B .term}\n\n***b***\n\nText.\n",
        "C": "## Gamma {#C .term}\n\n***c***\n\nText.\n",
    })
    book = read_book(folder, dg.Report())
    found = find_mentions(book)
    assert [(m.entry, m.target) for m in found] == [("A", "C")]
    assert see_also_suggestions(found) == {"A": ["C"]}


def test_an_english_book_gets_english_rules(tmp_path: Path) -> None:
    folder = _book(tmp_path, {
        "T": "## Token {#T .term}\n\n***t***\n\nText.\n",
        "M": "## Model {#M .term}\n\n***m***\n\nA model reads tokens; a tokenizer makes them.\n",
    }, language="en")
    assert _found(folder) == [("M", "T", "M.md", 5, 15)]
