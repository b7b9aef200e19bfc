"""Unsafe content taken out of every entry before anything else reads it (GL609).

Right after loading, each term's AST (and each front or back matter page) goes through the one
allowlist (`pipeline.sanitise`): raw HTML is cleaned, pandoc attributes (`[x]{onclick=…}`) and
link targets (`javascript:`) that are off the list are dropped, and raw blocks of other formats
(`{=openxml}`, `{=latex}`) are removed: no output could show them safely (raw Word XML can add
fields that fetch files or run programs), and the only raw markup a glossary needs is HTML. So
`check` reports what goes, at the line it is written on, and every format is built from the
same cleaned book.

pandoc hands raw HTML over in pieces (`<b onclick=…>`, then the text as Markdown, then
`</b>`), which cannot be cleaned one by one. So each list of nodes holding raw HTML is cleaned
as one HTML string in which every other node stands as a placeholder; the cleaned string is
cut back into raw pieces around the placeholders. A node whose placeholder did not survive was
inside removed content (a `<script>` or `<noscript>`) and goes with it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import diagnostics as dg
from .. import sanitise
from ..pandoc_ast import Node, RawBlock, RawInline, Span, attr, attr_of, stringify
from .positions import IMAGE, LINK, Locator
from .titles import plain_title

if TYPE_CHECKING:
    from .sources import RawTerm, SourceFile

_HTML = frozenset({"html", "html4", "html5"})
_LEAVES = frozenset({"Str", "Space", "SoftBreak", "LineBreak", "Math"})
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_TAG_OF = {"Span": "span", "Div": "div", "Code": "code", "CodeBlock": "pre", "Link": "a",
           "Image": "img", "Table": "table", "Figure": "figure"}
KEPT_KEYS = frozenset({"custom-style"})  # pandoc's own (a Word style name), no HTML attribute
HINT = "see the README, section Security, for what an entry may contain"
MAX_SHOWN = 4


def neutralise(f: SourceFile, locator: Locator, report: dg.Report) -> None:
    """Clean every term of a freshly cut file in place; report each removal (GL609). The
    loader calls it before it keeps the file's terms (in the build cache too)."""
    seen: dict[str, int] = {}  # occurrences of each link (image) URL in the file, in order
    for term in f.terms:
        _Term(f, term, locator, report, seen).run()
        plain_title(term, report)


def neutralise_page(f: SourceFile, blocks: list[Node], report: dg.Report) -> list[Node]:
    """A front or back matter page's blocks through the same allowlist, its findings (GL609)
    settled at their positions; the loader keeps only the cleaned blocks."""
    from .sources import RawTerm

    locator = Locator({f.name: f.text})
    found = dg.Report()
    page = RawTerm(f.name, 0, 0, "", [], {}, [], blocks, 1, 1)
    _Term(f, page, locator, found, {}, title=f.name).run()
    locator.settle(found)
    report.extend(found)
    return page.blocks


@dataclass
class _Term:
    file: SourceFile
    term: RawTerm
    locator: Locator
    report: dg.Report
    seen: dict[str, int]
    title: str = ""
    _start: int = 0
    _cursor: int = 0
    _lines: list[int] = field(default_factory=list)

    def run(self) -> None:
        self.title = self.title or stringify(self.term.title).strip() or self.term.id
        self._start = self._cursor = self._offset(self.term.line)
        self.term.title = self._list(self.term.title)
        self.term.blocks = self._list(self.term.blocks)

    # --- the walk ------------------------------------------------------------------------

    def _list(self, items: list[Any]) -> list[Any]:
        """A list from the AST (nodes, or a node's mixed content), cleaned bottom-up."""
        out: list[Any] = []
        raw = False
        for item in items:
            if isinstance(item, dict):
                if item.get("t") in _LEAVES:  # most nodes: nothing inside, nothing to check
                    out.append(item)
                    continue
                done = self._node(item)
                out.extend(done if isinstance(done, list) else [done])
                raw = raw or _is_raw_html(done)
            else:
                out.append(self._list(item) if isinstance(item, list) else item)
        return self._raw_group(out) if raw else out

    def _node(self, node: Node) -> Node | list[Node]:
        t = node.get("t")
        if t in ("RawBlock", "RawInline") and str(node["c"][0]).lower() not in _HTML:
            self._raw_other(node)
            return []
        if t == "Link" and not self._url_ok(node, LINK, "a", "href"):
            return Span(attr(), self._list(node["c"][1]))
        if t == "Image" and node["c"][2][0].lstrip().lower().startswith("data:") and \
                not self._url_ok(node, IMAGE, "img", "src"):
            return Span(attr(), self._list(node["c"][1]))
        if isinstance(node.get("c"), list):
            node["c"] = self._list(node["c"])
        a = attr_of(node)
        if a is not None and a[2]:
            self._attributes(node, a)
        return node

    # --- the three kinds of removal ------------------------------------------------------

    def _url_ok(self, node: Node, kind: str, tag: str, attribute: str) -> bool:
        url: str = node["c"][2][0]
        nth = self.seen.get(kind + url, 0)
        self.seen[kind + url] = nth + 1
        if url.startswith("#") or sanitise.attribute_ok(tag, attribute, url):
            return True
        what = "link" if kind == LINK else "image"
        label = stringify(node["c"][1]).strip()
        diagnostic = self._diagnostic(
            self.term.line, self.term.column,
            f"{what} „{label}“ to {_short(url)} removed (an entry may link http, https, mailto, "
            f"tel and the book's own pages; images are files)" + ("; its text is kept" if label else ""),
            "link a web page (https://…) or a term (#Id)")
        self.locator.defer(diagnostic, kind, url, nth)
        return False

    def _attributes(self, node: Node, a: list[object]) -> None:
        tag = f"h{node['c'][0]}" if node["t"] == "Header" else _TAG_OF.get(node["t"], "span")
        kept, gone = [], []
        for key, value in a[2]:  # type: ignore[attr-defined]
            if key in KEPT_KEYS or sanitise.attribute_ok(tag, key, value):
                kept.append([key, value])
            else:
                gone.append(key)
        if gone:
            a[2] = kept
            line, col = self._find(f"{gone[0]}=")
            self._report(line, col, f"attribute {_listed(gone)} removed from <{tag}> "
                                    "(only harmless attributes are kept)")

    def _raw_other(self, node: Node) -> None:
        fmt, text = node["c"]
        line, col = self._find(text)
        block = "block" if node["t"] == "RawBlock" else "inline"
        why = ("raw Word XML could add fields that fetch files or run programs" if fmt == "openxml"
               else "no format of this book reads it")
        self._report(line, col, f"raw {fmt} {block} removed ({why})",
                     "write it in Markdown (or as HTML, which is cleaned)")

    def _raw_group(self, items: list[Node]) -> list[Node]:
        block = any(n.get("t") == "RawBlock" for n in items if isinstance(n, dict))
        pieces: list[str] = []
        parts: list[str] = []
        for i, node in enumerate(items):
            if _is_raw_html(node):
                piece = node["c"][1].replace(_OPEN, "\ufffd").replace(_CLOSE, "\ufffd")
                pieces.append(piece)
                parts.append(piece)
            else:
                parts.append(f"{_OPEN}{i}{_CLOSE}")
        cleaned = sanitise.clean(("\n" if block else "").join(parts))
        for piece, gone in zip(pieces, sanitise.removed(pieces, cleaned), strict=True):
            if gone:
                line, col = self._find(piece)
                self._report(line, col, f"raw HTML removed: {_listed(gone)}")
        return _rebuilt(cleaned, items, RawBlock if block else RawInline, block)

    # --- positions and messages ----------------------------------------------------------

    def _report(self, line: int, col: int, message: str, hint: str = HINT) -> None:
        self.report.add(self._diagnostic(line, col, message, hint))

    def _diagnostic(self, line: int, col: int, message: str, hint: str) -> dg.Diagnostic:
        return dg.make(dg.UNSAFE_REMOVED, self.term.file, line, col, f"„{self.title}“: {message}", hint)

    def _find(self, text: str) -> tuple[int, int]:
        """Line and column of `text` in the file, searched from the last find on (then from the
        term's heading); pandoc re-quotes the attributes of raw tags, so the text unescaped and
        its first word (`<details`) are tried too; the heading when nothing is found."""
        first_word = text.split(None, 1)[0] if text.strip() else ""
        for probe in dict.fromkeys((text, html.unescape(text), first_word)):
            for start in (self._cursor, self._start):
                at = self.file.text.find(probe, start) if probe else -1
                if at >= 0:
                    self._cursor = at + len(probe)
                    line = self.file.text.count("\n", 0, at) + 1
                    return line, at - (self.file.text.rfind("\n", 0, at) + 1) + 1
        return self.term.line, self.term.column

    def _offset(self, line: int) -> int:
        at = 0
        for _ in range(max(line - 1, 0)):
            nxt = self.file.text.find("\n", at)
            if nxt < 0:
                break
            at = nxt + 1
        return at


def _rebuilt(cleaned: str, items: list[Node], raw: Callable[[str, str], Node], block: bool) -> list[Node]:
    """The list again: cleaned raw pieces between the nodes whose placeholders survived."""
    out: list[Node] = []
    for i, part in enumerate(_PLACEHOLDER.split(cleaned)):
        if i % 2:
            index = int(part)
            if index < len(items) and not _is_raw_html(items[index]):
                out.append(items[index])
        elif part.strip() if block else part:
            out.append(raw("html", part.strip() if block else part))
    return out


def _is_raw_html(node: object) -> bool:
    return (isinstance(node, dict) and node.get("t") in ("RawBlock", "RawInline")
            and str(node["c"][0]).lower() in _HTML)


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_SHOWN])
    return shown + (f" and {len(items) - MAX_SHOWN} more" if len(items) > MAX_SHOWN else "")


def _short(url: str) -> str:
    flat = re.sub(r"\s+", " ", url)
    return flat if len(flat) <= 60 else flat[:59] + "…"
