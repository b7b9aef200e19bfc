"""Files an entry refers to (images): the one rule every format applies, and the one message.

A resource is a file inside the source folder, named relative to the entry's file (or to the
source folder); symlinks are resolved before the check. Remote URLs, absolute paths and files
outside the folder are refused (GL601); a file that does not exist is GL308. They are reported
once, when the book is read (so `glossary check` finds them); every format then finds the same
answer in `locate` and shows the image's alt text instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote

from . import diagnostics as dg
from .model import Term
from .pandoc_ast import Node
from .positions import IMAGE, Locator

REMOTE, OUTSIDE, MISSING = "remote", "outside", "missing"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")
_WHY = {
    REMOTE: "is not a file in the source folder (nothing is downloaded at build time)",
    OUTSIDE: "lies outside the source folder",
    MISSING: "does not exist",
}


def locate(source_dir: Path, entry_file: str, url: str) -> tuple[Path | None, str]:
    """(resolved path, '') for an allowed local file, else (None, REMOTE | OUTSIDE | MISSING).

    `data:` URLs are the caller's business (they need no file)."""
    if _SCHEME.match(url) or url.startswith("/"):
        return None, REMOTE
    root = source_dir.resolve()
    rel = unquote(url.split("#")[0].split("?")[0])
    entry_dir = (root / entry_file).parent
    candidates = [(base / rel).resolve() for base in (entry_dir, root)]
    for path in candidates:
        if path.is_file() and path.is_relative_to(root):
            return path, ""
    return None, OUTSIDE if any(p.exists() for p in candidates) else MISSING


def problem(term: Term, url: str, kind: str) -> dg.Diagnostic:
    """The diagnostic for a refused or missing image."""
    code = dg.RESOURCE_MISSING if kind == MISSING else dg.RESOURCE_REFUSED
    hint = ("check the path (relative to the entry's file)" if kind == MISSING else
            "copy the file into the source folder and link it with a relative path")
    where = term.source
    return dg.make(code, where.file, where.line, where.column,
                   f"„{term.title_text}“: image {url} {_WHY[kind]}; published as its alt text", hint)


def check_images(term: Term, nodes: Iterable[Node], source_dir: Path, locator: Locator,
                 seen: dict[str, int]) -> None:
    """Report every image of the term that no format could publish, at its own position.

    `nodes`: the term's nodes in source order (`iter_nodes(term.content)`, or those of them a
    caller already picked out). `seen` counts each URL's occurrences in the term's file (terms
    are checked in file order)."""
    for node in nodes:
        if node["t"] != "Image":
            continue
        url: str = node["c"][2][0]
        nth = seen.get(url, 0)
        seen[url] = nth + 1
        if url.startswith("data:"):
            continue
        path, kind = locate(source_dir, term.source.file, url)
        if path is None:
            locator.defer(problem(term, url, kind), IMAGE, url, nth)
