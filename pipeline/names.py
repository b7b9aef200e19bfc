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


# Names Windows reserves for devices, with any extension (`con.pdf` too).
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$"}
    | {f"{p}{n}" for p in ("com", "lpt") for n in (*range(10), "¹", "²", "³")}
)
MAX_NAME_BYTES = 200  # of a file name's stem: room for a suffix and `.<name>.<random>.tmp`
_NOT_IN_NAMES = set('/\\:*?"<>|')


def safe_name_problem(name: str) -> str:
    """Why `name` cannot be one plain file name inside the output folder on every system ('' if
    it can): no separators, `..`, absolute paths, NUL or control characters, reserved names."""
    if not name:
        return "it is empty"
    bad = sorted({ch for ch in name if ch in _NOT_IN_NAMES or unicodedata.category(ch) == "Cc"})
    if bad:
        return "it contains " + ", ".join(describe_char(ch) for ch in bad)
    if name.startswith("."):
        return "it starts with a dot (a hidden file, or a path out of the folder)"
    if name.endswith((" ", ".")):
        return "it ends with a space or a dot (Windows drops them)"
    if name.split(".")[0].casefold() in WINDOWS_RESERVED:
        return f"{name.split('.')[0]} is a device name on Windows"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"it is longer than {MAX_NAME_BYTES} bytes"
    return ""


def describe_char(ch: str) -> str:
    """`U+0000 (NULL)`, `'/' (U+002F)`: a character made visible in a message."""
    name = unicodedata.name(ch, "") or {"\x00": "NULL", "\n": "LINE FEED", "\t": "TAB"}.get(ch, "")
    code = f"U+{ord(ch):04X} {name}".strip()
    return code if unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp", "Mn") else f"'{ch}' ({code})"


def code_points(text: str) -> str:
    """`U+0055 U+0308 …`: how two strings that look alike differ, spelt out."""
    return " ".join(f"U+{ord(ch):04X}" for ch in text)


# Letters of other scripts drawn like Latin ones (a few of Unicode's confusables.txt): enough to
# explain why `#Rаdio` (Cyrillic а) does not find `#Radio`.
_CONFUSABLE = str.maketrans(
    "АВЕЅІЈКМНОРСТХУаеіјорсухѕԁԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧοτνρ",
    "ABESIJKMHOPCTXYaeijopcyxsdqwABEZHIKMNOPTYXotvp",
)


def _skeleton(text: str) -> str:
    nfkc = unicodedata.normalize("NFKC", text)
    visible = "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in nfkc
                      if unicodedata.category(ch) != "Cf")
    return visible.translate(_CONFUSABLE)


def look_alike(a: str, b: str) -> bool:
    """Two different strings a reader cannot tell apart (invisible characters, compatibility
    forms, Cyrillic or Greek letters that look Latin, composed and decomposed accents)."""
    return a != b and _skeleton(a) == _skeleton(b)


def difference(a: str, b: str) -> str:
    """How two strings that look alike differ, spelt out in code points."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    left, right = a[start:len(a) - end], b[start:len(b) - end]

    def shown(part: str) -> str:
        return ", ".join(describe_char(ch) for ch in part) if part else "nothing"

    return (f"„{a}“ and „{b}“ look alike but differ at character {start + 1}: "
            f"{shown(left)} against {shown(right)}")
