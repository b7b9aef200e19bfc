"""The site's full-text search on generated glossaries (350 and 3,000 entries by default): the
index against its budget (≤ 30 % of the site's HTML) and the time to the first results in
headless Chromium, from disk (file://), as a reader meets them.

    python benchmarks/bench_search.py [--sizes 350,3000] [--runs 5] [--seed 1] [--work DIR]

Per size: the bytes of every page, of the index, of the snippet texts and of the preview
texts; building the index (in process, no cache, best of 3); and in the browser, medians over
`--runs` fresh pages of

- cold: the first keystroke on a page that has not loaded the index yet, to the hits shown
  (the stemmer and index scripts, the search, the list), and to their snippets shown (the
  texts' script, inflating the hits' blocks);
- load: focusing the field (which starts the loading) until the index is ready;
- warm: a keystroke once the index is ready, to the hits shown and to the snippets shown, the
  median and the slowest of a set of German queries (umlaut spellings, stems, compounds,
  prefixes, common words).

Measurements, not tests: nothing fails on a slow machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

from pipeline import build
from pipeline import diagnostics as dg
from pipeline.formats.html import search_index
from pipeline.formats.html.names import page_names
from pipeline.formats.html.pages import SiteLinks
from pipeline.normalise import read_book

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
QUERIES = ["Schluessel", "Verschlüsselungsverfahren", "Größe", "groesse", "Strasse", "die",
           "Verschl", "Kette Spannung", "Energieverschlüsselung", "Wärme", "Signale", "a"]
# In the page: type `q` into the field and wait until the list shows its answer.
TYPE_AND_WAIT = """async q => {
  const input = document.querySelector('#search-input');
  const list = document.querySelector('#search-results');
  list.textContent = '';
  const shown = new Promise(resolve => {
    const seen = new MutationObserver(() => {
      if (list.querySelector('[role=option], .none')) { seen.disconnect(); resolve(); }
    });
    seen.observe(list, {childList: true});
  });
  const start = performance.now();
  input.value = q;
  input.dispatchEvent(new Event('input'));
  await shown;
  const hits = performance.now() - start;
  while (list.getAttribute('data-snippets') === 'pending') { await new Promise(r => setTimeout(r, 1)); }
  return [hits, performance.now() - start, list.querySelectorAll('[role=option]').length];
}"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=lambda v: [int(x) for x in v.split(",")], default=[350, 3000])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--work", type=Path, default=None)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="glossary-search-bench-") as tmp:
        work = args.work or Path(tmp)
        rows = [measure(n, work, args.runs, args.seed) for n in args.sizes]
    print(table(rows))
    return 0


def measure(n: int, work: Path, runs: int, seed: int) -> dict[str, Any]:
    source = generate(work / f"g{n}", n, seed=seed)
    out = work / f"site{n}"
    print(f"  · [{n}] building the site …", file=sys.stderr, flush=True)
    build(source, out, ["html"], dg.Report())
    site = out / "html"
    html = sum(p.stat().st_size for p in site.rglob("*.html"))
    index = (site / "assets" / "search-index.js").stat().st_size
    texts = (site / "assets" / "search-text.js").stat().st_size
    previews = (site / "assets" / "preview-data.js").stat().st_size
    book = read_book(source, dg.Report())
    links = SiteLinks(page_names(t.id for t in book.terms))
    build_times = []
    for _ in range(3):
        started = time.perf_counter()
        search_index(book, links)  # no cache: the work itself
        build_times.append(time.perf_counter() - started)
    print(f"  · [{n}] timing in Chromium …", file=sys.stderr, flush=True)
    return {"n": len(book.terms), "html": html, "index": index, "texts": texts, "previews": previews,
            "index_build": min(build_times), **browser(site, runs)}


def browser(site: Path, runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    page_url = (site / "index.html").as_uri()
    cold: list[list[float]] = []
    load: list[float] = []
    warm: dict[str, list[list[float]]] = {q: [] for q in QUERIES}
    hits: dict[str, int] = {}
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(runs):
            page = b.new_page()
            page.goto(page_url)
            cold.append(page.evaluate(TYPE_AND_WAIT, "Schluessel")[:2])
            page.close()
            page = b.new_page()
            page.goto(page_url)
            load.append(page.evaluate("""async () => { const s = performance.now();
                document.querySelector('#search-input').focus(); await GlossarySearch.ready();
                return performance.now() - s; }"""))
            for q in QUERIES:
                first, done, count = page.evaluate(TYPE_AND_WAIT, q)
                warm[q].append([first, done])
                hits[q] = count
            page.close()
        b.close()
    per_query = {q: [statistics.median(t[0] for t in ts), statistics.median(t[1] for t in ts)]
                 for q, ts in warm.items()}
    return {"cold": statistics.median(c[0] for c in cold), "cold_done": statistics.median(c[1] for c in cold),
            "load": statistics.median(load),
            "warm": statistics.median(t[0] for t in per_query.values()),
            "warm_max": max(t[0] for t in per_query.values()),
            "warm_done": statistics.median(t[1] for t in per_query.values()),
            "warm_done_max": max(t[1] for t in per_query.values()), "per_query": per_query, "hits": hits}


def table(rows: list[dict[str, Any]]) -> str:
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [f"\n### site search (full text, German-aware) — headless Chromium, file://; "
             f"{os.cpu_count()} cores, load average {load}\n",
             "| entries | HTML MB | index + texts MB | (index + texts) / HTML | previews MB | "
             "index build s | cold: hits / snippets ms | index load ms | warm: hits median / max ms | "
             "warm: snippets median / max ms |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        both = r["index"] + r["texts"]
        lines.append(f"| {r['n']} | {r['html'] / 1e6:.2f} | "
                     f"{r['index'] / 1e6:.2f} + {r['texts'] / 1e6:.2f} | "
                     f"{both / r['html']:.1%} | {r['previews'] / 1e6:.2f} | {r['index_build']:.2f} | "
                     f"{r['cold']:.0f} / {r['cold_done']:.0f} | {r['load']:.0f} | "
                     f"{r['warm']:.1f} / {r['warm_max']:.1f} | "
                     f"{r['warm_done']:.1f} / {r['warm_done_max']:.1f} |")
    lines.append("\nbudget: index ≤ 30 % of the HTML; first results ≤ 100 ms for 3,000 entries")
    last = rows[-1]
    lines.append(f"per query at {last['n']} (hits shown ms / snippets shown ms, hits listed):")
    lines += [f"  {q!r}: {t[0]:.1f} / {t[1]:.1f}, {last['hits'][q]}" for q, t in last["per_query"].items()]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
