"""Generate a synthetic glossary for benchmarks, shaped like a real one (default) or the old kind.

`--kind realistic` (default) reproduces, for any number of entries N, the statistics of a real
345-entry German glossary (scaled by N / 345): 1.9 MB, entry size median 5.8 KB and p90 9.3 KB
with a few over 13 KB; median 12 internal links per file (p90 31), 29 % of them to ids no term
has, spread over almost every file, ~41 that differ from a real id only in case; 20 duplicate
ids, 2 files holding several terms, terms at H2 and H3, ~6 sub-headings per entry, ~10 % of the
files with tables (some grid tables), a few code blocks, some TeX math, long see-also lists
ending in [Index](#Index), and one stray generated merge of every entry (YAML front matter,
~2.1 MB at 345) among the sources. Text is German-looking, built from word lists; nothing of
the real glossary's text is used. `benchmarks/corpus_stats.py` prints these figures for a folder.

`--kind simple` is the old generator: demo entries copied with fresh ids, every link valid.

Deterministic for a given seed.

    python benchmarks/generate.py OUT_DIR [--entries 350] [--seed 1] [--kind realistic|simple]
"""

from __future__ import annotations

import argparse
import math
import random
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_entries import Plan, Term, entry_text
from gen_text import Text

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "source"
KINDS = ("realistic", "simple")
MERGE_NAME = "Glossar-gesamt.md"
REAL_ENTRIES = 345  # the glossary whose statistics are reproduced; counts below are per 345
BROKEN_SHARE = 0.29
CASE_SHARE = 41 / 5300
DUPLICATES, MULTI_TERM_FILES, HUGE_FILES = 20, 2, 2
STUB_SHARE, LINKS_MEDIAN = 0.3, 13.5
TABLE_SHARE, GRID_SHARE, CODE_SHARE, MATH_SHARE, H3_SHARE, ALIAS_SHARE = 0.11, 0.3, 0.03, 0.12, 0.05, 0.08


def generate(out: Path, entries: int = 350, seed: int = 1, kind: str = "realistic") -> Path:
    """Write a glossary of `entries` entry files (plus book.toml) into `out`, replacing it."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if kind == "simple":
        return _generate_simple(out, entries, seed)
    return _generate_realistic(out, entries, seed)


def scaled(per_345: float, entries: int, least: int = 0) -> int:
    return max(least, round(per_345 * entries / REAL_ENTRIES))


# ---------------------------------------------------------------- realistic


def _generate_realistic(out: Path, entries: int, seed: int) -> Path:
    rng = random.Random(seed)
    text = Text(rng)
    dups = min(scaled(DUPLICATES, entries), entries // 4)
    multi = min(scaled(MULTI_TERM_FILES, entries, least=1), entries - dups)
    unique = entries - dups
    titles = _unique_titles(text, unique + 2 * multi + 2 * entries)  # terms, extra terms, unwritten
    terms = [_term(rng, t) for t in titles[: unique + 2 * multi]]
    plans = [Plan(f"{t.ident}.md", [t]) for t in terms[:unique]]
    for i, plan in enumerate(rng.sample(plans, multi)):  # a file that holds three terms
        plan.terms += terms[unique + 2 * i: unique + 2 * i + 2]
    for original in rng.sample(plans[: unique], dups):  # a copy kept under another file name
        first = original.terms[0]
        plans.append(Plan(f"{first.ident}-Kopie.md", [Term(first.ident, first.title, first.level, "")]))
    picker = _Targets(rng, terms, titles[unique + 2 * multi:])
    huge = set(rng.sample(range(len(plans)), min(len(plans), scaled(HUGE_FILES, entries, least=1))))
    for i, plan in enumerate(plans):
        _shape(rng, plan, picker, huge=i in huge)
        body = entry_text(text, plan)
        (out / plan.name).write_text(body, encoding="utf-8")
        plan.written = body
    (out / MERGE_NAME).write_text(_merge(plans, seed), encoding="utf-8")
    (out / "book.toml").write_text(
        'title = "Synthetisches Glossar"\nsubtitle = "Benchmark-Korpus"\nlanguage = "de"\n'
        'authors = ["Benchmark"]\n', encoding="utf-8")
    return out


def _unique_titles(text: Text, count: int) -> list[str]:
    seen: set[str] = {"index"}
    titles: list[str] = []
    while len(titles) < count:
        title = text.title()
        key = title.replace(" ", "-").casefold()
        if key not in seen:
            seen.add(key)
            titles.append(title)
    return titles


def _term(rng: random.Random, title: str) -> Term:
    ident = title.replace(" ", "-")
    aliases = ""
    if rng.random() < ALIAS_SHARE:  # an abbreviation no id can equal: ids never end in a digit
        aliases = "".join(w[0] for w in re.split(r"[ -]", title) if w[:1].isalpha()).upper() + "-" + str(
            rng.randint(1, 99))
    return Term(ident, title, 3 if rng.random() < H3_SHARE else 2, aliases)


def _shape(rng: random.Random, plan: Plan, picker: _Targets, huge: bool) -> None:
    """Size, link targets and features of one file; sizes and link counts are correlated."""
    z = rng.gauss(0, 1)
    if huge:
        plan.size = rng.randint(13_300, 19_000)
    elif rng.random() < STUB_SHARE:  # short entries: a definition, a section or two, see-also
        plan.size, z = rng.randint(1_200, 3_000), -1.0
    else:
        plan.size = round(math.exp(math.log(6_450) + 0.29 * z))
    links = round(math.exp(math.log(LINKS_MEDIAN) + 0.74 * (0.45 * z + 0.89 * rng.gauss(0, 1))))
    links = max(2, min(links, 90)) + (10 if huge else 0)
    own = {t.ident for t in plan.terms}
    targets = [picker.pick(own) for _ in range(links)]
    seealso = max(1, min(len(targets) - 1, round(len(targets) * rng.uniform(0.35, 0.6))))
    plan.seealso, plan.body_links = targets[:seealso], targets[seealso:]
    plan.subheadings = rng.choice([3, 4, 5, 5, 6, 6, 6, 6, 7, 7, 8, 9])
    plan.table = "grid" if rng.random() < TABLE_SHARE * GRID_SHARE else (
        "pipe" if rng.random() < TABLE_SHARE * (1 - GRID_SHARE) else "")
    plan.code = rng.random() < CODE_SHARE
    plan.math = rng.random() < MATH_SHARE


class _Targets:
    """Link targets: real ids (a few popular terms get most links), unwritten ids (some are
    typos of real ones), and real ids in the wrong case."""

    def __init__(self, rng: random.Random, terms: list[Term], unwritten_titles: list[str]) -> None:
        self.rng = rng
        self.terms = rng.sample(terms, len(terms))  # popularity rank
        self.weights = _zipf(len(self.terms))
        taken = {t.ident.casefold() for t in terms} | {t.aliases.casefold() for t in terms}
        missing = [(t.replace(" ", "-"), t) for t in unwritten_titles]
        for i in range(0, len(missing), 7):  # one in seven unwritten ids is a typo of a real one
            typo = _typo(rng, rng.choice(terms).ident)
            if typo.casefold() not in taken:
                missing[i] = (typo, typo.replace("-", " "))
                taken.add(typo.casefold())
        self.missing = missing
        self.missing_weights = _zipf(len(missing))

    def pick(self, own: set[str]) -> tuple[str, str]:
        """(id, label) of one link from a file holding the terms `own`."""
        roll = self.rng.random()
        if roll < BROKEN_SHARE:
            return self.rng.choices(self.missing, cum_weights=self.missing_weights)[0]
        while True:
            term = self.rng.choices(self.terms, cum_weights=self.weights)[0]
            if term.ident not in own:
                break
        if roll < BROKEN_SHARE + CASE_SHARE:
            variant = _case_variant(term.ident)
            if variant != term.ident:
                return variant, term.title
        return term.ident, term.title


def _zipf(n: int) -> list[float]:
    cumulative, total = [], 0.0
    for rank in range(n):
        total += 1 / (rank + 8) ** 0.9
        cumulative.append(total)
    return cumulative


def _typo(rng: random.Random, ident: str) -> str:
    i = rng.randrange(1, max(2, len(ident) - 1))
    kind = rng.randrange(4)
    if kind == 0:
        return ident[:i] + ident[i + 1:]  # a letter left out
    if kind == 1:
        return ident[:i] + ident[i] + ident[i:]  # a letter doubled
    if kind == 2:
        return ident + rng.choice(["en", "e", "s", "n"])  # another inflection
    return ident.replace("ü", "ue").replace("ä", "ae").replace("ö", "oe").replace("ß", "ss") + (
        "" if any(c in ident for c in "äöüß") else "e")


def _case_variant(ident: str) -> str:
    """The id with the first letter of its last part in the other case ("Netz-Knoten" → "Netz-knoten")."""
    parts = ident.split("-")
    for k in range(len(parts) - 1, -1, -1):
        part = parts[k]
        if part[:1].isalpha() and part[:1].swapcase() != part[:1]:
            parts[k] = part[:1].swapcase() + part[1:]
            return "-".join(parts)
    return ident


def _merge(plans: list[Plan], seed: int) -> str:
    """What a Makefile's `cat`-and-pandoc step leaves behind: front matter, every entry with the
    back-references a merged document carries, and the merged index."""
    back: dict[str, list[str]] = {}
    for plan in plans:
        for ident, _ in plan.body_links + plan.seealso:
            back.setdefault(ident, []).append(plan.terms[0].ident)
    parts = [f"---\ntitle: \"Glossar – Gesamtausgabe\"\nlang: de\ndate: \"2024-0{seed % 9 + 1}-17\"\n"
             "toc: true\n---\n"]
    for plan in sorted(plans, key=lambda p: p.name):
        parts.append(f"<!-- Quelle: {plan.name} -->\n\n{plan.written}")
        refs = back.get(plan.terms[0].ident, [])
        if refs:
            parts.append("**Verweise hierher:** " + " · ".join(f"[{r.replace('-', ' ')}](#{r})" for r in refs)
                         + "\n\n\\newpage\n")
    parts.append("# Index {#Index}\n\n" + "\n".join(
        f"- [{t.title}](#{t.ident})" for p in sorted(plans, key=lambda p: p.name) for t in p.terms) + "\n")
    return "\n".join(parts)


# ---------------------------------------------------------------- simple (the old generator)

_HEADING = re.compile(r"^(#{2,3}) (.+?) \{#([^ }]+)([^}]*)\}", re.MULTILINE)
_LINK = re.compile(r"\]\(#([^)]+)\)")
_WORDS = [
    "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa",
    "Lambda", "Ätna", "Öl", "Übung", "Quelle", "Rauschen", "Signal", "Takt", "Umlaut", "Vektor",
    "Welle", "Xenon", "Yacht", "Zahl", "3D", "5G",
]


def _generate_simple(out: Path, entries: int, seed: int) -> Path:
    """Each entry is a demo entry's text with fresh ids; every link points at a generated entry."""
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in sorted(DEMO.glob("*.md"))]
    ids = [f"{rng.choice(_WORDS)}-{i:04d}" for i in range(entries)]
    for i, ident in enumerate(ids):
        text = _LINK.sub(lambda m: f"](#{_simple_target(m.group(1), ids, rng)})", texts[i % len(texts)])
        text = _HEADING.sub(_renamer(ident), text)
        (out / f"{ident}.md").write_text(text, encoding="utf-8")
    for extra in ("book.toml", "images"):
        src = DEMO / extra
        if src.is_dir():
            shutil.copytree(src, out / extra)
        elif src.is_file():
            shutil.copy(src, out / extra)
    return out


def _simple_target(old: str, ids: list[str], rng: random.Random) -> str:
    return old if old == "Index" else ids[rng.randrange(len(ids))]


def _renamer(ident: str) -> Callable[[re.Match[str]], str]:
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
    parser.add_argument("--kind", choices=KINDS, default="realistic")
    ns = parser.parse_args()
    print(generate(ns.out, ns.entries, ns.seed, ns.kind))
