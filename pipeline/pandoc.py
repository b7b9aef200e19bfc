"""Running pandoc: batch-parse source files to the JSON AST, convert documents.

pandoc's Markdown reader keeps no source positions; diagnostics find theirs in the file's text
(`normalise.positions`), guided by the AST, so every file is parsed exactly once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .pandoc_ast import Node

READER = "markdown-auto_identifiers"
_MIN_SHARD = 40  # below this, a second pandoc process costs more than it saves
_FILE_SCOPE_PREFIX = re.compile(r'"(#?)f\d{5}\.md__')
_FILE_SELF_LINK = re.compile(r'"#f\d{5}\.md"')


class PandocError(Exception):
    """pandoc failed; `message` is its stderr, trimmed."""


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


@dataclass
class ParsedFile:
    blocks: list[Node]
    warnings: list[str]


@dataclass
class Batch:
    api_version: list[int]
    files: dict[str, ParsedFile]  # key: the caller's name for the file
    failures: dict[str, str]  # name -> pandoc's error message


def run(args: Sequence[str], data: bytes | None = None, cwd: str | None = None,
        env: Mapping[str, str] | None = None) -> tuple[bytes, str]:
    """Run pandoc; return (stdout, stderr) or raise PandocError with its message."""
    proc = subprocess.run(
        [pandoc_path(), *args], input=data, capture_output=True, cwd=cwd, check=False,
        env=None if env is None else dict(env),
    )
    err = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        raise PandocError(err or f"pandoc exited with status {proc.returncode}")
    return proc.stdout, err


def convert_json(doc: dict[str, Any], to: str, args: Sequence[str] = ()) -> tuple[bytes, str]:
    """Write a pandoc JSON document in format `to`; returns (output, warnings)."""
    data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    return run(["-f", "json", "-t", to, *args], data)


def unreadable_math(formulas: Sequence[tuple[bool, str]], api_version: list[int]) -> dict[int, str]:
    """The formulas (display?, TeX) that texmath cannot read -> the reason, by index.

    texmath makes the MathML of the EPUB, the site and (through ziamath) the PDF, and the
    DOCX's equations; what it cannot read every format prints as TeX. One run for all."""
    if not formulas:
        return {}
    kind = {True: "DisplayMath", False: "InlineMath"}
    blocks = [{"t": "Para", "c": [{"t": "Math", "c": [{"t": kind[d]}, tex]}]} for d, tex in formulas]
    doc = {"pandoc-api-version": api_version, "meta": {}, "blocks": blocks}
    out, err = convert_json(doc, "html", ["--mathml", "--wrap=none"])
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


def _shards(files: dict[str, Path]) -> list[dict[str, Path]]:
    """Split the inputs so every core runs one pandoc process (pandoc itself uses one)."""
    count = max(1, min(os.cpu_count() or 1, len(files) // _MIN_SHARD))
    names = list(files)
    return [{n: files[n] for n in names[i::count]} for i in range(count)]


def parse_batch(files: dict[str, Path]) -> Batch:
    """Parse every file with pandoc Markdown, one process per core."""
    shards = _shards(files)
    if len(shards) == 1:
        return _parse_shard(files)
    merged = Batch([], {}, {})
    with ThreadPoolExecutor(max_workers=len(shards)) as pool:
        for part in pool.map(_parse_shard, shards):
            merged.api_version = part.api_version or merged.api_version
            merged.files.update(part.files)
            merged.failures.update(part.failures)
    merged.files = {n: merged.files[n] for n in files if n in merged.files}
    return merged


def _parse_shard(files: dict[str, Path]) -> Batch:
    """Parse many files in one pandoc run; on failure, one by one to find the culprits."""
    names = list(files)
    with tempfile.TemporaryDirectory(prefix="glossary-") as tmp:
        links = _link_inputs(Path(tmp), [files[n] for n in names])
        try:
            api, blocks, warnings = _parse_linked(Path(tmp), links)
        except PandocError:
            return _parse_one_by_one(files)
    parsed = {
        name: ParsedFile(blocks[i], _rename(warnings.get(links[i], []), links[i], name))
        for i, name in enumerate(names)
    }
    return Batch(api, parsed, {})


def _parse_one_by_one(files: dict[str, Path]) -> Batch:
    def one(item: tuple[str, Path]) -> tuple[str, list[int], ParsedFile | str]:
        name, path = item
        with tempfile.TemporaryDirectory(prefix="glossary-") as tmp:
            links = _link_inputs(Path(tmp), [path])
            try:
                api, blocks, warn = _parse_linked(Path(tmp), links)
            except PandocError as exc:
                return name, [], _rename([str(exc)], links[0], name)[0]
        return name, api, ParsedFile(blocks[0], _rename(warn.get(links[0], []), links[0], name))

    batch = Batch([], {}, {})
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for name, api, result in pool.map(one, files.items()):
            if isinstance(result, str):
                batch.failures[name] = result
            else:
                batch.api_version = api
                batch.files[name] = result
    return batch


def _rename(messages: list[str], link: str, name: str) -> list[str]:
    return [m.replace(f'"{link}"', f'"{name}"').replace(link, name) for m in messages]


def _link_inputs(tmp: Path, paths: list[Path]) -> list[str]:
    """Give every input a plain name (f0001.md) so pandoc's --file-scope id prefixes are known."""
    names = []
    for i, path in enumerate(paths):
        name = f"f{i:05d}.md"
        (tmp / name).symlink_to(path.resolve())
        names.append(name)
    return names


def _parse_linked(
    tmp: Path, names: list[str]
) -> tuple[list[int], list[list[Node]], dict[str, list[str]]]:
    marker = "glossary-file-boundary"
    (tmp / "zz-boundary.md").write_text(f"<!-- {marker} -->\n", encoding="utf-8")
    inputs = [x for name in names for x in (name, "zz-boundary.md")]
    out, err = run(["--file-scope", "-f", READER, "-t", "json", *inputs], None, str(tmp))
    doc = json.loads(_unprefixed(out.decode("utf-8")))
    blocks = _split_blocks(doc["blocks"], names, marker)
    return doc["pandoc-api-version"], blocks, _split_warnings(err, names)


def _split_blocks(blocks: list[Node], names: list[str], marker: str) -> list[list[Node]]:
    """Cut the combined block list at the boundary markers."""
    chunks: list[list[Node]] = [[]]
    for block in blocks:
        if block["t"] == "RawBlock" and marker in block["c"][1]:
            chunks.append([])
        else:
            chunks[-1].append(block)
    return chunks[: len(names)]


def _unprefixed(out: str) -> str:
    """pandoc's JSON without the --file-scope prefixes of ids and fragments (`f00003.md__`), and
    an empty fragment `[x](#)`, which comes back as a link to its file (`#f00003.md`), as `#`.
    The names are this module's own (`_link_inputs`), so one pass over the text finds them all."""
    return _FILE_SELF_LINK.sub('"#"', _FILE_SCOPE_PREFIX.sub(r'"\1', out))


def _split_warnings(stderr: str, names: list[str]) -> dict[str, list[str]]:
    """pandoc's reader warnings, attributed to the file they name."""
    out: dict[str, list[str]] = {}
    for line in stderr.splitlines():
        for name in names:
            if name in line:
                out.setdefault(name, []).append(line.replace("[WARNING] ", "").strip())
                break
    return out
