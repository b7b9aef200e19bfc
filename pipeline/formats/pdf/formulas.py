"""Formulas for print: the shared HTML's MathML becomes SVG, since WeasyPrint has no MathML.

ziamath (pure Python, its own STIX Two Math font) typesets pandoc's MathML as SVG: filled
paths and rectangles. That SVG becomes PDF drawing operators (a `Form`), drawn once per
formula into the joined PDF and placed wherever the formula occurs (`paint`); in the
HTML the formula is an empty box sized in `em` (`<span class="math" data-math="KEY">`), so it
scales with the text and sits on the baseline. WeasyPrint would parse and draw every path of
every occurrence, a quarter of its drawing time in a formula-heavy book. An SVG using anything
else stays a `data:` image for WeasyPrint to draw. A formula that cannot be typeset stays
readable as its TeX source and is reported.
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
import re
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from xml.etree import ElementTree

from ziamath import Math, config  # type: ignore[attr-defined]

from ...cache import Cache
from .pagenumbers import MATH_ATTR

_MATH = re.compile(r"<math\b[^>]*>.*?</math>", re.DOTALL)
_DISPLAY = re.compile(r'^<math\b[^>]*\bdisplay="block"')
_TEX = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.DOTALL)
_ANNOTATION = re.compile(r"<annotation\b.*?</annotation>|</?semantics>", re.DOTALL)
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"')
_PATH = re.compile(r"([MLQCZ])([^MLQCZ]*)")
_PATH_OTHER = re.compile(r"[^MLQCZ\d.,\s+-]|^\s*[^M\s]")  # another command, or not starting with M
_SVG_NS = "{http://www.w3.org/2000/svg}"
# A sign, not an operation: texmath writes unary −, +, ± as identifiers (`<mi>−</mi>`), which
# browsers set without space; ziamath turns such an identifier into an infix operator with
# medium space on both sides ("…, − 8"). A prefix operator is what ziamath sets tight.
_SIGN = "−+±∓-"
_UNARY_MI = re.compile(rf"<mi>\s*([{_SIGN}])\s*</mi>")
# From other MathML producers: an operator sign right after an opening fence or another operator.
_UNARY_MO = re.compile(
    rf"(<mo(?![^>]*form=\"postfix\")[^>]*>\s*[^<)\]}}⟩⌉⌋\s]+\s*</mo>\s*)<mo>\s*([{_SIGN}])\s*</mo>")
_FILLS = {"black": (0.0, 0.0, 0.0), "#000": (0.0, 0.0, 0.0), "#000000": (0.0, 0.0, 0.0)}
_ZIAMATH = version("ziamath")
SIZE = 20.0  # ziamath's em in SVG user units; the box is sized in em, so this is only precision
Warn = Callable[[str], None]


@dataclass(frozen=True)
class Form:
    """A formula as PDF drawing operators, in SVG units with y pointing up."""

    ops: bytes
    bbox: tuple[float, float, float, float]  # x1, y1, x2, y2: the SVG's viewBox, flipped


def convert(fragment: str, warn: Warn, forms: MutableMapping[str, Form] | None = None,
            cache: Cache | None = None) -> str:
    """Replace every <math> element of an HTML fragment by a formula box (its Form into `forms`)
    or, without `forms` or for an SVG the converter does not know, by an SVG image. Typeset
    formulas are kept in the build cache (ziamath takes tens of milliseconds for each)."""
    if "<math" not in fragment:
        return fragment
    return _MATH.sub(lambda m: _image(m.group(0), warn, forms, cache or Cache(None)), fragment)


def _image(mathml: str, warn: Warn, forms: MutableMapping[str, Form] | None, cache: Cache) -> str:
    display = bool(_DISPLAY.match(mathml))
    tex_match = _TEX.search(mathml)
    tex = html.unescape(tex_match.group(1)) if tex_match else ""
    try:
        svg, messages = _stored_svg(signs(_ANNOTATION.sub("", mathml)), cache)
    except Exception as exc:  # ziamath raises many kinds on unsupported input
        warn(f"formula {tex or '(no TeX)'!r} could not be typeset: {type(exc).__name__}: {exc}")
        return f'<code class="math-fallback">{html.escape(tex)}</code>'
    for message in messages:
        warn(f"formula {tex!r}: {message}")
    box = _box(svg)
    if box is None:
        warn(f"formula {tex or '(no TeX)'!r} typeset to nothing; printed as TeX")
        return f'<code class="math-fallback">{html.escape(tex)}</code>'
    form = to_form(svg) if forms is not None else None
    if forms is None or form is None:
        return _img(svg, box, tex, display)
    key = hashlib.sha256(svg.encode("utf-8")).hexdigest()[:16]
    forms[key] = form
    return _span(key, box, tex, display)


def signs(mathml: str) -> str:
    """Unary minus and plus marked as prefix operators (`form="prefix"`), which ziamath honours."""
    if not any(c in mathml for c in _SIGN):
        return mathml
    mathml = _UNARY_MI.sub(r'<mo form="prefix">\1</mo>', mathml)
    return _UNARY_MO.sub(r'\1<mo form="prefix">\2</mo>', mathml)


def _stored_svg(mathml: str, cache: Cache) -> tuple[str, tuple[str, ...]]:
    """`_svg`, from the build cache when this MathML was typeset before (by this ziamath)."""
    key = cache.key("pdf-formula", _ZIAMATH, mathml)
    found = cache.get_json("pdf-formula", key)
    if isinstance(found, list) and len(found) == 2 and isinstance(found[0], str):
        return found[0], tuple(str(m) for m in found[1])
    svg, messages = _svg(mathml)
    cache.put_json("pdf-formula", key, [svg, list(messages)])
    return svg, messages


@lru_cache(maxsize=4096)
def _svg(mathml: str) -> tuple[str, tuple[str, ...]]:
    """The SVG and what ziamath logged while making it (cached: glossaries repeat formulas)."""
    saved = config.svg2
    # Plain paths, not <symbol>/<use>: WeasyPrint draws them about three times faster.
    config.svg2 = False
    try:
        with _root_records() as messages:
            svg = str(Math(mathml, size=SIZE).svg())
    finally:
        config.svg2 = saved
    return svg, tuple(messages)


def _box(svg: str) -> tuple[float, float, float] | None:
    """(width, height, top) of the SVG's viewBox, or None when it is empty."""
    m = _VIEWBOX.search(svg)
    if not m or float(m.group(3)) <= 0 or float(m.group(4)) <= 0:
        return None
    return float(m.group(3)), float(m.group(4)), float(m.group(2))


def _style(box: tuple[float, float, float]) -> str:
    width, height, top = box
    descent = height + top  # the viewBox's y origin is the baseline
    return (f"width:{width / SIZE:.3f}em;height:{height / SIZE:.3f}em;"
            f"vertical-align:{-descent / SIZE:.3f}em")


def _img(svg: str, box: tuple[float, float, float], tex: str, display: bool) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    cls = "math display" if display else "math"
    img = (f'<img class="{cls}" alt="{html.escape(tex, quote=True)}" style="{_style(box)}" '
           f'src="data:image/svg+xml;base64,{data}"/>')
    return f'<span class="math-display">{img}</span>' if display else img


def _span(key: str, box: tuple[float, float, float], tex: str, display: bool) -> str:
    """An empty box the formula is drawn into after layout (an inline-block: its baseline is
    its bottom edge, like an image's)."""
    cls = "math display" if display else "math"
    span = (f'<span class="{cls}" {MATH_ATTR}="{key}" role="img" '
            f'aria-label="{html.escape(tex, quote=True)}" style="{_style(box)}"></span>')
    return f'<span class="math-display">{span}</span>' if display else span


@lru_cache(maxsize=4096)
def to_form(svg: str) -> Form | None:
    """The SVG as PDF operators, or None if it uses more than filled paths and rectangles."""
    root = ElementTree.fromstring(svg)
    box = _box(svg)
    if box is None:
        return None
    ops: list[str] = []
    for element in root:
        fill = _FILLS.get(element.get("fill", "black"))
        if fill is None or len(element) or set(element.attrib) - {"d", "fill", "x", "y", "width", "height"}:
            return None
        if element.tag == _SVG_NS + "path":
            path = _path(element.get("d", ""))
            if path is None:
                return None
            ops.append(path)
        elif element.tag == _SVG_NS + "rect":
            x, y, w, h = (float(element.get(k, "0")) for k in ("x", "y", "width", "height"))
            ops.append(f"{x:g} {-y - h:g} {w:g} {h:g} re")
        else:
            return None
        ops.append("{:g} {:g} {:g} rg f".format(*fill))
    width, height, top = box
    left = float(_VIEWBOX.search(svg).group(1))  # type: ignore[union-attr]
    return Form("\n".join(ops).encode(), (left, -top - height, left + width, -top))


def _path(d: str) -> str | None:
    """SVG path data (absolute M, L, Q, C, Z) as PDF operators, y flipped."""
    if _PATH_OTHER.search(d):
        return None
    out: list[str] = []
    x = y = 0.0
    for command, args in _PATH.findall(d):
        v = [float(n) for n in args.replace(",", " ").split()]
        if command == "Z":
            out.append("h")
        elif command in "ML" and len(v) == 2:
            x, y = v
            out.append(f"{x:g} {-y:g} {command.lower()}")
        elif command == "Q" and len(v) == 4:
            (qx, qy), (ex, ey) = v[:2], v[2:]
            c1 = (x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y))
            c2 = (ex + 2 / 3 * (qx - ex), ey + 2 / 3 * (qy - ey))
            out.append(f"{c1[0]:g} {-c1[1]:g} {c2[0]:g} {-c2[1]:g} {ex:g} {-ey:g} c")
            x, y = ex, ey
        elif command == "C" and len(v) == 6:
            out.append(" ".join(f"{n if i % 2 == 0 else -n:g}" for i, n in enumerate(v)) + " c")
            x, y = v[4], v[5]
        else:
            return None  # relative commands, several segments per letter, arcs: leave it to WeasyPrint
    return " ".join(out)


@contextmanager
def _root_records() -> Iterator[list[str]]:
    """ziamath warns through the root logger: take those records instead of letting them print."""
    messages: list[str] = []

    def take(record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            messages.append(record.getMessage())
        return False  # ziamath's debug chatter (GSUB lookups) is noise, not a finding

    root = logging.getLogger()
    root.addFilter(take)
    try:
        yield messages
    finally:
        root.removeFilter(take)
