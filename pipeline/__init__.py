"""Glossary pipeline: Markdown entries → one resolved Book → PDF, EPUB, DOCX, HTML, Markdown.

The public API is what this root package exports (as WeasyPrint's does): read a glossary into
its `Book` and `Report` of diagnostics, or build it in any of the `FORMATS`.

    report = Report()
    book = read_book(Path("source"), report)
    outputs = build(Path("source"), Path("build"), ["pdf", "html"], report)
"""

__version__ = "0.1.0"

from .build import build
from .diagnostics import Diagnostic, GlossaryError, Report, Severity
from .formats import FORMATS
from .model import Book
from .normalise import read_book

__all__ = ["FORMATS", "Book", "Diagnostic", "GlossaryError", "Report", "Severity", "__version__",
           "build", "read_book"]
