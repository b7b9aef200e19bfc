""""Did you mean …?": the ids and aliases that are really close to a link target nobody has.

A suggestion is only useful when the author mistyped an id; for a term nobody wrote yet the
right hint is "write the entry". difflib's ratio rewards shared substrings, so #Red-Teaming got
#Pre-Training, #Federated-Learning and #Reasoning, and it compared every broken link with every
id in Python. Here keys are compared without case, umlauts (ä = ae, ß = ss), accents, hyphens
and spaces, by optimal-string-alignment distance (a typo, a missing letter, two swapped
letters each count 1) with a limit that grows with the length of the id: rapidfuzz (C++,
bit-parallel, with early exit at the limit) does the comparing, and only keys whose length is
within the limit are compared at all.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from ..names import ascii_char

_NOISE = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """The comparison key: lower-case ASCII letters and digits only (`Schlüssel-Länge` ->
    `schluessellaenge`)."""
    return _NOISE.sub("", "".join(ascii_char(ch) or ch for ch in text.casefold()))


def max_distance(length: int) -> int:
    """How many edits still count as a typo of a key this long: none for 1–3 characters (`DES`
    and `RSA` are different things), one up to 6, two up to 15, then three (at 13 letters three
    edits make `Quantendichte` of `Unterdichte`)."""
    if length <= 3:
        return 0
    if length <= 6:
        return 1
    return 2 if length <= 15 else 3


class ClosestIds:
    """An index over ids and aliases, built once; `closest` is cached per wanted key."""

    def __init__(self, names: Iterable[str]) -> None:
        self._by_key: dict[str, list[str]] = defaultdict(list)
        for name in names:
            key = fold(name)
            if key and name not in self._by_key[key]:
                self._by_key[key].append(name)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for key in sorted(self._by_key):
            self._by_length[len(key)].append(key)
        self._cache: dict[str, list[str]] = {}

    def closest(self, wanted: str, limit: int = 3) -> list[str]:
        """Up to `limit` names whose key is within the length's distance of `wanted`'s key,
        nearest first (ties in name order); [] when none is close enough."""
        key = fold(wanted)
        if key not in self._cache:
            self._cache[key] = self._search(key, limit)
        return self._cache[key][:limit]

    def _search(self, key: str, limit: int) -> list[str]:
        if not key:
            return []
        k = max_distance(len(key))
        pool = [c for n in range(len(key) - k, len(key) + k + 1) for c in self._by_length.get(n, ())]
        hits = process.extract(key, pool, scorer=OSA.distance, score_cutoff=k, limit=None)
        ranked = sorted(hits, key=lambda h: (h[1], h[0]))
        return [name for hit, _score, _i in ranked for name in sorted(self._by_key[hit])][:limit]
