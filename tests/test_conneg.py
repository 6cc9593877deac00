"""Content negotiation (RFC 9110 §12.5.1), table-driven: Accept header → chosen format."""

from __future__ import annotations

import pytest

from aigraph.server.conneg import AcceptHeaderError, negotiate, parse_accept
from aigraph.server.formats import OFFERS, choose
from aigraph.server.protocol import ProtocolError

RESULTS = OFFERS["solutions"]
GRAPH = OFFERS["graph"]
JSONLD = "application/ld+json"
COMPACTED = 'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"'

CASES = [
    # (accept, offers, expected)
    (None, RESULTS, "application/sparql-results+json"),
    ("", RESULTS, "application/sparql-results+json"),
    ("*/*", RESULTS, "application/sparql-results+json"),
    ("*/*", GRAPH, "text/turtle"),
    ("text/csv", RESULTS, "text/csv"),
    ("text/tab-separated-values", RESULTS, "text/tab-separated-values"),
    ("application/sparql-results+xml", RESULTS, "application/sparql-results+xml"),
    ("application/json", RESULTS, "application/json"),
    # q-values
    ("text/csv;q=0.5, application/sparql-results+xml", RESULTS, "application/sparql-results+xml"),
    ("text/csv;q=0.9, application/sparql-results+xml;q=0.1", RESULTS, "text/csv"),
    ("text/csv;q=0", RESULTS, None),
    ("application/sparql-results+json;q=0, */*;q=0.1", RESULTS, "application/sparql-results+xml"),
    # wildcards, and the most specific range wins
    ("text/*", RESULTS, "text/csv"),
    ("text/*;q=0.1, text/tab-separated-values", RESULTS, "text/tab-separated-values"),
    ("text/*, text/csv;q=0", RESULTS, "text/tab-separated-values"),
    ("application/*", GRAPH, "application/ld+json"),
    # several types in one Accept, one of which is for another kind of answer
    ("application/sparql-results+json,text/turtle", RESULTS, "application/sparql-results+json"),
    ("application/sparql-results+json,text/turtle", GRAPH, "text/turtle"),
    ("application/sparql-results+json, text/turtle;q=0.9", GRAPH, "text/turtle"),
    # nothing acceptable: None (the server answers 406, never a silent fallback)
    ("text/turtle", RESULTS, None),
    ("application/sparql-results+json", GRAPH, None),
    ("image/png", GRAPH, None),
    # parameters: charset=utf-8 matches, others must match exactly
    ("text/turtle;charset=utf-8", GRAPH, "text/turtle"),
    ("text/turtle;charset=UTF-8;q=0.8", GRAPH, "text/turtle"),
    # JSON-LD's profiles (JSON-LD 1.1 §9.4): plain JSON-LD is the expanded form; the
    # compacted form only for a client that names it
    ("application/ld+json", GRAPH, JSONLD),
    ("application/*", GRAPH, JSONLD),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"', GRAPH, JSONLD),
    (
        'application/ld+json;profile="http://www.w3.org/ns/json-ld#flattened '
        'http://www.w3.org/ns/json-ld#expanded"',
        GRAPH,
        JSONLD,
    ),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', GRAPH, COMPACTED),
    (
        'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted", */*;q=0.1',
        GRAPH,
        COMPACTED,
    ),
    (
        'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted";q=0.5, '
        "application/ld+json",
        GRAPH,
        JSONLD,
    ),
    (
        'application/ld+json;profile="http://www.w3.org/ns/json-ld#flattened '
        'http://www.w3.org/ns/json-ld#compacted"',
        GRAPH,
        COMPACTED,
    ),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#flattened"', GRAPH, None),
    (
        'application/ld+json;profile="http://www.w3.org/ns/json-ld#flattened", */*;q=0.1',
        GRAPH,
        "text/turtle",
    ),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', RESULTS, None),
    ("application/ld+json;foo=bar", GRAPH, None),
    # case-insensitive types, spaces, empty list elements
    ("TEXT/CSV", RESULTS, "text/csv"),
    (" text/csv ;  q=1 ,, ", RESULTS, "text/csv"),
    # ties: the server's order
    ("text/csv, text/tab-separated-values", RESULTS, "text/csv"),
    ("text/tab-separated-values, text/csv", RESULTS, "text/csv"),
    # a browser
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", RESULTS, "application/xml"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", GRAPH, "text/turtle"),
]


@pytest.mark.parametrize("accept,offers,expected", CASES)
def test_negotiate(accept: str | None, offers: list[str], expected: str | None) -> None:
    assert negotiate(accept, offers) == expected


@pytest.mark.parametrize(
    "header", ["text", "text/csv;q=abc", "text/csv;q=2", "*/csv", "/csv", "text/csv;bad"]
)
def test_malformed_accept_is_an_error(header: str) -> None:
    with pytest.raises(AcceptHeaderError):
        parse_accept(header)


@pytest.mark.parametrize(
    "kind,fmt,expected",
    [
        ("solutions", "csv", "text/csv"),
        ("solutions", "TSV", "text/tab-separated-values"),
        ("solutions", "xml", "application/sparql-results+xml"),
        ("graph", "xml", "application/rdf+xml"),
        ("graph", "jsonld", "application/ld+json"),
        ("graph", "jsonld-compacted", COMPACTED),
        ("graph", "nt", "application/n-triples"),
        ("graph", "application/trig", "application/trig"),
    ],
)
def test_format_parameter_overrides_accept(kind: str, fmt: str, expected: str) -> None:
    assert choose(kind, "image/png", fmt) == expected


@pytest.mark.parametrize(
    "kind,fmt,status,words",
    [
        ("boolean", "csv", 406, "available: application/sparql-results+json"),
        ("graph", "csv", 406, "available: text/turtle"),
        ("solutions", "turtle", 406, "text/csv, text/tab-separated-values"),
        ("solutions", "docx", 400, "unknown format 'docx'; known: csv"),
    ],
)
def test_format_parameter_errors(kind: str, fmt: str, status: int, words: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        choose(kind, None, fmt)
    assert caught.value.status == status
    assert words in caught.value.message


def test_unacceptable_accept_is_406_naming_what_is_available() -> None:
    with pytest.raises(ProtocolError) as caught:
        choose("solutions", "text/turtle", None)
    assert caught.value.status == 406
    assert "text/csv" in caught.value.message and "text/turtle" in caught.value.message
