"""book.toml: `front`/`back` pages (validated, read, links resolved), did-you-mean for a
misspelt key, `author` with `authors` is an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import diagnostics as dg
from pipeline.build import read_book
from pipeline.cli import main
from pipeline.config import load_config
from pipeline.model import XREF_CLASS
from pipeline.pandoc_ast import iter_nodes

ENTRY = "## {0} {{#{0} .term}}\n\n***Kurz***\n\nText über [Beta](#Beta).\n"


def _glossary(root: Path, toml: str, **files: str) -> Path:
    root.mkdir(exist_ok=True)
    (root / "Alpha.md").write_text(ENTRY.format("Alpha"), encoding="utf-8")
    (root / "Beta.md").write_text(ENTRY.format("Beta").replace("[Beta](#Beta)", "[Alpha](#Alpha)"),
                                  encoding="utf-8")
    for name, text in files.items():
        (root / name.replace("__", "/")).parent.mkdir(parents=True, exist_ok=True)
        (root / name.replace("__", "/")).write_text(text, encoding="utf-8")
    (root / "book.toml").write_text(toml, encoding="utf-8")
    return root


def _config_error(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["check", str(root)]) == 2
    return capsys.readouterr().err


def test_misspelt_keys_get_a_suggestion(tmp_path: Path) -> None:
    root = _glossary(tmp_path / "g", 'title = "T"\nautor = "Erika"\n[pdf]\npagesize = "A5"\n')
    report = dg.Report()
    load_config(root, report)
    hints = {d.message: (d.line, d.hint) for d in report}
    assert hints["unknown key 'autor' is ignored"] == (2, "did you mean 'authors'?")
    assert hints["unknown key 'pdf.pagesize' is ignored"] == (4, "did you mean 'page-size'?")


def test_author_and_authors_together_is_an_error(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = _glossary(tmp_path / "g", 'author = "A"\nauthors = ["B"]\n')
    err = _config_error(root, capsys)
    assert "book.toml:2:1: error[GL501] both 'author' and 'authors' are set" in err


@pytest.mark.parametrize(("value", "says"), [
    ('front = ["fehlt.md"]', "fehlt.md, which does not exist"),
    ('back = ["../draussen.md"]', "outside the source folder"),
    ('back = ["/etc/passwd.md"]', "outside the source folder"),
    ('back = ["lizenz.txt"]', "not a Markdown file"),
    ('front = ["lizenz.md"]\nback = ["lizenz.md"]', "listed twice"),
])
def test_pages_are_validated(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str,
                             says: str) -> None:
    (tmp_path / "draussen.md").write_text("# Draußen\n", encoding="utf-8")
    root = _glossary(tmp_path / "g", value + "\n", **{"lizenz.md": "# Lizenz\n", "lizenz.txt": "x"})
    err = _config_error(root, capsys)
    assert "error[GL501]" in err and says in err


def test_pages_are_read_with_links_resolved_and_are_no_terms(tmp_path: Path) -> None:
    root = _glossary(
        tmp_path / "g", 'front = ["./vorwort.md"]\nback = ["anhang__lizenz.md"]\n'.replace("__", "/"),
        **{"vorwort.md": "## Vorwort {#Vorwort}\n\nZuerst [Alpha](#Alpha), dann [Fehlt](#Fehlt).\n",
           "anhang__lizenz.md": "# Lizenz\n\nCC BY 4.0, siehe [Beta](#Beta).\n"})
    report = dg.Report()
    book = read_book(root, report)
    assert [t.id for t in book.terms] == ["Alpha", "Beta"]  # no GL209: pages are not judged
    assert [(p.role, p.source.file) for p in book.pages] == [("front", "vorwort.md"),
                                                            ("back", "anhang/lizenz.md")]
    targets = [n["c"][2][0] for p in book.pages for n in iter_nodes(list(p.blocks))
               if n["t"] == "Link" and XREF_CLASS in n["c"][0][1]]
    assert targets == ["#Alpha", "#Beta"]
    (broken,) = [d for d in report if d.code == dg.LINK_BROKEN]
    assert (broken.file, broken.line, broken.column) == ("vorwort.md", 3, 30)
    assert not [d for d in report if d.code in (dg.FILE_NO_TERM, dg.TERM_NO_CLASS)]
