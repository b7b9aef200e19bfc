"""The cover: a PNG drawn at build time from title, subtitle, authors and publisher.

PNG rather than SVG because reading systems' library views (Apple Books, Kobo, Kindle's
converter) show raster covers reliably and SVG covers often not at all. Text is drawn with a
font from `styles/epub/fonts/cover-title.*` and `cover-text.*` when present, else the system's
DejaVu (via fontconfig). Same inputs and fonts give the same bytes (no timestamps in the PNG).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ...config import BookConfig

WIDTH, HEIGHT = 1600, 2560  # 1:1.6, the ratio most stores recommend
MARGIN = 150
BACKGROUND = "#1d3557"
BAND = "#274472"
ACCENT = "#e9c46a"
TEXT = "#f1faee"
_TEXT_WIDTH = WIDTH - 2 * MARGIN
_FONT_SUFFIXES = (".ttf", ".otf")
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def cover_png(config: BookConfig, styles_dir: Path) -> bytes:
    """The cover image as PNG bytes."""
    # More than a few hundred characters never fit on a cover; a 200,000-character title
    # would only cost minutes of fitting. The metadata keep the whole text.
    config = replace(config, title=_clip(config.title), subtitle=_clip(config.subtitle),
                     authors=tuple(_clip(a) for a in config.authors[:20]),
                     publisher=_clip(config.publisher))
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    title_path = _font(styles_dir, "cover-title", "serif:bold")
    text_path = _font(styles_dir, "cover-text", "sans-serif")
    title = _fit(draw, config.title, title_path, 150, 4)
    subtitle = _fit(draw, config.subtitle, text_path, 70, 4) if config.subtitle else None
    band_top, title_top = 560, 680
    below_title = title_top + _height(draw, config.title, title)
    rule_top = below_title + 40 + (_height(draw, config.subtitle, subtitle) + 40 if subtitle else 0)
    draw.rectangle((0, band_top, WIDTH, rule_top + 130), fill=BAND)
    _paragraph(draw, config.title, title, title_top, TEXT)
    if subtitle is not None:
        _paragraph(draw, config.subtitle, subtitle, below_title + 40, TEXT)
    draw.rectangle((MARGIN, rule_top + 20, MARGIN + 260, rule_top + 34), fill=ACCENT)
    if config.authors:
        names = ", ".join(config.authors)
        _paragraph(draw, names, _fit(draw, names, text_path, 80, 3), max(1700, rule_top + 280), TEXT)
    if config.publisher:
        _paragraph(draw, config.publisher, _fit(draw, config.publisher, text_path, 56, 2), 2300, ACCENT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def cover_fonts(styles_dir: Path) -> str:
    """Which font files the cover is drawn with (their paths and sizes), for the cache key."""
    fonts = [_font(styles_dir, "cover-title", "serif:bold"), _font(styles_dir, "cover-text", "sans-serif")]
    return "|".join(f"{f}:{f.stat().st_size}" if f else "-" for f in fonts)


def _font(styles_dir: Path, name: str, pattern: str) -> Path | None:
    """A font file from the styles folder, else fontconfig's best match for `pattern`."""
    for suffix in _FONT_SUFFIXES:
        path = styles_dir / "epub" / "fonts" / f"{name}{suffix}"
        if path.is_file():
            return path
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    found = subprocess.run([fc_match, "--format=%{file}", pattern], capture_output=True, text=True,
                           check=False).stdout.strip()
    return Path(found) if found and Path(found).is_file() else None


def _fit(draw: ImageDraw.ImageDraw, text: str, path: Path | None, size: int, max_lines: int) -> Font:
    """The largest font size (down to half of `size`) that sets `text` in `max_lines` lines."""
    font = _load(path, size)
    for s in range(size, size // 2, -max(2, size // 20)):
        font = _load(path, s)
        lines = _lines(draw, text, font)
        if len(lines) <= max_lines and all(draw.textlength(x, font=font) <= _TEXT_WIDTH for x in lines):
            break
    return font


def _load(path: Path | None, size: int) -> Font:
    if path is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(str(path), size)


def _lines(draw: ImageDraw.ImageDraw, text: str, font: Font) -> list[str]:
    """Greedy wrap to the text width, breaking between words or after a hyphen."""
    lines: list[str] = []
    for word in text.split():
        for i, piece in enumerate(re.findall(r"[^-]+-?|-", word)):
            joiner = "" if i else " "
            candidate = f"{lines[-1]}{joiner}{piece}" if lines else piece
            if lines and draw.textlength(candidate, font=font) <= _TEXT_WIDTH:
                lines[-1] = candidate
            else:
                lines.append(piece)
    return lines


def _height(draw: ImageDraw.ImageDraw, text: str, font: Font | None) -> int:
    return len(_lines(draw, text, font)) * _leading(font) if font is not None else 0


def _leading(font: Font) -> int:
    return int(getattr(font, "size", 40) * 1.25)


def _paragraph(draw: ImageDraw.ImageDraw, text: str, font: Font, top: int, fill: str) -> None:
    """Draw `text` left-aligned, wrapped, from `top`."""
    for n, line in enumerate(_lines(draw, text, font)):
        draw.text((MARGIN, top + n * _leading(font)), line, font=font, fill=fill)
