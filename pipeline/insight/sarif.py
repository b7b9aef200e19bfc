"""`glossary check --format sarif`: the diagnostics as a SARIF 2.1.0 log, the format code-scanning
services (GitHub code scanning, GitLab, Azure DevOps, VS Code's SARIF viewer) read.

The log is a handful of plain JSON objects, written here directly: the Python SARIF object
models on PyPI either need a code generator's runtime to serialise (sarif-om: jschema-to-python,
jsonpickle, pbr) or pydantic, for a dozen fields. What keeps it correct is the test that
validates every log against the official schema (tests/data/sarif-schema-2.1.0.json).

Every registered code is a rule (so `ruleIndex` is stable between runs); each diagnostic is a
result with its own level (book.toml and --strict may change a code's severity), its file
relative to the folder `glossary` was run from, and its line and column counted in Unicode
code points, as `check` counts them. A fingerprint over code, file and message lets a scanning
service follow a finding across commits that move it to another line.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from urllib.parse import quote

from .. import __version__
from .. import diagnostics as dg

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {dg.Severity.ERROR: "error", dg.Severity.WARNING: "warning", dg.Severity.INFO: "note"}


def sarif_log(items: Iterable[dg.Diagnostic], root: str = "") -> dict[str, object]:
    """A SARIF log with one run; `root` is the source folder as given on the command line."""
    codes = list(dg.CODES)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "glossary",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(dg.CODES[c]) for c in codes],
            }},
            "columnKind": "unicodeCodePoints",
            "results": [_result(d, root, codes) for d in items],
        }],
    }


def format_sarif(items: Iterable[dg.Diagnostic], root: str = "") -> str:
    return json.dumps(sarif_log(items, root), ensure_ascii=False, indent=2)


def _rule(code: dg.Code) -> dict[str, object]:
    return {
        "id": code.code,
        "name": code.name,
        "shortDescription": {"text": code.summary},
        "defaultConfiguration": {"level": _LEVEL[code.severity]},
    }


def _result(d: dg.Diagnostic, root: str, codes: list[str]) -> dict[str, object]:
    text = f"{d.message} — {d.hint}" if d.hint else d.message
    result: dict[str, object] = {
        "ruleId": d.code,
        "level": _LEVEL[d.severity],
        "message": {"text": text},
        "partialFingerprints": {"glossaryFinding/v1": _fingerprint(d)},
    }
    if d.code in codes:
        result["ruleIndex"] = codes.index(d.code)
    if d.file:
        location: dict[str, object] = {"artifactLocation": {"uri": _uri(d.file, root)}}
        if d.line:
            region = {"startLine": d.line}
            if d.column:
                region["startColumn"] = d.column
            location["region"] = region
        result["locations"] = [{"physicalLocation": location}]
    return result


def _uri(file: str, root: str) -> str:
    """A relative URI reference: `source/%C3%84rger.md` (the source folder is named as given,
    like the `github` format, so the path is relative to where the check ran)."""
    inside = root and file != root and not file.startswith("/")
    path = f"{root.rstrip('/')}/{file}" if inside else file
    if path.startswith("/"):
        return "file://" + quote(path, safe="/")
    return quote(path.removeprefix("./"), safe="/")


def _fingerprint(d: dg.Diagnostic) -> str:
    return hashlib.sha256(f"{d.code}\0{d.file}\0{d.message}".encode()).hexdigest()[:32]
