"""The cover: a PNG drawn at build time from title, subtitle, authors and publisher.

PNG rather than SVG because reading systems' library views (Apple Books, Kobo, Kindle's
converter) show raster covers reliably and SVG covers often not at all. Text is drawn with a
font from `styles/epub/fonts/cover-title.*` and `cover-text.*` when present, else the book's
packaged faces (common/fonts.py), else the system's serif and sans (via fontconfig). Same
inputs and fonts give the same bytes (no timestamps in the PNG).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ...config import BookConfig
from ..common import fonts, linebreaks

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
    title_path, text_path = _fonts(styles_dir)
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
    return "|".join(f"{f}:{f.stat().st_size}" if f else "-" for f in _fonts(styles_dir))


def _fonts(styles_dir: Path) -> tuple[Path | None, Path | None]:
    """Title and text faces: the styles folder's, else the book's (Source Serif Pro Bold and
    Source Sans Pro, as in the PDF), else fontconfig's serif and sans."""
    return (_font(styles_dir, "cover-title", "serif:bold", fonts.face(fonts.SERIF, bold=True)),
            _font(styles_dir, "cover-text", "sans-serif", fonts.face(fonts.SANS)))


def _font(styles_dir: Path, name: str, pattern: str, packaged: Path | None = None) -> Path | None:
    """A font file from the styles folder, else the packaged face, else fontconfig's best
    match for `pattern`."""
    for suffix in _FONT_SUFFIXES:
        path = styles_dir / "epub" / "fonts" / f"{name}{suffix}"
        if path.is_file():
            return path
    if packaged is not None:
        return packaged
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    found = subprocess.run([fc_match, "--format=%{file}", pattern], capture_output=True, text=True,
                           check=False).stdout.strip()
    return Path(found) if found and Path(found).is_file() else None


def _fit(draw: ImageDraw.ImageDraw, text: str, path: Path | None, size: int, max_lines: int) -> Font:
    """The largest font size (down to half of `size`) that sets `text` in `max_lines` lines;
    a somewhat smaller one (to 80 %) if that leaves no single word on the last line."""
    found: Font | None = None
    font = _load(path, size)
    for s in range(size, size // 2, -max(2, size // 20)):
        font = _load(path, s)
        lines = _lines(draw, text, font)
        if len(lines) > max_lines or any(draw.textlength(x, font=font) > _TEXT_WIDTH for x in lines):
            continue
        if not linebreaks.lonely(lines):
            return font
        found = found or font
        if s < size * 0.8:
            break
    return found or font


def _load(path: Path | None, size: int) -> Font:
    if path is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(str(path), size)


def _lines(draw: ImageDraw.ImageDraw, text: str, font: Font) -> list[str]:
    """The lines the text chooses at this size (`common.linebreaks`: no line begins with a
    hyphen, no word alone on the last line when that can be avoided)."""
    return linebreaks.lines(text, lambda s: draw.textlength(s, font=font), _TEXT_WIDTH)


def _height(draw: ImageDraw.ImageDraw, text: str, font: Font | None) -> int:
    return len(_lines(draw, text, font)) * _leading(font) if font is not None else 0


def _leading(font: Font) -> int:
    return int(getattr(font, "size", 40) * 1.25)


def _paragraph(draw: ImageDraw.ImageDraw, text: str, font: Font, top: int, fill: str) -> None:
    """Draw `text` left-aligned, wrapped, from `top`."""
    for n, line in enumerate(_lines(draw, text, font)):
        draw.text((MARGIN, top + n * _leading(font)), line, font=font, fill=fill)
