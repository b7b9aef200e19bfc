"""`md`: the normalised book as one pandoc-Markdown document — the normaliser's output made visible.

Letter groups are H1, terms H2 with their unique ids, links resolved (broken ones as plain
text), the index at the end. It re-enters pandoc cleanly, so other pandoc tools can use it.

pandoc's Markdown writer takes time and memory more than in proportion to its input (3,000
entries: 91 s and 3.2 GB in one run), so the document is written in shards of letter groups,
side by side, each started as soon as it is made, and joined. The shards are cut by content
alone (`SHARD_TERMS`), so the bytes are the same on every machine, and they are the bytes of
one run: footnotes, which the writer numbers through its run and gathers at its end, are taken
out first (`[^N]` written as raw Markdown, numbered through the book) and their texts written
by one last run.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import pandoc, sanitise
from ..model import BROKEN_CLASS, SELF_CLASS, XREF_CLASS
from ..pandoc_ast import Node, walk
from .common.document import ALIASES, metadata, parts

if TYPE_CHECKING:
    from ..model import Book
    from .context import BuildContext

_ARGS = ["--wrap=none", "--markdown-headings=atx"]
SHARD_TERMS = 100  # terms per pandoc run at least (a run costs its start, ~0.1 s)


def build(book: Book, out_dir: Path, ctx: BuildContext) -> Path:
    """Write `<slug>.md`."""
    head = {"pandoc-api-version": list(book.pandoc_api_version), "meta": metadata(book)}
    notes: list[Any] = []
    with pandoc.SideBySide() as pool:
        runs = [_start(pool, {**head, "blocks": blocks}, first=i == 0)
                for i, blocks in enumerate(_shards(book, notes))]
        if notes:  # after the shards: `_shards` has gathered them all
            para = {"t": "Para", "c": [{"t": "Note", "c": body} for body in notes]}
            runs.append(_start(pool, {**head, "blocks": [para]}, first=False))
        written = [run.result() for run in runs]
    for _, warnings in written:
        ctx.pandoc_warnings("md", warnings)
    texts = [out.decode("utf-8") for out, _ in written]
    if notes:  # the run of the notes: "[^1][^2]…", then their texts
        texts[-1] = texts[-1].split("\n\n", 1)[1]
    path = out_dir / f"{book.config.slug}.md"
    with ctx.output(path) as tmp:
        tmp.write_bytes("\n".join(texts).encode("utf-8"))
    return path


def _start(pool: pandoc.SideBySide, doc: dict[str, Any], first: bool) -> Future[tuple[bytes, str]]:
    # -smart: keep „…“ and – as typed instead of ASCII stand-ins (-- and "); the YAML header once.
    args = ["--standalone", *_ARGS] if first else _ARGS
    return pool.submit(pandoc.convert_json, doc, "markdown-smart", args)


def _shards(book: Book, notes: list[Any]) -> Iterator[list[Node]]:
    """The document's parts, joined until each holds `SHARD_TERMS` terms, in source-like form;
    every footnote taken out into `notes`."""

    def plain(node: Node) -> Node | list[Node] | None:
        if node["t"] == "Note":
            notes.append(node["c"])
            return {"t": "RawInline", "c": ["markdown", f"[^{len(notes)}]"]}
        return _plain(node)

    shard: list[Node] = []
    terms = 0
    for count, blocks in parts(book):
        if terms >= SHARD_TERMS:
            yield shard
            shard, terms = [], 0
        shard += walk(blocks, plain)
        terms += count
    yield shard


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
