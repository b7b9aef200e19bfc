"""`glossary serve`: from saving an entry to its new text in an open browser page.

A real `glossary serve` process on the demo and on a generated 350-entry glossary; headless
Chromium keeps the entry's page open while one line of its file is changed, RUNS times. The
figure is the time from the file write to the new text being visible (Playwright polls the
page), and beside it the site rebuild as the server reports it. Target after the build
cache: ≤ 1 s on 350 entries.

    python benchmarks/bench_serve.py [--entries 350] [--runs 5] [--source DIR]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the serve process helper
from generate import DEMO, generate
from serving import Served

from pipeline.formats.html.names import page_names

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
_TAGLINE = re.compile(r"^\*\*\*(.+)\*\*\*$", re.MULTILINE)
_TERM_ID = re.compile(r"^## .*\{#([^ }]+)[^}]*\.term", re.MULTILINE)


def _entry(source: Path) -> tuple[Path, str]:
    """A middle entry of the folder (by name) and its page's address."""
    files = sorted(source.glob("*.md"))
    ids = {f: m.group(1) for f in files if (m := _TERM_ID.search(f.read_text(encoding="utf-8")))}
    path = files[len(files) // 2]
    return path, f"{page_names(ids.values())[ids[path]]}.html"


def measure(source: Path, runs: int) -> tuple[list[float], list[float]]:
    """(write → visible seconds, rebuild seconds reported by the server) for `runs` edits."""
    from playwright.sync_api import sync_playwright

    path, page_name = _entry(source)
    visible: list[float] = []
    rebuilt: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        server = Served(source, Path(tmp), timeout=600)
        server.wait_for(r"^glossary: built the site", 600)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(server.url + f"terms/{page_name}")
        page.wait_for_selector("#glossary-serve-status", state="attached", timeout=600_000)
        for run in range(runs):
            marker = f"Neue Unterzeile Nummer {run} {time.time_ns()}"
            text = path.read_text(encoding="utf-8")
            written = time.monotonic()
            path.write_text(_TAGLINE.sub(f"***{marker}***", text, count=1), encoding="utf-8")
            # locator.wait_for polls every animation frame and survives the reload; expect()
            # would retry at 100, 250, 500, 1000 ms and add up to half a second to the figure.
            page.locator("main").get_by_text(marker).first.wait_for(timeout=600_000)
            visible.append(time.monotonic() - written)
            page.wait_for_selector("#glossary-serve-status", state="attached")
            time.sleep(0.5)  # let the doubled reload (page newer than its stamp) settle
        browser.close()
        server.stop()
        rebuilt = [float(m.group(1)) for line in server.err if (m := re.search(r" in ([\d.]+) s", line))]
    return visible, rebuilt


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=350)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", type=Path, help="measure this glossary instead of generating one")
    args = parser.parse_args(argv or [])
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("demo", _copy(DEMO, Path(tmp) / "demo"))]
        if args.source:
            cases.append((args.source.name, _copy(args.source, Path(tmp) / "given")))
        else:
            cases.append((f"{args.entries} entries", generate(Path(tmp) / "big", args.entries)))
        print(f"median of {args.runs} edits; edit → visible includes the rebuild and the reload\n")
        print(f"{'case':<16}{'edit → visible s':>18}{'rebuild s':>11}{'worst s':>9}")
        for name, folder in cases:
            visible, rebuilt = measure(folder, args.runs)
            print(f"{name:<16}{statistics.median(visible):>18.2f}"
                  f"{statistics.median(rebuilt[1:] or [0]):>11.2f}{max(visible):>9.2f}", flush=True)


def _copy(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest)
    return dest


if __name__ == "__main__":
    main(sys.argv[1:])
