"""`aigraph serve --data` serves any RDF files, and files say things the bundled graph never
does: RDF 1.2 triple terms, an IRI where a name is expected, a blank node as a graph name or
as a labelled subject. Every route must still answer — with content, or a clear 4xx — and
never a 500. (Before this test, such a file gave a 500 on the home page, search, the
interface's data, reconciliation, the dumps, the linking status and entity pages: their
queries read every term's `.value`, which a triple term lacks, and every label's
`.language`, which an IRI lacks.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef

from aigraph.server.settings import Settings
from support import running_server

ODD_DATA = """\
@prefix s: <http://schema.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@base <https://w3id.org/aigraph/id/> .

# in the default graph: a person whose label is a triple term, an organisation named by an IRI
<person/x> a s:Person ; s:name "Xavier Exemple"@fr ; rdfs:label <<( <http://a> <http://b> "c" )>> .
<organisation/o> a org:Organization ; s:name <http://example.org/not-a-name> ;
    s:sameAs <<( <organisation/o> s:name "O" )>> .

<http://example.org/g> {
  <claim/z> rdf:reifies <<( <person/x> s:name "Xavier" )>> .
  <person/x> s:knows <claim/z> .
  _:b s:name "a blank node" ; s:knows <person/x> .
}
_:graph { <person/w> a s:Person ; s:name "Wanda Blank-Graph"@fr ; skos:prefLabel <http://example.org/iri-label> . }
<claim/q> { <person/x> s:name <<( <http://a> <http://b> "c" )>> . }
# evidence of an odd shape: a literal where a span, then a selector, is expected
<graph/provenance> {
  <claim/q> <http://www.w3.org/ns/prov#wasDerivedFrom> "not a span" , <span/s> .
  <span/s> <http://www.w3.org/ns/oa#hasSelector> "not a selector" .
}

# IRIs that are not slugs: non-ASCII (RFC 3987), sub-delimiters, a percent-encoded space
<person/héloïse> s:name "Héloïse" .
<person/a(b)> s:name "A, B" .
<person/a%20b> s:name "A space" .
<person/semi;colon+plus> s:name "Semicolon" .
"""

#: A value for each path parameter of the OpenAPI description.
PATH_VALUES = {
    "{path}": "person/x",
    "{name}": "people-by-organisation",
}
QUERY_STRINGS = {
    "/sparql": "?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
    "/store": "?default",
    "/search": "?q=Xavier",
    "/reconcile": "?queries=" + json.dumps({"q0": {"query": "Xavier"}}),
    "/reconcile/preview": "?id=https://w3id.org/aigraph/id/person/x",
    "/reconcile/suggest/entity": "?prefix=Xav",
    "/reconcile/suggest/type": "?prefix=per",
    "/reconcile/suggest/property": "?prefix=org",
    "/ui/labels": "?iri=https://w3id.org/aigraph/id/person/x",
}
ACCEPTS = ("text/html", "application/json", "text/turtle", "*/*")


@pytest.fixture(scope="module")
def odd_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data: Path = tmp_path_factory.mktemp("odd") / "odd.trig"
    data.write_text(ODD_DATA, encoding="utf-8")
    with running_server(Settings(bundled=False, data=[data], workers=1)) as url:
        yield url


def _get_routes(url: str) -> list[str]:
    spec = httpx.get(url + "openapi.json").json()
    routes = []
    for path, operations in spec["paths"].items():
        if "get" not in operations:
            continue
        for placeholder, value in PATH_VALUES.items():
            path = path.replace(placeholder, value)
        routes.append(path + QUERY_STRINGS.get(path, ""))
    return routes


def test_other_data_is_not_cited_as_aigraphs(odd_server: str) -> None:
    """The citation names aigraph's dataset: a server of other data offers none."""
    home = httpx.get(odd_server).text
    page = httpx.get(odd_server + "query", params={"query": "ASK {}"}).text
    assert 'id="citation"' not in home and "aigraph developers" not in home
    assert 'id="answer-citation"' not in page and "aigraph developers" not in page
    entity = httpx.get(odd_server + "id/person/w", headers={"Accept": "text/html"}).text
    assert "Wanda Blank-Graph" in entity
    assert 'id="citation"' not in entity and "aigraph developers" not in entity


def test_no_route_fails_on_odd_data(odd_server: str) -> None:
    routes = _get_routes(odd_server)
    assert len(routes) >= 25  # the whole route list, not a sample
    routes += ["/", "/id/person/x", "/id/person/w", "/id/claim/z", "/id/organisation/o"]
    routes += ["/id/claim/q"]  # a named graph: its page lists its statements and evidence
    failures = []
    for route in routes:
        for accept in ACCEPTS:
            response = httpx.get(odd_server + route.lstrip("/"), headers={"Accept": accept})
            if response.status_code >= 500:
                failures.append((route, accept, response.status_code, response.text[:200]))
            elif response.status_code >= 400:  # a refusal says why
                assert len(response.text) > 20, (route, accept, response.text)
    assert not failures


@pytest.mark.parametrize(
    "accept,says",
    [
        ("text/turtle", "# This dataset says nothing about <https://w3id.org/aigraph/ns>."),
        ("text/html", "https://w3id.org/aigraph/ns"),
    ],
)
def test_the_ontology_is_a_404_where_the_served_data_lacks_it(
    odd_server: str, accept: str, says: str
) -> None:
    """Served data without aigraph's ontology (`--no-bundled`): /ns was a 200 with an empty
    document, as if the ontology had no terms."""
    response = httpx.get(odd_server + "ns", headers={"Accept": accept})
    assert response.status_code == 404
    assert says in response.text


def test_every_get_route_answers_head_as_get_without_content(odd_server: str) -> None:
    """RFC 9110 §9.3.2: HEAD is GET without the content, and a general-purpose server
    supports both (§9.1). (Before this test, HEAD on the home page, the catalogue, search,
    health, the JSON-LD context and more was a 405 naming only GET.)"""
    routes = [*_get_routes(odd_server), "/", "/api", "/id/person/x"]
    mismatches = []
    for route in routes:
        got = httpx.get(odd_server + route.lstrip("/"), headers={"Accept": "*/*"})
        head = httpx.head(odd_server + route.lstrip("/"), headers={"Accept": "*/*"})
        seen = (head.status_code, head.headers.get("content-type"), head.content)
        if seen != (got.status_code, got.headers.get("content-type"), b""):
            mismatches.append((route, got.status_code, seen[:2]))
        # the same length as GET's, except where the answer itself changes between two
        # requests: health's uptime (12.5 s, then 12.51 s). Comparing two GETs around the
        # HEAD did not tell: both may have one length and the HEAD another (it failed so
        # once, 284 against 283 bytes)
        if "content-length" in got.headers and head.status_code < 300 and route != "/-/health":
            assert head.headers["content-length"] == got.headers["content-length"], route
    assert not mismatches


def test_every_answer_says_nosniff_and_every_page_its_script_policy(odd_server: str) -> None:
    """Whichever route or error made it (the direct /sparql path, a 404, a static file)."""
    routes = [*_get_routes(odd_server), "/", "/api", "/id/person/x", "/no-such-page"]
    routes += ["/sparql?query=nonsense", "/static/ui/aigraph.css"]
    for route in routes:
        for accept in ("text/html", "*/*"):
            response = httpx.get(odd_server + route.lstrip("/"), headers={"Accept": accept})
            assert response.headers["x-content-type-options"] == "nosniff", route
            html = response.headers.get("content-type", "").startswith("text/html")
            policy = response.headers.get("content-security-policy")
            assert (policy is not None) == html, (route, accept)
            if html:
                assert "script-src 'self';" in policy and "object-src 'none'" in policy


@pytest.mark.parametrize(
    ("route", "accept", "expected"),
    [
        # names that are literals are found; the IRI and the triple term are not names
        ("search?q=Xavier&format=json", "*/*", '"label":"Xavier Exemple"'),
        ("search?q=Wanda&format=json", "*/*", '"label":"Wanda Blank-Graph"'),
        ("search?q=Xavier", "text/html", "/id/person/x"),
        ("ui/labels?iri=https://w3id.org/aigraph/id/person/w", "*/*", "Wanda Blank-Graph"),
        ("reconcile?queries=" + json.dumps({"q0": {"query": "Xavier"}}), "*/*", "person/x"),
        # the entity page shows the triple term as Turtle 1.2 writes it
        (
            "id/person/x",
            "text/html",
            "&lt;&lt;( &lt;http://a&gt; &lt;http://b&gt; &#34;c&#34; )&gt;&gt;",
        ),
        ("id/person/x", "text/html", "Xavier Exemple"),
        # linking status: the person with a literal name, the organisation named by an IRI
        # is not counted as named
        ("-/links", "application/json", '"name":"Xavier Exemple"'),
        # no dumps (rdflib cannot hold triple terms), and the refusal says where the data is
        ("dumps/", "*/*", "RDF 1.2 triple terms"),
        ("dumps/", "*/*", "/store?default"),
        ("store?graph=http://example.org/g&format=nq", "*/*", "<<( "),
    ],
)
def test_odd_data_answers(odd_server: str, route: str, accept: str, expected: str) -> None:
    response = httpx.get(odd_server + route, headers={"Accept": accept})
    assert response.status_code < 500
    assert expected in response.text, response.text[:500]


def test_void_describes_odd_data_without_files(odd_server: str) -> None:
    """The dataset is described (its size, its graphs) without files, which it has none of."""
    response = httpx.get(odd_server + ".well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    void = Graph().parse(data=response.text, format="turtle")  # rdflib: a second parser
    sizes = {int(o) for o in void.objects(None, URIRef("http://rdfs.org/ns/void#triples"))}
    assert 21 in sizes, sizes  # the merge of every graph, as the default graph
    assert not list(void.objects(None, URIRef("http://www.w3.org/ns/dcat#distribution")))


@pytest.mark.parametrize(
    ("path", "status", "expected"),
    [
        # a client sends an IRI's non-ASCII characters percent-encoded as UTF-8 (RFC 3987
        # §3.1), in either case of hex digits (raw UTF-8 bytes in a request target are a 400
        # from the HTTP parser: RFC 9112 §3.2 makes it ASCII)
        ("id/person/h%C3%A9lo%C3%AFse", 200, '"Héloïse"'),
        ("id/person/h%c3%a9lo%c3%afse.nt", 200, "<https://w3id.org/aigraph/id/person/héloïse>"),
        ("id/person/héloïse", 200, '"Héloïse"'),  # httpx encodes it as the first
        ("id/person/a(b)", 200, '"A, B"'),
        ("id/person/semi;colon+plus", 200, '"Semicolon"'),
        ("id/person/a%20b", 200, '"A space"'),  # the IRI holds "%20": it stays encoded
        ("id/%70erson/x", 200, '"Xavier Exemple"'),  # an encoded unreserved letter is the letter
        # not equivalent (RFC 3986 §2.2: an encoded reserved character is another IRI)
        (
            "id/person/a%28b%29",
            404,
            "says nothing about <https://w3id.org/aigraph/id/person/a%28b%29>",
        ),
        ("id/person/a%2520b", 404, "says nothing about"),
        # what would end the IRI in the query stays encoded, or is refused: never injected
        ("id/person/x%3E%20%3Fs%20%3Fp%20%3Fo%20%7D", 404, "says nothing about"),
        ("id/person/x%22%3E", 404, "says nothing about"),
        ("id/person/x%5Cu003E", 404, "says nothing about"),
    ],
)
def test_iris_beyond_slugs_resolve(odd_server: str, path: str, status: int, expected: str) -> None:
    response = httpx.get(odd_server + path, headers={"Accept": "text/turtle"})
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(("text/turtle", "application/n-triples"))
    assert expected in response.text
    if status == 200:  # the headers name the document in ASCII, as the client spelled it
        assert response.headers["content-location"].isascii()
