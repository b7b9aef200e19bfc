"""The few words the book itself prints, per language (templates get them as `labels`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from types import MappingProxyType

from .pandoc_ast import Node, Str

_LABELS: dict[str, dict[str, str]] = {
    "de": {
        "contents": "Inhalt",
        "index": "Index",
        "see_also": "Verwandte Themen",
        "referenced_by": "Verweise hierher",
        "page": "S.",
        "page_ref": "→ S.",
        "previous": "Zurück",
        "next": "Weiter",
        "search": "Suche",
        "search_placeholder": "Begriff, Alias oder Stichwort …",
        "no_results": "Keine Treffer",
        "skip_to_content": "Zum Inhalt springen",
        "downloads": "Herunterladen",
        "terms": "Begriffe",
        "imprint": "Impressum",
        "version": "Version",
        "date": "Stand",
        "license": "Lizenz",
        "publisher": "Verlag",
        "author": "Autor",
        "authors": "Autoren",
        "aliases": "Auch",
        "notes": "Anmerkungen",
        "cover": "Umschlag",
        "start": "Start",
        "digits": "0–9",
        "letter_nav": "Buchstaben",
        "back_to_text": "Zurück zum Text",
        "results": "Treffer",
        "landmarks": "Orientierungspunkte",
        "continued": "Fortsetzung",
        "a11y_summary": ("Glossar mit Inhaltsverzeichnis, Index und verlinkten Querverweisen; "
                         "Überschriften gliedern nach Buchstabe, Begriff und Abschnitt."),
        "a11y_math": "Formeln liegen als MathML vor.",
        "a11y_images": "Alle Abbildungen haben Textalternativen.",
        "a11y_no_claim": "Eine Konformität nach WCAG wurde nicht geprüft und wird nicht beansprucht.",
    },
    "en": {
        "contents": "Contents",
        "index": "Index",
        "see_also": "See also",
        "referenced_by": "Referenced by",
        "page": "p.",
        "page_ref": "→ p.",
        "previous": "Previous",
        "next": "Next",
        "search": "Search",
        "search_placeholder": "Term, alias or keyword …",
        "no_results": "No results",
        "skip_to_content": "Skip to content",
        "downloads": "Download",
        "terms": "Terms",
        "imprint": "Imprint",
        "version": "Version",
        "date": "Date",
        "license": "License",
        "publisher": "Publisher",
        "author": "Author",
        "authors": "Authors",
        "aliases": "Also",
        "notes": "Notes",
        "cover": "Cover",
        "start": "Home",
        "digits": "0–9",
        "letter_nav": "Letters",
        "back_to_text": "Back to text",
        "results": "results",
        "landmarks": "Landmarks",
        "continued": "continued",
        "a11y_summary": ("Glossary with a table of contents, an index and linked cross-references; "
                         "headings structure it by letter, term and section."),
        "a11y_math": "Formulas are provided as MathML.",
        "a11y_images": "All images have text alternatives.",
        "a11y_no_claim": "Conformance with WCAG has not been checked and is not claimed.",
    },
}


def labels(language: str) -> Mapping[str, str]:
    """Labels for a BCP 47 tag (`de-AT` -> `de`); English for languages without a table."""
    primary = language.split("-")[0].lower()
    return MappingProxyType(_LABELS.get(primary, _LABELS["en"]))


# Quotation marks for pandoc's smart quotes ("…" and '…' in the source): (open, close) for
# double, then single quotes. Writers would print English marks in every language.
_NNBSP = "\u202f"
_QUOTES: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "de": (("„", "“"), ("‚", "‘")),
    "de-ch": (("«", "»"), ("‹", "›")),
    "en": (("“", "”"), ("‘", "’")),
    "fr": (("«" + _NNBSP, _NNBSP + "»"), ("‹" + _NNBSP, _NNBSP + "›")),
    "es": (("«", "»"), ("“", "”")),
    "it": (("«", "»"), ("“", "”")),
    "pt": (("«", "»"), ("“", "”")),
    "nl": (("“", "”"), ("‘", "’")),
    "da": (("»", "«"), ("›", "‹")),
    "sv": (("”", "”"), ("’", "’")),
    "fi": (("”", "”"), ("’", "’")),
    "nb": (("«", "»"), ("‘", "’")),
    "no": (("«", "»"), ("‘", "’")),
    "pl": (("„", "”"), ("‚", "’")),
    "cs": (("„", "“"), ("‚", "‘")),
    "ru": (("«", "»"), ("„", "“")),
}


def quotes(language: str, double: bool) -> tuple[str, str]:
    """Opening and closing marks for a quotation in `language` (BCP 47; English by default)."""
    tag = language.lower()
    pair = _QUOTES.get(tag) or _QUOTES.get("-".join(tag.split("-")[:2])) or _QUOTES.get(
        tag.split("-")[0]) or _QUOTES["en"]
    return pair[0] if double else pair[1]


def quotation_marks(language: str) -> Callable[[Node], list[Node] | None]:
    """An AST visitor that prints pandoc's Quoted nodes with the language's own marks."""
    double, single = quotes(language, True), quotes(language, False)

    def visit(node: Node) -> list[Node] | None:
        if node.get("t") != "Quoted":
            return None
        opening, closing = double if node["c"][0]["t"] == "DoubleQuote" else single
        return [Str(opening), *node["c"][1], Str(closing)]

    return visit


@lru_cache(maxsize=64)
def written_date(iso: str, language: str) -> str:
    """`2026-11-29` as the language writes it in running text: `29. November 2026` (de),
    `November 29, 2026` (en), `29 November 2026` (en-GB); `2025-03` -> `März 2025`; a year stays.

    CLDR's patterns via Babel: every language's month names and order without a table of our
    own. A language CLDR does not know keeps the ISO form. Metadata (EPUB `dc:date`, DOCX core
    properties, `<time datetime>`) keeps the ISO value; this is only for what a reader reads.
    """
    import datetime as dt

    from babel import Locale, UnknownLocaleError  # imported here: `check` never writes a date
    from babel.dates import format_date, format_skeleton

    parts = iso.split("-")
    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return iso
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return str(format_skeleton("yMMMM", dt.date(int(parts[0]), int(parts[1]), 1), locale=locale))
    return str(format_date(dt.date.fromisoformat(iso), "long", locale=locale))


# Languages written right to left (primary subtags): Arabic, Hebrew, Persian, Urdu, Yiddish,
# Pashto, Sindhi, Uyghur, Dhivehi, Central Kurdish, Syriac.
RTL_LANGUAGES = frozenset({"ar", "he", "iw", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb", "syr"})


def text_direction(language: str) -> str:
    """`rtl` for a language written right to left (`ar`, `he-IL`), else `ltr`."""
    return "rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"
