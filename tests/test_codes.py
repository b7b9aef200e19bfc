"""One fixture folder per diagnostic code (tests/fixtures/codes/GLnnn/) with its expected findings.

`expected.json` lists every diagnostic `glossary check --format json` must report for the folder —
code, file, line and column — and the exit code. Regenerate after an intended change with
GLOSSARY_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline import diagnostics as dg
from pipeline.cli import main

CODES_DIR = Path(__file__).parent / "fixtures" / "codes"
CASES = sorted(p.name for p in CODES_DIR.iterdir() if p.is_dir())


def _check(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, object]]]:
    code = main(["check", str(folder), "--format", "json"])
    out = capsys.readouterr().out
    found = json.loads(out) if out.strip() else []
    return code, [{k: d[k] for k in ("code", "file", "line", "column")} for d in found]


@pytest.mark.parametrize("case", CASES)
def test_code_fixture(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = CODES_DIR / case
    exit_code, found = _check(folder, capsys)
    golden = folder / "expected.json"
    if os.environ.get("GLOSSARY_UPDATE_GOLDEN"):
        golden.write_text(json.dumps({"exit": exit_code, "diagnostics": found}, indent=1,
                                     ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert found == expected["diagnostics"]
    assert exit_code == expected["exit"]
    assert case in {d["code"] for d in found}, f"{case} fixture does not trigger {case}"


def test_every_source_code_has_a_fixture() -> None:
    """Codes GL1xx–GL5xx are about sources and config: each needs its own fixture folder."""
    source_codes = {c for c in dg.CODES if c < "GL600"} | {"GL601", "GL609"}
    # exit-2 paths: book.toml and the source folder (test_cli.py), --out (test_environment.py)
    untested = source_codes - set(CASES) - {"GL501", "GL503", "GL504", "GL505"}
    assert not untested, f"no fixture under tests/fixtures/codes for {sorted(untested)}"


def test_an_empty_link_target_is_reported_where_it_is_with_a_suggestion_from_its_label(
        capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(CODES_DIR / "GL101"), "--format", "json"])
    found = json.loads(capsys.readouterr().out)
    (empty,) = [d for d in found if "empty target" in d["message"]]
    assert (empty["file"], empty["line"], empty["column"]) == ("Alpha.md", 5, 48)
    assert "(#Beta)" in empty["hint"]
