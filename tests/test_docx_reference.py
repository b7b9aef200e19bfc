"""The committed reference document is exactly what its generator makes from pandoc's default."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from pipeline.formats import docx
from pipeline.formats.context import STYLES_DIR
from pipeline.formats.docx import prepare as docx_ast
from pipeline.formats.docx.reference import default_reference, generate, write_reference

COMMITTED = STYLES_DIR / "docx" / "reference.docx"
REGENERATE = "run `python -m pipeline.formats.docx.reference` and commit styles/docx/reference.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _canonical(data: bytes) -> bytes:
    return etree.tostring(etree.fromstring(data), method="c14n")


def test_committed_reference_matches_the_generator() -> None:
    fresh = generate(default_reference())
    with zipfile.ZipFile(COMMITTED) as z:
        committed = {name: z.read(name) for name in z.namelist()}
    assert sorted(committed) == sorted(fresh), REGENERATE
    for name, data in fresh.items():
        if name.endswith((".xml", ".rels")):
            assert _canonical(committed[name]) == _canonical(data), f"{name}: {REGENERATE}"
        else:
            assert committed[name] == data, f"{name}: {REGENERATE}"


def test_generator_is_deterministic(tmp_path: Path) -> None:
    default = default_reference()
    a = write_reference(tmp_path / "a.docx", default).read_bytes()
    b = write_reference(tmp_path / "b.docx", default).read_bytes()
    assert a == b
    with zipfile.ZipFile(tmp_path / "a.docx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_every_style_the_backend_names_is_defined() -> None:
    with zipfile.ZipFile(COMMITTED) as z:
        root = etree.fromstring(z.read("word/styles.xml"))
    names = {s.find(W + "name").get(W + "val") for s in root.iter(W + "style")}  # type: ignore[union-attr]
    ids = {s.get(W + "styleId") for s in root.iter(W + "style")}
    for name in (docx_ast.TAGLINE_STYLE, docx_ast.SEEALSO_STYLE, docx_ast.BACKREFS_STYLE,
                 docx_ast.INDEX_LETTER_STYLE, docx_ast.INDEX_ENTRY_STYLE,
                 docx.IMPRINT_HEADING_STYLE, docx.IMPRINT_STYLE):
        assert name in names, name
    for style_id in (docx_ast.PAGEREF_STYLE, "TOC1", "TOC2", "TOCHeading", "Footer", "SourceCode"):
        assert style_id in ids, style_id
