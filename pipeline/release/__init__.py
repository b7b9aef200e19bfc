"""A release: a strict build of every format, validated, versioned and checksummed.

    python -m pipeline.release [--version X.Y.Z] [--source DIR] [--out DIR] [--force]

writes `<out>/release/<version>/`. It is built in a hidden work folder and assembled in a
hidden sibling that is renamed into place only when every check passed, so a failed release
leaves no release folder behind and never touches another version's folder.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Any

from .. import diagnostics as dg
from .. import pandoc
from ..atomic import atomic_dir
from ..build import write_formats
from ..config import build_time, load_config
from ..formats import FORMATS
from ..model import Book
from ..normalise import read_book
from ..version import __version__
from . import assemble, checks, clients
from .provenance import git_info, source_date_epoch

Progress = Callable[[str], None]
_SAFE_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$")


@dataclass(frozen=True)
class Options:
    source: Path = Path("source")
    out: Path = Path("build")  # the release goes to <out>/release/<version>/
    version: str | None = None  # None: book.toml's `version`
    force: bool = False  # replace an existing release of this version


@dataclass(frozen=True)
class Result:
    folder: Path
    manifest: dict[str, Any]
    checked: list[checks.Checked]
    epoch_from: str  # "environment" or "last git commit"


def _quiet(_: str) -> None:
    pass


def release(opts: Options, report: dg.Report, progress: Progress = _quiet) -> Result:
    """Build, validate and assemble one release; raise GlossaryError (nothing written) if any
    step fails. `report` must be strict: every warning fails the release."""
    version = _version(opts)
    root = opts.out / "release"
    folder = root / version
    _refuse_existing(folder, opts.force)
    epoch, epoch_from = source_date_epoch(opts.source)
    created = [d for d in (root, opts.out) if not d.exists()]  # removed again if left empty
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _refused(
            f"cannot create {root}: {exc.strerror}", "pass an --out folder that can be written"
        ) from None
    work = Path(tempfile.mkdtemp(prefix=f".{version}.build-", dir=root)).resolve()
    try:
        with _source_date_epoch(epoch):
            book = _build(opts.source, version, work, report, progress)
            built = _outputs(work, book.config.slug)
            checked = _validate(built, book, report, progress)
            progress("assembling the release")
            _refuse_existing(folder, opts.force)  # another run may have finished meanwhile
            with atomic_dir(folder) as tmp:
                manifest = _assemble(tmp, built, book, version, epoch, checked, opts.source)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for folder_made in created:
            if folder_made.is_dir() and not any(folder_made.iterdir()):
                folder_made.rmdir()
    return Result(folder, manifest, checked, epoch_from)


def _version(opts: Options) -> str:
    if not opts.source.is_dir():
        raise dg.GlossaryError(
            dg.make(
                dg.SOURCE_MISSING,
                str(opts.source),
                0,
                0,
                "source folder does not exist",
                "pass the glossary's folder with --source (default: source/)",
            ),
            exit_code=2,
        )
    version = opts.version if opts.version is not None else load_config(opts.source, dg.Report()).version
    if not version:
        raise _refused(
            "no version: book.toml has no `version` key and none was given",
            'add version = "1.0.0" to book.toml or pass --version 1.0.0',
        )
    if not _SAFE_VERSION.match(version) or ".." in version:
        raise _refused(
            f"version {version!r} cannot be a folder and file name",
            "use letters, digits, '.', '_', '+' and '-' only, starting with a letter or digit",
        )
    return version


def _refuse_existing(folder: Path, force: bool) -> None:
    if folder.exists() and not force:
        raise _refused(
            f"{folder} exists already; nothing was changed",
            "release a new version, or pass --force to replace this one",
        )


def _refused(message: str, hint: str) -> dg.GlossaryError:
    return dg.GlossaryError(dg.make(dg.RELEASE_REFUSED, "", 0, 0, message, hint), exit_code=2)


@contextmanager
def _source_date_epoch(epoch: int) -> Iterator[None]:
    """Every writer (and every PDF worker, which inherits the environment) reads the time here."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def _build(source: Path, version: str, work: Path, report: dg.Report, progress: Progress) -> Book:
    book = read_book(source, report, progress)
    _stop_on_errors(report, "the sources")
    if book.config.version != version:  # the imprint and metadata name the released version
        book = replace(book, config=replace(book.config, version=version))
    write_formats(book, work, list(FORMATS), report, progress)
    _stop_on_errors(report, "the build")
    return book


def _stop_on_errors(report: dg.Report, what: str) -> None:
    if report.errors:
        raise dg.GlossaryError(
            dg.make(
                dg.OUTPUT_INVALID,
                "",
                0,
                0,
                f"release refused: {len(report.errors)} error(s) in {what} (warnings count as errors)",
                "fix every diagnostic listed above; nothing was released",
            )
        )


def _outputs(work: Path, slug: str) -> dict[str, Path]:
    return {
        "pdf": work / f"{slug}.pdf",
        "epub": work / f"{slug}.epub",
        "docx": work / f"{slug}.docx",
        "md": work / f"{slug}.md",
        "html": work / "html",
    }


def _validate(
    built: dict[str, Path], book: Book, report: dg.Report, progress: Progress
) -> list[checks.Checked]:
    progress("validating: epubcheck, LibreOffice, PDF, DOCX, site, Markdown")
    # The two outside programs run side by side; the in-process checks meanwhile.
    with ThreadPoolExecutor(max_workers=2) as pool:
        epub = pool.submit(clients.check_epub, built["epub"])
        office = pool.submit(clients.check_docx_roundtrip, built["docx"])
        done = [
            checks.check_pdf(built["pdf"]),
            checks.check_docx(built["docx"]),
            checks.check_site_folder(built["html"], "site"),
            checks.check_markdown(built["md"], len(book.terms)),
        ]
        done[1:1] = [c for c in (epub.result(), office.result()) if c is not None]
    for c in done:
        report.extend(c.problems)
    _stop_on_errors(report, "the validation of the artifacts")
    return done


def _assemble(
    tmp: Path,
    built: dict[str, Path],
    book: Book,
    version: str,
    epoch: int,
    checked: list[checks.Checked],
    source: Path,
) -> dict[str, Any]:
    stem = f"{book.config.slug}-{version}"
    for fmt in ("pdf", "epub", "docx", "md"):
        assemble.place(built[fmt], tmp / f"{stem}.{fmt}", epoch)
    assemble.zip_tree(built["html"], tmp / f"{stem}-site.zip", f"{stem}-site", epoch)
    artifacts = {
        p.name: {"bytes": p.stat().st_size, "sha256": assemble.sha256(p)} for p in sorted(tmp.iterdir())
    }
    manifest = _manifest(book, version, epoch, checked, source, artifacts)
    assemble.write_manifest(tmp, manifest, epoch)
    assemble.write_sums(tmp, epoch)
    return manifest


def _manifest(
    book: Book,
    version: str,
    epoch: int,
    checked: list[checks.Checked],
    source: Path,
    artifacts: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    git = git_info(source)
    counts: dict[str, int] = {
        "entries": len(book.terms),
        "aliases": sum(len(t.aliases) for t in book.terms),
        "cross_references": sum(len(t.refs_out) for t in book.terms),
        "letter_groups": len(book.groups),
    }
    for c in checked:
        counts.update({f"{c.kind}_{k}": v for k, v in c.counts.items()})
    return {
        "title": book.config.title,
        "slug": book.config.slug,
        "version": version,
        "date": build_time().isoformat().replace("+00:00", "Z"),
        "source_date_epoch": epoch,
        "git": {"commit": git.commit, "dirty": git.dirty},
        "tools": _tools(),
        "validators": {"epubcheck": clients.epubcheck_version(), "libreoffice": clients.soffice_version()},
        "counts": dict(sorted(counts.items())),
        "artifacts": artifacts,
    }


def _tools() -> dict[str, str]:
    out, _ = pandoc.run(["--version"])
    return {
        "glossary-pipeline": __version__,
        "python": platform.python_version(),
        "pandoc": out.decode().split("\n", 1)[0].removeprefix("pandoc ").strip(),
        **{name: dist_version(name) for name in ("weasyprint", "ebooklib", "pypdf", "lxml")},
    }
