"""Resolving internal links against term ids, aliases, files and reserved ids."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote

from .. import diagnostics as dg
from ..model import BROKEN_CLASS, INDEX_ID, SELF_CLASS, XREF_CLASS
from ..names import difference, look_alike
from ..pandoc_ast import Link, Node, Span, attr, stringify
from .closest import ClosestIds
from .positions import LINK, Locator


@dataclass(frozen=True)
class Target:
    term: str  # a term id, a page id, or INDEX_ID
    fragment: str  # '' or a prefixed anchor inside the term


@dataclass
class IdTable:
    """Everything a link may point at."""

    ids: dict[str, str]  # id -> id (exact)
    aliases: dict[str, str]  # alias -> term id
    files: dict[str, str]  # source file (relative) -> first term id in it
    folded: dict[str, list[str]]  # casefolded id/alias -> term ids
    # a heading id inside a term, as written and as published (`Term--id`) -> (term id, anchor)
    sections: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)  # front/back page id -> its file
    _closest: ClosestIds | None = field(default=None, repr=False)

    def suggestions(self, wanted: str) -> list[str]:
        """Up to three ids or aliases that are really close to `wanted` (see `closest`)."""
        if self._closest is None:  # built on the first broken link: a clean book never pays
            self._closest = ClosestIds((*self.ids, *self.aliases))
        return self._closest.closest(wanted)


@dataclass
class LinkContext:
    """The term whose links are being rewritten, and where to report."""

    file: str
    term_id: str
    term_title: str
    term_line: int
    locator: Locator
    seen: dict[str, int]  # url -> occurrences so far in this file
    local: dict[str, str]  # ids written inside this term -> their unique anchors
    refs: list[str] = field(default_factory=list)  # term ids linked, in first-use order
    missing: list[tuple[str, str]] = field(default_factory=list)  # broken: (target, label text)
    url: str = ""  # the link being resolved, as written
    nth: int = 0  # its occurrence in the file

    def add(self, code: str, message: str, hint: str) -> None:
        """Report at the link's position (found later, in one batch), or at the term's heading."""
        diagnostic = dg.make(code, self.file, self.term_line, 0, message, hint)
        self.locator.defer(diagnostic, LINK, self.url, self.nth)


def rewrite_links(node: Node, ctx: LinkContext, table: IdTable) -> Node | None:
    """pandoc_ast.walk callback: make internal links symbolic, broken ones plain text."""
    if node.get("t") != "Link":
        return None
    a, inlines, (url, title) = node["c"]
    ctx.url, ctx.nth = url, ctx.seen.get(url, 0)
    ctx.seen[url] = ctx.nth + 1
    wanted = _internal(url, ctx.file)
    if wanted is None:
        return _unpublished(node, ctx) if _local(url) else None
    target = _resolve(wanted, ctx, table, stringify(inlines))
    if target is None:
        ctx.missing.append((wanted[1] or wanted[0], stringify(inlines)))
        return Span(attr("", [BROKEN_CLASS, *a[1]], {"target": wanted[1] or wanted[0]}), inlines)
    if target.term == ctx.term_id and not target.fragment:
        ctx.add(dg.LINK_SELF, f"„{ctx.term_title}“ links to itself",
                "remove the link; it is published as plain text")
        return Span(attr("", [SELF_CLASS]), inlines)
    if target.term not in ctx.refs and target.term not in (ctx.term_id, INDEX_ID) and \
            target.term not in table.pages:  # back-references are between terms
        ctx.refs.append(target.term)
    anchor = target.fragment or target.term
    link_attr = attr(a[0], [XREF_CLASS, *a[1]], {"term": target.term})
    return Link(link_attr, inlines, "#" + anchor, title)


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
XREF_SCHEME = "xref"  # the writers' placeholder scheme for internal links: not for entries


def _local(url: str) -> bool:
    """A link to a file on the build machine (`docs/x.pdf`, `/etc/x`, `file:…`) or into the
    writers' own `xref:` scheme, rather than to a term or a URL on the web."""
    m = _SCHEME.match(url)
    return m is None or m.group(1).lower() in ("file", XREF_SCHEME)


def _unpublished(node: Node, ctx: LinkContext) -> Node:
    """A link to a file that is not published (only entries are): its label as plain text in
    every format, never a link into the build machine (`file:///home/…` in the PDF)."""
    a, inlines, (url, _title) = node["c"]
    if url.lower().startswith(XREF_SCHEME + ":"):
        ctx.add(dg.LINK_UNPUBLISHED, f"link „{stringify(inlines)}“ uses the scheme xref:, which the "
                "writers reserve for their own links; printed as text", "link the term as [Label](#Id)")
    else:
        ctx.add(dg.LINK_UNPUBLISHED, f"link „{stringify(inlines)}“ to {url}: only entries are published, "
                "not other files; printed as text",
                "link the file where it is published (https://…), or make it an entry")
    return Span(attr("", [BROKEN_CLASS, *a[1]], {"target": url}), inlines)


def _internal(url: str, current_file: str) -> tuple[str, str] | None:
    """('', fragment) for `#x`, (file, fragment) for a link to a source file, else None."""
    if url.startswith("#"):
        return "", unquote(url[1:])
    if "://" in url or url.startswith(("mailto:", "data:", "/")):
        return None
    path, _, frag = url.partition("#")
    if not path.lower().endswith((".md", ".markdown")):
        return None
    joined = PurePosixPath(current_file).parent / unquote(path)
    parts: list[str] = []
    for part in joined.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts), unquote(frag)


def _resolve(wanted: tuple[str, str], ctx: LinkContext, table: IdTable,
             label: str) -> Target | None:
    file, frag = wanted
    if file:
        return _resolve_file(file, frag, ctx, table)
    return resolve_fragment(frag, ctx, table, label)


def _resolve_file(file: str, frag: str, ctx: LinkContext, table: IdTable) -> Target | None:
    if frag:
        return resolve_fragment(frag, ctx, table, frag)
    term = table.files.get(file)
    if term is None:
        ctx.add(dg.LINK_BROKEN, f"link to „{file}“, which is not a source file",
                "link to the term's id instead: [Label](#Id)")
        return None
    kind = "page" if term in table.pages else "term"
    ctx.add(dg.LINK_FILE, f"link to file „{file}“ resolved to its {kind} #{term}",
            f"write [Label](#{term}) to link it directly")
    return Target(term, "")


def resolve_fragment(frag: str, ctx: LinkContext, table: IdTable, label: str) -> Target | None:
    """Exact id, Index, local section, alias, then a unique case-insensitive match."""
    if not frag:
        _empty(ctx, table, label)
        return None
    if frag == INDEX_ID:
        return Target(INDEX_ID, "")
    if frag in table.ids:
        return Target(frag, "")
    if frag in ctx.local:
        return Target(ctx.term_id, ctx.local[frag])
    if frag in table.aliases:
        term = table.aliases[frag]
        ctx.add(dg.LINK_ALIAS, f"#{frag} is an alias of #{term}", f"write (#{term})")
        return Target(term, "")
    sections = table.sections.get(frag, [])
    if len(sections) == 1:
        return Target(*sections[0])
    if sections:
        ctx.add(dg.LINK_BROKEN, f"link „{label}“ to #{frag}: several terms have a section with this "
                f"id (published as plain text)",
                "link one of them: " + " or ".join(f"(#{anchor})" for _, anchor in sections))
        return None
    folded = frag.casefold()
    if folded == INDEX_ID.casefold():
        return _case_mismatch(ctx, frag, INDEX_ID)
    candidates = table.folded.get(folded, [])
    if len(candidates) == 1:
        return _case_mismatch(ctx, frag, candidates[0])
    if candidates:
        hint = "ambiguous by case: " + ", ".join(f"#{a}" for a in candidates)
    else:
        close = table.suggestions(frag)
        hint = ("did you mean " + " or ".join(f"#{c}" for c in close) + "?") if close else (
            f"write the entry #{frag} or remove the link")
        hint += "".join(f" ({difference(frag, c)})" for c in close if look_alike(frag, c))
    ctx.add(dg.LINK_BROKEN,
            f"link „{label}“ to #{frag}: no term has this id (published as plain text)", hint)
    return None


def _empty(ctx: LinkContext, table: IdTable, label: str) -> None:
    close = table.suggestions(label) if label else []
    hint = (("did you mean " + " or ".join(f"(#{c})" for c in close) + "?") if close else
            f"write the id of the term it should lead to: [{label}](#Id)")
    ctx.add(dg.LINK_BROKEN, f"link „{label}“ has an empty target (#) (published as plain text)", hint)


def _case_mismatch(ctx: LinkContext, frag: str, term: str) -> Target:
    ctx.add(dg.LINK_CASE, f"link #{frag} differs from id #{term} only in case; resolved",
            f"write (#{term})")
    return Target(term, "")
