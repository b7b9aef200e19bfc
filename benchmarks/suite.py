"""What `benchmarks/run.py` measures for one glossary size: the stages, the baselines, the warm runs.

Every measurement is a new process tree started from the command line (the `glossary` CLI, pandoc,
WeasyPrint), so wall time and memory are what a user sees. Stage keys (for `--stages`):

    json        pandoc -f markdown -t json of the entry files: the floor of `check`
    check       glossary check, cold
    check-again glossary check again, nothing changed            (warm)
    check-edit  glossary check after editing one entry           (warm)
    md docx epub html pdf   each format built alone, cold
    edh         epub + docx + html together, cold (the reference of `edit-edh`)
    all         every format together, cold
    edit-edh    edit one entry, rebuild epub + docx + html       (warm)
    edit-docx   edit one entry, rebuild the docx                 (warm)
    edit-pdf    edit one entry, rebuild the pdf                  (warm)
    make-html make-epub make-pdf   the plain pandoc Makefile this tool replaces
    weasyprint  plain WeasyPrint on pandoc's standalone HTML of the normalised book

Cold runs start with `clear_cache()`; warm runs keep whatever the previous run left in the
build cache (`.glossary-cache/` beside book.toml).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from generate import MERGE_NAME, generate
from measure import Failed, Run, measure

from pipeline.pandoc import pandoc_path

CACHE_DIR_NAME = ".glossary-cache"  # issue 11's default cache, next to book.toml
FAST = 5.0  # seconds: a stage faster than this is repeated `fast_runs` times
PDF_STAGES = frozenset({"pdf", "all", "edit-pdf", "make-pdf", "weasyprint"})
WEASYPRINT = ("import sys\nfrom weasyprint import HTML\n"
              "HTML(sys.argv[1], base_url=sys.argv[2]).write_pdf(sys.argv[3])\n")


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    kind: str  # cold, warm or baseline


# In this order: each ratio's two sides run next to each other, so a change in the machine's load
# between them is as small as it can be.
STAGES = [
    Stage("json", "pandoc -t json (check floor)", "baseline"),
    Stage("check", "glossary check", "cold"),
    Stage("check-again", "check again, nothing changed", "warm"),
    Stage("check-edit", "check, one entry edited", "warm"),
    Stage("md", "build md", "cold"),
    Stage("docx", "build docx", "cold"),
    Stage("edit-docx", "edit one entry, docx", "warm"),
    *(Stage(f, f"build {f}", "cold") for f in ("epub", "html")),
    Stage("edh", "build epub+docx+html", "cold"),
    Stage("edit-edh", "edit one entry, epub+docx+html", "warm"),
    Stage("weasyprint", "plain WeasyPrint on pandoc HTML", "baseline"),
    Stage("pdf", "build pdf", "cold"),
    Stage("edit-pdf", "edit one entry, pdf", "warm"),
    Stage("make-html", "pandoc -s --toc → HTML", "baseline"),
    Stage("make-epub", "pandoc -s --toc → EPUB", "baseline"),
    Stage("make-pdf", "pandoc → PDF (xelatex)", "baseline"),
    Stage("all", "build all formats", "cold"),
]


@dataclass(frozen=True)
class Result:
    stage: Stage
    run: Run | None  # None: skipped or failed
    output: str = ""  # what it made: pages or size
    note: str = ""


@dataclass
class Corpus:
    entries: int
    source: Path
    work: Path
    runs: int = 1
    fast_runs: int = 3

    @property
    def files(self) -> list[str]:
        """The entry files in sorted order, the stray merge file left out (check skips it)."""
        return sorted(str(p) for p in self.source.glob("*.md") if p.name != MERGE_NAME)

    def out(self, name: str) -> Path:
        return self.work / f"out-{name}"


def glossary(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "pipeline", *map(str, args)]


def environment() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": "1764374400"}


def clear_cache(source: Path) -> None:
    """A cold run starts without the build cache (the warm ones keep what the last run left)."""
    shutil.rmtree(source / CACHE_DIR_NAME, ignore_errors=True)


@contextmanager
def edited(source: Path) -> Iterator[Callable[[], None]]:
    """Yields `edit()`, which changes one entry's definition (a new sentence each call);
    the entry is restored afterwards."""
    entries = sorted(p for p in source.glob("*.md") if p.name != MERGE_NAME)
    path = entries[len(entries) // 2]
    original = path.read_bytes()
    count = [0]

    def edit() -> None:
        count[0] += 1
        blocks = original.decode("utf-8").split("\n\n")
        blocks[2] += f" Ergänzung Nr. {count[0]}: dieser Satz wurde nachträglich eingefügt."
        path.write_text("\n\n".join(blocks), encoding="utf-8")

    try:
        yield edit
    finally:
        path.write_bytes(original)


def timed(corpus: Corpus, cmd: list[str], before: Callable[[], None] | None = None) -> Run:
    """The fastest of `runs` runs (of `fast_runs` when the first is shorter than FAST seconds):
    on a shared machine other work only ever adds time, so the minimum is the least disturbed
    figure. Peak memory is the largest of all runs."""
    runs: list[Run] = []
    wanted = corpus.runs
    while len(runs) < wanted:
        if before:
            before()
        runs.append(measure(cmd, env=environment()))
        if len(runs) == 1 and runs[0].wall < FAST:
            wanted = max(wanted, corpus.fast_runs)
    peaks: dict[str, float] = {}
    for r in runs:
        for program, mb in r.peaks.items():
            peaks[program] = max(peaks.get(program, 0.0), mb)
    return replace(min(runs, key=lambda r: r.wall), peaks=peaks,
                   peak_mb=max(r.peak_mb for r in runs), tree_mb=max(r.tree_mb for r in runs))


def warm_up(work: Path) -> None:
    """Build every format of a tiny glossary once, unmeasured, so that the first measured stage does
    not pay for what only a first run on a machine pays (bytecode compilation of a fresh venv,
    fontconfig's cache, the page cache for pandoc's and xelatex's files)."""
    source = generate(work / "warm-up", 14)
    subprocess.run(glossary("build", source, "--out", work / "warm-up-out", "-q"),
                   env=environment(), capture_output=True, check=False)
    files = sorted(str(p) for p in source.glob("*.md") if p.name != MERGE_NAME)
    subprocess.run([pandoc_path(), "-s", "--toc", "--pdf-engine=xelatex", *files,
                    "-o", str(work / "warm-up.pdf")], capture_output=True, check=False)


def run_stage(corpus: Corpus, stage: Stage) -> Result:
    """Measure one stage; a failing command is reported in the table, not raised."""
    try:
        return _STAGE_RUNNERS[stage.key](corpus, stage)
    except Failed as exc:
        return Result(stage, None, note=f"failed: {str(exc).splitlines()[0]}")


def _build(formats: str) -> Callable[[Corpus, Stage], Result]:
    def run(c: Corpus, stage: Stage) -> Result:
        out = c.out(stage.key)
        shutil.rmtree(out, ignore_errors=True)
        cmd = glossary("build", c.source, "--format", formats, "--out", out)
        return Result(stage, timed(c, cmd, before=lambda: clear_cache(c.source)), _made(out))
    return run


def _check(c: Corpus, stage: Stage) -> Result:
    cmd = glossary("check", c.source)
    if stage.key == "check":
        return Result(stage, timed(c, cmd, before=lambda: clear_cache(c.source)))
    if stage.key == "check-again":
        return Result(stage, timed(c, cmd))
    with edited(c.source) as edit:
        return Result(stage, timed(c, cmd, before=edit))


def _edit_rebuild(c: Corpus, stage: Stage) -> Result:
    """Rebuild into the output of the matching cold stage (built first, unmeasured, if it did not run)."""
    formats, cold = {"edit-pdf": ("pdf", "pdf"), "edit-docx": ("docx", "docx")}.get(
        stage.key, ("epub,docx,html", "edh"))
    out = c.out(cold)
    if not out.is_dir():
        subprocess.run(glossary("build", c.source, "--format", formats, "--out", out, "-q"),
                       env=environment(), capture_output=True, check=False)
    cmd = glossary("build", c.source, "--format", formats, "--out", out)
    with edited(c.source) as edit:
        return Result(stage, timed(c, cmd, before=edit), _made(out, formats.split(",")))


def _pandoc(c: Corpus, stage: Stage) -> Result:
    if stage.key == "json":
        return Result(stage, timed(c, [pandoc_path(), "-f", "markdown", "-t", "json", "-o", os.devnull,
                                       *c.files]))
    suffix = stage.key.removeprefix("make-")
    target = c.out("make") / f"book.{suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    extra = ["--pdf-engine=xelatex"] if suffix == "pdf" else []
    cmd = [pandoc_path(), "-f", "markdown", "-s", "--toc", *extra, *c.files, "-o", str(target)]
    return Result(stage, timed(c, cmd), _describe(target))


def _weasyprint(c: Corpus, stage: Stage) -> Result:
    """Plain WeasyPrint (default stylesheet) on pandoc's standalone HTML of the normalised book
    (our md output: the same text, back-references and index as our PDF)."""
    md_out = c.out("md")
    if not any(md_out.glob("*.md")):
        subprocess.run(glossary("build", c.source, "--format", "md", "--out", md_out, "-q"),
                       env=environment(), capture_output=True, check=False)
    html, pdf = c.work / "plain.html", c.work / "plain.pdf"
    subprocess.run([pandoc_path(), str(next(md_out.glob("*.md"))), "-s", "-o", str(html)],
                   check=True, capture_output=True)
    cmd = [sys.executable, "-c", WEASYPRINT, str(html), c.source.resolve().as_uri() + "/", str(pdf)]
    return Result(stage, timed(c, cmd), _describe(pdf))


_STAGE_RUNNERS: dict[str, Callable[[Corpus, Stage], Result]] = {
    "json": _pandoc, "make-html": _pandoc, "make-epub": _pandoc, "make-pdf": _pandoc,
    "check": _check, "check-again": _check, "check-edit": _check,
    **{f: _build(f) for f in ("md", "docx", "epub", "html", "pdf")},
    "edh": _build("epub,docx,html"), "all": _build("all"),
    "edit-edh": _edit_rebuild, "edit-pdf": _edit_rebuild, "edit-docx": _edit_rebuild,
    "weasyprint": _weasyprint,
}


def _made(out: Path, formats: list[str] | None = None) -> str:
    files = [p for p in sorted(out.glob("*")) if p.is_file()]
    if formats:
        files = [p for p in files if p.suffix.lstrip(".") in formats]
    pdfs = [p for p in files if p.suffix == ".pdf"]
    if pdfs and len(files) == 1:
        return _describe(pdfs[0])
    size = sum(p.stat().st_size for p in files)
    site = out / "html"
    if site.is_dir():
        size += sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    return f"{size / 1e6:.1f} MB"


def _describe(path: Path) -> str:
    if not path.is_file():
        return "missing"
    if path.suffix == ".pdf":
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=False).stdout
        pages = next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")
        return f"{pages} pp"
    return f"{path.stat().st_size / 1e6:.1f} MB"
