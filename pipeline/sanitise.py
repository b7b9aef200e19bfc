"""What an entry may put into a published page: the one allowlist every format is cleaned with.

Entries are a contributor's pull request, and a book is read in browsers and reading systems
that run script. So raw HTML, pandoc attributes and link targets pass an allowlist, applied by
ammonia (through `nh3`): the HTML5 parser browsers use, and the WHATWG URL parser, so entities,
whitespace and mixed case in `java&#9;Script:` are read the way a browser reads them.

Allowed: text markup, lists, tables, figures, images, details/summary, MathML; the global
attributes id, class, title, lang, dir, aria-*, data-* and a `style` made only of the
properties below (no `url()` or other function that loads something). Links go to http(s),
mailto, tel or a relative address; images are relative files or `data:image/…`. Never: script,
styles, frames, objects, forms, `<base>`, `<meta>`, `<link>`, SVG, media elements, event handlers,
`srcset`, `poster`, `background`, or any address that a reader's device would fetch by itself.

Used twice: by the normaliser on each entry's AST (so `check` reports what goes, with its
position, and every format gets the same cleaned book), and by the shared writer layer on the
HTML pandoc renders from it (nothing should be left to remove there; a finding is reported).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from html.parser import HTMLParser

import nh3

_TEXT = {"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i", "ins",
         "kbd", "label", "mark", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub",
         "sup", "time", "u", "var", "wbr"}
_BLOCKS = {"aside", "blockquote", "caption", "col", "colgroup", "dd", "details", "div", "dl", "dt",
           "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "input", "li",
           "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
           "tr", "ul"}
# Presentation MathML as pandoc (texmath) writes it; no maction, no annotation-xml (HTML inside).
_MATHML = {"math", "menclose", "merror", "mfrac", "mi", "mmultiscripts", "mn", "mo", "mover",
           "mpadded", "mphantom", "mprescripts", "mroot", "mrow", "ms", "mspace", "msqrt", "mstyle",
           "msub", "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder", "munderover",
           "none", "semantics", "annotation"}
TAGS = frozenset(_TEXT | _BLOCKS | _MATHML)
# Removed with everything inside them (the rest of a refused element's content stays as text).
CONTENT_REMOVED = frozenset({"script", "style", "template", "noscript", "iframe", "noembed",
                             "noframes", "xmp", "plaintext", "textarea", "title", "annotation-xml",
                             "select", "object", "svg"})
_MATH_ATTRS = {"display", "alttext", "mathvariant", "mathsize", "mathcolor", "mathbackground",
               "stretchy", "form", "fence", "separator", "separators", "accent", "accentunder",
               "lspace", "rspace", "largeop", "movablelimits", "minsize", "maxsize", "symmetric",
               "linethickness", "numalign", "denomalign", "bevelled", "columnalign", "rowalign",
               "columnspacing", "rowspacing", "columnlines", "rowlines", "frame", "framespacing",
               "equalrows", "equalcolumns", "displaystyle", "scriptlevel", "width", "height",
               "depth", "voffset", "notation", "open", "close", "encoding"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": {"id", "class", "title", "lang", "dir", "role", "style", "tabindex"},
    "a": {"href", "hreflang", "name"},  # `<a name>`: the anchors of converted HTML and Word
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "headers"}, "th": {"colspan", "rowspan", "headers", "scope"},
    "col": {"span", "width"}, "colgroup": {"span", "width"},
    "ol": {"start", "type", "reversed"}, "li": {"value"},
    "time": {"datetime"}, "del": {"datetime"}, "ins": {"datetime"},
    "details": {"open"}, "input": {"type", "checked", "disabled"},
    **{tag: set(_MATH_ATTRS) for tag in _MATHML},
}
PREFIXES = frozenset({"aria-", "data-"})
SCHEMES = frozenset({"http", "https", "mailto", "tel"})
DATA_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# CSS a style attribute may hold: layout and colour; nothing that takes an image or a font.
STYLE_PROPERTIES = frozenset({
    "color", "background-color", "font-style", "font-weight", "font-variant", "font-size",
    "text-align", "text-decoration", "text-transform", "text-indent", "vertical-align",
    "white-space", "letter-spacing", "word-spacing", "line-height", "direction", "width",
    "height", "min-width", "max-width", "list-style-type", "border-collapse", "border-spacing",
    "margin", "margin-top", "margin-right", "margin-bottom", "margin-left", "padding",
    "padding-top", "padding-right", "padding-bottom", "padding-left", "border", "border-top",
    "border-right", "border-bottom", "border-left", "border-color", "border-style",
    "border-width", "border-radius"})
# A function that may fetch (url(), image(), image-set(), …), a CSS escape that could spell
# one, an at-rule or a comment: the whole style attribute goes.
_STYLE_FETCH = re.compile(r"[a-z-]*\(|\\|@|/\*", re.IGNORECASE)
_STYLE_SAFE_FUNCTIONS = frozenset({"rgb(", "rgba(", "hsl(", "hsla(", "calc(", "var("})
_URL_ATTRS = frozenset({"href", "src"})
_IGNORED_IN_URL = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_REMOTE = re.compile(r"^(https?:|//)", re.IGNORECASE)
_VOID = re.compile(r'<(br|img|hr|col|input|wbr)((?:\s+[^\s"=>/]+(?:="[^"]*")?)*)\s*>')
MATHML = "http://www.w3.org/1998/Math/MathML"
_NOT_A_CHECKBOX = re.compile(r'<input(?![^>]*\stype="checkbox")[^>]*/>')
XREF = "xref"  # the shared layer's placeholder scheme for internal links (`formats.common`)


def _style_ok(value: str) -> bool:
    for m in _STYLE_FETCH.finditer(value):
        if m.group(0).lower() not in _STYLE_SAFE_FUNCTIONS:
            return False
    for declaration in value.split(";"):
        name, colon, _ = declaration.partition(":")
        if declaration.strip() and (not colon or name.strip().lower() not in STYLE_PROPERTIES):
            return False
    return True


def url_ok(url: str, tag: str, attribute: str, schemes: frozenset[str] = SCHEMES) -> bool:
    """Whether a reader's device may be pointed at `url` (already entity-decoded) here.

    Browsers drop tabs and newlines from a URL and trim spaces and control characters, so
    this does too before it looks at the scheme. An image's `src` must never make the reader
    fetch anything (no scheme but `data:image/…`); a link may leave the book on a click."""
    clean = _IGNORED_IN_URL.sub("", url).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"
                                               "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
                                               "\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    if re.match(r"^[/\\]{2}", clean):  # protocol-relative: another host
        return False
    m = _SCHEME.match(clean)
    if m is None:  # a relative address; a colon in its first segment reads as a scheme (RFC 3986)
        return ":" not in re.split(r"[/?#]", clean, maxsplit=1)[0]
    scheme = m.group(1).lower()
    if scheme == "data":
        media = clean[5:].split(";", 1)[0].split(",", 1)[0].strip().lower()
        return tag == "img" and attribute == "src" and media in DATA_IMAGES
    if tag == "img":
        return False
    return scheme in schemes


def _filter(placeholders: bool) -> Callable[[str, str, str], str | None]:
    schemes = SCHEMES | {XREF} if placeholders else SCHEMES

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "style":
            return value if _style_ok(value) else None
        if placeholders and tag == "img" and attribute == "src" and _REMOTE.match(value.strip()):
            # A Markdown image the normaliser refused (GL601): every format resolves each src
            # through `Book.resource` and prints a refused image's alt text instead.
            return value
        if attribute in _URL_ATTRS:
            return value if url_ok(value, tag, attribute, schemes) else None
        if attribute == "tabindex":
            return value if value.strip() in ("-1", "0") else None
        if tag == "input" and attribute == "type":
            return value if value.strip().lower() == "checkbox" else None
        return value

    return keep


@lru_cache(maxsize=2)
def _cleaner(placeholders: bool) -> nh3.Cleaner:
    """The entries' cleaner; with `placeholders` (the shared HTML, before each format fills in
    its addresses) the `xref:` links and the image sources each format resolves pass too."""
    schemes = SCHEMES | {XREF} if placeholders else SCHEMES
    return nh3.Cleaner(
        tags=set(TAGS), clean_content_tags=set(CONTENT_REMOVED), attributes=ATTRIBUTES,
        generic_attribute_prefixes=set(PREFIXES), url_schemes=set(schemes | {"data"}),
        attribute_filter=_filter(placeholders), link_rel=None, strip_comments=True,
        # A <math> is MathML to an HTML parser by itself; XML (the EPUB) needs the namespace.
        set_tag_attribute_values={"input": {"disabled": ""}, "math": {"xmlns": MATHML}})


def clean(fragment: str, placeholders: bool = False) -> str:
    """The fragment with everything off the allowlist removed, as XHTML-compatible HTML."""
    out = _cleaner(placeholders).clean(fragment)
    # ammonia serialises HTML (`<br>`); the EPUB needs XML: close the void elements.
    out = _VOID.sub(lambda m: f"<{m.group(1)}{m.group(2)} />", out)
    # A task list's checkbox is all an `input` may be (ammonia keeps elements by name only).
    return _NOT_A_CHECKBOX.sub("", out)


@lru_cache(maxsize=8192)
def attribute_ok(tag: str, key: str, value: str) -> bool:
    """Whether a pandoc attribute `{key=value}` on an element rendered as `<tag>` may stay."""
    probe = f'<{tag} {key}="{html.escape(value, quote=True)}">x</{tag}>' if re.fullmatch(
        r"[A-Za-z_:][-\w:.]*", key) else ""
    if not probe:
        return False
    return _features(clean(probe)) == _features(probe)


class _Features(HTMLParser):
    """Start tags and (tag, attribute) pairs, counted: what a cleaning could have removed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found[f"<{tag}>"] += 1
        for name, value in attrs:
            shown = _shown(name, value or "")
            self.found[f"{shown} on <{tag}>"] += 1

    handle_startendtag = handle_starttag


def _shown(name: str, value: str) -> str:
    if name == "style":
        squeezed = re.sub(r"\s+", "", value).rstrip(";")
        return f'style="{squeezed}"'
    if name in _URL_ATTRS:
        short = value if len(value) <= 40 else value[:39] + "…"
        return f'{name}="{short}"'
    return name


def _features(fragment: str) -> Counter[str]:
    parser = _Features()
    parser.feed(fragment)
    parser.close()
    return parser.found


_START_TAG = re.compile(r"<[A-Za-z]")
_ATTRIBUTE = re.compile(r'([\w:.-]+)="')


def unchanged(before: str, after: str) -> bool:
    """A quick look for `clean`'s output of pandoc's HTML: the same tags and attribute names?

    pandoc and ammonia both write every attribute as `name="value"`, so equal counts mean
    nothing was removed unless the HTML parser added an element for each it took away, which
    pandoc's well-formed output gives it no cause to. Only for reporting (the cleaned text is
    used either way), and not for raw HTML as authors write it (`<details open>`)."""
    return (len(_START_TAG.findall(before)) == len(_START_TAG.findall(after))
            and Counter(_ATTRIBUTE.findall(before)) == Counter(_ATTRIBUTE.findall(after)))


def removed(before: Iterable[str], after: str) -> list[list[str]]:
    """For each piece of `before` (in order), what `after` (their cleaning, together) lacks.

    A finding is a tag (`<script>`) or an attribute on its tag (`onclick on <b>`); it is
    charged to the first piece that has more of it than what is left."""
    left = _features(after)
    out: list[list[str]] = []
    for piece in before:
        gone: list[str] = []
        for feature, count in _features(piece).items():
            kept = min(count, left[feature])
            left[feature] -= kept
            if count > kept:
                gone.append(feature)
        out.append(gone)
    return out
