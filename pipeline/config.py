"""`book.toml`: the book's metadata and output settings, with defaults and clear errors."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import diagnostics as dg
from . import limits as lim
from .limits import Limits
from .names import safe_name_problem, slugify

CONFIG_NAME = "book.toml"
PAGE_SIZES = ("A4", "A5", "Letter")
SLUG_MAX = 80  # a slug derived from a long title is cut here (file names have 255 bytes)
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class PdfConfig:
    page_size: str = "A4"


@dataclass(frozen=True)
class EpubConfig:
    """`[epub]`: an accessibility conformance claim, made only by whoever checked it."""

    conformance: str = ""  # dcterms:conformsTo, e.g. "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
    certified_by: str = ""  # a11y:certifiedBy; with a claim, defaults to the publisher or authors


@dataclass(frozen=True)
class BookConfig:
    """Everything `book.toml` can set; every field has a default."""

    title: str = "Glossar"
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    language: str = "de"
    version: str = ""
    date: str = ""
    license: str = ""
    identifier: str = ""
    publisher: str = ""
    description: str = ""
    keywords: tuple[str, ...] = ()
    slug: str = ""
    exclude: tuple[str, ...] = ()
    front: tuple[str, ...] = ()  # pages before the first letter, relative to the source folder
    back: tuple[str, ...] = ()  # pages after the index
    pdf: PdfConfig = field(default_factory=PdfConfig)
    epub: EpubConfig = field(default_factory=EpubConfig)
    limits: Limits = field(default_factory=Limits)
    severities: tuple[tuple[str, str], ...] = ()  # [diagnostics]: (code, error|warning|info|ignore)

    @property
    def lang_primary(self) -> str:
        return self.language.split("-")[0].lower()


# key -> (type description, converter). Converters raise ValueError with a user-facing reason.
def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise ValueError("must be a string")
    return v.strip()


def _str_list(v: Any) -> tuple[str, ...]:
    if isinstance(v, str):
        return (v.strip(),) if v.strip() else ()
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ValueError("must be a string or a list of strings")
    return tuple(x.strip() for x in v if x.strip())


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def _date(v: Any) -> str:
    """A calendar day, a month (`2025-03`) or a year (`2025`, also as a TOML integer): ISO 8601."""
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, int) and not isinstance(v, bool) and 1000 <= v <= 9999:
        return str(v)
    s = _str(v) if not isinstance(v, int | float) else ""
    m = _PARTIAL_DATE.match(s)
    if m and (m.group(2) is None or 1 <= int(m.group(2)) <= 12):
        return s
    try:
        dt.date.fromisoformat(s)
    except ValueError:
        raise ValueError("must be a date like 2026-11-29, a month like 2026-11 or a year like 2026") from None
    if len(s) != 10:  # fromisoformat also reads 20261129 and week dates; the book prints what it reads
        raise ValueError("must be a date like 2026-11-29, a month like 2026-11 or a year like 2026")
    return s


def _language(v: Any) -> str:
    s = _str(v)
    if not _LANG_RE.match(s):
        raise ValueError("must be a BCP 47 language tag such as de, de-DE or en-GB")
    return s


def _slug(v: Any) -> str:
    """The output file stem: one plain file name inside --out (no folders, `..`, NUL, …)."""
    s = _str(v)
    problem = safe_name_problem(s)
    if problem:
        raise ValueError(f"must be a plain file name: {problem}")
    return s


_TOP: dict[str, Any] = {
    "title": _str,
    "subtitle": _str,
    "authors": _str_list,
    "author": _str_list,
    "language": _language,
    "version": _str,
    "date": _date,
    "license": _str,
    "identifier": _str,
    "publisher": _str,
    "description": _str,
    "keywords": _str_list,
    "slug": _slug,
    "exclude": _str_list,
    "front": _str_list,
    "back": _str_list,
}
PAGE_SUFFIXES = (".md", ".markdown")


def _page_size(v: Any) -> str:
    s = _str(v)
    for size in PAGE_SIZES:
        if s.lower() == size.lower():
            return size
    raise ValueError(f"must be one of {', '.join(PAGE_SIZES)}")


_PDF: dict[str, Any] = {"page-size": _page_size, "page_size": _page_size}
_LIMITS: dict[str, tuple[str, Any]] = {
    "entry-size": ("entry_size", lim.size), "total-size": ("total_size", lim.size),
    "parse-time": ("parse_time", lim.duration), "time": ("time", lim.duration),
}


def load_config(source: Path, report: dg.Report) -> BookConfig:
    """Read `source/book.toml` (missing file = all defaults); raise GlossaryError(exit 2) if invalid."""
    path = source / CONFIG_NAME
    if not path.is_file():
        return _finish({}, PdfConfig())
    text, raw = _parse(path)
    values: dict[str, Any] = {}
    pdf = PdfConfig()
    for key, value in raw.items():
        if key == "pdf" and isinstance(value, dict):
            pdf = _pdf_section(value, report, text)
        elif key == "epub" and isinstance(value, dict):
            values["epub"] = _epub_section(value, report, text)
        elif key == "limits" and isinstance(value, dict):
            values["limits"] = _limits_section(value, report, text)
        elif key == "diagnostics" and isinstance(value, dict):
            values["severities"] = _diagnostics_section(value, text)
        elif key in _TOP:
            values[key] = _convert(_TOP[key], key, value, text)
        else:
            report.add(_unknown(key, text))
    if "author" in raw and "authors" in raw:
        line = max(_key_line(text, "author"), _key_line(text, "authors"))
        _fail("both 'author' and 'authors' are set", "keep one: authors = [\"A\", \"B\"]",
              line, 1 if line else 0)
    _check_pages(source, values, text)
    return _finish(values, pdf)


MAX_CONFIG_SIZE = 1_000_000


def _parse(path: Path) -> tuple[str, dict[str, Any]]:
    """The text (a UTF-8 BOM, as Windows editors write it, removed) and its TOML."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        _fail(f"cannot read {CONFIG_NAME}: {exc.strerror}", "check the file's permissions", 0, 0)
    if len(data) > MAX_CONFIG_SIZE:
        _fail(f"{CONFIG_NAME} is larger than 1 MB", "a book.toml holds a few settings", 0, 0)
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        _fail(f"{CONFIG_NAME} is not UTF-8 (byte {exc.start})", "save it as UTF-8", 1, 1)
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, col = _toml_position(str(exc))
        _fail(f"not valid TOML: {exc}", "fix the TOML syntax", line, col)
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        _fail("not valid TOML for this tool: values nested too deeply", "book.toml needs no nesting "
              "deeper than [section] keys", 1, 1)
    raise AssertionError("unreachable")  # pragma: no cover - _fail raises


def _limits_section(table: dict[str, Any], report: dg.Report, text: str) -> Limits:
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in _LIMITS:
            name, conv = _LIMITS[key]
            values[name] = _convert(conv, f"limits.{key}", value, text)
        else:
            report.add(_unknown(f"limits.{key}", text, tuple(_LIMITS)))
    return Limits(**values)


def _check_pages(source: Path, values: dict[str, Any], text: str) -> None:
    """`front`/`back`: Markdown files that exist inside the source folder, each listed once."""
    seen: dict[str, str] = {}
    root = source.resolve()
    for key in ("front", "back"):
        for name in values.get(key, ()):
            line = _key_line(text, key)
            where = (line, 1 if line else 0)
            path = (source / name).resolve()
            if Path(name).is_absolute() or not path.is_relative_to(root):
                _fail(f"'{key}' names {name}, which is outside the source folder",
                      "name the page relative to the folder of book.toml, e.g. lizenz.md", *where)
            if any(part.startswith(".") for part in path.relative_to(root).parts):
                _fail(f"'{key}' names {name}, a hidden file (a name starting with .)",
                      "files and folders starting with . are never read; rename it", *where)
            if path.suffix.lower() not in PAGE_SUFFIXES:
                _fail(f"'{key}' names {name}, which is not a Markdown file",
                      "front and back matter pages are Markdown (.md); rename or convert it", *where)
            if not path.is_file():
                _fail(f"'{key}' names {name}, which does not exist",
                      "correct the name or create the page", *where)
            rel = path.relative_to(root).as_posix()
            if rel in seen:
                _fail(f"{name} is listed twice (in '{seen[rel]}' and '{key}')",
                      "list each page once", *where)
            seen[rel] = key
        if key in values:
            values[key] = tuple((source / n).resolve().relative_to(root).as_posix() for n in values[key])


def _pdf_section(table: dict[str, Any], report: dg.Report, text: str) -> PdfConfig:
    size = "A4"
    for key, value in table.items():
        if key in _PDF:
            size = _convert(_PDF[key], f"pdf.{key}", value, text)
        else:
            report.add(_unknown(f"pdf.{key}", text, ("page-size",)))
    return PdfConfig(page_size=size)


# EPUB Accessibility 1.1 §2.1: "EPUB Accessibility 1.1 - WCAG 2.x Level A|AA|AAA"; also the
# IDPF's 1.0 identifiers, which reading systems still read.
_CONFORMANCE = re.compile(r"^(EPUB Accessibility 1\.1 - WCAG 2\.[0-9] Level A{1,3}|"
                          r"http://www\.idpf\.org/epub/a11y/accessibility-20170105\.html#wcag-a{1,3})$")


def _conformance(v: Any) -> str:
    s = _str(v)
    if not _CONFORMANCE.match(s):
        raise ValueError('must be a claim like "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"')
    return s


_EPUB: dict[str, Any] = {"conformance": _conformance, "certified-by": _str}


def _epub_section(table: dict[str, Any], report: dg.Report, text: str) -> EpubConfig:
    found: dict[str, str] = {}
    for key, value in table.items():
        if key in _EPUB:
            found[key.replace("-", "_")] = _convert(_EPUB[key], f"epub.{key}", value, text)
        else:
            report.add(_unknown(f"epub.{key}", text, tuple(_EPUB)))
    return EpubConfig(**found)


_SEVERITIES = ("error", "warning", "info", "ignore")


def _diagnostics_section(table: dict[str, Any], text: str) -> tuple[tuple[str, str], ...]:
    """`GL101 = "warning"` or `link-broken = "warning"`: a code's severity for this book."""
    by_name = {c.name: c.code for c in dg.CODES.values()}
    out: dict[str, str] = {}
    for key, value in table.items():
        code = by_name.get(key, key.upper())
        line = _key_line(text, key)
        if code not in dg.CODES:
            _fail(f"[diagnostics] names no such code: {key}", "see `glossary codes` for the list",
                  line, 1 if line else 0)
        if code in dg.FIXED_SEVERITY:
            _fail(f"[diagnostics] cannot change {code}: it ends the run or guards the outputs",
                  f"remove {key} from [diagnostics]", line, 1 if line else 0)
        if value not in _SEVERITIES:
            _fail(f"[diagnostics] {key} must be one of {', '.join(_SEVERITIES)}",
                  f'e.g. {key} = "warning"', line, 1 if line else 0)
        out[code] = value
    return tuple(sorted(out.items()))


def severities(config: BookConfig) -> dict[str, dg.Severity | None]:
    """The [diagnostics] overrides as a Report wants them (None: ignore)."""
    return {code: None if value == "ignore" else dg.Severity(value) for code, value in config.severities}


def _key_line(text: str, dotted: str) -> int:
    """Line of `key =` in the TOML text (tomllib keeps no positions); 0 when not found."""
    key = dotted.rsplit(".", 1)[-1]
    m = re.search(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", text, re.MULTILINE)
    return text.count("\n", 0, m.start()) + 1 if m else 0


def _convert(conv: Any, key: str, value: Any, text: str) -> Any:
    try:
        return conv(value)
    except ValueError as exc:
        line = _key_line(text, key)
        _fail(f"'{key}' {exc}", f"correct '{key}' in {CONFIG_NAME}", line, 1 if line else 0)


def _finish(values: dict[str, Any], pdf: PdfConfig) -> BookConfig:
    authors = values.pop("authors", ()) or values.pop("author", ())
    values.pop("author", None)
    cfg = BookConfig(pdf=pdf, authors=authors, **values)
    date = cfg.date or _default_date()
    identifier = cfg.identifier or _default_identifier(cfg.title, cfg.authors)
    slug = cfg.slug or slugify(cfg.title)[:SLUG_MAX].rstrip("-") or "glossary"
    return BookConfig(**{**cfg.__dict__, "date": date, "identifier": identifier, "slug": slug})


def _default_date() -> str:
    """SOURCE_DATE_EPOCH when set (reproducible builds), otherwise today."""
    return build_time().date().isoformat()


def build_time() -> dt.datetime:
    """The build's timestamp: SOURCE_DATE_EPOCH if set, else now (UTC, whole seconds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


def _default_identifier(title: str, authors: tuple[str, ...]) -> str:
    """Stable across builds: derived from title and authors, never random."""
    name = "|".join((title, *authors))
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'glossary:' + name)}"


# What a misspelt key is compared with: the canonical spellings (`authors`, not `author`).
_SUGGESTIONS = (*(k for k in _TOP if k != "author"), "pdf", "epub", "limits", "diagnostics")


def _unknown(key: str, text: str, known: tuple[str, ...] = _SUGGESTIONS) -> dg.Diagnostic:
    line = _key_line(text, key)
    name = key.rsplit(".", 1)[-1]
    close = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.6)
    hint = (f"did you mean '{close[0]}'?" if close else
            "see the README's book.toml table for the keys this version reads")
    return dg.make(
        dg.CONFIG_UNKNOWN, CONFIG_NAME, line, 1 if line else 0, f"unknown key '{key}' is ignored", hint,
    )


def _toml_position(message: str) -> tuple[int, int]:
    m = re.search(r"line (\d+), column (\d+)", message)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def _fail(message: str, hint: str, line: int, column: int) -> Any:
    raise dg.GlossaryError(
        dg.make(dg.CONFIG_INVALID, CONFIG_NAME, line, column, message, hint), exit_code=2
    )
