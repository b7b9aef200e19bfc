"""Finding names of terms in prose: whole words, parts of hyphenated compounds, and (German)
the head of a closed compound.

A text is read word by word (a word: letters and digits; words joined by hyphens form a
compound). At each word the longest name whose words follow there wins (`Advanced Encryption
Standard` before `Standard`), so a term's own name hides the shorter names inside it. Three
kinds of match:

- `word`: the name covers whole words (`Sprachmodelle`, `des öffentlichen Schlüssels`);
- `compound`: the name is a part of a hyphenated compound (`Transformer-Modell`, `KI-gestützt`);
- `within` (German only, weaker): the name ends a closed compound, its head (`Netzgerät` in
  `Hochspannungsnetzgerät`, `Angriff` in `Seitenkanalangriffe`). Only names of five letters or
  more, after at least three letters: `Salt` is not looked for in `Asphalt`. The first part of
  a compound (`Training` in `Trainingsdaten`) is not: German compounds name a kind of their
  last part, and a search for first parts finds `Modell` in `Modellierung`.

The common case — a word that starts no name — costs one dictionary look-up.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from .inflect import HYPHENS, PART, NameWord, fold, german_noun_forms, is_german, name_words

WORD, COMPOUND, WITHIN = "word", "compound", "within"
HEAD_MIN, HEAD_REST_MIN, HEAD_WORD_MIN = 5, 3, 8
_PART = re.compile(PART)
# What may stand between two words of one name: a hyphen (a compound), or one to three spaces,
# after an apostrophe (`Kerckhoffs’ Prinzip`); either way round (`Public-Key` for `Public Key`).
_NEXT = re.compile(rf"(?:([{HYPHENS}])|['’]?[ \t\n\u00a0]{{1,3}})({PART})")


@dataclass(frozen=True)
class Name:
    term: str  # term id
    text: str  # the title or alias as written
    words: tuple[NameWord, ...]


@dataclass(frozen=True)
class Hit:
    term: str
    name: str  # which title or alias matched
    kind: str  # WORD, COMPOUND or WITHIN
    start: int  # the matched text in the run
    end: int
    word_start: int  # the whole word(s) it stands in
    word_end: int


class _Node:
    """A trie of names over word forms: `next[form]`, and the names that end here."""

    __slots__ = ("names", "next")

    def __init__(self) -> None:
        self.next: dict[str, _Node] = {}
        self.names: list[Name] = []

    def add(self, name: Name) -> None:
        frontier = [self]
        for word in name.words:
            reached: dict[int, _Node] = {}
            for node in frontier:
                fresh: _Node | None = None  # the forms of one word share one child
                for form in sorted({fold(f) for f in word.forms}):
                    child = node.next.get(form)
                    if child is None:
                        fresh = fresh or _Node()
                        child = node.next[form] = fresh
                    reached[id(child)] = child
            frontier = list(reached.values())
        for node in frontier:
            node.names.append(name)


class Matcher:
    """Every title and alias of a book, in a trie over the forms of their words."""

    def __init__(self, names: list[tuple[str, str]], language: str) -> None:
        self._root = _Node()
        self._heads: dict[str, list[Name]] = defaultdict(list)  # forms of compound heads
        self.german = is_german(language)
        for term, text in names:
            words = name_words(text, language)
            if not words:
                continue
            name = Name(term, text, words)
            self._root.add(name)
            if self.german and len(words) == 1 and not words[0].exact and len(fold(text)) >= HEAD_MIN:
                for form in german_noun_forms(fold(text)):
                    self._heads[form].append(name)
        self._head_lengths = sorted({len(f) for f in self._heads}, reverse=True)
        self._head_cache: dict[str, tuple[Name, int] | None] = {}

    def hits(self, run: str) -> Iterator[Hit]:
        """Non-overlapping matches in one run of prose, left to right."""
        low = fold(run)
        if len(low) != len(run):  # a letter whose lower case is longer (İ): compare as written
            low = run
        free = 0  # the text before this is taken by an earlier match
        first, heads = self._root.next.get, HEAD_WORD_MIN if self.german else len(low) + 1
        for m in _PART.finditer(low):
            word = m.group()
            node = first(word)
            if node is None and len(word) < heads:
                continue  # the common case: a word that starts no name and ends none
            start = m.start()
            if start < free:
                continue
            hit = self._whole(run, low, m, node) if node else None
            if hit is None and len(word) >= heads:
                hit = self._within(word, start, m.end())
            if hit is not None:
                free = hit.end
                if hit.term:
                    yield hit

    def _whole(self, run: str, low: str, m: re.Match[str], node: _Node) -> Hit | None:
        """The longest name that starts with this word and whose words follow, case rules kept."""
        spans = [(m.start(), m.end())]
        path = [node]
        while node.next:
            nxt = _NEXT.match(low, spans[-1][1])
            child = node.next.get(nxt.group(2)) if nxt else None
            if nxt is None or child is None:
                break
            node = child
            spans.append((nxt.start(2), nxt.end(2)))
            path.append(node)
        for depth in range(len(path), 0, -1):
            names = [n for n in path[depth - 1].names if _written(run, spans, n.words)]
            if names:
                return _hit(low, names, spans[0][0], spans[depth - 1][1])
        return None

    def _within(self, word: str, start: int, end: int) -> Hit | None:
        if word not in self._head_cache:
            self._head_cache[word] = self._head(word)
        found = self._head_cache[word]
        if found is None:
            return None
        name, size = found
        return Hit(name.term, name.text, WITHIN, end - size, end, start, end)

    def _head(self, word: str) -> tuple[Name, int] | None:
        """The term whose name (inflected) ends `word` after at least HEAD_REST_MIN letters."""
        for size in self._head_lengths:
            if size <= len(word) - HEAD_REST_MIN and (names := self._heads.get(word[-size:])):
                return (names[0], size) if len({n.term for n in names}) == 1 else None
        return None


def _joined_before(low: str, start: int) -> bool:
    return start >= 2 and low[start - 1] in HYPHENS and low[start - 2].isalnum()


def _joined_after(low: str, end: int) -> bool:
    return end + 1 < len(low) and low[end] in HYPHENS and low[end + 1].isalnum()


def _written(run: str, spans: list[tuple[int, int]], words: tuple[NameWord, ...]) -> bool:
    """Whether the words at `spans` keep the name's case rules (acronyms, German nouns)."""
    return all(w.matches(run[a:b]) for w, (a, b) in zip(words, spans, strict=False))


def _hit(low: str, names: list[Name], start: int, end: int) -> Hit:
    if len({n.term for n in names}) != 1:
        # two terms share this spelling: no suggestion beats a wrong one, but the words are taken
        return Hit("", "", WORD, start, end, start, end)
    whole = not _joined_before(low, start) and not _joined_after(low, end)
    return Hit(names[0].term, names[0].text, WORD if whole else COMPOUND, start, end, start, end)
