"""File names of the site's term pages: ASCII, safe on every file system, stable across builds.

A term id becomes its own name where it can (`RSA` -> `RSA.html`), German umlauts are
transliterated (`Öffentlicher-Schlüssel` -> `Oeffentlicher-Schluessel.html`), other accents
dropped (`Vigenère-Chiffre` -> `Vigenere-Chiffre.html`). A short hash of the id is appended
only when the plain name would be unsafe or ambiguous:

- the id lost characters on the way (`C++`, `日本`, spaces) or is too long → always hashed, so
  its name depends on the id alone;
- the name is reserved on Windows (`CON`, `aux.x`);
- two ids give the same name on a case-insensitive file system (`XAI`, `xAI`; `Öl`, `Oel`):
  the id that is already its own ASCII name, then the code-point-smallest, keeps the plain name.

The hash goes before the first dot (`aux.log` -> `aux-<hash>.log`), because Windows reserves
`aux` with any extension. Names therefore never change when a term is added, except in the
last case, and then only for the ids that collide with the new one.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from urllib.parse import quote

from ...names import HASH_LEN, TRANSLIT, short_hash

_SAFE = re.compile(r"[A-Za-z0-9._-]")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(10)}
)
MAX_STEM = 80
_FRAGMENT_SAFE = "-._~!$&'()*+,;=:@/?"
# Where the site keeps its pages, relative to its root (the data formats publish these addresses).
START_PAGE = "index.html"
INDEX_PAGE = "genindex.html"
TERMS_DIR = "terms"
PAGES_DIR = "pages"  # front and back matter; names made like the terms' (`page_names`)
MEDIA_DIR = "media"


def term_page(stem: str) -> str:
    """The site path of the term page with file stem `stem` (from `page_names`)."""
    return f"{TERMS_DIR}/{stem}.html"


def matter_page(stem: str) -> str:
    """The site path of the front or back matter page with file stem `stem`."""
    return f"{PAGES_DIR}/{stem}.html"


def site_url(base_url: str, path: str) -> str:
    """`path` (site-relative) as the published address under `base_url`, or as it is without one."""
    return base_url + quote(path, safe="/._-~#") if base_url else quote(path, safe="/._-~#")


def transliterate(term_id: str) -> tuple[str, bool]:
    """(ASCII stem, whether nothing but umlauts and accents was changed)."""
    out: list[str] = []
    lossless = True
    for ch in term_id:
        if ch in TRANSLIT:
            out.append(TRANSLIT[ch])
        elif _SAFE.fullmatch(ch):
            out.append(ch)
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if _SAFE.fullmatch(c))
            lossless = lossless and bool(base)
            out.append(base or "-")
    raw = "".join(out)
    stem = _UNSAFE_RUN.sub("-", raw).strip("-.")
    return stem, lossless and stem == raw


def _needs_hash(stem: str) -> bool:
    return (not stem or len(stem) > MAX_STEM
            or stem.split(".")[0].casefold() in _WINDOWS_RESERVED)


def _hashed(stem: str, term_id: str, length: int = HASH_LEN) -> str:
    base = stem[:MAX_STEM].rstrip("-.") or "term"
    first, dot, rest = base.partition(".")
    # Windows reserves `aux` with any extension: the hash must come before the first dot.
    return f"{first}-{short_hash(term_id, length)}{dot}{rest}"


def page_names(term_ids: Iterable[str]) -> Mapping[str, str]:
    """Term id -> file stem (without `.html`), unique even when compared case-insensitively."""
    names: dict[str, str] = {}
    plain: dict[str, list[str]] = {}
    for term_id in term_ids:
        stem, lossless = transliterate(term_id)
        if not lossless or _needs_hash(stem):
            names[term_id] = _hashed(stem, term_id)
        else:
            names[term_id] = stem
            plain.setdefault(stem.casefold(), []).append(term_id)
    for group in plain.values():
        # The id that is its own name wins, then the smallest: independent of input order.
        for loser in sorted(group, key=lambda i: (names[i] != i, i))[1:]:
            names[loser] = _hashed(names[loser], loser)
    return _unique(names)


def _unique(names: dict[str, str]) -> dict[str, str]:
    """Guard against the astronomically unlikely hash-suffix collision with a plain name."""
    seen: dict[str, str] = {}
    for term_id in sorted(names):
        name = names[term_id]
        if name.casefold() in seen:
            name = _hashed(transliterate(term_id)[0], term_id, 64)
            names[term_id] = name
        seen[name.casefold()] = term_id
    return names


@functools.lru_cache(maxsize=1 << 16)  # a site asks for every page's links on every build
def relative(from_page: str, target: str, anchor: str = "") -> str:
    """URL of site path `target` (plus `#anchor`) as seen from site path `from_page`."""
    here, there = from_page.split("/")[:-1], target.split("/")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    url = quote("../" * (len(here) - common) + "/".join(there[common:]), safe="/._-~")
    return url + (fragment(anchor) if anchor else "")


def fragment(anchor: str) -> str:
    """`#anchor`, percent-encoded where a URL needs it (ids may hold umlauts)."""
    return "#" + quote(anchor, safe=_FRAGMENT_SAFE)
