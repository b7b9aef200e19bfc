"""`python -m pipeline.release` (what `nox -s release` runs): the only place here that prints or exits.

Exit codes as `glossary`: 0 released, 1 errors in the sources or the artifacts (nothing
released), 2 refused before building (no version or date, the release exists), 3 internal error.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .. import diagnostics as dg
from . import Options, Result, release


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pipeline.release",
        description="Build, validate and checksum one release of the glossary.",
    )
    p.add_argument("--version", help="version to release (default: book.toml's `version`)")
    p.add_argument("--source", type=Path, default=Path("source"), help="the glossary (default: source/)")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("build"),
        help="build folder; the release goes to OUT/release/VERSION/ (default: build/)",
    )
    p.add_argument("--force", action="store_true", help="replace an existing release of this version")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress, no summary")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.ERROR, format="%(name)s: %(message)s")
    report = dg.Report(strict=True)
    started = time.perf_counter()
    opts = Options(args.source, args.out, args.version, args.force)
    progress = _quiet if args.quiet else _say
    try:
        result = release(opts, report, progress)
    except dg.GlossaryError as exc:
        _print_diagnostics(report, exc.diagnostic)
        return exc.exit_code
    except KeyboardInterrupt:
        print("release: interrupted; nothing was released", file=sys.stderr)
        return 130
    except Exception as exc:
        print(f"release: internal error: {type(exc).__name__}: {exc}; nothing was released", file=sys.stderr)
        return 3
    _print_diagnostics(report, None)
    if not args.quiet:
        print(summary(result, report, time.perf_counter() - started))
    return 0


def _say(message: str) -> None:
    print(f"release: {message}", file=sys.stderr, flush=True)


def _quiet(_: str) -> None:
    pass


def _print_diagnostics(report: dg.Report, fatal: dg.Diagnostic | None) -> None:
    shown = [d for d in report if d.severity is not dg.Severity.INFO]
    for d in shown:
        print(dg.format_text(d), file=sys.stderr)
    if fatal is not None and fatal not in shown:
        print(dg.format_text(fatal), file=sys.stderr)


def summary(result: Result, report: dg.Report, seconds: float) -> str:
    m = result.manifest
    c, git = m["counts"], m["git"]
    facts = {
        "pdf": f"{c['pdf_pages']} pages, {c['pdf_links']} links, {c['pdf_fonts']} fonts embedded",
        "epub": f"epubcheck: {c['epub_messages']} messages",
        "docx": f"{c['docx_references']} links and page references to {c['docx_bookmarks']} bookmarks"
        + (
            f", LibreOffice: {c['libreoffice_pages']} pages"
            if "libreoffice_pages" in c
            else ", LibreOffice round trip skipped (no soffice)"
        ),
        "zip": f"{c['site_pages']} pages, {c['site_files']} files, no dead links",
        "md": f"{c['md_terms']} terms read back by pandoc",
    }
    lines = [f"Released {m['title']} {m['version']} in {result.folder}/"]
    for name, info in m["artifacts"].items():
        kind = name.rsplit(".", 1)[-1]
        lines.append(f"  {name:<48} {_size(info['bytes']):>9}  {facts.get(kind, '')}".rstrip())
    lines.append(f"  SHA256SUMS, manifest.json  (check: cd {result.folder} && sha256sum -c SHA256SUMS)")
    commit = (
        f"commit {git['commit'][:12]}{' + uncommitted changes' if git['dirty'] else ''}"
        if git["commit"]
        else "not in git"
    )
    lines.append(
        f"{c['entries']} entries, {c['cross_references']} cross-references; {commit}; "
        f"dated {m['date']} (SOURCE_DATE_EPOCH from the {result.epoch_from})"
    )
    notes = len(report) - len(report.errors) - len(report.warnings)
    lines.append(
        f"{len(report.errors)} errors, {len(report.warnings)} warnings, {notes} notes; {seconds:.1f} s"
    )
    return "\n".join(lines)


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} kB"


if __name__ == "__main__":
    sys.exit(main())
