"""Running pandoc: bounded runs and conversions (reading entries: `pandoc_batch`).

pandoc's Markdown reader keeps no source positions; diagnostics find theirs in the file's text
(`normalise.positions`), guided by the AST, so every file is parsed exactly once.
"""

from __future__ import annotations

import contextvars
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from . import jsonbytes, limits

READER = "markdown-auto_identifiers"
MIN_SHARD = 40  # below this, a second pandoc process costs more than it saves
# --file-scope prefixes ids with the file name ("f00001.md__"), and an empty fragment `(#)`
# becomes a link to the file itself ("#f00001.md"); `pandoc_batch` undoes both in one pass.
FILE_SCOPE_PREFIX = re.compile(r'"(#?)f\d{5}\.md__')
FILE_SELF_LINK = re.compile(r'"#f\d{5}\.md"')


_P = ParamSpec("_P")
_T = TypeVar("_T")


class PandocError(Exception):
    """pandoc failed; `message` is its stderr, trimmed."""


class PandocTimeout(PandocError):
    """pandoc did not finish within its own time bound."""


Source = Path | str  # a file pandoc reads, or the text to give it instead (normalised)
# Bounds for reading (`allowance`): an entry may take `parse_time`, plus this long per byte and
# per file (a slow machine still reads ~100 kB/s).
_SECONDS_PER_BYTE = 1 / 100_000
_PER_FILE = 0.02


@cache
def pandoc_path() -> str:
    """pandoc from pypandoc-binary, or $GLOSSARY_PANDOC, or the one on PATH."""
    override = os.environ.get("GLOSSARY_PANDOC")
    if override:
        return override
    try:
        import pypandoc

        bundled = Path(pypandoc.__file__).parent / "files" / "pandoc"
        if bundled.is_file():
            return str(bundled)
    except ImportError:  # pragma: no cover - pypandoc-binary is a dependency
        pass
    found = shutil.which("pandoc")
    if not found:
        raise PandocError("pandoc not found: install pypandoc-binary (pip install -e .)")
    return found


@cache
def identity() -> str:
    """Which pandoc this is (its version line and binary size): part of every cache key."""
    path = pandoc_path()
    try:
        first = run(["--version"])[0].decode("utf-8", "replace").splitlines()[0]
        size = Path(path).stat().st_size if Path(path).is_file() else 0
    except (PandocError, OSError, IndexError):
        return path
    return f"{first}|{size}"


def run(args: Sequence[str], data: bytes | None = None, cwd: str | None = None,
        timeout: float | None = None, env: Mapping[str, str] | None = None) -> tuple[bytes, str]:
    """Run pandoc; return (stdout, stderr) or raise PandocError with its message.

    It ends within `timeout` seconds (PandocTimeout) and within the current format's budget
    (`limits.budget`: TimeBudgetExceeded). `env`: its environment (default: this process's)."""
    wait = limits.timeout(timeout)
    try:
        proc = subprocess.run([pandoc_path(), *args], input=data, capture_output=True, cwd=cwd,
                              check=False, timeout=wait, env=None if env is None else dict(env))
    except subprocess.TimeoutExpired:
        if timeout is None or (wait is not None and wait < timeout):
            raise limits.TimeBudgetExceeded from None
        raise PandocTimeout(f"pandoc took longer than {timeout:g} s") from None
    err = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        raise PandocError(err or f"pandoc exited with status {proc.returncode}")
    return proc.stdout, err


def convert_json(doc: dict[str, Any] | bytes, to: str, args: Sequence[str] = ()) -> tuple[bytes, str]:
    """Write a pandoc JSON document (or its JSON, already written) in format `to`; returns
    (output, warnings)."""
    data = doc if isinstance(doc, bytes) else jsonbytes.dumps(doc)
    return run(["-f", "json", "-t", to, *args], data)


def unreadable_math(formulas: Sequence[tuple[bool, str]], api_version: list[int],
                    timeout: float | None = None) -> dict[int, str]:
    """The formulas (display?, TeX) that texmath cannot read -> the reason, by index.

    texmath makes the MathML of the EPUB, the site and (through ziamath) the PDF, and the
    DOCX's equations; what it cannot read every format prints as TeX. One run for all."""
    if not formulas:
        return {}
    kind = {True: "DisplayMath", False: "InlineMath"}
    blocks = [{"t": "Para", "c": [{"t": "Math", "c": [{"t": kind[d]}, tex]}]} for d, tex in formulas]
    doc = {"pandoc-api-version": api_version, "meta": {}, "blocks": blocks}
    data = jsonbytes.dumps(doc)
    try:
        out, err = run(["-f", "json", "-t", "html", "--mathml", "--wrap=none"], data, timeout=timeout)
    except PandocTimeout:
        return {}  # a convenience check; the formats print what texmath cannot read as TeX
    paras = out.decode("utf-8").split("<p>")[1:]
    failed = [i for i, para in enumerate(paras) if "<math" not in para]
    reasons = [_math_reason(w) for w in err.split("Could not convert TeX math")[1:]]
    if len(reasons) != len(failed):
        reasons = [""] * len(failed)
    return dict(zip(failed, reasons, strict=True))


def _math_reason(warning: str) -> str:
    """The parser's own words ("unexpected control sequence \\foo"), without its long wish list."""
    for line in warning.splitlines():
        if line.strip().startswith("unexpected"):
            return line.strip()
    return ""


class SideBySide:
    """pandoc runs side by side: a thread each (pandoc is a process of its own), at most one per
    core, each in a copy of the caller's context, so the format's time budget and the run's stop
    (`limits`) go with it. Leaving the block waits for the runs started and drops the others."""

    def __init__(self, runs: int | None = None) -> None:
        cores = os.cpu_count() or 1
        self._pool = ThreadPoolExecutor(max_workers=max(1, min(runs or cores, cores)))

    def __enter__(self) -> SideBySide:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        context = contextvars.copy_context()
        return self._pool.submit(lambda: context.run(fn, *args, **kwargs))


def shards(files: dict[str, Source]) -> list[dict[str, Source]]:
    """Split the inputs so every core runs one pandoc process (pandoc itself uses one)."""
    count = max(1, min(os.cpu_count() or 1, len(files) // MIN_SHARD))
    names = list(files)
    return [{n: files[n] for n in names[i::count]} for i in range(count)]


def api_version() -> list[int]:
    """The pandoc API version of this pandoc (for a book none of whose files could be parsed)."""
    return list(json.loads(run(["-f", "markdown", "-t", "json"], b"")[0])["pandoc-api-version"])


def allowance(source: Source, parse_time: float) -> float:
    """How long pandoc may take to read this one file."""
    size = len(source.encode("utf-8")) if isinstance(source, str) else source.stat().st_size
    return parse_time + _PER_FILE + size * _SECONDS_PER_BYTE


def batch_allowance(sources: Sequence[Source], parse_time: float) -> float:
    """How long one run over all `sources` may take: one file's slack for the whole run, and
    the time their sizes need (a slow machine still reads 100 kB/s)."""
    return parse_time + sum(allowance(s, 0.0) for s in sources)


def link_inputs(tmp: Path, sources: Sequence[Source]) -> list[str]:
    """Give every input a plain name (f0001.md) so pandoc's --file-scope id prefixes are known:
    a link to the file, or the normalised text written there."""
    names = []
    for i, source in enumerate(sources):
        name = f"f{i:05d}.md"
        if isinstance(source, str):
            (tmp / name).write_text(source, encoding="utf-8")
        else:
            (tmp / name).symlink_to(source.resolve())
        names.append(name)
    return names
