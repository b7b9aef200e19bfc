"""Dictionary order for term titles, per language, reproducible on any machine.

The rule (documented in the README): compare titles letter by letter ignoring case and
diacritics (German DIN 5007-1: Ä = A, Ö = O, Ü = U, ß = ss); leading punctuation is ignored;
titles starting with a digit or symbol form a leading "0–9" group. Ties are broken by
diacritics (plain before accented: Mull < Müll), then case (lower first), then the term id.
Swedish/Finnish and Danish/Norwegian sort their extra letters after Z, as their dictionaries do.
`locale.strxfrm` is not used because it depends on the locales installed on the machine.
"""

from __future__ import annotations

import unicodedata

DIGITS_GROUP = ("0-9", "0–9")
_AFTER_Z: dict[str, tuple[str, ...]] = {
    "sv": ("å", "ä", "ö"),
    "fi": ("å", "ä", "ö"),
    "da": ("æ", "ø", "å"),
    "nb": ("æ", "ø", "å"),
    "nn": ("æ", "ø", "å"),
    "no": ("æ", "ø", "å"),
}
_TAILORED_BASE = 0x10FF00  # private-use code points sort after every letter
_EXPANSIONS = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "þ": "th"}


def _tailored(lang: str) -> tuple[str, ...]:
    return _AFTER_Z.get(lang.split("-")[0].lower(), ())


def _base_letters(text: str, lang: str) -> tuple[str, str, str]:
    """(primary, secondary, tertiary): letters without diacritics or case, a mark per letter for
    its diacritics, and a mark per letter for upper case."""
    after_z = _tailored(lang)
    primary: list[str] = []
    secondary: list[str] = []
    tertiary: list[str] = []
    for ch in text:
        low = ch.lower()
        if low in after_z:
            base, accent = chr(_TAILORED_BASE + after_z.index(low)), "0"
        elif low in _EXPANSIONS:
            base, accent = _EXPANSIONS[low], "1"
        else:
            decomposed = unicodedata.normalize("NFD", low)
            base = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
            accent = "1" if len(decomposed) > len(base) else "0"
        primary.append(base)
        secondary.append(accent * len(base))
        tertiary.append(("1" if ch != low else "0") * len(base))
    return "".join(primary), "".join(secondary), "".join(tertiary)


def _strip_leading_punctuation(text: str) -> str:
    i = 0
    while i < len(text) and (unicodedata.category(text[i])[0] in "PZ" or text[i] in "*_~"):
        i += 1
    return text[i:] or text


def sort_key(title: str, term_id: str, lang: str = "de") -> tuple[object, ...]:
    """A total-order key for a title in language `lang`."""
    text = _strip_leading_punctuation(title.strip())
    primary, secondary, tertiary = _base_letters(text, lang)
    # Primary comparison on letters and digits only: "E-Mail" sorts as "email".
    alnum = "".join(c for c in primary if c.isalnum() or _is_tailored(c))
    group = 1 if _is_letter(primary[:1]) else 0
    return (group, alnum, primary, secondary, tertiary, term_id)


def letter_of(title: str, lang: str = "de") -> tuple[str, str]:
    """The letter group (id, label) a title belongs to: ("A", "A") or ("0-9", "0–9")."""
    text = _strip_leading_punctuation(title.strip())
    primary = _base_letters(text, lang)[0]
    first = primary[:1]
    if _is_tailored(first):
        letter = _tailored(lang)[ord(first) - _TAILORED_BASE].upper()
        return letter, letter
    if not _is_letter(first):
        return DIGITS_GROUP
    return first.upper(), first.upper()


def _is_letter(c: str) -> bool:
    return bool(c) and (c.isalpha() or _is_tailored(c))


def _is_tailored(c: str) -> bool:
    return bool(c) and ord(c[0]) >= _TAILORED_BASE
