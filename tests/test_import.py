"""`glossary init --from` on a glossary shaped like a real pandoc/Makefile project
(tests/fixtures/pandoc-makefile): a title block file, a licence page, a hand-kept index page,
two entries without `.term`, a README and a Makefile with pandoc options."""

from __future__ import annotations

import re
import shutil
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import build_into, fixture_path
from lxml import etree
from pypdf import PdfReader

from pipeline import diagnostics as dg
from pipeline.build import read_book
from pipeline.cli import main

ENTRIES = {"ARP": "ARP", "DNS": "DNS", "IP-Adresse": "IP-Adresse", "LAM": "LAM",
           "Router": "Router", "Subnetz": "Subnetz", "TCP": "TCP", "WLAN": "WLAN"}
TITLE, AUTHORS = "Kleines Netzwerk-Glossar", ["Erika Mustermann", "Max Beispiel"]
DC = "{http://purl.org/dc/elements/1.1/}"
LICENCE = "Creative Commons Namensnennung 4.0 International"
EPUB = "{http://www.idpf.org/2007/ops}"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    root = tmp_path / "glossar"
    shutil.copytree(fixture_path("pandoc-makefile"), root)
    assert main(["init", "--from", str(root)]) == 0
    return root, capsys.readouterr().out


def test_import_writes_book_toml_and_moves_nothing(imported: tuple[Path, str]) -> None:
    root, _ = imported
    before = _snapshot(fixture_path("pandoc-makefile"))
    after = _snapshot(root)
    assert after.pop("book.toml")
    assert after == before
    config = tomllib.loads((root / "book.toml").read_text(encoding="utf-8"))
    assert config["title"] == TITLE and config["authors"] == AUTHORS
    assert config["date"] == "2024-03-01"  # "1. März 2024" in title.txt
    assert config["language"] == "de-DE" and config["pdf"] == {"page-size": "A5"}
    assert config["slug"] == "netzwerk-glossar"
    assert config["back"] == ["lizenz.md"] and "front" not in config
    assert "README.md" in config["exclude"] and "build/*" in config["exclude"]


def test_import_says_what_it_did_and_what_to_check(imported: tuple[Path, str]) -> None:
    _, out = imported
    assert "8 entry files with 8 terms" in out
    assert "title = 'Kleines Netzwerk-Glossar'  ← title.txt (pandoc title block)" in out
    assert "mapped   -V lang=de-DE → language = 'de-DE'" in out
    assert "covered  --toc" in out
    assert re.search(r"ignored  -V fontsize=11pt: no book.toml key", out)
    assert "ignored  --pdf-engine xelatex" in out
    assert "add .term to the headings in LAM.md, WLAN.md" in out
    assert "index.md is a hand-kept index" in out
    assert "set `license`" in out


def test_the_imported_book_keeps_every_entry(imported: tuple[Path, str]) -> None:
    root, _ = imported
    report = dg.Report()
    book = read_book(root, report)
    assert sorted(t.id for t in book.terms) == sorted(ENTRIES)
    assert [(p.role, p.source.file) for p in book.pages] == [("back", "lizenz.md")]
    codes = sorted((d.code, d.file) for d in report)
    assert codes == [("GL209", "LAM.md"), ("GL209", "WLAN.md"), ("GL310", "index.md")]
    assert book.config.title == TITLE and book.config.authors == tuple(AUTHORS)


def test_import_refuses_a_folder_that_has_book_toml(imported: tuple[Path, str],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root, _ = imported
    text = (root / "book.toml").read_bytes()
    assert main(["init", "--from", str(root)]) == 2
    assert "book.toml exists; nothing was written" in capsys.readouterr().err
    assert (root / "book.toml").read_bytes() == text


@pytest.mark.slow
def test_every_format_carries_title_authors_every_entry_and_the_licence(imported: tuple[Path, str],
                                                                tmp_path: Path) -> None:
    root, _ = imported
    outputs, report = build_into(root, tmp_path / "out", "pdf", "epub", "docx", "md", "html")
    assert not report.errors, [dg.format_text(d) for d in report.errors]
    _check_pdf(outputs["pdf"])
    _check_epub(outputs["epub"])
    _check_docx(outputs["docx"])
    _check_licence_in_md_and_site(outputs["md"], outputs["html"])


def _check_pdf(path: Path) -> None:
    pdf = PdfReader(path)
    assert path.name == "netzwerk-glossar.pdf"
    assert (round(float(pdf.pages[0].mediabox.width)), round(float(pdf.pages[0].mediabox.height))) == (
        420, 595)  # A5 from the Makefile's geometry
    assert pdf.metadata is not None and pdf.metadata.title == TITLE
    assert pdf.metadata.author == ", ".join(AUTHORS)
    pages = [re.sub(r"-\s+", "-", re.sub(r"\s+", " ", p.extract_text())) for p in pdf.pages]
    assert TITLE in pages[0] and ", ".join(AUTHORS) in pages[0]  # title page
    imprint = pages[1]
    assert TITLE in imprint and "Autoren" in imprint and ", ".join(AUTHORS) in imprint
    assert "1. März 2024" in imprint  # the date as German writes it
    outline = [item.title for item in _flatten(pdf.outline)]
    for title in ENTRIES.values():
        assert title in outline, title
    assert outline.count("Index") == 1  # the hand-kept index is not printed as well
    assert outline[-2:] == ["Index", "Lizenz"]  # the licence page (back matter) follows the index
    assert LICENCE in re.sub("\u2010 ", "", pages[-1])  # joined where it was hyphenated


def _flatten(items: list[object]) -> list[object]:
    out: list[object] = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _check_epub(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
        texts = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml")}
    assert [e.text for e in opf.iter(f"{DC}title")] == [TITLE]
    assert [e.text for e in opf.iter(f"{DC}creator")] == AUTHORS
    assert [e.text for e in opf.iter(f"{DC}language")] == ["de-DE"]
    letters = "".join(v for k, v in texts.items() if k.startswith("EPUB/letters/"))
    for term_id in ENTRIES:
        assert f'id="{term_id}"' in letters, term_id
    nav = etree.fromstring(texts["EPUB/nav.xhtml"].encode("utf-8"))
    toc = next(n for n in nav.iter("{*}nav") if n.get(f"{EPUB}type") == "toc")
    entries = ["".join(a.itertext()) for a in toc.iter("{*}a")]
    assert entries.count("Index") == 1 and entries[-1] == "Lizenz"
    landmarks = next(n for n in nav.iter("{*}nav") if n.get(f"{EPUB}type") == "landmarks")
    assert ("appendix", "pages/lizenz.xhtml#Lizenz") in [
        (a.get(f"{EPUB}type"), a.get("href")) for a in landmarks.iter("{*}a")]
    assert LICENCE in re.sub(r"\s+", " ", texts["EPUB/pages/lizenz.xhtml"])
    spine = [r.get("idref") for r in opf.iter("{*}itemref")]
    assert spine[-2:] == ["index", "page-lizenz"]


def _check_docx(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        core = etree.fromstring(z.read("docProps/core.xml"))
        document = z.read("word/document.xml").decode("utf-8")
    assert core.findtext(f"{DC}title") == TITLE
    assert core.findtext(f"{DC}creator") == "; ".join(AUTHORS)
    text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", document))
    for title in ENTRIES.values():
        assert title in text, title
    for name in AUTHORS:
        assert name in text  # title page and imprint
    assert text.rindex("Index") < text.index(LICENCE)  # after the index
    assert '<w:bookmarkStart w:id="' in document and 'w:name="Lizenz"' in document


def _check_licence_in_md_and_site(md: Path, site: Path) -> None:
    text = md.read_text(encoding="utf-8")
    assert text.index("# Index {#Index") < text.index("# Lizenz {#Lizenz .page .back}")
    assert LICENCE in re.sub(r"\s+", " ", text)
    page = (site / "pages" / "Lizenz.html").read_text(encoding="utf-8")
    assert LICENCE in re.sub(r"\s+", " ", page)
    assert 'href="pages/Lizenz.html"' in (site / "index.html").read_text(encoding="utf-8")


def test_import_of_a_yaml_project_with_front_matter_and_a_text_licence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "g"
    root.mkdir()
    for name in ("Alpha", "Beta", "Gamma"):
        (root / f"{name}.md").write_text(f"## {name} {{#{name} .term}}\n\n***{name}***\n\nText.\n",
                                         encoding="utf-8")
    (root / "meta.yaml").write_text("title: Aus YAML\nauthor: [Erika]\nlang: en-GB\nrights: CC0\n",
                                    encoding="utf-8")
    (root / "einfuehrung.md").write_text("# Zum Gebrauch\n\nLies [Alpha](#Alpha).\n", encoding="utf-8")
    (root / "anmerkungen.md").write_text("# Anmerkungen\n\nNoch offen.\n", encoding="utf-8")
    (root / "LIZENZ.txt").write_text("CC0\n", encoding="utf-8")
    (root / "Makefile").write_text(
        "book.epub:\n\tpandoc --metadata-file=meta.yaml -M title='Aus dem Makefile' "
        "einfuehrung.md Alpha.md Beta.md Gamma.md anmerkungen.md -o book.epub\n", encoding="utf-8")
    assert main(["init", "--from", str(root), "--language", "de"]) == 0
    out = capsys.readouterr().out
    config = tomllib.loads((root / "book.toml").read_text(encoding="utf-8"))
    assert config["title"] == "Aus dem Makefile"  # -M beats the metadata file, as in pandoc
    assert config["authors"] == ["Erika"] and config["license"] == "CC0"
    assert config["language"] == "de"  # --language wins, and the difference is reported
    assert "the project says language en-GB; --language de was used" in out
    assert config["front"] == ["einfuehrung.md"]  # before the entries in the Makefile
    assert config["back"] == ["anmerkungen.md"]
    assert "LIZENZ.txt is a text page: rename it to .md" in out
    assert "# Titel des Buchs" in (root / "book.toml").read_text(encoding="utf-8")  # German comments
    assert main(["check", str(root), "--strict"]) == 0


def test_an_entrys_own_front_matter_is_not_the_books_metadata(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "g"
    root.mkdir()
    (root / "Alpha.md").write_text("---\ntitle: Nur Alpha\n---\n\n## Alpha {#Alpha .term}\n\n***A***\n\n"
                                   "Text.\n", encoding="utf-8")
    (root / "title.md").write_text("% Das Buch\n% Erika\n", encoding="utf-8")
    assert main(["init", "--from", str(root)]) == 0
    config = tomllib.loads((root / "book.toml").read_text(encoding="utf-8"))
    assert config["title"] == "Das Buch" and config["authors"] == ["Erika"]
    assert "title.md" in config["exclude"]  # metadata only: no page of the book
    assert "no language found" in capsys.readouterr().out
