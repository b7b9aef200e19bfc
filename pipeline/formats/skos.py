"""`skos`: the glossary as a SKOS vocabulary in Turtle, made and read back with rdflib.

`<slug>.ttl` holds one `skos:ConceptScheme` for the book and one `skos:Concept` per term:
`skos:prefLabel` (the title) and `skos:altLabel` (each alias) in the book's language,
`skos:definition` (the definition as plain text), `skos:scopeNote` (the tagline),
`skos:notation` (the term id), `skos:related` (each see-also term) and `skos:inScheme` /
`skos:topConceptOf` (the glossary is flat). With `base-url` the concepts are the addresses of
their site pages (the scheme is the site); without it they hang off the book's identifier
(`urn:uuid:…#RSA`). The written file is parsed again and checked before it is kept: one concept
per term, one prefLabel each, every related concept present.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from .. import diagnostics as dg
from .common import plaintext
from .common.termdata import SiteAddresses

if TYPE_CHECKING:
    from ..model import Book
    from .context import BuildContext


def build(book: Book, out_dir: Path, ctx: BuildContext) -> Path:
    """Write `<slug>.ttl`."""
    path = out_dir / f"{book.config.slug}.ttl"
    data: str = graph(book).serialize(format="turtle")
    problems = check(data, book)
    for problem in problems:
        ctx.report.add(dg.make(dg.OUTPUT_INVALID, path.name, 0, 0, f"SKOS: {problem}",
                               "report this as a bug in the skos format"))
    with ctx.output(path) as tmp:
        tmp.write_text(data, encoding="utf-8", newline="\n")
    return path


def scheme_iri(book: Book) -> str:
    """The scheme: the site's address, else the book's identifier if it is an IRI, else a URN."""
    c = book.config
    if c.base_url:
        return c.base_url
    if ":" in c.identifier and not any(ch.isspace() for ch in c.identifier):
        return c.identifier
    return f"urn:glossary:{quote(c.slug, safe='')}"


def concept_iri(book: Book, site: SiteAddresses, term_id: str) -> str:
    if book.config.base_url:
        return site.url(term_id)
    return f"{scheme_iri(book)}#{quote(term_id, safe='')}"


def graph(book: Book) -> Graph:
    """The book as an RDF graph."""
    site = SiteAddresses.of(book)
    lang = book.config.language
    g = Graph()
    g.bind("skos", SKOS)
    g.bind("dct", DCTERMS)
    scheme = URIRef(scheme_iri(book))
    c = book.config
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add((scheme, DCTERMS.title, Literal(c.title, lang=lang)))
    g.add((scheme, DCTERMS.language, Literal(lang)))
    for text, prop in ((c.description, DCTERMS.description), (c.license, DCTERMS.license),
                       (c.publisher, DCTERMS.publisher)):
        if text:
            g.add((scheme, prop, Literal(text, lang=lang)))
    for author in c.authors:
        g.add((scheme, DCTERMS.creator, Literal(author)))
    if c.date:
        g.add((scheme, DCTERMS.issued, Literal(c.date, datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))))
    for term in book.terms:
        concept = URIRef(concept_iri(book, site, term.id))
        g.add((concept, RDF.type, SKOS.Concept))
        g.add((concept, SKOS.inScheme, scheme))
        g.add((concept, SKOS.topConceptOf, scheme))
        g.add((scheme, SKOS.hasTopConcept, concept))
        g.add((concept, SKOS.notation, Literal(term.id)))
        g.add((concept, SKOS.prefLabel, Literal(term.title_text, lang=lang)))
        for alias in term.aliases:
            if alias != term.title_text:  # SKOS S13: a label is preferred or alternative, not both
                g.add((concept, SKOS.altLabel, Literal(alias, lang=lang)))
        definition = plaintext.definition_text(term)
        if definition:
            g.add((concept, SKOS.definition, Literal(definition, lang=lang)))
        tagline = plaintext.tagline(term)
        if tagline:
            g.add((concept, SKOS.scopeNote, Literal(tagline, lang=lang)))
        for item in term.see_also:
            if item.target and item.target in book and item.target != term.id:
                g.add((concept, SKOS.related, URIRef(concept_iri(book, site, item.target))))
    return g


def check(turtle: str, book: Book) -> list[str]:
    """What is wrong with the written Turtle, read back by rdflib: [] when it is the book."""
    g = Graph()
    try:
        g.parse(data=turtle, format="turtle")
    except Exception as exc:  # rdflib raises its parsers' own error types
        return [f"the Turtle does not parse: {exc}"]
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    problems = []
    if len(concepts) != len(book.terms):
        problems.append(f"{len(concepts)} concepts for {len(book.terms)} terms")
    if len(set(g.subjects(RDF.type, SKOS.ConceptScheme))) != 1:
        problems.append("not exactly one concept scheme")
    lang = book.config.language
    for concept in sorted(concepts, key=str):
        labels = [o for o in g.objects(concept, SKOS.prefLabel)
                  if isinstance(o, Literal) and o.language == lang.lower()]
        if len(labels) != 1:
            problems.append(f"{concept} has {len(labels)} prefLabels in {lang}")
        problems += [f"{concept} is related to {other}, which is no concept"
                     for other in g.objects(concept, SKOS.related) if other not in concepts]
    return problems
