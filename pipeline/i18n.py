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
    },
}


def labels(language: str) -> Mapping[str, str]:
    """Labels for a BCP 47 tag (`de-AT` -> `de`); English for languages without a table."""
    primary = language.split("-")[0].lower()
    return MappingProxyType(_LABELS.get(primary, _LABELS["en"]))
