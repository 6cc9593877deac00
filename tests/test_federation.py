"""The federated example queries (queries/federated/), run for real: aigraph with a test link
calls, through SERVICE, a second server on 127.0.0.1 that stands in for the Wikidata Query
Service, because its operator allowed exactly that endpoint."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from aigraph.catalogue import parse_query_file
from aigraph.project import Project
from aigraph.server.settings import Settings
from support import running_server

WDQS = "https://query.wikidata.org/sparql"
FEDERATED = Project.default().queries_dir / "federated"

# Synthetic (see tests/data/wikidata/README.md): Q900000001 names nothing on Wikidata.
WIKIDATA_STANDIN = """
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
wd:Q900000001 wdt:P569 "1900-01-01"^^xsd:date ; wdt:P106 wd:Q900000950, wd:Q900000951 .
wd:Q900000950 rdfs:label "compositeur (test)"@fr, "composer (test)"@en .
wd:Q900000951 rdfs:label "interprète (test)"@fr .
wd:Q900000003 wdt:P571 "1901-01-01"^^xsd:date ; wdt:P856 <https://studio.example.org/> .
"""
TEST_LINKS = """
@prefix schema: <http://schema.org/> .
<https://w3id.org/aigraph/id/person/jean-michel-jarre> schema:sameAs <http://www.wikidata.org/entity/Q900000001> .
<https://w3id.org/aigraph/id/organisation/studio-tf1> schema:sameAs <http://www.wikidata.org/entity/Q900000003> .
"""


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("federation")
    (folder / "wikidata.ttl").write_text(WIKIDATA_STANDIN)
    (folder / "links.ttl").write_text(TEST_LINKS)
    with running_server(
        Settings(bundled=False, workers=1, data=[folder / "wikidata.ttl"])
    ) as wikidata:
        endpoint = wikidata + "sparql"
        settings = Settings(
            workers=1, query_timeout=5, data=[folder / "links.ttl"], service_allowlist=[endpoint]
        )
        with running_server(settings) as aigraph:
            yield aigraph, endpoint


def run(server: str, path: Path, endpoint: str) -> list[dict[str, str]]:
    query = parse_query_file(path).text.replace(WDQS, endpoint)
    response = httpx.post(
        server + "sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return [
        {k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]
    ]


def test_people_enriched_from_the_standin(federation: tuple[str, str]) -> None:
    server, endpoint = federation
    rows = run(server, FEDERATED / "wikidata-people.rq", endpoint)
    assert [(r["name"], r["birth"], r["occupationLabel"]) for r in rows] == [
        ("Jean-Michel Jarre", "1900-01-01", "compositeur (test)"),
        ("Jean-Michel Jarre", "1900-01-01", "interprète (test)"),
    ]


def test_organisations_enriched_from_the_standin(federation: tuple[str, str]) -> None:
    server, endpoint = federation
    rows = run(server, FEDERATED / "wikidata-organisations.rq", endpoint)
    assert [(r["name"], r["inception"], r["website"]) for r in rows] == [
        ("Studio TF1", "1901-01-01", "https://studio.example.org/")
    ]


def test_the_real_wdqs_is_refused_unless_allowed(federation: tuple[str, str]) -> None:
    server, _ = federation
    query = parse_query_file(FEDERATED / "wikidata-people.rq").text
    response = httpx.post(server + "sparql", data={"query": query})
    assert response.status_code == 403 and WDQS in response.text
