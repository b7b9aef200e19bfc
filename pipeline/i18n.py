"""The few words the book itself prints, per language (templates get them as `labels`)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

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
    },
}


def labels(language: str) -> Mapping[str, str]:
    """Labels for a BCP 47 tag (`de-AT` -> `de`); English for languages without a table."""
    primary = language.split("-")[0].lower()
    return MappingProxyType(_LABELS.get(primary, _LABELS["en"]))
