"""The `glossary` command — the only place that prints or exits.

Exit codes: 0 clean (warnings allowed), 1 content errors, 2 usage or configuration error,
3 internal error (a bug: please report it with the output of `-v`).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from . import __version__
from . import diagnostics as dg
from .build import STYLES_DIR, Progress, build, read_book
from .formats import FORMATS
from .insight import mentions, summary
from .insight.sarif import format_sarif
from .insight.select import Selection, SelectorError

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"glossary: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="glossary", description="Publish a Markdown glossary as PDF, EPUB, DOCX and HTML.")
    p.add_argument("--version", action="version", version=f"glossary {__version__}")
    common = _Parser(add_help=False)
    common.add_argument("source", nargs="?", default="source", type=Path,
                        help="folder with one Markdown file per term (default: source/)")
    common.add_argument("--strict", action="store_true", help="treat warnings as errors")
    common.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    common.add_argument("-v", "--verbose", action="store_true",
                        help="also print info diagnostics and progress")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = sub.add_parser("check", parents=[common], help="lint the glossary without rendering")
    check.add_argument("--format", dest="output_format", default="text",
                       choices=["text", "json", "github", "sarif"], help="how to print diagnostics")
    check.add_argument("--summary", action="store_true",
                       help="print only the summary (text, or one JSON object with --format json)")
    check.add_argument("--select", action="append", metavar="CODE,…",
                       help="report only these codes or prefixes (GL101, GL1, link-broken, ALL)")
    check.add_argument("--ignore", action="append", metavar="CODE,…",
                       help="do not report these codes or prefixes")
    rep_ = sub.add_parser("report", parents=[common],
                          help="write the glossary's health report (HTML page and JSON)")
    rep_.add_argument("--out", type=Path, default=Path("build"),
                      help="folder for report.html and report.json (default: build/); the site is "
                           "expected in its html/ folder")
    b = sub.add_parser("build", parents=[common], help="render the glossary")
    b.add_argument("--out", type=Path, default=Path("build"), help="output folder (default: build/)")
    b.add_argument("--format", dest="formats", action="append", metavar="FMT",
                   help=f"{', '.join(FORMATS)} or all; repeat or comma-separate (default: all)")
    b.add_argument("--styles", type=Path, default=STYLES_DIR,
                   help="folder with templates, CSS and the DOCX reference (default: the built-in styles/)")
    sub.add_parser("codes", help="list every diagnostic code")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if getattr(args, "verbose", False) else logging.ERROR,
                        format="%(name)s: %(message)s")
    try:
        if args.command == "codes":
            return _codes()
        if args.command == "check":
            return _check(args)
        if args.command == "report":
            return _report(args)
        return _build(args)
    except dg.GlossaryError as exc:
        _machine_readable(args, exc.diagnostic)
        print(dg.format_text(exc.diagnostic), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("glossary: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `glossary check | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERRORS
    except Exception as exc:
        if getattr(args, "verbose", False):
            raise
        print(f"glossary: internal error: {type(exc).__name__}: {exc} "
              "(run again with -v for details)", file=sys.stderr)
        return EXIT_INTERNAL


def _machine_readable(args: argparse.Namespace, diagnostic: dg.Diagnostic) -> None:
    """A fatal error still reaches a `check --format json|github` consumer in its own format."""
    fmt = getattr(args, "output_format", "text") if args.command == "check" else "text"
    if fmt == "json":
        print(dg.format_json([diagnostic]))
    elif fmt == "sarif":
        print(format_sarif([diagnostic], str(args.source)))
    elif fmt == "github":
        print(dg.format_github(diagnostic, str(args.source)))


def _codes() -> int:
    for c in dg.CODES.values():
        print(f"{c.code}  {c.severity:<7}  {c.name:<24} {c.summary}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    selection = _selection(args)
    report = dg.Report(strict=args.strict)
    started = time.perf_counter()
    with _status(args) as progress:
        book = read_book(args.source, report, progress)
        if mentions.wanted(report, args.verbose, selection.names_explicitly(mentions.OPT_IN)):
            progress("looking for unlinked mentions")
            mentions.report_mentions(mentions.find_mentions(book), book, report)
    selected = selection.filter(report)
    shown = _visible(selected, args)
    if args.summary:
        found = summary.summarize(book, selected, dg.LINK_BROKEN in selection)
        print(json.dumps(found.as_dict(), ensure_ascii=False, indent=2)
              if args.output_format == "json" else summary.format_text(found))
    elif args.output_format == "json":
        print(dg.format_json(shown))
    elif args.output_format == "sarif":
        print(format_sarif(shown, str(args.source)))
    elif args.output_format == "github":
        for d in shown:
            print(dg.format_github(d, str(args.source)))
    else:
        _print_text(shown, args)
        if selected and not args.quiet:
            found = summary.summarize(book, selected, dg.LINK_BROKEN in selection)
            print(summary.format_text(found), file=sys.stderr)
        print(_summary(selected, f"{len(book.terms)} terms", started), file=sys.stderr)
    return EXIT_ERRORS if any(d.severity is dg.Severity.ERROR for d in selected) else EXIT_OK


def _selection(args: argparse.Namespace) -> Selection:
    if args.summary and args.output_format not in ("text", "json"):
        print("glossary: error: --summary works with --format text or json", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)
    try:
        return Selection.parse(args.select, args.ignore)
    except SelectorError as exc:
        print(f"glossary: error: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def _report(args: argparse.Namespace) -> int:
    from .insight.report import write_report

    report = dg.Report(strict=args.strict)
    started = time.perf_counter()
    with _status(args) as progress:
        book = read_book(args.source, report, progress)
        progress("looking for unlinked mentions")
        found = mentions.find_mentions(book)
        mentions.report_mentions(found, book, report)
        progress("laying out the link graph")
        written = write_report(book, list(report), found, args.out)
    _print_text([d for d in written.notes], args, stream=sys.stderr)
    if not args.quiet:
        for path in (written.html, written.json):
            print(f"report: {path}")
        print(_summary(report, f"{len(book.terms)} terms", started), file=sys.stderr)
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    formats = _formats(args.formats)
    report = dg.Report(strict=args.strict)
    started = time.perf_counter()
    with _status(args) as progress:
        try:
            outputs = build(args.source, args.out, formats, report, progress, args.styles)
        finally:
            _print_text(_visible(report, args), args, stream=sys.stderr)
    if not args.quiet:
        for fmt, path in outputs.items():
            print(f"{fmt:>5}: {path}")
        print(_summary(report, f"{len(outputs)} outputs", started), file=sys.stderr)
    return EXIT_ERRORS if report.errors else EXIT_OK


def _formats(values: list[str] | None) -> list[str]:
    wanted = [f.strip() for v in (values or ["all"]) for f in v.split(",") if f.strip()]
    if "all" in wanted:
        return list(FORMATS)
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        print(f"glossary: error: unknown format {', '.join(unknown)} "
              f"(choose from {', '.join(FORMATS)}, all)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)
    return wanted


def _visible(items: Iterable[dg.Diagnostic], args: argparse.Namespace) -> list[dg.Diagnostic]:
    if args.quiet:
        return [d for d in items if d.severity is dg.Severity.ERROR]
    if args.verbose or getattr(args, "output_format", "text") != "text":
        return list(items)
    return [d for d in items if d.severity is not dg.Severity.INFO]


def _print_text(items: list[dg.Diagnostic], args: argparse.Namespace, stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    for d in items:
        print(dg.format_text(d), file=out)


def _summary(items: Iterable[dg.Diagnostic], what: str, started: float) -> str:
    found = list(items)
    errors = sum(1 for d in found if d.severity is dg.Severity.ERROR)
    warnings = sum(1 for d in found if d.severity is dg.Severity.WARNING)
    took = time.perf_counter() - started
    return f"glossary: {errors} error(s), {warnings} warning(s); {what} in {took:.1f} s"


@contextmanager
def _status(args: argparse.Namespace) -> Iterator[Progress]:
    """A rich spinner on a terminal; silent otherwise (CI logs stay clean)."""
    if args.quiet or not sys.stderr.isatty():
        yield (lambda msg: logging.getLogger("pipeline").debug(msg))
        return
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("starting") as status:
        yield (lambda msg: status.update(msg))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
