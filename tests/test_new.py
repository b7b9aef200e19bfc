"""`glossary new "Term"`: an entry shaped like its siblings; taken ids are refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DEMO, fixture_path

from pipeline import diagnostics as dg
from pipeline.build import read_book
from pipeline.cli import main


@pytest.fixture
def glossary(tmp_path: Path) -> Path:
    """The GL209 fixture without Netz.md: Alpha links #Netz twice, and mentions „Netz“."""
    root = tmp_path / "g"
    shutil.copytree(fixture_path("codes") / "GL209", root)
    (root / "Netz.md").unlink()
    return root


def _broken(root: Path) -> list[dg.Diagnostic]:
    report = dg.Report()
    read_book(root, report)
    return [d for d in report if d.code == dg.LINK_BROKEN]


def test_new_writes_an_entry_that_resolves_the_links_waiting_for_it(
        glossary: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert len(_broken(glossary)) == 2
    assert main(["new", "Netz", str(glossary), "--alias", "Netzwerk"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == str(glossary / "Netz.md")
    assert "2 link(s) to #Netz in Alpha.md were broken and now resolve" in "\n".join(out)
    text = (glossary / "Netz.md").read_text(encoding="utf-8")
    assert text.startswith('## Netz {#Netz .term aliases="Netzwerk"}\n\n***')
    assert "### Verwandte Themen {.seealso}\n\n[Alpha](#Alpha) |\n[Index](#Index) |\n" in text
    assert _broken(glossary) == []
    report = dg.Report()
    book = read_book(glossary, report)
    assert book.term("Netz").refs_in == ("Alpha",)
    assert not [d for d in report if d.file == "Netz.md" and d.severity is not dg.Severity.INFO]


def test_new_takes_the_sections_most_entries_have(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root)
    assert main(["new", "Schlüsselaustausch", str(root)]) == 0
    text = (root / "Schlüsselaustausch.md").read_text(encoding="utf-8")
    assert "### Funktionsweise {.explanation}" in text  # the demo's most used explanation title
    see_also = text.split("{.seealso}")[1]
    assert "[Diffie-Hellman-Schlüsselaustausch](#Diffie-Hellman) |" in see_also  # names it
    assert "(#Caesar-Chiffre)" not in see_also  # does not
    assert main(["check", str(root), "--strict"]) == 0


def test_see_also_lists_the_terms_that_mention_it_as_a_word(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root)
    assert main(["new", "Kryptographie", str(root)]) == 0
    see_also = (root / "Kryptographie.md").read_text(encoding="utf-8").split("{.seealso}")[1]
    assert "[Asymmetrische Kryptographie](#Asymmetrische-Kryptographie) |" in see_also
    assert see_also.rstrip().endswith("[Index](#Index) |\n\n----".rstrip())


@pytest.mark.parametrize(("args", "says"), [
    (["alpha"], "„alpha“ is taken: the id of „Alpha“ (#Alpha, Alpha.md)"),
    (["Älpha", "--id", "Älpha"], ""),  # Ä -> Ae: no clash with Alpha
    (["Gamma-Strahl", "--id", "GAMMA"], "„GAMMA“ is taken"),
    (["Neu", "--alias", "beta"], "„beta“ is taken"),
    (["Index"], "reserved for the generated index"),
    (["Neu", "--id", "a b"], "no valid id"),
    (["Neu", "--alias", "x;y"], "pass one --alias per alias"),
])
def test_new_refuses_a_taken_or_bad_name(glossary: Path, capsys: pytest.CaptureFixture[str],
                                         args: list[str], says: str) -> None:
    before = sorted(p.name for p in glossary.iterdir())
    code = main(["new", args[0], str(glossary), *args[1:]])
    err = capsys.readouterr().err
    if not says:
        assert code == 0
        return
    assert code == 2 and says in err
    assert sorted(p.name for p in glossary.iterdir()) == before


def test_an_umlaut_id_is_refused_like_the_site_would(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "g"
    shutil.copytree(fixture_path("codes") / "GL209", root)
    (root / "Oel.md").write_text("## Oel {#Oel .term}\n\n***O***\n\nText.\n", encoding="utf-8")
    assert main(["new", "Öl", str(root)]) == 2
    assert "„Öl“ is taken: the id of „Oel“" in capsys.readouterr().err


def test_the_entry_template_can_be_replaced(glossary: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    styles = tmp_path / "styles"
    styles.mkdir()
    (styles / "entry.md.j2").write_text("## {{ title }} {{ '{' }}#{{ id }} .term}\n\n***Eigen***\n\nText.\n",
                                        encoding="utf-8")
    assert main(["new", "Netz", str(glossary), "--styles", str(styles)]) == 0
    written = (glossary / "Netz.md").read_text(encoding="utf-8")
    assert written.startswith("## Netz {#Netz .term}\n\n***Eigen***")
    (styles / "entry.md.j2").write_text("## {{ title }\n{% for %}\n", encoding="utf-8")
    assert main(["new", "Delta", str(glossary), "--styles", str(styles)]) == 2
    assert f"{styles / 'entry.md.j2'}:1: the entry template fails" in capsys.readouterr().err
    assert not (glossary / "Delta.md").exists()
