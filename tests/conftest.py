"""Shared test fixtures: the demo glossary, fixture folders under tests/fixtures, a built book."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline import diagnostics as dg
from pipeline.build import build, read_book
from pipeline.model import Book

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "source"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def demo_book() -> Book:
    return read_book(DEMO, dg.Report())


def fixture_path(name: str) -> Path:
    """A fixture glossary folder (data under tests/fixtures/<name>)."""
    path = FIXTURES / name
    assert path.is_dir(), f"missing fixture {path}"
    return path


@pytest.fixture
def copy_fixture(tmp_path: Path) -> Callable[[str], Path]:
    """Copy a fixture folder to a temp dir (for tests that modify sources)."""

    def copy(name: str) -> Path:
        dest = tmp_path / name
        shutil.copytree(fixture_path(name), dest)
        return dest

    return copy


def build_into(source: Path, out: Path, *formats: str, strict: bool = False) -> tuple[dict[str, Path], dg.Report]:
    """Run a real build (the same code path as `glossary build`)."""
    report = dg.Report(strict=strict)
    outputs = build(source, out, list(formats), report)
    return outputs, report


@pytest.fixture(scope="session")
def demo_outputs(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Build the demo glossary once per format per test session; returns the output path."""
    out = tmp_path_factory.mktemp("demo-build")
    cache: dict[str, Path] = {}

    def get(fmt: str) -> Path:
        if fmt not in cache:
            outputs, report = build_into(DEMO, out, fmt)
            assert not report.errors, [dg.format_text(d) for d in report.errors]
            cache[fmt] = outputs[fmt]
        return cache[fmt]

    return get
