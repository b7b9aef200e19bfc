"""The DOCX written in chunks and joined shows what one pandoc run over the whole book shows.

Every book is built twice through `pipeline.build`: as it is (chunks, joined) and with the join
switched off (`joined.write` -> None: the face's single pandoc run). The stories are compared
with their ids renumbered by first appearance and their relationships and lists resolved
(`docxread`), and the joined file is checked on its own: bookmarks, links, footnotes, images,
lists, zip dates; LibreOffice lays both out to the same pages. Warm builds with the cache give
the bytes of a cold one, and an edited entry costs one pandoc run.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO, build_into, fixture_path
from docxread import TYPES, Package, q

from pipeline import build, pandoc, read_book
from pipeline import diagnostics as dg
from pipeline.cache import Cache
from pipeline.formats import docx
from pipeline.formats.docx import chunks, joined, merge, parts, runs
from pipeline.normalise import book_cache

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate  # noqa: E402

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
Pair = tuple[Package, Package]  # (joined, one pandoc run)
Paths = dict[str, tuple[Path, Path]]


@contextmanager
def fine_cuts() -> Iterator[None]:
    """Letter groups cut after every few terms (not only the long ones): many joins to check."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(chunks, "MIN_TERMS", 2)
        mp.setattr(chunks, "SPREAD", 3)
        mp.setattr(chunks, "MAX_TERMS", 6)
        yield


@contextmanager
def one_run() -> Iterator[None]:
    """Builds inside write the DOCX in one pandoc run (the face's fallback)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(joined, "write", lambda *_a, **_k: None)
        yield


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("gen") / "g", 120, seed=3)


@pytest.fixture(scope="module")
def sources(generated: Path) -> dict[str, Path]:
    return {"demo": DEMO, "messy": fixture_path("messy"), "matter": fixture_path("matter"),
            "generated": generated}


@pytest.fixture(scope="module")
def built(sources: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """name -> (joined DOCX, one-run DOCX), built lazily (see `pairs`)."""
    return {}


@pytest.fixture(scope="module")
def pairs(sources: dict[str, Path], built: Paths, tmp_path_factory: pytest.TempPathFactory
          ) -> Callable[[str], Pair]:
    out = tmp_path_factory.mktemp("docx-pairs")

    def get(name: str) -> Pair:
        if name not in built:
            with pytest.MonkeyPatch.context() as mp, fine_cuts() if name == "generated" else nullcontext():
                mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
                chunked, _ = build_into(sources[name], out / name / "chunked", "docx")
                with one_run():
                    single, _ = build_into(sources[name], out / name / "single", "docx")
            built[name] = (chunked["docx"], single["docx"])
        return Package.read(built[name][0].read_bytes()), Package.read(built[name][1].read_bytes())

    return get


NAMES = ["demo", "messy", "matter", "generated"]


def test_the_books_are_cut_into_chunks_letter_groups_too(sources: dict[str, Path]) -> None:
    for name in NAMES:
        book = read_book(sources[name], dg.Report())
        planned = chunks.plan(book, docx._setting(book), Cache(None), "").chunks
        names = [c.name for c in planned]
        assert names[0] == "front" and names.count("index") == 1, name
        assert [n for n in names if book.page(n)] == [p.id for p in book.pages], name
        assert [n for n in names if n.endswith(" 1")] == [f"{g.label} 1" for g in book.groups], name
    book = read_book(sources["generated"], dg.Report())
    planned = chunks.plan(book, docx._setting(book), Cache(None), "").chunks
    assert sum(bool(c.hold) for c in planned) >= 1  # a long letter group in several chunks
    with fine_cuts():
        planned = chunks.plan(book, docx._setting(book), Cache(None), "").chunks
    assert sum(bool(c.hold) for c in planned) >= 10  # (what `pairs` builds the generated book with)
    assert sum(c.release for c in planned) == sum(bool(c.hold) for c in planned)
    assert len(planned) >= 2 + len(book.groups) + 10


@contextmanager
def every_term_alone() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        for name in ("MIN_TERMS", "SPREAD", "MAX_TERMS"):
            mp.setattr(chunks, name, 1)
        yield


def _repeated_id(tmp_path: Path) -> Path:
    """A book where an id comes twice: Gamma's span `Gamma--Zeta`, then the term `Gamma--Zeta`
    (the later one gets no bookmark, in one run as in chunks)."""
    source = tmp_path / "repeated"
    source.mkdir()
    shutil.copy(fixture_path("docx-ids") / "book.toml", source)
    for name, text in {
        "Alpha": "## Alpha {#Alpha .term}\n\n***A***\n\nText [Gz](#Gamma--Zeta).\n",
        "Gamma": "## Gamma {#Gamma .term}\n\n***G***\n\nText [y]{#Zeta} und [Alpha](#Alpha).\n",
        "Gz": "## Gz {#Gamma--Zeta .term}\n\n***Gz***\n\nText.\n",
        "Zeta": "## Zeta {#Zeta .term}\n\n***Z***\n\nText [Gamma](#Gamma).\n",
    }.items():
        (source / f"{name}.md").write_text(text, encoding="utf-8")
    return source


def test_the_chunks_hold_the_one_document_prepared(sources: dict[str, Path], tmp_path: Path) -> None:
    """Prepared term by term (each with the bookmarks given out before it), the chunks' blocks
    are the blocks of the book prepared in one piece."""
    books = {**sources, "repeated": _repeated_id(tmp_path)}
    for name, source in books.items():
        book = read_book(source, dg.Report())
        whole = json.loads(json.dumps(docx.word_document(book, dg.Report()), ensure_ascii=False))
        with every_term_alone():
            planned = chunks.plan(book, docx._setting(book), Cache(None), "").chunks
        documents = [json.loads(c.document(list(book.pandoc_api_version))) for c in planned]
        assert [b for d in documents for b in d["blocks"]] == whole["blocks"], name
        assert documents[0]["meta"] == whole["meta"], name
        assert all(d["meta"] == {"lang": whole["meta"]["lang"]} for d in documents[1:]), name
        assert len(planned) >= len(book.terms) + 2, name
        index = [b["c"][1][0] for b in whole["blocks"] if b["t"] == "Header" and "index" in b["c"][1][1]]
        assert chunks.plan(book, docx._setting(book), Cache(None), "").index_bookmark == index[0] != ""
    book = read_book(books["repeated"], dg.Report())
    headings = [b for b in docx.word_document(book, dg.Report())["blocks"] if b["t"] == "Header"]
    assert [h["c"][1][0] for h in headings if h["c"][0] == 2] == ["Alpha", "Gamma", "", "Zeta"]


def test_a_repeated_id_is_bookmarked_once_in_chunks_as_in_one_run(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    source = _repeated_id(tmp_path)
    with every_term_alone():
        chunked, _ = build_into(source, tmp_path / "chunked", "docx")
    with one_run():
        single, _ = build_into(source, tmp_path / "single", "docx")
    joined_package, single_package = (Package.read(p["docx"].read_bytes()) for p in (chunked, single))
    assert joined_package.stories() == single_package.stories()
    names = [b.get(q("name")) for b in joined_package.xml("word/document.xml").iter(q("bookmarkStart"))]
    assert names.count("Gamma_Zeta") == 1


@pytest.mark.parametrize("name", NAMES)
def test_joined_stories_equal_one_pandoc_run(name: str, pairs: Callable[[str], Pair]) -> None:
    chunked, single = pairs(name)
    assert chunked.stories() == single.stories()
    assert chunked.text() == single.text()
    assert len(chunked.text()) > 1000


def test_the_index_in_columns_after_a_book_that_ends_with_a_table(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The index's sections are made chunk by chunk: the previous chunk's last paragraph ends the
    book so far (a new empty one after a table), the index chunk's heading its own section, the
    document a continuous one; as `columns` makes them on the whole document."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    source = tmp_path / "table"
    shutil.copytree(fixture_path("docx-ids"), source)
    table = "| a | b |\n|---|---|\n| 1 | 2 |\n"
    (source / "Zzz.md").write_text(f"## Zzz {{#Zzz .term}}\n\n***Z***\n\nText.\n\n{table}", encoding="utf-8")
    chunked, _ = build_into(source, tmp_path / "chunked", "docx")
    with one_run():
        single, _ = build_into(source, tmp_path / "single", "docx")
    joined_package, single_package = (Package.read(p["docx"].read_bytes()) for p in (chunked, single))
    assert joined_package.stories() == single_package.stories()
    body = joined_package.xml("word/document.xml").find(q("body"))
    assert body is not None
    sections = body.findall(f"{q('p')}/{q('pPr')}/{q('sectPr')}")
    assert len(sections) == 3 and body[-1].tag == q("sectPr")
    assert [s.find(q("cols")) is not None for s in sections] == [False, False, True]
    ends_book = sections[0].getparent().getparent()  # type: ignore[union-attr]
    assert ends_book.getprevious().tag == q("tbl") and ends_book.find(f".//{q('t')}") is None


@pytest.mark.parametrize("name", NAMES)
def test_every_bookmark_once_and_every_internal_link_on_one(name: str, pairs: Callable[[str], Pair]) -> None:
    chunked, _ = pairs(name)
    names: list[str] = []
    for story in ("word/document.xml", "word/footnotes.xml"):
        root = chunked.xml(story)
        starts = [b.get(q("id")) for b in root.iter(q("bookmarkStart"))]
        ends = Counter(b.get(q("id")) for b in root.iter(q("bookmarkEnd")))
        assert len(starts) == len(set(starts)) and ends == Counter(starts), story
        names += [b.get(q("name"), "") for b in root.iter(q("bookmarkStart"))]
    assert len(names) == len({n.casefold() for n in names}) > 10
    anchors = [h.get(q("anchor")) for story in ("word/document.xml", "word/footnotes.xml")
               for h in chunked.xml(story).iter(q("hyperlink")) if h.get(q("anchor"))]
    refs = [m for story in ("word/document.xml", "word/footnotes.xml")
            for i in chunked.xml(story).iter(q("instrText"))
            for m in re.findall(r"PAGEREF (\S+)", i.text or "")]
    assert anchors and refs
    assert set(anchors) | set(refs) <= set(names)
    ids = [b.get(q("id")) for story in ("word/document.xml", "word/footnotes.xml")
           for b in chunked.xml(story).iter(q("bookmarkStart"))]
    assert len(ids) == len(set(ids))  # unique across the stories too


@pytest.mark.parametrize("name", ["demo", "messy"])
def test_footnotes_follow_their_references_with_their_text(name: str, pairs: Callable[[str], Pair]) -> None:
    chunked, single = pairs(name)
    refs = [int(r.get(q("id"), "")) for r in chunked.xml("word/document.xml").iter(q("footnoteReference"))]
    notes = [n for n in chunked.xml("word/footnotes.xml").iter(q("footnote")) if n.get(q("type")) is None]
    assert refs and refs == sorted(refs) == [int(n.get(q("id"), "")) for n in notes]
    assert refs[0] >= 1  # 0 and -1 are the separators

    def texts(package: Package) -> list[str]:
        return ["".join(t.text or "" for t in n.iter(q("t"))) for n in package.xml("word/footnotes.xml").iter(
            q("footnote")) if n.get(q("type")) is None]

    assert texts(chunked) == texts(single) and all(texts(chunked))


def test_images_are_in_the_package_with_their_types(pairs: Callable[[str], Pair]) -> None:
    chunked, single = pairs("demo")
    rels = chunked.rels("word/_rels/document.xml.rels")
    embedded = [el.get(f"{{{parts.R}}}embed") for el in chunked.xml("word/document.xml").iter()
                if el.get(f"{{{parts.R}}}embed")]
    assert len(embedded) >= 2 and all(rels[e].startswith("image|part:") for e in embedded)
    types = chunked.xml("[Content_Types].xml")
    overrides = {o.get("PartName") for o in types.iter(f"{{{TYPES}}}Override")}
    media = sorted(n for n in chunked.parts if n.startswith("word/media/"))
    assert media and all("/" + m in overrides for m in media)

    def images(package: Package) -> list[bytes]:
        return sorted(data for n, data in package.parts.items() if n.startswith("word/media/"))

    assert images(chunked) == images(single)


@pytest.mark.parametrize("name", ["demo", "generated"])
def test_lists_are_numbered_as_before(name: str, pairs: Callable[[str], Pair]) -> None:
    def lists(package: Package) -> list[str]:
        definitions = package.list_definitions()
        used = dict.fromkeys(n.get(q("val"), "") for n in package.xml("word/document.xml").iter(q("numId")))
        return [definitions[n] for n in used]

    chunked, single = pairs(name)
    assert len(lists(chunked)) >= 1
    assert lists(chunked) == lists(single)  # one instance per list: each restarts where it did


@pytest.mark.parametrize("name", NAMES)
def test_zip_dates_are_the_build_time_or_the_reference_documents(name: str, pairs: Callable[[str], Pair],
                                                                  built: Paths) -> None:
    chunked, single = pairs(name)

    def dates(path: Path) -> dict[str, tuple[int, ...]]:
        with zipfile.ZipFile(path) as z:
            return {("media" if i.filename.startswith("word/media/") else i.filename): i.date_time
                    for i in z.infolist()}

    assert dates(built[name][0]) == dates(built[name][1])
    assert set(dates(built[name][0]).values()) == {(2026, 1, 1, 0, 0, 0), (1980, 1, 1, 0, 0, 0)}
    core = chunked.parts["docProps/core.xml"]
    assert core == single.parts["docProps/core.xml"] and b"2026-01-01T00:00:00Z" in core


class _Runs:
    """pandoc.run, counting the DOCX writer's runs."""

    def __init__(self, real: Callable[..., tuple[bytes, str]]) -> None:
        self.real = real
        self.docx = 0

    def __call__(self, args: list[str], *rest: Any, **kw: Any) -> tuple[bytes, str]:
        if "docx" in args:
            self.docx += 1
        return self.real(args, *rest, **kw)


def _edit(entry: Path, sentence: str) -> None:
    blocks = entry.read_text(encoding="utf-8").split("\n\n")
    blocks[2] += " " + sentence
    entry.write_text("\n\n".join(blocks), encoding="utf-8")


@pytest.mark.slow
def test_warm_builds_equal_cold_ones_and_an_edit_writes_one_chunk(
        generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    source = tmp_path / "g"
    shutil.copytree(generated, source)
    counted = _Runs(pandoc.run)
    monkeypatch.setattr(pandoc, "run", counted)
    cache = book_cache(source, tmp_path / "cache")

    def made(folder: str, with_cache: bool = True) -> bytes:
        out = build(source, tmp_path / folder, ["docx"], dg.Report(), cache=cache if with_cache else None)
        return out["docx"].read_bytes()

    cold = made("cold", with_cache=False)
    parts_cold = counted.docx
    assert parts_cold > 20
    assert made("first") == cold and counted.docx == 2 * parts_cold
    assert made("warm") == cold and counted.docx == 2 * parts_cold  # nothing written again
    entries = sorted(p for p in source.glob("*.md"))
    _edit(entries[len(entries) // 2], "Dieser Satz wurde nachträglich eingefügt.")
    edited = made("edited")
    assert counted.docx == 2 * parts_cold + 1  # the edited entry's chunk, and nothing else
    assert edited != cold and edited == made("edited-cold", with_cache=False)
    assert "nachträglich eingefügt" in Package.read(edited).text()


@pytest.mark.slow
def test_damaged_or_foreign_cache_entries_are_written_again(
        generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    folder = tmp_path / "cache"
    cache = book_cache(generated, folder)
    cold = build(generated, tmp_path / "cold", ["docx"], dg.Report())["docx"].read_bytes()
    build(generated, tmp_path / "first", ["docx"], dg.Report(), cache=cache)
    for kind in (runs.KIND, joined.PART, chunks.BLOCKS):
        entries = sorted((folder / kind).glob("*/*"))
        assert entries, kind
        for i, entry in enumerate(entries):
            data = bytearray(entry.read_bytes())
            if i % 3 == 0:
                data[len(data) // 2] ^= 0xFF  # flipped: the checksum fails
                entry.write_bytes(bytes(data))
            elif i % 3 == 1:  # a valid entry holding something else
                cache.put(kind, entry.name, b"not what was stored here")
    assert build(generated, tmp_path / "again", ["docx"], dg.Report(),
                 cache=cache)["docx"].read_bytes() == cold


def test_tracked_changes_are_written_in_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pandoc numbers insertions and deletions (`w:ins`, `w:del`) per run: the join cannot make
    their ids unique, so such a book is written by one pandoc run, as before."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    source = tmp_path / "src"
    shutil.copytree(fixture_path("docx-ids"), source)
    (source / "Neu.md").write_text('## Neu {#Neu .term}\n\n***Neu***\n\nText [neu]{.insertion author="A" '
                                   'date="2020-01-01T00:00:00Z"} und [alt]{.deletion author="A"}.\n',
                                   encoding="utf-8")
    counted = _Runs(pandoc.run)
    monkeypatch.setattr(pandoc, "run", counted)
    fallback, _ = build_into(source, tmp_path / "fallback", "docx")
    runs_then = counted.docx
    with one_run():
        single, _ = build_into(source, tmp_path / "single", "docx")
    assert fallback["docx"].read_bytes() == single["docx"].read_bytes()
    assert counted.docx - runs_then == 1 and runs_then > 1  # the chunks, then the one run
    body = Package.read(single["docx"].read_bytes()).xml("word/document.xml")
    assert body.find(f".//{q('ins')}") is not None and body.find(f".//{q('del')}") is not None


def test_chunks_that_cannot_be_joined_give_the_one_run_document(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    with one_run():
        single, _ = build_into(fixture_path("docx-ids"), tmp_path / "single", "docx")

    def unsound(*_a: object, **_k: object) -> bytes:
        raise parts.Unsound("simulated: packages of different shapes")

    monkeypatch.setattr(merge, "join", unsound)
    fallback, report = build_into(fixture_path("docx-ids"), tmp_path / "fallback", "docx")
    assert fallback["docx"].read_bytes() == single["docx"].read_bytes()
    assert not report.errors


@pytest.mark.slow
def test_libreoffice_lays_out_the_same_pages(pairs: Callable[[str], Pair], built: Paths,
                                             tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is required: apt-get install libreoffice-writer-nogui"
    files = []
    for name in ("demo", "generated"):
        pairs(name)
        for kind, path in zip(("chunked", "single"), built[name], strict=True):
            files.append(shutil.copy(path, tmp_path / f"{name}-{kind}.docx"))
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), *map(str, files)],
                   check=True, capture_output=True, timeout=900, cwd=tmp_path)
    for name in ("demo", "generated"):
        text = {kind: subprocess.run(["pdftotext", "-layout", str(tmp_path / "pdf" / f"{name}-{kind}.pdf"),
                                      "-"], capture_output=True, text=True, check=True).stdout
                for kind in ("chunked", "single")}
        assert text["chunked"] == text["single"], name
        assert text["chunked"].count("\f") > 5 and re.search(r"\(→ S\. \d+\)", text["chunked"]), name
