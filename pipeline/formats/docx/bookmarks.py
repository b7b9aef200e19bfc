"""Word bookmark names for the document's ids: valid, unique, stable.

Word accepts a bookmark name only if it starts with a letter, holds nothing but ASCII letters,
digits and underscores and is at most 40 characters long; it compares names case-insensitively
(`XAI` and `xAI` are the same bookmark). pandoc passes `-`, `.` and umlauts through and hashes
only ids that are too long or do not start with a letter, so the mapping is done here, before
pandoc writes.

An id becomes its readable ASCII form (`KI-Ökosystem` -> `KI_Oekosystem`, `3D-Modeling` ->
`x_3D_Modeling`, `Term--section` -> `Term_section`). A short hash of the id is appended only
when that form is not usable as it is:

- it is longer than 40 characters or empty → always hashed, so the name depends on the id alone;
- several ids give the same form, ignoring case (`XAI`/`xAI`, `A-B`/`A.B`): the id that already
  is its own form, then the code-point-smallest, keeps the plain name; the others are hashed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from ...names import HASH_LEN, ascii_char, short_hash

MAX_LEN = 40
DIGIT_PREFIX = "x_"  # Word bookmark names must start with a letter
_VALID = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
_INVALID_RUN = re.compile(r"[^A-Za-z0-9]+")


def is_valid(name: str) -> bool:
    """Whether Word accepts `name` as a bookmark name."""
    return _VALID.fullmatch(name) is not None


@cache
def readable(ident: str) -> str:
    """The id in bookmark characters, not yet shortened: may be empty or too long."""
    text = _INVALID_RUN.sub("_", "".join(ascii_char(ch) for ch in ident)).strip("_")
    if text and not text[0].isalpha():
        text = DIGIT_PREFIX + text
    return text


def hashed(ident: str, length: int = HASH_LEN) -> str:
    """`<readable prefix>_<hash>`, at most 40 characters, always valid."""
    suffix = short_hash(ident, length)
    room = MAX_LEN - len(suffix) - 1
    stem = readable(ident)[:room].rstrip("_") or "x"
    return f"{stem}_{suffix}"


def bookmark_names(ids: Iterable[str]) -> dict[str, str]:
    """Map every id to a Word-valid bookmark name, unique ignoring case; deterministic."""
    unique = sorted(set(ids))
    groups: dict[str, list[str]] = {}
    for ident in unique:
        groups.setdefault(readable(ident).casefold(), []).append(ident)
    names: dict[str, str] = {}
    taken: set[str] = set()
    for ident in unique:  # plain names first, so a hashed name can never take one away
        form = readable(ident)
        if is_valid(form) and _keeps_plain(ident, groups[form.casefold()]):
            names[ident] = form
            taken.add(form.casefold())
    for ident in unique:
        if ident not in names:
            names[ident] = _free_hashed(ident, taken)
            taken.add(names[ident].casefold())
    return names


def _keeps_plain(ident: str, group: list[str]) -> bool:
    """Of ids sharing a readable form, the one that is its own form (else the smallest) wins."""
    if len(group) == 1:
        return True
    exact = [g for g in group if g == readable(g)]
    return ident == (exact[0] if exact else group[0])


def _free_hashed(ident: str, taken: set[str]) -> str:
    """A hashed name not yet taken; a longer hash on the (astronomically rare) collision."""
    for length in range(HASH_LEN, 33):
        name = hashed(ident, length)
        if name.casefold() not in taken:
            return name
    raise ValueError(f"no free bookmark name for {ident!r}")  # pragma: no cover - sha256 prefix
