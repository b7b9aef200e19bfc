"""The release folder's files: versioned copies, a reproducible site zip, SHA256SUMS, manifest.

Everything here is a function of the bytes it is given and the release timestamp — never of
the file system's order, the clock, the user's umask or the machine's time zone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import stat
import zipfile
from pathlib import Path
from typing import Any

ZIP_EPOCH_MIN = 315532800  # 1980-01-01: the earliest time a zip entry can hold
FILE_MODE, DIR_MODE = 0o644, 0o755
SUMS, MANIFEST = "SHA256SUMS", "manifest.json"


def place(src: Path, dest: Path, epoch: int) -> None:
    """Copy without the source's permissions or times (copy2 would carry them over)."""
    shutil.copyfile(src, dest)
    os.chmod(dest, FILE_MODE)
    os.utime(dest, (epoch, epoch))


def zip_tree(folder: Path, dest: Path, prefix: str, epoch: int) -> int:
    """Zip `folder` under `prefix/` reproducibly: entries sorted by path, one fixed time, fixed
    modes, Unix as the creator. Returns the number of files."""
    stamp = dt.datetime.fromtimestamp(max(epoch, ZIP_EPOCH_MIN), tz=dt.UTC).timetuple()[:6]
    paths = sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix())
    files = 0
    with zipfile.ZipFile(dest, "w") as z:
        z.writestr(_entry(f"{prefix}/", stamp, DIR_MODE | stat.S_IFDIR), b"")
        for path in paths:
            name = f"{prefix}/{path.relative_to(folder).as_posix()}"
            if path.is_dir():
                z.writestr(_entry(f"{name}/", stamp, DIR_MODE | stat.S_IFDIR), b"")
            elif path.is_file():
                z.writestr(
                    _entry(name, stamp, FILE_MODE | stat.S_IFREG, zipfile.ZIP_DEFLATED),
                    path.read_bytes(),
                    compresslevel=9,
                )
                files += 1
    os.chmod(dest, FILE_MODE)
    os.utime(dest, (epoch, epoch))
    return files


def _entry(
    name: str, stamp: tuple[int, ...], mode: int, compress: int = zipfile.ZIP_STORED
) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(stamp[0], stamp[1], stamp[2], stamp[3], stamp[4], stamp[5]))
    info.create_system = 3  # Unix, so the modes below mean the same on every machine
    info.external_attr = mode << 16 | (0x10 if name.endswith("/") else 0)  # 0x10: MS-DOS directory bit
    info.compress_type = compress
    return info


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(folder: Path, data: dict[str, Any], epoch: int) -> None:
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    _write(folder / MANIFEST, text, epoch)


def write_sums(folder: Path, epoch: int) -> dict[str, str]:
    """SHA256SUMS over every file of the release (manifest included), in `sha256sum -c` form:
    `<hex>  <name>` (two spaces: text mode, which is binary-safe on every Unix)."""
    sums = {p.name: sha256(p) for p in sorted(folder.iterdir()) if p.is_file() and p.name != SUMS}
    _write(folder / SUMS, "".join(f"{digest}  {name}\n" for name, digest in sums.items()), epoch)
    return sums


def _write(path: Path, text: str, epoch: int) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")
    os.chmod(path, FILE_MODE)
    os.utime(path, (epoch, epoch))
