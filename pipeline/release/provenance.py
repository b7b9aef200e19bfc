"""Where a release comes from: its timestamp (SOURCE_DATE_EPOCH) and its git commit.

A release is only reproducible if its timestamp is a property of the source, never of the
machine's clock, so an unknown timestamp is refused instead of defaulting to "now".
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .. import diagnostics as dg


@dataclass(frozen=True)
class Git:
    commit: str | None  # None outside a git work tree (or without git)
    dirty: bool  # uncommitted changes inside the source folder


def _git(source: Path, *args: str) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(
            [git, "-C", str(source), *args], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_info(source: Path) -> Git:
    commit = _git(source, "rev-parse", "HEAD")
    if commit is None:
        return Git(None, False)
    status = _git(source, "status", "--porcelain", "--untracked-files=normal", "--", ".")
    return Git(commit, bool(status))


def source_date_epoch(source: Path) -> tuple[int, str]:
    """(epoch, where it came from): the environment, else the last commit's date, else refused."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        if not raw.isdigit():
            raise _refuse(
                f"SOURCE_DATE_EPOCH={raw!r} is not a whole number of seconds",
                "set it to seconds since 1970, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)",
            )
        return int(raw), "environment"
    committed = _git(source, "log", "-1", "--format=%ct")
    if committed and committed.isdigit():
        return int(committed), "last git commit"
    raise _refuse(
        f"no release date: SOURCE_DATE_EPOCH is not set and {source} is not in a git "
        "repository with a commit",
        "set SOURCE_DATE_EPOCH (seconds since 1970) or release from a git checkout",
    )


def _refuse(message: str, hint: str) -> dg.GlossaryError:
    return dg.GlossaryError(dg.make(dg.RELEASE_REFUSED, "", 0, 0, message, hint), exit_code=2)
