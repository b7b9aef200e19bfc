"""Reading a built DOCX the way Word reads it: stories with their ids in order of appearance,
relationships resolved to what they point at, lists to their definitions.

Two documents with equal `stories` show the same: the same paragraphs, runs, fields, links,
bookmarks, footnotes, images and lists, whatever numbers the writer gave its ids.
"""

from __future__ import annotations

import functools
import hashlib
import io
import posixpath
import zipfile
from dataclasses import dataclass

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
STORIES = (("word/document.xml", "word/_rels/document.xml.rels"),
           ("word/footnotes.xml", "word/_rels/footnotes.xml.rels"))


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass(frozen=True)
class Package:
    parts: dict[str, bytes]

    @staticmethod
    def read(data: bytes) -> Package:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return Package({n: z.read(n) for n in z.namelist()})

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.parts[name])

    def rels(self, name: str) -> dict[str, str]:
        """Relationship id -> `type|target`, an internal target as the digest of its bytes."""
        if name not in self.parts:
            return {}
        out = {}
        for r in self.xml(name).iter(f"{{{RELS}}}Relationship"):
            target = r.get("Target", "")
            if r.get("TargetMode") != "External":
                path = posixpath.normpath(posixpath.join("word", target))
                if path in self.parts:
                    target = "part:" + hashlib.sha256(self.parts[path]).hexdigest()[:16]
            out[r.get("Id", "")] = f"{r.get('Type', '').rsplit('/', 1)[-1]}|{target}"
        return out

    def list_definitions(self) -> dict[str, str]:
        """numId -> a digest of its abstract definition and overrides."""
        root = self.xml("word/numbering.xml")
        abstract = {a.get(q("abstractNumId")): a for a in root.iter(q("abstractNum"))}
        out = {}
        for num in root.iter(q("num")):
            ref = num.find(q("abstractNumId"))
            assert ref is not None
            definition = etree.fromstring(etree.tostring(abstract[ref.get(q("val"))]))
            definition.attrib.pop(q("abstractNumId"))
            overrides = b"".join(etree.tostring(o, method="c14n") for o in num.iter(q("lvlOverride")))
            out[num.get(q("numId"), "")] = hashlib.sha256(
                etree.tostring(definition, method="c14n") + overrides).hexdigest()[:16]
        return out

    def stories(self) -> dict[str, bytes]:
        """Body and footnotes, canonical: ids renumbered by first appearance, relationships and
        lists resolved, whitespace between elements dropped."""
        lists = self.list_definitions()
        out = {}
        for name, rels_name in STORIES:
            root = self.xml(name)
            rels = self.rels(rels_name)
            seen: dict[str, dict[str, str]] = {}
            seq = functools.partial(_sequential, seen)
            for el in root.iter():
                if not isinstance(el.tag, str):
                    continue
                tag = etree.QName(el).localname
                if tag in ("bookmarkStart", "bookmarkEnd"):
                    seq(el, q("id"), "bookmark")
                elif tag in ("footnoteReference", "footnote") and el.get(q("type")) is None:
                    seq(el, q("id"), "footnote")
                elif tag == "numId":
                    el.set("list", lists.get(el.get(q("val"), ""), "none"))
                    seq(el, q("val"), "num")
                elif tag in ("docPr", "cNvPr"):
                    seq(el, "id", "drawing")
                for attr, value in list(el.attrib.items()):
                    if str(attr).startswith(f"{{{R}}}"):
                        el.set(attr, rels.get(str(value), "unresolved:" + str(value)))
                if el.text is not None and not el.text.strip() and tag != "t":
                    el.text = None
                if el.tail is not None and not el.tail.strip():
                    el.tail = None
            out[name] = etree.tostring(root, method="c14n")
        return out

    def text(self) -> str:
        """The document's text, paragraph by paragraph (`w:t` and tabs)."""
        lines = []
        for p in self.xml("word/document.xml").iter(q("p")):
            lines.append("".join((t.text or "") if t.tag == q("t") else "\t"
                                 for t in p.iter(q("t"), q("tab"))))
        return "\n".join(lines)


def _sequential(seen: dict[str, dict[str, str]], el: etree._Element, attr: str, space: str) -> None:
    """`attr` numbered by first appearance within its `space`."""
    value = el.get(attr)
    if value is not None:
        numbers = seen.setdefault(space, {})
        el.set(attr, numbers.setdefault(value, str(len(numbers))))
