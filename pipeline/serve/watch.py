"""Watching the source and styles folders, and running one rebuild at a time.

The watching is `watchfiles` (Rust `notify`: inotify, FSEvents, ReadDirectoryChangesW), which
also debounces: it hands over a set of changes once no new one arrived for `STEP_MS`. An
editor's save (temporary file, rename, touch) thus arrives as one set. Sets that arrive while a
rebuild runs are merged and rebuilt together once it ends, so a burst of saves costs at most one
rebuild more.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Generic, TypeVar

import watchfiles

R = TypeVar("R")
STEP_MS = 50  # quiet time that ends a burst of file events
RETRY_S = 1.0  # before the subfolders are watched again after their watch failed
# Folders in the source that are the tool's own output, never the author's: a change there must
# not start a rebuild (the build cache lives next to book.toml).
IGNORED_DIRS = (".glossary-cache",)
_log = logging.getLogger(__name__)


class Rebuilder(Generic[R]):
    """Runs `rebuild(changed)` on its own thread, one at a time, merging what arrives meanwhile."""

    def __init__(self, rebuild: Callable[[set[Path]], R], done: Callable[[R], None]) -> None:
        self._rebuild, self._done = rebuild, done
        self._pending: set[Path] = set()
        self._wanted = False
        self._stopping = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name="glossary-rebuild", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request(self, changed: Iterable[Path]) -> None:
        """Ask for a rebuild after `changed` (may be empty: rebuild anyway, e.g. a new PDF)."""
        with self._cond:
            self._pending.update(changed)
            self._wanted = True
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._wanted or self._stopping)
                if self._stopping:
                    return
                changed, self._pending, self._wanted = self._pending, set(), False
            self._done(self._rebuild(changed))

    def stop(self, timeout: float) -> None:
        """No rebuild starts after this; waits up to `timeout` s for the running one."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)


class Watcher:
    """Calls `changed(paths)` for every burst of changes under `folders` until `stop`.

    The build cache lives inside the source folder, and a watch of the whole folder would put
    an inotify watch on each of its thousands of subfolders (1,662 for 350 entries; the default
    limit is 8,192 watches per user on many systems, shared with the editor) and take an event
    for each file a build stores. So each folder is watched on its own, without what is below
    it, and each of its subfolders that is not ignored with everything below. A subfolder
    added or removed at the top changes that plan: the watches start again, and the folder is
    reported as changed (a file saved into it meanwhile is then read by the rebuild).
    """

    def __init__(self, folders: Iterable[Path], changed: Callable[[set[Path]], None]) -> None:
        self.folders = sorted({f.resolve() for f in folders})
        self._changed = changed
        self._stop = threading.Event()
        self._filter = watchfiles.DefaultFilter(
            ignore_dirs=(*watchfiles.DefaultFilter.ignore_dirs, *IGNORED_DIRS))
        self._thread = threading.Thread(target=self._loop, name="glossary-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def subfolders(self) -> list[Path]:
        """The folders watched with everything below them: the watched folders' subfolders."""
        found = []
        for folder in self.folders:
            try:
                children = sorted(folder.iterdir())
            except OSError:
                continue
            found += [c for c in children if c.is_dir() and self._filter(watchfiles.Change.added, str(c))]
        return found

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                self._watch(self.subfolders())
        except Exception as exc:  # a folder that vanished, too many inotify watches: say so, don't die
            _log.error("watching %s stopped: %s", ", ".join(map(str, self.folders)), exc)

    def _watch(self, deep: list[Path]) -> None:
        """Watch until `stop`, or until a subfolder comes or goes at the top (then return)."""
        again = threading.Event()
        until = _Either(self._stop, again)
        below = threading.Thread(target=self._below, args=(deep, until), name="glossary-watch-below",
                                 daemon=True) if deep else None
        if below is not None:
            below.start()
        try:
            for changes in watchfiles.watch(*self.folders, watch_filter=self._filter, step=STEP_MS,
                                            stop_event=until, raise_interrupt=False, recursive=False):
                paths = {Path(path) for _, path in changes}
                self._changed(paths)
                if any(p.is_dir() or p in deep for p in paths):
                    break
        finally:
            again.set()
            if below is not None:
                below.join()

    def _below(self, deep: list[Path], until: _Either) -> None:
        try:
            for changes in watchfiles.watch(*deep, watch_filter=self._filter, step=STEP_MS,
                                            stop_event=until, raise_interrupt=False):
                self._changed({Path(path) for _, path in changes})
        except Exception as exc:  # the top-level watch goes on; the plan is made again, in a while
            _log.warning("watching below %s stopped: %s", ", ".join(map(str, self.folders)), exc)
            self._stop.wait(RETRY_S)  # a lasting cause (the inotify limit) must not spin
            until.second.set()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)


class _Either:
    """Set when either event is: what `watchfiles.watch` asks of its `stop_event`."""

    def __init__(self, first: threading.Event, second: threading.Event) -> None:
        self.first, self.second = first, second

    def is_set(self) -> bool:
        return self.first.is_set() or self.second.is_set()
