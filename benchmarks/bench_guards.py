"""What the input guards of issue 18 cost a clean glossary, side by side with what they guard.

On 350 generated entries, in one process: reading the files (discover: symlinks, hidden files,
sizes), the intake (control characters, NFC) and the nesting look at pandoc's JSON, each next to
the pandoc parse of the same files. A clean book never pays for the watched (`--trace`) retry
or the flattening: those run only when a batch is too slow or too deep.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

from pipeline import diagnostics as dg
from pipeline.config import load_config
from pipeline.limits import MAX_NESTING
from pipeline.normalise.discover import discover
from pipeline.normalise.intake import decode
from pipeline.pandoc import pandoc_path
from pipeline.pandoc_ast import might_nest_deeper

RUNS = 7


def best(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(Path(tmp) / "g", 350)
        config = load_config(folder, dg.Report())
        files = discover(folder, config, dg.Report())
        data = [f.path.read_bytes() for f in files]
        json_out = subprocess.run([pandoc_path(), "--file-scope", "-f", "markdown", "-t", "json",
                                   *(str(f.path) for f in files)], capture_output=True, check=True).stdout
        parse = best(lambda: subprocess.run([pandoc_path(), "--file-scope", "-f", "markdown", "-t", "json",
                                             *(str(f.path) for f in files)], capture_output=True, check=True))
        rows = [
            ("discover (walk, symlinks, sizes)", best(lambda: discover(folder, config, dg.Report()))),
            ("intake (UTF-8, controls, NFC)", best(lambda: [decode("x", d, dg.Report()) for d in data])),
            ("nesting look at pandoc's JSON", best(lambda: might_nest_deeper(json_out, MAX_NESTING))),
        ]
        print(f"median of {RUNS} runs; 350 entries, {sum(map(len, data)) / 1e6:.1f} MB, "
              f"pandoc JSON {len(json_out) / 1e6:.1f} MB\n")
        print(f"{'step':<36}{'ms':>8}{'of the pandoc parse':>22}")
        print(f"{'pandoc parse (one process)':<36}{parse * 1000:>8.1f}{'1.000':>22}")
        for name, seconds in rows:
            print(f"{name:<36}{seconds * 1000:>8.1f}{seconds / parse:>22.3f}")


if __name__ == "__main__":
    main()
