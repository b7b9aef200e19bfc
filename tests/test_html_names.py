"""File names of the site's term pages: safe everywhere, distinct without case, stable."""

from __future__ import annotations

import random
import re

from pipeline.formats.html.names import MAX_STEM, page_names, short_hash, transliterate

SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
WINDOWS = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
REAL_IDS = [
    "Öffentlicher-Schlüssel", "3DES", "SHA-2", "Leonardo.ai", "XAI", "xAI", "Vigenère-Chiffre",
    "Äquivalenzklasse", "Überschlüsselung", "2-Faktor-Authentifizierung", "Ölförderung", "Oelfoerderung",
    "C++", "C#", "F#", "日本語", "Ελληνικά", "CON", "aux.log", "nul", ".htaccess", "-x-", "a b",
    "Straße", "STRASSE", "x" * 200, "Ärger", "Zebra-2", "Index-Karte", "naïve", "NAÏVE",
]


def assert_safe(names: dict[str, str]) -> None:
    folded = [n.casefold() for n in names.values()]
    assert len(set(folded)) == len(folded), "two pages share a name on a case-insensitive file system"
    for term_id, name in names.items():
        assert SAFE.match(name), (term_id, name)
        assert name.split(".")[0].casefold() not in WINDOWS, (term_id, name)
        assert len(name) <= MAX_STEM + 1 + 8, (term_id, name)
        assert name.isascii()


def test_readable_names_for_ordinary_ids() -> None:
    names = page_names(["Öffentlicher-Schlüssel", "3DES", "SHA-2", "Leonardo.ai", "Vigenère-Chiffre",
                        "Überschlüsselung", "Straße"])
    assert names == {
        "Öffentlicher-Schlüssel": "Oeffentlicher-Schluessel", "3DES": "3DES", "SHA-2": "SHA-2",
        "Leonardo.ai": "Leonardo.ai", "Vigenère-Chiffre": "Vigenere-Chiffre",
        "Überschlüsselung": "Ueberschluesselung", "Straße": "Strasse",
    }


def test_case_collision_gets_a_hash_only_on_the_loser() -> None:
    names = page_names(["xAI", "XAI"])
    assert names["XAI"] == "XAI"  # code-point order: upper case first, independent of input order
    assert names["xAI"] == f"xAI-{short_hash('xAI')}"
    assert page_names(["XAI", "xAI"]) == names


def test_transliteration_collision_prefers_the_ascii_id() -> None:
    names = page_names(["Ölförderung", "Oelfoerderung"])
    assert names["Oelfoerderung"] == "Oelfoerderung"
    assert names["Ölförderung"] == f"Oelfoerderung-{short_hash('Ölförderung')}"


def test_lossy_reserved_and_long_ids_are_hashed_by_their_own_id() -> None:
    names = page_names(["C++", "C#", "日本語", "CON", "aux.log", ".htaccess", "x" * 200, "a b"])
    assert names["C++"] != names["C#"]
    assert names["C++"] == f"C-{short_hash('C++')}"
    assert names["日本語"] == f"term-{short_hash('日本語')}"
    assert names["CON"] == f"CON-{short_hash('CON')}"
    assert names["aux.log"] == f"aux-{short_hash('aux.log')}.log"  # `aux.x` is reserved on Windows
    assert names[".htaccess"].startswith("htaccess-")
    assert len(names["x" * 200]) == MAX_STEM + 9
    assert transliterate("a b") == ("a-b", False)


def test_all_names_safe_and_distinct() -> None:
    assert_safe(dict(page_names(REAL_IDS)))


def test_adding_terms_keeps_existing_names() -> None:
    """Names depend on the id alone unless the new id collides with it (case/transliteration)."""
    rng = random.Random(7)
    pool = [i for i in REAL_IDS if i not in ("xAI", "Oelfoerderung", "STRASSE", "NAÏVE")]
    for _ in range(50):
        base = rng.sample(pool, 12)
        extra = rng.sample([i for i in pool if i not in base], 8)
        before, after = page_names(base), page_names(base + extra)
        assert {k: after[k] for k in before} == dict(before)
        assert_safe(dict(after))


def test_order_of_input_does_not_matter() -> None:
    shuffled = REAL_IDS[:]
    random.Random(3).shuffle(shuffled)
    assert dict(page_names(shuffled)) == dict(page_names(REAL_IDS))
