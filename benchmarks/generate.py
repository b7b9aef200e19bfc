"""Generate a large synthetic glossary (default 350 entries) in the demo's format, for benchmarks.

Each entry is made from a demo entry's text with fresh ids; links point at other generated
entries, so the link graph stays dense and valid. Deterministic for a given seed.

    python benchmarks/generate.py OUT_DIR [--entries 350] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "source"
_HEADING = re.compile(r"^(#{2,3}) (.+?) \{#([^ }]+)([^}]*)\}", re.MULTILINE)
_LINK = re.compile(r"\]\(#([^)]+)\)")
_WORDS = [
    "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa",
    "Lambda", "Ätna", "Öl", "Übung", "Quelle", "Rauschen", "Signal", "Takt", "Umlaut", "Vektor",
    "Welle", "Xenon", "Yacht", "Zahl", "3D", "5G",
]


def generate(out: Path, entries: int = 350, seed: int = 1) -> Path:
    rng = random.Random(seed)
    sources = sorted(p for p in DEMO.glob("*.md"))
    texts = [p.read_text(encoding="utf-8") for p in sources]
    ids = [f"{rng.choice(_WORDS)}-{i:04d}" for i in range(entries)]
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for i, ident in enumerate(ids):
        text = _LINK.sub(lambda m: f"](#{_target(m.group(1), ids, rng)})", texts[i % len(texts)])
        text = _HEADING.sub(_renamer(ident), text)
        (out / f"{ident}.md").write_text(text, encoding="utf-8")
    for extra in ("book.toml", "images"):
        src = DEMO / extra
        if src.is_dir():
            shutil.copytree(src, out / extra)
        elif src.is_file():
            shutil.copy(src, out / extra)
    return out


def _target(old: str, ids: list[str], rng: random.Random) -> str:
    return old if old == "Index" else ids[rng.randrange(len(ids))]


def _renamer(ident: str):  # type: ignore[no-untyped-def]
    """First term heading becomes `ident`; a second term in the same file `ident-b`."""
    count = [0]

    def rename(m: re.Match[str]) -> str:
        if ".term" not in m.group(4):
            return m.group(0)
        count[0] += 1
        new = ident if count[0] == 1 else f"{ident}-b{count[0]}"
        return f"{m.group(1)} {new.replace('-', ' ')} {{#{new}{m.group(4)}}}"

    return rename


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--entries", type=int, default=350)
    parser.add_argument("--seed", type=int, default=1)
    ns = parser.parse_args()
    print(generate(ns.out, ns.entries, ns.seed))
