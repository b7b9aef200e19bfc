"""Where `glossary check` spends its time, phase by phase, on a generated (realistic) corpus.

    python benchmarks/profile_check.py [--entries 350] [--seed 1] [--source DIR] [--cprofile N]

Phases are timed by wrapping the pipeline's own functions (wall time of the outermost call, no
profiler overhead): the pandoc parse, the second pandoc pass for source positions, the formula
check's pandoc call, the "did you mean" suggestions, building the terms (AST walking, link
rewriting), and the rest. `--cprofile N` also prints cProfile's top N functions by cumulative
time (profiling slows Python code down ~1.5–2×; pandoc's share then looks smaller than it is).
A phase whose function no longer exists under that name is listed as 'not found'.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

from pipeline import diagnostics as dg

# (phase, module candidates, owner attribute path): module-level functions are patched where the
# pipeline looks them up at call time (module attribute or a name imported into the caller).
PHASES: list[tuple[str, tuple[str, ...], str]] = [
    ("load (read, parse, cut into terms)", ("pipeline.normalise",), "load"),
    ("  pandoc parse (-t json)", ("pipeline.pandoc_batch",), "parse_batch"),
    ("resolve (ids, links, checks, order)", ("pipeline.normalise",), "resolve"),
    ("  build terms (AST walk, links)", ("pipeline.normalise.resolve",), "_build_term"),
    ("    suggestions (did you mean)", ("pipeline.normalise.links",), "IdTable.suggestions"),
    ("  formula check (pandoc)", ("pipeline.pandoc",), "unreadable_math"),
]


class Timer:
    """Wall time of the outermost calls of one function, and how often it was called."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0
        self._depth = 0

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            self._depth += 1
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self.seconds += time.perf_counter() - start
        return timed


def _install(modules: tuple[str, ...], path: str, timer: Timer) -> bool:
    for name in modules:
        try:
            module: ModuleType | type = importlib.import_module(name)
        except ImportError:
            continue
        *owners, attr = path.split(".")
        for owner in owners:
            module = getattr(module, owner, None)  # type: ignore[assignment]
        if module is not None and hasattr(module, attr):
            setattr(module, attr, timer.wrap(getattr(module, attr)))
            return True
    return False


def profile(source: Path, cprofile: int = 0) -> str:
    timers = {label: Timer() for label, _, _ in PHASES}
    found = {label: _install(mods, path, timers[label]) for label, mods, path in PHASES}
    from pipeline.normalise import read_book  # after patching: read_book sees the wrapped names

    report = dg.Report()
    profiler = cProfile.Profile() if cprofile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    book = read_book(source, report)
    text = "\n".join(dg.format_text(d) for d in report if d.severity is not dg.Severity.INFO)
    if profiler:
        profiler.disable()
    total = time.perf_counter() - start
    lines = [f"glossary check on {source}: {len(book.terms)} terms, {len(report.errors)} errors, "
             f"{len(text.splitlines())} lines printed; {total:.2f} s in all"
             + (" (under cProfile)" if profiler else ""), "",
             f"{'phase':<40}{'seconds':>9}{'share':>8}{'calls':>9}"]
    for label, _, _ in PHASES:
        t = timers[label]
        lines.append(f"{label:<40}{t.seconds:9.2f}{t.seconds / total:8.0%}{t.calls:9d}" if found[label]
                     else f"{label:<40}{'not found':>9}")
    rest = total - timers[PHASES[0][0]].seconds - timers[PHASES[2][0]].seconds
    lines.append(f"{'config, formatting the report':<40}{rest:9.2f}{rest / total:8.0%}")
    if profiler:
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(cprofile)
        lines += ["", buffer.getvalue()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=350)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--source", type=Path, default=None, help="profile this folder instead")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    source = args.source or generate(Path(tempfile.mkdtemp(prefix="glossary-prof-")) / "g",
                                     args.entries, args.seed)
    print(profile(source, args.cprofile))


if __name__ == "__main__":
    main()
