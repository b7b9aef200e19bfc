"""`glossary new "Term"`: a new entry from `styles/entry.md.j2`, shaped like its siblings.

The entry gets the sections most other entries have (by class, with the title they use most),
a see-also list of the existing terms whose text already mentions the new term, and
`[Index](#Index)`. An id that exists — compared the way the site names its pages, without case
and with umlauts transliterated — is refused, since the two could not both have a page.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .. import diagnostics as dg
from ..config import load_config
from ..formats.html.names import transliterate
from ..model import INDEX_ID, KNOWN_SECTION_CLASSES, SEEALSO, Book
from ..normalise.load import load
from ..normalise.resolve import resolve
from ..normalise.sources import Loaded
from ..normalise.structure import term_id_from_title
from ..pandoc_ast import Node, iter_nodes, stringify
from . import AuthoringError
from .booktoml import comment_language

TEMPLATE = "entry.md.j2"
MAX_SEE_ALSO = 12
_ID = re.compile(r"^[\w.:-]+$")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")
_TEXT = {
    "de": {"tagline": "Der Begriff in einem Satz",
           "definition": "Was **{title}** ist: die Definition in ein, zwei Sätzen.",
           "section": "…", "see_also": "Verwandte Themen"},
    "en": {"tagline": "The term in one sentence",
           "definition": "What **{title}** is: the definition in a sentence or two.",
           "section": "…", "see_also": "See also"},
}
_SECTION_TITLES = {
    "de": {"explanation": "Erklärung", "example": "Beispiel", "examples": "Beispiele",
           "history": "Geschichte", "note": "Hinweis", "quote": "Zitat", "haiku": "Haiku",
           "sources": "Quellen", "references": "Literatur"},
    "en": {"explanation": "Explanation", "example": "Example", "examples": "Examples",
           "history": "History", "note": "Note", "quote": "Quote", "haiku": "Haiku",
           "sources": "Sources", "references": "References"},
}


@dataclass(frozen=True)
class NewEntry:
    path: Path
    id: str
    sections: tuple[str, ...]  # section headings written, `Title {.kind}`
    see_also: tuple[str, ...]  # term ids pre-filled
    waiting: int  # links other entries already make to the id or an alias (they now resolve)
    waiting_files: tuple[str, ...]


def new_entry(source: Path, title: str, ident: str | None, aliases: Sequence[str],
              styles: Path, default_styles: Path) -> NewEntry:
    title = title.strip()
    if not title:
        raise AuthoringError("the term's title is empty", 'e.g. glossary new "Blockchiffre"')
    ident = ident or term_id_from_title(title)
    _check_names(ident, aliases)
    report = dg.Report()
    config = load_config(source, report)
    loaded = load(source, config, report)
    files = _links_to(loaded, {ident, *aliases})  # before resolve rewrites the links in place
    book = resolve(loaded, config, source, report)
    path = source / f"{ident.replace(':', '-')}.md"
    _refuse_taken(book, ident, aliases, path)
    lang = comment_language(config.language)
    sections = _usual_sections(loaded, lang)
    see_also = _mentioning(book, [title, *aliases])
    text = _render(styles, default_styles, {
        "title": title, "id": ident, "aliases": list(aliases), "sections": sections,
        "see_also": [{"label": book.term(t).title_text, "id": t} for t in see_also],
        "see_also_title": _usual_see_also_title(loaded) or _TEXT[lang]["see_also"],
        "text": {k: v.format(title=title) for k, v in _TEXT[lang].items()},
    })
    with path.open("x", encoding="utf-8") as out:  # "x": never overwrite, even in a race
        out.write(text)
    return NewEntry(path, ident, tuple(f"{s['title']} {{.{s['kind']}}}" for s in sections),
                    tuple(see_also), sum(files.values()), tuple(sorted(files)))


def _check_names(ident: str, aliases: Sequence[str]) -> None:
    if not _ID.match(ident):
        raise AuthoringError(f"#{ident} is no valid id",
                             "ids hold letters, digits and - _ . : only; pass --id")
    if ident.casefold() == INDEX_ID.casefold():
        raise AuthoringError(f"#{ident} is reserved for the generated index", "pass another --id")
    for alias in aliases:
        if not alias.strip() or any(c in alias for c in ';"'):
            raise AuthoringError(f"alias „{alias}“ is empty or holds ; or \"",
                                 "pass one --alias per alias")


def fold(name: str) -> str:
    """How the site compares page names: umlauts transliterated, case ignored."""
    return transliterate(name)[0].casefold()


def _refuse_taken(book: Book, ident: str, aliases: Sequence[str], path: Path) -> None:
    taken = {fold(t.id): (t, "id") for t in book.terms}
    taken.update({fold(a): (t, f"alias „{a}“") for t in book.terms for a in t.aliases})
    for name in (ident, *aliases):
        if fold(name) in taken:
            term, what = taken[fold(name)]
            raise AuthoringError(
                f"„{name}“ is taken: the {what} of „{term.title_text}“ (#{term.id}, "
                f"{term.source.file}); nothing was written",
                "choose another --id, or extend the existing entry")
    clash = [p.name for p in path.parent.iterdir() if p.name.casefold() == path.name.casefold()]
    if clash:
        raise AuthoringError(f"{path.parent / clash[0]} exists; nothing was written",
                             "choose another --id")


def _usual_sections(loaded: Loaded, lang: str) -> list[dict[str, str]]:
    """Section kinds at least half the entries have (else the single most used one), in their
    usual order, each with the title most entries give it."""
    kinds: Counter[str] = Counter()
    titles: dict[str, Counter[str]] = {}
    places: dict[str, list[float]] = {}
    terms = [t for f in loaded.files for t in f.terms]
    for term in terms:
        found = _sections_of(term.blocks, term.level)
        for place, (kind, text) in enumerate(found):
            titles.setdefault(kind, Counter())[text] += 1
            places.setdefault(kind, []).append(place / max(len(found), 1))
        kinds.update({kind for kind, _ in found})
    chosen = [k for k, n in kinds.items() if 2 * n >= len(terms)] or [k for k, _ in kinds.most_common(1)]
    chosen.sort(key=lambda k: sum(places[k]) / len(places[k]))
    out = []
    for kind in chosen:
        text, used = titles[kind].most_common(1)[0]
        fallback = _SECTION_TITLES[lang].get(kind, kind.capitalize())
        out.append({"kind": kind, "title": text if used >= 2 else fallback})
    return out


def _sections_of(blocks: list[Node], level: int) -> list[tuple[str, str]]:
    out = []
    for b in blocks:
        if b["t"] == "Header" and b["c"][0] == level + 1:
            known = [c for c in b["c"][1][1] if c in KNOWN_SECTION_CLASSES]
            if known and known[0] != SEEALSO and known[0] not in ("unnumbered", "unlisted"):
                out.append((known[0], stringify(b["c"][2]).strip()))
    return out


def _usual_see_also_title(loaded: Loaded) -> str:
    found: Counter[str] = Counter(
        stringify(b["c"][2]).strip() for f in loaded.files for t in f.terms for b in t.blocks
        if b["t"] == "Header" and SEEALSO in b["c"][1][1])
    return found.most_common(1)[0][0] if found else ""


def _mentioning(book: Book, words: list[str]) -> list[str]:
    """Terms whose text names the new term or an alias as a word (any case), in book order."""
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in words if w.strip()),
                         re.IGNORECASE)
    found = []
    for term in book.terms:
        text = stringify([*term.definition, *(n for s in term.sections for n in s.blocks)])
        if pattern.search(text):
            found.append(term.id)
    return found[:MAX_SEE_ALSO]


def _links_to(loaded: Loaded, names: set[str]) -> Counter[str]:
    """Per file: links (`#Id`, any case, or `Id.md`) to one of the names, terms and pages alike."""
    folded = {n.casefold() for n in names}
    files = {f"{n}.md".casefold() for n in names}
    count: Counter[str] = Counter()
    blocks = [(f.name, [*t.title, *t.blocks]) for f in loaded.files for t in f.terms]
    blocks += [(p.file, p.blocks) for p in loaded.pages]
    for name, nodes in blocks:
        for node in iter_nodes(nodes):
            if node["t"] != "Link":
                continue
            url: str = node["c"][2][0]
            target = url[1:] if url.startswith("#") else url.split("#")[0].rsplit("/", 1)[-1]
            if (url.startswith("#") and target.casefold() in folded) or target.casefold() in files:
                count[name] += 1
    return count


def _render(styles: Path, default_styles: Path, variables: dict[str, object]) -> str:
    folder = styles if (styles / TEMPLATE).is_file() else default_styles
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=False,
                             keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    env.filters["md"] = lambda s: _MD_SPECIAL.sub(r"\\\1", str(s))
    try:
        return env.get_template(TEMPLATE).render(**variables)
    except jinja2.TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f"{folder / TEMPLATE}" + (f":{line}" if line else "")
        raise AuthoringError(f"{where}: the entry template fails: {exc}",
                             "fix the template, or remove it to use the built-in one") from None
