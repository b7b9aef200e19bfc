"""The picture of the link graph: networkx finds its clusters, Graphviz lays it out and draws it.

Clusters: Louvain communities (networkx, seeded, so the same book gets the same picture); the
larger ones are drawn as tinted boxes named after their most-linked term, the rest stay grey
outside. Layout: `layout.lay_out`, Graphviz's `sfdp` inside each cluster and `neato` between
them, with `prism` overlap removal so that no two labels cover each other at any size of the
book. Drawing: Graphviz again (`neato -n`, at those positions), through the `graphviz`
package, which writes the DOT source and runs the program; nodes are numbered (`n0`, `m0`), so
no id (`C++`, `a:b`) needs DOT quoting rules. The SVG has one `<a>` per node that leads to the
entry's page on the built site.

Terms are boxes whose text grows with the links they receive; orphans (no incoming link) have
a thick orange frame; missing terms (wanted by links, not written) are dashed red boxes named
by their id. Arrows point from the linking entry to the linked one; links inside a cluster are
darker than links between clusters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import graphviz
import networkx as nx

from ..model import Book
from .layout import Layout, lay_out
from .wanted import Wanted

MISSING_DRAWN = 40  # the most-wanted missing terms drawn; a long tail would hide the book
PALETTE = ("#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99",
           "#8dd3c7", "#bebada", "#80b1d3", "#fccde5", "#ccebc5", "#ffed6f")
GREY = "#e5e5e5"
MIN_CLUSTER = 3


class LayoutError(Exception):
    """Graphviz is missing or failed; the report is written without the picture."""


@dataclass(frozen=True)
class GraphPicture:
    svg: str  # an <svg> element, ready to be inlined into the page
    nodes: int
    edges: int
    clusters: int  # coloured clusters
    missing_drawn: int
    missing_total: int
    cluster_of: dict[str, int]  # term id -> cluster number (1 = largest), 0 for grey


def clusters(book: Book) -> dict[str, int]:
    """Term id -> cluster number, largest first (1, 2, …); 0 for clusters below MIN_CLUSTER or
    beyond the palette."""
    g = nx.Graph()
    g.add_nodes_from(t.id for t in book.terms)
    g.add_edges_from((t.id, r) for t in book.terms for r in t.refs_out if r in book)
    found = nx.community.louvain_communities(g, seed=1) if g.number_of_edges() else []
    ranked = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    out = {t.id: 0 for t in book.terms}
    for n, members in enumerate(ranked[: len(PALETTE)], start=1):
        if len(members) >= MIN_CLUSTER:
            out.update(dict.fromkeys(members, n))
    return out


def draw(book: Book, wanted: Sequence[Wanted], href: Callable[[str], str | None]) -> GraphPicture:
    """Lay out and draw the graph. `href(term id)`: the URL of the entry's page, or None."""
    cluster_of = clusters(book)
    index = {t.id: i for i, t in enumerate(book.terms)}
    drawn = list(wanted[:MISSING_DRAWN])
    groups: dict[int, list[str]] = {0: []}
    labels: dict[str, tuple[str, float]] = {}
    for t in book.terms:
        groups.setdefault(cluster_of[t.id], []).append(f"n{index[t.id]}")
        labels[f"n{index[t.id]}"] = (t.title_text, _size(len(t.refs_in)))
    for j, w in enumerate(drawn):
        groups[0].append(f"m{j}")
        labels[f"m{j}"] = (f"#{w.id}", _size(w.links))
    links = [(t.id, r) for t in book.terms for r in t.refs_out if r in index]
    edges = [(f"n{index[a]}", f"n{index[b]}") for a, b in links]
    edges += [(f"n{index[e]}", f"m{j}") for j, w in enumerate(drawn) for e in w.entries]
    try:
        placed = lay_out(dict(sorted(groups.items())), labels, edges)
        dot = _drawing(book, cluster_of, placed, drawn, href)
        svg = dot.pipe(format="svg", encoding="utf-8", neato_no_op=1)
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError, OSError) as exc:
        raise LayoutError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
    return GraphPicture(_inline(svg), len(book.terms) + len(drawn), len(edges),
                        len({c for c in cluster_of.values() if c}), len(drawn), len(wanted), cluster_of)


def _drawing(book: Book, cluster_of: dict[str, int], placed: Layout, drawn: list[Wanted],
             href: Callable[[str], str | None]) -> graphviz.Digraph:
    """The DOT source at fixed positions: cluster boxes first (under the nodes), then nodes."""
    dot = graphviz.Digraph("links", engine="neato")
    dot.attr(overlap="true", splines="false", outputorder="edgesfirst", pad="0.3",
             bgcolor="transparent", fontname="DejaVu Sans")
    dot.attr("node", shape="box", style="rounded,filled", fontname="DejaVu Sans", penwidth="0.8",
             color="#555555", margin="0.06,0.03", height="0.2", width="0.2")
    dot.attr("edge", color="#9a9a9a40", arrowsize="0.35", penwidth="0.6")
    for n, box in placed.boxes.items():
        members = [t for t in book.terms if cluster_of[t.id] == n]
        hub = max(members, key=lambda t: (len(t.refs_in), [-ord(c) for c in t.title_text]))
        dot.node(f"c{n}", f"{n}: {hub.title_text} …", id=f"c{n}", pos=_pos(box.x, box.y),
                 width=f"{box.width / 72:.3f}", height=f"{box.height / 72:.3f}", fixedsize="true",
                 labelloc="t", fontsize=f"{min(30.0, max(12.0, box.width / 14)):.0f}",
                 fontcolor="#333333", color=PALETTE[n - 1],
                 fillcolor=PALETTE[n - 1] + "38", penwidth="1.2", **{"class": "cluster"})
    index = {t.id: i for i, t in enumerate(book.terms)}
    for t in book.terms:
        i = index[t.id]
        _term_node(dot, f"n{i}", t.title_text, len(t.refs_in), len(t.refs_out), cluster_of[t.id],
                   i, href(t.id), placed.positions[f"n{i}"])
    for j, w in enumerate(drawn):
        dot.node(f"m{j}", f"#{w.id}", id=f"m{j}", shape="box", style="rounded,dashed",
                 color="#c0392b", fontcolor="#c0392b", fontsize=str(_size(w.links)),
                 pos=_pos(*placed.positions[f"m{j}"]),
                 tooltip=f"missing: #{w.id} — wanted by {w.links} link(s) in {len(w.entries)} entries",
                 **{"class": "missing"})
    for t in book.terms:
        for r in t.refs_out:
            if r in index:
                inside = cluster_of[t.id] and cluster_of[t.id] == cluster_of.get(r)
                dot.edge(f"n{index[t.id]}", f"n{index[r]}", color="#40404070" if inside else None,
                         **{"class": f"e f{index[t.id]} t{index[r]}"})
    for j, w in enumerate(drawn):
        for entry in w.entries:
            dot.edge(f"n{index[entry]}", f"m{j}", color="#c0392b66", style="dashed",
                     **{"class": f"e f{index[entry]} tm{j}"})
    return dot


def _pos(x: float, y: float) -> str:
    return f"{x:.2f},{y:.2f}!"


def _term_node(dot: graphviz.Digraph, name: str, title: str, incoming: int, outgoing: int,
               cluster: int, i: int, url: str | None, at: tuple[float, float]) -> None:
    orphan = incoming == 0
    attrs = {
        "id": f"n{i}",
        "pos": _pos(*at),
        "fillcolor": PALETTE[cluster - 1] if cluster else GREY,
        "fontsize": str(_size(incoming)),
        "tooltip": f"{title} — {incoming} incoming, {outgoing} outgoing link(s)"
                   + (" — orphan: no entry links here" if orphan else ""),
        "class": "term" + (" orphan" if orphan else "") + (" deadend" if not outgoing else ""),
    }
    if orphan:
        attrs.update(color="#e67e22", penwidth="3")
    if url:
        attrs.update(URL=url, target="_top")
    dot.node(name, title, **attrs)  # numbered: an id may hold `:`, DOT's port separator


def _size(incoming: int) -> float:
    """Font size in points: 9 for a leaf, growing with the log of the incoming links, at most 22."""
    return round(min(22.0, 9 + 2.2 * math.log2(1 + incoming)), 1)


_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.S)
_SIZE = re.compile(r'<svg width="[^"]*" height="[^"]*"')


def _inline(svg: str) -> str:
    """The bare <svg> element, sized by the page (its viewBox stays)."""
    svg = _PROLOGUE.sub("", svg, count=1)
    return _SIZE.sub('<svg id="graph" role="img" aria-label="link graph"', svg, count=1)
