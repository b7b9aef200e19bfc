"""The benchmark table (`nox -s bench`): per glossary size, cold and warm runs of `glossary check`
and of every format, next to the baselines measured in the same run, with their ratios.

    python benchmarks/run.py [--sizes 100,350,1000,3000] [--pdf-max N] [--stages KEYS]
                             [--runs N] [--seed S] [--work DIR] [--json FILE]

Corpora come from `benchmarks/generate.py` (realistic kind). The stages and baselines are listed
in `benchmarks/suite.py`. Benchmarks are measurements, not tests: nothing here fails on a slow
machine. Absolute figures depend on what else runs on the machine; compare the ratios, which are
measured side by side.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_stats import stats
from generate import generate
from measure import Run
from suite import PDF_STAGES, STAGES, Corpus, Result, run_stage, warm_up

SIZES = (100, 350, 1000, 3000)
# (label, numerator, denominators summed, target from issues 11/12)
RATIOS = [
    ("check / pandoc -t json", "check", ("json",), "≤ 1.2"),
    ("check again / check cold", "check-again", ("check",), "warm ≤ 0.5 s"),
    ("all formats / three pandoc calls", "all", ("make-html", "make-epub", "make-pdf"), "≤ 1.5, then ≤ 1.0"),
    ("pdf / plain WeasyPrint", "pdf", ("weasyprint",), "≤ 0.6"),
    ("edit → epub+docx+html / cold", "edit-edh", ("edh",), "≤ 0.10"),
    ("edit → docx / cold docx", "edit-docx", ("docx",), "(part of the above)"),
    ("edit → pdf / cold pdf", "edit-pdf", ("pdf",), "≤ 0.15"),
]
LINEAR = ["check", "md", "docx", "epub", "html", "pdf", "all"]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    keys = [s.key for s in STAGES] if args.stages == "all" else args.stages.split(",")
    unknown = sorted(set(keys) - {s.key for s in STAGES})
    if unknown:
        raise SystemExit(f"unknown stage(s) {', '.join(unknown)}; see benchmarks/suite.py")
    with contextlib.ExitStack() as stack:
        work = args.work or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="glossary-bench-")))
        return _bench(args, keys, work)


def _bench(args: argparse.Namespace, keys: list[str], work: Path) -> int:
    print(f"work folder: {work}; {os.cpu_count()} cores; python {sys.version.split()[0]}", flush=True)
    _progress("warming up (one unmeasured build of a tiny glossary)")
    warm_up(work)
    tables: dict[int, dict[str, Result]] = {}
    for n in args.sizes:
        corpus = Corpus(n, generate(work / f"g{n}", n, seed=args.seed), work / f"w{n}", args.runs)
        corpus.work.mkdir(parents=True, exist_ok=True)
        shape = stats(corpus.source)
        _progress(f"[{n}] corpus: {shape.megabytes:.2f} MB, {shape.links} links, "
                  f"{shape.broken_share:.0%} to missing ids, {shape.duplicate_ids} duplicate ids")
        results: dict[str, Result] = {}
        for stage in STAGES:
            if stage.key not in keys:
                continue
            if stage.key in PDF_STAGES and args.pdf_max is not None and n > args.pdf_max:
                results[stage.key] = Result(stage, None, note=f"skipped (--pdf-max {args.pdf_max})")
                continue
            _progress(f"[{n}] {stage.label} …")
            started = time.perf_counter()
            results[stage.key] = result = run_stage(corpus, stage)
            took = time.perf_counter() - started
            suffix = f" ({took:.0f} s in all)" if result.run else ""
            _progress(f"[{n}] {stage.label}: {_seconds(result)}{suffix}")
        tables[n] = results
        print(table(n, shape.megabytes, results), flush=True)
        if args.json:
            _save(args.json, tables)
    if len(tables) > 1:
        print(linearity(tables), flush=True)
    return 0


def _save(path: Path, tables: dict[int, dict[str, Result]]) -> None:
    data = {str(n): {key: {"label": r.stage.label, "kind": r.stage.kind, "output": r.output, "note": r.note,
                           **(asdict(r.run) if r.run else {})} for key, r in results.items()}
            for n, results in tables.items()}
    path.write_text(json.dumps({"cores": os.cpu_count(), "load": os.getloadavg(), "sizes": data},
                               indent=1, ensure_ascii=False), encoding="utf-8")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=lambda v: [int(x) for x in v.split(",")], default=list(SIZES),
                   help="entries per corpus, comma-separated (default 100,350,1000,3000)")
    p.add_argument("--pdf-max", type=int, default=None, metavar="N",
                   help="skip every PDF stage (ours, all formats, xelatex, WeasyPrint) above N entries")
    p.add_argument("--stages", default="all", help="comma-separated stage keys (default: all)")
    p.add_argument("--runs", type=int, default=1, help="runs per stage, the fastest counts (default 1; "
                   "stages under 5 s run at least 3 times)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--work", type=Path, default=None,
                   help="keep corpora and outputs here (default: a temporary folder, deleted at the end)")
    p.add_argument("--json", type=Path, default=None, metavar="FILE",
                   help="also write every measurement to FILE (to compare runs before/after a change)")
    return p


def table(n: int, megabytes: float, results: dict[str, Result]) -> str:
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [f"\n### {n} entries ({megabytes:.2f} MB of Markdown) — {os.cpu_count()} cores, "
             f"load average {load}\n",
             f"| {'stage':<32} | {'kind':<8} | {'wall s':>7} | {'cpu s':>7} | {'peak MB':>7} | "
             f"{'tree MB':>7} | {'output':>8} | {'largest per program, MB':<26} |",
             "|" + "|".join("-" * w for w in (34, 10, 9, 9, 9, 9, 10, 28)) + "|"]
    for r in results.values():
        if r.run is None:
            lines.append(f"| {r.stage.label:<32} | {r.stage.kind:<8} | {r.note} |")
            continue
        run = r.run
        lines.append(f"| {r.stage.label:<32} | {r.stage.kind:<8} | {run.wall:7.2f} | {run.cpu:7.2f} | "
                     f"{run.peak_mb:7.0f} | {run.tree_mb:7.0f} | {r.output:>8} | {_programs(run):<26} |")
    make = [r.run for r in (results.get(k) for k in ("make-html", "make-epub", "make-pdf")) if r and r.run]
    if len(make) == 3:
        lines.append(f"| {'three pandoc calls (sum)':<32} | {'baseline':<8} | "
                     f"{sum(m.wall for m in make):7.2f} | {sum(m.cpu for m in make):7.2f} | "
                     f"{max(m.peak_mb for m in make):7.0f} | {'':>7} | {'':>8} | {'':<26} |")
    lines.append("")
    lines += ratios(results)
    return "\n".join(lines)


def ratios(results: dict[str, Result]) -> list[str]:
    out = [f"{'ratio':<36}{'wall':>7}{'cpu':>7}{'peak':>7}  target"]
    for label, top, bottoms, target in RATIOS:
        num = results.get(top)
        runs = [r.run for r in (results.get(b) for b in bottoms) if r and r.run]
        if num is None or num.run is None or len(runs) < len(bottoms):
            continue
        wall = num.run.wall / sum(r.wall for r in runs)
        cpu = num.run.cpu / sum(r.cpu for r in runs)
        peak = num.run.peak_mb / max(r.peak_mb for r in runs)
        out.append(f"{label:<36}{wall:7.2f}{cpu:7.2f}{peak:7.2f}  {target}")
    return out


def linearity(tables: dict[int, dict[str, Result]]) -> str:
    sizes = sorted(tables)
    pairs = list(itertools.pairwise(sizes))
    head = "".join(f"{f'{a}→{b} (×{b / a:.2f})':>22}" for a, b in pairs)
    lines = ["\n### linearity: time(N₂) / time(N₁), wall (and CPU) — linear is the entry ratio; "
             "target for 1000→3000 ≤ 3.3\n",
             f"{'stage':<24}{head}"]
    for key in LINEAR:
        cells = []
        for a, b in pairs:
            ra, rb = _run(tables[a], key), _run(tables[b], key)
            cells.append(f"{f'{rb.wall / ra.wall:.2f} (cpu {rb.cpu / ra.cpu:.2f})':>22}" if ra and rb
                         else f"{'—':>22}")
        if any(c.strip() != "—" for c in cells):
            label = next(s.label for s in STAGES if s.key == key)
            lines.append(f"{label:<24}{''.join(cells)}")
    return "\n".join(lines)


def _programs(run: Run) -> str:
    big = sorted(((mb, name) for name, mb in run.peaks.items() if mb >= 20), reverse=True)[:3]
    return ", ".join(f"{name} {mb:.0f}" for mb, name in big)


def _run(results: dict[str, Result], key: str) -> Run | None:
    r = results.get(key)
    return r.run if r else None


def _seconds(result: Result) -> str:
    run = result.run
    return f"{run.wall:.2f} s, peak {run.peak_mb:.0f} MB" if run else result.note


def _progress(message: str) -> None:
    print(f"  · {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
