"""Images of entries, carried into the package: the files the normaliser resolved, core types only.

Which file an image is comes from `Book.resource` (resolved once, when the book was read).
Remote, outside and missing files were reported then, broken and unsafe files by `pick`; here
non-core types are refused too, and the image is shown as its alt text, so the package never
needs the network and epubcheck never sees a foreign resource.
"""

from __future__ import annotations

import io
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ... import diagnostics as dg
from ...model import MEDIA_TYPES, Book, Owner, Resource
from ...names import slugify
from ..common.media import pick

IMAGES_DIR = "images"
MAX_IMAGE_BYTES = 20_000_000
# EPUB 3.3 core media types for images: no fallback needed in any reading system.
SUPPORTED_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/svg+xml",
                                   "image/webp"})
_CORE_SUFFIXES = sorted(s for s, t in MEDIA_TYPES.items() if t in SUPPORTED_IMAGE_TYPES)


@dataclass(frozen=True)
class Image:
    path: str  # inside the package folder, e.g. "images/images/dh.svg"
    item_id: str
    media_type: str
    data: bytes


# SMIL animation or CSS animation inside an SVG (scripts are refused before this)
_SVG_MOTION = re.compile(rb"<(?:\w+:)?(?:animate\w*|set)[\s/>]|@keyframes|animation(?:-name)?\s*:")


def animated(image: Image) -> bool:
    """Whether the image moves: a GIF or WebP with more than one frame, an SVG that animates."""
    if image.media_type == "image/svg+xml":
        return bool(_SVG_MOTION.search(image.data))
    if image.media_type not in ("image/gif", "image/webp", "image/png"):  # PNG: APNG
        return False
    from PIL import Image as Pil
    from PIL import UnidentifiedImageError

    try:
        with Pil.open(io.BytesIO(image.data)) as img:
            return bool(getattr(img, "is_animated", False))
    except (UnidentifiedImageError, OSError):
        return False


class PackageImages:
    """Collects the images the documents use; each source file is packaged once."""

    def __init__(self, book: Book, report: dg.Report) -> None:
        self.book = book
        self.report = report
        self._by_source: dict[Path, Image | None] = {}
        self._names: set[str] = set()

    @property
    def images(self) -> list[Image]:
        """Every packaged image, in order of first use."""
        return [i for i in self._by_source.values() if i is not None]

    def publish(self, url: str, term: Owner) -> str | None:
        """The package path of the image `url` names in `term`, or None if it was refused."""
        resource = pick(self.book, term, url, SUPPORTED_IMAGE_TYPES, self.report,
                        "not an EPUB core image type; the EPUB shows its alt text",
                        f"convert it to one of {', '.join(_CORE_SUFFIXES)}")
        if resource is None or resource.path is None:
            return None
        if resource.path not in self._by_source:
            self._by_source[resource.path] = self._load(resource, url, term)
        image = self._by_source[resource.path]
        return image.path if image else None

    def _load(self, resource: Resource, url: str, term: Owner) -> Image | None:
        data = resource.read()
        if len(data) > MAX_IMAGE_BYTES:
            self._refuse(term, url, f"is larger than {MAX_IMAGE_BYTES // 1_000_000} MB", "make it smaller")
            return None
        name = self._package_name(resource.name)
        return Image(name, f"img-{len(self.images) + 1}", resource.media_type, data)

    def _package_name(self, source_name: str) -> str:
        """`images/<source-relative path, ASCII>`; deterministic, collisions numbered."""
        rel = PurePosixPath(source_name)
        parts = [slugify(p) or "x" for p in rel.parent.parts]
        stem = slugify(rel.stem) or "image"
        base = posixpath.join(IMAGES_DIR, *parts, stem)
        name, n = f"{base}{rel.suffix.lower()}", 1
        while name in self._names:
            n += 1
            name = f"{base}-{n}{rel.suffix.lower()}"
        self._names.add(name)
        return name

    def _refuse(self, term: Owner, url: str, why: str, hint: str) -> None:
        where = term.source
        self.report.add(dg.make(dg.RESOURCE_REFUSED, where.file, where.line, where.column,
                                f"„{term.title_text}“: image {url} {why}; the EPUB shows its alt text", hint))
