"""Formulas for print: the shared HTML's MathML becomes SVG, since WeasyPrint has no MathML.

ziamath (pure Python, its own STIX Two Math font) typesets pandoc's MathML; the SVG goes in as
a `data:` image sized in `em`, so it scales with the text and sits on the baseline. Each SVG is
its own document, so nothing in one formula can collide with another. A formula that
cannot be typeset stays readable as its TeX source and is reported.
"""

from __future__ import annotations

import base64
import html
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache

from ziamath import Math, config  # type: ignore[attr-defined]

_MATH = re.compile(r"<math\b[^>]*>.*?</math>", re.DOTALL)
_DISPLAY = re.compile(r'^<math\b[^>]*\bdisplay="block"')
_TEX = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.DOTALL)
_ANNOTATION = re.compile(r"<annotation\b.*?</annotation>|</?semantics>", re.DOTALL)
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"')
SIZE = 20.0  # ziamath's em in SVG user units; the <img> is sized in em, so this is only precision
Warn = Callable[[str], None]


def convert(fragment: str, warn: Warn) -> str:
    """Replace every <math> element of an HTML fragment by an SVG image."""
    if "<math" not in fragment:
        return fragment
    return _MATH.sub(lambda m: _image(m.group(0), warn), fragment)


def _image(mathml: str, warn: Warn) -> str:
    display = bool(_DISPLAY.match(mathml))
    tex_match = _TEX.search(mathml)
    tex = html.unescape(tex_match.group(1)) if tex_match else ""
    try:
        svg, messages = _svg(_ANNOTATION.sub("", mathml))
    except Exception as exc:  # ziamath raises many kinds on unsupported input
        warn(f"formula {tex or '(no TeX)'!r} could not be typeset: {type(exc).__name__}: {exc}")
        return f'<code class="math-fallback">{html.escape(tex)}</code>'
    for message in messages:
        warn(f"formula {tex!r}: {message}")
    box = _box(svg)
    if box is None:
        warn(f"formula {tex or '(no TeX)'!r} typeset to nothing; printed as TeX")
        return f'<code class="math-fallback">{html.escape(tex)}</code>'
    return _img(svg, box, tex, display)


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


def _img(svg: str, box: tuple[float, float, float], tex: str, display: bool) -> str:
    width, height, top = box
    descent = height + top  # the viewBox's y origin is the baseline
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    cls = "math display" if display else "math"
    style = (f"width:{width / SIZE:.3f}em;height:{height / SIZE:.3f}em;"
             f"vertical-align:{-descent / SIZE:.3f}em")
    img = (f'<img class="{cls}" alt="{html.escape(tex, quote=True)}" style="{style}" '
           f'src="data:image/svg+xml;base64,{data}"/>')
    return f'<span class="math-display">{img}</span>' if display else img


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
