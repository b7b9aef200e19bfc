"""The DOCX backend, checked on the document XML of real builds (demo, messy, docx-ids)."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import DEMO, build_into, fixture_path, outputs_in
from lxml import etree

from pipeline import build, pandoc, read_book
from pipeline import diagnostics as dg
from pipeline.cli import main
from pipeline.formats import docx
from pipeline.formats.context import STYLES_DIR
from pipeline.formats.docx import verify as docx_check
from pipeline.model import Book

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
NS = {"w": W_NS, "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
      "dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/"}
WORD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
REFERENCE = STYLES_DIR / "docx" / "reference.docx"
Built = Callable[[str], tuple[Path, Book]]


# --- helpers (also used by test_docx_libreoffice) ------------------------------------------


def part(docx: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(docx) as z:
        return etree.fromstring(z.read(name))


def xpath(node: etree._Element, expr: str) -> list[etree._Element]:
    return list(node.xpath(expr, namespaces=NS))  # type: ignore[arg-type]


def text(node: etree._Element) -> str:
    """The visible text: w:t contents and tabs (not field instructions)."""
    return "".join("\t" if e.tag == W + "tab" else e.text or ""
                   for e in node.iter(W + "t", W + "tab", f"{{{NS['m']}}}t"))


def story_parts(docx: Path) -> list[etree._Element]:
    with zipfile.ZipFile(docx) as z:
        names = [n for n in ("word/document.xml", "word/footnotes.xml") if n in z.namelist()]
    return [part(docx, n) for n in names]


def bookmarks(docx: Path) -> list[str]:
    return [b.get(W + "name", "") for p in story_parts(docx) for b in p.iter(W + "bookmarkStart")]


def hyperlinks(docx: Path) -> list[etree._Element]:
    return [h for p in story_parts(docx) for h in p.iter(W + "hyperlink") if h.get(W + "anchor")]


def heading_bookmarks(docx: Path, style: str) -> list[tuple[str, str]]:
    """(bookmark name, heading text) for every paragraph of `style`, in order.

    pandoc puts a heading's bookmark just before its paragraph (around the whole section)."""
    body = part(docx, "word/document.xml").find(W + "body")
    assert body is not None
    out, pending = [], []
    for child in body:
        if child.tag == W + "bookmarkStart":
            pending.append(child.get(W + "name", ""))
            continue
        if child.tag == W + "p":
            styles = xpath(child, "w:pPr/w:pStyle/@w:val")
            inner = [b.get(W + "name", "") for b in child.iter(W + "bookmarkStart")]
            if styles == [style]:
                names = pending + inner
                assert len(names) == 1, (text(child), names)
                out.append((names[0], text(child)))
        pending = []
    return out


def toc_sdt(docx: Path) -> etree._Element:
    found = xpath(part(docx, "word/document.xml"),
                  "//w:sdt[w:sdtPr/w:docPartObj/w:docPartGallery/@w:val='Table of Contents']")
    assert len(found) == 1
    return found[0]


# --- builds ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def fixture_docx(tmp_path_factory: pytest.TempPathFactory, demo_outputs: Callable[[str], Path],
                 demo_book: Book) -> Built:
    """Build a fixture glossary's DOCX once per session: name -> (docx, book)."""
    out = tmp_path_factory.mktemp("docx-fixtures")
    cache: dict[str, tuple[Path, Book]] = {}

    def get(name: str) -> tuple[Path, Book]:
        if name == "demo":
            return demo_outputs("docx"), demo_book
        if name not in cache:
            outputs, _report = build_into(fixture_path(name), out / name, "docx")
            cache[name] = (outputs["docx"], read_book(fixture_path(name), dg.Report()))
        return cache[name]

    return get


BOOKS = ["demo", "messy", "docx-ids"]


def test_build_writes_slug_docx(fixture_docx: Built) -> None:
    docx, book = fixture_docx("demo")
    assert docx.name == f"{book.config.slug}.docx" == "kleines-kryptographie-glossar.docx"
    with zipfile.ZipFile(docx) as z:
        assert z.testzip() is None
        assert {"word/document.xml", "word/styles.xml", "docProps/core.xml"} <= set(z.namelist())


def test_cli_build_format_docx_writes_slug_docx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "build"
    code = main(["build", str(fixture_path("docx-ids")), "--format", "docx", "--out", str(out)])
    assert code == 0
    assert outputs_in(out) == ["bookmark-test-glossary.docx"]
    assert "docx:" in capsys.readouterr().out


@pytest.mark.parametrize("name", BOOKS)
def test_every_link_anchor_has_a_bookmark(name: str, fixture_docx: Built) -> None:
    docx, _ = fixture_docx(name)
    names = set(bookmarks(docx))
    anchors = [h.get(W + "anchor") for h in hyperlinks(docx)]
    assert len(anchors) > 10
    assert [a for a in anchors if a not in names] == []


@pytest.mark.parametrize("name", BOOKS)
def test_bookmark_names_are_word_valid_and_unique(name: str,
                                                  fixture_docx: Built) -> None:
    docx, _ = fixture_docx(name)
    names = bookmarks(docx)
    assert [n for n in names if not WORD_NAME.match(n)] == []
    assert len({n.casefold() for n in names}) == len(names)
    starts = [b.get(W + "id") for p in story_parts(docx) for b in p.iter(W + "bookmarkStart")]
    ends = [b.get(W + "id") for p in story_parts(docx) for b in p.iter(W + "bookmarkEnd")]
    assert len(set(starts)) == len(starts) and sorted(starts) == sorted(ends)


@pytest.mark.parametrize("name", BOOKS)
def test_every_term_has_a_bookmark_on_its_heading(name: str,
                                                  fixture_docx: Built) -> None:
    docx, book = fixture_docx(name)
    headings = heading_bookmarks(docx, "Heading2")
    assert [t for _, t in headings] == [t.title_text for t in book.terms]
    assert len({n for n, _ in headings}) == len(book.terms)
    letters = heading_bookmarks(docx, "Heading1")
    assert [t for _, t in letters] == [g.label for g in book.groups] + ["Index"]


@pytest.mark.parametrize("name", BOOKS)
def test_links_labelled_with_a_title_land_on_that_term(name: str, fixture_docx: Built) -> None:
    docx, _ = fixture_docx(name)
    by_title = {t: n for n, t in heading_bookmarks(docx, "Heading2")}
    checked = 0
    for link in hyperlinks(docx):
        label = text(link)
        if label in by_title:
            assert link.get(W + "anchor") == by_title[label], label
            checked += 1
    assert checked > 5


def test_tricky_ids_link_to_the_right_term(fixture_docx: Built) -> None:
    docx, _ = fixture_docx("docx-ids")
    by_title = {t: n for n, t in heading_bookmarks(docx, "Heading2")}
    assert by_title["KI-Ökosystem"] == "KI_Oekosystem"
    assert by_title["Leonardo.ai"] == "Leonardo_ai"
    assert by_title["3D modeling"] == "x_3D_Modeling"
    assert by_title["Explainable AI"] == "XAI"
    assert by_title["xAI"].startswith("xAI_")
    assert len(by_title["A term with a very long id"]) <= 40
    anchors_of = {}
    for link in hyperlinks(docx):
        anchors_of.setdefault(text(link), set()).add(link.get(W + "anchor"))
    assert anchors_of["XAI"] == {"XAI"}
    assert anchors_of["xAI"] == {by_title["xAI"]}
    # the in-term link to the section "History" lands on the section's bookmark
    assert anchors_of["its history"] == {"XAI_history"}
    assert "XAI_history" in bookmarks(docx)


def _body_paragraphs_outside_toc(docx: Path) -> list[etree._Element]:
    return xpath(part(docx, "word/document.xml"), "//w:body//w:p[not(ancestor::w:sdt)]")


@pytest.mark.parametrize(("name", "in_text", "in_list"), [
    ("demo", "\u00a0(→\u00a0S.\u00a0?)", "\u00a0(S.\u00a0?)"),
    ("docx-ids", "\u00a0(→\u00a0p.\u00a0?)", "\u00a0(p.\u00a0?)")])
def test_every_cross_reference_is_followed_by_a_pageref(
        name: str, in_text: str, in_list: str, fixture_docx: Built) -> None:
    """Every link, the see-also line's "Index" too (as in the PDF)."""
    docx, _ = fixture_docx(name)
    refs = 0
    for para in _body_paragraphs_outside_toc(docx):
        instr = [i.text or "" for i in para.iter(W + "instrText")]
        targets = [h.get(W + "anchor") for h in para.iter(W + "hyperlink")]
        assert [re.sub(r"\s+", " ", i).strip() for i in instr] == [f"PAGEREF {t} \\h" for t in targets]
        refs += len(targets)
    assert refs > 30
    styles_with_text = {}
    for para in _body_paragraphs_outside_toc(docx):
        style = (xpath(para, "w:pPr/w:pStyle/@w:val") or [""])[0]
        styles_with_text.setdefault(style, []).append(text(para))
    assert any(in_text in t for t in styles_with_text["BodyText"] + styles_with_text["FirstParagraph"])
    assert all(in_list in t for t in styles_with_text["SeeAlso"])
    assert all(in_list in t for t in styles_with_text["BackReferences"])
    assert all(re.search(r"\t\?$", t) for t in styles_with_text["IndexEntry"])


def test_index_lists_every_entry_with_a_page_field(fixture_docx: Built) -> None:
    docx, book = fixture_docx("demo")
    entries = [p for p in _body_paragraphs_outside_toc(docx)
               if xpath(p, "w:pPr/w:pStyle/@w:val") == ["IndexEntry"]]
    assert len(entries) == sum(len(g.entries) for g in book.index)
    letters = [p for p in _body_paragraphs_outside_toc(docx)
               if xpath(p, "w:pPr/w:pStyle/@w:val") == ["IndexLetter"]]
    assert [text(p) for p in letters] == [g.label for g in book.index]


def test_toc_is_a_dirty_word_field_listing_letters_and_terms(
        fixture_docx: Built) -> None:
    docx, book = fixture_docx("demo")
    sdt = toc_sdt(docx)
    instr = [i.text or "" for i in sdt.iter(W + "instrText")]
    assert [re.sub(r"\s+", " ", i).strip() for i in instr] == ['TOC \\o "1-2" \\h \\z \\u']
    begin = xpath(sdt, ".//w:fldChar[@w:fldCharType='begin']")
    assert len(begin) == 1 and begin[0].get(W + "dirty") == "true"
    assert len(xpath(sdt, ".//w:fldChar[@w:fldCharType='end']")) == 1
    terms = heading_bookmarks(docx, "Heading2")
    toc2 = xpath(sdt, ".//w:p[w:pPr/w:pStyle/@w:val='TOC2']")
    assert [(h.get(W + "anchor"), text(h)) for p in toc2 for h in p.iter(W + "hyperlink")] == terms
    toc1 = xpath(sdt, ".//w:p[w:pPr/w:pStyle/@w:val='TOC1']")
    assert [text(p) for p in toc1] == [g.label for g in book.groups] + ["Index"]
    settings = part(docx, "word/settings.xml")
    assert xpath(settings, "w:updateFields/@w:val") == ["true"]


def _style(root: etree._Element, style_id: str) -> bytes:
    found = xpath(root, f"w:style[@w:styleId='{style_id}']")
    assert len(found) == 1, style_id
    props = [c for c in found[0] if etree.QName(c).localname in ("pPr", "rPr", "tblPr", "tblStylePr")]
    return b"".join(etree.tostring(c, method="c14n") for c in props)


GLOSSARY_STYLES = ["Tagline", "SeeAlso", "BackReferences", "IndexEntry", "IndexLetter", "Imprint",
                   "ImprintHeading", "PageReference", "Heading1", "Heading2", "Heading3", "TOC1", "TOC2",
                   "TOCHeading", "SourceCode", "BodyText", "Title", "Hyperlink", "Table"]


@pytest.mark.parametrize(("name", "language"), [("demo", "de-DE"), ("docx-ids", "en-GB")])
def test_styles_and_language_come_from_the_reference(
        name: str, language: str, fixture_docx: Built) -> None:
    docx, _ = fixture_docx(name)
    ours, ref = part(docx, "word/styles.xml"), part(REFERENCE, "word/styles.xml")
    for style_id in GLOSSARY_STYLES:
        assert _style(ours, style_id) == _style(ref, style_id), style_id
    fonts = "w:docDefaults/w:rPrDefault/w:rPr/w:rFonts/@w:ascii"
    assert xpath(ours, fonts) == xpath(ref, fonts) == ["Source Serif Pro"]  # the PDF's face
    # the reference says de-DE; pandoc sets the book's language (de -> de-DE, en-GB stays)
    assert xpath(ref, "w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val") == ["de-DE"]
    assert xpath(ours, "w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val") == [language]
    assert xpath(part(docx, "docProps/core.xml"), "dc:language/text()") == [language]
    page = "w:body/w:sectPr/w:pgSz"
    assert [dict(p.attrib) for p in xpath(part(docx, "word/document.xml"), page)] == \
        [dict(p.attrib) for p in xpath(part(REFERENCE, "word/document.xml"), page)]
    footer = part(docx, "word/footer1.xml")
    assert [(i.text or "").strip() for i in footer.iter(W + "instrText")] == ["PAGE"]


def test_glossary_styles_are_used(fixture_docx: Built) -> None:
    docx, book = fixture_docx("demo")
    used: dict[str, int] = {}
    for style in xpath(part(docx, "word/document.xml"), "//w:pStyle/@w:val"):
        used[str(style)] = used.get(str(style), 0) + 1
    assert used["Tagline"] == sum(len(t.taglines) for t in book.terms)
    assert used["SeeAlso"] == sum(1 for t in book.terms if t.see_also or t.links_index)
    assert used["BackReferences"] == sum(1 for t in book.terms if t.refs_in)
    assert used["ImprintHeading"] == 1 and used["Imprint"] >= 5
    assert used["SourceCode"] >= 5


def test_custom_reference_document_from_the_styles_folder(tmp_path: Path) -> None:
    styles = tmp_path / "styles"
    (styles / "docx").mkdir(parents=True)
    with zipfile.ZipFile(REFERENCE) as src, zipfile.ZipFile(styles / "docx" / "reference.docx", "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/styles.xml":
                data = data.replace(b'"Source Serif Pro"', b'"Garamond"')
                data = data.replace(b'"Source Sans Pro"', b'"Arial"')
            dst.writestr(info, data)
    report = dg.Report()
    out = build(fixture_path("docx-ids"), tmp_path / "out", ["docx"], report, styles_dir=styles)
    styles_xml = part(out["docx"], "word/styles.xml")
    assert xpath(styles_xml, "w:docDefaults/w:rPrDefault/w:rPr/w:rFonts/@w:ascii") == ["Garamond"]
    with zipfile.ZipFile(out["docx"]) as z:  # the packaged faces are embedded only when named
        assert not [n for n in z.namelist() if n.endswith(".odttf")]


def test_reference_falls_back_to_built_in_then_generated(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "styles"
    empty.mkdir()
    ref_styles = _style(part(REFERENCE, "word/styles.xml"), "Tagline")
    out = build(fixture_path("docx-ids"), tmp_path / "a", ["docx"], dg.Report(), styles_dir=empty)
    assert _style(part(out["docx"], "word/styles.xml"), "Tagline") == ref_styles
    monkeypatch.setattr(docx, "STYLES_DIR", empty)  # no reference anywhere: generated on the fly
    out = build(fixture_path("docx-ids"), tmp_path / "b", ["docx"], dg.Report(), styles_dir=empty)
    assert _style(part(out["docx"], "word/styles.xml"), "Tagline") == ref_styles


def test_math_code_tables_and_images(fixture_docx: Built) -> None:
    docx, _ = fixture_docx("demo")
    doc = part(docx, "word/document.xml")
    assert len(xpath(doc, "//m:oMath")) > 50  # native Word equations, no TeX left
    assert "\\varphi" not in text(doc) and "$" not in text(doc)
    assert len(xpath(doc, "//w:tbl/w:tblPr/w:tblStyle[@w:val='Table']")) >= 1
    with zipfile.ZipFile(docx) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        raw = z.read("word/document.xml").decode("utf-8")
    assert any(n.endswith(".svg") for n in media)
    assert any(n.endswith(".png") for n in media), "SVG needs a PNG fallback (rsvg-convert)"
    assert len(xpath(doc, "//a:blip/@*[local-name()='embed']")) >= 1
    assert str(DEMO) not in raw and "/work/" not in raw  # no build-machine paths inside


def test_broken_links_are_plain_text_and_footnotes_link(
        fixture_docx: Built) -> None:
    docx, _ = fixture_docx("messy")
    doc = part(docx, "word/document.xml")
    for label in ("Nirgendwo", "Fehlt"):
        runs = [t for t in doc.iter(W + "t") if t.text and label in t.text]
        assert runs, label
        assert all(not xpath(t, "ancestor::w:hyperlink") for t in runs), label
    notes = part(docx, "word/footnotes.xml")
    oel = {t: n for n, t in heading_bookmarks(docx, "Heading2")}["Öl"]
    assert [h.get(W + "anchor") for h in notes.iter(W + "hyperlink")] == [oel]
    assert any(f"PAGEREF {oel}" in (i.text or "") for i in notes.iter(W + "instrText"))


def test_core_properties_and_byte_identical_rebuilds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    first, _ = build_into(fixture_path("docx-ids"), tmp_path / "a", "docx")
    second, _ = build_into(fixture_path("docx-ids"), tmp_path / "b", "docx")
    assert first["docx"].read_bytes() == second["docx"].read_bytes()
    core = part(first["docx"], "docProps/core.xml")
    assert xpath(core, "dc:title/text()") == ["Bookmark Test Glossary"]
    assert xpath(core, "dc:creator/text()") == ["Test Author"]
    assert xpath(core, "dc:language/text()") == ["en-GB"]
    assert xpath(core, "cp:keywords/text()") == ["bookmarks, Word"]
    assert xpath(core, "dcterms:created/text()") == ["2026-01-01T00:00:00Z"]
    assert xpath(core, "dcterms:modified/text()") == ["2026-01-01T00:00:00Z"]


def test_failed_build_keeps_the_previous_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outputs, _ = build_into(fixture_path("docx-ids"), tmp_path, "docx")
    before = outputs["docx"].read_bytes()

    def broken(*_args: object, **_kwargs: object) -> tuple[bytes, str]:
        raise pandoc.PandocError("simulated failure")

    monkeypatch.setattr(pandoc, "run", broken)
    with pytest.raises(dg.GlossaryError) as failure:
        build_into(fixture_path("docx-ids"), tmp_path, "docx")
    assert failure.value.diagnostic.code == dg.TOOL_FAILED
    assert outputs["docx"].read_bytes() == before
    assert outputs_in(tmp_path) == [outputs["docx"].name]


def test_images_outside_the_source_folder_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "glossary"
    shutil.copytree(fixture_path("docx-ids"), source)
    shutil.copy(DEMO / "images" / "diffie-hellman.svg", tmp_path / "outside.svg")
    (source / "Bilder.md").write_text(
        "## Bilder {#Bilder .term}\n\n***Bilder***\n\n"
        "![Outside](../outside.svg)\n\n![Remote](https://example.com/x.png)\n\n"
        "![Absolute](/etc/hostname)\n\n![Missing](nothing.svg)\n", encoding="utf-8")
    outputs, report = build_into(source, tmp_path / "out", "docx")
    refused = [d for d in report if d.code == dg.RESOURCE_REFUSED]
    assert len(refused) == 3 and all(d.file == "Bilder.md" for d in refused)
    missing = [d for d in report if d.code == dg.RESOURCE_MISSING and "nothing.svg" in d.message]
    assert [d.file for d in missing] == ["Bilder.md"]
    with zipfile.ZipFile(outputs["docx"]) as z:
        assert not [n for n in z.namelist() if n.startswith("word/media/")]
    body = text(part(outputs["docx"], "word/document.xml"))
    assert all(alt in body for alt in ("Outside", "Remote", "Absolute", "Missing"))


def test_checker_reports_dead_anchors_and_bad_names() -> None:
    document = (f'<w:document xmlns:w="{W_NS}"><w:body><w:p>'
                '<w:bookmarkStart w:id="1" w:name="Good"/><w:bookmarkEnd w:id="1"/>'
                '<w:bookmarkStart w:id="2" w:name="KI-Ökosystem"/><w:bookmarkEnd w:id="2"/>'
                '<w:bookmarkStart w:id="3" w:name="good"/><w:bookmarkEnd w:id="3"/>'
                '<w:hyperlink w:anchor="Good"/><w:hyperlink w:anchor="Missing"/>'
                '<w:r><w:instrText> PAGEREF Gone \\h </w:instrText></w:r>'
                '</w:p></w:body></w:document>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", document)
    found = docx_check.inspect(buffer.getvalue())
    assert found.dead == ["Gone", "Missing"]
    assert found.invalid == ["KI-Ökosystem"]
    assert found.duplicates == ["Good", "good"]
