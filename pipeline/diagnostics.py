"""Diagnostics as data: one record type, one registry of stable codes.

Only the CLI prints or exits; everything else returns or collects `Diagnostic` records.
Codes are stable: a code is never reused for a different problem once released.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Code:
    """A registered diagnostic code with its default severity and a one-line summary."""

    code: str
    name: str
    severity: Severity
    summary: str


CODES: dict[str, Code] = {}


def _register(code: str, name: str, severity: Severity, summary: str) -> str:
    if code in CODES:
        raise ValueError(f"duplicate diagnostic code {code}")
    CODES[code] = Code(code, name, severity, summary)
    return code


E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO  # N: notice (info)

# Links (GL1xx)
LINK_BROKEN = _register("GL101", "link-broken", E, "internal link to an id no term has")
LINK_CASE = _register("GL102", "link-case-mismatch", W, "link target differs from an id only in case")
LINK_SELF = _register("GL103", "link-self", W, "a term links to itself")
LINK_ALIAS = _register("GL104", "link-to-alias", N, "link target is an alias, resolved to its term")
LINK_FILE = _register("GL105", "link-to-file", N, "link to a source file, resolved to its term")
SEEALSO_NO_INDEX = _register("GL106", "seealso-no-index", N, "see-also list does not end in [Index](#Index)")
LINK_UNPUBLISHED = _register("GL107", "link-unpublished", W, "link to a file that is not published")
MENTION_UNLINKED = _register("GL110", "mention-unlinked", N, "text names another term without linking it")
# Ids and terms (GL2xx)
ID_DUPLICATE = _register("GL201", "id-duplicate", E, "two terms share an id")
TERM_NO_ID = _register("GL202", "term-missing-id", E, "term heading has no {#id}")
ID_RESERVED = _register("GL203", "id-reserved", E, "term uses a reserved id such as Index")
ALIAS_CONFLICT = _register("GL204", "alias-conflict", W, "alias equals another term's id or alias")
TERM_NO_TAGLINE = _register("GL205", "term-no-tagline", N, "term has no bold-italic tagline")
TERM_EMPTY = _register("GL206", "term-empty", W, "term has no definition and no sections")
ID_INVALID = _register("GL207", "id-invalid", E, "pandoc cannot read a term heading's {#id .term} block")
TERM_NO_TITLE = _register("GL208", "term-no-title", E, "term heading has no text")
TERM_NO_CLASS = _register("GL209", "term-missing-class", W,
                          "a heading that looks like a term has no .term class (read as a term)")
PAGE_ID_CONFLICT = _register("GL210", "page-id-conflict", E,
                             "a front/back page's id is a term's, the index's or another page's")
PAGE_NO_TITLE = _register("GL211", "page-no-title", N,
                          "a front/back page does not start with a heading (titled after its file)")
# Files (GL3xx)
FILE_UNREADABLE = _register("GL301", "file-unreadable", E, "file cannot be read or is not UTF-8")
FILE_EMPTY = _register("GL302", "file-empty", W, "file is empty")
FILE_NO_TERM = _register("GL303", "file-no-term", W, "file has no heading with the .term class")
FILE_MERGED = _register("GL304", "file-generated-merge", W, "file looks like a generated merge; skipped")
FILE_PARSE = _register("GL305", "file-parse-error", E, "pandoc could not parse the file")
FILE_PREAMBLE = _register("GL306", "file-preamble", W, "content before the first term is ignored")
PANDOC_WARNING = _register("GL307", "pandoc-warning", W, "pandoc reported a problem in the source")
RESOURCE_MISSING = _register("GL308", "resource-missing", E, "an image the entry names does not exist")
MATH_INVALID = _register("GL309", "math-invalid", W, "a TeX formula pandoc's texmath cannot read")
FILE_INDEX_PAGE = _register("GL310", "file-index-page", N,
                            "a hand-kept index page, superseded by the generated index (not published)")
ENTRY_TOO_LARGE = _register("GL311", "entry-too-large", E, "a file is larger than [limits] entry-size")
BOOK_TOO_LARGE = _register("GL312", "book-too-large", E, "the entries pass [limits] total-size")
ENTRY_TOO_COMPLEX = _register("GL313", "entry-too-complex", E, "pandoc needs longer than [limits] parse-time")
NESTING_TOO_DEEP = _register("GL314", "nesting-too-deep", W, "blocks or inlines nested too deeply; flattened")
CONTROL_CHARACTER = _register("GL315", "control-character", W, "a NUL or other control character; removed")
FILE_OUTSIDE = _register("GL317", "file-outside", E, "a symlink leads outside the source folder or loops")
# Headings and structure (GL4xx)
HEADING_CLASS = _register("GL401", "heading-unknown-class", W, "heading carries an unknown class")
SEEALSO_NOT_LAST = _register("GL402", "seealso-not-last", N, "see-also section is not the last one")
SEEALSO_TEXT = _register("GL403", "seealso-text", W, "see-also list holds text that is no link")
TITLE_MARKUP = _register("GL404", "title-markup", W, "a term heading holds a link or a footnote")
# Configuration (GL5xx)
CONFIG_INVALID = _register("GL501", "config-invalid", E, "book.toml is not valid")
CONFIG_UNKNOWN = _register("GL502", "config-unknown-key", W, "book.toml has a key this version ignores")
SOURCE_MISSING = _register("GL503", "source-missing", E, "source folder does not exist or has no entries")
OUT_INVALID = _register("GL504", "out-invalid", E, "the output folder cannot be used")
OUT_LOCKED = _register("GL505", "out-locked", E, "another build is writing into the output folder")
# Rendering and output (GL6xx); backends register their own codes below 700.
RESOURCE_REFUSED = _register("GL601", "resource-refused", E, "a resource outside the source folder or remote")
RENDER_WARNING = _register("GL602", "render-warning", W, "the renderer reported a problem")
DEAD_LINK_OUTPUT = _register("GL603", "output-dead-link", E, "an output contains an internal link to nowhere")
TOOL_FAILED = _register("GL604", "tool-failed", E, "an external tool failed")
OUTPUT_INVALID = _register("GL605", "output-invalid", E, "a validator rejected an output")
TEMPLATE_FAILED = _register("GL606", "template-error", E, "a template in the styles folder fails")
RELEASE_REFUSED = _register("GL607", "release-refused", E, "a release cannot start (version, date, folder)")
UNSAFE_REMOVED = _register("GL609", "unsafe-content-removed", W,
                           "script, a handler, a remote reference or raw markup removed from an entry")
TIME_BUDGET = _register("GL611", "time-budget", E, "a format took longer than [limits] time")
OUTPUT_WRITE = _register("GL612", "output-write-failed", E, "an output file cannot be written")


# Codes whose severity book.toml cannot change: they end the run or guard the outputs.
FIXED_SEVERITY = frozenset({"GL501", "GL503", "GL504", "GL505", "GL603", "GL604", "GL605", "GL611",
                            "GL612"})


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding, located in a source file (paths are relative to the source folder)."""

    file: str
    line: int
    column: int
    code: str
    message: str
    hint: str = field(default="", compare=False)
    severity: Severity = field(default=Severity.WARNING, compare=False)

    def as_dict(self) -> dict[str, str | int]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return {k: data[k] for k in ("code", "severity", "file", "line", "column", "message", "hint")}

    def to_json(self) -> list[str | int]:
        """A compact JSON form (`from_json` reads it back), for the build cache."""
        return [self.code, str(self.severity), self.file, self.line, self.column, self.message, self.hint]

    @staticmethod
    def from_json(value: object) -> Diagnostic:
        """A diagnostic from `to_json`'s form; ValueError for anything else."""
        try:
            if not isinstance(value, list) or len(value) != 7:
                raise ValueError("not a list of seven")
            fields: list[Any] = value
            if fields[0] not in CODES:
                raise ValueError(f"unknown code {fields[0]}")
            return Diagnostic(str(fields[2]), int(fields[3]), int(fields[4]), str(fields[0]),
                              str(fields[5]), str(fields[6]), Severity(fields[1]))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"not a diagnostic: {value!r:.80}") from exc

    def escalated(self) -> Diagnostic:
        """The same finding as an error (for --strict)."""
        if self.severity is Severity.ERROR:
            return self
        return Diagnostic(
            self.file, self.line, self.column, self.code, self.message, self.hint, Severity.ERROR
        )


def make(
    code: str,
    file: str,
    line: int,
    column: int,
    message: str,
    hint: str = "",
    severity: Severity | None = None,
) -> Diagnostic:
    """Build a diagnostic with the code's registered severity unless one is given."""
    sev = severity if severity is not None else CODES[code].severity
    return Diagnostic(file, max(line, 0), max(column, 0), code, message, hint, sev)


class Report:
    """A collector of diagnostics, shared by every phase of one run."""

    def __init__(self, strict: bool = False) -> None:
        self.strict = strict
        self._items: list[Diagnostic] = []
        # book.toml's [diagnostics]: code -> severity, None to drop the finding
        self.severities: dict[str, Severity | None] = {}

    def add(self, diagnostic: Diagnostic) -> None:
        if diagnostic.code in self.severities:
            severity = self.severities[diagnostic.code]
            if severity is None:
                return
            diagnostic = replace(diagnostic, severity=severity)
        if self.strict and diagnostic.severity is Severity.WARNING:
            diagnostic = diagnostic.escalated()
        self._items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for d in diagnostics:
            self.add(d)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(sorted(set(self._items)))

    def __len__(self) -> int:
        return len(set(self._items))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self if d.severity is Severity.WARNING]


class GlossaryError(Exception):
    """A failure that ends the run; carries the exit code and the diagnostic to show."""

    def __init__(self, diagnostic: Diagnostic, exit_code: int = 1) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic
        self.exit_code = exit_code


def format_text(d: Diagnostic) -> str:
    """`file:line:column: severity[CODE] message (hint)` — the classic compiler form, on one
    line: control characters (a newline in a file name) are shown escaped, so no file name can
    forge a second diagnostic or a CI command such as `::error`."""
    where = _escaped(d.file) or "<source>"
    if d.line:
        where += f":{d.line}:{d.column}" if d.column else f":{d.line}"
    text = f"{where}: {d.severity}[{d.code}] {_escaped(d.message)}"
    return f"{text} — {_escaped(d.hint)}" if d.hint else text


# C0 and C1 controls, DEL and the Unicode line and paragraph separators.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escaped(s: str) -> str:
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), s)


def format_github(d: Diagnostic, root: str = "") -> str:
    """A GitHub Actions workflow command (`::error file=…,line=…::…`)."""
    level = {"error": "error", "warning": "warning", "info": "notice"}[str(d.severity)]
    # A file is named relative to the source folder, except the folder itself (GL503).
    inside = root and d.file and d.file != root and not d.file.startswith("/")
    path = f"{root.rstrip('/')}/{d.file}" if inside else d.file
    props = [f"file={_gh_escape_prop(path)}"] if path else []
    if d.line:
        props.append(f"line={d.line}")
    if d.column:
        props.append(f"col={d.column}")
    props.append(f"title={d.code}")
    body = f"{d.message} — {d.hint}" if d.hint else d.message
    return f"::{level} {','.join(props)}::{_gh_escape_data(body)}"


def format_json(items: Iterable[Diagnostic]) -> str:
    return json.dumps([d.as_dict() for d in items], ensure_ascii=False, indent=2)


def _gh_escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_prop(s: str) -> str:
    return _gh_escape_data(s).replace(":", "%3A").replace(",", "%2C")
