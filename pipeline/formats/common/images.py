"""Whether an image file is what its name says, and harmless: one check for every format.

A corrupt file, or a JPEG named `.png`, makes the EPUB fail its check (the manifest states a
media type) and shows as a broken image elsewhere; Pillow identifies and verifies raster
files. An SVG is a document that can run script and fetch other files wherever it is opened
(the site publishes it under `media/`, the EPUB carries it), so it must be self-contained:
no script, event handler, foreign object, DOCTYPE, processing instruction, external
reference, and no `url()`, `@import` or `image()` that reaches outside the file.
"""

from __future__ import annotations

import io
import re
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree
from PIL import Image, UnidentifiedImageError

from .xml import xml_parser

# What Pillow calls the format of each media type it can read.
PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF",
                  "image/webp": "WEBP", "image/bmp": "BMP", "image/tiff": "TIFF",
                  "image/vnd.microsoft.icon": "ICO"}
_XLINK = "{http://www.w3.org/1999/xlink}href"
_CSS_REF = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import|image(-set)?\(|\\", re.IGNORECASE)
_ANIMATED_LINKS = frozenset({"href", "xlink:href"})


def image_problem(path: Path, media_type: str) -> str | None:
    """Why the file cannot be published as `media_type`, or None."""
    stat = path.stat()
    return _problem(path, media_type, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=1024)
def _problem(path: Path, media_type: str, _size: int, _mtime: int) -> str | None:
    return data_problem(path.read_bytes(), media_type)


def data_problem(data: bytes, media_type: str) -> str | None:
    """Why `data` cannot be published as `media_type`, or None (also for the EPUB's check)."""
    if media_type == "image/svg+xml":
        return svg_problem(data)
    expected = PILLOW_FORMATS.get(media_type)
    if expected is None:
        return None  # a type Pillow does not read (AVIF, EMF, WMF): the formats decide
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                found = image.format
                image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        return f"is no readable image ({type(exc).__name__})"
    except (OSError, SyntaxError, ValueError) as exc:
        return f"is a damaged {expected} file ({exc})"
    if found != expected:
        return f"is a {found} file, not {expected} as its name says"
    return None


def svg_problem(data: bytes) -> str | None:
    """Why an SVG cannot be published as it is (scripts, external references), or None."""
    try:
        tree = etree.fromstring(data, xml_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        return f"is not well-formed SVG ({exc})"
    info: Any = tree.docinfo
    if info.doctype or info.internalDTD is not None:
        return "has a DOCTYPE (delete that line)"
    root = tree.getroot()
    for node in root.itersiblings(preceding=True):
        if isinstance(node, etree._ProcessingInstruction):
            return f"has a processing instruction <?{node.target!s} …?>"
    for el in root.iter():
        if not isinstance(el.tag, str):
            if isinstance(el, etree._ProcessingInstruction):
                return f"has a processing instruction <?{el.target!s} …?>"
            continue
        problem = _element_problem(el)
        if problem:
            return problem
    return None


def _element_problem(el: etree._Element) -> str | None:
    name = etree.QName(el).localname
    if name in ("script", "foreignObject"):
        return f"contains <{name}>"
    if name == "style" and _CSS_REF.search("".join(str(t) for t in el.itertext())):
        return "has a stylesheet that loads other files (url(), @import)"
    if name in ("set", "animate") and el.get("attributeName", "") in _ANIMATED_LINKS:
        return f"animates a link target (<{name} attributeName=…>)"
    for key, raw in el.attrib.items():
        attr, value = str(key), str(raw)
        local = etree.QName(attr).localname
        if local.lower().startswith("on"):
            return f"has an event handler ({local} on <{name}>)"
        if (attr in ("href", _XLINK)) and value and not value.startswith(("#", "data:image/")):
            return f"references {value}"
        if local == "style" and _CSS_REF.search(value):
            return f"has a style that loads other files (on <{name}>)"
        if _CSS_REF.search(value) and "url(" in value.lower():
            return f"references another file in {local} on <{name}>"
    return None
