"""Advice before a query runs (aigraph.lint): parts of a pattern that share no variable. The
editor shows it as the query is typed (tests/test_ui.py); over HTTP at /ui/advice.json."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aigraph.catalogue import CatalogueQuery
from aigraph.lint import MAX_CHARS, cross_products

S = "PREFIX s: <http://schema.org/>\n"


@pytest.mark.parametrize(
    ("where", "parts"),
    [
        # joined: a subject's property list, a shared variable, a path
        ("?a a s:Person ; s:name ?n", []),
        ("?a s:worksFor/s:name ?o . ?a s:name ?n", []),
        # two sets that share nothing: every pairing
        ("?a a s:Person ; s:name ?n . ?b a s:Organization", [[["?a", "?n"], ["?b"]]]),
        ("?a a s:Person . ?b ?p ?o . ?c s:name 'x'", [[["?a"], ["?b", "?p", "?o"], ["?c"]]]),
        # a FILTER or BIND that mentions both joins them (the pairing is meant)
        ("?a a s:Person . ?b a s:Organization . FILTER(?a = ?b)", []),
        ("?a s:p ?b . ?c s:r ?d . BIND(CONCAT(?b, ?d) AS ?e)", []),
        # blank nodes: a label shared joins, two [] do not
        ("_:x s:p ?a . _:x s:q ?b", []),
        ("[] s:x ?c . ?c s:y ?d", []),
        ("[] s:x ?c . [] s:y ?d", [[["[]", "?c"], ["[]", "?d"]]]),
        # a pattern of constants, VALUES, MINUS give no rows of their own to pair
        ("<http://x> a s:Person . ?a a s:Person", []),
        ("VALUES ?x { 1 2 } ?a a s:Person", []),
        ("?a s:k ?k MINUS { ?z s:y ?y }", []),
        # nested patterns: GRAPH's variable joins; an OPTIONAL, a UNION, a sub-query that
        # shares nothing pairs; and each nested group is advised on by itself
        ("GRAPH ?g { ?a ?p ?b } ?g s:date ?d", []),
        ("?a s:k ?k OPTIONAL { ?z s:y ?y }", [[["?a", "?k"], ["?z", "?y"]]]),
        ("{ ?u ?p ?o } UNION { ?u ?q ?o } ?u a s:P", []),
        ("{ SELECT ?a { ?a a s:Person } } ?b a s:Organization", [[["?a"], ["?b"]]]),
        ("?a s:k ?k OPTIONAL { ?a s:w ?w . ?z s:y ?y }", [[["?a", "?w"], ["?z", "?y"]]]),
    ],
)
def test_parts_that_share_no_variable(where: str, parts: list[list[list[str]]]) -> None:
    found = cross_products(f"{S}SELECT * WHERE {{ {where} }}")
    assert [[list(p) for p in each.parts] for each in found] == parts


@pytest.mark.parametrize(
    "form",
    [
        "SELECT (COUNT(*) AS ?n) WHERE",  # counting pairs is the classic case
        "CONSTRUCT { ?a s:x ?b } WHERE",
        "DESCRIBE ?a ?b WHERE",
        "ASK",
    ],
)
def test_every_query_form_is_advised_on(form: str) -> None:
    found = cross_products(f"{S}{form} {{ ?a a s:Person . ?b a s:Organization }}")
    assert [each.parts for each in found] == [(("?a",), ("?b",))]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?a a ?b . ?c a ?d ",  # a syntax error: the server says it
        "SELECT * WHERE { ?a ?b <<( ?c ?d ?e )>> . ?f ?g ?h }",  # SPARQL 1.2: not read
        "SELECT * WHERE { ?a a ?b . ?c a ?d } #" + "x" * MAX_CHARS,  # too long to advise on
        "INSERT DATA { <a:b> <a:c> <a:d> }",  # not a query
        "",
    ],
)
def test_no_advice_where_the_query_cannot_be_read(text: str) -> None:
    assert cross_products(text) == []


def test_the_catalogue_gets_no_advice(catalogue: dict[str, CatalogueQuery]) -> None:
    """The researcher queries join everything they ask for: a warning on one would be a
    false alarm."""
    assert {name: cross_products(q.text) for name, q in catalogue.items()} == {
        name: [] for name in catalogue
    }


def test_advice_over_http_in_the_pages_language(server: str) -> None:
    query = f"{S}SELECT * WHERE {{ ?a a s:Person . ?b a s:Organization }}"
    english = httpx.get(server + "ui/advice.json", params={"query": query, "lang": "en"})
    (advice,) = english.json()["advice"]
    assert advice["kind"] == "cross-product" and advice["parts"] == [["?a"], ["?b"]]
    assert advice["message"].startswith(
        "These parts of the pattern share no variable: {?a} × {?b}."
    )
    french = httpx.get(server + "ui/advice.json", params={"query": query, "lang": "fr"})
    assert french.json()["advice"][0]["message"].startswith("Ces parties du motif")
    joined = f"{S}SELECT * WHERE {{ ?a a s:Person ; s:name ?n }}"
    assert httpx.get(server + "ui/advice.json", params={"query": joined}).json() == {"advice": []}
    missing = httpx.get(server + "ui/advice.json")
    assert missing.status_code == 400 and "query" in missing.text
    # without JavaScript, the editor's page gives the advice on its query
    page = httpx.get(server + "query", params={"query": query, "lang": "en"}).text
    assert '<p class="warning">These parts of the pattern share no variable: {?a} × {?b}.' in page


TOKENS = ["{", "}", "(", ")", ".", ";", ",", "?a", "?b", "_:x", "[]", "[", "]", "<urn:x>",
          "a", "'x'", "1", "OPTIONAL", "UNION", "MINUS", "GRAPH", "FILTER", "BIND", "AS",
          "VALUES", "SELECT", "*", "WHERE", "=", "/", "|", "^", "!"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_advice_never_fails(tokens: list[str]) -> None:
    """Whatever the text, the advice is a list (empty where it cannot be read): the editor
    asks for it at every pause in typing, half-written queries included."""
    for text in (" ".join(tokens), "SELECT * WHERE { " + " ".join(tokens) + " }"):
        found = cross_products(text)
        assert isinstance(found, list)
        assert all(len(each.parts) >= 2 for each in found)
