"""Hostile input (issue 18): every case of the corpus in tests/hostile.py ends in diagnostics,
never in a traceback, nothing outside the source folder is read, names are compared in NFC,
limits and time budgets are kept."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import unicodedata
import zipfile
from pathlib import Path

import pytest
from conftest import build_into
from hostile import CASES, NFD_ID, write_case

from pipeline import build, read_book
from pipeline import diagnostics as dg
from pipeline.cli import main
from pipeline.config import load_config

# Cases whose worst part is pandoc's slowness: they get a small parse-time, so a test stays short.
SLOW_TO_PARSE = {"brackets", "entities"}
# Cases that test the flattening: pandoc reads them in a second or two, but on a machine loaded
# with other work that can pass the default 5 s; a generous parse-time keeps them about nesting.
DEEP = {"nested-divs", "nested-html-divs", "nested-quotes"}


def _book(tmp_path: Path, name: str, toml: str = "") -> Path:
    book = write_case(CASES[name], tmp_path / name / "book")
    if name in SLOW_TO_PARSE:
        toml += '\n[limits]\nparse-time = "1 s"\n'
    elif name in DEEP:
        toml += '\n[limits]\nparse-time = "60 s"\n'
    if toml:
        with (book / "book.toml").open("a", encoding="utf-8") as f:
            f.write(toml)
    return book


def _check(book: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, object]]]:
    code = main(["check", str(book), "--format", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err, captured.err
    return code, json.loads(captured.out or "[]")


# big-entry and nested-lists have tests of their own below
@pytest.mark.parametrize("name", sorted(n for n in CASES if n not in ("big-entry", "nested-lists")))
def test_every_hostile_case_checks_into_diagnostics(name: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, found = _check(_book(tmp_path, name), capsys)
    assert code in (0, 1, 2)
    if CASES[name].healthy and code != 2:
        # the healthy entries are read whatever their neighbour does
        book = read_book(tmp_path / name / "book", dg.Report())
        assert {"Gesund", "Gesund-Zwei"} <= {t.id for t in book.terms}
    assert all(set(d) == {"code", "severity", "file", "line", "column", "message", "hint"} for d in found)


@pytest.mark.parametrize(("name", "code"), [
    ("brackets", "GL313"), ("entities", "GL313"), ("nested-divs", "GL314"),
    ("nested-html-divs", "GL314"), ("nested-quotes", "GL314"), ("nul-byte", "GL315"),
    ("xref-link", "GL609"), ("broken-ooxml", "GL609"), ("symlinks", "GL317"), ("hidden-files", "GL601"),
    ("nonentry-link", "GL107"), ("yaml-only", "GL305"),
])
def test_each_hostile_entry_is_one_diagnostic_at_its_file(name: str, code: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    _status, found = _check(_book(tmp_path, name), capsys)
    hits = [d for d in found if d["code"] == code]
    assert hits, found
    hostile_files = set(CASES[name].files) | set(CASES[name].links)
    assert {d["file"] for d in hits} <= hostile_files


def test_a_list_nested_400_deep_is_flattened_or_too_slow_but_never_a_crash(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """pandoc itself needs seconds for it (8 s on a loaded machine): within parse-time it is
    flattened (GL314), past it left out (GL313) — which one depends on the machine."""
    _status, found = _check(_book(tmp_path, "nested-lists"), capsys)
    assert [(d["code"], d["file"]) for d in found if d["code"] in ("GL313", "GL314")] in (
        [("GL313", "Liste.md")], [("GL314", "Liste.md")])


def test_a_10_mb_entry_is_left_out_before_it_is_read_and_a_raised_limit_reads_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _book(tmp_path, "big-entry")
    code, found = _check(book, capsys)
    (big,) = [d for d in found if d["code"] == "GL311"]
    assert big["file"] == "Gross.md" and "10.2 MB" in str(big["message"]) and code == 1
    assert load_config(book, dg.Report()).limits.entry_size == 1_000_000
    (book / "book.toml").write_text('[limits]\nentry-size = "11 MB"\n', encoding="utf-8")
    assert load_config(book, dg.Report()).limits.entry_size == 11_000_000


def test_the_slow_entry_is_named_with_what_to_simplify_and_the_rest_is_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _book(tmp_path, "brackets")
    _code, found = _check(book, capsys)
    (slow,) = [d for d in found if d["code"] == "GL313"]
    assert slow["file"] == "Klammern.md" and slow["line"] == 5
    assert "26 unmatched [" in str(slow["hint"]) and "parse-time (1 s)" in str(slow["message"])
    assert {t.id for t in read_book(book, dg.Report()).terms} == {"Gesund", "Gesund-Zwei"}


def test_total_size_leaves_out_the_entries_past_it(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("A", "B", "C", "D"):
        (src / f"{name}.md").write_text(f"## {name} {{#{name} .term}}\n\n***x***\n\nText.\n" + "y" * 400)
    (src / "book.toml").write_text('[limits]\ntotal-size = "1 kB"\n', encoding="utf-8")
    report = dg.Report()
    assert [t.id for t in read_book(src, report).terms] == ["A", "B"]
    assert [(d.code, d.file) for d in report if d.code == "GL312"] == [("GL312", "C.md"), ("GL312", "D.md")]


def test_symlinks_out_of_the_source_are_not_read_and_loops_end(tmp_path: Path) -> None:
    book = _book(tmp_path, "symlinks")
    report = dg.Report()
    read = read_book(book, report)
    texts = json.dumps([t.definition for t in read.terms], ensure_ascii=False)
    assert "GEHEIMNIS" not in texts and "DRAUSSEN" not in texts
    assert {t.id for t in read.terms} == {"Gesund", "Gesund-Zwei"}
    refused = {d.file: d.message for d in report if d.code == "GL317"}
    assert set(refused) == {"Symlink-Raus.md", "Ordner-Raus", "Kreis-A.md", "Kreis-B.md"}
    assert "outside" in refused["Symlink-Raus.md"] and "loops" in refused["Kreis-A.md"]


def test_an_nfd_heading_id_is_the_nfc_id_a_link_names(tmp_path: Path) -> None:
    book = _book(tmp_path, "nfd-id")
    assert unicodedata.normalize("NFC", NFD_ID) != NFD_ID  # the case is really decomposed
    report = dg.Report()
    read = read_book(book, report)
    assert "Übersicht" in {t.id for t in read.terms}
    assert not [d for d in report if d.code in ("GL101", "GL207")], list(report)
    outputs, _ = build_into(book, tmp_path / "out", "html")
    page = (outputs["html"] / "terms" / "Verweis.html").read_text(encoding="utf-8")
    assert "Uebersicht.html" in page and "U-bersicht" not in page


def test_a_look_alike_suggestion_says_how_the_strings_differ(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "Radio.md").write_text("## Radio {#Radio .term}\n\n***r***\n\nText.\n", encoding="utf-8")
    (src / "B.md").write_text("## B {#B .term}\n\n***b***\n\nSiehe [R](#R\u0430dio).\n", encoding="utf-8")
    report = dg.Report()
    read_book(src, report)
    (broken,) = [d for d in report if d.code == "GL101"]
    assert "#Radio" in broken.hint and "U+0430 CYRILLIC SMALL LETTER A" in broken.hint
    assert "U+0061 LATIN SMALL LETTER A" in broken.hint


def test_an_nfd_file_name_is_found_by_an_nfc_link_and_image(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    nfd = unicodedata.normalize("NFD", "Übel")
    (src / f"{nfd}.md").write_text("## Übel {#Uebel .term}\n\n***u***\n\nText.\n", encoding="utf-8")
    (src / f"Bild-{nfd}.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (src / "B.md").write_text("## B {#B .term}\n\n***b***\n\n[Ü](Übel.md) ![x](Bild-Übel.png)\n",
                              encoding="utf-8")
    report = dg.Report()
    book = read_book(src, report)
    assert not [d for d in report if d.code in ("GL101", "GL308")], list(report)
    assert book.term("B").refs_out == ("Uebel",)


@pytest.mark.slow
def test_hidden_files_are_never_published(tmp_path: Path) -> None:
    book = _book(tmp_path, "hidden-files")
    outputs, report = build_into(book, tmp_path / "out", "docx", "html", "pdf")
    assert {d.code for d in report if d.file == "Versteckt.md"} >= {"GL601", "GL107"}
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".docx":
                with zipfile.ZipFile(path) as z:
                    data = b"".join(z.read(n) for n in z.namelist())
            assert b"secret = 1" not in data and b"TOKEN=geheim" not in data, path
    assert not [p for p in outputs["html"].rglob("*") if p.name in ("config", ".env")]
    assert b"EmbeddedFile" not in outputs["pdf"].read_bytes()


@pytest.mark.parametrize(("slug", "why"), [
    ("../escaped", "'/'"), ("/tmp/abs", "'/'"), ("a\\u0000b", "U+0000 NULL"), ("con", "device name"),
    ("..", "starts with a dot"), ("a\\\\b", "U+005C REVERSE SOLIDUS"), ("x" * 300, "longer than 200 bytes"),
])
def test_a_slug_that_would_leave_the_output_folder_is_a_config_error(
        slug: str, why: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _book(tmp_path, "slug-dotdot")
    (book / "book.toml").write_text(f'title = "T"\nslug = "{slug}"\n', encoding="utf-8")
    out = tmp_path / "deep" / "out"
    assert main(["build", str(book), "--out", str(out), "--format", "md"]) == 2
    err = capsys.readouterr().err
    assert "book.toml:2:1: error[GL501] 'slug' must be a plain file name" in err and why in err, err
    assert not (tmp_path / "deep").exists() and not (tmp_path / "escaped").exists()


def test_a_long_title_gives_a_short_slug(tmp_path: Path) -> None:
    book = _book(tmp_path, "book-title-640")
    outputs, _ = build_into(book, tmp_path / "out", "md")
    assert len(outputs["md"].name) <= 84 and outputs["md"].name.startswith("langer-titel-langer")


def test_book_toml_with_a_bom_is_read_and_deep_nesting_is_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert load_config(_book(tmp_path, "toml-bom"), dg.Report()).title == "Mit BOM"
    code, found = _check(_book(tmp_path, "toml-deep"), capsys)
    # tomllib recurses: within Python's recursion limit the deep value is an unknown key
    # (GL502); past it the file is refused (GL501, exit 2). Either way: one diagnostic.
    assert (code, [d["code"] for d in found]) in ((2, ["GL501"]), (0, ["GL502"]))


def test_the_cover_of_a_200000_character_title_is_drawn(tmp_path: Path) -> None:
    from pipeline.formats.context import STYLES_DIR
    from pipeline.formats.epub.cover import cover_png

    config = load_config(_book(tmp_path, "book-title-200k"), dg.Report())
    assert len(config.title) > 190_000
    assert cover_png(config, STYLES_DIR).startswith(b"\x89PNG")


def test_a_file_name_with_a_newline_cannot_forge_a_diagnostic_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _book(tmp_path, "newline-name")
    assert main(["check", str(book)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len([ln for ln in lines if "[GL" in ln]) == 1, lines
    assert lines[0].startswith("Zeile\\n::error file=x::forged.md:5:1: error[GL101]")
    main(["check", str(book), "--format", "github"])
    (annotation,) = capsys.readouterr().out.splitlines()
    assert annotation.startswith("::error file=") and "%0A" in annotation


@pytest.mark.slow
def test_a_link_to_a_file_that_is_not_an_entry_is_text_in_every_format(tmp_path: Path) -> None:
    """The PDF made `[Handbuch](docs/handbuch.pdf)` a file:///… link into the build machine."""
    book = _book(tmp_path, "nonentry-link")
    outputs, report = build_into(book, tmp_path / "out", "md", "html", "epub", "pdf", "docx")
    assert [d.code for d in report if d.file == "Handbuch.md" and d.severity != "info"] == ["GL107"]
    assert "Handbuch" in outputs["md"].read_text() and "handbuch.pdf" not in outputs["md"].read_text()
    page = (outputs["html"] / "terms" / "Handbuch.html").read_text(encoding="utf-8")
    assert "handbuch.pdf" not in page and '<span class="xref-broken">Handbuch</span>' in page
    assert b"handbuch.pdf" not in outputs["pdf"].read_bytes()


@pytest.mark.slow
def test_no_output_holds_the_absolute_path_of_the_source_or_styles_folder(tmp_path: Path) -> None:
    from conftest import fixture_path

    from pipeline.formats.context import STYLES_DIR

    src = tmp_path / "quelle-abs"
    shutil.copytree(fixture_path("epub-edge"), src)
    out = tmp_path / "out"
    build_into(src, out, "md", "html", "epub", "pdf", "docx")
    needles = [str(src.resolve()), str(STYLES_DIR.resolve()), src.resolve().as_uri(), "quelle-abs"]
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        for blob in _contents(path):
            for needle in needles:
                assert needle.encode() not in blob, (path, needle)


def _contents(path: Path) -> list[bytes]:
    """The file's bytes, its zip members, and a PDF's streams decompressed."""
    data = path.read_bytes()
    if path.suffix in (".epub", ".docx"):
        with zipfile.ZipFile(path) as z:
            return [z.read(n) for n in z.namelist()]
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        reader = PdfReader(path)
        objects = (reader.get_object(i) for i in range(1, int(reader.trailer["/Size"])))
        return [data, *(obj.get_data() for obj in objects if hasattr(obj, "get_data"))]
    return [data]


@pytest.mark.slow
def test_arabic_books_are_right_to_left_in_site_epub_and_pdf(tmp_path: Path) -> None:
    book = _book(tmp_path, "rtl")
    outputs, _ = build_into(book, tmp_path / "out", "html", "epub")
    assert '<html lang="ar" dir="rtl">' in (outputs["html"] / "index.html").read_text(encoding="utf-8")
    with zipfile.ZipFile(outputs["epub"]) as z:
        docs = [n for n in z.namelist() if n.endswith(".xhtml")]
        assert docs and all(b'dir="rtl"' in z.read(n) for n in docs)
        assert b'page-progression-direction="rtl"' in z.read("EPUB/content.opf")
    from pipeline.formats.context import STYLES_DIR, BuildContext
    from pipeline.formats.pdf import compose

    read = read_book(book, dg.Report())
    doc = compose.compose(BuildContext(dg.Report()).fragments(read), STYLES_DIR, dg.Report())
    assert '<html lang="ar" dir="rtl">' in doc.head
    german = compose.compose(BuildContext(dg.Report()).fragments(read_book(_book(tmp_path, "nul-byte"),
                                                                           dg.Report())),
                             STYLES_DIR, dg.Report())
    assert 'dir="ltr"' in german.head


def test_a_tiny_time_budget_stops_each_format_with_one_diagnostic(tmp_path: Path) -> None:
    book = _book(tmp_path, "nul-byte", '\n[limits]\ntime = "1 ms"\n')
    report = dg.Report()
    with pytest.raises(dg.GlossaryError) as failed:
        build(book, tmp_path / "out", ["md", "docx", "html"], report)
    found = {failed.value.diagnostic, *(d for d in report if d.code == "GL611")}
    assert all(d.code == "GL611" for d in found) and len(found) == 3
    messages = sorted(d.message for d in found)
    shared = "the HTML rendering that html, pdf, epub and json share failed (it took longer"
    assert messages[0].startswith(shared)
    assert messages[1:] == [f"the {f} took longer than [limits] time (0.001 s); not written (the previous "
                            "file is kept)" for f in ("docx", "md")]
    assert _visible(tmp_path / "out") == []


@pytest.mark.slow
def test_the_pdf_workers_are_stopped_when_the_time_is_up(tmp_path: Path) -> None:
    """A book whose PDF takes most of a minute, a budget of seconds: md is built, the PDF's
    workers are killed at the budget's end and no process is left behind."""
    from hostile import _paragraphs, entry

    # md (3 s alone) is built beside the PDF's rendering and workers: it gets the time that
    # takes on a busy machine.
    book = _book(tmp_path, "nul-byte", '\n[limits]\ntime = "15 s"\n')
    # About 25 s of layout on an idle 2-core machine, 50 s beside md and another test.
    for n in range(1, 5):
        (book / f"Lang{n}.md").write_text(entry(f"Lang{n}", _paragraphs(60, 10_000)), encoding="utf-8")
    report = dg.Report()
    with pytest.raises(dg.GlossaryError) as failed:
        build(book, tmp_path / "out", ["md", "pdf"], report)
    # (on a very busy machine the time may already be up in the HTML rendering before layout)
    assert failed.value.diagnostic.code == "GL611"
    assert _visible(tmp_path / "out") == ["glossar.md"]  # md was built; no PDF, no temporary
    assert multiprocessing.active_children() == []


def _visible(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) if out.exists() else []


def test_symlinks_and_hidden_files_of_a_custom_styles_folder_stay_out_of_the_site(tmp_path: Path) -> None:
    from pipeline.formats.context import STYLES_DIR

    styles = tmp_path / "styles"
    shutil.copytree(STYLES_DIR, styles)
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key.txt").write_text("GEHEIM")
    (styles / "site" / "key.txt").symlink_to(secret / "key.txt")
    (styles / "site" / "linked").symlink_to(secret)
    (styles / "site" / ".DS_Store").write_text("x")
    (styles / "site" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    report = dg.Report()
    outputs = build(_book(tmp_path, "nul-byte"), tmp_path / "out", ["html"], report, styles_dir=styles)
    assets = sorted(p.relative_to(outputs["html"] / "assets").as_posix()
                    for p in (outputs["html"] / "assets").rglob("*"))
    assert "logo.svg" in assets
    assert not [a for a in assets if "key" in a or "linked" in a or a.startswith(".")], assets


@pytest.mark.slow
def test_the_hostile_entries_build_in_every_format_into_valid_outputs(tmp_path: Path) -> None:
    """Every entry-level case of the corpus in one book: each one reported, the healthy
    entries in every format, every output valid (epubcheck, the site's link crawl)."""
    from hostile import write_corpus
    from test_epub import assert_clean, epubcheck

    from pipeline.formats.html.check import check_site

    entries = write_corpus(tmp_path / "corpus")[0]
    (entries / "book.toml").write_text('[limits]\nparse-time = "1 s"\n', encoding="utf-8")
    report = dg.Report()
    try:
        outputs = build(entries, tmp_path / "out", ["md", "docx", "pdf", "epub", "html"], report)
    except dg.GlossaryError as exc:
        pytest.fail(f"a format failed: {dg.format_text(exc.diagnostic)}")
    assert set(outputs) == {"md", "docx", "pdf", "epub", "html"}
    wanted = {"GL317", "GL311", "GL313", "GL314", "GL315", "GL609", "GL107", "GL601"}
    assert wanted <= {d.code for d in report}
    assert not [d for d in report if d.code in ("GL603", "GL604", "GL605")], list(report)
    assert_clean(epubcheck(outputs["epub"]))
    assert check_site(outputs["html"]) == []
    for fmt in ("md", "docx", "pdf", "epub"):
        assert outputs[fmt].stat().st_size > 0
    assert "Gesund-Zwei" in (outputs["html"] / "index.html").read_text(encoding="utf-8")
