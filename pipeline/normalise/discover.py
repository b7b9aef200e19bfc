"""Finding the entries: a walk of the source folder that reads nothing from outside it.

- Files and folders whose name starts with `.` or `_` are not entries, and hidden folders
  (`.git`) are not even walked.
- A symlink is resolved before anything is read: one that leads outside the source folder
  (to a file or a folder) is refused (GL317), one that loops or dangles is reported and skipped.
  Symlinked folders inside the source folder are not followed — their files are read where
  they really are — so a link back to a parent (`loop -> .`) cannot make the walk endless.
- Names are compared in Unicode NFC (a macOS file name `Übersicht.md` is stored decomposed),
  and a folder the build writes into (`--out` inside the source) is not read back.
- Sizes are checked before reading: a file over `[limits] entry-size` is GL311, and once the
  entries together pass `total-size` the rest are GL312; both are left out, the others read.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import diagnostics as dg
from ..config import BookConfig
from ..limits import shown_size

SOURCE_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True)
class Found:
    name: str  # relative to the source folder, forward slashes, NFC
    path: Path  # the file to read (inside the source folder, symlinks resolved)
    size: int


def discover(source: Path, config: BookConfig, report: dg.Report,
             skip: tuple[Path, ...] = ()) -> list[Found]:
    """Every Markdown entry below `source` that may be read, sorted; problems go to `report`."""
    root = source.resolve()
    skipped = {p.resolve() for p in skip}
    found = [f for f in _walk(root, root, report, skipped) if _wanted(f.name, config)]
    # Sort by folder, then name without suffix: "Zebra.md" comes before "Zebra-Kopie.md", so the
    # first of two duplicate ids is the one an author would call the original.
    found.sort(key=lambda f: (Path(f.name).parent.as_posix(), Path(f.name).stem, Path(f.name).suffix))
    return _within_limits(found, config, report)


def _wanted(name: str, config: BookConfig) -> bool:
    if name in config.front or name in config.back:  # pages, read by `load` on their own
        return False
    return name.lower().endswith(SOURCE_SUFFIXES) and not any(
        fnmatch.fnmatch(name, pat) for pat in config.exclude)


def _walk(folder: Path, root: Path, report: dg.Report, skipped: set[Path]) -> Iterator[Found]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        report.add(_unreadable(folder, root, f"cannot list the folder: {exc.strerror}"))
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith((".", "_")) or path in skipped:
            continue
        if entry.is_symlink():
            yield from _symlink(path, root, report)
        elif entry.is_dir(follow_symlinks=False):
            yield from _walk(path, root, report, skipped)
        elif entry.is_file(follow_symlinks=False) and entry.name.lower().endswith(SOURCE_SUFFIXES):
            yield Found(_name(path, root), path, entry.stat(follow_symlinks=False).st_size)


def _symlink(link: Path, root: Path, report: dg.Report) -> Iterator[Found]:
    name = _name(link, root)
    is_entry = name.lower().endswith(SOURCE_SUFFIXES)
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop (Python < 3.13)
        if is_entry:
            loops = isinstance(exc, RuntimeError) or getattr(exc, "errno", 0) == errno.ELOOP
            why = "loops" if loops else "leads nowhere"
            report.add(dg.make(dg.FILE_OUTSIDE, name, 0, 0, f"symlink {why}; not read",
                               "replace the link by the file, or delete it"))
        return
    if not target.is_relative_to(root):
        kind = "folder" if target.is_dir() else "file"
        report.add(dg.make(dg.FILE_OUTSIDE, name, 0, 0,
                           f"symlink to a {kind} outside the source folder; not read",
                           "copy what belongs to the book into the source folder"))
        return
    if any(part.startswith((".", "_")) for part in target.relative_to(root).parts):
        if is_entry:
            report.add(dg.make(dg.FILE_OUTSIDE, name, 0, 0, "symlink to a hidden file; not read",
                               "files and folders starting with . or _ are never read"))
        return
    if is_entry and target.is_file():
        yield Found(name, target, target.stat().st_size)
    # A symlinked folder inside the source folder is walked where it really is.


def _name(path: Path, root: Path) -> str:
    return unicodedata.normalize("NFC", path.relative_to(root).as_posix())


def _within_limits(found: list[Found], config: BookConfig, report: dg.Report) -> list[Found]:
    limits = config.limits
    kept: list[Found] = []
    total = 0
    for f in found:
        if f.size > limits.entry_size:
            report.add(dg.make(
                dg.ENTRY_TOO_LARGE, f.name, 0, 0,
                f"the file has {shown_size(f.size)}, more than [limits] entry-size "
                f"({shown_size(limits.entry_size)}); left out",
                "split it into one file per term, or raise entry-size in book.toml's [limits]"))
        elif total + f.size > limits.total_size:
            report.add(dg.make(
                dg.BOOK_TOO_LARGE, f.name, 0, 0,
                f"the entries before this one already have {shown_size(total)}; with it they pass "
                f"[limits] total-size ({shown_size(limits.total_size)}), so it is left out",
                "raise total-size in book.toml's [limits], or exclude files"))
        else:
            total += f.size
            kept.append(f)
    return kept


def _unreadable(path: Path, root: Path, message: str) -> dg.Diagnostic:
    return dg.make(dg.FILE_UNREADABLE, _name(path, root) if path != root else ".", 0, 0, message,
                   "check the folder's permissions")


def page_small_enough(rel: str, path: Path, config: BookConfig, report: dg.Report) -> bool:
    """A front or back matter page within [limits] entry-size (book.toml has checked that it
    is a file inside the source folder)."""
    size = path.stat().st_size
    if size <= config.limits.entry_size:
        return True
    report.add(dg.make(dg.ENTRY_TOO_LARGE, rel, 0, 0,
                       f"the page has {shown_size(size)}, more than [limits] entry-size "
                       f"({shown_size(config.limits.entry_size)}); left out",
                       "shorten it, or raise entry-size in book.toml's [limits]"))
    return False
