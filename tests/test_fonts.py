"""The same faces in the PDF and the DOCX: Source Serif Pro and Source Sans Pro (OFL, from PyPI),
embedded in both, whatever the machine has installed."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from pipeline.formats.common import fonts
from pipeline.formats.docx import fonts as docx_fonts

pytestmark = pytest.mark.slow
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def test_the_faces_come_with_the_package() -> None:
    for family in (fonts.SERIF, fonts.SANS):
        found = fonts.faces(family)
        assert {(f.bold, f.italic) for f in found} == {(b, i) for b in (False, True) for i in (False, True)}
        for face in found:
            name = TTFont(str(face.path))["name"]
            assert name.getDebugName(1) == family or name.getDebugName(16) == family
            assert "Open Font License" in (face.path.parent / "LICENSE.txt").read_text(encoding="utf-8")


def _pdf_fonts(pdf: Path) -> set[str]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {line.split()[0].split("+", 1)[-1] for line in out.splitlines()[2:] if line.strip()}


def test_the_pdf_sets_text_and_headings_in_the_packaged_faces(demo_outputs: Callable[[str], Path]) -> None:
    names = _pdf_fonts(demo_outputs("pdf"))
    assert {"Source-Serif-Pro", "Source-Serif-Pro-Bold", "Source-Serif-Pro-Italic",
            "Source-Sans-Pro-Bold"} <= names, names
    assert not {"DejaVu-Serif", "DejaVu-Serif-Bold"} & names  # body text no longer falls back


def test_the_docx_names_and_embeds_the_same_faces(demo_outputs: Callable[[str], Path]) -> None:
    with zipfile.ZipFile(demo_outputs("docx")) as z:
        styles = z.read("word/styles.xml").decode("utf-8")
        table = etree.fromstring(z.read("word/fontTable.xml"))
        rels = {r.get("Id"): r.get("Target")
                for r in etree.fromstring(z.read("word/_rels/fontTable.xml.rels"))}
        types = z.read("[Content_Types].xml").decode("utf-8")
        settings = z.read("word/settings.xml").decode("utf-8")
        parts = {n: z.read(n) for n in z.namelist() if n.endswith(".odttf")}
    assert f'w:ascii="{fonts.SERIF}"' in styles and f'w:ascii="{fonts.SANS}"' in styles
    assert 'Extension="odttf"' in types and "<w:embedTrueTypeFonts/>" in settings
    embedded = 0
    for entry in table.iter(W + "font"):
        for kind in entry:
            if not kind.tag.startswith(W + "embed"):
                continue
            key = kind.get(W + "fontKey") or ""
            data = docx_fonts._obfuscated(parts["word/" + rels[kind.get(R + "id")]], key)  # XOR undoes XOR
            face = TTFont(io.BytesIO(data))
            assert entry.get(W + "name") in (face["name"].getDebugName(1), face["name"].getDebugName(16))
            cmap = face.getBestCmap()
            assert ord("ü") in cmap and (ord("→") in cmap or "Italic" in kind.tag)  # 1.007 italics lack →
            embedded += 1
    assert embedded == 8
    assert sum(len(p) for p in parts.values()) < 500_000  # subset: the document's characters


def test_embedding_is_reproducible_and_keyed_per_face(demo_outputs: Callable[[str], Path]) -> None:
    docx = demo_outputs("docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        unembedded = io.BytesIO()
        with zipfile.ZipFile(unembedded, "w") as out:
            for info in z.infolist():
                if not info.filename.endswith(".odttf") and "fontTable.xml.rels" not in info.filename:
                    out.writestr(info, z.read(info))
    again = docx_fonts.embedded(unembedded.getvalue())
    with zipfile.ZipFile(io.BytesIO(again)) as a, zipfile.ZipFile(io.BytesIO(docx)) as b:
        assert [(i.filename, a.read(i)) for i in a.infolist() if i.filename.endswith(".odttf")] == \
            [(i.filename, b.read(i)) for i in b.infolist() if i.filename.endswith(".odttf")]
        keys = re.findall(r'w:fontKey="([^"]+)"', b.read("word/fontTable.xml").decode())
    assert len(set(keys)) == 8
