"""The reconciliation service (Reconciliation Service API v0.2, the protocol OpenRefine speaks)
against a real server: the manifest, batches of queries with type and property constraints,
the spec's request shapes, previews, suggest, and clear 400s for malformed queries."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import httpx
import pytest

from aigraph.search import fold

JARRE = "id/person/jean-michel-jarre"


def batch(server: str, queries: dict[str, Any], method: str = "POST") -> httpx.Response:
    payload = {"queries": json.dumps(queries)}
    if method == "GET":
        return httpx.get(server + "reconcile", params=payload, timeout=30)
    return httpx.post(server + "reconcile", data=payload, timeout=30)


def test_manifest_has_what_the_spec_requires(server: str) -> None:
    manifest = httpx.get(server + "reconcile").json()
    assert "0.2" in manifest["versions"]
    for key in ("name", "identifierSpace", "schemaSpace"):  # required (§3)
        assert isinstance(manifest[key], str) and manifest[key]
    for template in (manifest["view"]["url"], manifest["preview"]["url"]):
        assert "{{id}}" in template
    assert {t["id"] for t in manifest["defaultTypes"]} >= {"person", "organisation", "topic"}
    suggest = manifest["suggest"]["entity"]
    assert suggest["service_url"] == server + "reconcile"
    # the view template turns an id into this server's page for the entity
    page = httpx.get(
        manifest["view"]["url"].replace("{{id}}", JARRE), headers={"Accept": "text/html"}
    )
    assert page.status_code == 200 and "Jean-Michel Jarre" in page.text


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_batch_as_openrefine_sends_it(server: str, method: str) -> None:
    """Ten names in one batch, some with accents lost or in another order, as a spreadsheet
    has them; each key gets its own result list, best first."""
    names = {
        "q0": ("Jean-Michel Jarre", JARRE),
        "q1": ("jean michel jarre", JARRE),
        "q2": ("Beatrice Bauwens", "id/person/beatrice-bauwens"),
        "q3": ("Bauwens Béatrice", "id/person/beatrice-bauwens"),
        "q4": ("Marianne Carpentier", "id/person/marianne-carpentier"),
        "q5": ("CNC", "id/organisation/cnc"),
        "q6": ("Studio TF1", "id/organisation/studio-tf1"),
        "q7": ("MPC Film", "id/organisation/mpc-film"),
        "q8": ("France 2030", None),
        "q9": ("Nobody Atall Here", None),
    }
    queries = {k: {"query": name, "limit": 3} for k, (name, _) in names.items()}
    results = batch(server, queries, method).json()
    assert set(results) == set(names)
    for key, (name, expected) in names.items():
        candidates = results[key]["result"]
        for c in candidates:  # §4.2: id, name, score required
            assert isinstance(c["id"], str) and isinstance(c["name"], str)
            assert 0 <= c["score"] <= 100 and isinstance(c["match"], bool)
        assert [c["score"] for c in candidates] == sorted(
            (c["score"] for c in candidates), reverse=True
        )
        if expected is not None:
            assert candidates[0]["id"] == expected, name
    assert results["q0"]["result"][0]["match"] is True
    assert results["q8"]["result"][0]["type"][0]["id"] == "programme"
    assert results["q9"]["result"] == []


def test_type_and_property_constraints(server: str) -> None:
    results = batch(
        server,
        {
            # "CNC" as a person finds no person called CNC
            "typed": {"query": "CNC", "type": "person"},
            # a property alone (§4.1 allows a query without 'query')
            "by_org": {"properties": [{"pid": "organisation", "v": "Studio TF1"}]},
            # a weak name made certain by the organisation
            "both": {
                "query": "Carpentier",
                "type": ["person"],
                "properties": [{"pid": "organisation", "v": {"id": "x", "name": "Studio TF1"}}],
            },
            "topic": {"query": "régulation", "type": "topic"},
        },
    ).json()
    assert all(c["type"][0]["id"] == "person" for c in results["typed"]["result"])
    assert results["by_org"]["result"][0]["id"] == "id/person/marianne-carpentier"
    both = results["both"]["result"][0]
    assert both["id"] == "id/person/marianne-carpentier"
    assert {"id": "property:organisation", "value": 1.0} in both["features"]
    assert results["topic"]["result"][0]["id"].startswith("concept/topic/")


@pytest.mark.parametrize(
    ("queries", "status", "words"),
    [
        ("not json", 400, "not JSON"),
        ("[]", 400, "non-empty JSON object"),
        ('{"q0": "Jarre"}', 400, "JSON object"),
        ('{"q0": {}}', 400, "non-empty 'query'"),
        ('{"q0": {"query": "x", "type": "planet"}}', 400, "unknown type"),
        ('{"q0": {"query": "x", "props": []}}', 400, "unknown member"),
        ('{"q0": {"query": "x", "limit": -1}}', 400, "positive number"),
        (
            '{"q0": {"query": "x", "properties": [{"pid": "height", "v": 1}]}}',
            400,
            "unknown property",
        ),
        ('{"q0": {"query": "x", "type_strict": "maybe"}}', 400, "type_strict"),
        # found by the long fuzzing run: unhashable values where strings belong were a 500
        ('{"q0": {"query": "x", "type": [["person"]]}}', 400, "unknown type"),
        ('{"q0": {"query": "x", "type": [{"id": "person"}]}}', 400, "unknown type"),
        (
            '{"q0": {"query": "x", "properties": [{"pid": ["name"], "v": 1}]}}',
            400,
            "unknown property",
        ),
        # found by hand: Python's JSON parser recursed until RecursionError, a 500
        ("[" * 100_000 + "]" * 100_000, 400, "'queries' nests arrays or objects too deeply"),
        ('{"q0": ' * 50_000 + "1" + "}" * 50_000, 400, "nests arrays or objects too deeply"),
    ],
)
def test_malformed_queries_get_a_400_naming_the_problem(
    server: str, queries: str, status: int, words: str
) -> None:
    response = httpx.post(server + "reconcile", data={"queries": queries})
    assert response.status_code == status and words in response.text


def test_wrong_body_type_and_single_query(server: str) -> None:
    wrong = httpx.post(
        server + "reconcile", content=b"{}", headers={"Content-Type": "application/json"}
    )
    assert wrong.status_code == 415
    single = httpx.get(server + "reconcile", params={"query": "Jarre"}).json()
    assert single["result"][0]["id"] == JARRE
    deep = httpx.get(server + "reconcile", params={"query": '{"query": ' * 3000 + "1"})
    assert deep.status_code == 400
    assert "'query' nests arrays or objects too deeply" in deep.text


def test_preview_and_suggest(server: str) -> None:
    preview = httpx.get(server + "reconcile/preview", params={"id": JARRE})
    assert preview.status_code == 200 and "Jean-Michel Jarre" in preview.text
    assert "auteur-compositeur" in preview.text
    assert (
        httpx.get(server + "reconcile/preview", params={"id": "id/person/nobody"}).status_code
        == 404
    )
    entities = httpx.get(server + "reconcile/suggest/entity", params={"prefix": "jarr"}).json()
    assert entities["result"][0]["id"] == JARRE
    typed = httpx.get(
        server + "reconcile/suggest/entity", params={"prefix": "cnc", "type": "organisation"}
    ).json()
    assert [r["id"] for r in typed["result"]][:1] == ["id/organisation/cnc"]
    types = httpx.get(server + "reconcile/suggest/type", params={"prefix": "org"}).json()
    assert [t["id"] for t in types["result"]] == ["organisation"]
    props = httpx.get(server + "reconcile/suggest/property", params={"prefix": "org"}).json()
    assert "organisation" in [p["id"] for p in props["result"]]


def test_preview_escapes_what_it_shows(server: str) -> None:
    """An unknown id is echoed only in a plain-text 404, never in HTML."""
    probe = httpx.get(server + "reconcile/preview", params={"id": "<script>alert(1)</script>"})
    assert probe.status_code == 404
    assert probe.headers["content-type"].startswith("text/plain")
    card = httpx.get(server + "reconcile/preview", params={"id": JARRE}).text
    assert "<script" not in card


def test_linking_status_page(server: str) -> None:
    status = httpx.get(server + "-/links", headers={"Accept": "application/json"}).json()
    assert status["person"]["entities"] == 27 and status["person"]["linked"] == 2
    assert {
        "iri": "https://w3id.org/aigraph/id/person/alexandra-bensamoun",
        "name": "Alexandra Bensamoun",
    } in status["person"]["unlinked"]
    afnor = next(e for e in status["organisation"]["links"] if e["name"] == "AFNOR")
    assert {
        "predicate": "https://w3id.org/aigraph/ns#siren",
        "target": "775724818",
        "authority": "siren",
        "evidence": ["https://certificats-attestations.afnor.org/legal-notice"],
        "confidence": 1.0,
        "method": "curated",
    } in afnor["links"]
    html = httpx.get(
        server + "-/links", headers={"Accept": "text/html", "Accept-Language": "en"}
    ).text
    assert "not linked (25)" in html
    assert '<a href="/id/person/alexandra-bensamoun">Alexandra Bensamoun</a>' in html
    row = re.search(r"<tr><td><a href=\"/id/person/jean-michel-jarre\">.*?</tr>", html, re.S)
    assert row is not None  # the linked entity, its website and the page that shows it
    assert '<a href="https://jeanmicheljarre.com/" rel="external nofollow">' in row.group(0)
    assert 'href="https://fr.m.wikipedia.org/wiki/Jean-Michel_Jarre"' in row.group(0)
    assert "curated by hand, 0.9" in row.group(0)  # the method by its label
    # each authority by its name, as the identifier's own page calls it (the JSON keeps keys)
    assert "(Archives nationales 6, BnF 1, ISNI 2, SIREN 2, website 7, Wikidata 3)" in html
    cnc = re.search(
        r"<tr><td><a href=\"/id/organisation/cnc\">CNC</a></td><td>Wikidata</td>.*?</tr>",
        html,
        re.S,
    )
    assert cnc is not None
    # the identifier as Wikidata writes it, beside the authority's name, linked to its IRI
    assert (
        '<a href="http://www.wikidata.org/entity/Q1054221" rel="external nofollow" '
        'title="http://www.wikidata.org/entity/Q1054221">Q1054221</a>'
    ) in cnc.group(0)
    archives = re.search(
        r"<tr><td><a href=\"/id/organisation/cnc\">CNC</a></td><td>Archives nationales</td>.*?</tr>",
        html,
        re.S,
    )
    assert archives is not None and '">005418</a>' in archives.group(0)
    assert "<h2>People — links and their evidence</h2>" in html
    french = httpx.get(server + "-/links", headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert "site web 7" in french.text
    # the kinds, the methods and the numbers as French writes them
    assert "<tr><td>organisations</td><td>10 / 19" in french.text
    assert "<h2>Personnes — liens et leurs preuves</h2>" in french.text
    jarre = re.search(
        r"<tr><td><a href=\"/id/person/jean-michel-jarre\">.*?</tr>", french.text, re.S
    )
    assert jarre is not None and "<td>saisi à la main, 0,9</td>" in jarre.group(0)


@pytest.mark.parametrize(
    ("lang", "topic", "service"),
    [
        ("en", "creativity and AI", "professional support department"),
        ("fr", "créativité et IA", "service de l'accompagnement des professionnels"),
    ],
)
def test_the_linking_status_names_entities_in_the_pages_language(
    server: str, lang: str, topic: str, service: str
) -> None:
    """Topics and the CNC's service have names in both languages: the page gives the one of
    its language, in its alphabetical order (the JSON keeps the status's names)."""
    page = httpx.get(server + "-/links", headers={"Accept": "text/html", "Accept-Language": lang})
    unlinked = re.findall(r"<details><summary>[^<]*</summary>\s*<ul>(.*?)</ul>", page.text, re.S)
    names = [
        [html.unescape(n) for n in re.findall(r"<li><a [^>]*>([^<]*)</a></li>", block)]
        for block in unlinked
    ]
    _, organisations, topics = names  # people, organisations, topics
    assert topic in topics and len(topics) == 17
    assert service in organisations
    for listed in names:
        assert listed == sorted(listed, key=fold)


def test_search_and_reconciliation_share_one_label_index() -> None:
    """The interface's search and the reconciliation service read the same labels: one
    index per version of the data, not one each."""
    from aigraph.server.settings import Settings
    from support import running_app

    with running_app(Settings(workers=1)) as (url, app):
        found = httpx.get(url + "search", params={"q": "jarre", "format": "json"}).json()
        assert found["results"][0]["iri"].endswith(JARRE)  # the search gives whole IRIs
        matched = httpx.get(url + "reconcile", params={"query": "Jarre"}).json()
        assert matched["result"][0]["id"] == JARRE
        built = app.state.per_version
        assert built["site"][1].index is built["reconciliation"][1].index


def test_an_identifier_elsewhere_finds_its_entity(server: str) -> None:
    """A researcher with a Wikidata item or an ISNI in a spreadsheet: the search box and
    OpenRefine (the reconciliation service) find the entity that names it, as a match."""
    found = httpx.get(server + "search", params={"q": "Q769657", "format": "json"}).json()
    first = found["results"][0]
    assert first["iri"] == "https://w3id.org/aigraph/id/organisation/conseil-d-etat"
    assert first["matched"] == "Wikidata Q769657"
    batch = {"q0": {"query": "0000 0001 2109 8498", "type": "organisation"}}
    answer = httpx.post(server + "reconcile", data={"queries": json.dumps(batch)}).json()
    best = answer["q0"]["result"][0]
    assert best["id"] == "id/organisation/conseil-d-etat" and best["match"] is True
    assert best["score"] == 100
