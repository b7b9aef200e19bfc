"""The build cache: derived results stored under a key made of everything they depend on.

An optimisation that never changes an output: a value is found only under the key of exactly
the inputs it was computed from (the entry's bytes, the tool's version, pandoc's, the relevant
configuration and styles), so a warm build gives the same bytes as a cold one. What is stored
is data, never code (JSON or raw bytes; nothing is unpickled), each entry with a checksum: a
corrupt, truncated or foreign entry reads as missing and is computed again. Entries are written
atomically (temporary file, then rename), so builds that share a cache never see half an entry.

Layout: `<root>/<kind>/<key[:2]>/<key>`; `<root>/.gitignore` keeps the folder out of git.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from . import jsonbytes
from .cache_writer import Writer, at_exit
from .version import __version__

CACHE_DIR = ".glossary-cache"
FORMAT = "3"  # bump when the layout or any stored value's shape changes
_MAGIC = b"GLC" + FORMAT.encode()
_DIGEST = 32
MAX_AGE = 30 * 24 * 3600  # entries unused for this long are pruned
_PRUNE_EVERY = 24 * 3600


@functools.cache
def code_digest() -> str:
    """A digest of the tool's own modules (what computed every stored value)."""
    package = Path(__file__).resolve().parent
    files = sorted(package.rglob("*.py"))
    return digest(*(p.relative_to(package).as_posix() for p in files), *(p.read_bytes() for p in files))


def digest(*parts: str | bytes) -> str:
    """A hex key for the parts (each length-prefixed, so ('ab', 'c') differs from ('a', 'bc'))."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class Memory:
    """Entries kept in memory across the builds of one long-lived process (`glossary serve`),
    so that a rebuild reads no file for what an earlier one read or wrote. A key names exactly
    the inputs of its value, so a copy in memory never goes stale; beyond `limit` bytes the
    least recently used go first. Shared by the threads of a build."""

    def __init__(self, limit: int = 256 << 20) -> None:
        self.limit = limit
        self.size = 0
        self._entries: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, kind: str, key: str) -> bytes | None:
        with self._lock:
            data = self._entries.get((kind, key))
            if data is not None:
                self._entries.move_to_end((kind, key))
            return data

    def put(self, kind: str, key: str, data: bytes) -> None:
        if len(data) > self.limit // 4:
            return
        with self._lock:
            old = self._entries.pop((kind, key), None)
            self.size += len(data) - (len(old) if old is not None else 0)
            self._entries[(kind, key)] = data
            while self.size > self.limit:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped)


class Cache:
    """A cache folder, or a cache that keeps nothing (`root=None`: `--no-cache`); with a
    `memory`, also what it read and wrote, for the next build of the same process."""

    def __init__(self, root: Path | None, salt: str = "", memory: Memory | None = None) -> None:
        self.root = root
        self.memory = memory if root is not None else None
        # Every key includes the tool's code (its version, and the digest of its modules: a
        # changed module, released or not, never reads what another version stored) and the
        # salt (the pandoc binary, for one).
        self.salt = f"{__version__}|{FORMAT}|{code_digest()}|{salt}"
        self.hits = 0
        self.misses = 0
        self._ready = False

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def key(self, *parts: str | bytes) -> str:
        return digest(self.salt, *parts)

    def get(self, kind: str, key: str) -> bytes | None:
        """The stored bytes, or None when absent or damaged."""
        if self.root is None:
            return None
        if self.memory is not None and (kept := self.memory.get(kind, key)) is not None:
            self.hits += 1
            return kept
        path = self._path(kind, key)
        if (waiting := WRITER.pending(path)) is not None:
            self.hits += 1
            return waiting
        try:
            raw = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        head, payload = raw[: len(_MAGIC) + _DIGEST], raw[len(_MAGIC) + _DIGEST:]
        if head != _MAGIC + hashlib.blake2b(payload, digest_size=_DIGEST).digest():
            self.misses += 1
            return None
        self.hits += 1
        _touch(path)
        if self.memory is not None:
            self.memory.put(kind, key, payload)
        return payload

    def put(self, kind: str, key: str, data: bytes) -> None:
        """Store `data`; a cache that cannot be written is no error (the build goes on). The file
        is written beside the run (`cache_writer`; `flush` waits for it); until then `get` finds
        the entry there."""
        if self.root is None:
            return
        if self.memory is not None:
            self.memory.put(kind, key, data)
        try:
            self._prepare()
        except OSError:
            return
        WRITER.put(self._path(kind, key), data)

    def flush(self) -> None:
        """Wait until every entry put so far is in its file."""
        if self.root is not None:
            WRITER.flush()

    @contextlib.contextmanager
    def flushed(self) -> Iterator[None]:
        """Flush when the block ends, also with an error; not when it is interrupted (Ctrl-C:
        the command ends at once and leaves the rest unwritten, `cli`)."""
        try:
            yield
        except KeyboardInterrupt:
            raise
        except BaseException:
            self.flush()
            raise
        self.flush()

    def get_json(self, kind: str, key: str) -> Any:
        data = self.get(kind, key)
        if data is None:
            return None
        try:
            return json.loads(data)
        except ValueError:
            return None

    def put_json(self, kind: str, key: str, value: Any) -> None:
        self.put(kind, key, jsonbytes.dumps(value))

    def _path(self, kind: str, key: str) -> Path:
        assert self.root is not None
        return self.root / kind / key[:2] / key

    def _prepare(self) -> None:
        """Create the folder with its .gitignore once; prune old entries now and then."""
        if self._ready or self.root is None:
            return
        self._ready = True
        self.root.mkdir(parents=True, exist_ok=True)
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# the glossary tool's build cache: safe to delete\n*\n", encoding="utf-8")
        stamp = self.root / ".pruned"
        try:
            fresh = time.time() - stamp.stat().st_mtime < _PRUNE_EVERY
        except OSError:
            fresh = False
        if not fresh:
            prune(self.root, MAX_AGE)
            stamp.touch()


WRITER = Writer(_MAGIC, _DIGEST)
at_exit(WRITER)


def _touch(path: Path) -> None:
    """Mark an entry as used (its modification time is its age for pruning)."""
    try:
        if time.time() - path.stat().st_mtime > 3600:
            os.utime(path)
    except OSError:
        pass


def prune(root: Path, max_age: float) -> int:
    """Remove entries unused for `max_age` seconds (and stale temporary files); how many."""
    removed = 0
    now = time.time()
    for path in _entries(root):
        try:
            if now - path.stat().st_mtime > max_age or path.name.endswith(".tmp"):
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def _entries(root: Path) -> Iterable[Path]:
    for kind in root.iterdir() if root.is_dir() else ():
        if kind.is_dir() and not kind.is_symlink():
            yield from (p for p in kind.glob("*/*") if p.is_file())


def clear(root: Path) -> bool:
    """Delete a cache folder (only one that looks like ours); whether there was one."""
    if not root.is_dir():
        return False
    if not (root / ".gitignore").is_file() and any(root.iterdir()):
        raise ValueError(f"{root} does not look like a glossary cache; not deleted")
    WRITER.flush()  # nothing of this process lands in it afterwards
    shutil.rmtree(root)
    return True
