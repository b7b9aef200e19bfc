"""The word forms under which a term's title or alias may appear in running text.

German: the last word of a name is a noun and takes the Genitiv (-s, -es) and plural/dative
endings (-e, -en, -n, -er, -ern, -nen after -in, -se after -nis, -en for -us/-um); a word
before a space is an adjective and takes the adjective endings (`Öffentlicher Schlüssel` →
`öffentlichen Schlüssels`). An umlaut plural (`Satz` → `Sätze`) cannot be derived from the
spelling and is matched only when the alias list names it. English (and every other book
language): plural -s/-es/-ies and the possessive 's. Acronyms (`KI`, `RSA`, `IoT`) match only
as written, plus a plural -s. Words of one to three letters take no ending but -s: `Rat`
must not find `Rate`.

Forms are generated once per name, so matching a word is one dictionary look-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A word: letters/digits, with inner apostrophes (Kerckhoffs’sches, model’s); words joined by
# hyphens form a compound token.
PART = r"[^\W_]+(?:['’][^\W_]+)*"
HYPHENS = "-\u2010\u2011"
TOKEN = re.compile(rf"{PART}(?:[{HYPHENS}]{PART})*")
PART_RE = re.compile(PART)

_DE_NOUN = ("", "s", "es", "e", "en", "n", "er", "ern", "ens")
_DE_ADJECTIVE = ("", "e", "en", "em", "er", "es")
_EN_NOUN = ("", "s", "es", "’s", "s’")


def fold(word: str) -> str:
    """Case-insensitive key of a word; both apostrophes are one. `lower`, not `casefold`: it
    keeps the length (ß stays ß), so offsets in the folded text are offsets in the text."""
    return word.lower().replace("'", "’")


def is_german(language: str) -> bool:
    return language.casefold().split("-")[0] == "de"


def is_acronym(word: str) -> bool:
    """`KI`, `RSA`, `IoT`, `3DES`, `2FA`: an upper-case letter after the first character, or a
    digit; such a word is compared as written."""
    return any(ch.isupper() for ch in word[1:]) or any(ch.isdigit() for ch in word)


@dataclass(frozen=True)
class NameWord:
    forms: frozenset[str]  # folded forms, or exact spellings when `exact`
    exact: bool  # an acronym: compared case-sensitively
    capital: bool  # a German noun: the text must capitalise it too (`prompt` is no `Prompt`)

    def matches(self, word: str) -> bool:
        if self.exact:
            return word in self.forms
        if self.capital and not word[:1].isupper():
            return False
        return fold(word) in self.forms


def name_words(name: str, language: str) -> tuple[NameWord, ...]:
    """The words of a title or alias with the forms each may take; () when it has no word."""
    german = is_german(language)
    out: list[NameWord] = []
    chunks = [c for c in re.split(r"\s+", name.strip()) if c]
    for ci, chunk in enumerate(chunks):
        parts = PART_RE.findall(chunk)
        for pi, part in enumerate(parts):
            last = ci == len(chunks) - 1 and pi == len(parts) - 1
            before_space = pi == len(parts) - 1 and not last
            out.append(_word(part, german, last, before_space, single=len(chunks) == 1 == len(parts)))
    return tuple(out)


def _word(part: str, german: bool, last: bool, before_space: bool, single: bool) -> NameWord:
    if is_acronym(part) or part.isdigit():
        return NameWord(frozenset({part, part + "s"}), exact=True, capital=False)
    word = fold(part)
    if len(word) <= 3:
        endings: tuple[str, ...] = ("", "s") if last else ("",)
        return NameWord(_with(word, endings), False, german and single and part[0].isupper())
    if not german:
        forms = _english_noun(word) if last else frozenset({word})
        return NameWord(forms, False, False)
    if last:
        return NameWord(german_noun_forms(word), False, single and part[0].isupper())
    if before_space:
        return NameWord(_adjective(word), False, False)
    return NameWord(frozenset({word}), False, False)


def german_noun_forms(word: str) -> frozenset[str]:
    forms = set(_with(word, _DE_NOUN))
    if word.endswith("in"):
        forms.add(word + "nen")  # Studentin → Studentinnen
    if word.endswith("nis"):
        forms |= {word + "se", word + "ses", word + "sen"}  # Ergebnis → Ergebnisse
    if word.endswith(("us", "um")):
        forms.add(word[:-2] + "en")  # Algorithmus → Algorithmen, Datum → Daten
    return frozenset(forms)


def _adjective(word: str) -> frozenset[str]:
    stem = next((word[: -len(e)] for e in ("en", "em", "er", "es", "e") if word.endswith(e)), word)
    return _with(stem, _DE_ADJECTIVE) | {word}


def _english_noun(word: str) -> frozenset[str]:
    forms = set(_with(word, _EN_NOUN))
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        forms.add(word[:-1] + "ies")  # policy → policies
    return frozenset(forms)


def _with(word: str, endings: tuple[str, ...]) -> frozenset[str]:
    return frozenset(word + e for e in endings)
