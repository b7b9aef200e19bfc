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
from typing import TYPE_CHECKING, TextIO

from . import diagnostics as dg
from .authoring import AuthoringError
from .build import build
from .cache import CACHE_DIR, WRITER, Cache, clear
from .formats import FORMATS
from .formats.context import STYLES_DIR, Progress
from .normalise import book_cache, read_book
from .runtime import tune_gc
from .version import __version__

if TYPE_CHECKING:  # serve (and watchfiles) is imported only when serving
    from .serve import BuildResult
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
    common.add_argument("--cache", type=Path, metavar="DIR",
                        help="build cache folder (default: .glossary-cache/ beside book.toml)")
    common.add_argument("--no-cache", action="store_true", help="neither read nor write the build cache")
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
    s = sub.add_parser("serve", parents=[common],
                       help="serve the site on 127.0.0.1 and rebuild it on every save")
    s.add_argument("--port", type=int, default=None,
                   help="port (default: 8000 or the next free one; 0: any free port)")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only)")
    s.add_argument("--open", dest="open_browser", action="store_true", help="open the site in the browser")
    s.add_argument("--pdf", action="store_true", help="also keep the PDF current in the background")
    s.add_argument("--styles", type=Path, default=STYLES_DIR,
                   help="folder with templates and CSS (default: the built-in styles/)")
    sub.add_parser("codes", help="list every diagnostic code")
    clean = sub.add_parser("clean", help="delete the build cache")
    clean.add_argument("source", nargs="?", default="source", type=Path,
                       help="folder with the entries (default: source/)")
    clean.add_argument("--cache", type=Path, metavar="DIR", help="the cache folder, if not the default")
    init = sub.add_parser("init", help="start a new glossary in DIR, or import one in place (--from)")
    init.add_argument("dir", nargs="?", type=Path, help="folder for the new glossary (default: .)")
    init.add_argument("--from", dest="from_dir", type=Path, metavar="DIR",
                      help="write book.toml for the existing glossary in DIR; moves no file")
    init.add_argument("--language", help="the book's language, e.g. de or en-GB (default: de)")
    new = sub.add_parser("new", help="write a new entry from the entry template")
    new.add_argument("title", help='the term, e.g. "Blockchiffre"')
    new.add_argument("source", nargs="?", default="source", type=Path,
                     help="folder with the entries (default: source/)")
    new.add_argument("--id", help="the term's id (default: from the title)")
    new.add_argument("--alias", action="append", default=[], help="an alias; repeat for several")
    new.add_argument("--styles", type=Path, default=STYLES_DIR,
                     help="folder whose entry.md.j2 to use (default: the built-in styles/)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    tune_gc()
    args = _parser().parse_args(argv)
    verbose = bool(getattr(args, "verbose", False))
    logging.basicConfig(level=logging.WARNING if verbose else logging.ERROR, format="%(name)s: %(message)s")
    if verbose:  # our progress; the libraries' debug records (fontTools: thousands a build) stay out
        logging.getLogger("pipeline").setLevel(logging.DEBUG)
    try:
        if args.command == "codes":
            return _codes()
        if args.command == "check":
            return _check(args)
        if args.command == "clean":
            return _clean(args)
        if args.command in ("init", "new"):
            return _authoring(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "report":
            return _report(args)
        return _build(args)
    except AuthoringError as exc:
        print(f"glossary: error: {exc.message}" + (f" — {exc.hint}" if exc.hint else ""),
              file=sys.stderr)
        return EXIT_USAGE
    except dg.GlossaryError as exc:
        _machine_readable(args, exc.diagnostic)
        print(dg.format_text(exc.diagnostic), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        WRITER.drop()  # not the cache entries still to be written: the run ends now
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


def _authoring(args: argparse.Namespace) -> int:
    from .authoring import init, new, summary
    from .authoring.importer import import_folder

    if args.command == "new":
        entry = new.new_entry(args.source, args.title, args.id, args.alias, args.styles, STYLES_DIR)
        lines = summary.new(entry)
    elif args.from_dir is not None:
        if args.dir is not None:
            raise AuthoringError("give either DIR or --from DIR", "--from imports a folder in place")
        lines = summary.imported(import_folder(args.from_dir, args.language))
    else:
        lines = summary.created(init.create(args.dir or Path("."), args.language or "de"))
    print("\n".join(lines))
    return EXIT_OK


def _codes() -> int:
    for c in dg.CODES.values():
        print(f"{c.code}  {c.severity:<7}  {c.name:<24} {c.summary}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    selection = _selection(args)
    report = dg.Report(strict=args.strict)
    started = time.perf_counter()
    with _status(args) as progress:
        book = read_book(args.source, report, progress, _cache(args), bodies=False)
        if mentions.wanted(report, args.verbose, selection.names_explicitly(mentions.OPT_IN)):
            progress("looking for unlinked mentions")
            report = dg.Report(strict=args.strict)  # read again with the terms' text (cached)
            book = read_book(args.source, report, progress, _cache(args))
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
        book = read_book(args.source, report, progress, _cache(args))
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
            outputs = build(args.source, args.out, formats, report, progress, args.styles,
                            _cache(args))
        finally:
            _print_text(_visible(report, args), args, stream=sys.stderr)
    if not args.quiet:
        for fmt, path in outputs.items():
            print(f"{fmt:>5}: {path}")
        print(_summary(report, f"{len(outputs)} outputs", started), file=sys.stderr)
    return EXIT_ERRORS if report.errors else EXIT_OK


def _cache(args: argparse.Namespace) -> Cache:
    return book_cache(args.source, args.cache, not args.no_cache)


def _clean(args: argparse.Namespace) -> int:
    folder = args.cache or args.source / CACHE_DIR
    try:
        removed = clear(folder)
    except (ValueError, OSError) as exc:
        print(f"glossary: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"glossary: {'removed' if removed else 'no cache at'} {folder}", file=sys.stderr)
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    """Ctrl-C is how a serve session ends: exit 0, not 130 (as `mkdocs serve`)."""
    from .serve import Options, ServeError, serve

    port = 8000 if args.port is None else args.port
    options = Options(args.source, args.styles, args.host, port, args.port is not None,
                      args.open_browser, args.pdf, args.strict)
    try:
        serve(options, _ServeListener(args))
    except ServeError as exc:
        print(f"glossary: error: {exc} — {exc.hint}", file=sys.stderr)
        return EXIT_USAGE
    print("glossary: stopped", file=sys.stderr)
    return EXIT_OK


class _ServeListener:
    """Prints what `glossary serve` reports: each rebuild's new findings and a summary line."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.seen: set[dg.Diagnostic] = set()

    def serving(self, url: str, exposed: bool) -> None:
        if exposed:
            print(f"glossary: warning: listening on {self.args.host}: everyone who can reach this "
                  "machine can read the glossary (leave out --host to serve it to this machine only)",
                  file=sys.stderr)
        print(f"Serving {url} (Ctrl-C to stop)", flush=True)

    def built(self, result: BuildResult) -> None:
        shown = set(self._visible(result.diagnostics))
        for d in sorted(shown - self.seen):
            print(dg.format_text(d), file=sys.stderr)
        fixed, self.seen = len(self.seen - shown), shown
        if result.failure is not None:
            print(dg.format_text(result.failure), file=sys.stderr)
            print("glossary: build failed; still serving the previous site", file=sys.stderr, flush=True)
            return
        if not self.args.quiet:
            what = f"after {len(result.changed)} changed file(s)" if result.changed else "the site"
            print(f"glossary: built {what} in {result.seconds:.1f} s: {len(result.errors)} error(s), "
                  f"{len(result.warnings)} warning(s)" + (f", {fixed} fixed" if fixed else ""),
                  file=sys.stderr, flush=True)

    def pdf_built(self, result: BuildResult) -> None:
        if result.failure is not None:
            print(f"glossary: PDF not updated: {dg.format_text(result.failure)}", file=sys.stderr, flush=True)
        elif not self.args.quiet:
            print(f"glossary: PDF updated in {result.seconds:.0f} s", file=sys.stderr, flush=True)

    def _visible(self, items: Iterable[dg.Diagnostic]) -> list[dg.Diagnostic]:
        if self.args.quiet:
            return [d for d in items if d.severity is dg.Severity.ERROR]
        return [d for d in items if self.args.verbose or d.severity is not dg.Severity.INFO]


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
