"""The glossary as data: `--format json` against its shipped JSON Schema (jsonschema) and the
book it was made from; `--format skos` read back by rdflib: one skos:Concept per term."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import build_into, fixture_path
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from pipeline import diagnostics as dg
from pipeline import read_book
from pipeline.formats import skos
from pipeline.formats.common import plaintext
from pipeline.formats.jsondata import FORMAT_VERSION, SCHEMA_PATH
from pipeline.model import Book

REFERENCE = fixture_path("reference")  # base-url = "https://example.org/werkstatt/"
BASE = "https://example.org/werkstatt/"


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    outputs, report = build_into(REFERENCE, tmp_path_factory.mktemp("reference-data"), "json", "skos", "html")
    assert not report.errors, [dg.format_text(d) for d in report.errors]
    return outputs


@pytest.fixture(scope="module")
def reference_book() -> Book:
    return read_book(REFERENCE, dg.Report())


def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


# --- json ------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["demo", "reference"])
def test_json_validates_against_its_schema(which: str, demo_outputs: Callable[[str], Path],
                                           reference: dict[str, Path]) -> None:
    path = demo_outputs("json") if which == "demo" else reference["json"]
    data = load(path)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(data)]
    assert errors == []
    assert data["format_version"] == FORMAT_VERSION and data["$schema"] == json.loads(
        SCHEMA_PATH.read_text(encoding="utf-8"))["$id"]


@pytest.mark.parametrize("break_it", [
    lambda d: d["terms"]["Kolben"].pop("title"),
    lambda d: d["terms"]["Kolben"].update(aliases="Alter-Kolben"),
    lambda d: d["terms"]["Kolben"]["definition"].update(extra=1),
    lambda d: d.update(format_version="1"),
    lambda d: d["book"].pop("language"),
])
def test_the_schema_rejects_a_changed_document(break_it: Callable[[dict[str, Any]], object],
                                               reference: dict[str, Path]) -> None:
    data = copy.deepcopy(load(reference["json"]))
    break_it(data)
    assert list(validator().iter_errors(data)) != []


def test_json_says_what_the_book_says(reference: dict[str, Path], reference_book: Book) -> None:
    data = load(reference["json"])
    assert data["book"]["title"] == "Werkstatt-Glossar" and data["book"]["base_url"] == BASE
    assert list(data["terms"]) == [t.id for t in reference_book.terms]  # book order
    for term in reference_book.terms:
        got = data["terms"][term.id]
        assert got["title"] == term.title_text and got["aliases"] == list(term.aliases)
        assert got["tagline"] == plaintext.tagline(term) and got["letter"] == term.letter
        assert got["definition"]["text"] == plaintext.definition_text(term)
        assert got["referenced_by"] == list(term.refs_in) and got["links_to"] == list(term.refs_out)
        assert [s["term"] for s in got["see_also"]] == [s.target for s in term.see_also]
        assert got["source"]["file"] == term.source.file
        # the site address is where the site built from the same book has the page
        assert got["url"].startswith(BASE)
        assert (reference["html"] / got["url"].removeprefix(BASE)).is_file()
    kolben = data["terms"]["Kolben"]
    assert f'href="{BASE}terms/Zylinder.html"' in kolben["definition"]["html"]
    assert "<strong>Kolben</strong>" in kolben["definition"]["html"]
    assert data["terms"]["Zylinder"]["referenced_by"] == ["Kolben"]
    spitze = data["terms"]["Spitze"]
    assert spitze["title"] == "Spitze <img src=x onerror=alert(1)> Klammern"  # text, as written
    assert "<img" not in spitze["title_html"] and "&lt;img" in spitze["title_html"]


def test_json_without_base_url_gives_site_relative_addresses(demo_outputs: Callable[[str], Path],
                                                             demo_book: Book) -> None:
    data = load(demo_outputs("json"))
    assert data["book"]["base_url"] == "" and data["book"]["site_url"] == "index.html"
    assert data["terms"]["Öffentlicher-Schlüssel"]["url"] == "terms/Oeffentlicher-Schluessel.html"
    rsa = data["terms"]["RSA"]
    assert 'href="terms/Digitale-Signatur.html"' in rsa["definition"]["html"]
    assert [s["id"] for s in rsa["sections"]] == [s.id for s in demo_book.term("RSA").sections]


# --- skos ------------------------------------------------------------------------------------

def parsed(path: Path) -> Graph:
    g = Graph()
    g.parse(path, format="turtle")
    return g


def test_skos_has_one_concept_per_term(reference: dict[str, Path], reference_book: Book) -> None:
    g = parsed(reference["skos"])
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == len(reference_book.terms)
    schemes = list(g.subjects(RDF.type, SKOS.ConceptScheme))
    assert schemes == [URIRef(BASE)]
    for term in reference_book.terms:
        c = URIRef(next(iter(g.subjects(SKOS.notation, Literal(term.id)))))
        assert c in concepts and str(c).startswith(BASE + "terms/")
        assert list(g.objects(c, SKOS.prefLabel)) == [Literal(term.title_text, lang="de")]
        assert set(g.objects(c, SKOS.altLabel)) == {Literal(a, lang="de") for a in term.aliases}
        assert (c, SKOS.inScheme, URIRef(BASE)) in g and (URIRef(BASE), SKOS.hasTopConcept, c) in g
        related = {str(o) for o in g.objects(c, SKOS.related)}
        wanted = {t.target for t in term.see_also if t.target and t.target != term.id}
        assert len(related) == len(wanted) and related <= {str(x) for x in concepts}
    kolben = URIRef(BASE + "terms/Kolben.html")
    assert (kolben, SKOS.related, URIRef(BASE + "terms/Zylinder.html")) in g
    definition = next(iter(g.objects(kolben, SKOS.definition)))
    assert isinstance(definition, Literal) and definition.language == "de"
    assert str(definition).startswith("Ein Kolben gleitet in einem Zylinder")


def test_skos_of_the_demo_hangs_off_the_book_identifier(demo_outputs: Callable[[str], Path],
                                                        demo_book: Book) -> None:
    g = parsed(demo_outputs("skos"))
    ident = demo_book.config.identifier
    assert list(g.subjects(RDF.type, SKOS.ConceptScheme)) == [URIRef(ident)]
    assert len(set(g.subjects(RDF.type, SKOS.Concept))) == len(demo_book.terms)
    assert (URIRef(f"{ident}#RSA"), SKOS.prefLabel, Literal("RSA", lang="de")) in g


def test_skos_check_finds_a_graph_that_is_not_the_book(reference_book: Book) -> None:
    good = skos.graph(reference_book).serialize(format="turtle")
    assert skos.check(good, reference_book) == []
    g = Graph()
    g.parse(data=good, format="turtle")
    g.remove((URIRef(BASE + "terms/Pleuel.html"), RDF.type, SKOS.Concept))
    assert any("concepts for" in p for p in skos.check(g.serialize(format="turtle"), reference_book))
    assert skos.check("this is not turtle", reference_book)[0].startswith("the Turtle does not parse")


def test_data_formats_are_byte_identical_across_processes(tmp_path: Path) -> None:
    """rdflib and dict order must not depend on the process's hash seed."""
    digests = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1764374400"}
        subprocess.run([sys.executable, "-m", "pipeline.cli", "build", str(REFERENCE), "--out", str(out),
                        "--format", "json,skos", "--no-cache", "-q"], check=True, env=env)
        digests.append([(out / f"werkstatt-glossar.{ext}").read_bytes() for ext in ("json", "ttl")])
    assert digests[0] == digests[1]
