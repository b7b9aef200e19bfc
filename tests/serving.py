"""A real `glossary serve` process for tests and the serve benchmark: start, read its lines, stop."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

EPOCH = "1764374400"  # SOURCE_DATE_EPOCH: the served site and a plain build must agree byte for byte


class Served:
    """`python -m pipeline serve SOURCE --port 0 ARGS…` with TMPDIR pointed at `tmp`."""

    def __init__(self, source: Path, tmp: Path, *args: str, timeout: float = 120,
                 env: dict[str, str] | None = None) -> None:
        self.tmp = tmp
        env = {**os.environ, "TMPDIR": str(tmp), "SOURCE_DATE_EPOCH": EPOCH, "PYTHONUNBUFFERED": "1",
               **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "serve", str(source), "--port", "0", *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.out: list[str] = []
        self.err: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        for stream, sink in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, sink), daemon=True).start()
        found = re.search(r"http://\S+", self.wait_for(r"^Serving http://", timeout))
        assert found, self.out
        self.url = found.group(0)

    def _read(self, stream: IO[str] | None, sink: list[str]) -> None:
        assert stream is not None
        for line in stream:
            sink.append(line.rstrip("\n"))
            self._lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 120) -> str:
        """The next line (stdout or stderr) matching `pattern`; earlier lines are passed over."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or (self.process.poll() is not None and self._lines.empty()):
                raise AssertionError(f"no line like {pattern!r}; stdout {self.out}, stderr {self.err}")
            try:
                line = self._lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if re.search(pattern, line):
                return line

    @property
    def site(self) -> Path:
        """The site folder inside the session's temporary folder."""
        (folder,) = self.tmp.glob("glossary-serve-*")
        return folder / "out" / "html"

    def stop(self, sig: int = signal.SIGINT, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            time.sleep(0.1)  # let the readers take the last lines
