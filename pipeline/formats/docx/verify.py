"""Checks on the written DOCX: every link lands on a bookmark, every bookmark is valid for Word.

Run on pandoc's output before it replaces the previous file, so a build never publishes a
document whose cross-references Word would silently drop.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from urllib.parse import quote

from lxml import etree

from ..common.linkcheck import Output
from ..common.xml import parse_xml
from .bookmarks import is_valid

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PARTS = ("word/document.xml", "word/footnotes.xml")
_PAGEREF = re.compile(r"\bPAGEREF\s+(\S+)")
_STORY = "word/document.xml"


@dataclass(frozen=True)
class Findings:
    bookmarks: list[str]  # names, in document order
    anchors: list[str]  # hyperlink anchors and PAGEREF targets
    dead: list[str]  # anchors without a bookmark
    invalid: list[str]  # bookmark names Word rejects
    duplicates: list[str]  # names used twice, ignoring case


def parts(docx: bytes) -> dict[str, etree._Element]:
    """The parsed story parts (body and footnotes) of a DOCX."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        for name in PARTS:
            if name in z.namelist():
                out[name] = parse_xml(z.read(name))
    return out


def inspect(docx: bytes) -> Findings:
    """Bookmarks, link anchors and what is wrong with them."""
    bookmarks: list[str] = []
    anchors: list[str] = []
    for root in parts(docx).values():
        bookmarks += [b.get(f"{{{W}}}name", "") for b in root.iter(f"{{{W}}}bookmarkStart")]
        anchors += [a for h in root.iter(f"{{{W}}}hyperlink") if (a := h.get(f"{{{W}}}anchor"))]
        for instr in root.iter(f"{{{W}}}instrText"):
            anchors += _PAGEREF.findall(instr.text or "")
    return judge(bookmarks, anchors)


def judge(bookmarks: list[str], anchors: list[str]) -> Findings:
    """What is wrong with a document's bookmarks and link anchors (read by `inspect`, or
    gathered from the parts of a document written in pieces)."""
    # One story for links: every anchor is a fragment of it, to be found among the bookmarks.
    story = Output({_STORY}, {_STORY: set(bookmarks)})
    counts = Counter(b.casefold() for b in bookmarks)
    return Findings(
        bookmarks=bookmarks,
        anchors=anchors,
        dead=sorted(a for a in set(anchors) if story.follow(_STORY, "#" + quote(a)).problem),
        invalid=sorted({b for b in bookmarks if not is_valid(b)}),
        duplicates=sorted({b for b in bookmarks if counts[b.casefold()] > 1}),
    )
