"""`glossary report`: the health page and its JSON, on the demo, the messy fixture and a
generated 350-entry glossary; in a real browser, a node of the link graph leads to its entry."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import DEMO, ROOT, build_into, fixture_path
from playwright.sync_api import Browser

from pipeline import diagnostics as dg
from pipeline.build import read_book
from pipeline.cli import main
from pipeline.insight.mentions import find_mentions

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate

_HREF = re.compile(r'(?:xlink:href|href|src)="([^"]*)"')


def _report(source: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["report", str(source), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"report: {out / 'report.html'}" in printed and f"report: {out / 'report.json'}" in printed
    return json.loads((out / "report.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("demo-report")
    build_into(DEMO, out, "html")
    assert main(["report", str(DEMO), "--out", str(out), "-q"]) == 0
    yield out


def test_demo_report_facts_match_the_book(demo_report: Path) -> None:
    data = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    book = read_book(DEMO, dg.Report())
    counts = data["counts"]
    assert counts["entries"] == len(book.terms) == 38
    assert counts["broken_links"] == counts["missing_terms"] == counts["duplicate_ids"] == 0
    assert counts["links"] > 3 * len(book.terms) and counts["words"] > 100 * len(book.terms)
    assert [o["id"] for o in data["orphans"]] == [t.id for t in book.terms if not t.refs_in]
    assert [d["id"] for d in data["dead_ends"]] == [t.id for t in book.terms if not t.refs_out]
    assert sum(g["entries"] for g in data["letters"]) == 38
    assert data["largest"][0]["words"] >= data["largest"][-1]["words"] >= data["smallest"][0]["words"]
    assert len(data["mentions"]) == counts["unlinked_mentions"] == len(find_mentions(book))
    assert {m["entry"] for m in data["mentions"]} == {s["id"] for s in data["see_also_suggestions"]}
    assert data["graph"]["nodes"] == 38 and data["graph"]["clusters"] >= 2


def test_the_page_is_self_contained_and_links_only_existing_pages(demo_report: Path) -> None:
    html = (demo_report / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "<style>" in html and "<script>" in html
    assert not re.search(r"<link\b|<script\b[^>]*\bsrc=|@import|url\(", html)
    targets = [unquote(u) for u in _HREF.findall(html)]
    assert len([t for t in targets if t.startswith("html/terms/")]) > 38  # graph nodes and lists
    for target in targets:
        assert not target.startswith(("http:", "https:", "//")), target
        assert (demo_report / target.split("#")[0]).is_file(), target


def test_without_a_site_the_entries_are_not_links(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _report(DEMO, tmp_path, capsys)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "xlink:href" not in html and 'href="html/' not in html


def test_the_report_is_reproducible(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _report(DEMO, tmp_path / "a", capsys)
    _report(DEMO, tmp_path / "b", capsys)
    for name in ("report.html", "report.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_missing_terms_and_duplicates_are_in_the_report(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    data = _report(fixture_path("messy"), tmp_path, capsys)
    assert {w["id"] for w in data["most_wanted"]} == {"Nirgendwo", "Fehlt-Noch"}  # type: ignore[union-attr]
    assert data["counts"]["duplicate_ids"] == 1  # type: ignore[index]
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert re.search(r'<g id="m\d+" class="node missing">', html) and "#Nirgendwo" in html
    assert re.search(r'class="node term orphan', html)


def test_without_graphviz_the_report_is_written_without_the_picture(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main(["report", str(DEMO), "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "warning[GL604] Graphviz could not lay out the link graph" in err
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert "error" in data["graph"] and data["counts"]["entries"] == 38
    assert "Install Graphviz" in (tmp_path / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report_350(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = generate(tmp_path_factory.mktemp("g350") / "src", 350)
    out = tmp_path_factory.mktemp("g350-out")
    build_into(source, out, "html")
    assert main(["report", str(source), "--out", str(out), "-q"]) == 0
    return out


@pytest.mark.slow
def test_a_350_entry_report(report_350: Path) -> None:
    data = json.loads((report_350 / "report.json").read_text(encoding="utf-8"))
    assert data["counts"]["entries"] >= 350
    assert data["graph"]["nodes"] >= 350 and data["graph"]["clusters"] >= 3
    assert sum(data["graph"]["cluster_sizes"]) <= data["counts"]["entries"]


def _follow_a_node(browser: Browser, out: Path, title: str) -> None:
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: errors.append(f"request {r.url}") if not r.url.startswith("file:") else None)
    page.goto((out / "report.html").as_uri())
    node = page.locator("#graph g.node", has=page.locator(f"text='{title}'")).first
    node.scroll_into_view_if_needed()
    page.locator("#find").fill(title)  # the search zooms to it, clear of the other nodes
    node.locator("a").first.click()
    page.wait_for_load_state()
    assert "/html/terms/" in page.url
    assert page.locator("h1, h2").filter(has_text=title).count() >= 1
    assert errors == []
    page.close()


@pytest.mark.slow
def test_browser_demo_report_node_leads_to_its_entry(browser: Browser, demo_report: Path) -> None:
    _follow_a_node(browser, demo_report, "RSA")


@pytest.mark.slow
def test_browser_350_report_node_leads_to_its_entry(browser: Browser, report_350: Path) -> None:
    data = json.loads((report_350 / "report.json").read_text(encoding="utf-8"))
    _follow_a_node(browser, report_350, data["largest"][0]["title"])
