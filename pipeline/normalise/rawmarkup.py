"""Raw markup in entries the writers cannot take as it is.

- Raw OOXML (`` `<w:r>…</w:r>`{=openxml} ``) that is not well-formed is left out (GL316).
- Raw HTML that links into `xref:`, the scheme the writers use for their own placeholders
  (`<a href="xref:Term">`), loses that href (GL107): a format would look the term up.

pandoc copies raw OOXML into the DOCX's document.xml as it is; one unclosed tag makes the whole
document unreadable for Word (and for the DOCX writer's own check). Each raw OOXML piece is
parsed here, within the namespaces pandoc's document declares; a broken one is reported
(GL316) and emptied, so the DOCX is built without it. What well-formed OOXML may contain is the
DOCX writer's business.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

from .. import diagnostics as dg
from ..model import Term
from ..pandoc_ast import Node

# The prefixes pandoc's word/document.xml declares: raw OOXML can only use these.
_NAMESPACES = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "o": "urn:schemas-microsoft-com:office:office",
    "v": "urn:schemas-microsoft-com:vml",
    "w10": "urn:schemas-microsoft-com:office:word",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
}
_OPEN = "<glossary-raw " + " ".join(f'xmlns:{k}="{v}"' for k, v in _NAMESPACES.items()) + ">"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def problem(text: str) -> str:
    """Why `text` is no well-formed OOXML fragment ('' when it is)."""
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        return "it declares a DOCTYPE or entities"
    try:
        etree.fromstring(f"{_OPEN}{text}</glossary-raw>".encode(), _PARSER)
    except etree.XMLSyntaxError as exc:
        message = str(exc).split(" (<string>")[0]
        unclosed = re.search(r"mismatch: (\S+) line \d+ and glossary-raw", message)
        if unclosed:  # the wrapper's end tag met a tag still open
            return f"<{unclosed.group(1)}> is not closed"
        return re.sub(r",? line \d+, column \d+", "", message)
    return ""


_XREF_HREF = re.compile(r"""\bhref\s*=\s*(["']?)\s*xref:[^"'\s>]*\1""", re.IGNORECASE)


def check_raw(terms: Sequence[tuple[Term, Sequence[Node]]], report: dg.Report) -> None:
    """Report and repair raw markup (see above). `terms`: each term with the raw nodes of its
    content among others (the resolver's one walk); the nodes are the loader's fresh AST,
    which nothing else holds, and are changed in place."""
    for term, nodes in terms:
        for node in nodes:
            if node["t"] not in ("RawInline", "RawBlock"):
                continue
            if node["c"][0] == "html" and "xref:" in node["c"][1].lower():
                _without_xref(term, node, report)
            if node["c"][0] != "openxml":
                continue
            why = problem(node["c"][1])
            if why:
                node["c"][1] = ""
                where = term.source
                report.add(dg.make(dg.RAW_INVALID, where.file, where.line, where.column,
                                   f"„{term.title_text}“: raw OOXML is not well-formed ({why}); "
                                   "left out of the DOCX", "close every tag you open, or remove "
                                   "the {=openxml} block"))


def _without_xref(term: Term, node: Node, report: dg.Report) -> None:
    fixed = _XREF_HREF.sub("", node["c"][1])
    if fixed != node["c"][1]:
        node["c"][1] = fixed
        where = term.source
        report.add(dg.make(dg.LINK_UNPUBLISHED, where.file, where.line, where.column,
                           f"„{term.title_text}“: raw HTML links into the scheme xref:, which the "
                           "writers reserve for their own links; the href is removed",
                           "link the term as [Label](#Id)"))
