"""Images of entries, carried into the package: only files inside the source folder, core types only.

Paths resolve as in every format (`pipeline.resources.locate`). Remote, outside, missing,
non-core or unsafe files are refused and the image is shown as its alt text, so the package
never needs the network and epubcheck never sees a foreign resource.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from .. import diagnostics as dg
from ..config import slugify
from ..model import Book, Term
from ..resources import locate

IMAGES_DIR = "images"
MAX_IMAGE_BYTES = 20_000_000
# EPUB 3.3 core media types for images: no fallback needed in any reading system.
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}
_XLINK = "{http://www.w3.org/1999/xlink}href"


@dataclass(frozen=True)
class Image:
    path: str  # inside the package folder, e.g. "images/images/dh.svg"
    item_id: str
    media_type: str
    data: bytes


class Media:
    """Collects the images the documents use; each source file is packaged once."""

    def __init__(self, book: Book, report: dg.Report) -> None:
        self.root = book.source_dir.resolve()
        self.report = report
        self._by_source: dict[Path, Image | None] = {}
        self._names: set[str] = set()

    @property
    def images(self) -> list[Image]:
        """Every packaged image, in order of first use."""
        return [i for i in self._by_source.values() if i is not None]

    def publish(self, url: str, term: Term) -> str | None:
        """The package path of the image `url` names in `term`, or None if it was refused."""
        path = self._resolve(url, term)
        if path is None:
            return None
        if path not in self._by_source:
            self._by_source[path] = self._load(path, url, term)
        image = self._by_source[path]
        return image.path if image else None

    def _resolve(self, url: str, term: Term) -> Path | None:
        # A refused or missing image was reported when the book was read (resources.check_images).
        return locate(self.root, term.source.file, url)[0]

    def _load(self, path: Path, url: str, term: Term) -> Image | None:
        media_type = MEDIA_TYPES.get(path.suffix.lower())
        if media_type is None:
            self._refuse(term, url, f"has type {path.suffix or '(none)'}, not an EPUB core image type",
                         f"convert it to one of {', '.join(sorted(MEDIA_TYPES))}")
            return None
        data = path.read_bytes()
        if len(data) > MAX_IMAGE_BYTES:
            self._refuse(term, url, f"is larger than {MAX_IMAGE_BYTES // 1_000_000} MB", "make it smaller")
            return None
        problem = svg_problem(data) if media_type == "image/svg+xml" else None
        if problem:
            self._refuse(term, url, problem, "make the SVG self-contained (no scripts, no external files)")
            return None
        name = self._package_name(path)
        return Image(name, f"img-{len(self.images) + 1}", media_type, data)

    def _package_name(self, path: Path) -> str:
        """`images/<source-relative path, ASCII>`; deterministic, collisions numbered."""
        rel = PurePosixPath(path.relative_to(self.root).as_posix())
        parts = [slugify(p) or "x" for p in rel.parent.parts]
        stem = slugify(rel.stem) or "image"
        base = posixpath.join(IMAGES_DIR, *parts, stem)
        name, n = f"{base}{rel.suffix.lower()}", 1
        while name in self._names:
            n += 1
            name = f"{base}-{n}{rel.suffix.lower()}"
        self._names.add(name)
        return name

    def _refuse(self, term: Term, url: str, why: str, hint: str) -> None:
        where = term.source
        self.report.add(dg.make(dg.RESOURCE_REFUSED, where.file, where.line, where.column,
                                f"„{term.title_text}“: image {url} {why}; the EPUB shows its alt text", hint))


def svg_problem(data: bytes) -> str | None:
    """Why an SVG cannot go into the package as is (scripts, external references), or None."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return f"is not well-formed SVG ({exc})"
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if etree.QName(el).localname in ("script", "foreignObject"):
            return f"contains <{etree.QName(el).localname}>"
        for attr in ("href", _XLINK):
            ref = el.get(attr)
            if ref and not ref.startswith(("#", "data:")):
                return f"references {ref}"
    return None
