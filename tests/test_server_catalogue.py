"""The query catalogue over HTTP: listed as data, run in every results format with
parameters bound by the engine, errors naming the parameter, output escaped."""

from __future__ import annotations

import csv
import io

import httpx
import pytest


def test_catalogue_as_json(server: str) -> None:
    data = httpx.get(server + "queries", headers={"Accept": "application/json"}).json()
    names = {q["name"] for q in data["queries"]}
    assert {"sessions", "participants", "moderators", "evidence", "sectors"} <= names
    person = next(q for q in data["queries"] if q["name"] == "person")
    assert person["parameters"][0]["name"] == "person" and person["parameters"][0]["type"] == "iri"
    assert person["title"]["fr"] and person["question"]["en"]


def test_catalogue_as_html(server: str) -> None:
    html = httpx.get(server + "queries", headers={"Accept": "text/html"}).text
    assert 'href="/queries/moderators?format=html"' in html


@pytest.mark.parametrize(
    "fmt,media",
    [
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
    ],
)
def test_run_in_every_results_format(server: str, fmt: str, media: str) -> None:
    response = httpx.get(server + "queries/moderators", params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "Perrine Vincent" in response.text


def test_parameters_are_bound(server: str) -> None:
    response = httpx.get(
        server + "queries/person",
        params={"person": "https://w3id.org/aigraph/id/person/jean-michel-jarre", "format": "csv"},
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["name"], r["occupation"]) for r in rows] == [
        ("Jean-Michel Jarre", "auteur-compositeur")
    ]


@pytest.mark.parametrize(
    "params,words",
    [
        ({"person": "not an iri"}, "parameter 'person': not an absolute IRI"),
        ({"nobody": "x"}, "parameter 'nobody': unknown parameter"),
        (
            [
                ("person", "https://w3id.org/aigraph/id/person/jean-michel-jarre"),
                ("person", "https://w3id.org/aigraph/id/person/perrine-vincent"),
            ],
            "give each parameter once",
        ),
    ],
)
def test_bad_parameters_are_400_naming_them(
    server: str, params: dict[str, str] | list[tuple[str, str]], words: str
) -> None:
    response = httpx.get(server + "queries/person", params=params)
    assert response.status_code == 400 and words in response.text


@pytest.mark.parametrize(
    "path,headers,status,words",
    [
        (
            "queries",
            {"Accept": "text/csv"},
            406,
            "none of the acceptable media types (text/csv) is available for this answer; "
            "available: application/json, text/html",
        ),
        (
            "queries?format=csv",
            {},
            406,
            "format 'csv' is not available for the catalogue; available: html, json",
        ),
        (
            "queries/moderators",
            {"Accept": "application/ld+json"},
            406,
            "none of the acceptable media types (application/ld+json) is available for this "
            "answer; available: application/sparql-results+json, ",
        ),
        ("queries", {"Accept": "text/html;q=x"}, 400, "malformed Accept header"),
    ],
)
def test_what_the_catalogue_cannot_answer_is_said(
    server: str, path: str, headers: dict[str, str], status: int, words: str
) -> None:
    """406 (RFC 9110 §15.5.7) saying what was asked and what there is, as /sparql does."""
    response = httpx.get(server + path, headers=headers)
    assert response.status_code == status and words in response.text, response.text


def test_unknown_query_is_404(server: str) -> None:
    response = httpx.get(server + "queries/nope")
    assert response.status_code == 404
    assert "no query named 'nope' in the catalogue" in response.text


def test_html_table_escapes_what_it_shows(server: str) -> None:
    """A parameter is echoed as a column: a script in it is shown as text, never run."""
    probe = "<img src=x onerror=alert(1)>"
    html = httpx.get(server + "queries/sessions", params={"lang": probe, "format": "html"}).text
    assert probe not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="/id/session/2025-10-07-s01"' in html


def test_query_text(server: str) -> None:
    response = httpx.get(server + "queries/moderators.rq")
    assert response.headers["content-type"] == "application/sparql-query"
    assert response.text.startswith("# title: Moderators")
