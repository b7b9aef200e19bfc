"""The site's full-text search index: every word of every entry, for `assets/search.js`.

Two scripts assigning globals, because the site must work opened from disk, where fetch() is
refused. `search-index.js` (`window.GLOSSARY_SEARCH`) holds what finds and ranks the hits:

- `docs`: per term, in book order, `[title, aliases, tagline, page]`;
- `words` and `post`: the sorted word stems of the whole book and, for each, the terms it
  occurs in with where (title > alias > tagline > text) and how often (a delta-coded string,
  see `_encode`).

`search-text.js` (`window.GLOSSARY_SEARCH_TEXT`) holds every term's plain text for the
snippets, loaded beside it so that the hits can show before it arrives: blocks of
`TEXT_BLOCK` terms, each raw-deflated and base64-encoded (the browser inflates only the blocks
of the hits shown, with `DecompressionStream`). The plain text alone is about a third of the
site's HTML; deflated in blocks, a ninth.

Words are stemmed with Snowball (`snowballstemmer`, which runs the C Snowball of PyStemmer
when it is installed: 100 times faster), whose German algorithm also folds
umlauts, `ae`/`oe`/`ue` and ß, so `Schluessel`, `Schlüssel` and `Schlüsseln` meet. The browser
stems the query with the JavaScript Snowball generated from the same algorithm
(`styles/site/snowball/`, copied from Sphinx). Compound words are split in the browser, against
this list of stems: both directions need only the stems (see search.js).
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import snowballstemmer

from ..common import plaintext

if TYPE_CHECKING:
    from ...cache import Cache
    from ...model import Book, Term
    from .pages import SiteLinks

SEARCH_GLOBAL = "GLOSSARY_SEARCH"
TEXT_GLOBAL = "GLOSSARY_SEARCH_TEXT"
TEXT_BLOCK = 16  # terms per deflated block: 10 % larger than one stream, a few ms to inflate
INDEX_VERSION = 2
# Book language -> (Snowball algorithm, its script in styles/site/snowball/). Other languages are
# searched without stemming (folded only), in the browser as here.
STEMMERS = {"de": "german", "en": "english"}
TITLE, ALIAS, TAGLINE, TEXT = 3, 2, 1, 0
_WORD = re.compile(r"[^\W_]+")
_TERMINAL = "abcdefghijklmnopqrstuvwxyz012345"  # the last base-32 digit of a number
_MORE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ6789-_"  # every other digit
DOC_SEPARATOR = "\x01"


def stemmer_name(language: str) -> str:
    """The Snowball algorithm for a book language ('' for none)."""
    return STEMMERS.get(language.split("-")[0].lower(), "")


class Analyser:
    """Words to index keys: lower case, Snowball stem, accents folded (as search.js does)."""

    def __init__(self, language: str) -> None:
        self.algorithm = stemmer_name(language)
        self._stemmer = snowballstemmer.stemmer(self.algorithm) if self.algorithm else None
        self._seen: dict[str, str] = {}

    def key(self, word: str) -> str:
        found = self._seen.get(word)
        if found is None:
            lower = word.lower()
            stem = self._stemmer.stemWord(lower) if self._stemmer else lower
            found = self._seen[word] = _fold(stem)
        return found

    def keys(self, text: str) -> list[str]:
        return [self.key(w) for w in words(text)]


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text))


def _fold(text: str) -> str:
    """Without accents: every mark (Unicode category M) dropped after NFD, as search.js does."""
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.category(c).startswith("M"))


@dataclass(frozen=True)
class Analysed:
    """What the site's search and previews need of one term, kept in the build cache under the
    term's fingerprint (an edit analyses one term again, not the book)."""

    postings: dict[str, int]  # key -> code, see `postings`
    text: str  # the plain text below the head, for snippets
    tagline: str
    summary: str  # the first sentence, for previews and page descriptions


def analyse(term: Term, analyser: Analyser) -> Analysed:
    text = plaintext.term_text(term)
    tagline = plaintext.tagline(term)
    fields = [(TITLE, term.title_text), *((ALIAS, a) for a in term.aliases), (TAGLINE, tagline), (TEXT, text)]
    return Analysed(postings(fields, analyser), text, tagline, plaintext.summary(term))


def analysed(book: Book, cache: Cache) -> list[Analysed]:
    """Every term analysed, in book order, from the cache where it can be."""
    analyser = Analyser(book.config.language)
    out = []
    for term in book.terms:
        key = cache.key("search-term", str(INDEX_VERSION), analyser.algorithm, term.fingerprint)
        stored = cache.get_json("search-term", key) if term.fingerprint else None
        if isinstance(stored, list) and len(stored) == 4:
            out.append(Analysed(*stored))
            continue
        found = analyse(term, analyser)
        out.append(found)
        if term.fingerprint:
            cache.put_json("search-term", key, [found.postings, found.text, found.tagline, found.summary])
    return out


def postings(fields: Iterable[tuple[int, str]], analyser: Analyser) -> dict[str, int]:
    """Stem -> code: the best field it occurs in (2 bits) and how often in the text (2 bits)."""
    best: dict[str, int] = {}
    counts: Counter[str] = Counter()
    for weight, text in fields:
        for key in analyser.keys(text):
            if weight == TEXT:
                counts[key] += 1
            if best.get(key, -1) < weight:
                best[key] = weight
    return {k: w * 4 + _bucket(counts[k]) for k, w in best.items()}


def _bucket(count: int) -> int:
    """0: never in the text, 1: once, 2: up to 4 times, 3: more often."""
    return 0 if count == 0 else 1 if count == 1 else 2 if count <= 4 else 3


def _encode(numbers: Iterable[int]) -> str:
    """Numbers as variable-length base 32, no separators: `_MORE` digits, then a `_TERMINAL` one."""
    out: list[str] = []
    for n in numbers:
        digits = [_TERMINAL[n % 32]]
        n //= 32
        while n:
            digits.append(_MORE[n % 32])
            n //= 32
        out.append("".join(reversed(digits)))
    return "".join(out)


def index_data(book: Book, links: SiteLinks, records: list[Analysed],
               cache: Cache) -> tuple[dict[str, Any], dict[str, Any]]:
    """The index and the snippet texts as JSON-ready data, from every term's `analysed` record
    (each block of texts compressed once per content: an edit changes one of them)."""
    by_key: dict[str, list[tuple[int, int]]] = {}
    docs: list[list[Any]] = []
    texts: list[str] = []
    for number, (term, found) in enumerate(zip(book.terms, records, strict=True)):
        for key, code in found.postings.items():
            by_key.setdefault(key, []).append((number, code))
        docs.append([term.title_text, list(term.aliases), found.tagline, links.page(term.id)])
        texts.append(found.text.replace(DOC_SEPARATOR, " "))
    keys = sorted(by_key)
    post = []
    for key in keys:
        previous = 0
        values = []
        for number, code in by_key[key]:  # in book order: deltas are small
            values.append((number - previous) * 16 + code)
            previous = number
        post.append(_encode(values))
    algorithm = stemmer_name(book.config.language)
    blocks = [_block(DOC_SEPARATOR.join(texts[i:i + TEXT_BLOCK]), cache)
              for i in range(0, len(texts), TEXT_BLOCK)]
    return ({"v": INDEX_VERSION, "lang": book.config.language, "stemmer": algorithm,
             "compounds": algorithm == "german", "docs": docs, "words": keys, "post": post},
            {"v": INDEX_VERSION, "block": TEXT_BLOCK, "text": blocks})


def _block(text: str, cache: Cache) -> str:
    """A block of snippet texts compressed, or found compressed in the build cache."""
    key = cache.key("search-block", text)
    kept = cache.get("search-block", key)
    if kept is not None:
        return kept.decode("ascii", "replace")
    packed = _deflated(text)
    cache.put("search-block", key, packed.encode("ascii"))
    return packed


def _deflated(text: str) -> str:
    """Raw deflate (no header: `DecompressionStream("deflate-raw")`), base64."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(packer.compress(text.encode("utf-8")) + packer.flush()).decode("ascii")


def search_script(data: dict[str, Any], global_name: str = SEARCH_GLOBAL) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # Titles are text from entries: as \u escapes, `</script>`, `<!--` and line separators stay
    # inert even where a custom template inlines the index into a <script> element.
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return (f"/* generated: the full-text search index of every term (see search.js) */\n"
            f"window.{global_name} = {text};\n")
