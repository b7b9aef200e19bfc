"""Which file of the built site a request names, opened so that it cannot leave the site.

A URL is decoded once and cut into names; `..`, NUL bytes and backslashes are refused outright.
The names are then opened one by one relative to the site folder's descriptor with
`O_NOFOLLOW`, so neither a symlink planted in the site nor a folder renamed mid-request can
lead outside it: the request sees exactly one generation of the site (the folder it opened
first), even while the next build swaps a new one into place.
"""

from __future__ import annotations

import mimetypes
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Fixed types for what a site holds: the platform's mime.types differ between machines.
_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".json": "application/json",
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
    ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf",
    ".txt": "text/plain; charset=utf-8", ".xml": "application/xml",
    ".pdf": "application/pdf", ".epub": "application/epub+zip",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# Opening relative to a folder descriptor without following links: Linux, macOS, the BSDs.
SUPPORTED = hasattr(os, "O_NOFOLLOW") and os.open in os.supports_dir_fd


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def url_names(target: str) -> list[str] | None:
    """The path names a request target asks for; None when it is refused (traversal, NUL …).

    `%2e%2e` is decoded before the check, so it is refused like `..`; an absolute-looking
    path (`//etc/passwd`) is only ever looked up inside the site.
    """
    try:
        text = unquote(urlsplit(target).path, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None
    if "\x00" in text or "\\" in text:
        return None
    names = [n for n in text.split("/") if n not in ("", ".")]
    return None if ".." in names else names


@dataclass
class Opened:
    """An open regular file of the site (the caller closes `fd`)."""

    fd: int
    size: int
    name: str


@dataclass(frozen=True)
class Folder:
    """The request named a folder: its `index.html` was opened, or None when it has none."""

    index: Opened | None


def open_at(site: int, names: list[str]) -> Opened | Folder | None:
    """Open `names` inside the folder descriptor `site`; None when missing or not a plain
    file or folder. `site` stays open (the caller pinned it and closes it)."""
    folder = os.dup(site)
    try:
        for name in names[:-1]:
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=folder)
            os.close(folder)
            folder = inner
        if names:
            fd = os.open(names[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                os.close(folder)
                folder = fd
            else:
                return _regular(fd, info, names[-1])
        return Folder(_index(folder))
    except OSError:  # missing, a symlink (ELOOP), not a folder: all the same to a visitor
        return None
    finally:
        os.close(folder)


def _index(folder: int) -> Opened | None:
    try:
        fd = os.open("index.html", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
    except OSError:
        return None
    return _regular(fd, os.fstat(fd), "index.html")


def _regular(fd: int, info: os.stat_result, name: str) -> Opened | None:
    """Only plain files are served: no devices, FIFOs or sockets."""
    if stat.S_ISREG(info.st_mode):
        return Opened(fd, info.st_size, name)
    os.close(fd)
    return None
