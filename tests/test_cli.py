"""The `glossary` command: exit codes, output formats, --strict, config errors, the md format."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEMO, ROOT, fixture_path

from pipeline import diagnostics as dg
from pipeline.cli import main
from pipeline.config import load_config

MESSY = fixture_path("messy")
GOLDEN = Path(__file__).parent / "golden"


def _visible(out: Path) -> list[str]:
    """The outputs in a folder, without the build's own lock and manifest (dot files)."""
    return sorted(p.name for p in out.iterdir() if not p.name.startswith("."))


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, object]]]:
    code = main(args)
    return code, json.loads(capsys.readouterr().out)


def test_demo_checks_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, found = run_json(["check", str(DEMO), "--format", "json", "--strict"], capsys)
    assert (code, found) == (0, [])


def test_messy_json_reports_each_problem_at_its_position(capsys: pytest.CaptureFixture[str]) -> None:
    code, found = run_json(["check", str(MESSY), "--format", "json"], capsys)
    assert code == 1
    where = {(d["code"], d["file"], d["line"], d["column"]) for d in found}
    assert ("GL101", "Ärger.md", 5, 52) in where  # [Nirgendwo](#Nirgendwo)
    assert ("GL101", "Ärger.md", 18, 1) in where  # see-also [Fehlt](#Fehlt-Noch)
    assert ("GL201", "Zebra-Kopie.md", 1, 1) in where
    assert ("GL304", "glossary-merged.md", 1, 1) in where
    assert ("GL301", "latin1.md", 5, 3) in where
    for d in found:
        assert set(d) == {"code", "severity", "file", "line", "column", "message", "hint"}
        assert d["severity"] in ("error", "warning", "info") and d["message"]


def test_github_annotations(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(MESSY), "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(ln.startswith(f"::error file={MESSY}/Ärger.md,line=5,col=52,title=GL101::")
               for ln in lines)
    assert all(ln.startswith(("::error ", "::warning ", "::notice ")) for ln in lines)


def test_strict_turns_warnings_into_errors(capsys: pytest.CaptureFixture[str]) -> None:
    folder = fixture_path("codes") / "GL102"
    assert main(["check", str(folder)]) == 0
    assert main(["check", str(folder), "--strict"]) == 1
    assert "error[GL102]" in capsys.readouterr().out


def test_text_output_is_one_line_per_problem(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(MESSY)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(ln.startswith("Ärger.md:5:52: error[GL101] link „Nirgendwo“ to #Nirgendwo")
               for ln in out)
    assert all(": error[" in ln or ": warning[" in ln for ln in out)  # info only with -v
    assert len(out) == len(set(out))


@pytest.mark.parametrize("toml, line", [
    ('title = "x\n', 1),
    ('title = "T"\nlanguage = "de DE"\n', 2),
    ('title = "T"\n[pdf]\npage-size = "B5"\n', 3),
    ('date = "29.11.2026"\n', 1),
])
def test_bad_config_exits_2_with_position(tmp_path: Path, toml: str, line: int,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.md").write_text("## A {#A .term}\n\n***a***\n\nText.\n", encoding="utf-8")
    (tmp_path / "book.toml").write_text(toml, encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"book.toml:{line}:") and "[GL501]" in err[0]


def test_fatal_errors_reach_json_and_github_consumers(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "nowhere")
    assert main(["check", missing, "--format", "json"]) == 2
    (found,) = json.loads(capsys.readouterr().out)
    assert (found["code"], found["file"]) == ("GL503", missing)
    assert main(["check", missing, "--format", "github"]) == 2
    assert capsys.readouterr().out.strip() == (
        f"::error file={missing},title=GL503::source folder does not exist — pass the folder that "
        "holds your entries, e.g. `glossary check source/`")
    (tmp_path / "a.md").write_text("## A {#A .term}\n\n***a***\n\nText.\n", encoding="utf-8")
    (tmp_path / "book.toml").write_text('title = "T"\nlanguage = "de DE"\n', encoding="utf-8")
    assert main(["check", str(tmp_path), "--format", "json"]) == 2
    (found,) = json.loads(capsys.readouterr().out)
    assert (found["code"], found["file"], found["line"]) == ("GL501", "book.toml", 2)


def test_book_toml_sets_a_codes_severity_for_this_book(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.md").write_text("## A {#A .term}\n\nSee [B](#B).\n", encoding="utf-8")
    assert main(["check", str(tmp_path), "--format", "json"]) == 1
    found = {d["code"]: d["severity"] for d in json.loads(capsys.readouterr().out)}
    assert found == {"GL101": "error", "GL205": "info"}
    (tmp_path / "book.toml").write_text('[diagnostics]\nGL101 = "warning"\nterm-no-tagline = "ignore"\n',
                                        encoding="utf-8")
    assert main(["check", str(tmp_path), "--format", "json"]) == 0
    found = {d["code"]: d["severity"] for d in json.loads(capsys.readouterr().out)}
    assert found == {"GL101": "warning"}
    assert main(["check", str(tmp_path), "--format", "json", "--strict"]) == 1
    capsys.readouterr()


@pytest.mark.parametrize(("toml", "why"), [
    ('[diagnostics]\nGL603 = "warning"\n', "cannot change GL603"),
    ('[diagnostics]\nGL999 = "warning"\n', "no such code"),
    ('[diagnostics]\nGL101 = "quiet"\n', "must be one of"),
])
def test_bad_diagnostics_section_exits_2(tmp_path: Path, toml: str, why: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.md").write_text("## A {#A .term}\n\n***a***\n\nText.\n", encoding="utf-8")
    (tmp_path / "book.toml").write_text(toml, encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("book.toml:2:1: error[GL501]") and why in err


def test_config_defaults_and_keys(tmp_path: Path) -> None:
    report = dg.Report()
    cfg = load_config(tmp_path, report)
    assert (cfg.title, cfg.language, cfg.slug, cfg.pdf.page_size) == ("Glossar", "de", "glossar", "A4")
    assert cfg.identifier.startswith("urn:uuid:")
    assert cfg.identifier == load_config(tmp_path, report).identifier  # stable, never random
    demo = load_config(DEMO, report)
    assert demo.authors == ("Glossary Pipeline Team",) and demo.keywords[0] == "Kryptographie"
    assert demo.slug == "kleines-kryptographie-glossar" and not list(report)


def test_default_date_honours_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert load_config(tmp_path, dg.Report()).date == "2023-11-14"


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "/no/such/folder"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["build", str(DEMO), "--format", "pdfx"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_codes_lists_every_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes"]) == 0
    out = capsys.readouterr().out
    assert all(code in out for code in dg.CODES)


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "book.toml").write_text("title = [1, 2\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "check", str(tmp_path)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


def test_md_build_matches_golden(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The normalised Markdown of the messy fixture, compared as text with tests/golden/messy.md."""
    assert main(["build", str(MESSY), "--out", str(tmp_path), "--format", "md", "-q"]) == 1
    produced = (tmp_path / "unordentliches-glossar.md").read_text(encoding="utf-8")
    golden = GOLDEN / "messy.md"
    if os.environ.get("GLOSSARY_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(produced, encoding="utf-8")
    assert produced == golden.read_text(encoding="utf-8")


def test_md_output_reenters_pandoc_and_links_resolve(tmp_path: Path) -> None:
    assert main(["build", str(DEMO), "--out", str(tmp_path), "--format", "md", "-q"]) == 0
    text = (tmp_path / "kleines-kryptographie-glossar.md").read_text(encoding="utf-8")
    import re

    ids = set(re.findall(r"\{#([^ }]+)", text))
    targets = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert targets and targets <= ids
    assert "# Index {#Index" in text and "## RSA {#RSA .term" in text


def test_strict_build_writes_nothing_on_errors(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["build", str(MESSY), "--out", str(out), "--format", "md", "--strict", "-q"]) == 1
    assert not out.exists() or not any(out.iterdir())


def test_failed_build_keeps_previous_output(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text("## A {#A .term}\n\n***a***\n\nText.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(src), "--out", str(out), "--format", "md", "-q"]) == 0
    before = (out / "glossar.md").read_bytes()
    (src / "book.toml").write_text("title = \n", encoding="utf-8")
    assert main(["build", str(src), "--out", str(out), "--format", "md", "-q"]) == 2
    assert (out / "glossar.md").read_bytes() == before
    assert _visible(out) == ["glossar.md"]


def test_a_broken_template_is_reported_where_it_is_and_the_other_formats_are_built(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    with (styles / "print" / "term.html.j2").open("a", encoding="utf-8") as f:
        f.write("{% if %}\n")
    start = styles / "site" / "start.html"
    lines = start.read_text(encoding="utf-8").splitlines(keepends=True)
    start.write_text("".join([*lines[:2], "{{ no_such_value.x }}\n", *lines[2:]]), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["build", str(fixture_path("pdf-small")), "--out", str(out), "--styles", str(styles),
                 "--format", "md,pdf,epub,html", "-q"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert re.search(r"^print/term\.html\.j2:\d+: error\[GL606\] the pdf template failed: "
                     r"TemplateSyntaxError", err, re.MULTILINE), err
    assert re.search(r"^site/start\.html:3: error\[GL606\] the html template failed: UndefinedError: "
                     r"'no_such_value' is undefined", err, re.MULTILINE), err
    assert sorted(Path(p).suffix for p in _visible(out)) == [".epub", ".md"]


def test_a_list_nested_past_libxml2s_depth_limit_builds(tmp_path: Path) -> None:
    # 150 levels of ul/li are 300 XML levels: lxml refuses more than 256 unless told otherwise.
    src = tmp_path / "src"
    src.mkdir()
    items = "".join("  " * i + f"- Ebene {i}\n" for i in range(150))
    (src / "a.md").write_text(f"## Tief {{#Tief .term}}\n\n***t***\n\n{items}", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(src), "--out", str(out), "--format", "docx,epub,html", "-q"]) == 0
    assert sorted(Path(p).suffix or p for p in _visible(out)) == [".docx", ".epub", "html"]


def test_verbose_shows_the_progress_and_not_the_libraries_debug_records(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pipeline", "build", str(fixture_path("pdf-small")),
                           "--out", str(tmp_path / "out"), "--format", "docx", "-v", "--no-cache"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "pipeline: building docx" in proc.stderr
    # The DOCX embeds subset fonts: fontTools logs every table it reads at debug level.
    assert "fontTools" not in proc.stderr and "filelock" not in proc.stderr
