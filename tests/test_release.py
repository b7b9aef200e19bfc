"""`python -m pipeline.release` (what `nox -s release` runs) on real builds of the demo.

One release is built per module and shared; a second one from another copy of the source
(another path, reversed copy order, another PYTHONHASHSEED, time zone and umask) must give the
same bytes. The validators are also run on real artifacts that were broken on purpose, so each
of them is shown to fail when it should.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import DEMO, fixture_path
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from pipeline import diagnostics as dg
from pipeline.formats.html.check import check_site
from pipeline.model import Book
from pipeline.pandoc import pandoc_path
from pipeline.release import Options, checks, clients, release
from pipeline.release.__main__ import main

EPOCH = "1780000000"  # 2026-05-28T20:26:40Z
VERSION = "2.1.0"  # given on the command line: book.toml says 1.0
SLUG = "kleines-kryptographie-glossar"
STEM = f"{SLUG}-{VERSION}"
ARTIFACTS = [f"{STEM}-site.zip", f"{STEM}.docx", f"{STEM}.epub", f"{STEM}.md", f"{STEM}.pdf"]


@dataclass(frozen=True)
class Released:
    out: Path
    folder: Path
    proc: subprocess.CompletedProcess[str]


def copy_source(dest: Path, reverse: bool = False) -> Path:
    """Copy the demo file by file, in name order or the reverse (directory order differs)."""
    paths = sorted(DEMO.rglob("*"), reverse=reverse)
    for path in paths:
        target = dest / path.relative_to(DEMO)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return dest


def run_release(
    source: Path,
    out: Path,
    *args: str,
    seed: str = "1",
    extra_env: dict[str, str] | None = None,
    umask: int = 0o022,
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONHASHSEED": seed, **(extra_env or {})}
    cmd = [sys.executable, "-m", "pipeline.release", "--source", str(source), "--out", str(out), *args]
    # cwd outside the checkout: the installed package runs, as in a nox session.
    return subprocess.run(
        cmd,
        cwd=out.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        preexec_fn=lambda: os.umask(umask),
    )


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Released:
    """One release per test run, shared by the xdist workers (each would build its own
    module fixture otherwise): the first to take the lock builds it, the others reuse it."""
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's base is <run>/popen-gwN; their parent is this run's alone.
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    with (shared / "release-a.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        work = shared / "release-a"
        out, log = work / "build", work / "proc.json"
        if not log.is_file():
            source = copy_source(work / "source")
            proc = run_release(source, out, "--version", VERSION)
            log.write_text(json.dumps([proc.returncode, proc.stdout, proc.stderr]))
        code, stdout, stderr = json.loads(log.read_text())
    assert code == 0, stderr
    return Released(out, out / "release" / VERSION, subprocess.CompletedProcess([], code, stdout, stderr))


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --- the release folder -----------------------------------------------------------------------


@pytest.mark.slow
def test_the_release_folder_holds_every_artifact_and_nothing_else(released: Released) -> None:
    assert sorted(_files(released.folder)) == sorted([*ARTIFACTS, "SHA256SUMS", "manifest.json"])
    assert [p.name for p in (released.out / "release").iterdir()] == [VERSION]  # no work folders left
    assert "Released Kleines Kryptographie-Glossar 2.1.0" in released.proc.stdout
    assert f"{STEM}.pdf" in released.proc.stdout and "epubcheck: 0 messages" in released.proc.stdout


@pytest.mark.slow
def test_sha256sum_checks_every_file(released: Released) -> None:
    done = subprocess.run(
        ["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=released.folder, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    checked = [line.rsplit(": ", 1) for line in done.stdout.splitlines()]
    assert sorted(name for name, _ in checked) == sorted([*ARTIFACTS, "manifest.json"])
    assert {status for _, status in checked} == {"OK"}


@pytest.mark.slow
def test_the_manifest_describes_the_files_and_the_book(released: Released, demo_book: Book) -> None:
    m = json.loads((released.folder / "manifest.json").read_text(encoding="utf-8"))
    assert (m["version"], m["slug"], m["source_date_epoch"]) == (VERSION, SLUG, int(EPOCH))
    assert m["date"] == "2026-05-28T20:26:40Z"
    assert m["git"] == {"commit": None, "dirty": False}  # a copy outside any git work tree
    for name in ARTIFACTS:
        data = (released.folder / name).read_bytes()
        assert m["artifacts"][name]["bytes"] == len(data)
        sums = (released.folder / "SHA256SUMS").read_text()
        assert f"{m['artifacts'][name]['sha256']}  {name}\n" in sums
    pdf = PdfReader(released.folder / f"{STEM}.pdf")
    assert m["counts"]["pdf_pages"] == len(pdf.pages)
    assert m["counts"]["entries"] == len(demo_book.terms)
    assert m["counts"]["epub_messages"] == 0
    pandoc = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True, check=True)
    assert m["tools"]["pandoc"] == pandoc.stdout.split()[1]
    assert set(m["tools"]) >= {"glossary-pipeline", "pandoc", "weasyprint", "ebooklib"}


@pytest.mark.slow
def test_the_version_from_the_command_line_is_printed_in_the_book(released: Released) -> None:
    md = (released.folder / f"{STEM}.md").read_text(encoding="utf-8")
    assert re.search(r"^version: ['\"]?2\.1\.0", md, re.M), md[:600]
    imprint = " ".join(
        (page.extract_text() or "") for page in PdfReader(released.folder / f"{STEM}.pdf").pages[:4]
    )
    assert "Version 2.1.0" in imprint and "Version 1.0" not in imprint


@pytest.mark.slow
def test_the_site_zip_is_sorted_with_fixed_times_and_modes(released: Released, tmp_path: Path) -> None:
    with zipfile.ZipFile(released.folder / f"{STEM}-site.zip") as z:
        infos = z.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names) and names[0] == f"{STEM}-site/"
        assert f"{STEM}-site/index.html" in names and f"{STEM}-site/downloads/{SLUG}.pdf" in names
        assert {i.date_time for i in infos} == {(2026, 5, 28, 20, 26, 40)}
        assert {i.create_system for i in infos} == {3}
        modes = {i.filename.endswith("/"): (i.external_attr >> 16) & 0o7777 for i in infos}
        assert modes == {True: 0o755, False: 0o644}
        site = tmp_path / "unzipped"
        z.extractall(site)
    assert check_site(site / f"{STEM}-site") == []


# --- reproducible, and --force ------------------------------------------------------------------


@pytest.mark.slow
def test_another_copy_elsewhere_gives_identical_bytes_and_force_replaces_only_this_version(
    released: Released, tmp_path: Path
) -> None:
    source = copy_source(tmp_path / "elsewhere" / "deeper" / "glossar-quelle", reverse=True)
    out = tmp_path / "out"
    shutil.copytree(released.folder, out / "release" / VERSION)
    (out / "release" / VERSION / "stale.txt").write_text("from the release that --force replaces")
    (out / "release" / "0.9").mkdir()
    (out / "release" / "0.9" / "keep.txt").write_text("an earlier release")
    refused = run_release(source, out, "--version", VERSION)
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert (out / "release" / VERSION / "stale.txt").is_file()
    proc = run_release(
        source,
        out,
        "--version",
        VERSION,
        "--force",
        seed="4711",
        extra_env={"TZ": "Pacific/Auckland"},
        umask=0o077,
    )
    assert proc.returncode == 0, proc.stderr
    again = out / "release" / VERSION
    assert not (again / "stale.txt").exists()
    assert (out / "release" / "0.9" / "keep.txt").read_text() == "an earlier release"
    first, second = _files(released.folder), _files(again)
    assert sorted(first) == sorted(second)
    differ = [name for name in first if first[name] != second[name]]
    assert not differ, differ
    assert {oct(p.stat().st_mode & 0o777) for p in again.iterdir()} == {"0o644"}


# --- refused before anything is built -----------------------------------------------------------


def test_an_existing_release_is_refused_without_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = tmp_path / "build"
    (out / "release" / "1.0").mkdir(parents=True)  # book.toml's version
    (out / "release" / "1.0" / "kept.txt").write_text("earlier")
    assert main(["--source", str(DEMO), "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "GL607" in err and "exists already" in err and "--force" in err
    assert [p.name for p in (out / "release" / "1.0").iterdir()] == ["kept.txt"]


def test_no_date_outside_git_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = copy_source(tmp_path / "src")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # even if /tmp were inside a repo
    out = tmp_path / "build"
    assert main(["--source", str(source), "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "GL607" in err and "SOURCE_DATE_EPOCH is not set" in err and "git" in err
    assert not out.exists()


@pytest.mark.parametrize("value", ["yesterday", "-5", "1.5"])
def test_a_malformed_date_is_refused(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert main(["--source", str(DEMO), "--out", str(tmp_path / "b"), "-q"]) == 2
    assert "not a whole number" in capsys.readouterr().err


@pytest.mark.parametrize("version", ["../escape", "/abs", "1.0/2", ".hidden", "", "a b"])
def test_a_version_that_is_no_safe_name_is_refused(
    version: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert main(["--source", str(DEMO), "--out", str(tmp_path / "b"), "--version", version, "-q"]) == 2
    assert "GL607" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


def test_the_last_commit_dates_a_release_from_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.release.provenance import git_info, source_date_epoch

    repo = copy_source(tmp_path / "repo")
    env = {**os.environ, "GIT_AUTHOR_DATE": "@1700000000 +0000", "GIT_COMMITTER_DATE": "@1700000000 +0000"}
    for cmd in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "x"],
    ):
        subprocess.run(["git", *cmd], cwd=repo, env=env, check=True, capture_output=True)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert source_date_epoch(repo) == (1700000000, "last git commit")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234")
    assert source_date_epoch(repo) == (1234, "environment")
    info = git_info(repo)
    assert info.commit and len(info.commit) == 40 and not info.dirty
    (repo / "AES.md").write_text("changed", encoding="utf-8")
    assert git_info(repo).dirty


# --- failures leave no release behind -----------------------------------------------------------


@pytest.mark.slow
def test_a_broken_link_fails_naming_file_and_line_and_releases_nothing(tmp_path: Path) -> None:
    source = copy_source(tmp_path / "source")
    entry = source / "AES.md"
    lines = entry.read_text(encoding="utf-8").splitlines(keepends=True)
    (number,) = [i for i, line in enumerate(lines, 1) if "(#Kerckhoffs-Prinzip)" in line]
    lines[number - 1] = lines[number - 1].replace("(#Kerckhoffs-Prinzip)", "(#Kerckhofs-Prinzip)")
    entry.write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "build"
    (out / "release" / "0.9").mkdir(parents=True)
    (out / "release" / "0.9" / "keep.txt").write_text("an earlier release")
    proc = run_release(source, out)
    assert proc.returncode == 1, proc.stderr
    assert re.search(rf"^AES\.md:{number}:\d+: error\[GL101\] .*Kerckhofs-Prinzip", proc.stderr, re.M), (
        proc.stderr
    )
    assert "nothing was released" in proc.stderr
    assert sorted(p.name for p in (out / "release").iterdir()) == ["0.9"]
    assert (out / "release" / "0.9" / "keep.txt").read_text() == "an earlier release"


@pytest.mark.slow
def test_a_failed_validation_keeps_the_previous_release_of_that_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: the Markdown read-back (last of the checks) reports a problem; the
    release has been built by then, and --force must still leave the old folder as it was.
    A small fixture book: what is tested is the assembly, not the demo."""
    out = tmp_path / "build"
    (out / "release" / "3.0").mkdir(parents=True)
    (out / "release" / "3.0" / "old.txt").write_text("the published 3.0")
    real = checks.check_markdown

    def failing(path: Path, entries: int) -> checks.Checked:
        found = real(path, entries)
        assert not found.problems
        found.fail("injected: read-back mismatch", "none", line=3)
        return found

    monkeypatch.setattr(checks, "check_markdown", failing)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    report = dg.Report(strict=True)
    with pytest.raises(dg.GlossaryError, match="validation of the artifacts"):
        release(Options(fixture_path("pdf-small"), out, "3.0", force=True), report)
    (injected,) = [d for d in report.errors if d.message.startswith("injected")]
    assert (injected.file, injected.line) == ("kleines-testglossar.md", 3)
    assert sorted(p.name for p in (out / "release").iterdir()) == ["3.0"]
    assert [p.name for p in (out / "release" / "3.0").iterdir()] == ["old.txt"]


# --- each validator fails on a real artifact broken on purpose ------------------------------------


@pytest.mark.slow
def test_the_pdf_check_finds_a_link_to_a_missing_destination(released: Released, tmp_path: Path) -> None:
    good = released.folder / f"{STEM}.pdf"
    assert checks.check_pdf(good).problems == []
    writer = PdfWriter(clone_from=good)
    page_number, annot = next(
        (n, a.get_object())
        for n, page in enumerate(writer.pages, 1)
        for a in page.get("/Annots") or []
        if "/Dest" in a.get_object()
    )
    annot[NameObject("/Dest")] = TextStringObject("no-such-place")
    # A base font with no font file, as a PDF made with the standard 14 fonts would have.
    helvetica = DictionaryObject(
        {
            NameObject(k): NameObject(v)
            for k, v in (("/Type", "/Font"), ("/Subtype", "/Type1"), ("/BaseFont", "/Helvetica"))
        }
    )
    fonts = writer.pages[-1]["/Resources"]["/Font"].get_object()
    fonts[NameObject("/FHelv")] = writer._add_object(helvetica)
    broken = tmp_path / "broken.pdf"
    writer.write(broken)
    found = checks.check_pdf(broken)
    assert [d.message for d in found.problems] == [
        f"page {page_number}: link to missing destination 'no-such-place'",
        "font /Helvetica is not embedded",
    ]
    assert found.counts["pages"] == len(PdfReader(good).pages)


@pytest.mark.slow
def test_the_docx_checks_find_a_hyperlink_without_bookmark(released: Released, tmp_path: Path) -> None:
    good = released.folder / f"{STEM}.docx"
    assert checks.check_docx(good).problems == []
    broken = tmp_path / "broken.docx"
    _rewrite_zip(
        good, broken, "word/document.xml", lambda x: x.replace(b'w:anchor="AES"', b'w:anchor="AES_gone"', 1)
    )
    assert [d.message for d in checks.check_docx(broken).problems] == [
        "hyperlink to bookmark 'AES_gone', which does not exist"
    ]
    lost = clients.check_docx_roundtrip(broken)
    if lost is not None:  # LibreOffice installed (CI installs it)
        assert [d.message for d in lost.problems] == [
            "bookmark 'AES_gone' of a hyperlink is lost when LibreOffice reads the document"
        ]


@pytest.mark.slow
def test_epubcheck_reports_a_dead_link_with_its_place(released: Released, tmp_path: Path) -> None:
    good = released.folder / f"{STEM}.epub"
    with zipfile.ZipFile(good) as z:
        doc = next(n for n in z.namelist() if n.endswith("letters/a.xhtml"))
    broken = tmp_path / "broken.epub"
    _rewrite_zip(good, broken, doc, lambda x: x.replace(b'<a href="', b'<a href="gone-', 1))
    found = clients.check_epub(broken)
    assert found.problems and all(d.code == "GL605" for d in found.problems)
    first = found.problems[0]
    assert first.file == f"broken.epub:{doc}" and first.line > 0 and "RSC-007" in first.message


@pytest.mark.slow
def test_the_site_crawl_and_the_markdown_read_back_find_their_faults(
    released: Released, tmp_path: Path, demo_book: Book
) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(released.folder / f"{STEM}-site.zip") as z:
        z.extractall(site)
    root = site / f"{STEM}-site"
    page = root / "terms" / "AES.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace('<a href="', '<a href="gone-', 1), encoding="utf-8"
    )
    (dead,) = checks.check_site_folder(root, "site").problems
    assert dead.file == "site:terms/AES.html" and "no such file" in dead.message
    md = tmp_path / "book.md"
    text = (released.folder / f"{STEM}.md").read_text(encoding="utf-8")
    changed = text.replace("{#AES .term", "{#AES", 1)
    assert changed != text
    md.write_text(changed, encoding="utf-8")
    entries = len(demo_book.terms)
    assert checks.check_markdown(released.folder / f"{STEM}.md", entries).problems == []
    (short,) = checks.check_markdown(md, entries).problems
    assert f"{entries - 1} term headings read back, the book has {entries} entries" in short.message


def _rewrite_zip(src: Path, dest: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    """Copy a zip (DOCX, EPUB), changing one member; the EPUB's mimetype stays first and stored."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == member:
                new = change(data)
                assert new != data, f"nothing changed in {member}"
                data = new
            zout.writestr(info, data)
