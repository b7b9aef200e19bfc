"""One order and one set of labels for a term in every format (README: "One order in every format").

Each format's real output is read back into its blocks (text, and whether the block is a
heading): the site's term page, the EPUB's letter document, the DOCX body, the normalised
Markdown and the PDF's text. In every one the parts of a term come in the same order — title,
"Auch: …", tagline, definition, sections, notes, "Verwandte Themen" as a heading, "Verweise
hierher:" as a run-in label — and the see-also line ends with "Index" where the book has pages.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest
from lxml import etree
from pypdf import PdfReader

from pipeline.i18n import labels
from pipeline.model import Book, Term
from pipeline.pandoc_ast import stringify

pytestmark = pytest.mark.slow
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XHTML = "{http://www.w3.org/1999/xhtml}"
WORDS = labels("de")
TERMS = ("AES", "Asymmetrische-Kryptographie", "Enigma")  # aliases and sections; footnotes; no aliases


@dataclass(frozen=True)
class Block:
    text: str
    heading: bool


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00ad", "").replace("\u2010\n", "")).strip()


# --- each format's blocks ------------------------------------------------------------------

_HTML_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li")


def _html_blocks(root: etree._Element, strip_ns: str = "") -> list[Block]:
    """Headings, paragraphs and list items in document order; a run-in label block (the
    back-references) is one block with the text that follows it."""
    out: list[Block] = []
    taken: set[etree._Element] = set()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.removeprefix(strip_ns)
        if any(a in taken for a in el.iterancestors()):
            continue
        cls = el.get("class") or ""
        if (tag == "nav" and "backrefs" in cls) or tag in _HTML_BLOCKS:
            taken.add(el)
            out.append(Block(_norm("".join(el.itertext())), tag[0] == "h" and tag[1:].isdigit()))
    return out


def site_blocks(site: Path, term: Term) -> list[Block]:
    page = lxml.html.parse(str(site / "terms" / f"{term.id}.html")).getroot()
    article = page.xpath("//article[contains(@class, 'term')]")[0]
    return [b for b in _html_blocks(article) if not b.text.startswith(WORDS["start"] + " ›")]


def epub_blocks(epub: Path, term: Term) -> list[Block]:
    with zipfile.ZipFile(epub) as z:
        for name in z.namelist():
            if name.startswith("EPUB/letters/") or "/letters/" in name:
                root = etree.fromstring(z.read(name))
                found = root.xpath("//x:section[@id=$id]", id=term.id, namespaces={"x": XHTML[1:-1]})
                if found:
                    return _html_blocks(found[0], XHTML)
    raise AssertionError(f"{term.id} in no EPUB document")


def docx_blocks(docx: Path, term: Term) -> list[Block]:
    with zipfile.ZipFile(docx) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(W + "body")
    assert body is not None
    out: list[Block] = []
    inside = False
    for child in body:
        if child.tag == W + "bookmarkStart" and child.get(W + "name") == term.id.replace("-", "_"):
            inside = True
            continue
        if not inside or child.tag != W + "p":
            continue
        style = child.find(f"{W}pPr/{W}pStyle")
        name = style.get(W + "val") if style is not None else ""
        if out and name in ("Heading1", "Heading2"):
            break
        text = "".join(t.text or "" for t in child.iter(W + "t"))
        out.append(Block(_norm(text), name.startswith("Heading")))
    return out


def _md_text(markdown: str) -> str:
    """What a reader of the Markdown reads: no emphasis marks, links as their text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return _norm(text.replace("\\|", "|").replace("*", ""))


def md_blocks(md: Path, term: Term) -> list[Block]:
    text = md.read_text(encoding="utf-8")
    start = text.index(f"{{#{term.id} .term")
    start = text.rindex("\n## ", 0, start) + 1
    end = text.find("\n## ", start + 1)
    paragraphs = re.split(r"\n\s*\n", text[start:end if end > 0 else None])
    out = []
    for p in paragraphs:
        if p.startswith("#"):
            out.append(Block(_norm(p.lstrip("#").split("{#")[0]), True))
        elif p.startswith(":::"):  # a fenced div (the back-references): its content
            out.append(Block(_md_text(p.split("\n", 1)[1].rsplit(":::", 1)[0]), False))
        elif p.strip():
            out.append(Block(_md_text(p), False))
    return out


def pdf_blocks(pdf: Path, term: Term) -> list[Block]:
    """The PDF's lines from the term's title on (its page and the next): a heading is a line
    set wholly in the title's font (pypdf reports the font of every piece of text)."""
    reader = PdfReader(pdf)
    first = reader.get_destination_page_number(reader.named_destinations[term.id])
    lines: list[tuple[str, set[str], float]] = []  # text, fonts, largest size
    for page in reader.pages[first:first + 2]:
        pieces: list[tuple[float, str, str, float]] = []

        def visit(text: str, cm: object, tm: list[float], font: dict[str, str] | None, size: float,
                  into: list[tuple[float, str, str, float]] = pieces) -> None:
            if text.strip():
                into.append((round(tm[5], 1), text, (font or {}).get("/BaseFont", ""), size))

        page.extract_text(visitor_text=visit)
        for y in dict.fromkeys(p[0] for p in pieces):
            row = [p for p in pieces if p[0] == y]
            lines.append((_norm("".join(p[1] for p in row).replace("\u2010", "-")),
                          {p[2].split("+")[-1] for p in row}, max(p[3] for p in row)))
    title = max((i for i, line in enumerate(lines) if line[0] == term.title_text), key=lambda i: lines[i][2])
    head_font = lines[title][1]
    return [Block(text, fonts <= head_font) for text, fonts, _ in lines[title:]]


# --- the rule --------------------------------------------------------------------------------

def _index(blocks: list[Block], want: Callable[[Block], bool], what: str, after: int) -> int:
    for i, block in enumerate(blocks):
        if i > after and want(block):
            return i
    raise AssertionError(f"{what} not found after block {after}: {[b.text[:40] for b in blocks]}")


def check_order(blocks: list[Block], term: Term, fmt: str) -> None:
    """Title, aliases, taglines, definition, sections, see-also heading, back-references."""
    at = _index(blocks, lambda b: b.heading and b.text == term.title_text, "title", -1)
    if term.aliases and fmt != "md":  # md keeps aliases as the heading's attribute (checked apart)
        alias_line = f"{WORDS['aliases']}: {', '.join(term.aliases)}"
        at = _index(blocks, lambda b: not b.heading and b.text == alias_line, "aliases", at)
    for text in [_norm(stringify(list(tagline))) for tagline in term.taglines]:
        at = _index(blocks, lambda b, t=text: not b.heading and b.text == t, "tagline", at)
    opening = _norm(stringify(list(term.definition)))[:25]
    at = _index(blocks, lambda b: not b.heading and b.text.startswith(opening[:len(b.text)])
                and len(b.text) > 10, "definition", at)
    for section in term.sections:
        title = _norm(stringify(list(section.title)))
        at = _index(blocks, lambda b, t=title: b.heading and b.text == t, f"section {title}", at)
    if term.see_also or term.links_index:
        at = _index(blocks, lambda b: b.heading and b.text == WORDS["see_also"], "see-also heading", at)
    if term.refs_in:
        at = _index(blocks, lambda b: not b.heading and b.text.startswith(WORDS["referenced_by"] + ":"),
                    "back-references", at)
    assert not any(b.heading and b.text == WORDS["referenced_by"] for b in blocks), fmt


@pytest.mark.parametrize("fmt", ["html", "epub", "docx", "md", "pdf"])
@pytest.mark.parametrize("term_id", TERMS)
def test_a_term_has_the_same_order_and_labels_in_every_format(
        fmt: str, term_id: str, demo_outputs: Callable[[str], Path], demo_book: Book) -> None:
    term = demo_book.term(term_id)
    read = {"html": site_blocks, "epub": epub_blocks, "docx": docx_blocks, "md": md_blocks,
            "pdf": pdf_blocks}[fmt]
    blocks = read(demo_outputs(fmt), term)
    check_order(blocks, term, fmt)


def test_the_markdown_keeps_aliases_on_the_heading(demo_outputs: Callable[[str], Path],
                                                   demo_book: Book) -> None:
    text = demo_outputs("md").read_text(encoding="utf-8")
    term = demo_book.term("AES")
    assert f'{{#AES .term aliases="{";".join(term.aliases)}"}}' in text
    assert f"{WORDS['aliases']}:" not in text.split("{#AES .term", 1)[1].split("\n## ", 1)[0]


def test_notes_come_before_see_also_on_screen(demo_outputs: Callable[[str], Path], demo_book: Book) -> None:
    term = demo_book.term("Asymmetrische-Kryptographie")
    page = lxml.html.parse(str(demo_outputs("html") / "terms" / f"{term.id}.html")).getroot()
    kinds = [el.get("class") for el in page.xpath(
        "//article[contains(@class, 'term')]/*[self::nav or self::section[@class='notes']]")]
    assert kinds[:2] == ["notes", "see-also"]
    with zipfile.ZipFile(demo_outputs("epub")) as z:
        doc = next(etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith("letters/a.xhtml"))
    entry = doc.xpath("//x:section[@id=$id]", id=term.id, namespaces={"x": XHTML[1:-1]})[0]
    order = [el.get("class") for el in entry if el.get("class") in ("footnote", "seealso", "backrefs")]
    assert order.index("footnote") < order.index("seealso") < order.index("backrefs")


def test_index_in_see_also_gets_a_page_in_pdf_and_docx(demo_outputs: Callable[[str], Path],
                                                        demo_book: Book) -> None:
    """PDF and DOCX agree: the see-also line's "Index" prints the index's page like any item."""
    term = demo_book.term("AES")
    assert term.links_index
    pdf = demo_outputs("pdf")
    reader = PdfReader(pdf)
    page = reader.get_destination_page_number(reader.named_destinations[term.id]) + 1
    index_page = reader.get_destination_page_number(reader.named_destinations["Index"]) + 1
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page + 1), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    see_also = _norm(text.split(WORDS["see_also"], 1)[1].split(WORDS["referenced_by"], 1)[0])
    assert see_also.endswith(f"· Index → S. {index_page}"), see_also
    with zipfile.ZipFile(demo_outputs("docx")) as z:
        body = etree.fromstring(z.read("word/document.xml"))
    lines = [p for p in body.iter(W + "p")
             if p.find(f"{W}pPr/{W}pStyle[@{W}val='SeeAlso']") is not None]
    assert lines
    for p in lines:
        instr = " ".join(t.text or "" for t in p.iter(W + "instrText"))
        links = [h.get(W + "anchor") for h in p.iter(W + "hyperlink")]
        assert len(re.findall(r"PAGEREF", instr)) == len(links)
        shown = "".join(t.text or "" for t in p.iter(W + "t"))
        assert ("|" not in shown and " · " in shown) or len(links) == 1
    assert any("PAGEREF Index " in " ".join(t.text or "" for t in p.iter(W + "instrText")) for p in lines)
