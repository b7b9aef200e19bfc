"""Accessibility claims only when checked: DAISY Ace on the EPUB, and the metadata's claims.

By default the package declares what the build knows (access modes, features, hazards) and no
conformance; `[epub] conformance` lets a publisher who checked the book assert it. Ace (npm
`@daisy/ace-cli`, installed by `.ci/run` into `tools/ace/`) runs the EPUB's documents in the
system Chromium through Puppeteer and checks them with axe and its own EPUB rules.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CHROMIUM, build_into
from PIL import Image
from test_epub import Package

from pipeline.cli import main

ROOT = Path(__file__).resolve().parent.parent
ACE = ROOT / "tools" / "ace" / "node_modules" / ".bin" / "ace-cli"
ENTRY = "## {0} {{#{0} .term}}\n\n***Kurz.***\n\nText über [{1}](#{1}).{2}\n"


def _glossary(root: Path, toml: str = "", image: bytes | None = None) -> Path:
    root.mkdir()
    picture = "\n\n![Ein Bild](bild.gif)" if image else ""
    (root / "Alpha.md").write_text(ENTRY.format("Alpha", "Beta", picture), encoding="utf-8")
    (root / "Beta.md").write_text(ENTRY.format("Beta", "Alpha", ""), encoding="utf-8")
    if image:
        (root / "bild.gif").write_bytes(image)
    (root / "book.toml").write_text('title = "Test"\npublisher = "Verlag X"\n' + toml, encoding="utf-8")
    return root


def _gif(frames: int) -> bytes:
    images = [Image.new("RGB", (8, 8), c) for c in ("red", "blue", "green")[:frames]]
    out = io.BytesIO()
    images[0].save(out, format="GIF", save_all=frames > 1, append_images=images[1:], duration=100, loop=0)
    return out.getvalue()


def _package(tmp_path: Path, root: Path) -> Package:
    outputs, report = build_into(root, tmp_path / "out", "epub")
    assert not report.errors
    return Package(outputs["epub"])


def test_a_publisher_asserts_conformance_in_book_toml(tmp_path: Path) -> None:
    claim = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
    pkg = _package(tmp_path, _glossary(tmp_path / "g", f'[epub]\nconformance = "{claim}"\n'))
    assert pkg.meta("dcterms:conformsTo") == [claim]
    assert pkg.meta("a11y:certifiedBy") == ["Verlag X"]
    assert not pkg.meta("schema:accessibilitySummary")[0].endswith("nicht beansprucht.")


def test_a_claim_names_who_checked_it(tmp_path: Path) -> None:
    toml = '[epub]\nconformance = "EPUB Accessibility 1.1 - WCAG 2.1 Level A"\ncertified-by = "Prüfstelle"\n'
    pkg = _package(tmp_path, _glossary(tmp_path / "g", toml))
    assert pkg.meta("a11y:certifiedBy") == ["Prüfstelle"]


def test_a_malformed_claim_is_refused_with_its_line(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root = _glossary(tmp_path / "g", '[epub]\nconformance = "barrierefrei"\n')
    assert main(["check", str(root)]) == 2
    err = capsys.readouterr().err
    assert "book.toml:4" in err and "EPUB Accessibility 1.1 - WCAG 2.2 Level AA" in err


@pytest.mark.parametrize(("frames", "hazard"), [(1, "none"), (3, "unknown")])
def test_hazards_are_none_only_when_nothing_moves(tmp_path: Path, frames: int, hazard: str) -> None:
    pkg = _package(tmp_path, _glossary(tmp_path / "g", image=_gif(frames)))
    assert pkg.meta("schema:accessibilityHazard") == [hazard]
    assert "EPUB/images/bild.gif" in pkg.entries


def _ace(epub: Path, out: Path) -> dict[str, object]:
    ace = str(ACE) if ACE.is_file() else shutil.which("ace")
    assert ace, "DAISY Ace is required: (cd tools/ace && PUPPETEER_SKIP_DOWNLOAD=1 npm ci)"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM}
    proc = subprocess.run([ace, "--silent", "--force", "--outdir", str(out), str(epub)], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report: dict[str, object] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return report


@pytest.mark.slow
def test_ace_finds_nothing_in_the_demo(demo_outputs: Callable[[str], Path], tmp_path: Path) -> None:
    report = _ace(demo_outputs("epub"), tmp_path / "ace")
    found = [(doc["earl:testSubject"]["url"], a["earl:test"]["dct:title"], a["earl:result"].get("html"))
             for doc in report["assertions"] for a in doc["assertions"]]  # type: ignore[attr-defined]
    assert found == []
    assert report["earl:result"] == {"earl:outcome": "pass"}
    metadata = report["a11y-metadata"]
    assert isinstance(metadata, dict)
    assert {"schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard",
            "schema:accessibilitySummary", "schema:accessModeSufficient"} <= set(metadata["present"])
    assert "dcterms:conformsTo" not in metadata["present"]
