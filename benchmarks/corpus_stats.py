"""Print a glossary folder's shape next to the real 345-entry glossary the generator imitates.

    python benchmarks/corpus_stats.py FOLDER

The figures are read from the Markdown with line patterns (headings, `](#id)` links, table rules),
which is exact for generated corpora and close for hand-written ones; it is a measuring aid, not the
tool's parser (that is pandoc).
"""

from __future__ import annotations

import argparse
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

_HEADING = re.compile(r"^(#{1,6}) +(.*?) *\{([^}]*)\} *$", re.MULTILINE)
_LINK = re.compile(r"\]\(#([^)\s]+)\)")
_PIPE_RULE = re.compile(r"^\|[-:| ]+\|$", re.MULTILINE)
_GRID_HEAD = re.compile(r"^\+(?:=+\+)+$", re.MULTILINE)
_FENCE = re.compile(r"^```", re.MULTILINE)
_MATH = re.compile(r"\$[^$\n]+\$")
MERGE_MIN_TERMS = 12  # as the tool's loader decides (GL304)


@dataclass(frozen=True)
class Stats:
    files: int  # entry files, the merge file not counted
    megabytes: float
    size_median_kb: float
    size_p90_kb: float
    over_13_kb: int
    links: int  # internal links, [Index](#Index) not counted
    links_median: float
    links_p90: float
    broken: int  # to ids no term has (not even in another case): GL101
    case_only: int  # differ from a term id only in case: GL102
    files_with_broken: int
    duplicate_ids: int
    multi_term_files: int
    terms_h2: int
    terms_h3: int
    subheadings_median: float
    files_with_tables: int
    files_with_grid_tables: int
    code_blocks: int
    files_with_math: int
    seealso_median: float
    seealso_ending_in_index: float  # share of see-also lists
    merge_files: int
    merge_megabytes: float

    @property
    def broken_share(self) -> float:
        return self.broken / self.links if self.links else 0.0


# (label, attribute, format, the real glossary's figure at 345 entries or None)
REAL: list[tuple[str, str, str, str]] = [
    ("entry files", "files", "{:.0f}", "345"),
    ("size, MB", "megabytes", "{:.2f}", "1.9"),
    ("entry size median, KB", "size_median_kb", "{:.1f}", "5.8"),
    ("entry size p90, KB", "size_p90_kb", "{:.1f}", "9.3"),
    ("entries over 13 KB", "over_13_kb", "{:.0f}", "a few"),
    ("internal links", "links", "{:.0f}", "≈ 5,300"),
    ("links per file, median", "links_median", "{:.0f}", "12"),
    ("links per file, p90", "links_p90", "{:.0f}", "31"),
    ("links to ids no term has", "broken", "{:.0f}", "1,518"),
    ("  share of all links", "broken_share", "{:.1%}", "29 %"),
    ("links differing only in case", "case_only", "{:.0f}", "41"),
    ("files with a broken link", "files_with_broken", "{:.0f}", "almost all"),
    ("duplicate ids", "duplicate_ids", "{:.0f}", "20"),
    ("files with several terms", "multi_term_files", "{:.0f}", "2"),
    ("terms at H2", "terms_h2", "{:.0f}", "most"),
    ("terms at H3", "terms_h3", "{:.0f}", "some"),
    ("sub-headings per term, median", "subheadings_median", "{:.0f}", "6"),
    ("files with tables", "files_with_tables", "{:.0f}", "35"),
    ("  with grid tables", "files_with_grid_tables", "{:.0f}", "some"),
    ("code blocks", "code_blocks", "{:.0f}", "few"),
    ("files with TeX math", "files_with_math", "{:.0f}", "some"),
    ("see-also items, median", "seealso_median", "{:.0f}", "long"),
    ("see-also lists ending in Index", "seealso_ending_in_index", "{:.0%}", "—"),
    ("merge files (YAML + all terms)", "merge_files", "{:.0f}", "1"),
    ("merge file size, MB", "merge_megabytes", "{:.2f}", "2.1"),
]


def stats(folder: Path) -> Stats:
    files = sorted(p for p in folder.rglob("*.md") if not any(
        part.startswith((".", "_")) for part in p.relative_to(folder).parts))
    texts = {p: p.read_text(encoding="utf-8") for p in files}
    merges = [p for p, t in texts.items() if t.startswith("---\n") and len(_terms(t)) >= MERGE_MIN_TERMS]
    entries = {p: t for p, t in texts.items() if p not in merges}
    sizes = sorted(len(t.encode()) for t in entries.values())
    ids = [ident for t in entries.values() for _, ident, _ in _terms(t)]
    exact, folded = set(ids), {i.casefold() for i in ids}
    per_file = [[x for x in _LINK.findall(t) if x != "Index"] for t in entries.values()]
    links = [x for file in per_file for x in file]
    broken = [x for x in links if x.casefold() not in folded]
    levels = [level for t in entries.values() for level, _, _ in _terms(t)]
    sub = [n for t in entries.values() for n in _subheadings(t)]
    seealso = [_seealso(t) for t in entries.values()]
    seealso = [s for s in seealso if s is not None]
    return Stats(
        files=len(entries), megabytes=sum(sizes) / 1e6,
        size_median_kb=statistics.median(sizes) / 1e3, size_p90_kb=_p90(sizes) / 1e3,
        over_13_kb=sum(s > 13_000 for s in sizes),
        links=len(links), links_median=statistics.median(len(f) for f in per_file),
        links_p90=_p90(sorted(len(f) for f in per_file)),
        broken=len(broken), case_only=sum(x not in exact and x.casefold() in folded for x in links),
        files_with_broken=sum(any(x.casefold() not in folded for x in f) for f in per_file),
        duplicate_ids=len(ids) - len(exact),
        multi_term_files=sum(len(_terms(t)) > 1 for t in entries.values()),
        terms_h2=levels.count(2), terms_h3=levels.count(3),
        subheadings_median=statistics.median(sub) if sub else 0,
        files_with_tables=sum(bool(_PIPE_RULE.search(t) or _GRID_HEAD.search(t)) for t in entries.values()),
        files_with_grid_tables=sum(bool(_GRID_HEAD.search(t)) for t in entries.values()),
        code_blocks=sum(len(_FENCE.findall(t)) // 2 for t in entries.values()),
        files_with_math=sum(bool(_MATH.search(t)) for t in entries.values()),
        seealso_median=statistics.median(n for n, _ in seealso) if seealso else 0,
        seealso_ending_in_index=sum(end for _, end in seealso) / len(seealso) if seealso else 0,
        merge_files=len(merges), merge_megabytes=sum(len(texts[p].encode()) for p in merges) / 1e6)


def _terms(text: str) -> list[tuple[int, str, str]]:
    """(level, id, title) of every heading with the `.term` class."""
    out = []
    for m in _HEADING.finditer(text):
        attrs = m.group(3).split()
        if ".term" in attrs:
            ident = next((a[1:] for a in attrs if a.startswith("#")), "")
            out.append((len(m.group(1)), ident, m.group(2)))
    return out


def _subheadings(text: str) -> list[int]:
    """Sub-headings (headings that are no term) under each term."""
    counts: list[int] = []
    for m in _HEADING.finditer(text):
        if ".term" in m.group(3).split():
            counts.append(0)
        elif counts:
            counts[-1] += 1
    return counts


def _seealso(text: str) -> tuple[int, bool] | None:
    """(links, ends in [Index](#Index)) of the file's last see-also list."""
    starts = [m.end() for m in _HEADING.finditer(text) if ".seealso" in m.group(3).split()]
    if not starts:
        return None
    rest = text[starts[-1]:]
    nxt = _HEADING.search(rest)
    block = rest[: nxt.start()] if nxt else rest
    targets = _LINK.findall(block)
    return len(targets), bool(targets) and targets[-1] == "Index"


def _p90(sorted_values: list[int]) -> float:
    return statistics.quantiles(sorted_values, n=10, method="inclusive")[-1] if len(sorted_values) > 1 else (
        sorted_values[0] if sorted_values else 0)


def table(s: Stats) -> str:
    """The figures next to the real glossary's."""
    lines = [f"{'figure':<34}{'this corpus':>13}  real glossary (345 entries)"]
    for label, attr, fmt, real in REAL:
        lines.append(f"{label:<34}{fmt.format(getattr(s, attr)):>13}  {real}")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    print(table(stats(parser.parse_args().folder)))
