"""Where the link graph's nodes go: clusters kept together, every step a Graphviz layout.

Graphviz's cluster-aware layouts (`fdp`, `neato -Gmode=ipsep`) give a different picture on every
run, even seeded; its flat layouts (`sfdp`, `neato`) are reproducible. So the layout is made
of flat ones, in two levels:

1. each cluster on its own: `sfdp` over the links inside it, with `prism` overlap removal
   (one Graphviz run, the clusters as separate components);
2. the clusters as boxes of that size, plus every node outside a cluster, placed by `neato`
   over the links between them, again without overlaps;
3. each node at its box's place plus its place inside the box.

The drawing (graph.py) then only draws, at these positions (`neato -n`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import graphviz

Point = tuple[float, float]
Placed = tuple[float, float, float, float]  # centre x, y and width, height, in points
NODE_ATTRS = {"shape": "box", "style": "rounded,filled", "fontname": "DejaVu Sans",
              "margin": "0.06,0.03", "height": "0.2", "width": "0.2"}
BOX_PAD = 18.0  # points around a cluster's nodes, and room for its label above them
LABEL_ROOM = 44.0


@dataclass(frozen=True)
class Box:
    """A cluster's place: centre and size in points."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Layout:
    positions: dict[str, Point]  # node name -> centre, in points
    boxes: dict[int, Box]  # cluster number -> its box


def lay_out(groups: Mapping[int, list[str]], labels: Mapping[str, tuple[str, float]],
            edges: Iterable[tuple[str, str]]) -> Layout:
    """`groups`: cluster number -> node names (0: not in a cluster); `labels`: node name ->
    (label, font size); `edges`: links between node names."""
    edges = list(edges)
    group_of = {n: g for g, names in groups.items() for n in names}
    local = _inside_clusters(groups, labels, edges, group_of)
    sizes = {g: _extent(local, names) for g, names in groups.items() if g}
    centres = _between_clusters(groups, labels, edges, group_of, sizes)
    positions: dict[str, Point] = {}
    boxes: dict[int, Box] = {}
    for g, names in groups.items():
        if not g:
            positions.update({n: centres[n][:2] for n in names})
            continue
        (x0, y0, x1, y1) = sizes[g]
        cx, cy = centres[f"cluster {g}"][:2]
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        for n in names:
            px, py = local[n][:2]
            positions[n] = (round(cx + px - mx, 2), round(cy + py - my - LABEL_ROOM / 2, 2))
        boxes[g] = Box(cx, cy, x1 - x0 + 2 * BOX_PAD, y1 - y0 + 2 * BOX_PAD + LABEL_ROOM)
    return Layout(positions, boxes)


def _inside_clusters(groups: Mapping[int, list[str]], labels: Mapping[str, tuple[str, float]],
                     edges: list[tuple[str, str]], group_of: dict[str, int]) -> dict[str, Placed]:
    g = graphviz.Graph(engine="sfdp")
    g.attr(overlap="prism", overlap_scaling="-3", start="1", splines="false", pack="true")
    g.attr("node", **NODE_ATTRS)
    members = [n for grp, names in groups.items() if grp for n in names]
    for n in members:
        label, size = labels[n]
        g.node(n, label, fontsize=str(size))
    for a, b in edges:
        if group_of.get(a) and group_of.get(a) == group_of.get(b) and a != b:
            g.edge(a, b)
    return _positions(g) if members else {}


def _between_clusters(groups: Mapping[int, list[str]], labels: Mapping[str, tuple[str, float]],
                      edges: list[tuple[str, str]], group_of: dict[str, int],
                      sizes: dict[int, tuple[float, float, float, float]]) -> dict[str, Placed]:
    g = graphviz.Graph(engine="neato")
    g.attr(overlap="prism", overlap_scaling="0", start="1", splines="false", sep="+12")
    g.attr("node", **NODE_ATTRS)
    for grp, (x0, y0, x1, y1) in sizes.items():
        g.node(f"cluster {grp}", "", fixedsize="true", width=str((x1 - x0 + 2 * BOX_PAD) / 72),
               height=str((y1 - y0 + 2 * BOX_PAD + LABEL_ROOM) / 72))
    for n in groups.get(0, []):
        label, size = labels[n]
        g.node(n, label, fontsize=str(size))

    def place(n: str) -> str:
        return f"cluster {group_of[n]}" if group_of.get(n) else n

    seen = set()
    for a, b in edges:
        pair = tuple(sorted((place(a), place(b))))
        if pair[0] != pair[1] and pair not in seen:
            seen.add(pair)
            g.edge(*pair)
    return _positions(g)


def _positions(g: graphviz.Graph) -> dict[str, Placed]:
    data = json.loads(g.pipe(format="json0", encoding="utf-8"))
    out = {}
    for obj in data.get("objects", []):
        if "pos" in obj:
            x, y = obj["pos"].split(",")
            out[obj["name"]] = (float(x), float(y), 72 * float(obj["width"]), 72 * float(obj["height"]))
    return out


def _extent(local: dict[str, Placed], names: list[str]) -> tuple[float, float, float, float]:
    """Bounding box of a cluster's nodes, as Graphviz measured them."""
    boxes = [local[n] for n in names]
    return (min(x - w / 2 for x, _, w, _ in boxes), min(y - h / 2 for _, y, _, h in boxes),
            max(x + w / 2 for x, _, w, _ in boxes), max(y + h / 2 for _, y, _, h in boxes))
