"""Small helpers over pandoc's JSON AST (the parser of record's data structure)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Node = dict[str, Any]
Attr = list[Any]  # [id, [classes], [[key, value], ...]]

_INLINE_CONTAINERS = {
    "Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps",
}


def attr(ident: str = "", classes: list[str] | None = None, kvs: dict[str, str] | None = None) -> Attr:
    return [ident, list(classes or []), [[k, v] for k, v in (kvs or {}).items()]]


def attr_of(node: Node) -> Attr | None:
    """The Attr of a node that has one, else None."""
    t, c = node.get("t"), node.get("c")
    if c is None:
        return None
    if t == "Header":
        return c[1]  # type: ignore[no-any-return]
    if t in ("Link", "Image", "Span", "Div", "CodeBlock", "Code", "Table", "Figure"):
        return c[0]  # type: ignore[no-any-return]
    return None


def kv(a: Attr, key: str) -> str | None:
    for k, v in a[2]:
        if k == key:
            return str(v)
    return None


def Str(text: str) -> Node:
    return {"t": "Str", "c": text}


def Space() -> Node:
    return {"t": "Space"}


def Para(inlines: list[Node]) -> Node:
    return {"t": "Para", "c": inlines}


def Plain(inlines: list[Node]) -> Node:
    return {"t": "Plain", "c": inlines}


def Header(level: int, a: Attr, inlines: list[Node]) -> Node:
    return {"t": "Header", "c": [level, a, inlines]}


def Div(a: Attr, blocks: list[Node]) -> Node:
    return {"t": "Div", "c": [a, blocks]}


def Span(a: Attr, inlines: list[Node]) -> Node:
    return {"t": "Span", "c": [a, inlines]}


def Link(a: Attr, inlines: list[Node], url: str, title: str = "") -> Node:
    return {"t": "Link", "c": [a, inlines, [url, title]]}


def RawBlock(fmt: str, text: str) -> Node:
    return {"t": "RawBlock", "c": [fmt, text]}


def RawInline(fmt: str, text: str) -> Node:
    return {"t": "RawInline", "c": [fmt, text]}


def BulletList(items: list[list[Node]]) -> Node:
    return {"t": "BulletList", "c": items}


def text_inlines(text: str) -> list[Node]:
    """Plain text as Str/Space inlines (so writers can break lines between words)."""
    out: list[Node] = []
    for i, word in enumerate(text.split(" ")):
        if i:
            out.append(Space())
        if word:
            out.append(Str(word))
    return out


def stringify(node: Any) -> str:
    """Plain text of any AST fragment (like pandoc's `stringify`)."""
    parts: list[str] = []
    _stringify(node, parts)
    return "".join(parts)


def _stringify(node: Any, out: list[str]) -> None:
    if isinstance(node, list):
        for child in node:
            _stringify(child, out)
        return
    if not isinstance(node, dict):
        return
    t: Any = node.get("t")
    c: Any = node.get("c")
    if t == "Str":
        out.append(c)
    elif t in ("Space", "SoftBreak", "LineBreak"):
        out.append(" ")
    elif t in ("Code", "Math"):
        out.append(c[1])
    elif t == "Quoted":
        q = ("\u201e", "\u201c") if c[0]["t"] == "DoubleQuote" else ("\u201a", "\u2018")
        out.append(q[0])
        _stringify(c[1], out)
        out.append(q[1])
    elif t in ("Link", "Image") or t in ("Span", "Div", "Cite"):
        _stringify(c[1], out)
    elif t in _INLINE_CONTAINERS or t in ("Para", "Plain"):
        _stringify(c, out)
    elif t == "Header":
        _stringify(c[2], out)
    elif t in ("Note", "RawInline", "RawBlock"):
        return


def walk(node: Any, fn: Callable[[Node], Node | list[Node] | None]) -> Any:
    """Bottom-up map: `fn` may return a replacement node, a list (spliced), or None (keep)."""
    if isinstance(node, list):
        out: list[Any] = []
        for child in node:
            mapped = walk(child, fn)
            if isinstance(child, dict) and isinstance(mapped, list):
                out.extend(mapped)
            else:
                out.append(mapped)
        return out
    if not isinstance(node, dict) or "t" not in node:
        return node
    new = {"t": node["t"], "c": walk(node["c"], fn)} if "c" in node else dict(node)
    result = fn(new)
    return new if result is None else result


_LEAVES = frozenset({"Str", "Space", "SoftBreak", "LineBreak"})  # most nodes; nothing to map


def transform(node: Any, fn: Callable[[Node], Node | list[Node] | None]) -> Any:
    """In-place bottom-up map, like `walk` but without copying: only for freshly parsed ASTs
    that nothing else holds (the loader's), where copying every node doubled the resolve time.
    `fn` is not called for text leaves (Str, Space, SoftBreak, LineBreak): three of four nodes
    of a glossary, and no caller maps them."""
    if isinstance(node, list):
        i = 0
        while i < len(node):
            child = node[i]
            if isinstance(child, dict):
                if child.get("t") in _LEAVES:
                    i += 1
                    continue
                new = transform(child, fn)
                if new is not child:
                    if isinstance(new, list):
                        node[i : i + 1] = new
                        i += len(new)
                        continue
                    node[i] = new
            elif isinstance(child, list):
                transform(child, fn)
            i += 1
        return node
    if isinstance(node, dict):
        c = node.get("c")
        if isinstance(c, list):
            transform(c, fn)
        result = fn(node)
        return node if result is None else result
    return node


def iter_nodes(node: Any) -> Iterator[Node]:
    """Pre-order traversal of every element node in document order."""
    if isinstance(node, list):
        for child in node:
            yield from iter_nodes(child)
    elif isinstance(node, dict) and "t" in node:
        yield node
        if "c" in node:
            yield from iter_nodes(node["c"])


def is_tagline(block: Node) -> bool:
    """A paragraph that is entirely bold-italic (`***…***`), the tagline convention."""
    if block.get("t") not in ("Para", "Plain"):
        return False
    content = [n for n in block["c"] if n["t"] not in ("Space", "SoftBreak")]
    if len(content) != 1 or content[0]["t"] not in ("Emph", "Strong"):
        return False
    outer = content[0]
    inner = [n for n in outer["c"] if n["t"] not in ("Space", "SoftBreak")]
    want = "Strong" if outer["t"] == "Emph" else "Emph"
    return len(inner) == 1 and inner[0]["t"] == want


def tagline_inlines(block: Node) -> list[Node]:
    """The inlines inside a tagline's bold-italic wrapper."""
    content = [n for n in block["c"] if n["t"] not in ("Space", "SoftBreak")]
    inner = [n for n in content[0]["c"] if n["t"] not in ("Space", "SoftBreak")]
    return list(inner[0]["c"])


BLOCK_TYPES = frozenset({
    "Plain", "Para", "LineBlock", "CodeBlock", "RawBlock", "BlockQuote", "OrderedList",
    "BulletList", "DefinitionList", "Header", "HorizontalRule", "Table", "Figure", "Div",
})
_BRACKETS_ONLY = bytes(c for c in range(256) if c not in b"[]{}")


def might_nest_deeper(json_text: bytes, max_depth: int) -> bool:
    """Whether pandoc's JSON may nest elements deeper than `max_depth`, read in a few
    milliseconds from its brackets alone: innermost `[]`/`{}` pairs are peeled off, one level
    per pass. A bracket inside a string (`[0, 1)`, code) stops the peeling of what encloses it;
    then the answer is yes too, and the caller measures exactly (`flatten_deep`)."""
    brackets = json_text.translate(None, delete=_BRACKETS_ONLY)
    for _ in range(2 * max_depth + 8):  # an element costs two or three JSON levels
        peeled = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if peeled == brackets:
            return bool(peeled)  # brackets left over: some in strings hid the rest, look closer
        brackets = peeled
    return True


def flatten_deep(blocks: list[Node], max_depth: int) -> tuple[list[Node], int]:
    """`blocks` with every element nested deeper than `max_depth` replaced by its plain text
    (a paragraph for a block, a string for an inline), and how deep they went (0 if no deeper).

    Every renderer recurses over the nesting; text nested 2,000 divs deep stays readable."""
    if _depth(blocks) <= max_depth:
        return blocks, 0
    deepest = [0]

    def visit(node: Any, depth: int) -> Any:
        if isinstance(node, list):
            return [visit(child, depth) for child in node]
        if not isinstance(node, dict) or "c" not in node or not isinstance(node["c"], list):
            return node
        if depth >= max_depth:
            deepest[0] = max(deepest[0], depth + _depth(node["c"]))
            text = stringify(node).strip()
            return Para(text_inlines(text)) if node.get("t") in BLOCK_TYPES else Str(text)
        return {"t": node["t"], "c": visit(node["c"], depth + 1)}

    out = visit(blocks, 0)
    return out, deepest[0]


def _depth(node: Any) -> int:
    if isinstance(node, list):
        return max((_depth(child) for child in node), default=0)
    if isinstance(node, dict) and isinstance(node.get("c"), list):
        return 1 + _depth(node["c"])
    return 0
