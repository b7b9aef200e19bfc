"""The packaged faces embedded in the DOCX, so Word and LibreOffice show the PDF's type.

A family is embedded when the document's styles name it (a custom reference document with
other fonts gets none). Each face is subset to the characters the document uses plus Latin-1,
Latin Extended-A and general punctuation (enough to correct a word), and stored as Word
expects (ECMA-376 Part 1, §17.8.1): an "obfuscated" font part whose first 32 bytes are XORed
with a key named in `fontTable.xml`. The key is derived from the face's bytes, so the DOCX
stays reproducible. `w:embedTrueTypeFonts` asks Word to keep them when it saves.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from pathlib import Path

from lxml import etree

from ...cache import Cache, digest
from ..common import fonts
from ..common.xml import parse_xml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
FONT_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
FONT_TYPE = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
FONT_TABLE, RELS, TYPES = "word/fontTable.xml", "word/_rels/fontTable.xml.rels", "[Content_Types].xml"
SUBSET = "docx-font"  # the cache's kind for subset faces
_KINDS = {(False, False): "embedRegular", (True, False): "embedBold", (False, True): "embedItalic",
          (True, True): "embedBoldItalic"}
_KEEP = [*range(0x20, 0x180), *range(0x2000, 0x2070), 0x20AC, *range(0x2190, 0x2194), 0x2212]
# w:settings children that come before w:embedTrueTypeFonts (the schema's order)
_BEFORE = ("writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
           "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
           "printFractionalCharacterWidth", "printFormsData")


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def embedded(docx: bytes, cache: Cache | None = None) -> bytes:
    """The DOCX with the packaged faces its styles use embedded; unchanged if none."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        infos = z.infolist()
        parts = {i.filename: z.read(i) for i in infos}
    added = embed(parts, cache)
    return _zip(infos, parts, added) if added else docx


def embed(parts: dict[str, bytes], cache: Cache | None = None, characters: str | None = None
          ) -> dict[str, bytes]:
    """`embedded` on a package's parts by name: the parts it changes are replaced, the new
    ones returned (none when no packaged face is used). `characters`: the text of the body
    and footnotes when known (else read from them); each face's subset is kept in `cache`."""
    styles = parts.get("word/styles.xml", b"").decode("utf-8")
    families = [f for f in (fonts.SERIF, fonts.SANS) if f'"{f}"' in styles and fonts.faces(f)]
    if not families or FONT_TABLE not in parts:
        return {}
    used = _characters(parts, characters)
    table = parse_xml(parts[FONT_TABLE])
    rels = parse_xml(parts[RELS] if RELS in parts else f'<Relationships xmlns="{PKG}"/>'.encode())
    added: dict[str, bytes] = {}
    for family in families:
        entry = _font_entry(table, family)
        for face in fonts.faces(family):
            data = _subset_cached(face.path, used, cache or Cache(None))
            key = "{" + str(uuid.UUID(bytes=hashlib.sha256(data).digest()[:16])).upper() + "}"
            name = f"fonts/font{len(added) + 1}.odttf"
            rid = f"rIdFont{len(added) + 1}"
            added[f"word/{name}"] = _obfuscated(data, key)
            etree.SubElement(rels, f"{{{PKG}}}Relationship", Id=rid, Type=FONT_REL, Target=name)
            kind = _w(_KINDS[(face.bold, face.italic)])
            etree.SubElement(entry, kind, {f"{{{R}}}id": rid, _w("fontKey"): key})
    new = {} if RELS in parts else {RELS: _xml(rels)}
    parts[FONT_TABLE] = _xml(table)
    parts[RELS] = _xml(rels)
    parts[TYPES] = _with_font_type(parts[TYPES])
    parts["word/settings.xml"] = _keep_on_save(parts["word/settings.xml"])
    return {**new, **added}


def _characters(parts: dict[str, bytes], known: str | None = None) -> set[int]:
    stories = ("word/footer1.xml",) if known is not None else (
        "word/document.xml", "word/footnotes.xml", "word/footer1.xml")
    text = (known or "") + "".join(t.text or "" for name in stories if name in parts
                                   for t in parse_xml(parts[name]).iter(_w("t")))
    return {ord(c) for c in text} | set(_KEEP)


def _subset_cached(path: Path, used: set[int], cache: Cache) -> bytes:
    """`_subset`, kept in the build cache under the face's bytes, the characters and fontTools."""
    import fontTools

    face = path.read_bytes()
    key = cache.key(SUBSET, fontTools.version, digest(face), "".join(map(chr, sorted(used))))
    stored = cache.get(SUBSET, key) if cache.enabled else None
    if stored is not None:
        return stored
    data = _subset(path, used)
    cache.put(SUBSET, key, data)
    return data


def _subset(path: Path, used: set[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), recalcTimestamp=False)
    options = subset.Options()
    options.hinting = False  # smaller; screens and printers of today do without
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=used)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _obfuscated(data: bytes, key: str) -> bytes:
    """§17.8.1: the key's 16 bytes, least significant first, XORed over the first 32 bytes."""
    mask = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(b ^ mask[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


def _font_entry(table: etree._Element, family: str) -> etree._Element:
    """The family's `w:font` in the font table (a new one if pandoc's has none), emptied of
    embeddings."""
    entry = next((f for f in table.iter(_w("font")) if f.get(_w("name")) == family), None)
    if entry is None:
        entry = etree.SubElement(table, _w("font"), {_w("name"): family})
        etree.SubElement(entry, _w("family"), {_w("val"): "roman" if family == fonts.SERIF else "swiss"})
        etree.SubElement(entry, _w("pitch"), {_w("val"): "variable"})
    for kind in _KINDS.values():
        for old in entry.findall(_w(kind)):
            entry.remove(old)
    return entry


def _with_font_type(types: bytes) -> bytes:
    root = parse_xml(types)
    if not any(d.get("Extension") == "odttf" for d in root.iter(f"{{{CT}}}Default")):
        root.insert(0, etree.Element(f"{{{CT}}}Default", Extension="odttf", ContentType=FONT_TYPE))
    return _xml(root)


def _keep_on_save(settings: bytes) -> bytes:
    root = parse_xml(settings)
    if root.find(_w("embedTrueTypeFonts")) is None:
        at = max((i + 1 for i, c in enumerate(root) if etree.QName(c).localname in _BEFORE), default=0)
        root.insert(at, etree.Element(_w("embedTrueTypeFonts")))
    return _xml(root)


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _zip(infos: list[zipfile.ZipInfo], parts: dict[str, bytes], added: dict[str, bytes]) -> bytes:
    """Same names, order, dates and compression as pandoc wrote; new parts after, dated alike."""
    out = io.BytesIO()
    stamp = infos[0].date_time
    with zipfile.ZipFile(out, "w") as z:
        for info in infos:
            z.writestr(info, parts[info.filename], compress_type=info.compress_type)
        for name, data in added.items():
            z.writestr(zipfile.ZipInfo(name, stamp), data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
