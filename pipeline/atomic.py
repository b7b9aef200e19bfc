"""Atomic output: write to a temporary sibling, rename into place only when complete.

A build that fails half-way therefore never destroys the previous good output. Temporaries are
hidden and end in `.tmp` (`.book.pdf.k3j2.tmp`, `.html.x8a1.tmp`), the folder being replaced is
parked as `.html.old` for the instant of the swap; a build killed with -9 can leave either
behind, and `recover` — run by the next build, under its lock — removes them, or puts the
parked folder back when the kill fell between the two renames.

A write that fails because the disk is full or read-only is a `GlossaryError` naming the file.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import diagnostics as dg

# errno values that say the output cannot be written, whichever writer hit them.
_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EACCES,
                           errno.EPERM})
_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")  # mkstemp/mkdtemp: prefix, 8 random, suffix
_PARKED = frozenset({".html.old"})  # folders replaced with atomic_dir, parked for the swap
_OLD_TEMP_DIR = re.compile(r"^\.html\.[a-z0-9_]{8}$")  # the site's temp folder before the suffix
_STAGED_DIR = re.compile(r"^\..+\.strict-[a-z0-9_]{8}$")  # --strict staging (`BuildContext._target`)


def write_failure(path: Path, exc: OSError) -> dg.GlossaryError:
    """The run ends: nothing more can be written (exit 2, the previous outputs are kept)."""
    return dg.GlossaryError(dg.make(
        dg.OUTPUT_WRITE, str(path), 0, 0, f"cannot write {path}: {exc.strerror or exc}",
        "free disk space or choose another --out; the previous outputs were kept"), exit_code=2)


@contextmanager
def _named_failures(path: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        if exc.errno in _WRITE_ERRORS:
            raise write_failure(path, exc) from exc
        raise


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temp path beside `path`; on success it replaces `path`, on error it is removed."""
    with _named_failures(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    tmp = Path(tmp_name)
    try:
        with _named_failures(path):
            yield tmp
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(path: Path, data: bytes) -> Path:
    with atomic_file(path) as tmp:
        tmp.write_bytes(data)
    return path


def write_text(path: Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def write_reusing(path: Path, data: bytes, previous: Path) -> None:
    """Write `data` at `path`, or make `path` a hard link of `previous` when that regular file
    holds exactly `data`: a folder built again (`atomic_dir`) holds mostly unchanged files,
    and a link costs a small part of a write. Links are never written through: every output
    is a new file."""
    try:
        st = previous.lstat()
        if stat.S_ISREG(st.st_mode) and st.st_size == len(data) and previous.read_bytes() == data:
            os.link(previous, path, follow_symlinks=False)
            return
    except OSError:
        pass  # no previous file, or a file system without links: written as new
    path.write_bytes(data)


@contextmanager
def atomic_dir(path: Path) -> Iterator[Path]:
    """Yield an empty temp folder beside `path`; on success it takes the place of `path`."""
    with _named_failures(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    old = path.parent / f".{path.name}.old"
    try:
        with _named_failures(path):
            yield tmp
            os.chmod(tmp, 0o755)
            if old.exists():
                shutil.rmtree(old)
            if path.exists():
                os.replace(path, old)
            os.replace(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def recover(folder: Path) -> list[str]:
    """Undo what killed builds left in `folder`: remove their temporaries, put a parked folder
    back where its replacement never arrived. Only while no other build writes there (its lock
    held). Returns the names removed or restored."""
    done: list[str] = []
    if not folder.is_dir():
        return done
    for entry in sorted(folder.iterdir()):
        name = entry.name
        if not name.startswith(".") or entry.is_symlink():
            continue
        if name in _PARKED and entry.is_dir():
            current = folder / name[1:-len(".old")]
            if not current.exists():
                os.replace(entry, current)  # the kill came between the two renames
            else:
                shutil.rmtree(entry, ignore_errors=True)
            done.append(name)
        elif _TEMP.match(name) or (entry.is_dir() and (_OLD_TEMP_DIR.match(name)
                                                       or _STAGED_DIR.match(name))):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            done.append(name)
    return done
