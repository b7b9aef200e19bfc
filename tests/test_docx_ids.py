"""Bookmark names: Word-valid, unique ignoring case, deterministic (pipeline.formats.docx.bookmarks)."""

from __future__ import annotations

import random

import pytest
from conftest import fixture_path

from pipeline import diagnostics as dg
from pipeline import read_book
from pipeline.formats.common.document import document
from pipeline.formats.docx import prepare as docx_ast
from pipeline.formats.docx.bookmarks import MAX_LEN, bookmark_names, is_valid
from pipeline.model import Book

LONG_ID = "Ein-sehr-langer-Begriff-dessen-Id-weit-ueber-vierzig-Zeichen"  # 60 characters


@pytest.mark.parametrize(("ident", "expected"), [
    ("KI-Ökosystem", "KI_Oekosystem"),
    ("Leonardo.ai", "Leonardo_ai"),
    ("3D-Modeling", "x_3D_Modeling"),
    ("letter-0-9", "letter_0_9"),
    ("RSA--schluesselerzeugung", "RSA_schluesselerzeugung"),
    ("Vigenère-Chiffre", "Vigenere_Chiffre"),
    ("Straße", "Strasse"),
    ("Index", "Index"),
])
def test_readable_names(ident: str, expected: str) -> None:
    assert bookmark_names([ident]) == {ident: expected}


def test_long_id_is_cut_to_forty_with_a_hash_of_the_whole_id() -> None:
    assert len(LONG_ID) == 60
    name = bookmark_names([LONG_ID])[LONG_ID]
    assert is_valid(name) and len(name) <= MAX_LEN
    assert name.startswith("Ein_sehr_langer_Begriff")
    # ids sharing the first 40 characters still get different names
    other = LONG_ID + "-zwei"
    names = bookmark_names([LONG_ID, other])
    assert names[LONG_ID] == name and names[other] != name


def test_ids_equal_but_for_case_get_names_distinct_but_for_case() -> None:
    names = bookmark_names(["xAI", "XAI"])
    assert names["XAI"] == "XAI"  # the code-point-smaller keeps its plain name
    assert names["xAI"].startswith("xAI_") and is_valid(names["xAI"])
    assert names["XAI"].casefold() != names["xAI"].casefold()


def test_an_id_that_is_already_its_name_wins_a_collision() -> None:
    names = bookmark_names(["A-B", "A.B", "A_B", "a b"])
    assert names["A_B"] == "A_B"
    assert len({n.casefold() for n in names.values()}) == 4


@pytest.mark.parametrize("ident", ["日本", "---", "_x", "9", "Ä", "a" * 200, "C++", "x y\tz"])
def test_awkward_ids_still_get_valid_names(ident: str) -> None:
    name = bookmark_names([ident])[ident]
    assert is_valid(name), name


def test_mapping_does_not_depend_on_input_order() -> None:
    ids = ["XAI", "xAI", "KI-Ökosystem", "KI_Oekosystem", LONG_ID, "3D-Modeling", "x_3D_Modeling"]
    expected = bookmark_names(ids)
    for seed in range(5):
        shuffled = ids[:]
        random.Random(seed).shuffle(shuffled)
        assert bookmark_names(shuffled) == expected


def test_is_valid() -> None:
    assert is_valid("A") and is_valid("a_1") and is_valid("A" * 40)
    for bad in ("", "1a", "_a", "a-b", "a.b", "Ä", "A" * 41, "a b"):
        assert not is_valid(bad), bad


def _document_ids(book: Book) -> list[str]:
    return docx_ast.element_ids(document(book)["blocks"])


@pytest.mark.parametrize("name", ["demo", "messy", "docx-ids"])
def test_injective_ignoring_case_over_every_id_of_a_book(name: str, demo_book: Book) -> None:
    book = demo_book if name == "demo" else read_book(fixture_path(name), dg.Report())
    ids = set(_document_ids(book))
    names = bookmark_names(ids)
    assert set(names) == ids
    assert len({n.casefold() for n in names.values()}) == len(ids)
    assert all(is_valid(n) for n in names.values())
