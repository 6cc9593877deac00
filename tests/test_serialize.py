"""aigraph's results writers (which cap and stream answers, aigraph.serialize) must say what
Oxigraph's own serialisers say: the same answer, read back by Oxigraph's parsers, for terms
that are easy to get wrong, whether written whole or in batches."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from aigraph.serialize import (
    JSONLD_COMPACTED,
    RDF_TYPE,
    SOLUTION_WRITERS,
    Row,
    SolutionWriter,
    serialize_graph,
    used_prefixes,
)

DATA = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:p "plain", "quote \\" and \\\\ backslash", "tab\\tnew\\nline\\rreturn",
     "Héloïse — ünïcode \\u2028 line separator", "cinéma"@fr, "Cinema"@en-GB,
     "3"^^xsd:integer, "2025-10-07"^^xsd:date, "x"^^ex:custom, "<b>&amp;</b>", "a,b;c" .
ex:a ex:q _:node .
_:node ex:p "in a blank node" .
<http://example.org/é?q=1&r=2#f> ex:p "an IRI with a query, a fragment and é" .
ex:a ex:r <<( ex:b ex:p "triple term"@fr )>>, <<( ex:b ex:p <<( ex:c ex:p "tab\tin" )>> )>> .
"""  # the last line: RDF 1.2 triple terms, which Oxigraph returns in answers
QUERY = """
SELECT ?s ?o ?missing WHERE {
  { ?s <http://example.org/p> ?o } UNION { ?s <http://example.org/q> ?o }
  UNION { ?s <http://example.org/r> ?o }
  OPTIONAL { ?s <http://example.org/none> ?missing }
} ORDER BY STR(?s) STR(?o)
"""
FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.load(DATA.encode(), format=ox.RdfFormat.TURTLE)
    return store


def written(writer: SolutionWriter, rows: list[Row], batch: int) -> bytes:
    parts = [writer.head()]
    parts += [writer.rows(rows[i : i + batch]) for i in range(0, len(rows), batch)]
    return b"".join([*parts, writer.tail()])


def solutions(body: bytes, fmt: ox.QueryResultsFormat) -> list[tuple[str | None, ...]]:
    results = ox.parse_query_results(body, format=fmt)
    assert isinstance(results, ox.QuerySolutions)
    return [tuple(None if t is None else str(t) for t in s) for s in results]


@pytest.mark.parametrize("media", FORMATS)
@pytest.mark.parametrize("batch", [1, 2, 1000])
def test_writers_say_what_oxigraph_says(store: ox.Store, media: str, batch: int) -> None:
    variables = ["s", "o", "missing"]
    rows: list[Row] = [list(s) for s in store.query(QUERY)]  # type: ignore[union-attr]
    assert len(rows) == 16
    ours = written(SOLUTION_WRITERS[media](variables), rows, batch)
    native = store.query(QUERY).serialize(format=FORMATS[media])  # type: ignore[union-attr]
    assert native is not None
    assert solutions(ours, FORMATS[media]) == solutions(native, FORMATS[media])


@pytest.mark.parametrize("batch", [1, 1000])
def test_csv_says_what_oxigraph_says(store: ox.Store, batch: int) -> None:
    rows: list[Row] = [list(s) for s in store.query(QUERY)]  # type: ignore[union-attr]
    ours = written(SOLUTION_WRITERS["text/csv"](["s", "o", "missing"]), rows, batch)
    native = store.query(QUERY).serialize(format=ox.QueryResultsFormat.CSV)  # type: ignore[union-attr]
    assert native is not None

    def read(body: bytes) -> list[list[str]]:
        return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))

    assert read(ours) == read(native)


@pytest.mark.parametrize("media", [*FORMATS, "text/csv"])
def test_an_empty_answer(media: str) -> None:
    body = written(SOLUTION_WRITERS[media](["x"]), [], 10)
    if media == "text/csv":
        assert body == b"x\r\n"
    else:
        assert solutions(body, FORMATS[media]) == []


XSD = "http://www.w3.org/2001/XMLSchema#"
EX = ox.NamedNode("https://example.org/a")


@pytest.mark.parametrize(
    "obj,predicate,declared",
    [
        # rdf:type is written `a`, an integer and a language-tagged string bare
        (ox.NamedNode("http://schema.org/Person"), RDF_TYPE, {"schema", "ex"}),
        (ox.Literal("3", datatype=ox.NamedNode(XSD + "integer")), "https://example.org/p", {"ex"}),
        (ox.Literal("mot", language="fr"), "https://example.org/p", {"ex"}),
        # a date needs xsd: for its datatype
        (
            ox.Literal("2025-10-07", datatype=ox.NamedNode(XSD + "date")),
            "https://example.org/p",
            {"ex", "xsd"},
        ),
        # rdf: is kept when an rdf: term is written out
        (
            ox.NamedNode("https://example.org/b"),
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject",
            {"ex", "rdf"},
        ),
    ],
)
def test_only_the_prefixes_a_document_writes_are_declared(
    obj: ox.Literal | ox.NamedNode, predicate: str, declared: set[str]
) -> None:
    prefixes = {
        "ex": "https://example.org/",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "schema": "http://schema.org/",
        "xsd": XSD,
        "skos": "http://www.w3.org/2004/02/skos/core#",
    }
    triple = ox.Triple(EX, ox.NamedNode(predicate), obj)
    assert set(used_prefixes([triple], prefixes)) == declared
    text = serialize_graph([triple], "text/turtle", prefixes).decode()
    assert {line.split()[1][:-1] for line in text.splitlines() if line.startswith("@prefix")} == (
        declared
    )
    assert {q.triple for q in ox.parse(text, format=ox.RdfFormat.TURTLE)} == {triple}


def test_a_subjects_triples_are_one_block_with_the_first_subject_first() -> None:
    b = ox.NamedNode("https://example.org/b")
    name = ox.NamedNode("http://schema.org/name")
    kind = ox.NamedNode(RDF_TYPE)
    triples = [
        ox.Triple(EX, name, ox.Literal("a")),
        ox.Triple(b, name, ox.Literal("b")),
        ox.Triple(EX, kind, ox.NamedNode("http://schema.org/Thing")),
        ox.Triple(b, kind, ox.NamedNode("http://schema.org/Thing")),
    ]
    text = serialize_graph(triples, "text/turtle", {"schema": "http://schema.org/"}, first=b.value)
    body = [line for line in text.decode().splitlines() if not line.startswith("@")]
    assert body == [
        "<https://example.org/b> a schema:Thing ;",
        '\tschema:name "b" .',
        "<https://example.org/a> a schema:Thing ;",
        '\tschema:name "a" .',
    ]


def test_compacted_json_ld_puts_classes_under_type_and_keeps_every_triple() -> None:
    """Oxigraph writes classes as rdf:type values; compacted, they are the context's `type`
    (JSON-LD 1.1 Processing Algorithms §8.4, useRdfType false), with the context's terms for
    classes and properties; a literal rdf:type value, which @type cannot hold, stays."""
    person = ox.NamedNode("https://example.org/p")
    triples = [
        ox.Triple(person, ox.NamedNode(RDF_TYPE), ox.NamedNode("http://schema.org/Person")),
        ox.Triple(person, ox.NamedNode(RDF_TYPE), ox.NamedNode("https://example.org/Other")),
        ox.Triple(person, ox.NamedNode(RDF_TYPE), ox.Literal("odd")),
        ox.Triple(person, ox.NamedNode("http://schema.org/name"), ox.Literal("P", language="fr")),
    ]
    body = serialize_graph(triples, JSONLD_COMPACTED)
    document = json.loads(body)
    assert isinstance(document["@context"], dict)  # inline: read with no fetch
    node = {k: v for k, v in document.items() if k != "@context"}
    assert node["id"] == person.value
    assert sorted(node["type"]) == ["Person", "https://example.org/Other"]
    assert node["name"] == {"@language": "fr", "@value": "P"}
    assert node[RDF_TYPE] == "odd"
    assert {q.triple for q in ox.parse(body, format=ox.RdfFormat.JSON_LD)} == set(triples)
