"""`glossary check`: the summary, --format sarif (validated against the SARIF 2.1.0 schema),
--select/--ignore, -q, and when the unlinked-mention search runs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest
from conftest import DEMO, fixture_path

from pipeline.cli import main

MESSY = fixture_path("messy")
MENTIONS = fixture_path("mentions")
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_text_check_ends_with_the_summary_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", str(MESSY)], capsys)
    assert code == 1
    assert "Summary" not in out and "error[GL101]" in out
    assert err.splitlines()[0] == "Summary: 5 errors, 9 warnings, 1 info in 6 entries"
    assert "    GL101  link-broken" in err
    assert "#Nirgendwo" in err and "as „Nirgendwo“; closest existing: none" in err
    assert "Ärger.md „Ärger“ — 2 errors, 2 warnings, 1 info" in err
    assert err.splitlines()[-1].startswith("glossary: 5 error(s), 9 warning(s); 6 terms in ")


def test_summary_alone_and_as_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", str(MESSY), "--summary"], capsys)
    assert code == 1 and out.startswith("Summary: ") and "error[" not in out and err == ""
    _, listed, _ = run(["check", str(MESSY), "--format", "json"], capsys)
    code, out, _ = run(["check", str(MESSY), "--format", "json", "--summary"], capsys)
    summary = json.loads(out)
    assert code == 1 and isinstance(summary, dict)
    counted = Counter(d["code"] for d in json.loads(listed))
    assert {c["code"]: c["count"] for c in summary["by_code"]} == counted
    assert summary["totals"] == {"error": 5, "warning": 9, "info": 1}
    wanted = {w["id"]: w for w in summary["most_wanted"]}
    assert wanted["Fehlt-Noch"] == {"id": "Fehlt-Noch", "links": 1, "entries": ["Ärger"],
                                    "labels": ["Fehlt"], "closest": []}
    assert summary["problem_entries"][0]["file"] == "Ärger.md"


def test_most_wanted_ranks_by_links_then_entries(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "A.md").write_text("## A {#A .term}\n\n***a***\n\n[Red Teaming](#Red-Teaming), "
                                   "[Red-Teaming](#Red-Teaming), [X](#Xenon), [Bet](#Btea).\n",
                                   encoding="utf-8")
    (tmp_path / "B.md").write_text("## Beta {#Beta .term}\n\n***b***\n\n[RT](#Red-Teaming).\n",
                                   encoding="utf-8")
    _, out, _ = run(["check", str(tmp_path), "--format", "json", "--summary"], capsys)
    wanted = json.loads(out)["most_wanted"]
    assert [(w["id"], w["links"], len(w["entries"])) for w in wanted] == [
        ("Red-Teaming", 3, 2), ("Btea", 1, 1), ("Xenon", 1, 1)]
    assert wanted[0]["labels"] == ["RT", "Red Teaming", "Red-Teaming"]
    assert wanted[1]["closest"] == ["Beta"] and wanted[0]["closest"] == []


def _validate_sarif(text: str) -> dict[str, object]:
    log = json.loads(text)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    for result in log["runs"][0]["results"]:
        for loc in result.get("locations", []):
            region = loc["physicalLocation"].get("region")
            assert region is None or "startLine" in region  # the 2.1.0 errata's extra rule
    return log  # type: ignore[no-any-return]


def test_sarif_is_valid_and_holds_every_diagnostic(capsys: pytest.CaptureFixture[str]) -> None:
    _, listed, _ = run(["check", str(MESSY), "--format", "json"], capsys)
    code, out, _ = run(["check", str(MESSY), "--format", "sarif"], capsys)
    assert code == 1
    log = _validate_sarif(out)
    run_ = log["runs"][0]  # type: ignore[index]
    rules = run_["tool"]["driver"]["rules"]
    results = run_["results"]
    expected = json.loads(listed)
    assert len(results) == len(expected)
    level = {"error": "error", "warning": "warning", "info": "note"}
    for r, d in zip(results, expected, strict=True):
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"] == d["code"]
        assert r["level"] == level[d["severity"]]
        assert r["message"]["text"].startswith(d["message"])
        where = r["locations"][0]["physicalLocation"]
        assert unquote(where["artifactLocation"]["uri"]) == f"{MESSY}/{d['file']}".lstrip("/") or \
            unquote(where["artifactLocation"]["uri"]) == f"file://{MESSY}/{d['file']}"
        assert where["region"]["startLine"] == d["line"]


def test_sarif_of_a_clean_book_and_of_a_fatal_error(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", str(DEMO), "--format", "sarif"], capsys)
    assert code == 0 and _validate_sarif(out)["runs"][0]["results"] == []  # type: ignore[index]
    code, out, _ = run(["check", str(tmp_path / "nothing"), "--format", "sarif"], capsys)
    assert code == 2
    assert _validate_sarif(out)["runs"][0]["results"][0]["ruleId"] == "GL503"  # type: ignore[index]


@pytest.mark.parametrize("args, codes, exit_code", [
    (["--select", "GL1"], {"GL101", "GL102", "GL103", "GL104"}, 1),
    (["--select", "GL102,link-self"], {"GL102", "GL103"}, 0),
    (["--select", "GL1", "--select", "GL201"], {"GL101", "GL102", "GL103", "GL104", "GL201"}, 1),
    (["--ignore", "GL1", "--select", "GL101"], {"GL101"}, 1),  # the more specific one decides
    (["--select", "GL101", "--ignore", "GL101"], set(), 0),  # same specificity: ignore wins
    (["--ignore", "GL2,GL3,GL101"], {"GL102", "GL103", "GL104", "GL401", "GL403"}, 0),
])
def test_select_and_ignore_like_ruff(args: list[str], codes: set[str], exit_code: int,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", str(MESSY), "--format", "json", *args], capsys)
    assert {d["code"] for d in json.loads(out)} == codes
    assert code == exit_code


@pytest.mark.parametrize("args", [["--select", "GL9"], ["--ignore", "nonsense"],
                                  ["--format", "sarif", "--summary"]])
def test_bad_selectors_are_usage_errors(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", str(MESSY), *args])
    assert exc.value.code == 2
    assert "glossary: error:" in capsys.readouterr().err


def test_quiet_prints_errors_and_the_one_line_total(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", str(MESSY), "-q"], capsys)
    assert code == 1
    assert all(": error[" in line for line in out.splitlines())
    assert err.splitlines() == [err.splitlines()[-1]] and err.startswith("glossary: 5 error(s), 9 warning(s)")


def test_the_mention_search_runs_with_v_or_when_selected(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["check", str(MENTIONS), "--format", "json"], capsys)
    assert "GL110" not in {d["code"] for d in json.loads(out)}  # opt-in: infos are hidden anyway
    _, out, _ = run(["check", str(MENTIONS), "-v"], capsys)
    assert "Sprachmodell.md:7:21: info[GL110] „Sprachmodell“ mentions „Datensätzen“ (#Datensatz)" in out
    _, out, _ = run(["check", str(MENTIONS), "--format", "json", "--select", "GL110"], capsys)
    found = json.loads(out)
    assert len(found) == 44 and {d["code"] for d in found} == {"GL110"}
    _, out, _ = run(["check", str(MENTIONS), "--format", "json", "--select", "GL110",
                     "--ignore", "GL110"], capsys)
    assert json.loads(out) == []
