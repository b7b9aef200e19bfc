"""`glossary check` on generated glossaries, cold (a new process each run), against the floor:
one plain pandoc run that only parses the same files to JSON.

Cases: the 38-entry demo, 350 clean entries, and 350 entries where every link is broken (the
worst case: every file needs source positions and "did you mean" suggestions).
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import DEMO, generate

from pipeline.pandoc import pandoc_path

RUNS = 5


def timed(cmd: list[str]) -> float:
    best: list[float] = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        best.append(time.perf_counter() - start)
    return statistics.median(best)


def break_links(folder: Path) -> None:
    for path in folder.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"\]\(#(?!Index\))", "](#Missing-", text), encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clean = generate(Path(tmp) / "clean", 350)
        broken = generate(Path(tmp) / "broken", 350)
        break_links(broken)
        print(f"median of {RUNS} cold runs (new process each)\n")
        print(f"{'case':<28}{'check s':>9}{'pandoc-only s':>15}{'ratio':>8}")
        for name, folder in (("demo (38 entries)", DEMO), ("350 entries, clean", clean),
                             ("350 entries, all broken", broken)):
            check = timed([sys.executable, "-m", "pipeline", "check", str(folder), "-q"])
            files = sorted(str(p) for p in folder.rglob("*.md"))
            floor = timed([pandoc_path(), "-f", "markdown", "-t", "json", "-o", "/dev/null", *files])
            print(f"{name:<28}{check:>9.2f}{floor:>15.2f}{check / floor:>8.2f}")


if __name__ == "__main__":
    main()
