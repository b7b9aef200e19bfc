"""The wheel is a working tool on its own: default styles travel inside it.

A checkout finds its styles next to `pipeline/`; an installed wheel has no checkout, so
`pipeline/styles` must be in the wheel and `glossary build` must find it there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Build from a copy so setuptools' build/ and egg-info never land in the checkout.
    tree = tmp_path_factory.mktemp("tree")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    for name in ("pipeline", "styles"):
        shutil.copytree(ROOT / name, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(out), str(tree)], check=True, capture_output=True)
    (found,) = out.glob("glossary_pipeline-*.whl")
    return found


def test_the_wheel_carries_every_style_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    styles = [p.relative_to(ROOT).as_posix() for p in (ROOT / "styles").rglob("*") if p.is_file()]
    assert styles
    missing = [s for s in styles if f"pipeline/{s}" not in names]
    assert not missing, missing


def test_an_installed_wheel_builds_the_demo_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                    str(wheel)], check=True, capture_output=True)
    work = tmp_path / "work"
    shutil.copytree(ROOT / "source", work / "source")
    # The installed copy comes first on the path, ahead of the editable checkout.
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run([sys.executable, "-c", "import pipeline, pipeline.formats.context as c;"
                            "print(pipeline.__file__); print(c.STYLES_DIR)"],
                           cwd=work, env=env, check=True, capture_output=True, text=True)
    module, styles = probe.stdout.split("\n")[:2]
    assert Path(module).is_relative_to(site) and Path(styles).is_relative_to(site)
    done = subprocess.run([sys.executable, "-m", "pipeline", "build", "--format", "md",
                           "--format", "html", "-q"],
                          cwd=work, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (work / "build" / "html" / "index.html").is_file()
    assert (work / "build" / "html" / "assets" / "site.css").is_file()


def test_the_wheel_carries_the_authoring_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    folder = ROOT / "pipeline" / "authoring" / "templates"
    templates = [p.relative_to(ROOT).as_posix() for p in folder.rglob("*") if p.is_file()]
    assert len(templates) >= 9
    missing = [t for t in templates if t not in names]
    assert not missing, missing
    assert "pipeline/styles/entry.md.j2" in names


def test_an_installed_wheel_inits_a_glossary_that_builds(wheel: Path, tmp_path: Path) -> None:
    """`glossary init /tmp/x && glossary build /tmp/x`, with the console script of the wheel."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                    str(wheel)], check=True, capture_output=True)
    glossary = site / "bin" / "glossary"
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(glossary), *args], cwd=work, env=env, capture_output=True,
                              text=True)

    assert run("init", "x", "--language", "en").returncode == 0
    done = run("build", "x", "--out", "out")
    assert done.returncode == 0, done.stderr
    for suffix in ("pdf", "epub", "docx", "md"):
        assert (work / "out" / f"my-glossary.{suffix}").stat().st_size > 0
    assert (work / "out" / "html" / "terms" / "Cross-reference.html").is_file()
    added = run("new", "Index card", "x")
    assert added.returncode == 0, added.stderr
    assert (work / "x" / "Index-card.md").read_text(encoding="utf-8").startswith(
        "## Index card {#Index-card .term}")
    assert run("check", "x", "--strict").returncode == 0


def test_the_wheel_carries_the_report_template(wheel: Path) -> None:
    assert "pipeline/insight/report.html.j2" in zipfile.ZipFile(wheel).namelist()
