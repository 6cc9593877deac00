"""A query with an undeclared prefix is told which prefix, and what to declare, where the
parser listed every character it expected (aigraph.parse_errors), by the endpoint, the
editor's page and the CLI alike."""

from __future__ import annotations

import html

import httpx
import pyoxigraph as ox
import pytest

from aigraph.namespaces import PREFIXES, data_prefixes
from aigraph.parse_errors import explain, undeclared_prefix

KNOWN = {**PREFIXES, **data_prefixes()}


def parser_says(query: str) -> str:
    """What Oxigraph's parser says of `query` (the tests read its real messages)."""
    try:
        ox.Store().query(query)
    except SyntaxError as exc:
        return str(exc)
    raise AssertionError(f"parses: {query!r}")


@pytest.mark.parametrize(
    ("query", "prefix", "said"),
    [
        (
            "SELECT * WHERE { ?p a schema:Person } LIMIT 1",
            "schema",
            "error at 1:36: the prefix schema: is not declared; "
            "add PREFIX schema: <http://schema.org/> before the query",
        ),
        # the data's own prefixes, as the tables write them; on a later line
        (
            "SELECT * WHERE {\n  ?s a aig:Session ;\n     aig:participation/aig:agent person:x }",
            "aig",
            "error at 2:19: the prefix aig: is not declared; "
            "add PREFIX aig: <https://w3id.org/aigraph/ns#> before the query",
        ),
        (
            "PREFIX aig: <https://w3id.org/aigraph/ns#>\nSELECT * { ?x aig:agent person:lou }",
            "person",
            "error at 2:35: the prefix person: is not declared; "
            "add PREFIX person: <https://w3id.org/aigraph/id/person/> before the query",
        ),
        # a prefix nobody knows, and the empty one
        (
            'SELECT * WHERE { ?p foo:name "é" }',
            "foo",
            "error at 1:29: the prefix foo: is not declared; declare it "
            "(PREFIX foo: <namespace IRI>) or write the full IRI in angle brackets",
        ),
        (
            "SELECT * WHERE { ?p a :Person }",
            "",
            "error at 1:30: the prefix : is not declared; declare it "
            "(PREFIX : <namespace IRI>) or write the full IRI in angle brackets",
        ),
        # characters before it are counted as characters, not bytes
        (
            'SELECT * WHERE { ?p <http://schema.org/name> "éééé" . ?p a skos:Concept }',
            "skos",
            "error at 1:72: the prefix skos: is not declared; "
            "add PREFIX skos: <http://www.w3.org/2004/02/skos/core#> before the query",
        ),
    ],
)
def test_an_undeclared_prefix_is_named_with_its_declaration(
    query: str, prefix: str, said: str
) -> None:
    message = parser_says(query)
    assert undeclared_prefix(query, message) == prefix
    assert explain(query, message, KNOWN) == said


@pytest.mark.parametrize(
    "query",
    ["SELECT * WHERE {\n  ?s ?p }", "SELECT * WHERE { ?s ?p ?o } LIMIT x", "ASK { ?s é:x ?o }"],
)
def test_another_error_is_left_as_the_parser_says_it(query: str) -> None:
    message = parser_says(query)
    assert undeclared_prefix(query, message) is None
    assert explain(query, message, KNOWN) == message


QUERY = "SELECT ?name WHERE { ?p a schema:Person ; schema:name ?name }"
SAID = (
    "error at 1:40: the prefix schema: is not declared; "
    "add PREFIX schema: <http://schema.org/> before the query"
)


def test_the_endpoint_says_which_prefix(server: str) -> None:
    response = httpx.post(server + "sparql", data={"query": QUERY})
    assert response.status_code == 400
    assert response.text.strip() == f"The query does not parse: {SAID}"


def test_the_editors_page_says_which_prefix_beside_the_query(server: str) -> None:
    page = httpx.get(server + "query", params={"query": QUERY}, headers={"Accept": "text/html"})
    assert page.status_code == 400
    assert SAID in html.unescape(page.text)
