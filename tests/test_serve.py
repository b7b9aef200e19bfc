"""`glossary serve` without a browser: what it serves, what it refuses, how it starts and stops.

A real server process runs on a copy of the demo (`tests/serving.py`); requests go over real
sockets with raw paths, so the traversal checks see exactly what an attacker would send.
"""

from __future__ import annotations

import argparse
import contextlib
import filecmp
import http.client
import io
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO
from serving import EPOCH, Served

from pipeline import build
from pipeline import diagnostics as dg
from pipeline.cli import _ServeListener, main
from pipeline.formats.context import STYLES_DIR
from pipeline.serve import BuildResult, Options, serve
from pipeline.serve.files import url_names
from pipeline.serve.server import ServeError, injected, is_loopback, make_server
from pipeline.serve.session import Session
from pipeline.serve.state import LiveState
from pipeline.serve.watch import Rebuilder, Watcher

SECRET = "the-secret-outside-the-site"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("serve")
    source = root / "source"
    shutil.copytree(DEMO, source)
    (root / "secret.txt").write_text(SECRET, encoding="utf-8")
    tmp = root / "tmp"
    tmp.mkdir()
    server = Served(source, tmp)
    server.wait_for(r"^glossary: built the site")
    yield server
    server.stop()


def _get(url: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """A GET with `path` sent exactly as given (no normalisation by the client)."""
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    for k, v in {"Host": f"{host}:{port}", **(headers or {})}.items():
        conn.putheader(k, v)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_pages_are_served_with_the_reload_script_and_no_store(served: Served) -> None:
    status, headers, body = _get(served.url, "/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    assert "script-src 'self'" in headers["content-security-policy"]
    on_disk = (served.site / "index.html").read_bytes()
    assert body == injected(on_disk, 1), "the page differs from the file only by the two injected tags"
    assert b'<script src="/__glossary__/reload.js" data-generation="1" defer></script></head>' in body
    assert b"<script>" not in body.lower(), "no inline script"


@pytest.mark.parametrize(("path", "kind"), [
    ("/assets/site.css", "text/css; charset=utf-8"),
    ("/assets/search.js", "text/javascript; charset=utf-8"),
    ("/assets/favicon.svg", "image/svg+xml"),
    ("/__glossary__/reload.js", "text/javascript; charset=utf-8"),
    ("/__glossary__/overlay.css", "text/css; charset=utf-8"),
])
def test_content_types(served: Served, path: str, kind: str) -> None:
    status, headers, body = _get(served.url, path)
    assert (status, headers["content-type"], headers["cache-control"]) == (200, kind, "no-store")
    assert headers["x-content-type-options"] == "nosniff"
    if not path.startswith("/__glossary__"):
        assert body == (served.site / path.lstrip("/")).read_bytes()


def test_the_site_on_disk_is_what_glossary_build_writes(served: Served, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    outputs = build(served.site.parents[3] / "source", tmp_path, ["html"], dg.Report())
    compared = filecmp.dircmp(outputs["html"], served.site)
    assert _differences(compared) == []


def _differences(d: filecmp.dircmp[str]) -> list[str]:
    found = [*d.left_only, *d.right_only, *d.diff_files, *d.funny_files]
    _, mismatch, errors = filecmp.cmpfiles(d.left, d.right, d.common_files, shallow=False)
    return found + mismatch + errors + [x for sub in d.subdirs.values() for x in _differences(sub)]


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/../../secret.txt", "/terms/../../secret.txt", "/%2e%2e/secret.txt",
    "/%2E%2E/%2e%2e/secret.txt", "/terms/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt",
    "/..%5csecret.txt", "/%00", "/index.html%00.css",
])
def test_traversal_is_refused(served: Served, path: str) -> None:
    status, _, body = _get(served.url, path)
    assert status == 400, path
    assert SECRET.encode() not in body


@pytest.mark.parametrize("path", ["//etc/passwd", "/etc/passwd", "http://evil.example/etc/passwd",
                                  "/%2fetc%2fpasswd", "/%252e%252e/secret.txt"])
def test_absolute_and_double_encoded_paths_stay_inside_the_site(served: Served, path: str) -> None:
    status, _, body = _get(served.url, path)
    assert status == 404, path
    assert b"root:" not in body and SECRET.encode() not in body


def test_symlinks_in_the_site_are_not_followed(served: Served) -> None:
    secret = served.site.parents[3] / "secret.txt"
    (served.site / "leak.html").symlink_to(secret)
    (served.site / "outside").symlink_to(secret.parent, target_is_directory=True)
    (served.site / "terms" / "leak.txt").symlink_to(secret)
    for path in ("/leak.html", "/outside/secret.txt", "/terms/leak.txt", "/outside/"):
        status, _, body = _get(served.url, path)
        assert status == 404, path
        assert SECRET.encode() not in body


def test_no_directory_listing(served: Served) -> None:
    status, headers, _ = _get(served.url, "/terms")
    assert (status, headers["location"]) == (301, "/terms/")
    status, _, body = _get(served.url, "/terms/")
    assert status == 404 and b"AES.html" not in body
    assert _get(served.url, "/assets/")[0] == 404


def test_a_foreign_host_name_is_refused(served: Served) -> None:
    """DNS rebinding: a page of evil.example whose name now points at 127.0.0.1 gets nothing."""
    port = served.url.rstrip("/").rsplit(":", 1)[1]
    assert _get(served.url, "/", {"Host": "evil.example"})[0] == 403
    assert _get(served.url, "/", {"Host": f"evil.example:{port}"})[0] == 403
    assert _get(served.url, "/", {"Host": f"localhost:{port}"})[0] == 200


def _listening(port: int) -> list[str]:
    """Local addresses of listening TCP sockets on `port`, from the kernel's table (Linux)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.append(address)
    return found


def test_it_listens_on_127_0_0_1_only(served: Served) -> None:
    assert served.url.startswith("http://127.0.0.1:")
    port = int(served.url.rstrip("/").rsplit(":", 1)[1])
    if os.path.exists("/proc/net/tcp"):
        assert _listening(port) == ["0100007F"], "one socket, bound to 127.0.0.1"
    other = _own_address()
    if other:
        with pytest.raises(OSError), socket.create_connection((other, port), timeout=2):
            pass


def _own_address() -> str | None:
    """This machine's address on its default route (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
        except OSError:
            return None
        address = str(s.getsockname()[0])
    return None if address.startswith("127.") else address


def test_loopback_hosts() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.1.5", "example.org"]))


def test_another_interface_is_announced_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(host="0.0.0.0", quiet=False, verbose=False)
    _ServeListener(args).serving("http://0.0.0.0:8000/", exposed=True)
    captured = capsys.readouterr()
    assert "Serving http://0.0.0.0:8000/" in captured.out
    assert "warning: listening on 0.0.0.0" in captured.err


def test_url_names() -> None:
    assert url_names("/terms/AES.html?x=1#top") == ["terms", "AES.html"]
    assert url_names("/") == [] and url_names("/./a//b/") == ["a", "b"]
    assert url_names("/Verschl%C3%BCsselung.html") == ["Verschlüsselung.html"]
    for refused in ("/..", "/a/../b", "/%2e%2e/x", "/a%2f..%2fb", "/a\\b", "/%00", "/%ff"):
        assert url_names(refused) is None, refused


def test_an_explicit_port_in_use_is_a_clear_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", str(DEMO), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"port {port} already in use" in err and "--port" in err and "Traceback" not in err


def test_a_missing_source_folder_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(tmp_path / "nope")]) == 2
    assert "GL503" in capsys.readouterr().err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_cleanly_and_removes_the_temporary_folder(tmp_path: Path, sig: int) -> None:
    source = tmp_path / "source"
    shutil.copytree(DEMO, source)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    server = Served(source, tmp)
    server.wait_for(r"^glossary: built the site")
    assert list(tmp.glob("glossary-serve-*"))
    assert server.stop(sig) == 0
    assert "Traceback" not in "\n".join(server.err)
    assert server.err[-1] == "glossary: stopped"
    assert list(tmp.iterdir()) == []


def test_ctrl_c_during_the_first_build(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    server = Served(DEMO, tmp)
    assert server.stop(signal.SIGINT) == 0
    assert "Traceback" not in "\n".join(server.err)
    assert list(tmp.iterdir()) == []


def test_serve_is_in_the_help() -> None:
    done = subprocess.run([sys.executable, "-m", "pipeline", "serve", "--help"], capture_output=True,
                          text=True, check=True)
    for option in ("--port", "--host", "--open", "--pdf", "--styles"):
        assert option in done.stdout


@pytest.mark.slow
def test_pdf_is_kept_current_in_the_background_and_linked_as_the_download(tmp_path: Path) -> None:
    from pypdf import PdfReader

    source = tmp_path / "source"
    shutil.copytree(DEMO, source)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    server = Served(source, tmp, "--pdf")
    try:
        server.wait_for(r"^glossary: built the site", 300)  # the site does not wait for the PDF
        assert not any("PDF updated" in line for line in server.err)
        server.wait_for(r"^glossary: PDF updated", 600)
        server.wait_for(r"^glossary: built the site", 300)  # again: now with the download
        status, _, page = _get(server.url, "/")
        link = re.search(rb'href="(downloads/[^"]+\.pdf)"', page)
        assert status == 200 and link, "the start page offers the PDF"
        status, headers, pdf = _get(server.url, "/" + link.group(1).decode())
        assert (status, headers["content-type"]) == (200, "application/pdf")
        assert "Advanced Encryption Standard" in _text(PdfReader(io.BytesIO(pdf)))

        aes = source / "AES.md"
        aes.write_text(aes.read_text(encoding="utf-8").replace(
            "Weltweit meistgenutzte", "Im Hintergrund gedruckte"), encoding="utf-8")
        server.wait_for(r"^glossary: built after 1 changed file", 300)
        server.wait_for(r"^glossary: PDF updated", 600)
        server.wait_for(r"^glossary: built the site", 300)
        _, _, pdf = _get(server.url, "/" + link.group(1).decode())
        assert "Im Hintergrund gedruckte" in _text(PdfReader(io.BytesIO(pdf)))
    finally:
        assert server.stop() == 0
    assert "Traceback" not in "\n".join(server.err)
    assert list(tmp.iterdir()) == [], "the PDF job's folder is removed too"


def _text(reader: Any) -> str:
    return " ".join(page.extract_text() for page in reader.pages).replace("\n", " ")


def test_open_starts_the_browser_on_the_served_address(tmp_path: Path) -> None:
    """--open goes through `webbrowser`, which honours $BROWSER: a script stands in for it."""
    opened = tmp_path / "opened.txt"
    fake = tmp_path / "fake-browser"
    fake.write_text(f'#!/bin/sh\necho "$1" > {opened}\n', encoding="utf-8")
    fake.chmod(0o755)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    server = Served(DEMO, tmp, "--open", env={"BROWSER": f"{fake} %s"})
    try:
        server.wait_for(r"^glossary: built the site")
        assert opened.read_text(encoding="utf-8").strip() == server.url
    finally:
        assert server.stop() == 0


def test_the_default_port_moves_up_when_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        session = Session(DEMO, DEMO)
        try:
            server = make_server("127.0.0.1", port, False, session, LiveState())
            assert port < server.server_port < port + 10
            server.server_close()
            with pytest.raises(ServeError, match=f"port {port} already in use"):
                make_server("127.0.0.1", port, True, session, LiveState())
        finally:
            session.close()


def test_rebuilds_during_a_rebuild_are_merged_into_one() -> None:
    release, started = threading.Event(), threading.Event()
    seen: list[set[Path]] = []
    done: list[int] = []

    def rebuild(changed: set[Path]) -> int:
        seen.append(set(changed))
        started.set()
        release.wait(10)
        return len(seen)

    rebuilder: Rebuilder[int] = Rebuilder(rebuild, done.append)
    rebuilder.start()
    rebuilder.request({Path("a.md")})
    assert started.wait(10)
    for name in ("b.md", "c.md", "b.md"):  # three saves while the first rebuild runs
        rebuilder.request({Path(name)})
    release.set()
    deadline = time.monotonic() + 10
    while len(done) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    rebuilder.stop(5)
    assert seen == [{Path("a.md")}, {Path("b.md"), Path("c.md")}]
    assert done == [1, 2]


def test_the_watcher_reports_saves_but_not_the_build_cache(tmp_path: Path) -> None:
    bursts: list[set[Path]] = []
    watcher = Watcher([tmp_path], bursts.append)
    watcher.start()
    time.sleep(0.5)  # the watch is set up
    (tmp_path / ".glossary-cache").mkdir()
    (tmp_path / ".glossary-cache" / "entry.bin").write_bytes(b"x")
    (tmp_path / "AES.md.swp").write_bytes(b"x")  # an editor's swap file
    (tmp_path / "AES.md").write_text("## AES {#AES .term}\n", encoding="utf-8")
    deadline = time.monotonic() + 10
    while not bursts and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    watcher.stop()
    changed = set().union(*bursts)
    assert (tmp_path / "AES.md").resolve() in {p.resolve() for p in changed}
    assert not any(".glossary-cache" in p.parts or p.name.endswith(".swp") for p in changed), changed



class _Collect:
    """A Listener that hands every finished site build to the test."""

    def __init__(self) -> None:
        self.url: queue.Queue[str] = queue.Queue()
        self.builds: queue.Queue[BuildResult] = queue.Queue()

    def serving(self, url: str, exposed: bool) -> None:
        self.url.put(url)

    def built(self, result: BuildResult) -> None:
        self.builds.put(result)

    def pdf_built(self, result: BuildResult) -> None:
        pass


def test_requests_during_the_swap_never_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the html format swaps a new site in, every request gets a whole page, never a 404.

    The swap's two renames follow each other within microseconds; here the first one is slowed
    down, so that requests really arrive while no site folder is in place.
    """
    source = tmp_path / "source"
    shutil.copytree(DEMO, source)
    rename = os.replace

    def slow_rename(src: Any, dst: Any) -> None:
        rename(src, dst)
        if Path(dst).name == ".html.old":
            time.sleep(0.2)

    monkeypatch.setattr(os, "replace", slow_rename)
    listener, stop = _Collect(), threading.Event()
    thread = threading.Thread(target=serve, args=(Options(source, STYLES_DIR, port=0), listener, stop))
    thread.start()
    url = listener.url.get(timeout=30)
    assert listener.builds.get(timeout=120).generation == 1
    pages = ["/", "/genindex.html", "/terms/AES.html", "/terms/RSA.html", "/assets/site.css"]
    answers: list[tuple[str, int, bool]] = []
    done = threading.Event()

    def hammer() -> None:
        while not done.is_set():
            for path in pages:
                status, _, body = _get(url, path)
                answers.append((path, status, path.endswith(".css") or body.rstrip().endswith(b"</html>")))

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for generation in (2, 3, 4):
            (source / "AES.md").touch()
            assert listener.builds.get(timeout=120).generation == generation
    finally:
        done.set()
        for t in threads:
            t.join()
        stop.set()
        thread.join(60)
    assert len(answers) > 100
    assert [a for a in answers if a[1:] != (200, True)] == []


def _wait_for(bursts: list[set[Path]], path: Path, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(path.resolve() in {p.resolve() for p in burst} for burst in list(bursts)):
            return True
        time.sleep(0.05)
    return False


def test_the_watcher_reports_saves_in_subfolders_old_and_new(tmp_path: Path) -> None:
    (tmp_path / "img" / "deep").mkdir(parents=True)
    bursts: list[set[Path]] = []
    watcher = Watcher([tmp_path], bursts.append)
    watcher.start()
    try:
        time.sleep(0.5)
        old = tmp_path / "img" / "deep" / "chart.svg"
        old.write_text("<svg/>", encoding="utf-8")
        assert _wait_for(bursts, old), bursts
        (tmp_path / "terms").mkdir()  # a folder made while serving: watched from then on
        time.sleep(0.5)
        new = tmp_path / "terms" / "AES.md"
        new.write_text("## AES {#AES .term}\n", encoding="utf-8")
        assert _wait_for(bursts, new), bursts
        top = tmp_path / "DES.md"  # the top still is watched after the watches started again
        top.write_text("## DES {#DES .term}\n", encoding="utf-8")
        assert _wait_for(bursts, top), bursts
    finally:
        watcher.stop()


def _inotify_watches() -> int:
    """Watches this process holds, from each inotify descriptor's /proc entry (Linux)."""
    count = 0
    for info in Path("/proc/self/fdinfo").iterdir():
        with contextlib.suppress(OSError):
            count += sum(line.startswith("inotify wd:") for line in info.read_text().splitlines())
    return count


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="inotify is Linux's")
def test_the_build_cache_costs_no_inotify_watches(tmp_path: Path) -> None:
    for n in range(300):  # a cache is thousands of folders deep; each would be one watch
        (tmp_path / ".glossary-cache" / f"{n:03}" / "x").mkdir(parents=True)
    (tmp_path / "img" / "deep").mkdir(parents=True)
    before = _inotify_watches()
    watcher = Watcher([tmp_path], lambda paths: None)
    watcher.start()
    try:
        deadline = time.monotonic() + 10
        while _inotify_watches() - before < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        # the folder, img and img/deep: the count is real, and nothing below the cache is in it
        assert 3 <= _inotify_watches() - before <= 6
    finally:
        watcher.stop()


def test_a_failing_watch_of_the_subfolders_is_retried_not_spun(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.serve.watch as watch

    (tmp_path / "img").mkdir()
    real, deep_calls = watch.watchfiles.watch, []

    def failing_below(*paths: Any, **kw: Any) -> Any:
        if kw.get("recursive", True):  # the watch of the subfolders: as when inotify runs out
            deep_calls.append(paths)
            raise OSError("OS file watch limit reached")
        return real(*paths, **kw)

    monkeypatch.setattr(watch.watchfiles, "watch", failing_below)
    bursts: list[set[Path]] = []
    watcher = Watcher([tmp_path], bursts.append)
    watcher.start()
    try:
        time.sleep(2.5)
        top = tmp_path / "AES.md"  # the top is still watched meanwhile
        top.write_text("## AES {#AES .term}\n", encoding="utf-8")
        assert _wait_for(bursts, top), bursts
    finally:
        watcher.stop()
    assert 1 <= len(deep_calls) <= 4, f"{len(deep_calls)} tries in 2.5 s"
