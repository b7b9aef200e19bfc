"""The benchmark generator makes glossaries shaped like the real one it imitates (issue 12), and
`glossary check` finds in them exactly the problems the corpus statistics count."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus_stats import Stats, stats  # noqa: E402
from generate import MERGE_NAME, generate, scaled  # noqa: E402

ENTRIES = 120


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("gen") / "g", ENTRIES, seed=1)


@pytest.fixture(scope="module")
def shape(corpus: Path) -> Stats:
    return stats(corpus)


def test_sizes_look_like_the_real_glossary(shape: Stats) -> None:
    assert shape.files == ENTRIES
    assert 4.8 <= shape.size_median_kb <= 7.0  # real: 5.8
    assert 7.5 <= shape.size_p90_kb <= 11.5  # real: 9.3
    assert 1 <= shape.over_13_kb <= 8  # real: a few of 345
    assert 0.5 <= shape.megabytes / ENTRIES * 345 <= 2.4  # real: 1.9 MB per 345


def test_links_are_as_dense_and_as_broken_as_the_real_ones(shape: Stats) -> None:
    assert 9 <= shape.links_median <= 16  # real: 12
    assert 22 <= shape.links_p90 <= 44  # real: 31
    assert 0.25 <= shape.broken_share <= 0.33  # real: 29 %
    assert shape.files_with_broken >= 0.85 * shape.files  # spread over almost every file
    assert 5 <= shape.case_only <= 30  # real: 41 per 345 ≈ 14 per 120


def test_structure_features(shape: Stats) -> None:
    assert shape.duplicate_ids == scaled(20, ENTRIES)
    assert shape.multi_term_files == 1
    assert shape.terms_h3 >= 1 and shape.terms_h2 > 10 * shape.terms_h3
    assert 5 <= shape.subheadings_median <= 7
    assert 0.04 * ENTRIES <= shape.files_with_tables <= 0.2 * ENTRIES
    assert 1 <= shape.files_with_grid_tables < shape.files_with_tables
    assert 1 <= shape.code_blocks <= 0.1 * ENTRIES
    assert 1 <= shape.files_with_math <= 0.3 * ENTRIES
    assert shape.seealso_median >= 4 and shape.seealso_ending_in_index == 1.0
    assert shape.merge_files == 1
    assert 1.0 < shape.merge_megabytes / shape.megabytes < 1.3  # real: 2.1 MB against 1.9 MB


def test_check_reports_what_the_statistics_count(corpus: Path, shape: Stats) -> None:
    proc = subprocess.run([sys.executable, "-m", "pipeline", "check", str(corpus), "--format", "json"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stderr
    codes = [d["code"] for d in json.loads(proc.stdout)]
    assert codes.count("GL101") == shape.broken
    assert codes.count("GL102") == shape.case_only
    assert codes.count("GL201") == shape.duplicate_ids
    merged = [d for d in json.loads(proc.stdout) if d["code"] == "GL304"]
    assert [d["file"] for d in merged] == [MERGE_NAME]
    assert set(codes) <= {"GL101", "GL102", "GL201", "GL304"}, set(codes)  # nothing unintended


def test_deterministic_per_seed(tmp_path: Path, corpus: Path) -> None:
    again = generate(tmp_path / "again", ENTRIES, seed=1)
    other = generate(tmp_path / "other", ENTRIES, seed=2)

    def contents(folder: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}

    assert contents(again) == contents(corpus)
    assert contents(other) != contents(corpus)


def test_text_is_german_looking(corpus: Path) -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.md"))[:40])
    for mark in ("ä", "ö", "ü", "ß", "„", "“", "–", "z. B."):
        assert mark in text


def test_simple_kind_keeps_the_old_valid_link_graph(tmp_path: Path) -> None:
    folder = generate(tmp_path / "simple", 40, kind="simple")
    shape = stats(folder)
    assert shape.files == 40 and shape.broken == 0 and shape.merge_files == 0
    proc = subprocess.run([sys.executable, "-m", "pipeline", "check", str(folder), "--format", "json"],
                          capture_output=True, text=True, check=False)
    assert "GL101" not in {d["code"] for d in json.loads(proc.stdout)}
