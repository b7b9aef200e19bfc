"""Book metadata a pandoc project keeps: a title block (`% Title` / `% Author` / `% Date`), a
YAML metadata block or file. pandoc reads them (the parser of record, and the one that project
used), so what it understood is what we import."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import pandoc
from ..pandoc_ast import stringify
from .booktoml import Value

YAML_SUFFIXES = (".yaml", ".yml")
# pandoc metadata field -> book.toml key
_FIELDS = {
    "title": "title", "subtitle": "subtitle", "author": "authors", "authors": "authors",
    "date": "date", "lang": "language", "language": "language", "rights": "license",
    "license": "license", "licence": "license", "copyright": "license", "publisher": "publisher",
    "description": "description", "keywords": "keywords", "identifier": "identifier",
    "subject": "description", "version": "version",
}
_LISTS = ("authors", "keywords")
_MONTHS = {
    **{m: i for i, m in enumerate(["januar", "februar", "märz", "april", "mai", "juni", "juli",
                                   "august", "september", "oktober", "november", "dezember"], 1)},
    **{m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july",
                                   "august", "september", "october", "november", "december"], 1)},
    "jänner": 1, "maerz": 3,
}


def read_meta(path: Path) -> dict[str, Any]:
    """pandoc's metadata for a file: a YAML file, or Markdown with a title block or YAML block.
    Empty when pandoc cannot read it (the caller reports nothing was found there)."""
    try:
        if path.suffix.lower() in YAML_SUFFIXES:
            out, _ = pandoc.run(["-f", "markdown", "-t", "json", f"--metadata-file={path}"], b"")
        else:
            out, _ = pandoc.run(["-f", "markdown", "-t", "json", str(path)])
    except pandoc.PandocError:
        return {}
    meta: dict[str, Any] = json.loads(out).get("meta", {})
    return meta


def has_title_block(text: str) -> bool:
    """pandoc's title block: the file's first line starts with `%`."""
    return text.lstrip("\ufeff").startswith("%")


def book_values(meta: Mapping[str, Any]) -> tuple[dict[str, Value], list[str]]:
    """(book.toml values, notes on what could not be taken over) from pandoc metadata."""
    values: dict[str, Value] = {}
    notes: list[str] = []
    for name, node in meta.items():
        key = _FIELDS.get(name.lower())
        if key is None or key in values:
            continue
        items = _strings(node)
        if not items:
            continue
        if key in _LISTS:
            values[key] = items
        elif key == "date":
            iso = iso_date(items[0])
            if iso:
                values[key] = iso
            else:
                notes.append(f"date „{items[0]}“ is no calendar day; set `date` as YYYY-MM-DD")
        else:
            values[key] = " ".join(items)
    return values, notes


def _strings(node: Any) -> list[str]:
    """The text of a metadata value; an author map contributes its `name`."""
    t = node.get("t")
    if t == "MetaList":
        return [s for item in node["c"] for s in _strings(item)]
    if t == "MetaMap":
        name = node["c"].get("name")
        return _strings(name) if name else []
    if t in ("MetaInlines", "MetaBlocks"):
        text = stringify(node["c"]).strip()
        return [text] if text else []
    if t == "MetaString":
        return [str(node["c"]).strip()] if str(node["c"]).strip() else []
    if t == "MetaBool":
        return []
    return []


def iso_date(text: str) -> str:
    """`2026-11-29`, `29.11.2026`, `29. November 2026`, `November 29, 2026` -> ISO; else ''."""
    text = text.strip()
    patterns: list[tuple[str, tuple[str, str, str]]] = [
        (r"(\d{4})-(\d{1,2})-(\d{1,2})", ("y", "m", "d")),
        (r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})", ("d", "m", "y")),
        (r"(\d{1,2})\.?\s+([^\W\d_]+)\s+(\d{4})", ("d", "M", "y")),
        (r"([^\W\d_]+)\s+(\d{1,2}),?\s+(\d{4})", ("M", "d", "y")),
    ]
    for pattern, order in patterns:
        m = re.fullmatch(pattern, text)
        if not m:
            continue
        parts = dict(zip(order, m.groups(), strict=True))
        month = int(parts["m"]) if "m" in parts else _MONTHS.get(parts["M"].lower(), 0)
        try:
            return dt.date(int(parts["y"]), month, int(parts["d"])).isoformat()
        except ValueError:
            return ""
    return ""
