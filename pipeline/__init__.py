"""Glossary pipeline: Markdown entries → one resolved Book → PDF, EPUB, DOCX, HTML, Markdown."""

__version__ = "0.1.0"
