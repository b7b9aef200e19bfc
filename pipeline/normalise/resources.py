"""Files an entry refers to (images): resolved once, here, for every format.

A resource is a file inside the source folder, named relative to the entry's file (or to the
source folder); symlinks are resolved before the check. Remote URLs, absolute paths, files
outside the folder and hidden files (any part of the path starting with `.`: `.git/config`,
`.env`) are refused (GL601); a file that does not exist is GL308. Names are compared in NFC, so
`Bild-ü.png` written in an entry finds the file a Mac stored as `Bild-u\u0308.png`. They are reported
when the book is read (so `glossary check` finds them) and recorded in `Book.resources`, where
every format finds the same answer and shows the image's alt text instead. Images written as
raw HTML (`<img src=…>`) are resolved the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from .. import diagnostics as dg
from ..model import HIDDEN, MISSING, OUTSIDE, REMOTE, Owner, Resource, resource_key
from ..pandoc_ast import Node
from .positions import IMAGE, Locator

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")
_WHY = {
    REMOTE: "is not a file in the source folder (nothing is downloaded at build time)",
    OUTSIDE: "lies outside the source folder",
    MISSING: "does not exist",
    HIDDEN: "is a hidden file (a name starting with .), which is never published",
}
Resources = dict[tuple[str, str], Resource]


def locate(source_dir: Path, entry_file: str, url: str) -> tuple[Path | None, str]:
    """(resolved path, '') for an allowed local file, else (None, REMOTE | OUTSIDE | MISSING).

    `data:` URLs are the caller's business (they need no file)."""
    if _SCHEME.match(url) or url.startswith("/"):
        return None, REMOTE
    root = source_dir.resolve()
    rel = unquote(url.split("#")[0].split("?")[0])
    entry_dir = (root / entry_file).parent
    candidates = [_nfc_match((base / rel).resolve()) for base in (entry_dir, root)]
    for path in candidates:
        if path.is_file() and path.is_relative_to(root):
            if any(part.startswith(".") for part in path.relative_to(root).parts):
                return None, HIDDEN
            return path, ""
    return None, OUTSIDE if any(p.exists() for p in candidates) else MISSING


def _nfc_match(path: Path) -> Path:
    """`path`, or the file beside it whose name is the same in NFC (names are stored as typed:
    macOS writes them decomposed)."""
    if path.exists() or not path.parent.is_dir():
        return path
    wanted = unicodedata.normalize("NFC", path.name)
    for other in path.parent.iterdir():
        if unicodedata.normalize("NFC", other.name) == wanted:
            return other.resolve()
    return path


def resolved(source_dir: Path, entry_file: str, url: str) -> Resource:
    """The Resource a URL written in `entry_file` names."""
    path, problem = locate(source_dir, entry_file, url)
    name = path.relative_to(source_dir.resolve()).as_posix() if path is not None else ""
    return Resource(url, path, name, problem)


def problem(term: Owner, url: str, kind: str) -> dg.Diagnostic:
    """The diagnostic for a refused or missing image."""
    code = dg.RESOURCE_MISSING if kind == MISSING else dg.RESOURCE_REFUSED
    hint = {MISSING: "check the path (relative to the entry's file)",
            HIDDEN: "move the image out of the hidden folder (or rename it)"}.get(
        kind, "copy the file into the source folder and link it with a relative path")
    where = term.source
    return dg.make(code, where.file, where.line, where.column,
                   f"„{term.title_text}“: image {url} {_WHY[kind]}; published as its alt text", hint)


def check_images(term: Owner, nodes: Iterable[Node], source_dir: Path, locator: Locator,
                 seen: dict[str, int], found: Resources) -> None:
    """Resolve every image of the term into `found`; report those no format could publish, at
    their own position.

    `nodes`: the term's nodes in source order (`iter_nodes(term.content)`, or those of them a
    caller already picked out). `seen` counts each URL's occurrences in the term's file (terms
    are checked in file order)."""
    for node in nodes:
        if node["t"] in ("RawInline", "RawBlock"):
            _raw_images(term, node, source_dir, found)
            continue
        if node["t"] != "Image":
            continue
        url: str = node["c"][2][0]
        nth = seen.get(url, 0)
        seen[url] = nth + 1
        if url.startswith("data:"):
            continue
        resource = _record(term, url, source_dir, found)
        if resource.path is None:
            locator.defer(problem(term, url, resource.problem), IMAGE, url, nth)


def _record(term: Owner, url: str, source_dir: Path, found: Resources) -> Resource:
    key = (term.source.file, resource_key(url))
    if key not in found:
        found[key] = resolved(source_dir, term.source.file, url)
    return found[key]


def _raw_images(term: Owner, node: Node, source_dir: Path, found: Resources) -> None:
    """`src` of raw HTML elements: resolved like images (the formats show what they allow)."""
    fmt, text = node["c"]
    if fmt != "html" or "src" not in text.lower():
        return
    for url in _sources(text):
        if not url.startswith("data:"):
            _record(term, url, source_dir, found)


class _SrcParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k == "src" and v]

    handle_startendtag = handle_starttag


def _sources(text: str) -> list[str]:
    parser = _SrcParser()
    parser.feed(text)
    parser.close()
    return parser.urls
