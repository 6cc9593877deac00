"""The W3C SPARQL 1.1 Protocol test suite, run against a real server on a loopback port.

The manifest and data are W3C's (shared/conformance/, unmodified). Each test is a sequence of
HTTP requests with expected status classes, result formats and booleans. The server is
started once with the suite's data as named graphs and updates enabled (the update tests
carry the operator's token; the manifest's requests cannot, so the runner adds it).
Also the Service Description suite (its three tests are defined by the Recommendation's
conformance section, see shared/conformance/README.md).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from aigraph.server.settings import Settings
from support import running_server

CONFORMANCE = Path(__file__).resolve().parents[2] / "shared" / "conformance"
PROTOCOL = CONFORMANCE / "w3c-sparql11-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
TOKEN = "protocol-suite-token"

pytestmark = pytest.mark.skipif(
    not PROTOCOL.exists(), reason="shared/conformance is not beside the checkout"
)


@dataclass
class Step:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]
    fmt: str | None
    boolean: bool | None


@dataclass
class ProtocolTest:
    name: str
    label: str
    steps: list[Step]


def load_manifest() -> list[ProtocolTest]:
    if not PROTOCOL.exists():
        return []
    g = Graph().parse(PROTOCOL / "manifest.ttl", format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    tests = []
    for test in Collection(g, g.value(manifest, MF.entries)):
        action = g.value(test, MF.action)
        steps = []
        for request in Collection(g, g.value(action, HT.requests)):
            headers = {}
            header_list = g.value(request, HT.headers)
            if header_list is not None:
                for header in Collection(g, header_list):
                    headers[str(g.value(header, HT.fieldName))] = str(
                        g.value(header, HT.fieldValue)
                    )
            body_node = g.value(request, HT.body)
            body = None
            if body_node is not None:
                encoding = str(g.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(body_node, CNT.chars)).encode(encoding.lower())
            response = g.value(request, HT.resp)
            expected_bool = g.value(response, MF.expectedBoolean)
            steps.append(
                Step(
                    method=str(g.value(request, HT.methodName)),
                    path=str(g.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
                    headers=headers,
                    body=body,
                    statuses={
                        str(s).rsplit("#", 1)[-1] for s in g.objects(response, MF.expectedStatus)
                    },
                    fmt=str(g.value(response, MF.expectedFormat))
                    if g.value(response, MF.expectedFormat)
                    else None,
                    boolean=None if expected_bool is None else expected_bool.toPython(),
                )
            )
        tests.append(ProtocolTest(str(test).rsplit("#", 1)[-1], str(g.value(test, MF.name)), steps))
    return tests


TESTS = load_manifest()


@pytest.fixture(scope="module")
def suite_server() -> Iterator[str]:
    graphs = {
        f"http://kasei.us/2009/09/sparql/data/data{i}.rdf": PROTOCOL / f"data{i}.nt"
        for i in (1, 2, 3)
    }
    settings = Settings(bundled=False, graphs=graphs, workers=2, update_token=SecretStr(TOKEN))
    with running_server(settings) as url:
        yield url


def parsed_boolean(response: httpx.Response) -> bool:
    media = response.headers["content-type"].split(";")[0]
    if "json" in media:
        return bool(json.loads(response.text)["boolean"])
    root = ET.fromstring(response.content)
    return root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"  # type: ignore[union-attr]


def check_format(response: httpx.Response, fmt: str) -> None:
    media = response.headers["content-type"].split(";")[0]
    if fmt == "boolean":
        assert media in ("application/sparql-results+json", "application/sparql-results+xml")
        parsed_boolean(response)
    elif fmt == "tabular":
        assert media in (
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
        )
    elif fmt == "RDF":
        assert media in ("application/rdf+xml", "text/turtle", "application/n-triples")
        Graph().parse(
            data=response.content,
            format={
                "text/turtle": "turtle",
                "application/rdf+xml": "xml",
                "application/n-triples": "nt",
            }[media],
        )


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_w3c_protocol(suite_server: str, test: ProtocolTest) -> None:
    with httpx.Client(base_url=suite_server.rstrip("/"), timeout=30) as client:
        for step in test.steps:
            headers = dict(step.headers)
            if test.name.startswith(("update_", "bad_update_dataset")):
                headers["Authorization"] = f"Bearer {TOKEN}"
            response = client.request(step.method, step.path, headers=headers, content=step.body)
            status_class = f"StatusCode{str(response.status_code)[0]}xx"
            assert status_class in step.statuses, (
                test.label,
                response.status_code,
                response.text[:300],
            )
            if step.fmt:
                check_format(response, step.fmt)
            if step.boolean is not None:
                assert parsed_boolean(response) is step.boolean, test.label


def test_the_whole_suite_is_run() -> None:
    assert len(TESTS) == 34
    assert sum(t.name.startswith(("query", "bad_query")) for t in TESTS) == 19


# --- Service Description suite (W3C SPARQL 1.1 Service Description, §4 conformance) --------


@pytest.fixture(scope="module")
def sd_server() -> Iterator[str]:
    """Read-only, with the suite's three graphs (the protocol tests above clear theirs)."""
    graphs = {
        f"http://kasei.us/2009/09/sparql/data/data{i}.rdf": PROTOCOL / f"data{i}.nt"
        for i in (1, 2, 3)
    }
    with running_server(Settings(bundled=False, graphs=graphs, workers=1)) as url:
        yield url


@pytest.mark.parametrize(
    "accept", ["text/turtle", "application/rdf+xml", "application/ld+json", "*/*"]
)
def test_service_description(sd_server: str, accept: str) -> None:
    response = httpx.get(sd_server + "sparql", headers={"Accept": accept})
    assert response.status_code == 200
    media = response.headers["content-type"].split(";")[0]
    g = Graph().parse(
        data=response.content,
        format={
            "text/turtle": "turtle",
            "application/rdf+xml": "xml",
            "application/ld+json": "json-ld",
        }[media],
    )
    # returns-rdf, has-endpoint-triple
    services = list(g.subjects(SD.endpoint, URIRef(sd_server + "sparql")))
    assert len(services) == 1
    # conforms-to-schema: every sd:NamedGraph has an sd:name
    named = list(g.subjects(RDF.type, SD.NamedGraph))
    assert len(named) == 3
    assert all(g.value(n, SD.name) is not None for n in named)
    assert (services[0], SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (services[0], SD.supportedLanguage, SD.SPARQL11Update) not in g  # read-only
    assert (services[0], SD.feature, SD.BasicFederatedQuery) not in g  # no SERVICE allowed
    assert (services[0], SD.feature, SD.UnionDefaultGraph) in g
