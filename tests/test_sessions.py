"""The nox sessions and the release command are what the README says: `nox -l` lists every
session with its one-line doc, and the README documents every session and release option."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _sessions() -> dict[str, str]:
    """Session name -> first docstring line, read from noxfile.py's @nox.session functions."""
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    return {
        f.name: (ast.get_docstring(f) or "").splitlines()[0]
        for f in tree.body
        if isinstance(f, ast.FunctionDef) and any("nox.session" in ast.unparse(d) for d in f.decorator_list)
    }


def test_every_nox_session_has_a_one_line_doc_listed_by_nox_and_the_readme() -> None:
    sessions = _sessions()
    assert set(sessions) == {"tests", "lint", "typecheck", "build", "check", "bench", "serve", "release"}
    listed = subprocess.run(
        [sys.executable, "-m", "nox", "-l"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, doc in sessions.items():
        assert doc and re.search(rf"^[*-] {name} -> {re.escape(doc)}$", listed, re.M), (name, listed)
        assert f"| `nox -s {name}` |" in readme, name


def test_every_release_option_is_documented() -> None:
    from pipeline.release.__main__ import _parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Releasing") : readme.index("## Architecture")]
    for action in _parser()._actions:
        for flag in action.option_strings:
            if flag not in ("-h", "--help"):
                assert re.search(rf"[\[|]{re.escape(flag)}[\] |]", section), flag
