"""Benchmark (not a timed test): our PDF against plain WeasyPrint on pandoc's standalone HTML.

For the demo glossary and a generated 350-entry glossary it renders, each in its own
process tree:

- plain: `pandoc -s` HTML of the same book (the normalised Markdown, so the same text,
  back-references and index), then `weasyprint` with its default stylesheet;
- ours: `glossary build --format pdf` into an empty folder, then the same build again over
  the existing output (every build lays out each chunk once; the second run shows the spread).

Wall time, CPU time (all processes) and peak RSS per process (the largest of the process
tree, from wait4) are reported, with ours/plain ratios. The process tree is also watched
(VmHWM from /proc every 20 ms) to tell the largest Python process (the PDF's workers and
joiner) from pandoc's (the shared reading and HTML rendering, not the PDF's).

    python benchmarks/bench_pdf.py [--entries 350] [--work DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402
from pipeline.pandoc import pandoc_path  # noqa: E402

PLAIN = ("import sys\nfrom weasyprint import HTML\n"
         "HTML(sys.argv[1], base_url=sys.argv[2]).write_pdf(sys.argv[3])\n")


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mb: float
    pages: int
    peaks: dict[str, float]  # largest VmHWM (MB) per program name in the process tree


def measure(cmd: list[str], pdf: Callable[[], Path]) -> Run:
    """Run a command; wall time, CPU and the peak RSS of its largest process (wait4)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks: dict[str, float] = {}
    done = threading.Event()
    watcher = threading.Thread(target=_watch, args=(proc.pid, peaks, done))
    watcher.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    watcher.join()
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode() if proc.stderr else ''}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, _pages(pdf()), peaks)


def _watch(root: int, peaks: dict[str, float], done: threading.Event) -> None:
    """Keep the largest peak RSS (VmHWM) per program among `root` and its descendants."""
    while not done.wait(0.02):
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                parents[int(stat.parent.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
        for pid in parents:
            ancestor = pid
            while ancestor not in (root, 0, 1) and ancestor in parents:
                ancestor = parents[ancestor]
            if ancestor != root:
                continue
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            name = status.split("\n", 1)[0].split()[-1]
            hwm = next((int(line.split()[1]) / 1024 for line in status.splitlines()
                        if line.startswith("VmHWM:")), 0.0)
            peaks[name] = max(peaks.get(name, 0.0), hwm)


def _pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def plain_html(source: Path, work: Path) -> Path:
    """pandoc's default standalone HTML of the normalised book (built with our md format)."""
    md_dir = work / "md"
    subprocess.run([sys.executable, "-m", "pipeline", "build", str(source), "--format", "md",
                    "--out", str(md_dir), "-q"], check=True)
    md = next(md_dir.glob("*.md"))
    html = work / "plain.html"
    subprocess.run([pandoc_path(), str(md), "--standalone", "-o", str(html)], check=True,
                   stderr=subprocess.DEVNULL)
    return html


def bench(name: str, source: Path, work: Path) -> list[tuple[str, str, Run]]:
    work.mkdir(parents=True, exist_ok=True)
    html = plain_html(source, work)
    plain_pdf = work / "plain.pdf"
    rows = [(name, "plain WeasyPrint", measure(
        [sys.executable, "-c", PLAIN, str(html), source.resolve().as_uri() + "/", str(plain_pdf)],
        lambda: plain_pdf))]
    out = work / "ours"
    build = [sys.executable, "-m", "pipeline", "build", str(source), "--format", "pdf",
             "--out", str(out), "-q"]
    for label in ("ours, fresh", "ours, again"):
        rows.append((name, label, measure(build, lambda: next(out.glob("*.pdf")))))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=350)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    generated = generate(work / f"g{args.entries}", entries=args.entries)
    rows = bench("demo", ROOT / "source", work / "demo")
    rows += bench(f"{args.entries} entries", generated, work / "generated")
    _table(rows)


def _table(rows: list[tuple[str, str, Run]]) -> None:
    print(f"{'book':<12} {'render':<30} {'wall s':>7} {'cpu s':>7} {'peak RSS MB':>12} {'pages':>6}"
          f" {'time x':>7} {'RSS x':>6}  largest per program (MB)")
    plain: dict[str, Run] = {}
    for book, label, run in rows:
        base = plain.setdefault(book, run)
        print(f"{book:<12} {label:<30} {run.wall:7.1f} {run.cpu:7.1f} {run.peak_mb:12.0f} {run.pages:6d}"
              f" {run.wall / base.wall:7.2f} {run.peak_mb / base.peak_mb:6.2f}  "
              + ", ".join(f"{name} {mb:.0f}" for name, mb in sorted(run.peaks.items()) if mb >= 20))
    print(f"(cores: {os.cpu_count()}; load average at the end: "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
