"""Wall time, CPU time and peak memory of a command and its whole process tree.

- wall: from start to the root process's exit;
- cpu: user + system time of the root and every descendant it reaped (wait4's rusage);
- peak: the largest peak RSS of any single process in the tree — the larger of wait4's
  `ru_maxrss` (the largest of the root and its reaped descendants) and VmHWM sampled from /proc;
- per program: the largest VmHWM seen per program name (sampled every 100 ms; a process that
  lives shorter than that may be missed here, never in `peak`);
- tree: the largest sum of VmRSS over all processes of the tree at one sample — what the
  machine had to hold at once (workers side by side).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

INTERVAL = 0.1  # one scan of /proc costs ~2 ms of a core the measured program shares


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mb: float
    tree_mb: float
    peaks: dict[str, float] = field(default_factory=dict)  # program -> largest VmHWM (MB)
    exit_code: int = 0


class Failed(Exception):
    """The command exited with a code it should not have."""


def measure(cmd: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None,
            ok: tuple[int, ...] = (0, 1)) -> Run:
    """Run `cmd` (stdout discarded) and measure it; raise `Failed` with its stderr's tail otherwise."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=None if env is None else dict(env),
                                stdout=null, stderr=subprocess.PIPE)
    watcher = _Watcher(proc.pid)
    watcher.start()
    assert proc.stderr is not None
    stderr = proc.stderr.read()  # drained while it runs, so a chatty tool never blocks on the pipe
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    watcher.stop()
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if code not in ok:
        tail = stderr.decode(errors="replace")[-1500:]
        raise Failed(f"exit {code}: {' '.join(cmd[:6])} …\n{tail}")
    peak = max(usage.ru_maxrss / 1024, max(watcher.peaks.values(), default=0.0))
    return Run(wall, usage.ru_utime + usage.ru_stime, peak, watcher.tree, dict(watcher.peaks), code)


class _Watcher(threading.Thread):
    """Samples the process tree below `root` from /proc until stopped."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peaks: dict[str, float] = {}
        self.tree = 0.0
        self._done = threading.Event()

    def stop(self) -> None:
        self._done.set()
        self.join()

    def run(self) -> None:
        while True:
            self._sample()
            if self._done.wait(INTERVAL):
                return

    def _sample(self) -> None:
        total = 0.0
        for pid in _tree(self.root):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            name = fields.get("Name", "?").strip()
            hwm = _mb(fields.get("VmHWM", ""))
            total += _mb(fields.get("VmRSS", ""))
            self.peaks[name] = max(self.peaks.get(name, 0.0), hwm)
        self.tree = max(self.tree, total)


def _tree(root: int) -> list[int]:
    """`root` and its living descendants, from the parent field of /proc/*/stat."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def _mb(value: str) -> float:
    parts = value.split()
    return int(parts[0]) / 1024 if parts else 0.0
