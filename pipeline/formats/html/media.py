"""Files the site ships besides its pages: images of entries, the styles' assets, downloads.

Images are the files the normaliser resolved (`Book.resource`), copied into `media/` under
their path in the source folder; remote, outside and missing ones were reported (GL601,
GL308) when the book was read and are shown as their alt text, so the published site never
loads anything from the network.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from ... import diagnostics as dg
from ...atomic import write_reusing
from ...model import Book, Owner
from ..common.media import WEB_IMAGE_TYPES, pick
from ..common.pagenames import MEDIA_DIR, relative

ASSETS_DIR = "assets"
DOWNLOADS_DIR = "downloads"
DOWNLOAD_FORMATS = {"pdf": "PDF", "epub": "EPUB", "docx": "DOCX", "json": "JSON", "skos": "SKOS"}
SUPPORTED_IMAGE_TYPES = WEB_IMAGE_TYPES
TEMPLATE_SUFFIXES = (".html", ".j2")
_SRC_TAG = re.compile(r"<(img|video|audio|source|track|embed|iframe|script|input)\b([^>]*?)(/?)>",
                      re.IGNORECASE)
_SRC_ATTR = re.compile(r'\bsrc="([^"]*)"', re.IGNORECASE)
_ALT_ATTR = re.compile(r'\b(?:alt|title)="([^"]*)"', re.IGNORECASE)


class SiteMedia:
    """Rewrites `src` attributes of one term's HTML and copies the files they name."""

    def __init__(self, book: Book, report: dg.Report, site: Path, published: Path) -> None:
        self.book = book
        self.report = report
        self.site = site
        self.published = published  # the site being replaced, whose unchanged files are linked
        self.copied: dict[Path, str] = {}

    def rewrite(self, fragment: str, term: Owner, page: str) -> str:
        """Point every local `src` at its copy in the site; replace refused ones by their alt text."""

        def sub(m: re.Match[str]) -> str:
            src = _SRC_ATTR.search(m.group(2))
            if src is None:
                return m.group(0)
            url = html.unescape(src.group(1))
            target = self._publish(url, term)
            if target is None:
                alt = _ALT_ATTR.search(m.group(2))
                return f'<span class="missing-media">{alt.group(1) if alt else ""}</span>'
            rel = target if target.startswith("data:") else relative(page, target)
            new = f'src="{html.escape(rel, quote=True)}"'
            return f"<{m.group(1)}{m.group(2)[:src.start()]}{new}{m.group(2)[src.end():]}{m.group(3)}>"

        return _SRC_TAG.sub(sub, fragment)

    def _publish(self, url: str, term: Owner) -> str | None:
        """Copy the file `url` names into the site; its site path, or None if refused."""
        if url.startswith("data:"):
            return None if len(url) > 1_000_000 else url
        resource = pick(self.book, term, url, SUPPORTED_IMAGE_TYPES, self.report,
                        "which browsers do not show; the site shows its alt text",
                        "convert it to PNG, JPEG, WebP or SVG")
        if resource is None or resource.path is None:
            return None
        if resource.path not in self.copied:
            name = f"{MEDIA_DIR}/{resource.name}"
            copy(resource.path, self.site / name, self.published / name)
            self.copied[resource.path] = name
        return self.copied[resource.path]


def copy_assets(styles_dir: Path, site: Path, published: Path) -> list[str]:
    """Copy the site's static files (everything in styles/site that is not a template, a
    symlink or hidden); one unchanged since the `published` site is linked to it."""
    dest = site / ASSETS_DIR
    dest.mkdir(parents=True, exist_ok=True)
    names = ["highlight.css"]
    folder = styles_dir / "site"
    files = [styles_dir / "highlight.css"]
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        # A symlink could bring any file of the machine into the published site; hidden files
        # (.DS_Store, .git) are never published.
        if (path.is_symlink() or any(part.startswith(".") for part in rel.parts)
                or not path.resolve().is_relative_to(folder.resolve())):
            continue
        if path.is_file() and not path.name.endswith(TEMPLATE_SUFFIXES):
            names.append(rel.as_posix())
            files.append(path)
    for name, path in zip(names, files, strict=True):
        copy(path, dest / name, published / ASSETS_DIR / name)
    return names


def copy(path: Path, dest: Path, published: Path) -> None:
    """Copy a file into the new site; one equal to the `published` file is linked to it."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    write_reusing(dest, path.read_bytes(), published)


@dataclass(frozen=True)
class Download:
    label: str  # "PDF"
    path: str  # site-relative
    size: int  # bytes


def copy_downloads(built: dict[str, Path], site: Path, published: Path) -> list[Download]:
    """Copy the PDF/EPUB/DOCX built earlier in this run into the site, in a fixed order."""
    out = []
    for fmt, label in DOWNLOAD_FORMATS.items():
        path = built.get(fmt)
        if path is None or not path.is_file():
            continue
        dest = site / DOWNLOADS_DIR / path.name
        copy(path, dest, published / DOWNLOADS_DIR / path.name)
        out.append(Download(label, f"{DOWNLOADS_DIR}/{path.name}", dest.stat().st_size))
    return out


def human_size(size: int, language: str) -> str:
    """`1,2 MB` (German) / `1.2 MB`: one decimal, the language's decimal mark."""
    value, unit = float(size), "B"
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            break
        value /= 1000
    text = f"{value:.0f}" if unit == "B" else f"{value:.1f}"
    return (text.replace(".", ",") if language.startswith("de") else text) + f" {unit}"
