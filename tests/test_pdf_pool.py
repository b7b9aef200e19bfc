"""The PDF's worker processes end without the interpreter's clean-up (`pool._end_now`), and
leave no temporary files behind."""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from pipeline.formats.pdf.pool import Pool, _workers_ignore_ctrl_c

_KEPT: list[object] = []


class _WritesWhenFreed:
    """Stands for what a layout leaves behind: freeing it is the clean-up a worker skips."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.open = open  # the module's names and the builtins are gone when it is freed

    def __del__(self) -> None:
        with self.open(self.path, "w", encoding="utf-8") as out:
            out.write("freed at exit")


def _leave_behind(path: str) -> int:
    _KEPT.append(_WritesWhenFreed(path))
    return len(_KEPT)


def test_a_worker_leaves_without_freeing_what_it_holds(tmp_path: Path) -> None:
    # The control: a plain worker frees what it holds when it exits, so the object says so.
    plain = tmp_path / "plain"
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as executor:
        assert executor.submit(_leave_behind, str(plain)).result() == 1
    assert plain.read_text(encoding="utf-8") == "freed at exit"

    worker, joiner = tmp_path / "worker", tmp_path / "joiner"
    with Pool(1) as pool:
        assert pool.executor.submit(_leave_behind, str(worker)).result() == 1
        assert pool.joiner.submit(_leave_behind, str(joiner)).result() == 1
        processes = [*pool.executor._processes.values(), *pool.joiner._processes.values()]
    assert processes and all(p.exitcode == 0 for p in processes)
    assert not worker.exists() and not joiner.exists()


def _temporary_folder() -> str:
    """What WeasyPrint does for each document's fonts: a folder only a finaliser removes."""
    return tempfile.mkdtemp(prefix="weasyprint-")


def test_the_workers_temporary_files_go_when_the_pool_ends(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the workers' temporary folder, and the pool's
    monkeypatch.setattr(tempfile, "tempdir", None)
    with Pool(1) as pool:
        made = [Path(pool.executor.submit(_temporary_folder).result()),
                Path(pool.joiner.submit(_temporary_folder).result())]
        assert all(folder.is_dir() and tmp_path in folder.parents for folder in made)
    assert list(tmp_path.iterdir()) == []


def test_killed_workers_leave_no_temporary_files_either(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    with pytest.raises(KeyboardInterrupt), Pool(1) as pool:
        assert Path(pool.executor.submit(_temporary_folder).result()).is_dir()
        raise KeyboardInterrupt  # what Ctrl-C does in the build process: the pool kills its workers
    assert list(tmp_path.iterdir()) == []


def test_a_ctrl_c_while_processes_start_is_held_and_then_raised() -> None:
    """Another thread takes the signal (the mask is the starting thread's only); Python's handler
    still runs in the main thread, which must not be interrupted in the middle of a start."""
    helper = threading.Thread(target=time.sleep, args=(1,))
    helper.start()
    handler = signal.getsignal(signal.SIGINT)
    try:
        with _workers_ignore_ctrl_c() as held:
            os.kill(os.getpid(), signal.SIGINT)
            deadline = time.monotonic() + 5
            while not held.pending and time.monotonic() < deadline:
                time.sleep(0.01)  # a Python handler runs between bytecodes: here, not later
    except KeyboardInterrupt:
        pytest.fail("the Ctrl-C interrupted the start")
    assert held.pending
    assert signal.getsignal(signal.SIGINT) is handler
    with pytest.raises(KeyboardInterrupt):
        held.deliver()
    helper.join()


def test_the_longest_parts_go_to_the_workers_first() -> None:
    from pipeline.formats.pdf.layout import ChunkJob
    from pipeline.formats.pdf.pool import longest_first

    def job(index: int, size: int) -> ChunkJob:
        return ChunkJob(index, "x" * size, "", (), "", (), {})

    jobs = [job(0, 10), job(1, 500), job(2, 40), job(3, 500), job(4, 9_000)]
    assert [j.index for j in longest_first(jobs)] == [4, 1, 3, 2, 0]  # ties in the book's order
