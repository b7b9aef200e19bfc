"""The build cache and what the site as a reference work adds (search index, preview texts,
canonical links, sitemap, 404 and forwarding pages, JSON, SKOS): a warm build gives the bytes of
a cold one, before and after edits that change what those depend on."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import build_into, fixture_path

from pipeline import diagnostics as dg
from pipeline.build import book_cache

FORMATS = ("json", "skos", "html")


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def built(src: Path, out: Path, cached: bool) -> dict[str, str]:
    report = dg.Report()
    outputs = build_into(src, out, *FORMATS)[0] if not cached else _cached(src, out, report)
    assert set(outputs) == set(FORMATS)
    return tree(out)


def _cached(src: Path, out: Path, report: dg.Report) -> dict[str, Path]:
    from pipeline import build

    return build(src, out, list(FORMATS), report, cache=book_cache(src, src.parent / "cache"))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


EDITS: list[tuple[str, Callable[[Path], object]]] = [
    ("base-url", lambda s: _edit(s / "book.toml", "example.org/werkstatt/", "example.net/wiki/")),
    ("no base-url", lambda s: _edit(s / "book.toml", 'base-url = "https://example.org/werkstatt/"', "")),
    ("tagline", lambda s: _edit(s / "Zylinder.md", "Hohlraum, der den Kolben führt", "Rohr für den Kolben")),
    ("title", lambda s: _edit(s / "Pleuel.md", "## Pleuel {", "## Pleuelstange {")),
    ("alias", lambda s: _edit(s / "Kolben.md", 'aliases="Alter-Kolben"', 'aliases="Tauchkolben"')),
    ("first sentence", lambda s: _edit(s / "Stoessel.md", "drückt ein Ventil auf.", "öffnet ein Ventil.")),
    ("language", lambda s: _edit(s / "book.toml", 'language = "de"', 'language = "en"')),
    # What a term page shows of other terms and of the book (its cache key names them all):
    ("new neighbour", lambda s: (s / "Lager.md").write_text(
        "## Lager {#Lager .term}\n\n***Hält die Welle***\n\nEin Lager trägt den [Kolben](#Kolben).\n",
        encoding="utf-8")),
    ("term removed", lambda s: (s / "Spitze.md").unlink()),
    ("new back-reference", lambda s: _edit(s / "Strassenbahn.md", "nichts zu tun.",
                                           "nichts zu tun. Siehe [Pleuel](#Pleuel).")),
    ("front matter", lambda s: _add_front_matter(s)),
]


def _add_front_matter(src: Path) -> None:
    (src / "vorwort.md").write_text("# Vorwort\n\nZum Geleit.\n", encoding="utf-8")
    config = src / "book.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\nfront = ["vorwort.md"]\n', encoding="utf-8")


@pytest.mark.parametrize(("what", "edit"), EDITS, ids=[e[0] for e in EDITS])
def test_warm_equals_cold_after_an_edit(what: str, edit: Callable[[Path], object], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764374400")
    src = tmp_path / "src"
    shutil.copytree(fixture_path("reference"), src)
    first = built(src, tmp_path / "warm0", cached=True)
    assert built(src, tmp_path / "warm1", cached=True) == first  # from the cache: the same bytes
    assert built(src, tmp_path / "cold0", cached=False) == first
    edit(src)
    warm = built(src, tmp_path / "warm2", cached=True)
    cold = built(src, tmp_path / "cold2", cached=False)
    assert warm == cold, sorted(k for k in cold if warm.get(k) != cold[k])
    assert warm != first, f"the edit ({what}) changed nothing"
