"""`md`: the normalised book as one pandoc-Markdown document — the normaliser's output made visible.

Letter groups are H1, terms H2 with their unique ids, links resolved (broken ones as plain
text), the index at the end. It re-enters pandoc cleanly, so other pandoc tools can use it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .. import pandoc
from ..document import document
from ..output import write_bytes

if TYPE_CHECKING:
    from ..build import BuildContext
    from ..model import Book


def build(book: Book, out_dir: Path, ctx: BuildContext) -> Path:
    """Write `<slug>.md`."""
    doc = document(book)
    data, warnings = pandoc.convert_json(
        doc, "markdown-raw_attribute", ["--standalone", "--wrap=none", "--markdown-headings=atx"])
    ctx.pandoc_warnings("md", warnings)
    return write_bytes(out_dir / f"{book.config.slug}.md", data)
