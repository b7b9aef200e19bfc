"""Reading a built PDF the way a reader's viewer does: links, destinations, words, outline."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import Destination


@dataclass(frozen=True)
class Link:
    page: int  # 0-based
    rect: tuple[float, float, float, float]  # as shown: from the page's bottom left (crop box)
    dest: str | None
    uri: str | None


def links(reader: PdfReader) -> list[Link]:
    out = []
    for number, page in enumerate(reader.pages):
        # A page that changed side shows its content through a moved window (crop box): a
        # viewer places annotations relative to it, and so does pdftotext with words.
        ox, oy = float(page.cropbox.left), float(page.cropbox.bottom)
        for ref in page.get("/Annots", []):
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            x1, x2 = (float(annot["/Rect"][i]) - ox for i in (0, 2))
            y1, y2 = (float(annot["/Rect"][i]) - oy for i in (1, 3))
            action = annot.get("/A")
            uri = str(action.get_object().get("/URI")) if action is not None else None
            dest = annot.get("/Dest")
            out.append(Link(number, (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)),
                            str(dest) if isinstance(dest, str) else None, uri))
    return out


def dest_pages(reader: PdfReader) -> dict[str, int]:
    """Named destination -> 0-based page."""
    return {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}


def dest_tops(reader: PdfReader) -> dict[str, float]:
    return {name: float(d.top or 0) for name, d in reader.named_destinations.items()}


@dataclass(frozen=True)
class Word:
    x1: float
    y1: float  # from the top of the page (poppler's convention)
    x2: float
    y2: float
    text: str


def words(pdf: Path) -> tuple[list[list[Word]], float, float]:
    """Every page's words with their boxes (pdftotext -bbox), and the page size."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages: list[list[Word]] = []
    width = height = 0.0
    for chunk in out.split("<page ")[1:]:
        size = re.match(r'width="([\d.]+)" height="([\d.]+)"', chunk)
        assert size
        width, height = float(size.group(1)), float(size.group(2))
        pages.append([Word(float(a), float(b), float(c), float(d), _unescape(t)) for a, b, c, d, t in
                      re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                 r'yMax="([\d.]+)">(.*?)</word>', chunk)])
    return pages, width, height


def _unescape(text: str) -> str:
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')


def text_in(link: Link, page_words: list[Word], height: float) -> str:
    """The words inside a link's rectangle, in reading order."""
    x1, y1, x2, y2 = link.rect
    top, bottom = height - y2, height - y1
    inside = [w for w in page_words
              if w.x1 >= x1 - 1 and w.x2 <= x2 + 1 and w.y1 >= top - 2 and w.y2 <= bottom + 2]
    return " ".join(w.text for w in sorted(inside, key=lambda w: (round(w.y1), w.x1)))


def line_of(link: Link, page_words: list[Word], height: float) -> str:
    """The words on the line and in the column a link sits on (label, leader, page number)."""
    x1, y1, x2, y2 = link.rect
    top, bottom = height - y2, height - y1
    on_line = [w for w in page_words if top - 1 <= (w.y1 + w.y2) / 2 <= bottom + 1
               and x1 - 1 <= w.x1 <= x2 + 30]
    return " ".join(w.text for w in sorted(on_line, key=lambda w: w.x1))


def outline(reader: PdfReader) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """Top-level bookmarks with their page and their children."""
    result: list[tuple[str, int, list[tuple[str, int]]]] = []
    for item in reader.outline:
        if isinstance(item, list):
            title, page, _ = result[-1]
            result[-1] = (title, page, [(str(c.title), reader.get_destination_page_number(c))
                                        for c in item if isinstance(c, Destination)])
        else:
            result.append((str(item.title), reader.get_destination_page_number(item), []))
    return result
