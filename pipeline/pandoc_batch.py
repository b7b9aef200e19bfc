"""Reading the entries: every file parsed by pandoc's Markdown reader, one run per core.

All files of a shard go into one pandoc run (`--file-scope`, so footnotes and a broken fence
stay inside their file), separated by boundary files. Every run is bounded: a batch may take
`[limits] parse-time` plus the time its files' sizes need (`pandoc.batch_allowance`). When
it does not end in time, `pandoc_trace` runs it once more, watched, to find the file that is
too slow; that file is left out (`Batch.slow`) and the others are parsed. When pandoc fails
(broken YAML), the files are parsed one by one to find the ones to blame (`Batch.failures`).

What nests deeper than `limits.MAX_NESTING` is flattened right after reading, so nothing after
the reader (walks, json.dumps, lxml, WeasyPrint) meets it.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import limits
from .pandoc import (
    FILE_SCOPE_PREFIX,
    FILE_SELF_LINK,
    MIN_SHARD,
    READER,
    PandocError,
    PandocTimeout,
    Source,
    allowance,
    batch_allowance,
    link_inputs,
    pandoc_path,
    run,
    shards,
)
from .pandoc_ast import Node, flatten_deep, might_nest_deeper
from .pandoc_trace import Finished, run_traced, what_to_simplify


@dataclass
class ParsedFile:
    blocks: list[Node]
    warnings: list[str]
    nesting: int = 0  # how deep its blocks nested when they had to be flattened, else 0


@dataclass
class Batch:
    api_version: list[int]
    files: dict[str, ParsedFile]  # key: the caller's name for the file
    failures: dict[str, str]  # name -> pandoc's error message
    slow: dict[str, tuple[int, str]] = field(default_factory=dict)  # name -> (line, advice)


def parse_batch(files: dict[str, Source], parse_time: float = limits.Limits.parse_time) -> Batch:
    """Parse every file with pandoc Markdown, one process per core.

    A file pandoc needs longer than `parse_time` (plus its size's allowance) for lands in
    `Batch.slow`; the others are parsed."""
    parts = shards(files)
    if len(parts) == 1:
        return _parse_shard(files, parse_time)
    merged = Batch([], {}, {})
    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        for part in pool.map(lambda shard: _parse_shard(shard, parse_time), parts):
            merged.api_version = part.api_version or merged.api_version
            merged.files.update(part.files)
            merged.failures.update(part.failures)
            merged.slow.update(part.slow)
    merged.files = {n: merged.files[n] for n in files if n in merged.files}
    return merged


def _parse_shard(files: dict[str, Source], parse_time: float) -> Batch:
    """Parse many files in one pandoc run; on failure, one by one to find the culprits; on a
    timeout, once more with a watch on each file (`pandoc_trace`) to find the slow ones.

    A small batch is watched from the start: `--trace` costs it milliseconds, and a slow entry
    is then found after its own allowance rather than after the batch's and then its own."""
    if len(files) < MIN_SHARD:
        return _parse_watched(files, parse_time)
    try:
        return _parse_plain(files, parse_time)
    except PandocTimeout:
        return _parse_watched(files, parse_time)


def _parse_plain(files: dict[str, Source], parse_time: float) -> Batch:
    """One untraced run over `files` within their batch allowance (PandocTimeout if not)."""
    names = list(files)
    budget = batch_allowance([files[n] for n in names], parse_time)
    with tempfile.TemporaryDirectory(prefix="glossary-") as tmp:
        links = link_inputs(Path(tmp), [files[n] for n in names])
        try:
            api, blocks, warnings = _parse_linked(Path(tmp), links, budget)
        except PandocTimeout:
            raise  # the caller's to handle: the watched run
        except PandocError:
            return _parse_one_by_one(files, parse_time)
    return Batch(api, _parsed(names, links, blocks, warnings), {})


def _parsed(names: list[str], links: list[str], blocks: list[tuple[list[Node], int]],
            warnings: dict[str, list[str]]) -> dict[str, ParsedFile]:
    return {name: ParsedFile(blocks[i][0], _rename(warnings.get(links[i], []), links[i], name),
                             blocks[i][1]) for i, name in enumerate(names)}


def _parse_watched(files: dict[str, Source], parse_time: float) -> Batch:
    """Run the batch traced. When a file takes longer than its allowance it is left out and the
    files after it run again, traced; the files before it, which were read in time, run once
    more at the end, untraced. So every file is read at most twice, a slow one only once."""
    rest, read_in_time = dict(files), {}
    slow: dict[str, tuple[int, str]] = {}
    parts: list[Batch] = []
    while rest:
        names = list(rest)
        with tempfile.TemporaryDirectory(prefix="glossary-") as tmp:
            links = link_inputs(Path(tmp), [rest[n] for n in names])
            marker, inputs = _with_boundaries(Path(tmp), links)
            budgets = [allowance(rest[n], parse_time) for n in names]
            result = run_traced([pandoc_path(), *_READ_ARGS, *inputs], tmp, marker, budgets)
            if isinstance(result, Finished):
                if result.returncode != 0:
                    parts.append(_parse_one_by_one(rest, parse_time))
                else:
                    api, blocks, warnings = _read_output(result.stdout, result.stderr, links, marker)
                    parts.append(Batch(api, _parsed(names, links, blocks, warnings), {}))
                break
        read_in_time.update({n: rest[n] for n in names[:result.index]})
        culprit = names[result.index]
        slow[culprit] = (result.line, what_to_simplify(_text(rest[culprit])))
        rest = {n: rest[n] for n in names[result.index + 1:]}
    if read_in_time:
        try:
            parts.append(_parse_plain(read_in_time, parse_time))
        except PandocTimeout:  # a machine slower now than a moment ago
            parts.append(_parse_one_by_one(read_in_time, parse_time))
    merged = Batch([], {}, {}, slow)
    for part in parts:
        merged.api_version = part.api_version or merged.api_version
        merged.files.update(part.files)
        merged.failures.update(part.failures)
        merged.slow.update(part.slow)
    merged.files = {n: merged.files[n] for n in files if n in merged.files}
    return merged


def _text(source: Source) -> str:
    return source if isinstance(source, str) else source.read_text("utf-8", "replace")


def _parse_one_by_one(files: dict[str, Source], parse_time: float) -> Batch:
    def one(item: tuple[str, Source]) -> tuple[str, list[int], ParsedFile | str | None]:
        name, source = item
        with tempfile.TemporaryDirectory(prefix="glossary-") as tmp:
            links = link_inputs(Path(tmp), [source])
            try:
                api, blocks, warn = _parse_linked(Path(tmp), links, allowance(source, parse_time))
            except PandocTimeout:
                return name, [], None
            except PandocError as exc:
                return name, [], _rename([str(exc)], links[0], name)[0]
        return name, api, ParsedFile(blocks[0][0], _rename(warn.get(links[0], []), links[0], name),
                                     blocks[0][1])

    batch = Batch([], {}, {})
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for name, api, result in pool.map(one, files.items()):
            if result is None:
                batch.slow[name] = (0, what_to_simplify(_text(files[name])))
            elif isinstance(result, str):
                batch.failures[name] = result
            else:
                batch.api_version = api
                batch.files[name] = result
    return batch


def _rename(messages: list[str], link: str, name: str) -> list[str]:
    return [m.replace(f'"{link}"', f'"{name}"').replace(link, name) for m in messages]


_READ_ARGS = ("--file-scope", "-f", READER, "-t", "json")


def _with_boundaries(tmp: Path, names: list[str]) -> tuple[str, list[str]]:
    """A boundary file after each input. Its marker is new in every run, so no entry can
    hold it and cut another entry in two."""
    marker = f"gb-{secrets.token_hex(6)}"  # short: --trace shows 60 characters of a block
    (tmp / "zz-boundary.md").write_text(f"<!--{marker}-->\n", encoding="utf-8")
    return marker, [x for name in names for x in (name, "zz-boundary.md")]


def _parse_linked(tmp: Path, names: list[str], timeout: float | None = None
                  ) -> tuple[list[int], list[tuple[list[Node], int]], dict[str, list[str]]]:
    marker, inputs = _with_boundaries(tmp, names)
    out, err = run([*_READ_ARGS, *inputs], None, str(tmp), timeout)
    return _read_output(out, err, names, marker)


def _read_output(out: bytes, err: str, names: list[str], marker: str
                 ) -> tuple[list[int], list[tuple[list[Node], int]], dict[str, list[str]]]:
    """The batch's JSON cut into files. Nesting past `limits.MAX_NESTING` is flattened here,
    once, so that nothing after the reader (walks, json.dumps, lxml, WeasyPrint) meets it."""
    text = _unprefixed(out.decode("utf-8"))
    try:
        doc, deep = json.loads(text), might_nest_deeper(out, limits.MAX_NESTING)
    except RecursionError:  # nested deeper than the C decoder goes (2,000 divs)
        doc, deep = None, True
    if not deep:
        return doc["pandoc-api-version"], _split_blocks(doc["blocks"], names, marker), \
            _split_warnings(err, names)
    with _deep_recursion(len(out)):
        doc = doc if doc is not None else _loads_python(text)
        blocks = _split_blocks(doc["blocks"], names, marker, deep=True)
    return doc["pandoc-api-version"], blocks, _split_warnings(err, names)


@contextmanager
def _deep_recursion(size: int) -> Iterator[None]:
    """Room for Python frames (which need no C stack since 3.11) as deep as the data can nest."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, size + 10_000))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def _loads_python(text: str) -> Any:
    """JSON deeper than the C decoder's recursion limit, read by the pure-Python decoder."""
    from json.scanner import py_make_scanner  # type: ignore[attr-defined]

    decoder = json.JSONDecoder()
    decoder.scan_once = py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(text)


def _split_blocks(blocks: list[Node], names: list[str], marker: str, deep: bool = False
                  ) -> list[tuple[list[Node], int]]:
    """Cut the combined block list at the boundary markers; `deep`: flatten what nests deeper
    than `limits.MAX_NESTING` (and say how deep it went)."""
    chunks: list[list[Node]] = [[]]
    for block in blocks:
        if block["t"] == "RawBlock" and marker in block["c"][1]:
            chunks.append([])
        else:
            chunks[-1].append(block)
    if not deep:
        return [(chunk, 0) for chunk in chunks[: len(names)]]
    return [flatten_deep(chunk, limits.MAX_NESTING) for chunk in chunks[: len(names)]]


def _unprefixed(out: str) -> str:
    """pandoc's JSON without the --file-scope prefixes of ids and fragments (`f00003.md__`), and
    an empty fragment `[x](#)`, which comes back as a link to its file (`#f00003.md`), as `#`.
    The names are our own (`pandoc.link_inputs`), so one pass over the text finds them all."""
    return FILE_SELF_LINK.sub('"#"', FILE_SCOPE_PREFIX.sub(r'"\1', out))


def _split_warnings(stderr: str, names: list[str]) -> dict[str, list[str]]:
    """pandoc's reader warnings, attributed to the file they name."""
    out: dict[str, list[str]] = {}
    for line in stderr.splitlines():
        if line.startswith("[trace]"):
            continue
        for name in names:
            if name in line:
                out.setdefault(name, []).append(line.replace("[WARNING] ", "").strip())
                break
    return out
