""""Did you mean": only really close ids are offered; otherwise the hint says to write the entry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.normalise.closest import ClosestIds, fold, max_distance

IDS = ["Pre-Training", "Federated-Learning", "Reasoning", "Red-Team", "Blockchiffre",
       "Schlüssel", "RSA", "DES", "Transformer", "Künstliche-Intelligenz"]


@pytest.mark.parametrize("wanted, expected", [
    ("Red-Teaming", []),  # difflib offered Pre-Training, Federated-Learning, Reasoning
    ("Blokchiffre", ["Blockchiffre"]),  # a missing letter
    ("Blockhciffre", ["Blockchiffre"]),  # two swapped letters
    ("Schluessel", ["Schlüssel"]),  # umlaut written as ue
    ("schlussel", ["Schlüssel"]),  # case and a dropped umlaut
    ("Kuenstliche_Intelligenz", ["Künstliche-Intelligenz"]),  # underscore for hyphen
    ("Transformers", ["Transformer"]),  # a plural
    ("RSB", []),  # three letters: RSA and DES are different things
    ("Quantencomputer", []),
])
def test_only_close_ids_are_suggested(wanted: str, expected: list[str]) -> None:
    assert ClosestIds(IDS).closest(wanted) == expected


def test_the_limit_grows_with_the_length() -> None:
    assert [max_distance(n) for n in (3, 4, 6, 7, 15, 16, 30)] == [0, 1, 1, 2, 2, 3, 3]
    assert ClosestIds(["Unterdichte"]).closest("Quantendichte") == []
    assert ClosestIds(["Gemischte-Teilchenschicht"]).closest("Gemischte-Teilchenschichte") == [
        "Gemischte-Teilchenschicht"]
    assert fold("Öffentlicher-Schlüssel") == "oeffentlicherschluessel"


def test_a_broken_link_without_a_close_id_says_write_the_entry(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for ident in ("Pre-Training", "Federated-Learning", "Reasoning"):
        (tmp_path / f"{ident}.md").write_text(f"## {ident} {{#{ident} .term}}\n\n***x***\n\nText.\n",
                                              encoding="utf-8")
    (tmp_path / "A.md").write_text("## A {#A .term}\n\n***a***\n\n[RT](#Red-Teaming) und "
                                   "[R](#Reasonig).\n", encoding="utf-8")
    assert main(["check", str(tmp_path), "--format", "json"]) == 1
    hints = [d["hint"] for d in json.loads(capsys.readouterr().out)]
    assert hints == ["write the entry #Red-Teaming or remove the link", "did you mean #Reasoning?"]
