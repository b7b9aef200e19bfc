"""`glossary serve --pdf`: the PDF kept up to date in a process of its own.

The PDF takes far longer than the site, so it never holds the site's rebuild up: it is built
by a separate process (`python -m pipeline.serve.pdfjob`), at a lower CPU priority, in its own
process group so that stopping it also stops WeasyPrint's worker processes. One build runs at
a time; saves during it ask for one more when it ends. The job hands its result back as JSON.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .. import diagnostics as dg
from ..atomic import write_text
from ..build import book_cache, build
from .session import BuildResult

NICENESS = 10
_STOP_WAIT = 5.0  # seconds the job gets to end on SIGTERM before it is killed


def main(argv: list[str]) -> None:
    """In the job's process: build the PDF of SOURCE into OUT with STYLES; write RESULT."""
    source, out, styles, result = (Path(a) for a in argv)
    with contextlib.suppress(OSError, AttributeError):
        os.nice(NICENESS)  # the site's rebuild, the author's edit loop, gets the CPU first
    report = dg.Report()
    started = time.perf_counter()
    failure: dg.Diagnostic | None = None
    outputs: dict[str, Path] = {}
    try:
        outputs = build(source, out, ["pdf"], report, styles_dir=styles, cache=book_cache(source))
    except dg.GlossaryError as exc:
        failure = exc.diagnostic
    except Exception as exc:
        failure = dg.make(dg.TOOL_FAILED, "", 0, 0, f"internal error: {type(exc).__name__}: {exc}",
                          "a bug in glossary: run `glossary build --format pdf -v` and report it")
    write_text(result, json.dumps({
        "outputs": {k: str(v) for k, v in outputs.items()},
        "seconds": time.perf_counter() - started,
        "diagnostics": [d.as_dict() for d in report],
        "failure": failure.as_dict() if failure else None,
    }))


def _diagnostic(data: dict[str, str | int]) -> dg.Diagnostic:
    return dg.Diagnostic(str(data["file"]), int(data["line"]), int(data["column"]), str(data["code"]),
                         str(data["message"]), str(data["hint"]), dg.Severity(str(data["severity"])))


def read_result(path: Path, log: Path) -> BuildResult:
    """The job's result file; a job that died without one is a failure naming its last words."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        said = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        tail = said.strip().splitlines()[-1:]
        return BuildResult((), {}, 0.0, failure=dg.make(
            dg.TOOL_FAILED, "", 0, 0, f"the PDF job ended without a result{': ' + tail[0] if tail else ''}",
            "run `glossary build --format pdf -v` on this source to see why"))
    failure = data.get("failure")
    return BuildResult(tuple(_diagnostic(d) for d in data["diagnostics"]),
                       {k: Path(v) for k, v in data["outputs"].items()}, float(data["seconds"]),
                       failure=_diagnostic(failure) if failure else None)


class BackgroundPdf:
    """Keeps `<tmp>/pdf/<slug>.pdf` current; calls `done` with each finished job's result."""

    def __init__(self, source: Path, styles: Path, folder: Path,
                 done: Callable[[BuildResult], None]) -> None:
        self.source, self.styles, self.folder, self.done = source, styles, folder, done
        self._lock = threading.Lock()
        self._again = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def request(self) -> None:
        """Build the PDF now, or once more after the build that is running."""
        with self._lock:
            if self._stopping:
                return
            if self.busy:
                self._again = True
                return
            self._thread = threading.Thread(target=self._loop, name="glossary-pdf", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            result = self._run_once()
            with self._lock:
                if self._stopping:
                    return
                again, self._again = self._again, False
            self.done(result)
            if not again:
                return

    def _run_once(self) -> BuildResult:
        result, log = self.folder / "result.json", self.folder / "job.log"
        self.folder.mkdir(parents=True, exist_ok=True)
        result.unlink(missing_ok=True)
        argv = [sys.executable, "-m", "pipeline.serve.pdfjob", str(self.source), str(self.folder / "out"),
                str(self.styles), str(result)]
        with log.open("wb") as err, self._lock:
            if self._stopping:
                return BuildResult((), {}, 0.0)
            # Its own session: Ctrl-C in the terminal does not reach it; `stop` ends its group.
            self._process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                             stderr=err, start_new_session=True)
        self._process.wait()
        return read_result(result, log)

    def stop(self) -> None:
        """End a running job and its worker processes; no result is delivered after this."""
        with self._lock:
            self._stopping = True
            process = self._process
        if process is not None and process.poll() is None:
            _end_group(process)
        if self._thread is not None:
            self._thread.join(timeout=_STOP_WAIT)


def _end_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=_STOP_WAIT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


if __name__ == "__main__":
    main(sys.argv[1:])
