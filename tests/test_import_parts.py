"""The pieces of `init --from`: a Makefile's pandoc options, pandoc metadata, dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.authoring import makefile
from pipeline.authoring.metadata import book_values, iso_date, read_meta


def _options(tmp_path: Path, text: str) -> makefile.PandocOptions:
    (tmp_path / "Makefile").write_text(text, encoding="utf-8")
    found = makefile.find(tmp_path)
    assert found is not None
    return makefile.read(found)


def test_options_are_mapped_covered_or_ignored_with_a_reason(tmp_path: Path) -> None:
    opts = _options(tmp_path, (
        "PANDOC := /usr/local/bin/pandoc\nFLAGS = -s --toc -N\nFLAGS += -Vpapersize=letter\n"
        "META ?= meta.yaml\n"
        "out/book.pdf: a.md b.md\n"
        "\t@$(PANDOC) $(FLAGS) --metadata=author:'Erika M' -M author=Max \\\n"
        "\t  --metadata title=\"Mein Buch\" -M date=$(shell date +%F) -V lang=en-GB \\\n"
        "\t  --metadata-file=$(META) --reference-doc ref.docx -V mainfont=Arial -o $@ $^\n"
        "clean:\n\trm -f out/book.pdf\n"))
    assert opts.values == {"authors": ["Erika M", "Max"], "title": "Mein Buch",
                           "language": "en-GB", "pdf.page-size": "Letter", "slug": "book"}
    assert opts.inputs == ["a.md", "b.md"] and opts.metadata_files == ["meta.yaml"]
    assert [o for o, _ in opts.covered] == ["--toc"]
    ignored = dict(opts.ignored)
    assert "WeasyPrint" not in " ".join(ignored)  # no --pdf-engine here
    assert ignored["-N"] == "entries are not numbered"
    assert "reference.docx" in ignored["--reference-doc ref.docx"]
    assert "styles folder" in ignored["-V mainfont=Arial"]
    assert "make expression" in next(v for k, v in ignored.items() if k.startswith("-M date="))


def test_a_makefile_without_pandoc_gives_nothing(tmp_path: Path) -> None:
    opts = _options(tmp_path, "all:\n\techo hallo\n")
    assert (opts.values, opts.inputs, opts.ignored) == ({}, [], [])


@pytest.mark.parametrize(("text", "iso"), [
    ("2026-11-29", "2026-11-29"), ("29.11.2026", "2026-11-29"), ("1. März 2024", "2024-03-01"),
    ("November 29, 2026", "2026-11-29"), ("29 November 2026", "2026-11-29"),
    ("Herbst 2026", ""), ("31.02.2026", ""), ("2026", ""),
])
def test_dates(text: str, iso: str) -> None:
    assert iso_date(text) == iso


def test_pandoc_reads_title_blocks_yaml_blocks_and_files(tmp_path: Path) -> None:
    (tmp_path / "title.txt").write_text("% Titel\n% A. Autorin; B. Autor\n% Herbst 2026\n",
                                        encoding="utf-8")
    (tmp_path / "metadata.md").write_text(
        "---\ntitle: Aus YAML\nauthor:\n  - name: Erika\n    affiliation: X\nlang: de-CH\n"
        "rights: CC0\nkeywords: [a, b]\n---\n", encoding="utf-8")
    (tmp_path / "meta.yaml").write_text("subtitle: Untertitel\npublisher: Verlag\n", encoding="utf-8")
    values, notes = book_values(read_meta(tmp_path / "title.txt"))
    assert values == {"title": "Titel", "authors": ["A. Autorin", "B. Autor"]}
    assert notes == ["date „Herbst 2026“ is no calendar day; set `date` as YYYY-MM-DD"]
    values, _ = book_values(read_meta(tmp_path / "metadata.md"))
    assert values == {"title": "Aus YAML", "authors": ["Erika"], "language": "de-CH",
                      "license": "CC0", "keywords": ["a", "b"]}
    assert book_values(read_meta(tmp_path / "meta.yaml"))[0] == {"subtitle": "Untertitel",
                                                                 "publisher": "Verlag"}
    (tmp_path / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    assert read_meta(tmp_path / "broken.yaml") == {}
