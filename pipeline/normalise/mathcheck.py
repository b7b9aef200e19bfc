"""TeX formulas checked once, before any writer runs (GL309).

pandoc's texmath turns a formula into MathML (EPUB, site, and through ziamath the PDF) and into
Word equations (DOCX). A formula it cannot read is printed as its TeX source in every format, so
one batched texmath run finds them all, and `glossary check` reports each at its line and
column. Positions come from the file text: pandoc keeps a formula's TeX verbatim, and the
commonmark reader that locates links reads `$…$` differently, so it cannot be asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import diagnostics as dg
from .. import pandoc
from ..cache import Cache
from ..model import Term
from ..pandoc_ast import Node


@dataclass(frozen=True)
class _Formula:
    term: Term
    display: bool
    tex: str
    nth: int  # occurrence of this TeX in the term's file, in source order


def check_formulas(terms: Sequence[tuple[Term, Sequence[Node]]], source: Path,
                   api_version: list[int], report: dg.Report, cache: Cache | None = None) -> None:
    """Report every formula texmath cannot read. `terms`: each term with its nodes in source
    order (`iter_nodes(term.content)`, or those of them a caller picked out), terms in file
    order, as occurrences are counted per file. A formula's verdict is kept in the cache."""
    formulas = _formulas(terms)
    distinct = sorted({(f.display, f.tex) for f in formulas})
    reasons = _verdicts(distinct, api_version, cache or Cache(None))
    if reasons is None:
        return  # the writers will meet the same pandoc and report it there
    texts: dict[str, str] = {}
    for f in formulas:
        if (f.display, f.tex) in reasons:
            report.add(_diagnostic(f, reasons[(f.display, f.tex)], source, texts))


def _verdicts(distinct: list[tuple[bool, str]], api_version: list[int],
              cache: Cache) -> dict[tuple[bool, str], str] | None:
    """The formulas texmath cannot read -> why (cached per formula; one pandoc run for the rest)."""
    keys = [cache.key("math", str(display), tex) for display, tex in distinct]
    known = {f: cache.get_json("math", k) for f, k in zip(distinct, keys, strict=True)}
    todo = [f for f in distinct if not isinstance(known[f], dict)]
    try:
        failed = pandoc.unreadable_math(todo, api_version) if todo else {}
    except pandoc.PandocError:
        return None
    key_of = dict(zip(distinct, keys, strict=True))
    for i, formula in enumerate(todo):
        known[formula] = {"ok": i not in failed, "why": failed.get(i, "")}
        cache.put_json("math", key_of[formula], known[formula])
    return {f: str(v["why"]) for f, v in known.items() if isinstance(v, dict) and not v.get("ok")}


def _formulas(terms: Sequence[tuple[Term, Sequence[Node]]]) -> list[_Formula]:
    seen: dict[tuple[str, str], int] = {}
    out = []
    for term, nodes in terms:
        for node in nodes:
            if node["t"] != "Math":
                continue
            tex: str = node["c"][1]
            key = (term.source.file, tex)
            seen[key] = seen.get(key, -1) + 1
            out.append(_Formula(term, node["c"][0]["t"] == "DisplayMath", tex, seen[key]))
    return out


def _diagnostic(f: _Formula, reason: str, source: Path, texts: dict[str, str]) -> dg.Diagnostic:
    file = f.term.source.file
    if file not in texts:
        texts[file] = _text(source / file)
    line, column = _locate(texts[file], f) or (f.term.source.line, f.term.source.column)
    shown = " ".join(f.tex.split())
    why = f" ({reason})" if reason else ""
    return dg.make(dg.MATH_INVALID, file, line, column,
                   f"„{f.term.title_text}“: formula ${shown}$ cannot be read{why}; "
                   "every format prints its TeX source",
                   "fix the TeX (texmath reads LaTeX math: \\frac{a}{b}, \\sqrt{x}, x_{i}^{2}, …)")


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError):
        return ""


def _locate(text: str, f: _Formula) -> tuple[int, int] | None:
    """Line and column (1-based) where the formula's TeX starts (after $ or $$ and blank lines)."""
    delimiter = "$$" if f.display else "$"
    at = _find(text, f"{delimiter}{f.tex}{delimiter}", f.nth)
    if at is not None:
        at += len(delimiter)
    else:
        at = _find(text, f.tex, f.nth)
        if at is None:
            return None
    at += len(f.tex) - len(f.tex.lstrip())
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def _find(text: str, needle: str, nth: int) -> int | None:
    at = -1
    for _ in range(nth + 1):
        at = text.find(needle, at + 1)
        if at < 0:
            return None
    return at
