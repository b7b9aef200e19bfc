"""The output folder (`--out`): checked before anything is read, locked while a build writes,
tidied after killed builds, and a small manifest of what it holds.

- A folder that is a file, lies under a file, is a device (`/dev/null`) or cannot be written is
  a usage error (GL504, exit 2) before any entry is read; it is created only when there is
  something to write (not under `--strict` with errors).
- One build at a time: a second build into the same folder stops at once with GL505 (a lock
  file held with `filelock`, released by the system even when a build is killed).
- Under the lock, what killed builds left behind is removed (`atomic.recover`).
- `.glossary-manifest.json` records, per format, the file written and the fingerprint of what
  it was built from (the tool's version, the source and styles folders' files). A later
  partial build (`--format html`) links the downloads that are still current.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import diagnostics as dg
from .atomic import recover, write_failure, write_text
from .version import __version__

LOCK_NAME = ".glossary.lock"
MANIFEST_NAME = ".glossary-manifest.json"


def _unusable(out: Path, why: str, hint: str = "pass a folder with --out") -> dg.GlossaryError:
    return dg.GlossaryError(dg.make(dg.OUT_INVALID, str(out), 0, 0,
                                    f"--out {out} cannot be used: {why}", hint), exit_code=2)


def check(out: Path) -> None:
    """Make sure `out` can be a folder this build writes into (nothing is created yet)."""
    existing = next(p for p in (out, *out.parents) if p.exists())
    if existing == out and not out.is_dir():
        raise _unusable(out, "it is a file" if out.is_file() else "it is not a folder")
    if not existing.is_dir():
        raise _unusable(out, f"it lies under the file {existing}")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise _unusable(out, f"{existing} is not writable", "choose a folder you may write to")


@contextmanager
def locked(out: Path) -> Iterator[list[str]]:
    """Create the folder and hold its lock for the build; yields what `recover` tidied up."""
    import filelock  # here: `glossary check` never needs it

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unusable(out, exc.strerror or str(exc), "choose a folder you may write to") from exc
    lock = filelock.FileLock(out / LOCK_NAME, timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise dg.GlossaryError(dg.make(
            dg.OUT_LOCKED, str(out), 0, 0, f"another build is writing into {out} (locked)",
            "wait for it to finish, or build into another --out"), exit_code=2) from None
    except OSError as exc:  # a read-only file system shows here first
        raise _unusable(out, exc.strerror or str(exc), "choose a folder you may write to") from exc
    try:
        try:
            tidied = recover(out)
        except OSError as exc:
            raise write_failure(out, exc) from exc
        yield tidied
    finally:
        lock.release()


def fingerprint(*folders: Path, skip: tuple[Path, ...] = ()) -> str:
    """What a build's outputs depend on: this version and every file of `folders` (names and
    bytes; hidden files and `skip`ped folders — the output folder inside the source — not)."""
    digest = hashlib.sha256(__version__.encode())
    skipped = {p.resolve() for p in skip}
    for folder in folders:
        root = folder.resolve()
        for path in sorted(_files(root, skipped)):
            digest.update(path.relative_to(root).as_posix().encode("utf-8", "surrogateescape"))
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _files(folder: Path, skipped: set[Path]) -> Iterator[Path]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith(".") or entry.is_symlink() or path in skipped:
            continue
        if entry.is_dir():
            yield from _files(path, skipped)
        elif entry.is_file():
            yield path


def current(out: Path, formats: tuple[str, ...], print_: str) -> dict[str, Path]:
    """The outputs of `formats` in `out` built from the same fingerprint and unchanged since."""
    found: dict[str, Path] = {}
    for fmt, entry in _manifest(out).items():
        path = out / str(entry.get("file", ""))
        if (fmt in formats and entry.get("fingerprint") == print_ and path.is_file()
                and path.parent == out and _sha256(path) == entry.get("sha256")):
            found[fmt] = path
    return found


def record(out: Path, fmt: str, path: Path, print_: str) -> None:
    """Note in the manifest that `path` is `fmt` built from `print_`."""
    if path.parent != out or not path.is_file():
        return  # the site folder: nothing links it as a download
    manifest = _manifest(out)
    manifest[fmt] = {"file": path.name, "sha256": _sha256(path), "fingerprint": print_}
    write_text(out / MANIFEST_NAME, json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def _manifest(out: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
