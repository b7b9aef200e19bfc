"""The unlinked-mention search (GL110) on a generated 350-entry glossary: what it adds to
`glossary check`, and the search alone.

Side by side in one run: `check -q` (no search) against `check -q --select ALL,GL110` (the same
check with the search), cold, a new process each; and the search alone in-process, best of
several runs, split into the matching and the positions. Also the "did you mean" index: 2,000
broken targets against 2,000 ids with rapidfuzz (`pipeline.closest`) and with the difflib call
it replaced, on the same data.
"""

from __future__ import annotations

import difflib
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

from pipeline import diagnostics as dg
from pipeline.build import read_book
from pipeline.insight.health import words
from pipeline.insight.mentions import find_mentions
from pipeline.normalise.closest import ClosestIds

RUNS = 5


def cold(cmd: list[str]) -> tuple[float, float]:
    """Median wall time and median CPU time (the process and its pandoc children) of a run:
    on a shared machine the CPU time says more about the work than the wall time."""
    walls, cpus = [], []
    for _ in range(RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def best(fn: object, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def suggestions(n: int = 2000) -> tuple[float, float]:
    rng = random.Random(1)
    letters = "abcdefghijklmnopqrstuvwxyzäöü-"
    ids = ["".join(rng.choice(letters) for _ in range(rng.randint(5, 24))).strip("-") or "x"
           for _ in range(n)]
    wanted = ["".join(rng.choice(letters) for _ in range(rng.randint(5, 24))) for _ in range(n)]

    def new() -> None:
        index = ClosestIds(ids)
        for w in wanted:
            index.closest(w)

    def old() -> None:
        pool = {k.casefold(): k for k in ids}
        for w in wanted:
            difflib.get_close_matches(w.casefold(), list(pool), n=3, cutoff=0.6)

    return best(new, 3), best(old, 1)


def main(source: Path | None = None) -> None:
    """`source`: another glossary to measure (default: a generated one with 350 entries)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = source or generate(Path(tmp) / "g350", 350)
        book = read_book(folder, dg.Report())
        found = find_mentions(book)
        count = sum(words(t) for t in book.terms)
        print(f"{folder.name}: {len(book.terms)} entries, {count} words, "
              f"{len(found)} unlinked mentions\n")
        plain = cold([sys.executable, "-m", "pipeline", "check", str(folder), "-q"])
        search = cold([sys.executable, "-m", "pipeline", "check", str(folder), "-q",
                       "--select", "ALL,GL110"])
        alone = best(lambda: find_mentions(book))
        print(f"median of {RUNS} cold runs (new process each)")
        print(f"{'case':<44}{'wall s':>8}{'cpu s':>8}")
        print(f"{'check -q (no mention search)':<44}{plain[0]:>8.2f}{plain[1]:>8.2f}")
        print(f"{'check -q --select ALL,GL110 (with search)':<44}{search[0]:>8.2f}{search[1]:>8.2f}")
        print(f"{'extra':<44}{search[0] - plain[0]:>8.2f}{search[1] - plain[1]:>8.2f}")
        print(f"{'find_mentions alone, in-process, best of 5':<44}{alone:>8.2f}\n")
    new, old = suggestions()
    print("did-you-mean for 2000 broken targets against 2000 ids")
    print(f"{'rapidfuzz (pipeline.closest)':<44}{new:>8.2f}")
    print(f"{'difflib.get_close_matches (before)':<44}{old:>8.2f}")
    print(f"{'ratio':<44}{old / new:>8.1f}×")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
