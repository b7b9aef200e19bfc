"""Writing the build cache's files beside the run, in a small process of its own.

Creating files is most of what a cold run spends on its cache: 350 entries store 1,400 cache
entries, which took two seconds of system time one after another (a cold `check` 5.7 s, 3.4 s
without the cache). A thread does not help: each of the four system calls a file needs gives up
the GIL, and the thread then waits up to the switch interval (5 ms) to get it back from the
busy main thread; it had written 60 files when the run ended. So a child process writes them:
our thread hands it everything stored since its last turn in one pipe write, and the child
answers when those are in their files. Until then `pending` has them. If the child cannot be
started or dies, the thread writes the files itself.

Each file appears whole or not at all (a temporary file, then a rename); a temporary file left
by a kill is removed by the cache's pruning.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

# The child: reads `put <path bytes> <data bytes>\n<path><data>` records and `sync\n`, which it
# answers with a line once everything before it is written. It ignores Ctrl-C (the parent
# decides what is still written) and ends when its input does, when the parent has ended.
_CHILD = r"""
import hashlib, os, signal, sys, tempfile
signal.signal(signal.SIGINT, signal.SIG_IGN)
magic, size = os.fsencode(sys.argv[1]), int(sys.argv[2])
stream, made = sys.stdin.buffer, set()
def take(n):
    got = stream.read(n)
    if len(got) != n:
        sys.exit(0)
    return got
for head in iter(stream.readline, b""):
    word, *sizes = head.split()
    if word == b"sync":
        sys.stdout.write("done\n")
        sys.stdout.flush()
        continue
    path = os.fsdecode(take(int(sizes[0])))
    data = take(int(sizes[1]))
    folder = os.path.dirname(path)
    try:
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as out:
            out.write(magic + hashlib.blake2b(data, digest_size=size).digest() + data)
        os.replace(tmp, path)
    except OSError:
        made.discard(folder)
"""

_Item = tuple[int, Path, bytes]  # sequence number, file, payload


class Writer:
    """Writes framed cache entries (`magic`, a blake2b digest of `size` bytes, the payload)."""

    def __init__(self, magic: bytes, size: int) -> None:
        self.magic, self.size = magic, size
        self.reset()

    def reset(self) -> None:
        """A fresh state (also in a forked child, which has no thread and maybe a held lock)."""
        self._lock = threading.Condition()
        self._todo: list[_Item] = []
        self._pending: dict[Path, tuple[int, bytes]] = {}
        self._seq = self._done = 0
        self._thread: threading.Thread | None = None
        self._child: subprocess.Popen[bytes] | None = None
        self._alone = False  # the child failed: this process writes the files itself

    def put(self, path: Path, data: bytes) -> None:
        with self._lock:
            self._seq += 1
            self._pending[path] = (self._seq, data)
            self._todo.append((self._seq, path, data))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="glossary-cache", daemon=True)
                self._thread.start()
            self._lock.notify_all()

    def pending(self, path: Path) -> bytes | None:
        """The payload stored for `path` that is not in its file yet."""
        with self._lock:
            found = self._pending.get(path)
        return None if found is None else found[1]

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything put so far is in its file; whether it is."""
        with self._lock:
            target = self._seq
            return self._lock.wait_for(lambda: self._done >= target, timeout)

    def drop(self) -> None:
        """Forget what is not handed on yet (Ctrl-C: the run ends now; the cache misses it)."""
        with self._lock:
            for seq, path, _ in self._todo:
                if self._pending.get(path, (0, b""))[0] == seq:
                    del self._pending[path]
            if self._todo:
                self._done = max(self._done, self._todo[-1][0])
            self._todo.clear()
            self._lock.notify_all()

    def _run(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: bool(self._todo))
                batch, self._todo = self._todo, []
            try:
                if not self._hand_on(batch):
                    for _, path, data in batch:
                        self._write(path, data)
            except Exception:  # a cache that cannot be written is no error, and `flush`
                pass  # must not wait for entries that will never come
            finally:
                with self._lock:
                    for seq, path, _ in batch:
                        if self._pending.get(path, (0, b""))[0] == seq:
                            del self._pending[path]
                    self._done = max(self._done, batch[-1][0])
                    self._lock.notify_all()

    def _hand_on(self, batch: list[_Item]) -> bool:
        """Give the batch to the child and wait until it is written; False if the child failed."""
        child = self._started()
        if child is None or child.stdin is None or child.stdout is None:
            return False
        parts: list[bytes] = []
        for _, path, data in batch:
            name = os.fsencode(path)
            parts += [b"put %d %d\n" % (len(name), len(data)), name, data]
        parts.append(b"sync\n")
        try:
            child.stdin.write(b"".join(parts))
            child.stdin.flush()
            if child.stdout.readline() == b"done\n":
                return True
        except OSError:
            pass
        self._alone, self._child = True, None
        with contextlib.suppress(OSError):
            child.kill()
        return False

    def _started(self) -> subprocess.Popen[bytes] | None:
        if self._child is None and not self._alone:
            try:
                self._child = subprocess.Popen(
                    [sys.executable, "-I", "-S", "-c", _CHILD, os.fsdecode(self.magic), str(self.size)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            except OSError:
                self._alone = True
        return self._child

    def _write(self, path: Path, data: bytes) -> None:
        # The child's loop does the same: it starts bare (`-I -S`, a few ms), without this package.
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as out:
                out.write(self.magic + hashlib.blake2b(data, digest_size=self.size).digest() + data)
            os.replace(tmp, path)
        except OSError:
            return


def at_exit(writer: Writer) -> None:
    """Write what is left when the process ends (a second Ctrl-C meanwhile leaves it)."""

    def finish() -> None:
        with contextlib.suppress(KeyboardInterrupt):
            writer.flush(timeout=60)

    atexit.register(finish)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=writer.reset)
