"""Writing `book.toml`: every key present, set or commented out with an example, and explained
in the book's language (German for German books, English otherwise)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"
Value = str | Sequence[str]


def comment_language(language: str) -> str:
    """`de` for German books (de, de-AT, de-CH, …), `en` for every other language."""
    return "de" if language.split("-")[0].lower() == "de" else "en"


def toml_value(value: Value) -> str:
    """A TOML string or list of strings. A JSON string is a valid TOML basic string."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"


def render(values: Mapping[str, Value], language: str, notes: Mapping[str, str] | None = None) -> str:
    """book.toml text: keys in `values` are set (`pdf.page-size` for the [pdf] table), every
    other key is a commented example. `notes`: a comment to print above a key (where a value
    came from, what to check)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False,
                             keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    shown = dict(notes or {})

    def key(name: str, example: Value) -> str:
        short = name.rsplit(".", 1)[-1]
        note = f"# ↳ {shown[name]}\n" if name in shown else ""
        if name in values:
            return f"{note}{short} = {toml_value(values[name])}"
        return f"{note}# {short} = {toml_value(example)}"

    template = env.get_template(f"book.{comment_language(language)}.toml.j2")
    return template.render(key=key)
