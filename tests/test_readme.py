"""The README stays true: every diagnostic code, CLI option, book.toml key and format is documented."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline import diagnostics as dg
from pipeline.cli import _parser
from pipeline.config import _PDF, _TOP
from pipeline.formats import FORMATS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_diagnostic_code_is_documented_with_its_severity() -> None:
    for code in dg.CODES.values():
        row = re.search(rf"^\| {code.code} \| (\w+) \| {code.name} \|", README, re.MULTILINE)
        assert row, f"{code.code} missing from the README's code table"
        assert row.group(1) == code.severity


def test_every_cli_option_is_documented() -> None:
    parser = _parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for name, sub in subparsers.choices.items():  # type: ignore[attr-defined]
        assert f"glossary {name}" in README
        for action in sub._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert f"`{flag}" in README or f" {flag}" in README, f"{name} {flag}"


def test_every_config_key_and_format_is_documented() -> None:
    for key in _TOP:
        assert f"`{key}`" in README, key
    assert "`[pdf] page-size`" in README and all(k in ("page-size", "page_size") for k in _PDF)
    assert "`[diagnostics] CODE`" in README
    for code in dg.FIXED_SEVERITY:
        assert code in README.split("`--strict` still turns warnings into errors.")[1][:200], code
    for fmt in FORMATS:
        assert f"`{fmt}`" in README, fmt
