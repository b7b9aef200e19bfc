"""The build's environment (issue 18): a bad or busy `--out`, a full or read-only disk, kill -9
and Ctrl-C, pandoc failing, `--out` inside the source — each one clear message, never exit 3,
and nothing lost."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import filelock
import pytest
from conftest import DEMO, ROOT, build_into, fixture_path

from pipeline import atomic, build
from pipeline import diagnostics as dg
from pipeline.cli import main
from pipeline.outdir import LOCK_NAME
from pipeline.pandoc import pandoc_path

SMALL = fixture_path("pdf-small")
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1764374400", "PYTHONPATH": str(ROOT)}
_TEMP = re.compile(r"^\..*\.tmp$|^\.html\.old$")


def _glossary(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
                          env=env or ENV, check=False, timeout=600)


def _temporaries(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if _TEMP.match(p.name))


def _hashes(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(out).parts)}


def _copy(tmp_path: Path, name: str = "pdf-small") -> Path:
    src = tmp_path / "src"
    shutil.copytree(fixture_path(name), src)
    return src


@pytest.mark.parametrize("kind", ["file", "under-a-file", "device"])
def test_an_out_folder_that_is_no_folder_is_a_usage_error(kind: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "f").write_text("x")
    out = {"file": tmp_path / "f", "under-a-file": tmp_path / "f" / "sub", "device": Path("/dev/null")}[kind]
    assert main(["build", str(SMALL), "--out", str(out), "--format", "md"]) == 2
    err = capsys.readouterr().err
    assert f"error[GL504] --out {out} cannot be used:" in err and "Traceback" not in err
    assert (tmp_path / "f").read_text() == "x"


def _namespace(script: str) -> subprocess.CompletedProcess[str]:
    """Run `script` as root of a new user and mount namespace, where a test may mount a tmpfs
    (a tiny one: a full disk; a read-only one) without privileges."""
    if not shutil.which("unshare"):
        pytest.skip("needs unshare(1) to mount a tmpfs")
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"user namespaces unavailable: {probe.stderr.decode().strip()}")
    return subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True,
                          env=ENV, check=False, timeout=300)


def test_a_full_disk_is_one_error_naming_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "full"
    out.mkdir()
    run = _namespace(f"mount -t tmpfs -o size=24k tmpfs {out} && "
                     f"{sys.executable} -m pipeline build {ROOT / 'source'} --out {out} --format md,docx; "
                     f"echo rc=$?; ls -a {out}")
    assert "rc=2" in run.stdout, run.stdout + run.stderr
    (line,) = [ln for ln in run.stderr.splitlines() if "GL612" in ln]
    assert re.search(rf"cannot write {out}/kleines-kryptographie-glossar\.md: No space left on device", line)
    assert "Traceback" not in run.stderr and not [n for n in run.stdout.split() if n.endswith(".tmp")]


def test_a_read_only_out_folder_is_one_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "ro"
    out.mkdir()
    run = _namespace(f"mount -t tmpfs -o size=1m,ro tmpfs {out} && "
                     f"{sys.executable} -m pipeline build {SMALL} --out {out} --format md; echo rc=$?")
    assert "rc=2" in run.stdout, run.stdout + run.stderr
    assert re.search(r"error\[GL504\] --out .* cannot be used: .* not writable", run.stderr), run.stderr


def test_a_write_that_fails_for_lack_of_space_names_the_file(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(dg.GlossaryError) as failed:
        atomic.write_bytes(tmp_path / "book.pdf", b"%PDF")
    assert failed.value.exit_code == 2 and failed.value.diagnostic.code == "GL612"
    assert failed.value.diagnostic.message == f"cannot write {tmp_path / 'book.pdf'}: No space left on device"
    assert list(tmp_path.iterdir()) == []


def test_a_second_build_into_a_locked_folder_stops_with_one_message(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with filelock.FileLock(out / LOCK_NAME):
        code = _glossary("build", str(SMALL), "--out", str(out), "--format", "md")
    assert code.returncode == 2, code.stderr
    assert f"error[GL505] another build is writing into {out} (locked)" in code.stderr
    assert not list(out.glob("*.md"))


@pytest.mark.slow
def test_two_builds_at_once_end_valid_or_locked(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    assert _glossary("build", str(SMALL), "--out", str(reference), "--format", "md,docx").returncode == 0
    for round_ in range(3):
        out = tmp_path / f"out{round_}"
        procs = [subprocess.Popen([sys.executable, "-m", "pipeline", "build", str(SMALL), "--out", str(out),
                                   "--format", "md,docx"], env=ENV, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
        for code, err in results:
            assert code == 0 or (code == 2 and "(locked)" in err), err
        assert any(code == 0 for code, _ in results)
        assert _hashes(out) == _hashes(reference) and _temporaries(out) == []


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            out += children
            todo += children
    return out


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _wait_for(condition: object, seconds: float = 120) -> None:
    end = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < end, "the build never got there"
        time.sleep(0.005)


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["pdf", "site"])
def test_kill_9_keeps_every_previous_artifact_and_the_next_build_leaves_no_temporary(
        moment: str, tmp_path: Path) -> None:
    """Killed while it writes the PDF (or the site), a build of a changed entry leaves each
    artifact either as it was or — those it had finished — as the new build makes it."""
    src, out, new = _copy(tmp_path), tmp_path / "out", tmp_path / "new"
    formats = ["--format", "md,docx,pdf" if moment == "pdf" else "md,docx,html"]
    assert _glossary("build", str(src), "--out", str(out), *formats).returncode == 0
    before = _hashes(out)
    entry = next(src.glob("*.md"))
    entry.write_text(entry.read_text(encoding="utf-8") + "\nEin neuer Satz.\n", encoding="utf-8")
    assert _glossary("build", str(src), "--out", str(new), *formats).returncode == 0
    after = _hashes(new)
    # without the cache, so the writing takes long enough to be caught in the middle of it
    proc = _start(["build", str(src), "--out", str(out), "--no-cache", *formats])
    wanted = re.compile(r"^\..*\.pdf\..*\.tmp$" if moment == "pdf" else r"^\.html\..*\.tmp$")
    _wait_for(lambda: any(wanted.match(p.name) for p in out.iterdir()))
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    killed = _hashes(out)
    assert set(killed) == set(before)
    for name, digest in killed.items():
        assert digest in (before[name], after[name]), name  # whole, old or new: never half
    being_written = [n for n in killed if (n.endswith(".pdf") if moment == "pdf" else n.startswith("html/"))]
    assert being_written and all(killed[n] == before[n] for n in being_written)
    assert _temporaries(out)  # what the kill left ...
    assert _glossary("build", str(src), "--out", str(out), *formats).returncode == 0
    assert _temporaries(out) == [] and _hashes(out) == after  # ... the next build removed


def test_what_a_kill_inside_the_site_swap_leaves_is_put_right(tmp_path: Path) -> None:
    out = tmp_path / "out"
    site = out / "html"
    site.mkdir(parents=True)
    (site / "index.html").write_text("previous site")
    os.replace(site, out / ".html.old")  # killed between the two renames: no html/ at all
    (out / ".html.k3j2a8x1.tmp").mkdir()
    (out / ".html.k3j2a8x1.tmp" / "index.html").write_text("half a site")
    (out / ".html.zz81kk2m").mkdir()  # a temp folder of an older version, without the suffix
    (out / ".book.pdf.abcd1234.tmp").write_bytes(b"")
    (out / ".keep-me").write_text("not ours")
    assert main(["build", str(SMALL), "--out", str(out), "--format", "md", "-q"]) == 0
    assert (site / "index.html").read_text() == "previous site"
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [
        ".glossary-manifest.json", ".glossary.lock", ".keep-me"]


@pytest.mark.slow
@pytest.mark.parametrize(("moment", "formats"), [
    ("importing", "pdf"),  # while the workers import
    ("laying out", "pdf"),  # while they lay out
    ("laying out", "pdf,html"),  # while they lay out in the PDF's thread and the site waits for it
])
def test_ctrl_c_ends_with_130_and_no_worker_traceback(moment: str, formats: str, tmp_path: Path) -> None:
    proc = _start(["build", str(SMALL), "--out", str(tmp_path / "out"), "--format", formats, "-v"])
    lines: list[str] = []
    stderr = proc.stderr
    assert stderr is not None
    reader = threading.Thread(target=lambda: lines.extend(iter(stderr.readline, "")), daemon=True)
    reader.start()

    def workers_running() -> bool:
        names = []
        for pid in _descendants(proc.pid):
            with contextlib.suppress(OSError):
                names.append(Path(f"/proc/{pid}/cmdline").read_bytes())
        return any(b"multiprocessing" in n and b"spawn_main" in n for n in names)

    _wait_for(workers_running)
    if moment == "laying out":  # the first parts are handed to the workers (the progress says so)
        _wait_for(lambda: any("laying out" in line for line in lines))
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole foreground group
    assert proc.wait(timeout=120) == 130
    reader.join(30)
    err = "".join(lines)
    assert "glossary: interrupted" in err and "Traceback" not in err and "KeyboardInterrupt" not in err
    _wait_for(lambda: not _alive(proc.pid), 30)


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_a_partial_build_keeps_the_downloads_that_are_current(tmp_path: Path) -> None:
    src, out = _copy(tmp_path), tmp_path / "out"
    build_into(src, out, "pdf", "epub", "docx", "html")
    downloads = out / "html" / "downloads"
    first = _hashes(downloads)
    assert sorted(Path(n).suffix for n in first) == [".docx", ".epub", ".pdf"]
    build_into(src, out, "html")
    assert _hashes(downloads) == first
    assert "downloads/" in (out / "html" / "index.html").read_text(encoding="utf-8")
    entry = next(src.glob("*.md"))
    entry.write_text(entry.read_text(encoding="utf-8") + "\nGeändert.\n", encoding="utf-8")
    build_into(src, out, "html")  # the PDF, EPUB and DOCX now show an older text: not linked
    assert not downloads.exists() or _hashes(downloads) == {}
    assert "downloads/" not in (out / "html" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("inside", ["same", "below"])
def test_out_inside_the_source_is_not_read_back(inside: str, tmp_path: Path) -> None:
    src = _copy(tmp_path)
    out = src if inside == "same" else src / "build"
    terms = None
    for _ in range(2):
        outputs, report = build_into(src, out, "md", "html")
        assert not [d for d in report if d.code in ("GL201", "GL304", "GL303")], list(report)
        found = sorted(re.findall(r"^## .*\{#([^ }]+)", outputs["md"].read_text(encoding="utf-8"),
                                  re.MULTILINE))
        assert terms is None or found == terms
        terms = found


def test_pandoc_failing_in_the_shared_html_costs_only_html_pdf_epub_and_json(tmp_path: Path) -> None:
    wrapper = tmp_path / "pandoc"
    wrapper.write_text(f'#!/bin/sh\nfor a in "$@"; do [ "$a" = html5 ] && {{ echo "boom" >&2; exit 83; }}; '
                       f'done\nexec {pandoc_path()} "$@"\n')
    wrapper.chmod(0o755)
    out = tmp_path / "out"
    run = _glossary("build", str(SMALL), "--out", str(out), env={**ENV, "GLOSSARY_PANDOC": str(wrapper)})
    assert run.returncode == 1, run.stderr
    built = sorted(p.suffix or p.name for p in out.iterdir() if not p.name.startswith("."))
    assert built == [".docx", ".md", ".ttl"]
    (line,) = [ln for ln in run.stderr.splitlines() if "[GL604]" in ln]
    assert "the HTML rendering that html, pdf, epub and json share failed (pandoc failed: boom)" in line
    assert "Traceback" not in run.stderr


def test_a_site_built_again_keeps_its_unchanged_files_and_writes_the_changed(tmp_path: Path) -> None:
    """A rebuilt site links each unchanged file to the published one (`atomic.write_reusing`):
    same inode, same bytes; the edited entry's page is a new file with the new text."""
    src = tmp_path / "src"
    shutil.copytree(DEMO, src)
    out = tmp_path / "out"
    build(src, out, ["html"], dg.Report())
    site = out / "html"
    before = {p.relative_to(site): (p.stat().st_ino, p.read_bytes()) for p in site.rglob("*") if p.is_file()}
    entry = src / "Enigma.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace("***", "***Neu: ", 1), encoding="utf-8")
    build(src, out, ["html"], dg.Report())
    after = {p.relative_to(site): (p.stat().st_ino, p.read_bytes()) for p in site.rglob("*") if p.is_file()}
    assert set(after) == set(before)
    kept = {p for p in after if after[p] == before[p]}
    changed = {p for p in after if after[p][1] != before[p][1]}
    assert Path("terms/Enigma.html") in changed and b"Neu: " in after[Path("terms/Enigma.html")][1]
    assert all(after[p][0] != before[p][0] for p in changed)
    assert Path("assets/site.css") in kept and len(kept) > len(after) // 2
    assert all(after[p][0] == before[p][0] for p in set(after) - changed)


def test_a_published_file_that_is_a_symlink_is_never_linked_into_the_new_site(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"same bytes")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "page.html").symlink_to(outside)
    (tmp_path / "new").mkdir()
    atomic.write_reusing(tmp_path / "new" / "page.html", b"same bytes", tmp_path / "old" / "page.html")
    made = tmp_path / "new" / "page.html"
    assert not made.is_symlink() and made.stat().st_ino != outside.stat().st_ino
    assert made.read_bytes() == b"same bytes"
