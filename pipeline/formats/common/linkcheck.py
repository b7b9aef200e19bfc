"""One link check for every output made of files and fragments (site, EPUB, DOCX).

An output is described as its files and the ids each defines; a URL found in one of its files
is then followed: URL → file → fragment among that file's ids. Each format words the answer
for its own messages and decides which URLs count as local (a site leaves `https:` links alone,
an EPUB too; a DOCX has one story, so its anchors are fragments of that file).
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")
OK, OUTSIDE, NO_FILE, NO_FRAGMENT = "", "outside", "no-file", "no-fragment"


@dataclass(frozen=True)
class Target:
    """Where a URL leads, and what is wrong with it (`problem` is OK when it resolves)."""

    problem: str
    file: str  # the file it names (normalised, relative to the output's root)
    fragment: str  # percent-decoded; '' for none


@dataclass(frozen=True)
class Output:
    """The files of an output and, for those whose ids are known, the ids they define."""

    files: Collection[str]
    ids: Mapping[str, Collection[str]]

    def follow(self, source: str, url: str) -> Target:
        """Follow a local URL written in file `source` (the caller skips external ones)."""
        path, _, fragment = _split(url)
        target = source if not path else _joined(posixpath.dirname(source), path)
        if target == ".." or target.startswith("../"):
            return Target(OUTSIDE, target, fragment)
        if target not in self.files:
            return Target(NO_FILE, target, fragment)
        if fragment and target in self.ids and fragment not in self.ids[target]:
            return Target(NO_FRAGMENT, target, fragment)
        return Target(OK, target, fragment)


def is_external(url: str) -> bool:
    """A URL with a scheme (`https:`, `mailto:`, `data:`) or a network path (`//host`)."""
    return bool(SCHEME.match(url))


@functools.lru_cache(maxsize=65536)
def _split(url: str) -> tuple[str, str, str]:
    """(path, query, fragment) of a URL, percent-decoded (outputs repeat their links a lot)."""
    parts = urlsplit(url)
    return unquote(parts.path), parts.query, unquote(parts.fragment)


@functools.lru_cache(maxsize=65536)
def _joined(folder: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(folder, path))
