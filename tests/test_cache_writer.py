"""The cache's files are written beside the run by a child process (`cache_writer`): what is
stored is in its file after `flush`, found before it, written at exit, and still written when
the child cannot be started or dies."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pipeline import cache_writer
from pipeline.cache import Cache
from pipeline.cache_writer import Writer

MAGIC, SIZE = b"TST1", 16


def _framed(path: Path) -> bytes:
    """The payload of a written entry, after checking its frame."""
    import hashlib

    raw = path.read_bytes()
    head, payload = raw[:len(MAGIC) + SIZE], raw[len(MAGIC) + SIZE:]
    assert head == MAGIC + hashlib.blake2b(payload, digest_size=SIZE).digest()
    return payload


def test_what_was_put_is_in_its_file_after_flush(tmp_path: Path) -> None:
    writer = Writer(MAGIC, SIZE)
    paths = [tmp_path / "k" / f"{i:02x}" / f"entry{i}" for i in range(300)]
    for i, path in enumerate(paths):
        writer.put(path, f"value {i}".encode() * 50)
    assert writer.flush(timeout=60)
    assert [_framed(p) for p in paths] == [f"value {i}".encode() * 50 for i in range(300)]
    assert writer.pending(paths[0]) is None
    assert not list(tmp_path.rglob("*.tmp"))
    assert writer._child is not None and writer._child.poll() is None  # one child, still there


def test_a_cache_finds_what_another_cache_of_the_process_stored(tmp_path: Path) -> None:
    first = Cache(tmp_path / "c")
    first.put("kind", "key", b"stored")
    assert Cache(tmp_path / "c").get("kind", "key") == b"stored"  # pending, or in the file
    first.flush()
    assert Cache(tmp_path / "c").get("kind", "key") == b"stored"


def test_without_a_child_the_thread_writes_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_writer.sys, "executable", str(tmp_path / "no-python"))
    writer = Writer(MAGIC, SIZE)
    writer.put(tmp_path / "a" / "one", b"1")
    assert writer.flush(timeout=60)
    assert _framed(tmp_path / "a" / "one") == b"1" and writer._alone


def test_a_child_that_died_is_replaced_by_the_thread(tmp_path: Path) -> None:
    writer = Writer(MAGIC, SIZE)
    writer.put(tmp_path / "a" / "one", b"1")
    assert writer.flush(timeout=60)
    child = writer._child
    assert child is not None
    child.kill()
    child.wait()
    writer.put(tmp_path / "a" / "two", b"2")
    assert writer.flush(timeout=60)
    assert _framed(tmp_path / "a" / "two") == b"2" and writer._alone


def test_what_is_left_at_exit_is_written_and_the_child_ends(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        from pathlib import Path
        from pipeline.cache import WRITER
        for i in range(200):
            WRITER.put(Path({str(tmp_path)!r}) / "k" / str(i), b"x" * 10_000)
        print(WRITER._child.pid if WRITER._child else 0)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "k").iterdir())) == 200
    child = int(done.stdout.strip() or 0)
    if child:  # the child ends with its input; it may take a moment after its parent
        end = time.monotonic() + 30
        while Path(f"/proc/{child}").exists() and "zombie" not in _state(child):
            assert time.monotonic() < end, "the writer's child outlived its parent"
            time.sleep(0.02)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0]
    except (OSError, IndexError):
        return "zombie"


def test_drop_forgets_what_was_not_handed_on(tmp_path: Path) -> None:
    writer = Writer(MAGIC, SIZE)
    with writer._lock:  # the thread cannot take the batch meanwhile
        writer._seq += 1
        writer._todo.append((writer._seq, tmp_path / "never", b"0"))
        writer._pending[tmp_path / "never"] = (writer._seq, b"0")
    writer.drop()
    assert writer.flush(timeout=5)
    assert writer.pending(tmp_path / "never") is None and not (tmp_path / "never").exists()


def test_a_failure_in_the_writer_does_not_leave_flush_waiting(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    writer = Writer(MAGIC, SIZE)

    def broken(batch: object) -> bool:
        raise MemoryError("no room")

    monkeypatch.setattr(writer, "_hand_on", broken)
    writer.put(tmp_path / "lost", b"x")
    assert writer.flush(timeout=10)  # the entry is lost, not awaited for ever
    assert writer.pending(tmp_path / "lost") is None and not (tmp_path / "lost").exists()
