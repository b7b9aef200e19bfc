"""The book's type: Source Serif Pro for text, Source Sans Pro for headings, in PDF and DOCX alike.

Both are Adobe's, under the SIL Open Font License 1.1 (embedding and redistribution allowed),
and come from PyPI with the package (`font-source-serif-pro`, `font-source-sans-pro`), so the
default look does not depend on what a machine happens to have installed. The PDF loads them
through `@font-face` rules (`face_rules`), the DOCX embeds them (`docx/fonts.py`), the EPUB
cover draws with them. When a package is missing, its family is simply absent: the CSS falls
back to DejaVu and the DOCX names the family without embedding it.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SERIF = "Source Serif Pro"
SANS = "Source Sans Pro"
_PACKAGES = {SERIF: ("font_source_serif_pro", "SourceSerifPro"),
             SANS: ("font_source_sans_pro", "SourceSansPro")}
_STYLES = {(False, False): "Regular", (True, False): "Bold", (False, True): "It", (True, True): "BoldIt"}


@dataclass(frozen=True)
class Face:
    family: str
    bold: bool
    italic: bool
    path: Path


@cache
def folder(family: str) -> Path | None:
    """Where the family's files are installed (the package's `files/`), or None."""
    module, _ = _PACKAGES[family]
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return None
    found = Path(spec.origin).parent / "files"
    return found if found.is_dir() else None


@cache
def faces(family: str) -> tuple[Face, ...]:
    """Regular, bold, italic and bold italic of the family (TrueType), those that exist."""
    where = folder(family)
    if where is None:
        return ()
    stem = _PACKAGES[family][1]
    out = [Face(family, bold, italic, where / f"{stem}-{style}.ttf")
           for (bold, italic), style in _STYLES.items()]
    return tuple(f for f in out if f.path.is_file())


def face(family: str, bold: bool = False, italic: bool = False) -> Path | None:
    return next((f.path for f in faces(family) if (f.bold, f.italic) == (bold, italic)), None)


def folders() -> tuple[Path, ...]:
    """The folders the PDF's resource fetcher may read font files from."""
    return tuple(f for f in (folder(SERIF), folder(SANS)) if f is not None)


def face_rules() -> str:
    """`@font-face` rules for every installed face (file URLs), for the print stylesheet; they
    begin with the files' sizes, so a chunk cached by its HTML is laid out again when they change."""
    rules = [f"/* {digest()} */"] if faces(SERIF) or faces(SANS) else []
    for family in (SERIF, SANS):
        for f in faces(family):
            rules.append(f'@font-face {{ font-family: "{family}"; src: url("{f.path.as_uri()}"); '
                         f'font-weight: {700 if f.bold else 400}; '
                         f'font-style: {"italic" if f.italic else "normal"}; }}')
    return "\n".join(rules)


def digest() -> str:
    """Which font files are in use (paths and sizes), for cache keys."""
    return "|".join(f"{f.path}:{f.path.stat().st_size}" for family in (SERIF, SANS) for f in faces(family))
