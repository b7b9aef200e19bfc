"""The pandoc options of a Makefile, mapped to book.toml keys where one exists.

Not a make implementation: simple variables (`X = …`, `:=`, `?=`, `+=`) and the automatic
variables `$@ $< $^` are expanded; anything else make would compute (`$(shell …)`,
`$(wildcard …)`) is reported as not understood. Each option ends up mapped, covered (the tool
does it anyway) or ignored — with the reason, so the author knows what to carry over by hand.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .booktoml import Value
from .metadata import iso_date

NAMES = ("GNUmakefile", "makefile", "Makefile")
_ASSIGN = re.compile(r"^(?:override\s+|export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(\+=|\?=|::?=|!=|=)\s*(.*)$")
_RULE = re.compile(r"^([^\s:=#][^:=#]*?)\s*::?(?!=)\s*(.*)$")
_REF = re.compile(r"\$(?:\(([A-Za-z_][A-Za-z0-9_.-]*)\)|\{([A-Za-z_][A-Za-z0-9_.-]*)\}|([@<^]))")
_WITH_VALUE = frozenset({
    "-o", "--output", "-V", "--variable", "-M", "--metadata", "--metadata-file", "-f", "--from",
    "-r", "--read", "-t", "--to", "-w", "--write", "--template", "--css", "-c", "--reference-doc",
    "--pdf-engine", "--pdf-engine-opt", "--lua-filter", "-L", "--filter", "-F", "--resource-path",
    "--epub-cover-image", "--epub-metadata", "--epub-embed-font", "--toc-depth", "--highlight-style",
    "--bibliography", "--csl", "-H", "--include-in-header", "-B", "--include-before-body",
    "-A", "--include-after-body", "--data-dir", "--shift-heading-level-by", "--top-level-division",
    "--wrap", "--columns", "--dpi", "--number-offset", "--id-prefix", "--title-prefix", "-T",
    "--split-level", "--epub-chapter-level", "--extract-media", "--syntax-definition",
})
_PAGE_SIZES = {"a4": "A4", "a4paper": "A4", "a5": "A5", "a5paper": "A5", "letter": "Letter",
               "letterpaper": "Letter", "usletter": "Letter"}
_META_KEYS = {"title": "title", "subtitle": "subtitle", "author": "authors", "date": "date",
              "lang": "language", "rights": "license", "publisher": "publisher",
              "description": "description", "keywords": "keywords", "subject": "description"}
_STYLE = "no book.toml key: fonts, sizes and layout come from the styles folder (copy styles/, --styles)"
_REASONS = {
    "--pdf-engine": "the PDF is rendered by WeasyPrint from styles/print (--styles)",
    "--template": "templates live in the styles folder (copy styles/, --styles)",
    "--css": "CSS lives in the styles folder (styles/print/print.css, styles/site/site.css)",
    "--reference-doc": "put it in <styles>/docx/reference.docx and build with --styles",
    "--epub-cover-image": "the EPUB cover is drawn from title, subtitle and authors",
    "--number-sections": "entries are not numbered", "-N": "entries are not numbered",
    "--standalone": "every output is a whole document anyway", "-s": "every output is a whole "
    "document anyway", "--citeproc": "citations are not processed",
}


@dataclass
class PandocOptions:
    """What a Makefile's pandoc calls say, sorted into book.toml values and the rest."""

    values: dict[str, Value] = field(default_factory=dict)
    mapped: list[tuple[str, str]] = field(default_factory=list)  # (option, key = value)
    covered: list[tuple[str, str]] = field(default_factory=list)  # (option, why no key is needed)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (option, reason)
    inputs: list[str] = field(default_factory=list)  # files the calls read, in order
    metadata_files: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


def find(folder: Path) -> Path | None:
    return next((folder / n for n in NAMES if (folder / n).is_file()), None)


def read(path: Path) -> PandocOptions:
    """Every pandoc call in the Makefile, its options sorted (first call wins on a conflict)."""
    lines = _logical_lines(path.read_text(encoding="utf-8", errors="replace"))
    variables = _variables(lines)
    result = PandocOptions()
    target, prereqs = "", ""
    for line in lines:
        if not line.startswith("\t"):
            rule = _RULE.match(line)
            if rule and not _ASSIGN.match(line):
                target, prereqs = _expand(rule.group(1), variables), _expand(rule.group(2), variables)
            continue
        auto = {"@": target.split()[0] if target else "", "<": (prereqs.split() or [""])[0],
                "^": prereqs}
        args = _pandoc_args(_expand(line.strip(), variables, auto))
        if args is not None:
            _sort(args, result)
    # Several targets (pdf, epub) usually share one option set: report each option once.
    for name in ("mapped", "covered", "ignored"):
        setattr(result, name, list(dict.fromkeys(getattr(result, name))))
    return result


def _logical_lines(text: str) -> list[str]:
    joined = re.sub(r"\\\n[ \t]*", " ", text)
    return [ln for ln in joined.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def _variables(lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines:
        m = _ASSIGN.match(line) if not line.startswith("\t") else None
        if not m:
            continue
        name, op, value = m.group(1), m.group(2), m.group(3).strip()
        if op == "+=":
            out[name] = f"{out.get(name, '')} {value}".strip()
        elif op == "?=":
            out.setdefault(name, value)
        elif op != "!=":  # `!=` runs a shell command: not ours to run
            out[name] = value
    return out


def _expand(text: str, variables: dict[str, str], auto: dict[str, str] | None = None,
            depth: int = 0) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2)
        if name is None:
            return (auto or {}).get(m.group(3), m.group(0))
        if name not in variables or depth > 10:
            return m.group(0)
        return _expand(variables[name], variables, auto, depth + 1)

    return _REF.sub(one, text)


def _pandoc_args(command: str) -> list[str] | None:
    """The arguments after `pandoc` in a recipe line, or None when the line calls no pandoc."""
    try:
        tokens = shlex.split(_opaque(command.lstrip("@-+ ")), comments=False)
    except ValueError:
        return None
    for i, token in enumerate(tokens):
        if PurePosixPath(token).name == "pandoc":
            return tokens[i + 1:]
    return None


def _opaque(text: str) -> str:
    """Shorten what make would still compute (`$(shell date +%F)` -> `$(shell…)`), so the
    shell split keeps it in one argument."""
    out, i = [], 0
    while i < len(text):
        if text.startswith(("$(", "${"), i):
            close, depth, j = {"(": ")", "{": "}"}[text[i + 1]], 0, i + 1
            while j < len(text):
                depth += text[j] == text[i + 1]
                depth -= text[j] == close
                if depth == 0:
                    break
                j += 1
            word = text[i + 2:j].split(" ", 1)[0]
            out.append(f"$({word}…)")
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _sort(args: list[str], result: PandocOptions) -> None:
    i = 0
    while i < len(args):
        token = args[i]
        name, value = token, ""
        if token.startswith("--") and "=" in token:
            name, value = token.split("=", 1)
        elif token in _WITH_VALUE and i + 1 < len(args):
            value = args[i + 1]
            i += 1
        elif token[:2] in ("-V", "-M", "-o") and len(token) > 2:
            name, value = token[:2], token[2:]
        i += 1
        if not name.startswith("-"):
            if "$" in name:
                result.ignored.append((name, "a make expression this import does not evaluate"))
            elif name not in result.inputs:
                result.inputs.append(name)
            continue
        _option(name, value, f"{name} {value}".strip() if " " not in value else f"{name} '{value}'",
                result)


def _option(name: str, value: str, shown: str, result: PandocOptions) -> None:
    if "$" in value:
        result.ignored.append((shown, "a make expression this import does not evaluate"))
    elif name in ("-V", "--variable"):
        _variable(value, shown, result)
    elif name in ("-M", "--metadata"):
        _metadata(value, shown, result)
    elif name == "--metadata-file":
        result.metadata_files.append(value)
    elif name in ("--toc", "--table-of-contents"):
        result.covered.append((shown, "every format has a table of contents"))
    elif name in ("-o", "--output"):
        result.outputs.append(value)
        stem = PurePosixPath(value).stem
        if stem and "slug" not in result.values and PurePosixPath(value).suffix != ".md":
            _set(result, "slug", stem, shown)
    else:
        result.ignored.append((shown, _REASONS.get(name, "no book.toml key for this pandoc option")))


def _split(value: str) -> tuple[str, str]:
    sep = min((p for p in (value.find("="), value.find(":")) if p >= 0), default=-1)
    return (value[:sep], value[sep + 1:]) if sep >= 0 else (value, "true")


def _variable(value: str, shown: str, result: PandocOptions) -> None:
    key, val = _split(value)
    if key in ("lang", "language"):
        _set(result, "language", val, shown)
    elif key in ("geometry", "papersize", "paper"):
        parts = [p.strip().removeprefix("paper=").lower() for p in val.split(",")]
        sizes = [_PAGE_SIZES[p] for p in parts if p in _PAGE_SIZES]
        if sizes:
            _set(result, "pdf.page-size", sizes[0], shown)
        rest = [p for p in parts if p not in _PAGE_SIZES]
        if rest:
            result.ignored.append((f"{shown} ({', '.join(rest)})", _STYLE))
    elif key in _META_KEYS:
        _metadata(value, shown, result)
    else:
        result.ignored.append((shown, _STYLE))


def _metadata(value: str, shown: str, result: PandocOptions) -> None:
    key, val = _split(value)
    target = _META_KEYS.get(key)
    if target is None:
        result.ignored.append((shown, "no book.toml key for this metadata field"))
        return
    if target == "date":
        if not iso_date(val):
            result.ignored.append((shown, "no calendar day; set `date` as YYYY-MM-DD"))
            return
        val = iso_date(val)
    if target in ("authors", "keywords"):
        previous = result.values.get(target, [])
        listed = [*previous] if not isinstance(previous, str) else [previous]
        if val not in listed:
            result.values[target] = [*listed, val]
            result.mapped.append((shown, f"{target} += {val!r}"))
        return
    _set(result, target, val, shown)


def _set(result: PandocOptions, key: str, value: str, shown: str) -> None:
    if key in result.values and result.values[key] != value:
        result.ignored.append((shown, f"another call already set {key} = {result.values[key]!r}"))
        return
    if key not in result.values:
        result.values[key] = value
        result.mapped.append((shown, f"{key} = {value!r}"))
