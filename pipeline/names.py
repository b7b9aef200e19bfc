"""ASCII names for ids and titles: one transliteration table and one short hash for every
format that must turn `Öffentlicher-Schlüssel` into a file, bookmark or slug name."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Letters NFKD does not decompose to ASCII, and umlauts the German way (ä -> ae, not a).
TRANSLIT = {
    "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS",
    "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
    "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i",
}
HASH_LEN = 8


def ascii_char(ch: str) -> str:
    """`ch` in ASCII letters: transliterated, else without diacritics ('' if nothing is left)."""
    if ch in TRANSLIT:
        return TRANSLIT[ch]
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if c.isascii())


def short_hash(text: str, length: int = HASH_LEN) -> str:
    """Lower-case hex digest of the exact text, so ids that differ only in case differ here."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def slugify(text: str) -> str:
    """ASCII file-name slug: `Kleines Kryptographie-Glossar` -> `kleines-kryptographie-glossar`."""
    ascii_text = "".join(ascii_char(ch) for ch in text)
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
