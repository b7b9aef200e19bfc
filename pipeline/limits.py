"""Bounds on the work one build may do: sizes read, time spent parsing and per format.

Every bound is structural — enforced by the tool itself, not hoped for: files over `entry-size`
and entries past `total-size` are left out before they are parsed, every pandoc run has a
timeout (`parse-time` per entry when reading, the format's budget when writing) and the PDF
workers are stopped when the format's `time` is up. `book.toml` can raise them:

    [limits]
    entry-size = "2 MB"
    total-size = "64 MB"
    parse-time = "10 s"
    time = "15 min"

The format budget travels in a context variable (`budget`): pandoc runs and the PDF pool ask
`remaining()` for their timeout, so no writer has to pass it along. So does the run's stop
(`stoppable`): a format working beside the others (the PDF, in a thread of its own) is told by
it that Ctrl-C ended the run in the main thread, the only one a signal reaches.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3,
          "kib": 1024, "mib": 1024**2, "gib": 1024**3}
_SECONDS = {"": 1, "ms": 0.001, "s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600}
_QUANTITY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")
# Deepest nesting of blocks and inlines any format gets (lists in lists, divs in divs, quotes):
# every renderer recurses over it, and no real glossary nests deeper than a dozen levels.
MAX_NESTING = 40


@dataclass(frozen=True)
class Limits:
    entry_size: int = 1_000_000  # bytes of one source file
    total_size: int = 32_000_000  # bytes of all entries together
    parse_time: float = 5.0  # seconds pandoc may take to read one entry (plus 1 s per 100 kB)
    time: float = 600.0  # seconds one format may take to write


def size(value: object) -> int:
    """`"2 MB"`, `"512 kB"`, `1000000` -> bytes; ValueError with a reason otherwise."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    m = _QUANTITY.match(value) if isinstance(value, str) else None
    if not m or m.group(2).lower() not in _UNITS or float(m.group(1)) <= 0:
        raise ValueError('must be a size such as "2 MB", "500 kB" or a number of bytes')
    return max(1, int(float(m.group(1)) * _UNITS[m.group(2).lower()]))


def duration(value: object) -> float:
    """`"10 s"`, `"5 min"`, `"200 ms"`, `30` -> seconds; ValueError with a reason otherwise."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < math.inf:
        return float(value)
    m = _QUANTITY.match(value) if isinstance(value, str) else None
    if not m or m.group(2).lower() not in _SECONDS or float(m.group(1)) <= 0:
        raise ValueError('must be a duration such as "10 s", "5 min" or "200 ms"')
    return float(m.group(1)) * _SECONDS[m.group(2).lower()]


def shown_size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB" if n >= 1000 else f"{n} B"


def shown_time(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 120 else f"{seconds:g} s"


class TimeBudgetExceeded(Exception):
    """The running format's time budget is used up (`budget`)."""


class Stopped(Exception):
    """The run was stopped (`stoppable`) while this thread still worked for it."""


_DEADLINE: ContextVar[float | None] = ContextVar("glossary_deadline", default=None)
_STOP: ContextVar[threading.Event | None] = ContextVar("glossary_stop", default=None)


@contextmanager
def stoppable(stop: threading.Event) -> Iterator[None]:
    """Work inside (and in threads started with a copy of this context) ends with `Stopped`
    at its next wait once `stop` is set."""
    token = _STOP.set(stop)
    try:
        yield
    finally:
        _STOP.reset(token)


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Everything inside must finish within `seconds` (nested budgets keep the earlier end)."""
    end = time.monotonic() + seconds
    outer = _DEADLINE.get()
    token = _DEADLINE.set(end if outer is None else min(outer, end))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def remaining() -> float | None:
    """Seconds left of the current budget (None outside a budget); raises when none are left,
    or `Stopped` when the run was stopped."""
    stop = _STOP.get()
    if stop is not None and stop.is_set():
        raise Stopped
    end = _DEADLINE.get()
    if end is None:
        return None
    left = end - time.monotonic()
    if left <= 0:
        raise TimeBudgetExceeded
    return left


def timeout(own: float | None = None) -> float | None:
    """The timeout for one step: its own bound or the budget's rest, whichever ends first."""
    left = remaining()
    if left is None:
        return own
    return left if own is None else min(own, left)
