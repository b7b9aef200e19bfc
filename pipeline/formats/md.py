"""`md`: the normalised book as one pandoc-Markdown document — the normaliser's output made visible.

Letter groups are H1, terms H2 with their unique ids, links resolved (broken ones as plain
text), the index at the end. It re-enters pandoc cleanly, so other pandoc tools can use it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .. import pandoc, sanitise
from ..model import BROKEN_CLASS, SELF_CLASS, XREF_CLASS
from ..pandoc_ast import Node, walk
from .common.document import ALIASES, document

if TYPE_CHECKING:
    from ..model import Book
    from .context import BuildContext

_ARGS = ["--standalone", "--wrap=none", "--markdown-headings=atx"]


def build(book: Book, out_dir: Path, ctx: BuildContext) -> Path:
    """Write `<slug>.md`."""
    doc = document(book)
    doc["blocks"] = walk(doc["blocks"], _plain)
    # -smart: keep „…“ and – as typed instead of ASCII stand-ins (-- and ").
    data, warnings = pandoc.convert_json(doc, "markdown-smart", _ARGS)
    ctx.pandoc_warnings("md", warnings)
    path = out_dir / f"{book.config.slug}.md"
    with ctx.output(path) as tmp:
        tmp.write_bytes(data)
    return path


def _plain(node: Node) -> Node | list[Node] | None:
    """Source-like Markdown: `[x](#id)` without the model's attributes, taglines unwrapped."""
    t = node["t"]
    if t == "Link" and XREF_CLASS in node["c"][0][1]:
        return {"t": "Link", "c": [["", [], []], node["c"][1], node["c"][2]]}
    if t == "Span" and {BROKEN_CLASS, SELF_CLASS} & set(node["c"][0][1]):
        return list(node["c"][1])
    if t == "Div" and "tagline" in node["c"][0][1]:
        return list(node["c"][1])
    if t == "Div" and ALIASES in node["c"][0][1]:
        return []  # the source form: `aliases="…"` on the heading, which the md keeps
    if t == "Image" and not _local(node["c"][2][0]):
        return {"t": "Span", "c": [["", ["missing-media"], []], node["c"][1]]}
    return None


def _local(url: str) -> bool:
    """An image the Markdown may keep: a relative file or a `data:image/…` (the normaliser refused
    remote and absolute ones, GL601; kept, they would be fetched by whoever renders the file)."""
    return not url.startswith(("/", "\\")) and sanitise.url_ok(url, "img", "src")
