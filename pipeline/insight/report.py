"""`glossary report`: the glossary's health as one self-contained HTML page and as JSON.

`<out>/report.html` needs nothing from the network: its CSS, the script (pan and zoom of the
graph, highlighting a node's links) and the SVG picture are inline. Entries link to their
pages on the site built into `<out>/html/` — only pages that exist there, so a report written
before the site has plain names. `<out>/report.json` holds the same facts for CI dashboards.
Nothing in either file depends on the time or the machine, so the same book gives the same
report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from .. import diagnostics as dg
from ..atomic import write_text
from ..formats.html.names import page_names
from ..formats.html.pages import SiteLinks
from ..model import Book
from .graph import PALETTE, GraphPicture, LayoutError, draw
from .health import health
from .mentions import Mention
from .wanted import most_wanted

SITE_DIR = "html"
_TEMPLATES = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Written:
    html: Path
    json: Path
    data: dict[str, Any]
    notes: list[dg.Diagnostic] = field(default_factory=list)  # e.g. no Graphviz: no picture


def write_report(book: Book, diagnostics: list[dg.Diagnostic], mentions: list[Mention],
                 out_dir: Path) -> Written:
    page = _pages(book, out_dir)
    wanted = most_wanted(book)
    data = health(book, diagnostics, mentions, page, wanted)
    notes: list[dg.Diagnostic] = []
    picture: GraphPicture | None = None
    try:
        picture = draw(book, wanted, page)
        data["graph"] = {"layout": "graphviz sfdp (clusters) + neato",
                         "nodes": picture.nodes, "edges": picture.edges,
                         "clusters": picture.clusters, "missing_drawn": picture.missing_drawn,
                         "missing_total": picture.missing_total,
                         "cluster_sizes": _cluster_sizes(picture.cluster_of)}
    except LayoutError as exc:
        data["graph"] = {"error": str(exc)}
        notes.append(dg.make(dg.TOOL_FAILED, "", 0, 0,
                             f"Graphviz could not lay out the link graph ({exc}); "
                             "the report is written without the picture",
                             "install Graphviz (Debian: apt-get install graphviz)",
                             severity=dg.Severity.WARNING))
    json_path = write_text(out_dir / "report.json",
                           json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    html_path = write_text(out_dir / "report.html", _render(data, picture))
    return Written(html_path, json_path, data, notes)


def _pages(book: Book, out_dir: Path) -> Any:
    """term id -> URL of its site page relative to the report, when that page was built."""
    links = SiteLinks(page_names([t.id for t in book.terms]))
    site = out_dir / SITE_DIR

    def page(term_id: str) -> str | None:
        if term_id not in book:
            return None
        path = links.page(term_id)
        return quote(f"{SITE_DIR}/{path}") if (site / path).is_file() else None

    return page


def _cluster_sizes(cluster_of: dict[str, int]) -> list[int]:
    sizes: dict[int, int] = {}
    for c in cluster_of.values():
        if c:
            sizes[c] = sizes.get(c, 0) + 1
    return [sizes[c] for c in sorted(sizes)]


def _render(data: dict[str, Any], picture: GraphPicture | None) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    template = env.get_template("report.html.j2")
    svg = Markup(picture.svg) if picture else None  # Graphviz wrote it from escaped labels
    palette = list(PALETTE[: picture.clusters]) if picture else []
    return template.render(d=data, svg=svg, palette=palette)

