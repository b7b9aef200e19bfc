"""Phase 2 — resolve: unique ids, aliases, links, order, letter groups, index, back-references."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

from .. import diagnostics as dg
from ..cache import Cache, digest
from ..config import BookConfig
from ..i18n import quotation_marks
from ..model import (
    INDEX_ID,
    RESERVED_IDS,
    Book,
    IndexEntry,
    IndexGroup,
    LetterGroup,
    Location,
    Term,
    anchor,
    with_light,
)
from ..pandoc_ast import Node, stringify, transform
from .collation import letter_of, sort_key
from .links import IdTable, LinkContext
from .mathcheck import check_formulas
from .pages import PageHead, name_pages, page_sections, resolve_pages
from .positions import Locator
from .resolved import resolve_file, table_digest
from .resources import Resources, check_images
from .sources import Loaded, RawTerm, SourceFile
from .structure import Parts, local_anchors, split, term_id_from_title
from .titles import visible
from .walk import resolving

_PICKED = frozenset({"Image", "Math", "RawInline", "RawBlock"})  # what the image and formula checks read


@dataclass
class Named:
    """A raw term with its final id and aliases."""

    raw: RawTerm
    id: str
    aliases: list[str]


def resolve(loaded: Loaded, config: BookConfig, source: Path, report: dg.Report,
            cache: Cache | None = None, bodies: bool = True) -> Book:
    """Turn loaded files into the immutable Book; every problem becomes a diagnostic.

    Files are resolved one by one (their links counted in file order, to be matched with their
    positions), or found resolved in the cache. `bodies=False` is for `check`: terms found in
    the cache then come without taglines, definition and sections."""
    cache = cache or Cache(None)
    named = _assign_ids(loaded.files, report)
    heads = name_pages(loaded.pages, {n.id for n in named}, report)
    table = _id_table(named, loaded.files, heads, report)
    table_key = table_digest(table, config.language)
    by_file: dict[str, list[Named]] = defaultdict(list)
    for n in named:
        by_file[n.raw.file].append(n)

    def build(n: Named, seen: dict[str, int], table: IdTable, locator: Locator,
              found: dg.Report) -> tuple[Term, list[Node]]:
        return _build_term(n, seen, table, locator, config, found)

    # Each term's images and formulas are picked up by the walk that resolves its links.
    walked = [w for f in loaded.files
              for w in resolve_file(f, by_file[f.name], build, table, table_key, cache, report, bodies)]
    terms = [term for term, _ in walked]
    images: dict[str, dict[str, int]] = {f.name: {} for f in loaded.files}
    resources: Resources = {}
    for term, nodes in walked:  # still in file order, as the image counters need
        check_images(term, nodes, source, loaded.locator, images[term.source.file], resources)
    check_formulas(walked, source, loaded.api_version, report, cache)
    pages = resolve_pages(loaded.pages, heads, table, loaded.locator, config.language, source,
                          resources)
    loaded.locator.settle(report)
    terms.sort(key=lambda t: t.sort_key)
    terms = _with_back_references(terms)
    return Book(
        config=config,
        source_dir=source,
        terms=tuple(terms),
        groups=_letter_groups(terms),
        index=_index(terms, config.language),
        diagnostics=tuple(report),
        pandoc_api_version=tuple(loaded.api_version),
        resources=MappingProxyType(resources),
        pages=pages,
        fingerprint=_fingerprint(loaded, config, resources, pages),
    )


def _fingerprint(loaded: Loaded, config: BookConfig, resources: Resources, pages: object) -> str:
    """Everything the Book is made of: the files (their cache keys name their bytes), the
    configuration, the pages and the images (with their sizes and times: writers read them)."""
    images = sorted((k, r.name, r.problem, _stamp(r.path)) for k, r in resources.items())
    return digest(repr(config), *(f.key or f.text for f in loaded.files), repr(pages), repr(images))


def _stamp(path: Path | None) -> str:
    try:
        st = path.stat() if path is not None else None
    except OSError:
        return "?"
    return f"{st.st_size}:{st.st_mtime_ns}" if st else ""


def _assign_ids(files: list[SourceFile], report: dg.Report) -> list[Named]:
    first_seen: dict[str, RawTerm] = {}
    out: list[Named] = []
    for f in files:
        for raw in f.terms:
            ident = _checked_id(raw, report)
            if ident in first_seen:
                ident = _rename_duplicate(raw, ident, first_seen, report)
            first_seen[ident] = raw
            out.append(Named(raw, ident, _aliases(raw)))
    return out


def _checked_id(raw: RawTerm, report: dg.Report) -> str:
    title = stringify(raw.title).strip()
    if not raw.id:
        ident = term_id_from_title(title or Path(raw.file).stem)
        named = f"term „{title}“" if title else "term heading without a title"
        report.add(dg.make(dg.TERM_NO_ID, raw.file, raw.line, raw.column,
                           f"{named} has no id; using #{ident}",
                           f"add {{#{ident} .term}} to the heading"))
        return ident
    if raw.id in RESERVED_IDS or raw.id.casefold() == INDEX_ID.casefold():
        report.add(dg.make(dg.ID_RESERVED, raw.file, raw.line, raw.column,
                           f"#{raw.id} is reserved for the generated index",
                           "give the term another id"))
        return raw.id + "-term"
    return raw.id


def _rename_duplicate(raw: RawTerm, ident: str, first_seen: dict[str, RawTerm],
                      report: dg.Report) -> str:
    other = first_seen[ident]
    n = 2
    while f"{ident}-{n}" in first_seen:
        n += 1
    new = f"{ident}-{n}"
    report.add(dg.make(
        dg.ID_DUPLICATE, raw.file, raw.line, raw.column,
        f"duplicate id #{ident}: already used by „{stringify(other.title)}“ at "
        f"{other.file}:{other.line}:{other.column}; this one is published as #{new}",
        "give one of the two terms another id (links keep going to the first)"))
    return new


def _aliases(raw: RawTerm) -> list[str]:
    value = raw.attributes.get("aliases") or raw.attributes.get("alias") or ""
    return [a.strip() for a in value.split(";") if a.strip()]


def _id_table(named: list[Named], files: list[SourceFile], pages: list[PageHead],
              report: dg.Report) -> IdTable:
    ids = {n.id: n.id for n in named}
    ids.update({p.id: p.id for p in pages})  # renamed already where they clash (GL210)
    aliases: dict[str, str] = {}
    for n in named:
        kept = []
        for alias in n.aliases:
            clash = alias in ids or alias in aliases or alias == INDEX_ID
            if clash:
                owner = ids.get(alias) or aliases.get(alias) or INDEX_ID
                report.add(dg.make(dg.ALIAS_CONFLICT, n.raw.file, n.raw.line, n.raw.column,
                                   f"alias „{alias}“ of #{n.id} is already taken by #{owner}",
                                   "remove or rename the alias"))
                continue
            aliases[alias] = n.id
            kept.append(alias)
        n.aliases = kept
    folded: dict[str, list[str]] = defaultdict(list)
    for key, term in (*ids.items(), *aliases.items()):
        if term not in folded[key.casefold()]:
            folded[key.casefold()].append(term)
    by_file = {f.name: f.terms[0].id for f in files if f.terms}
    first_ids = {n.raw.file: n.id for n in reversed(named)}
    by_file = {name: first_ids.get(name, ident) for name, ident in by_file.items()}
    by_file.update({p.source.file: p.id for p in pages})
    sections = _sections(named)
    for written, places in page_sections(pages).items():
        sections.setdefault(written, []).extend(places)
    return IdTable(ids, aliases, by_file, dict(folded), sections, pages={p.id: p.source.file for p in pages})


def _sections(named: list[Named]) -> dict[str, list[tuple[str, str]]]:
    """Every heading id inside a term, so another entry can link to that section."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for n in named:
        for written in dict.fromkeys(n.raw.header_ids):
            unique = anchor(n.id, written)
            out[written].append((n.id, unique))
            out[unique].append((n.id, unique))
    return dict(out)


def _build_term(n: Named, seen: dict[str, int], table: IdTable, locator: Locator,
                config: BookConfig, report: dg.Report) -> tuple[Term, list[Node]]:
    """The term, and its images, formulas and raw HTML in source order (for the checks)."""
    raw = n.raw
    quoted = quotation_marks(config.language)
    title_text = stringify(transform(raw.title, quoted)).strip()
    if not visible(title_text):
        report.add(dg.make(dg.TERM_NO_TITLE, raw.file, raw.line, raw.column,
                           f"term #{n.id} has no title; its id is printed instead",
                           f"write the term before the braces: {'#' * raw.level} {n.id} {{#{n.id} .term}}"))
        raw = replace(raw, title=[{"t": "Str", "c": n.id}])
        title_text = n.id
    ctx = LinkContext(raw.file, n.id, title_text, raw.line, locator, seen,
                      local_anchors(n.id, raw.blocks))

    picked: list[Node] = []
    visit = resolving(ctx, table, quoted, picked, _PICKED, n.id)
    title = transform(raw.title, visit)
    blocks = transform(raw.blocks, visit)
    parts = split(n.id, raw.level, blocks)
    _structure_diagnostics(raw, title_text, parts.taglines, blocks, parts.seealso_not_last,
                           parts.links_index, bool(parts.see_also), report)
    for text in parts.seealso_text:
        report.add(dg.make(dg.SEEALSO_TEXT, raw.file, raw.line, raw.column,
                           f"the see-also list of „{title_text}“ holds „{text}“, which is no link; "
                           "printed as text", "write it as [Label](#Id), or move it out of the list"))
    term = _term(n, raw, title, title_text, parts, ctx.refs, config)
    return replace(term, missing_out=tuple(ctx.missing), anchors=_anchors(term)), picked


def _anchors(term: Term) -> tuple[str, ...]:
    """Section ids and the ids of headings at the top of the term's blocks (shallow: a deep walk
    would cost as much as resolving the links)."""
    blocks = (*term.definition, *(b for s in term.sections for b in s.blocks))
    return (*(s.id for s in term.sections), *(b["c"][1][0] for b in blocks if b["t"] == "Header"))


def _term(n: Named, raw: RawTerm, title: list[Node], title_text: str, parts: Parts, refs: list[str],
          config: BookConfig) -> Term:
    letter, _label = letter_of(title_text, config.language)
    return Term(
        id=n.id, title=tuple(title), title_text=title_text,
        sort_key=sort_key(title_text, n.id, config.language), letter=letter,
        aliases=tuple(n.aliases), taglines=tuple(tuple(t) for t in parts.taglines),
        definition=tuple(parts.definition), sections=tuple(parts.sections),
        see_also=tuple(parts.see_also), links_index=parts.links_index,
        refs_out=tuple(refs), refs_in=(),
        source=Location(raw.file, raw.line, raw.column), original_id=raw.id,
    )


def _structure_diagnostics(raw: RawTerm, title: str, taglines: list[list[Node]],
                           blocks: list[Node], seealso_not_last: bool,
                           links_index: bool, has_see_also: bool, report: dg.Report) -> None:
    where = (raw.file, raw.line, raw.column)
    if not blocks:
        report.add(dg.make(dg.TERM_EMPTY, *where, f"term „{title}“ has no text",
                           "write a definition below the heading"))
    elif not taglines:
        report.add(dg.make(dg.TERM_NO_TAGLINE, *where, f"term „{title}“ has no tagline",
                           "add a bold-italic line ***…*** right below the heading"))
    if seealso_not_last:
        report.add(dg.make(dg.SEEALSO_NOT_LAST, *where,
                           f"the see-also section of „{title}“ is not its last section",
                           "move ### Verwandte Themen {.seealso} to the end"))
    if has_see_also and not links_index:
        report.add(dg.make(dg.SEEALSO_NO_INDEX, *where,
                           f"the see-also list of „{title}“ does not link the index",
                           "end it with [Index](#Index)"))


def _with_back_references(terms: list[Term]) -> list[Term]:
    incoming: dict[str, list[str]] = defaultdict(list)
    for t in terms:  # book order, so back-references come out in book order too
        for target in t.refs_out:
            incoming[target].append(t.id)
    return [with_light(t, refs_in=tuple(incoming.get(t.id, ()))) for t in terms]


def _letter_groups(terms: list[Term]) -> tuple[LetterGroup, ...]:
    groups: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for t in terms:
        groups.setdefault(t.letter, []).append(t.id)
        labels[t.letter] = "0–9" if t.letter == "0-9" else t.letter
    return tuple(LetterGroup(k, labels[k], tuple(v)) for k, v in groups.items())


def _index(terms: list[Term], lang: str) -> tuple[IndexGroup, ...]:
    entries = [IndexEntry(t.title_text, t.id, False, t.sort_key) for t in terms]
    entries += [IndexEntry(a, t.id, True, sort_key(a, t.id, lang)) for t in terms for a in t.aliases]
    entries.sort(key=lambda e: e.sort_key)
    grouped: dict[str, list[IndexEntry]] = {}
    labels: dict[str, str] = {}
    for e in entries:
        gid, label = letter_of(e.label, lang)
        grouped.setdefault(gid, []).append(e)
        labels[gid] = label
    return tuple(IndexGroup(k, labels[k], tuple(v)) for k, v in grouped.items())
