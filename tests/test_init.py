"""`glossary init DIR`: a new glossary that checks clean and builds at once; never overwrites."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from conftest import build_into

from pipeline import diagnostics as dg
from pipeline import pandoc
from pipeline.authoring.booktoml import TEMPLATES, render
from pipeline.cli import main
from pipeline.config import _PDF, _TOP, load_config

KEYS = [k for k in _TOP if k != "author"]  # `author` is the alias of `authors`


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_key_is_in_the_book_toml_template(lang: str) -> None:
    text = (TEMPLATES / f"book.{lang}.toml.j2").read_text(encoding="utf-8")
    for key in [*KEYS, *(f"pdf.{k}" for k in _PDF if k == "page-size")]:
        assert f'key("{key}"' in text, key
    assert "[diagnostics]" in text and "[pdf]" in text


def test_a_book_toml_with_every_key_set_reads_back_the_same(tmp_path: Path) -> None:
    values = {"title": 'Ein "Glossar" \\ mit Sonderzeichen', "authors": ["Ä Ö", "B"],
              "keywords": ["x"], "date": "2024-03-01", "pdf.page-size": "A5", "language": "de-AT"}
    (tmp_path / "book.toml").write_text(render(values, "de-AT"), encoding="utf-8")
    report = dg.Report()
    config = load_config(tmp_path, report)
    assert not list(report)
    assert (config.title, config.authors, config.date, config.pdf.page_size, config.language) == (
        values["title"], ("Ä Ö", "B"), "2024-03-01", "A5", "de-AT")


@pytest.mark.parametrize(("lang", "comment", "entries"), [
    ("de", "# Titel des Buchs", ["Eintrag.md", "Glossar.md", "Querverweis.md"]),
    ("en-GB", "# Book title", ["Cross-reference.md", "Entry.md", "Glossary.md"]),
    ("fr", "# Book title", ["Cross-reference.md", "Entry.md", "Glossary.md"]),
])
def test_init_writes_a_glossary_that_checks_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  lang: str, comment: str, entries: list[str]) -> None:
    root = tmp_path / "neu"
    assert main(["init", str(root), "--language", lang]) == 0
    out = capsys.readouterr().out
    assert f"created a glossary in {root}" in out
    files = _snapshot(root)
    assert sorted(files) == sorted(["book.toml", ".gitignore", ".github/workflows/glossary.yml",
                                    *entries])
    toml = files["book.toml"].decode()
    assert comment in toml and tomllib.loads(toml)["language"] == lang
    for key in KEYS:  # present, set or commented out
        assert f"\n{key} = " in toml or f"\n# {key} = " in toml, key
    assert b"build/" in files[".gitignore"] and b".glossary-cache/" in files[".gitignore"]
    assert main(["check", str(root), "--strict", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_the_workflow_is_valid_yaml_that_checks_and_builds(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "g")]) == 0
    workflow = tmp_path / "g" / ".github" / "workflows" / "glossary.yml"
    # pandoc's YAML reader (HsYAML) as the validator: a syntax error fails the run.
    out, _ = pandoc.run(["-f", "markdown", "-t", "json", f"--metadata-file={workflow}"], b"")
    steps = json.loads(out)["meta"]["jobs"]["c"]["build"]["c"]["steps"]["c"]
    runs = [s["c"]["run"]["c"][0]["c"] for s in steps if "run" in s["c"]]
    assert any(r.startswith("glossary") for r in runs)
    text = workflow.read_text(encoding="utf-8")
    assert "glossary check . --format github" in text and "glossary build . --out _build" in text


def test_init_output_builds(tmp_path: Path) -> None:
    root = tmp_path / "g"
    assert main(["init", str(root)]) == 0
    outputs, report = build_into(root, tmp_path / "out", "md", "html")
    assert not report.errors and not report.warnings
    md = outputs["md"].read_text(encoding="utf-8")
    assert "## Glossar {#Glossar" in md and "[Querverweis](#Querverweis)" in md
    assert (outputs["html"] / "terms" / "Querverweis.html").is_file()


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "g"
    (root / ".github").mkdir(parents=True)
    (root / ".gitignore").write_text("mine\n", encoding="utf-8")
    assert main(["init", str(root)]) == 2
    err = capsys.readouterr().err
    assert "already has .gitignore; nothing was written" in err
    assert _snapshot(root) == {".gitignore": b"mine\n"}


def test_init_sends_a_folder_with_markdown_to_from(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "AES.md").write_text("## AES {#AES .term}\n", encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 2
    assert f"glossary init --from {tmp_path}" in capsys.readouterr().err
    assert _snapshot(tmp_path) == {"AES.md": b"## AES {#AES .term}\n"}


def test_init_rejects_a_bad_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "g"), "--language", "Deutsch!"]) == 2
    assert "BCP 47" in capsys.readouterr().err
    assert not (tmp_path / "g").exists()
