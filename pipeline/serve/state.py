"""What the open pages are told: the site's generation, the last build's findings, the PDF.

The server streams this state to every page (Server-Sent Events); a page reloads when the
generation differs from the one it was served with, and shows the findings in its overlay.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from .. import diagnostics as dg
from .session import BuildResult

MAX_SHOWN = 200  # findings sent to the overlay; the terminal has them all


class LiveState:
    """The latest state as JSON, and a way to wait for the next one."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._version = 0
        self._closed = False
        self._data: dict[str, Any] = {"generation": 0, "building": True, "seconds": 0.0,
                                      "failure": None, "diagnostics": [], "more": 0,
                                      "pdf": {"state": "off"}}

    @property
    def generation(self) -> int:
        with self._cond:
            return int(self._data["generation"])

    def update(self, **changes: Any) -> None:
        with self._cond:
            self._data.update(changes)
            self._version += 1
            self._cond.notify_all()

    def snapshot(self) -> tuple[int, str]:
        with self._cond:
            return self._version, json.dumps(self._data, ensure_ascii=False)

    def wait(self, seen: int, timeout: float) -> tuple[int, str] | None:
        """The next state after version `seen`; None on timeout or when the server closes."""
        with self._cond:
            self._cond.wait_for(lambda: self._version != seen or self._closed, timeout)
            if self._closed or self._version == seen:
                return None
            return self._version, json.dumps(self._data, ensure_ascii=False)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


def site_state(result: BuildResult, source: Path) -> dict[str, Any]:
    """The overlay's view of one site build: findings of the files just saved come first."""
    recent = _relative(result.changed, source)
    shown = [d for d in result.diagnostics if d.severity is not dg.Severity.INFO]
    shown.sort(key=lambda d: (d.file not in recent, d.severity is not dg.Severity.ERROR, d))
    state: dict[str, Any] = {
        "building": False, "seconds": round(result.seconds, 2),
        "failure": _entry(result.failure, recent) if result.failure else None,
        "diagnostics": [_entry(d, recent) for d in shown[:MAX_SHOWN]],
        "more": max(0, len(shown) - MAX_SHOWN),
    }
    if result.generation:
        state["generation"] = result.generation
    return state


def pdf_state(result: BuildResult | None) -> dict[str, Any]:
    if result is None:
        return {"pdf": {"state": "building"}}
    if result.failure is not None or "pdf" not in result.outputs:
        message = dg.format_text(result.failure) if result.failure else "no PDF was written"
        return {"pdf": {"state": "failed", "message": message}}
    return {"pdf": {"state": "ready", "seconds": round(result.seconds, 1)}}


def _entry(d: dg.Diagnostic, recent: set[str]) -> dict[str, Any]:
    return {**d.as_dict(), "recent": d.file in recent}


def _relative(paths: frozenset[Path], source: Path) -> set[str]:
    root = source.resolve()
    return {p.resolve().relative_to(root).as_posix() for p in paths if p.resolve().is_relative_to(root)}
