"""The PDF's worker processes end without the interpreter's clean-up (`pool._end_now`)."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pipeline.formats.pdf.pool import Pool

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
