"""The SPARQL endpoint over real HTTP (uvicorn on a loopback port): the three ways to ask,
every format read back by an independent parser, errors, HEAD/OPTIONS, CORS, the Graph Store
read side, VoID, and independent clients (SPARQLWrapper, rdflib's SPARQLStore)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx
import pyoxigraph as ox
import pytest
from pydantic import SecretStr
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import RDF
from rdflib.query import Result

from aigraph.namespaces import SCHEMA, VOID
from aigraph.project import Project
from aigraph.server.settings import Settings
from support import read_triples, running_server

SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"
JARRE = "https://w3id.org/aigraph/id/person/jean-michel-jarre"


def get(server: str, query: str, accept: str | None = None, **params: str) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(
        server + "sparql", params={"query": query, **params}, headers=headers, timeout=30
    )


def post_form(server: str, query: str, accept: str | None = None) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.post(server + "sparql", data={"query": query}, headers=headers, timeout=30)


def post_direct(server: str, query: str, accept: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "application/sparql-query", **({"Accept": accept} if accept else {})}
    return httpx.post(server + "sparql", content=query.encode("utf-8"), headers=headers, timeout=30)


def query_direct(server: str, query: str, accept: str | None = None) -> httpx.Response:
    """The HTTP QUERY method (RFC 10008), carrying the query as a direct POST does."""
    headers = {"Content-Type": "application/sparql-query", **({"Accept": accept} if accept else {})}
    body = query.encode("utf-8")
    return httpx.request("QUERY", server + "sparql", content=body, headers=headers, timeout=30)


def query_form(server: str, query: str, accept: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    body = urlencode({"query": query}).encode("ascii")
    return httpx.request(
        "QUERY",
        server + "sparql",
        content=body,
        headers={**headers, **({"Accept": accept} if accept else {})},
        timeout=30,
    )


EQUIVALENCE = [
    'SELECT ("100%41" AS ?x) WHERE {}',  # a percent sign must not be decoded twice
    "SELECT ?s WHERE { VALUES ?s { <http://example.org/a%20b> } }",  # percent-encoded IRI
    'SELECT ?p WHERE { ?p <http://schema.org/name> "Héloïse Capiocca" }',  # non-ASCII
    'SELECT ("a+b c&d=e" AS ?x) WHERE {}',  # form metacharacters
    "SELECT ?name WHERE { ?p a <http://schema.org/Person> ; <http://schema.org/name> ?name } ORDER BY ?name",
]


@pytest.mark.parametrize("query", EQUIVALENCE)
def test_get_form_and_direct_post_answer_identically(server: str, query: str) -> None:
    # and the HTTP QUERY method, carrying either body
    asks = (get, post_form, post_direct, query_direct, query_form)
    answers = [ask(server, query).content for ask in asks]
    assert len(set(answers)) == 1, answers
    assert json.loads(answers[0])["results"]["bindings"], query


def test_the_query_method_is_a_safe_post(server: str) -> None:
    """RFC 10008: QUERY carries what a POST carries, but is safe. A query is answered (with a
    Location whose GET asks the same, and cacheable like a GET's); an update is refused; the
    endpoint says it takes QUERY, and what a QUERY may carry (Accept-Query)."""
    answer = query_direct(server, SELECT, "text/csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["cache-control"] == "public, max-age=60"
    again = httpx.get(answer.headers["location"], headers={"Accept": "text/csv"}, timeout=30)
    assert again.status_code == 200 and again.text == answer.text
    assert [row[1] for row in csv.reader(io.StringIO(answer.text))][1:] == NAMES
    # the dataset and the time limit go along in the Location
    form = urlencode({"query": "SELECT * { ?s ?p ?o } LIMIT 1", "timeout": "2",
                      "default-graph-uri": "urn:x:none"}).encode()  # fmt: skip
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    located = httpx.request("QUERY", server + "sparql", content=form, headers=headers)
    assert located.json()["results"]["bindings"] == []  # an empty default graph
    assert "default-graph-uri=urn%3Ax%3Anone" in located.headers["location"]
    assert "timeout=2" in located.headers["location"]
    # a query too long for a URL: answered, with no Location
    long_query = "ASK {}" + " " * 3000
    long_answer = query_direct(server, long_query)
    assert long_answer.json()["boolean"] is True and "location" not in long_answer.headers
    # what the endpoint takes
    options = httpx.options(server + "sparql")
    assert "QUERY" in options.headers["allow"].split(", ")
    accepted = {m.strip() for m in options.headers["accept-query"].split(",")}
    assert accepted == {"application/sparql-query", "application/x-www-form-urlencoded"}
    assert httpx.get(server + "sparql").headers["accept-query"] == options.headers["accept-query"]


@pytest.mark.parametrize(
    ("content_type", "body", "status", "says"),
    [
        # QUERY is safe (RFC 10008 §2): no update, in whichever body
        ("application/sparql-update", "CLEAR ALL", 415, "an update is sent by POST"),
        ("application/x-www-form-urlencoded", "update=CLEAR%20ALL", 400, "update is sent by POST"),
        ("application/sparql-query", "CLEAR ALL", 400, "send it by POST"),
        # a body of no query type, or no type at all
        ("text/plain", "ASK {}", 415, "this one: text/plain"),
        (None, "ASK {}", 415, "this one: no Content-Type"),
        ("application/x-www-form-urlencoded", "nothing=here", 400, "exactly one of"),
    ],
)
def test_the_query_method_refuses_what_is_not_a_query(
    server: str, content_type: str | None, body: str, status: int, says: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = httpx.request(
        "QUERY", server + "sparql", content=body.encode(), headers=headers, timeout=30
    )
    assert response.status_code == status and says in response.text, response.text
    if status == 415:
        assert response.headers["accept-query"].startswith("application/sparql-query")


def test_a_sparql_1_2_version_announcement_is_taken_once(server: str) -> None:
    """SPARQL 1.2 Protocol (editor's draft): `version` 0 or 1 times, as a parameter or as
    application/sparql-query's media-type parameter."""
    assert get(server, "ASK {}", version="1.2").json()["boolean"] is True
    twice = httpx.get(
        server + "sparql", params=[("query", "ASK {}"), ("version", "1.2"), ("version", "1.1")]
    )
    assert twice.status_code == 400 and "'version' parameter at most once" in twice.text
    direct = httpx.post(
        server + "sparql",
        content=b'VERSION "1.2" ASK {}',
        headers={"Content-Type": "application/sparql-query; version=1.2"},
    )
    assert direct.json()["boolean"] is True


def test_the_query_method_is_only_for_the_endpoint(server: str) -> None:
    response = httpx.request("QUERY", server + "store", content=b"ASK {}", timeout=30)
    assert response.status_code == 405 and "QUERY" not in response.headers["allow"]


def test_values_survive_encoding(server: str) -> None:
    data = get(server, EQUIVALENCE[0]).json()
    assert data["results"]["bindings"][0]["x"]["value"] == "100%41"
    data = get(server, EQUIVALENCE[1]).json()
    assert data["results"]["bindings"][0]["s"]["value"] == "http://example.org/a%20b"
    data = post_form(server, EQUIVALENCE[2]).json()
    assert (
        data["results"]["bindings"][0]["p"]["value"]
        == "https://w3id.org/aigraph/id/person/heloise-capiocca"
    )


SELECT = """SELECT ?person ?name ?role WHERE {
  ?s <https://w3id.org/aigraph/ns#programmePosition> 3 ; <https://w3id.org/aigraph/ns#participation> ?p .
  ?p <https://w3id.org/aigraph/ns#agent> ?person ; <https://w3id.org/aigraph/ns#role> ?role .
  ?person <http://schema.org/name> ?name } ORDER BY ?name"""
NAMES = [
    "Aton Soumache",
    "Béatrice Bauwens",
    "Jean-Michel Jarre",
    "Marianne Carpentier",
    "Pauline Augrain",
]


@pytest.mark.parametrize(
    "accept,media,parser",
    [
        (None, "application/sparql-results+json", "json"),
        ("application/sparql-results+json", "application/sparql-results+json", "json"),
        ("application/json", "application/json", "json"),
        ("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
        ("text/csv", "text/csv", "csv"),
        ("text/tab-separated-values", "text/tab-separated-values", "tsv"),
    ],
)
def test_select_formats_parse_back(
    server: str, accept: str | None, media: str, parser: str
) -> None:
    response = get(server, SELECT, accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in response.headers["vary"]
    if media.startswith("text/"):
        assert "charset=utf-8" in response.headers["content-type"]
    result = Result.parse(io.BytesIO(response.content), format=parser)  # rdflib's own parsers
    assert [str(row.name) for row in result] == NAMES  # type: ignore[union-attr]


def test_csv_is_rfc4180_and_tsv_is_turtle_terms(server: str) -> None:
    rows = list(csv.reader(io.StringIO(get(server, SELECT, "text/csv").text)))
    assert rows[0] == ["person", "name", "role"] and rows[3][1] == "Jean-Michel Jarre"
    tsv = get(server, SELECT, "text/tab-separated-values").text.splitlines()
    assert tsv[0] == "?person\t?name\t?role"
    assert tsv[3].split("\t")[:2] == [f"<{JARRE}>", '"Jean-Michel Jarre"']


@pytest.mark.parametrize(
    "accept,media",
    [
        (None, "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
    ],
)
def test_ask_formats(server: str, accept: str | None, media: str) -> None:
    response = get(server, f"ASK {{ <{JARRE}> a <http://schema.org/Person> }}", accept)
    assert response.headers["content-type"] == media
    if "json" in media:
        assert response.json() == {"head": {}, "boolean": True}
    else:
        assert ET.fromstring(response.content).find(f"{SPARQL_RESULTS}boolean").text == "true"  # type: ignore[union-attr]


CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/aigraph/id/claim/s03-jean-michel-jarre> { ?s ?p ?o } }"
RDF_FORMATS = [
    (None, "text/turtle", "turtle"),
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/trig", "application/trig", "trig"),
    ("application/n-quads", "application/n-quads", "nquads"),
]


@pytest.mark.parametrize("accept,media,fmt", RDF_FORMATS)
def test_construct_formats_parse_back_to_the_same_graph(
    server: str, accept: str | None, media: str, fmt: str
) -> None:
    response = get(server, CONSTRUCT, accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    graph = read_triples(response.content, fmt, quads=fmt in ("trig", "nquads"))
    reference = Graph().parse(
        data=get(server, CONSTRUCT, "application/n-triples").content, format="nt"
    )
    assert len(graph) == 10
    assert to_isomorphic(graph) == to_isomorphic(reference)
    assert (URIRef(JARRE), SCHEMA.name, Literal("Jean-Michel Jarre")) in graph


def test_describe_is_rdf_not_a_results_document(server: str) -> None:
    response = get(server, f"DESCRIBE <{JARRE}>")
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.content, format="turtle")
    assert (URIRef(JARRE), RDF.type, SCHEMA.Person) in graph


def test_format_parameter_for_plain_links(server: str) -> None:
    response = get(server, SELECT, None, format="csv")
    assert response.headers["content-type"].startswith("text/csv")
    response = get(server, CONSTRUCT, "text/html", format="nt")
    assert response.headers["content-type"] == "application/n-triples"


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "params", "answer"),
    [
        # a browser opening a link: sent to the page that runs the query (it got SPARQL XML)
        (BROWSER, {}, None),
        ("text/html", {}, None),  # it got a 406
        # a client: the answer, as the protocol says
        ("*/*", {}, "application/sparql-results+json"),
        (None, {}, "application/sparql-results+json"),
        ("application/sparql-results+xml, text/html;q=0.5", {}, "application/sparql-results+xml"),
        # what the page cannot honour is answered, as before
        (BROWSER, {"format": "csv"}, "text/csv"),
        (BROWSER, {"timeout": "2"}, "application/xml"),
        (
            BROWSER,
            {"default-graph-uri": "https://w3id.org/aigraph/id/claim/day"},
            "application/xml",
        ),
    ],
)
def test_a_browser_opening_a_query_link_gets_the_page_of_its_answer(
    server: str, accept: str | None, params: dict[str, str], answer: str | None
) -> None:
    query = (
        'SELECT ?name WHERE { ?p <http://schema.org/name> ?name FILTER (?name = "Lou Fauroux") }'
    )
    response = get(server, query, accept, **params)
    if answer is not None:
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == answer
        return
    assert response.status_code == 303 and "Accept" in response.headers["vary"]
    location = response.headers["location"]
    assert location.startswith(server + "query?")
    assert parse_qs(urlsplit(location).query) == {"query": [query]}
    page = httpx.get(location, headers={"Accept": accept or ""}, timeout=30)
    assert page.headers["content-type"].startswith("text/html")
    assert "<td><span>Lou Fauroux</span></td>" in page.text
    # HEAD, as GET without a body
    head = httpx.head(server + "sparql", params={"query": query}, headers={"Accept": accept or ""})
    assert head.status_code == 303 and head.headers["location"] == location


@pytest.mark.parametrize(
    "query,accept",
    [
        (SELECT, "text/turtle"),
        (CONSTRUCT, "application/sparql-results+json"),
        ("ASK {}", "text/csv"),
        (SELECT, "image/png"),
    ],
)
def test_406_when_nothing_acceptable(server: str, query: str, accept: str) -> None:
    response = get(server, query, accept)
    assert response.status_code == 406
    assert "available" in response.text
    # chosen by Accept; Accept-Language too, which a browser's page of the error is in
    assert {v.strip() for v in response.headers["vary"].split(",")} == {"Accept", "Accept-Language"}


EXPANDED = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"'
COMPACTED = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"'


FLATTENED = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#flattened"'
JSON_LD_PATHS = [
    "sparql?" + urlencode({"query": CONSTRUCT}),
    "sparql",  # the Service Description
    "id/person/jean-michel-jarre",
    "ns",
    "shapes",
    ".well-known/void",
    "store?graph=https://w3id.org/aigraph/id/claim/s06",
]


@pytest.mark.parametrize("path", JSON_LD_PATHS)
def test_json_ld_answers_are_in_the_expanded_form_that_profile_asks_for(
    server: str, path: str
) -> None:
    """JSON-LD 1.1 §9.4: a client may ask for the expanded form by its profile. Plain JSON-LD
    answers are in that form (expanding them with pyld changes nothing); a client that takes
    only the flattened form is told what there is (406)."""
    from pyld import jsonld

    from aigraph.exports import no_remote_documents

    response = httpx.get(server + path, headers={"Accept": EXPANDED})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json"
    document = response.json()

    def unordered(x: object) -> object:
        if isinstance(x, list):
            return sorted((unordered(i) for i in x), key=lambda v: json.dumps(v, sort_keys=True))
        if isinstance(x, dict):
            return {k: unordered(v) for k, v in x.items()}
        return x

    expanded = jsonld.expand(document, {"documentLoader": no_remote_documents})
    assert expanded and unordered(expanded) == unordered(document)
    refused = httpx.get(server + path, headers={"Accept": FLATTENED})
    assert refused.status_code == 406 and "profile" in refused.text


@pytest.mark.parametrize("path", JSON_LD_PATHS)
def test_json_ld_compacted_profile_gives_the_same_graph_with_readable_keys(
    server: str, path: str
) -> None:
    """A client that names the compacted profile (JSON-LD 1.1 §9.4) gets the same triples, in
    the same named graphs, compacted with aigraph's published context, which is inline: a
    processor that fetches nothing (pyld with a loader that refuses every URL, Oxigraph's
    parser) reads it; the Content-Type names the profile. Compared by URDNA2015
    canonical N-Quads, so that blank nodes (the shapes, the Service Description) match."""
    from pyld import jsonld

    from aigraph.exports import no_remote_documents

    options = {
        "documentLoader": no_remote_documents,
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
    }
    plain = httpx.get(server + path, headers={"Accept": "application/ld+json"})
    compacted = httpx.get(server + path, headers={"Accept": COMPACTED})
    assert compacted.status_code == 200, compacted.text
    assert compacted.headers["content-type"] == (
        'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"'
    )
    assert "content-location" not in compacted.headers  # no extension gives this form
    document = compacted.json()
    context = json.loads((Project.default().jsonld_context).read_text(encoding="utf-8"))
    assert document["@context"] == context["@context"]
    canonical = jsonld.normalize(document, options)
    assert canonical and canonical == jsonld.normalize(plain.json(), options)
    read = list(ox.parse(compacted.content, format=ox.RdfFormat.JSON_LD))
    assert len(set(read)) == len(set(ox.parse(plain.content, format=ox.RdfFormat.JSON_LD)))
    if path.startswith(("sparql", "store", ".well-known")):  # the routes that take format=
        joined = "&" if "?" in path else "?"
        by_format = httpx.get(f"{server}{path}{joined}format=jsonld-compacted")
        assert by_format.headers["content-type"] == compacted.headers["content-type"]
        assert jsonld.normalize(by_format.json(), options) == canonical


def test_json_ld_compacted_description_reads_as_json(server: str) -> None:
    """What the compacted form is for: a person's description read as plain JSON, with the
    context's terms for classes and properties (``type``, ``name``, ``agent``, ``role``)
    and each claim's graph kept."""
    response = httpx.get(server + "id/person/jean-michel-jarre", headers={"Accept": COMPACTED})
    nodes = [
        node
        for graph in response.json()["@graph"]
        for node in graph.get("@graph", [graph])
        if graph.get("id", "").endswith("/claim/s03-jean-michel-jarre")
    ]
    person = next(n for n in nodes if n["id"].endswith("/person/jean-michel-jarre"))
    assert person["type"] == "Person" and person["name"] == "Jean-Michel Jarre"
    participation = next(n for n in nodes if n.get("type") == "Participation")
    assert participation["agent"] == person["id"]
    assert participation["role"] == "https://w3id.org/aigraph/concept/role/panelist"
    absent = httpx.get(server + "id/person/nobody", headers={"Accept": COMPACTED})
    assert absent.status_code == 404 and absent.json() == {}


@pytest.mark.parametrize(
    "method,path,allowed",
    [
        ("PUT", "sparql", "GET, HEAD, POST, QUERY, OPTIONS"),
        ("DELETE", "sparql", "GET, HEAD, POST, QUERY, OPTIONS"),
        ("QUERY", "store", "GET, HEAD, POST, PUT, DELETE"),  # QUERY is the endpoint's alone
        ("QUERY", "id/person/jean-michel-jarre", "GET, HEAD"),
        ("PATCH", "store", "GET, HEAD, POST, PUT, DELETE"),
        ("POST", "id/person/jean-michel-jarre", "GET, HEAD"),
        ("DELETE", "queries", "GET, HEAD"),
        ("PUT", "reconcile", "GET, HEAD, POST"),
    ],
)
def test_405_names_every_method_the_path_allows(
    server: str, method: str, path: str, allowed: str
) -> None:
    """RFC 9110 §15.5.6: a 405 carries Allow with the target's supported methods — all of
    them, though each method is its own route (routing.py)."""
    response = httpx.request(method, server + path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.text == f"{method} is not allowed on '/{path}'; allowed: {allowed}\n"


def test_syntax_error_is_400_with_line_and_column(server: str) -> None:
    response = get(server, "SELECT * WHERE {\n  ?s ?p }")
    assert response.status_code == 400
    assert "2:" in response.text and "does not parse" in response.text


@pytest.mark.parametrize(
    "method,kwargs,status,words",
    [
        ("PUT", {"params": {"query": "ASK {}"}}, 405, "allowed: GET, HEAD, POST, QUERY, OPTIONS"),
        ("GET", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "exactly one"),
        (
            "POST",
            {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}},
            415,
            "unsupported Content-Type",
        ),
        ("POST", {"content": b"ASK {}"}, 415, "needs a Content-Type"),
        (
            "POST",
            {
                "content": "ASK {}".encode("utf-16"),
                "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"},
            },
            415,
            "UTF-8",
        ),
        (
            "POST",
            {"content": b"ASK { \xff }", "headers": {"Content-Type": "application/sparql-query"}},
            400,
            "not valid UTF-8",
        ),
        ("POST", {"data": {"query": "ASK {}", "update": "CLEAR ALL"}}, 400, "exactly one of"),
        ("GET", {"params": {"update": "CLEAR ALL"}}, 405, "POST"),
        # graph names that are not IRIs: a 400 here (a worker once died of them: a 500)
        (
            "GET",
            {"params": {"query": "ASK {}", "default-graph-uri": "not an iri"}},
            400,
            "default-graph-uri values must be absolute IRIs, got 'not an iri'",
        ),
        (
            "POST",
            {"data": {"query": "ASK {}", "named-graph-uri": "<urn:x>"}},
            400,
            "named-graph-uri values must be absolute IRIs",
        ),
        (
            "GET",
            {"params": {"query": "ASK {}", "named-graph-uri": "relative/name"}},
            400,
            "named-graph-uri values must be absolute IRIs",
        ),
        ("GET", {"params": {"query": "ASK {}", "timeout": "soon"}}, 400, "timeout"),
        ("GET", {"params": {"query": "ASK {}", "timeout": "0"}}, 400, "more than 0 seconds"),
        ("GET", {"params": {"query": "ASK {}", "timeout": "-1"}}, 400, "more than 0 seconds"),
        ("GET", {"params": {"query": "ASK {}", "timeout": "nan"}}, 400, "more than 0 seconds"),
        (
            "GET",
            {"params": {"query": "ASK {}"}, "headers": {"Accept": "text/csv;q=abc"}},
            400,
            "Accept",
        ),
        ("GET", {"params": {"query": "INSERT DATA { <a> <b> <c> }"}}, 400, "update, not a query"),
        # an empty query: said so, not the parser's "expected [_]" at 1:1
        ("GET", {"params": {"query": ""}}, 400, "the query is empty: give a SPARQL query"),
        ("POST", {"data": {"query": " \n"}}, 400, "the query is empty"),
        (
            "POST",
            {"content": b"", "headers": {"Content-Type": "application/sparql-query"}},
            400,
            "the query is empty",
        ),
        # a Graph Store request sent to the query endpoint: pointed to /store, not answered
        # with the Service Description as if it were the graph
        (
            "GET",
            {"params": {"graph": "https://w3id.org/aigraph/id/graph/editorial"}},
            400,
            "/store",
        ),
        ("GET", {"params": {"default": ""}}, 400, "Graph Store Protocol"),
        # an RDF 1.2 triple term, which JSON-LD cannot carry: 406 naming what can, not a 500
        (
            "POST",
            {
                "data": {
                    "query": "CONSTRUCT { <http://s> <http://p> <<( <http://a> <http://b> "
                    "<http://c> )>> } WHERE {}"
                },
                "headers": {"Accept": "application/ld+json"},
            },
            406,
            "cannot carry this answer (JSON-LD does not support RDF 1.2 yet); ask for one of "
            "text/turtle",
        ),
    ],
)
def test_bad_requests_get_clear_errors(
    server: str, method: str, kwargs: dict, status: int, words: str
) -> None:
    response = httpx.request(method, server + "sparql", timeout=30, **kwargs)
    assert response.status_code == status, response.text
    assert words in response.text
    assert response.headers["content-type"].startswith("text/plain")


def test_body_and_query_size_caps() -> None:
    with running_server(Settings(workers=1, max_body_bytes=2048, max_query_chars=500)) as url:
        big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 3000
        response = httpx.post(
            url + "sparql",
            content=big.encode(),
            headers={"Content-Type": "application/sparql-query"},
        )
        assert response.status_code == 413 and "2,048 bytes" in response.text
        response = httpx.get(url + "sparql", params={"query": "ASK {} #" + "y" * 600})
        assert response.status_code == 413 and "500 characters" in response.text


def test_result_cap_is_signalled() -> None:
    with running_server(Settings(workers=1, max_results=5)) as url:
        response = httpx.get(url + "sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert response.status_code == 200
        assert len(response.json()["results"]["bindings"]) == 5
        assert response.headers["aigraph-results-truncated"] == "5"
        small = httpx.get(
            url + "sparql",
            params={"query": "SELECT * WHERE { ?s a <http://schema.org/NewsArticle> }"},
        )
        assert "aigraph-results-truncated" not in small.headers


def test_head_and_options(server: str) -> None:
    head = httpx.head(server + "sparql", params={"query": SELECT})
    full = get(server, SELECT)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == full.headers["content-type"]
    # the GET's own length, gzipped here as httpx asks for it (tests/test_encoding.py)
    assert head.headers["content-encoding"] == full.headers["content-encoding"] == "gzip"
    assert head.headers["content-length"] == full.headers["content-length"]
    assert full.num_bytes_downloaded == int(full.headers["content-length"])
    options = httpx.options(server + "sparql")
    assert options.status_code == 204 and "POST" in options.headers["allow"]


def test_cors_is_public_and_never_with_credentials(server: str) -> None:
    response = httpx.get(
        server + "sparql", params={"query": "ASK {}"}, headers={"Origin": "http://evil.example"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = httpx.options(
        server + "sparql",
        headers={
            "Origin": "http://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers
    # QUERY is not a CORS-safelisted method: a browser asks first, and may
    preflight = httpx.options(
        server + "sparql",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "QUERY"},
    )
    assert preflight.status_code == 200
    assert "QUERY" in preflight.headers["access-control-allow-methods"]
    # and may read what the answer says of it
    body, headers = b"ASK {}", {"Content-Type": "application/sparql-query", "Origin": "http://x"}
    answer = httpx.request("QUERY", server + "sparql", content=body, headers=headers)
    assert answer.headers["access-control-allow-origin"] == "*"
    exposed = answer.headers["access-control-expose-headers"].split(", ")
    assert "Location" in exposed and "Accept-Query" in exposed


def test_the_direct_path_answers_as_the_routed_one_would(server: str) -> None:
    """/sparql skips FastAPI's routing and middleware (AigraphApp.direct): its CORS headers
    are those the middleware gives every other route, and its errors are the same."""
    origin = {"Origin": "http://evil.example"}
    direct = httpx.get(server + "sparql", params={"query": "ASK {}"}, headers=origin)
    routed = httpx.get(server + "-/health", headers=origin)
    for name in ("access-control-allow-origin", "access-control-expose-headers"):
        assert direct.headers[name] == routed.headers[name], name
    assert "AIGraph-Result-Count" in direct.headers["access-control-expose-headers"]
    assert "Retry-After" in direct.headers["access-control-expose-headers"]  # 503s, 429s
    # a protocol error, by the direct path (GET) and by the routed one (PUT)
    bad = httpx.get(server + "sparql", params={"query": "ASK {}", "timeout": "soon"})
    assert (
        bad.status_code == 400 and bad.text == "timeout must be a number of seconds, got 'soon'\n"
    )
    wrong = httpx.put(server + "sparql", content=b"x")
    assert wrong.status_code == 405 and wrong.headers["content-type"].startswith("text/plain")


def test_an_unexpected_error_on_the_direct_path_is_a_500_without_a_trace() -> None:
    import asyncio

    from aigraph.server.app import create_app

    app = create_app(Settings(cors=True))

    async def broken(request: object) -> object:
        raise RuntimeError("secret detail /etc/passwd")

    app.direct["/sparql"] = broken  # type: ignore[assignment]

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/sparql", params={"query": "ASK {}"})

    response = asyncio.run(ask())
    assert response.status_code == 500
    assert response.text == "Internal Server Error\n"
    assert "secret" not in response.text and "Traceback" not in response.text


def test_protocol_dataset_takes_precedence_over_from(server: str) -> None:
    claim = "https://w3id.org/aigraph/id/claim/s03-jean-michel-jarre"
    query = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/aigraph/id/claim/release> WHERE { ?s ?p ?o }"
    assert get(server, query).json()["results"]["bindings"][0]["n"]["value"] == "3"
    assert (
        get(server, query, **{"default-graph-uri": claim}).json()["results"]["bindings"][0]["n"][
            "value"
        ]
        == "10"
    )
    unknown = get(server, query, **{"default-graph-uri": "http://example.org/nothing"})
    assert unknown.json()["results"]["bindings"][0]["n"]["value"] == "0"


def test_default_graph_is_the_set_union(server: str) -> None:
    """Perrine Vincent's membership is stated by three claims; it is one triple."""
    query = """SELECT (COUNT(*) AS ?n) WHERE {
      <https://w3id.org/aigraph/id/membership/perrine-vincent--cnc-service-accompagnement-professionnels>
        <http://www.w3.org/ns/org#member> ?m }"""
    assert get(server, query).json()["results"]["bindings"][0]["n"]["value"] == "1"


# --- Graph Store Protocol, read side ------------------------------------------------------


def union_size(dataset: Dataset) -> int:
    """Distinct triples over every graph: the served default graph (sd:UnionDefaultGraph)."""
    return len({(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))})


def test_gsp_default_graph(server: str, dataset: Dataset) -> None:
    response = httpx.get(
        server + "store?default", headers={"Accept": "application/n-triples"}, timeout=30
    )
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format="nt")
    assert len(graph) == union_size(dataset)


def test_gsp_named_graph_with_conneg(server: str) -> None:
    iri = quote("https://w3id.org/aigraph/id/claim/s03-jean-michel-jarre", safe="")
    response = httpx.get(f"{server}store?graph={iri}", headers={"Accept": "application/ld+json"})
    assert response.headers["content-type"] == "application/ld+json"
    assert len(Graph().parse(data=response.content, format="json-ld")) == 10


CLAIM = "https://w3id.org/aigraph/id/claim/s03-jean-michel-jarre"


@pytest.mark.parametrize(
    ("accept", "params", "page", "answer"),
    [
        # a browser opening a link to a graph: its page, where it got a Turtle download
        (BROWSER, {"graph": CLAIM}, "/id/claim/s03-jean-michel-jarre", None),
        ("text/html", {"graph": CLAIM}, "/id/claim/s03-jean-michel-jarre", None),  # a 406
        # the default graph has no page of its own: the editor, with the query that reads it
        (BROWSER, {"default": ""}, "/query?query=CONSTRUCT", None),
        # a client, or a link that names a format: the graph
        ("*/*", {"graph": CLAIM}, None, "text/turtle"),
        (None, {"default": ""}, None, "text/turtle"),
        ("application/n-triples, text/html;q=0.5", {"graph": CLAIM}, None, "application/n-triples"),
        (BROWSER, {"graph": CLAIM, "format": "nt"}, None, "application/n-triples"),
    ],
)
def test_a_browser_opening_a_graph_link_gets_a_page(
    server: str, accept: str | None, params: dict[str, str], page: str | None, answer: str | None
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = httpx.get(server + "store", params=params, headers=headers, timeout=30)
    if answer is not None:
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == answer
        return
    assert response.status_code == 303 and "Accept" in response.headers["vary"]
    assert page is not None
    location = response.headers["location"]
    assert location.startswith(server.rstrip("/") + page)
    shown = httpx.get(location, headers={"Accept": accept or ""}, timeout=30)
    assert shown.status_code == 200 and shown.headers["content-type"].startswith("text/html")
    if "default" in params:
        assert parse_qs(urlsplit(location).query) == {
            "query": ["CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"]
        }
        assert "1,000 triples (…)" in shown.text or "1\u202f000 triplets (…)" in shown.text
    else:
        assert "auteur-compositeur" in shown.text  # the claim's page: what it states


def test_a_graph_of_other_data_opens_in_the_editor(tmp_path: Path) -> None:
    """A graph named outside the base IRI has no page here: the editor reads it."""
    data = tmp_path / "other.trig"
    data.write_text('<http://example.org/g> { <http://example.org/a> <http://example.org/p> "x" }')
    with running_server(Settings(bundled=False, workers=1, data=[data])) as url:
        response = httpx.get(
            url + "store", params={"graph": "http://example.org/g"}, headers={"Accept": BROWSER}
        )
        assert response.status_code == 303
        query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <http://example.org/g> { ?s ?p ?o } }"
        assert parse_qs(urlsplit(response.headers["location"]).query) == {"query": [query]}
        english = {"Accept": BROWSER, "Accept-Language": "en"}
        shown = httpx.get(response.headers["location"], headers=english)
        assert "1 triple<" in shown.text and "<span>x</span>" in shown.text


@pytest.mark.parametrize(
    "query,status,words",
    [
        (
            "graph=" + quote("http://example.org/nothing", safe=""),
            404,
            "no graph named <http://example.org/nothing>",
        ),
        ("", 400, "name one graph: ?default, or ?graph=<IRI>"),
        ("default&graph=" + quote("http://example.org/g", safe=""), 400, "name one graph"),
        ("graph=not%20an%20iri", 400, "must be an absolute IRI, got 'not an iri'"),
    ],
)
def test_gsp_errors(server: str, query: str, status: int, words: str) -> None:
    response = httpx.get(f"{server}store?{query}")
    assert response.status_code == status and words in response.text


def test_gsp_writes_are_refused_on_a_read_only_server(server: str) -> None:
    response = httpx.put(
        server + "store?default",
        content=b"<a:b> <a:c> <a:d> .",
        headers={"Content-Type": "application/n-triples"},
    )
    assert response.status_code == 403 and "read-only" in response.text


# --- VoID ---------------------------------------------------------------------------------


def test_void_at_well_known(server: str, dataset: Dataset) -> None:
    data = dataset
    response = httpx.get(server + ".well-known/void")
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.content, format="turtle")
    dataset = graph.value(predicate=RDF.type, object=VOID.Dataset)
    # this server's endpoint and downloads, wherever it runs
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef(server + "sparql")
    assert URIRef(server + "dumps/aigraph.trig") in set(graph.objects(dataset, VOID.dataDump))
    assert int(graph.value(dataset, VOID.triples)) == union_size(data)  # type: ignore[arg-type]
    assert str(graph.value(dataset, VOID.uriSpace)) == "https://w3id.org/aigraph/id/"
    # property partitions (VoID §4.6): each property with its triples in the merge of graphs
    partitions = {
        graph.value(p, VOID.property): int(graph.value(p, VOID.triples))  # type: ignore[arg-type]
        for p in graph.objects(dataset, VOID.propertyPartition)
    }
    merged = {(s, p, o) for s, p, o, _ in data.quads((None, None, None, None))}
    assert partitions[SCHEMA.name] == len({t for t in merged if t[1] == SCHEMA.name})
    assert partitions == {p: len({t for t in merged if t[1] == p}) for _, p, _ in merged}
    assert sum(partitions.values()) == union_size(data)
    assert int(graph.value(dataset, VOID.properties)) == len(partitions)  # type: ignore[arg-type]


# --- Independent clients ------------------------------------------------------------------


def test_sparqlwrapper_client(server: str) -> None:
    from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

    client = SPARQLWrapper(server + "sparql")
    client.setQuery(SELECT)
    client.setReturnFormat(JSON)
    names = [b["name"]["value"] for b in client.query().convert()["results"]["bindings"]]  # type: ignore[index]
    assert names == NAMES
    client.setReturnFormat(XML)
    assert len(client.query().convert().getElementsByTagName("result")) == 5  # type: ignore[union-attr]
    client.setReturnFormat(CSV)
    assert "Jean-Michel Jarre" in client.query().convert().decode()  # type: ignore[union-attr]
    client.setMethod("POST")
    client.setReturnFormat(JSON)
    assert len(client.query().convert()["results"]["bindings"]) == 5  # type: ignore[index]


def test_rdflib_sparqlstore_client(server: str) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    # the default format (XML) asks for results and RDF/XML in one Accept, so it serves both
    graph = Graph(store=SPARQLStore(server + "sparql"))
    assert [str(row[1]) for row in graph.query(SELECT)] == NAMES
    constructed = graph.query(CONSTRUCT)
    assert len(constructed.graph) == 10  # type: ignore[arg-type]


# --- Introspection -------------------------------------------------------------------------


def test_about(server: str, dataset: Dataset) -> None:
    about = httpx.get(server + "-/about", timeout=60).json()
    assert about["triples"] == union_size(dataset) and about["named_graphs"] == 73
    assert (
        about["source_text_sha256"]
        == "093abb534ccd7ea2b82963de8d4114f8f8d6a387575d1ff1754bea8996d5755f"
    )
    # 27 people and 12 organisations name no authority identifier yet (docs/linking.md)
    assert about["shapes"] == {"conforms": True, "violations": 0, "warnings": 27 + 12}
    assert len(about["data_sha256"]) == 64


def test_settings_never_show_the_token() -> None:
    from pydantic import SecretStr

    with running_server(Settings(workers=1, update_token=SecretStr("s3cret-token"))) as url:
        response = httpx.get(url + "-/settings")
        assert response.json()["updates_enabled"] is True
        assert "s3cret" not in response.text
        # the limits a query runs under are shown: a client can tell why it was stopped
        assert (response.json()["query_timeout"], response.json()["query_memory_mb"]) == (5, 1024)


def test_openapi_contract(server: str) -> None:
    """The published routes and methods, pinned: changing them is a visible decision."""
    spec = httpx.get(server + "openapi.json").json()
    routes = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert routes == {
        ("/sparql", "get"),
        ("/sparql", "post"),
        ("/store", "get"),
        ("/store", "put"),
        ("/store", "post"),
        ("/store", "delete"),
        ("/.well-known/void", "get"),
        ("/dumps/", "get"),
        ("/dumps/{name}", "get"),
        ("/-/health", "get"),
        ("/-/about", "get"),
        ("/-/settings", "get"),
        ("/id/{path}", "get"),
        ("/concept/{path}", "get"),
        ("/ns", "get"),
        ("/shapes", "get"),
        ("/checks", "get"),
        ("/queries", "get"),
        ("/queries/{name}", "get"),
        ("/queries/{name}.rq", "get"),
        ("/context/{name}", "get"),
        ("/-/links", "get"),
        ("/search", "get"),
        ("/ui/network.json", "get"),
        ("/ui/vocabulary.json", "get"),
        ("/ui/labels", "get"),
        ("/ui/snippets.json", "get"),
        ("/ui/advice.json", "get"),
        ("/csvm", "get"),
        ("/queries/{name}/csvm", "get"),
        ("/reconcile", "get"),
        ("/reconcile", "post"),
        ("/reconcile/preview", "get"),
        ("/reconcile/suggest/entity", "get"),
        ("/reconcile/suggest/type", "get"),
        ("/reconcile/suggest/property", "get"),
    }
    ids = [op["operationId"] for item in spec["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))  # OpenAPI 3.1 §4.8.10: unique operation ids


@pytest.mark.parametrize(
    ("path", "url", "media"),
    [
        ("/-/health", "-/health", "application/json"),
        ("/-/about", "-/about", "application/json"),
        ("/-/settings", "-/settings", "application/json"),
        ("/dumps/", "dumps/?format=json", "application/json"),
        ("/queries", "queries?format=json", "application/json"),
        ("/search", "search?q=beatr&format=json", "application/json"),
        ("/-/links", "-/links?format=json", "application/json"),
        ("/ui/snippets.json", "ui/snippets.json?query=ASK%20%7B%7D", "application/json"),
        (
            "/ui/advice.json",
            "ui/advice.json?query=SELECT%20*%20%7B%3Fa%20a%20%3Fb%20.%20%3Fc%20a%20%3Fd%7D",
            "application/json",
        ),
        ("/queries/{name}", "queries/sessions?format=json", "application/sparql-results+json"),
        ("/csvm", "csvm?query=SELECT%20%3Fname%20%7B%7D&format=csv", "application/csvm+json"),
        ("/queries/{name}/csvm", "queries/person/csvm?format=csv", "application/csvm+json"),
    ],
)
def test_openapi_examples_match_the_live_answers(
    server: str, path: str, url: str, media: str
) -> None:
    """Every JSON route documents an example, with the keys the server really returns."""
    spec = httpx.get(server + "openapi.json").json()
    example = spec["paths"][path]["get"]["responses"]["200"]["content"][media]["example"]
    live = httpx.get(server + url, timeout=30).json()

    def shape(value: object) -> object:
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items() if k not in ("title", "question")}
        if isinstance(value, list):  # the fullest item (optional parts present)
            return max((shape(v) for v in value), key=lambda v: len(repr(v)), default=[])
        return type(value).__name__

    if media == "application/sparql-results+json":
        assert set(example) == set(live) and set(example["results"]) == set(live["results"])
        assert set(example["head"]["vars"]) <= set(live["head"]["vars"])
    else:
        assert shape(example) == shape(live)


def test_published_jsonld_context(server: str) -> None:
    response = httpx.get(server + "context/aigraph-0.1.jsonld")
    assert response.headers["content-type"] == "application/ld+json"
    assert response.json()["@context"]["agent"]["@id"] == "aig:agent"
    assert httpx.get(server + "context/..%2Fshapes%2Fcore.ttl").status_code == 404


@pytest.mark.parametrize(
    ("query", "uses_graphs"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", False),
        ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", True),
        ("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }", True),
        ("SELECT * FROM NAMED <urn:g> WHERE { ?s ?p ?o }", True),
        (
            'SELECT * WHERE { ?s ?p "GRAPH" . ?graph ?x ?from }',
            False,
        ),  # words in strings, variables
        ("PREFIX graph: <urn:x#> SELECT * WHERE { graph:a ?p ?o }", False),  # a prefix named graph
    ],
)
def test_queries_that_read_only_the_default_graph_are_told_apart(
    query: str, uses_graphs: bool
) -> None:
    """Such queries run on the workers' store of the merged triples alone (faster at scale,
    docs/scaling.md); any doubt sends a query to the full store."""
    from aigraph.sniff import sniff

    assert sniff(query).uses_graphs is uses_graphs


@pytest.mark.parametrize(
    ("query", "order"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", ("s", "p", "o")),
        ("select distinct * { ?s ?p $o . ?o ?q ?s }", ("s", "p", "o", "q")),
        ("PREFIX x: <urn:x#> SELECT REDUCED * WHERE { ?z x:a ?a }", ("z", "a")),
        # variables inside strings and IRIs are not variables
        ('SELECT * WHERE { ?b <urn:?a> "?c" . ?a ?p ?b }', ("b", "a", "p")),
        # a sub-select's order, as written
        ("SELECT * { { SELECT ?y ?x { ?x ?p ?y } } }", ("y", "x", "p")),
        # only the query's own projection counts
        ("SELECT ?o ?s WHERE { { SELECT * { ?s ?p ?o } } }", ()),
        ("ASK { ?s ?p ?o }", ()),
        ("CONSTRUCT { ?s ?p ?o } WHERE { SELECT * { ?s ?p ?o } }", ()),
    ],
)
def test_select_star_columns_follow_the_query(query: str, order: tuple[str, ...]) -> None:
    from aigraph.sniff import sniff

    assert sniff(query).star_order == order


@pytest.mark.parametrize(
    ("query", "columns"),
    [
        ("SELECT ?b ?a WHERE { ?a ?p ?b }", ("b", "a")),
        ("select distinct $a (COUNT(?b) AS ?n) { ?a ?p ?b } GROUP BY ?a", ("a", "n")),
        ('SELECT (CONCAT(STR(?a), "?x") AS ?c) FROM <urn:g> WHERE {}', ("c",)),
        # a sub-select's variables are not the query's
        ("SELECT ?x { { SELECT ?y ?x { ?x ?p ?y } } }", ("x",)),
        # SELECT *: as the endpoint orders them
        ("SELECT * { ?s ?p ?o }", ("s", "p", "o")),
        ("ASK { ?s ?p ?o }", ()),
        ("DESCRIBE ?s WHERE { ?s ?p ?o }", ()),
    ],
)
def test_a_select_answers_columns_are_read_from_its_select_clause(
    query: str, columns: tuple[str, ...]
) -> None:
    """The header row of a CSV answer, known before it runs (its CSVW metadata)."""
    from aigraph.sniff import projection

    assert projection(query) == columns
    if columns and "*" not in query:  # the engine agrees (it orders `*` its own way)
        import pyoxigraph as ox

        answer = ox.Store().query(query)
        assert isinstance(answer, ox.QuerySolutions)
        assert [v.value for v in answer.variables] == list(columns)


@pytest.mark.parametrize(
    ("accept", "header"),
    [
        ("application/sparql-results+json", None),
        ("text/csv", "person,name,org\r\n"),
        ("text/tab-separated-values", "?person\t?name\t?org\n"),
        ("application/sparql-results+xml", None),
    ],
)
def test_select_star_answers_in_the_query_order(server: str, accept: str, header: str) -> None:
    """Oxigraph sorts `SELECT *` columns by name (org, name, person); the server answers in
    the order the query names them, values moved with their columns (an unbound last)."""
    query = """SELECT * WHERE {
      ?person <http://schema.org/name> ?name
      OPTIONAL { ?person <urn:nothing> ?org }
      FILTER (?person = <https://w3id.org/aigraph/id/person/jean-michel-jarre>) }"""
    response = get(server, query, accept)
    assert response.status_code == 200
    if header is not None:
        assert response.text.startswith(header)
        assert "https://w3id.org/aigraph/id/person/jean-michel-jarre" in response.text
        assert response.text.splitlines()[1].split("," if "csv" in accept else "\t")[1] in (
            "Jean-Michel Jarre",
            '"Jean-Michel Jarre"',
        )
    elif "json" in accept:
        answer = response.json()
        assert answer["head"]["vars"] == ["person", "name", "org"]
        row = answer["results"]["bindings"][0]
        assert row["name"]["value"] == "Jean-Michel Jarre" and "org" not in row
    else:
        names = [
            v.get("name") for v in ET.fromstring(response.content).iter(SPARQL_RESULTS + "variable")
        ]
        assert names == ["person", "name", "org"]


def test_default_graph_and_graph_queries_see_the_same_triples(server: str) -> None:
    """The merged-triples store and the full store's default graph hold the same triples."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    via_graphs = (
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
    )
    answers = [
        httpx.post(
            server + "sparql",
            data={"query": q},
            headers={"Accept": "application/sparql-results+json"},
        ).json()
        for q in (count, via_graphs)
    ]
    a, b = (int(r["results"]["bindings"][0]["n"]["value"]) for r in answers)
    assert a == b > 2000


def test_conditional_get_revalidates_without_running_the_query(server: str) -> None:
    """GET answers carry a validator (ETag) and Cache-Control; If-None-Match gets a 304
    while the data is unchanged, for the same query and format only."""
    params = {"query": "SELECT ?n WHERE { ?p <http://schema.org/name> ?n } ORDER BY ?n LIMIT 2"}
    first = httpx.get(server + "sparql", params=params, headers={"Accept": "text/csv"})
    etag = first.headers["etag"]
    assert first.status_code == 200 and "max-age" in first.headers["cache-control"]
    again = httpx.get(
        server + "sparql", params=params, headers={"Accept": "text/csv", "If-None-Match": etag}
    )
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other_format = httpx.get(
        server + "sparql",
        params=params,
        headers={"Accept": "application/sparql-results+json", "If-None-Match": etag},
    )
    assert other_format.status_code == 200 and other_format.headers["etag"] != etag
    other_query = httpx.get(
        server + "sparql",
        params={"query": params["query"].replace("LIMIT 2", "LIMIT 3")},
        headers={"Accept": "text/csv", "If-None-Match": etag},
    )
    assert other_query.status_code == 200
    assert "etag" not in httpx.post(server + "sparql", data=params).headers  # POST: no cache


def test_a_write_changes_the_validator() -> None:
    """On a server that takes writes, a cache must ask again before it reuses an answer
    (no-cache, not a minute's freshness), and a write changes the answer's validator: the
    answer after a write is the new one at once, and a 304 until then."""
    token = "etag-token"
    with running_server(Settings(workers=1, update_token=SecretStr(token))) as url:
        params = {"query": "ASK { <urn:a> <urn:b> <urn:c> }"}
        before = httpx.get(url + "sparql", params=params)
        etag = before.headers["etag"]
        page = url + "id/person/jean-michel-jarre"
        page_before = httpx.get(page, headers={"Accept": "text/turtle"})
        page_etag = page_before.headers["etag"]
        unchanged = httpx.get(url + "sparql", params=params, headers={"If-None-Match": etag})
        page_unchanged = httpx.get(
            page, headers={"Accept": "text/turtle", "If-None-Match": page_etag}
        )
        query_answer = httpx.request(
            "QUERY", url + "sparql", content=params["query"],
            headers={"Content-Type": "application/sparql-query"},
        )  # fmt: skip
        assert [unchanged.status_code, page_unchanged.status_code] == [304, 304]
        for answer in (before, page_before, unchanged, page_unchanged, query_answer):
            assert answer.headers["cache-control"] == "public, no-cache", answer.url
        httpx.post(
            url + "sparql",
            data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        after = httpx.get(url + "sparql", params=params, headers={"If-None-Match": etag})
        assert after.status_code == 200 and after.json()["boolean"] is True
        # the Linked Data pages too: the data they describe may have changed
        page_after = httpx.get(page, headers={"Accept": "text/turtle", "If-None-Match": page_etag})
        assert page_after.status_code == 200 and page_after.headers["etag"] != page_etag
