"""Running pandoc: batch-parse source files to the JSON AST, locate elements, convert documents.

pandoc's Markdown reader keeps no source positions. When a diagnostic needs one, the files
concerned are parsed again as commonmark_x with `sourcepos`, reduced by a Lua filter to the
positions of headings and links; the two parses are matched by id/target and order. A clean
glossary never pays for that second parse.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .pandoc_ast import Node

READER = "markdown-auto_identifiers"
_MIN_SHARD = 40  # below this, a second pandoc process costs more than it saves
_POSITIONS_LUA = r"""
function Pandoc(doc)
  local out = {}
  doc:walk({
    Header = function(h)
      out[#out+1] = 'H\t\t' .. (h.attributes['data-pos'] or '')
    end,
    Link = function(l)
      out[#out+1] = 'L\t' .. l.target .. '\t' .. (l.attributes['data-pos'] or '')
    end,
--RAW-ANCHORS--
    Image = function(i)
      out[#out+1] = 'I\t' .. i.src .. '\t' .. (i.attributes['data-pos'] or '')
    end,
  })
  return pandoc.Pandoc({pandoc.CodeBlock(table.concat(out, '\n'))})
end
"""
# Only for files that have raw-HTML anchors: a Lua call per inline span costs a third more time.
_RAW_ANCHOR_LUA = r"""    Span = function(s)
      -- a raw-HTML anchor (<a href="...">), which the loader turns into a link
      local raw = s.content[1]
      if #s.content == 1 and raw.t == 'RawInline' and raw.format == 'html' then
        local href = raw.text:match('^<[aA]%s[^>]-[hH][rR][eE][fF]%s*=%s*"([^"]*)"')
          or raw.text:match("^<[aA]%s[^>]-[hH][rR][eE][fF]%s*=%s*'([^']*)'")
        if href then
          out[#out+1] = 'L\t' .. href .. '\t' .. (s.attributes['data-pos'] or '')
        end
      end
    end,
"""
# --file-scope prefixes ids with the file name: "f00001.md__" (markdown), "f00001md__" (commonmark)
_FILE_SCOPE_PREFIX = re.compile(r"(?<=^#)f\d{5}\.?md__|^f\d{5}\.?md__")
# ... and an empty fragment `(#)` becomes a link to the file itself: "#f00001.md" / "#f00001md"
_FILE_SELF_LINK = re.compile(r"^#f\d{5}\.?md$")
_POS_RE = re.compile(r"^(?P<file>.*)@(?P<line>\d+):(?P<col>\d+)")


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


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass
class FilePositions:
    """Where headings (in order), links and images (by URL, in order) sit in one file."""

    headers: list[Position] = field(default_factory=list)  # every heading, in file order
    links: dict[str, list[Position]] = field(default_factory=dict)  # by target as written
    images: dict[str, list[Position]] = field(default_factory=dict)  # by source as written


@dataclass
class ParsedFile:
    blocks: list[Node]
    warnings: list[str]


@dataclass
class Batch:
    api_version: list[int]
    files: dict[str, ParsedFile]  # key: the caller's name for the file
    failures: dict[str, str]  # name -> pandoc's error message


def run(args: Sequence[str], data: bytes | None = None, cwd: str | None = None) -> tuple[bytes, str]:
    """Run pandoc; return (stdout, stderr) or raise PandocError with its message."""
    proc = subprocess.run(
        [pandoc_path(), *args], input=data, capture_output=True, cwd=cwd, check=False
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


def locate(files: dict[str, Path], raw_anchors: frozenset[str] = frozenset()
           ) -> dict[str, FilePositions]:
    """Positions of headings and links, per file (only needed when something is reported).

    `raw_anchors`: the files that hold raw-HTML links, located by a slower filter."""
    raw = {n: p for n, p in files.items() if n in raw_anchors}
    jobs = [(shard, False) for shard in _shards({n: p for n, p in files.items() if n not in raw})]
    jobs += [(raw, True)] if raw else []
    out: dict[str, FilePositions] = {}
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        for part in pool.map(lambda job: _locate_shard(*job), jobs):
            out.update(part)
    return out


def _locate_shard(files: dict[str, Path], raw_anchors: bool) -> dict[str, FilePositions]:
    if not files:
        return {}
    names = list(files)
    lua = _POSITIONS_LUA.replace("--RAW-ANCHORS--\n", _RAW_ANCHOR_LUA if raw_anchors else "")
    with tempfile.TemporaryDirectory(prefix="glossary-") as tmp:
        links = _link_inputs(Path(tmp), [files[n] for n in names])
        (Path(tmp) / "positions.lua").write_text(lua, encoding="utf-8")
        args = ["--file-scope", "-f", "commonmark_x+sourcepos", "-t", "plain",
                "--lua-filter", "positions.lua", *links]
        try:
            out = run(args, None, tmp)[0].decode("utf-8")
        except PandocError:
            return {}  # positions are a convenience; diagnostics keep their file
    found = _read_positions(out)
    return {name: found.get(link, FilePositions()) for name, link in zip(names, links, strict=True)}


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
    doc = json.loads(out)
    blocks = _split_blocks(doc["blocks"], names, marker)
    return doc["pandoc-api-version"], blocks, _split_warnings(err, names)


def _split_blocks(blocks: list[Node], names: list[str], marker: str) -> list[list[Node]]:
    """Cut the combined block list at the boundary markers and undo --file-scope id prefixes."""
    chunks: list[list[Node]] = [[]]
    for block in blocks:
        if block["t"] == "RawBlock" and marker in block["c"][1]:
            chunks.append([])
        else:
            chunks[-1].append(block)
    return [_unprefix(chunk, name) for chunk, name in zip(chunks, names, strict=False)]


def _unprefix(blocks: list[Node], name: str) -> list[Node]:
    text = json.dumps(blocks, ensure_ascii=False)
    if name not in text:
        return blocks
    prefix = name + "__"
    # An empty fragment `[x](#)` comes back as a link to the file itself: "#f00003.md".
    text = text.replace(f'"#{prefix}', '"#').replace(f'"{prefix}', '"').replace(f'"#{name}"', '"#"')
    return json.loads(text)  # type: ignore[no-any-return]


def _read_positions(text: str) -> dict[str, FilePositions]:
    out: dict[str, FilePositions] = {}
    for raw in text.splitlines():
        parts = raw.strip().split("\t")
        if len(parts) != 3:
            continue
        kind, key, pos = parts
        m = _POS_RE.match(pos)
        if not m:
            continue
        fp = out.setdefault(m["file"], FilePositions())
        key = "#" if _FILE_SELF_LINK.match(key) else _FILE_SCOPE_PREFIX.sub("", key, count=1)
        where = Position(int(m["line"]), int(m["col"]))
        if kind == "H":
            fp.headers.append(where)
        else:
            table = fp.links if kind == "L" else fp.images
            table.setdefault(key, []).append(where)
    return out


def _split_warnings(stderr: str, names: list[str]) -> dict[str, list[str]]:
    """pandoc's reader warnings, attributed to the file they name."""
    out: dict[str, list[str]] = {}
    for line in stderr.splitlines():
        for name in names:
            if name in line:
                out.setdefault(name, []).append(line.replace("[WARNING] ", "").strip())
                break
    return out
