"""Finding the entry that makes a pandoc batch too slow, with one watched run.

pandoc's Markdown reader is exponential on some inputs (26 unmatched `[` take minutes; 8,000
`&#x` half a minute). A batch run that times out does not say which of its files was to blame,
and re-running each file alone costs one pandoc start per file. Instead the batch is run once
more with `--trace`: pandoc then prints a line for every block it has parsed, the boundary
markers between files among them, so a watcher knows at any moment which file pandoc is in and
since when. When one file has taken longer than its budget the run is killed and that file is
the culprit; the caller leaves it out and runs the rest (normally in one more run).

Only the slow path pays for the trace (it costs pandoc about 8% more time); a batch that ends
within its budget is never traced.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

_AT_LINE = re.compile(r" at line (\d+)\s*$")
_POLL = 0.05  # seconds between looks at the clock


@dataclass(frozen=True)
class Stuck:
    index: int  # of the file (among the inputs that are not boundaries) that took too long
    line: int  # pandoc was past this line of it (0: not past its first block)


@dataclass(frozen=True)
class Finished:
    stdout: bytes
    stderr: str  # without the trace lines
    returncode: int


class _Watch:
    """What the trace says so far: the file pandoc is in, since when, and its last line."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.index = 0
        self.since = time.monotonic()
        self.line = 0
        self.other: list[str] = []
        self.lock = threading.Lock()

    def read(self, stream: object) -> None:
        for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
            text = raw.decode("utf-8", "replace").rstrip("\n")
            if not text.startswith("[trace]"):
                self.other.append(text)
                continue
            with self.lock:
                if self.marker in text:
                    self.index, self.since, self.line = self.index + 1, time.monotonic(), 0
                elif m := _AT_LINE.search(text):
                    # Blocks nested in a list or quote report lines relative to it: the
                    # largest line seen is the furthest pandoc is known to have come.
                    self.line = max(self.line, int(m.group(1)))


def run_traced(command: Sequence[str], cwd: str, marker: str, budgets: Sequence[float]) -> Stuck | Finished:
    """Run `command` (pandoc reading several files, each followed by a boundary file holding
    `marker`) with `--trace`; kill it as soon as file *i* has taken longer than `budgets[i]`."""
    watch = _Watch(marker)
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([command[0], "--trace", *command[1:]], cwd=cwd, stdout=out,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        reader = threading.Thread(target=watch.read, args=(proc.stderr,), daemon=True)
        reader.start()
        try:
            stuck = _wait(proc, watch, budgets)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            reader.join()
            if proc.stderr is not None:
                proc.stderr.close()
        if stuck is not None:
            return stuck
        out.seek(0)
        return Finished(out.read(), "\n".join(watch.other), proc.returncode)


def _wait(proc: subprocess.Popen[bytes], watch: _Watch, budgets: Sequence[float]) -> Stuck | None:
    while True:
        try:  # returns as soon as pandoc ends: a one-file parse takes less than one sleep
            proc.wait(timeout=_POLL)
            return None
        except subprocess.TimeoutExpired:
            pass
        with watch.lock:
            i, since, line = watch.index, watch.since, watch.line
        if i < len(budgets) and time.monotonic() - since > budgets[i]:
            return Stuck(i, line)


_HINTS = (
    (re.compile(r"\["), re.compile(r"\]"), 12, "{n} unmatched [ brackets (pandoc tries every way "
     "to close them): write them as \\[ or close them"),
    (re.compile(r"&#"), None, 500, "{n} character references (&#…): write the characters themselves"),
    (re.compile(r"[‹›«»]"), None, 2000, "{n} guillemets in a row: shorten the run"),
)


def what_to_simplify(text: str) -> str:
    """The construct that most likely makes pandoc slow on `text`, as advice."""
    for opening, closing, threshold, advice in _HINTS:
        n = len(opening.findall(text)) - (len(closing.findall(text)) if closing else 0)
        if n >= threshold:
            return advice.format(n=n)
    return "simplify deeply nested or unclosed markup (brackets, emphasis, raw HTML)"

