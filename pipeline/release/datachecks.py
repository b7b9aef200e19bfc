"""Validation of the glossary as data: the JSON document against its shipped schema
(jsonschema), the SKOS Turtle read back by rdflib, each against the book it was made from."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from ..formats.jsondata import SCHEMA_PATH
from ..model import Book
from .checks import Checked


def check_json(path: Path, book: Book) -> Checked:
    """The document validates against `glossary-1.schema.json` and holds every term once."""
    import jsonschema  # the release extra; only the release validates

    out = Checked("json", path.name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        out.fail(f"not JSON: {exc}", "rebuild the JSON")
        return out
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))[:20]:
        where = "/".join(str(p) for p in error.absolute_path)
        out.fail(f"does not match its schema at /{where}: {error.message}", "rebuild the JSON")
    terms = data.get("terms", {}) if isinstance(data, dict) else {}
    out.counts["terms"] = len(terms)
    if list(terms) != [t.id for t in book.terms]:
        out.fail(
            f"{len(terms)} terms for the book's {len(book.terms)}, or not in book order", "rebuild the JSON"
        )
    return out


def check_skos(path: Path, book: Book) -> Checked:
    """The Turtle parses; one skos:Concept per term, one ConceptScheme."""
    out = Checked("skos", path.name)
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises its parsers' own error types
        out.fail(f"the Turtle does not parse: {exc}", "rebuild the SKOS")
        return out
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    out.counts.update(concepts=len(concepts), triples=len(graph))
    if len(concepts) != len(book.terms):
        out.fail(f"{len(concepts)} concepts for the book's {len(book.terms)} terms", "rebuild the SKOS")
    if len(set(graph.subjects(RDF.type, SKOS.ConceptScheme))) != 1:
        out.fail("not exactly one skos:ConceptScheme", "rebuild the SKOS")
    return out
