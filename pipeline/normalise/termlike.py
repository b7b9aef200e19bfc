"""Files without a `.term` heading, judged against their siblings instead of dropped.

A glossary converted from a pandoc/Makefile project often has a few entries whose heading lacks
`.term` (`## LAM {#LAM}`) and a hand-kept index page (letter headings over lists of links).
Dropping the first silently turns every link to them into a "broken link"; publishing the second
prints the index twice. So a term-less file is one of:

- a hand-kept index page: reported (GL310), not published, its links still checked;
- a term whose heading lacks `.term`, when the other files are terms and the heading sits at
  their level: read as a term with a warning (GL209) — the id from the heading, or from the
  file name when the file has only that one heading;
- anything else: no entry (GL303, decided by the loader).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .. import diagnostics as dg
from ..pandoc_ast import Node, iter_nodes, stringify
from .structure import term_id_from_title

INDEX, TERM, OTHER = "index", "term", "other"
TERM_CLASS = "term"
INDEX_MIN_LETTERS = 2  # letter headings a hand-kept index has at least
INDEX_MIN_LINKS = 3
INDEX_LINK_SHARE = 0.8  # of its list items that are a link to an id
_LETTER = re.compile(r"^(?:[^\W\d_]|0[-–]9|#)$")
_ATX = re.compile(r"^( {0,3})(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ID_CHARS = re.compile(r"[^\w.:-]+")


@dataclass
class Verdict:
    kind: str  # INDEX, TERM or OTHER
    blocks: list[Node]  # for TERM: the blocks with the promoted headings marked .term
    diagnostics: list[dg.Diagnostic] = field(default_factory=list)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)  # promoted id -> line, col
    links: int = 0  # INDEX: internal links on the page


def judge(name: str, text: str, blocks: list[Node], term_levels: Collection[int],
          allowed_classes: Collection[str]) -> Verdict:
    """What a file without a term heading is. `term_levels`: the heading levels the sibling
    files' terms use (empty when the siblings are not mostly terms)."""
    links = _internal_links(blocks)
    if is_index_page(blocks):
        return Verdict(INDEX, blocks, [_index_diagnostic(name, links)], links=links)
    if term_levels:
        promoted = _promote(name, text, blocks, frozenset(term_levels), allowed_classes)
        if promoted is not None:
            return promoted
    return Verdict(OTHER, blocks)


def is_index_page(blocks: list[Node]) -> bool:
    """Letter headings (`## A`) over lists whose items are links to ids."""
    letters = sum(1 for b in blocks if b["t"] == "Header" and _LETTER.match(stringify(b["c"][2]).strip()))
    items = [item for b in blocks if b["t"] in ("BulletList", "OrderedList")
             for item in (b["c"] if b["t"] == "BulletList" else b["c"][1])]
    linked = sum(1 for item in items if _internal_links(item) > 0)
    return (letters >= INDEX_MIN_LETTERS and linked >= INDEX_MIN_LINKS
            and linked >= INDEX_LINK_SHARE * len(items))


def _internal_links(node: object) -> int:
    return sum(1 for n in iter_nodes(node) if n["t"] == "Link" and n["c"][2][0].startswith("#"))


def _index_diagnostic(name: str, links: int) -> dg.Diagnostic:
    return dg.make(dg.FILE_INDEX_PAGE, name, 1, 1,
                   f"hand-kept index page: the generated index supersedes it, so it is not "
                   f"published; its {links} links are checked",
                   "delete it once its links check clean (every term is in the generated index), "
                   "or add it to `exclude` in book.toml")


def _promote(name: str, text: str, blocks: list[Node], levels: frozenset[int],
             allowed: Collection[str]) -> Verdict | None:
    headers = [i for i, b in enumerate(blocks) if b["t"] == "Header"]
    if not headers:
        return None
    level = blocks[headers[0]]["c"][0]
    if level not in levels:
        return None
    lines = heading_lines(text)
    out = list(blocks)
    verdict = Verdict(TERM, out)
    first_ident = _written_id(blocks[headers[0]])
    same_level = [i for i in headers if blocks[i]["c"][0] <= level]
    if first_ident:
        chosen = [i for i in same_level if blocks[i]["c"][0] == level and _written_id(blocks[i])]
    elif len(same_level) == 1:
        chosen = same_level
    else:
        return None
    for i in chosen:
        header, diagnostics = _as_term(name, blocks[i], allowed, lines, headers.index(i))
        if header is None:
            if i == headers[0]:
                return None
            continue
        out[i] = header
        verdict.diagnostics.extend(diagnostics)
        ident = header["c"][1][0]
        verdict.positions[ident] = (diagnostics[0].line, diagnostics[0].column)
    return verdict


def _written_id(header: Node) -> str:
    """The heading's id, also from an attribute block pandoc could not read (a missing `}`)."""
    ident: str = header["c"][1][0]
    if ident:
        return ident
    _title, raw = split_unclosed(header["c"][2])
    token = next((t for t in raw[1:].split() if t.startswith("#")), "") if raw else ""
    return _ID_CHARS.sub("-", token[1:]).strip("-")


def _as_term(name: str, header: Node, allowed: Collection[str], lines: list[tuple[int, int]],
             nth: int) -> tuple[Node | None, list[dg.Diagnostic]]:
    level, (ident, classes, kvs), inlines = header["c"]
    title, raw = split_unclosed(inlines)
    written = [t for t in raw[1:].split()] if raw else []
    classes = [*classes, *(t[1:] for t in written if t.startswith("."))]
    if any(c not in allowed for c in classes):
        return None, []
    line, col = lines[nth] if nth < len(lines) else (0, 0)
    title_text = stringify(title).strip()
    diagnostics = []
    if raw:
        ident = _written_id(header)
        diagnostics.append(dg.make(
            dg.ID_INVALID, name, line, col,
            f"the attribute block {raw} is not closed (missing }}); published as #{ident}",
            f"close it: {{#{ident} .term}}"))
    from_name = not ident
    if from_name:
        ident = term_id_from_title(PurePosixPath(name).stem)
    where = "its id from the file name, " if from_name else ""
    diagnostics.insert(0, dg.make(
        dg.TERM_NO_CLASS, name, line, col,
        f"heading „{title_text}“ looks like a term (the other files are terms) but has no .term "
        f"class; read as term #{ident} ({where}not dropped)",
        f"add .term: {'#' * level} {title_text} {{#{ident} .term}} — or, if it is no entry, list "
        "it in `front`, `back` or `exclude` in book.toml"))
    kept = [c for c in classes if c != TERM_CLASS]
    return {"t": "Header", "c": [level, [ident, [TERM_CLASS, *kept], kvs], title]}, diagnostics


def split_unclosed(inlines: list[Node]) -> tuple[list[Node], str]:
    """A heading's title and the text of an attribute block left open (`{#LAM .term`), or ''."""
    start = next((i for i, n in enumerate(inlines) if n["t"] == "Str" and n["c"].startswith("{")), None)
    if start is None:
        return inlines, ""
    raw = stringify(inlines[start:]).strip()
    if raw.endswith("}") or not raw[1:].lstrip().startswith(("#", ".")):
        return inlines, ""
    title = inlines[:start]
    while title and title[-1]["t"] in ("Space", "SoftBreak"):
        title = title[:-1]
    return title, raw


def heading_lines(text: str) -> list[tuple[int, int]]:
    """(line, column) of every ATX heading outside fenced code, in order — a position for the
    k-th heading of the AST when no `.term` class marks it."""
    out: list[tuple[int, int]] = []
    fence = ""
    for number, line in enumerate(text.splitlines(), start=1):
        m = _FENCE.match(line)
        if m and (not fence or (m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence))):
            fence = "" if fence else m.group(1)
            continue
        if not fence and (h := _ATX.match(line)):
            out.append((number, len(h.group(1)) + 1))
    return out


def heading_with_id(text: str, ident: str) -> tuple[int, int]:
    """(line, column) of the first ATX heading whose attributes name `#ident`, else (0, 0)."""
    pattern = re.compile(rf"^( {{0,3}})#{{1,6}}[ \t].*\{{[^}}\n]*#{re.escape(ident)}(?=[\s}}]|$)")
    for number, line in enumerate(text.splitlines(), start=1):
        m = pattern.match(line)
        if m:
            return number, len(m.group(1)) + 1
    return 0, 0
