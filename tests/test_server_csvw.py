"""A SELECT's CSV answer and its CSVW metadata (aigraph.server.csvw), read by an independent
CSV on the Web processor (the `csvw` package) that finds the metadata as the W3C Model for
Tabular Data §5.2 says: from the answer's `Link: rel="describedby"` header."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from csvw import CSVW

from aigraph.server.settings import Settings
from support import running_server

SPDX = "http://spdx.org/rdf/terms#"
PERSON = "<http://schema.org/Person>"
NAME = "<http://schema.org/name>"

QUERIES = [
    # an explicit projection, with an expression named by AS
    f"SELECT ?name (STR(?p) AS ?iri) WHERE {{ ?p a {PERSON} ; {NAME} ?name }} ORDER BY ?name",
    # SELECT *: the columns in the order the query names them (sniff.star_order)
    f"SELECT * WHERE {{ ?p a {PERSON} ; {NAME} ?name }} ORDER BY ?name LIMIT 5",
    # an unbound variable (an empty cell: null), non-ASCII text and a percent sign
    'SELECT ?x ?label WHERE { VALUES (?x ?label) { (UNDEF "Héloïse") ("100%41" "à l\'écran") } }',
    # DISTINCT, an aggregate, and a name that CSVW would have to encode
    f"SELECT DISTINCT (COUNT(?p) AS ?_n) WHERE {{ ?p a {PERSON} }}",
]


def csv_url(server: str, query: str, **extra: str) -> str:
    return (
        server + "sparql?" + urlencode({"query": query, "format": "csv", **extra}, quote_via=quote)
    )


def read_through_link(url: str) -> tuple[list[str], dict[str, Any]]:
    """The CSV answer at `url` (its header) and the table a CSVW processor reads from it,
    finding its metadata as Model for Tabular Data §5.2 says (HEAD, the Link, the metadata,
    the CSV): valid, naming this very URL, and with each row as the CSV has it, keyed by the
    header's names (an empty cell is null)."""
    table = list(csv.reader(io.StringIO(httpx.get(url, timeout=30).text)))
    header, rows = table[0], table[1:]
    assert rows, "the query should have an answer"
    read = CSVW(url, validate=True)
    assert read.warnings == [] and read.is_valid and not read.no_metadata
    (described,) = read.to_json()["tables"]
    assert described["url"] == url
    assert [row["describes"][0] for row in described["row"]] == [
        {name: value for name, value in zip(header, row, strict=True) if value != ""}
        for row in rows
    ]
    return header, described


@pytest.mark.parametrize("query", QUERIES)
def test_a_csvw_processor_reads_the_answer_with_its_metadata(server: str, query: str) -> None:
    _, described = read_through_link(csv_url(server, query))
    assert described["prov:wasGeneratedBy"]["schema:query"] == query


def test_the_metadata_says_what_the_answer_is_and_where_it_comes_from(server: str) -> None:
    query = QUERIES[0]
    answer = httpx.get(csv_url(server, query), headers={"Accept-Language": "en"})
    link = answer.headers["link"]
    assert link.endswith('; rel="describedby"; type="application/csvm+json"')
    target = link[1 : link.index(">")]
    metadata = httpx.get(target, headers={"Accept-Language": "en"})
    assert metadata.headers["content-type"] == "application/csvm+json"
    assert metadata.headers["etag"] and "Accept-Language" in metadata.headers["vary"]
    found = metadata.json()
    assert found["@context"] == ["http://www.w3.org/ns/csvw", {"@language": "en"}]
    assert found["url"] == str(answer.url)
    assert found["tableSchema"] == {"columns": [{"titles": "name"}, {"titles": "iri"}]}
    assert found["dc:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
    dataset = "https://w3id.org/aigraph/id/dataset/aigraph"
    assert found["dc:source"] == {"@id": dataset}
    assert found["prov:wasGeneratedBy"]["prov:used"] == {"@id": dataset}
    assert found["prov:wasGeneratedBy"]["prov:wasAssociatedWith"] == {"@id": server + "sparql"}
    assert found["dc:bibliographicCitation"].startswith("The aigraph developers (")
    assert found["dc:bibliographicCitation"].endswith("[dataset], version 0.1.0. " + dataset)
    # the data the query ran on: the served N-Quads file, and its checksum
    derived = found["prov:wasDerivedFrom"]
    assert derived["@id"] == server + "dumps/aigraph.nq"
    served = httpx.get(derived["@id"], timeout=60).content
    checksum = derived[SPDX + "checksum"]
    assert checksum[SPDX + "checksumValue"] == hashlib.sha256(served).hexdigest()
    assert checksum[SPDX + "algorithm"] == {"@id": SPDX + "checksumAlgorithm_sha256"}
    # in French, where the reader asks for it
    french = httpx.get(target, headers={"Accept-Language": "fr"}).json()
    assert french["@context"][1] == {"@language": "fr"}
    assert french["dc:title"].startswith("Une réponse du point d'accès SPARQL du jeu de données")
    assert "[jeu de données]" in french["dc:bibliographicCitation"]
    # a revisit is a 304
    again = httpx.get(target, headers={"If-None-Match": metadata.headers["etag"],
                                       "Accept-Language": "en"})  # fmt: skip
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("how", "has_link"),
    [
        ("GET csv", True),
        ("HEAD csv", True),
        ("GET csv by Accept", True),
        ("GET json", False),
        ("GET tsv", False),
        ("POST csv", False),  # its URL is not the query: nothing could name it
        ("QUERY csv", False),
        ("GET csv, a bad query", False),
    ],
)
def test_only_a_csv_answer_to_a_get_links_to_its_metadata(
    server: str, how: str, has_link: bool
) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1" if "bad" not in how else "SELECT ?s WHERE {"
    method, form = how.split()[:2]
    form = form.rstrip(",")
    url = server + "sparql"
    if method in ("GET", "HEAD"):
        params = {"query": query} | ({} if "Accept" in how else {"format": form})
        accept = "text/csv" if "Accept" in how else "*/*"
        answer = httpx.request(method, url, params=params, headers={"Accept": accept})
    else:
        answer = httpx.request(method, url, content=query, headers={
            "Content-Type": "application/sparql-query", "Accept": "text/csv"})  # fmt: skip
    assert answer.status_code == (400 if "bad" in how else 200)
    assert ("link" in answer.headers) is has_link
    if has_link:  # the metadata names this very answer
        target = answer.headers["link"][1 : answer.headers["link"].index(">")]
        assert httpx.get(target).json()["url"] == str(answer.url)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "give exactly one 'query' parameter"),
        ({"query": ["SELECT * {}", "SELECT * {}"]}, "give exactly one 'query' parameter"),
        ({"query": "ASK {}"}, "only a SELECT query has a CSV answer"),
        ({"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, "only a SELECT query has a CSV answer"),
        ({"query": "INSERT DATA { <a:b> <a:b> <a:b> }"}, "only a SELECT query has a CSV answer"),
        ({"query": "SELECT * {}", "format": "json"}, "describes CSV answers, not format='json'"),
    ],
)
def test_metadata_for_what_has_no_csv_answer_is_refused(
    server: str, params: dict[str, object], message: str
) -> None:
    answer = httpx.get(server + "csvm", params=params)  # type: ignore[arg-type]
    assert answer.status_code == 400 and message in answer.text


def test_other_data_is_described_without_the_bundled_datasets_licence(tmp_path: Path) -> None:
    """Served with `--data`, the answer is still described (its query, its columns, the
    endpoint), but not as the bundled dataset: its licence and citation are not known."""
    data = tmp_path / "other.ttl"
    data.write_text('<urn:x:a> <urn:x:name> "Ada" .\n')
    with running_server(Settings(bundled=False, workers=1, data=[data])) as url:
        query = "SELECT ?name WHERE { ?s <urn:x:name> ?name }"
        read = CSVW(csv_url(url, query), validate=True)
        assert read.warnings == [] and read.is_valid
        (described,) = read.to_json()["tables"]
        assert [row["describes"][0] for row in described["row"]] == [{"name": "Ada"}]
        assert not {"dc:license", "dc:source", "dc:bibliographicCitation"} & set(described)
        assert described["prov:wasGeneratedBy"]["schema:query"] == query


# The catalogue's CSV answers: (query name, its parameters as given, the terms the metadata
# must say were bound, given or default: an IRI as a node, a literal as its lexical form)
PERSON_ID = "https://w3id.org/aigraph/id/person/"
CANNED = [
    ("moderators", {}, []),
    ("person", {}, [("person", {"@id": PERSON_ID + "perrine-vincent"}), ("lang", "fr")]),  # defaults
    ("person", {"person": PERSON_ID + "jean-michel-jarre"},
     [("person", {"@id": PERSON_ID + "jean-michel-jarre"}), ("lang", "fr")]),
    ("topics", {"lang": "en"}, [("lang", "en")]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "params", "bound"), CANNED)
def test_a_csvw_processor_reads_a_catalogue_answer_with_its_metadata(
    server: str, name: str, params: dict[str, str], bound: list[tuple[str, object]]
) -> None:
    """The processor reads the table through the answer's Link; the metadata itself, asked
    for in English, names the query, its title and question and the bound parameters."""
    url = f"{server}queries/{name}?" + urlencode({**params, "format": "csv"}, quote_via=quote)
    header, described = read_through_link(url)
    entry = httpx.get(server + "queries", params={"format": "json"}).json()["queries"]
    (about,) = [q for q in entry if q["name"] == name]
    assert described["dc:title"] in about["title"].values()
    link = httpx.head(url).headers["link"]
    found = httpx.get(link[1 : link.index(">")], headers={"Accept-Language": "en"}).json()
    assert found["url"] == url
    assert found["dc:title"] == about["title"]["en"]
    assert found["dc:description"].startswith(about["question"]["en"] + "\n\n")
    assert found["tableSchema"]["columns"] == [{"titles": column} for column in header]
    activity = found["prov:wasGeneratedBy"]
    assert activity["schema:query"] == httpx.get(about["text"]).text
    # the query, by its IRI: described in the data, with its text (graph:queries)
    assert activity["prov:used"] == [
        {"@id": "https://w3id.org/aigraph/id/dataset/aigraph"},
        {"@id": about["iri"]},
    ]
    given = activity.get("schema:additionalProperty", [])
    assert [(p["schema:name"], p["schema:value"]) for p in given] == bound
    assert all(p["@type"] == "schema:PropertyValue" for p in given)


@pytest.mark.parametrize(
    ("path", "params", "accept", "status", "has_link"),
    [
        ("queries/moderators", {"format": "csv"}, "*/*", 200, True),
        ("queries/moderators", {}, "text/csv", 200, True),  # by Accept: no query string
        ("queries/moderators", {"format": "json"}, "*/*", 200, False),
        ("queries/moderators", {"format": "tsv"}, "*/*", 200, False),
        ("queries/moderators", {}, "text/html", 200, False),
        ("queries/person", {"person": "not an IRI", "format": "csv"}, "*/*", 400, False),
    ],
)
def test_only_a_catalogue_csv_answer_links_to_its_metadata(
    server: str, path: str, params: dict[str, str], accept: str, status: int, has_link: bool
) -> None:
    answer = httpx.get(server + path, params=params, headers={"Accept": accept})
    assert answer.status_code == status
    assert ("link" in answer.headers) is has_link
    if has_link:
        target = answer.headers["link"][1 : answer.headers["link"].index(">")]
        assert target.startswith(server + path + "/csvm")
        metadata = httpx.get(target)
        assert metadata.status_code == 200 and metadata.json()["url"] == str(answer.url)


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [
        ("queries/nothing/csvm", {}, 404, "no query named 'nothing' in the catalogue"),
        ("queries/person/csvm", {"person": "x"}, 400, "parameter 'person': not an absolute IRI"),
        ("queries/person/csvm", {"who": "x"}, 400, "parameter 'who': unknown parameter"),
        ("queries/topics/csvm", {"format": "json"}, 400, "not format='json'"),
    ],
)
def test_catalogue_metadata_for_no_csv_answer_is_refused(
    server: str, path: str, params: dict[str, str], status: int, message: str
) -> None:
    answer = httpx.get(server + path, params=params)
    assert answer.status_code == status and message in answer.text


def test_the_catalogue_page_links_its_csv_to_its_metadata(server: str) -> None:
    """The answer's page (no JavaScript) offers the CSV and, beside it, the metadata whose
    `url` is that CSV's link."""
    iri = PERSON_ID + "jean-michel-jarre"
    page = httpx.get(server + "queries/person", params={"person": iri, "format": "html"}).text
    csv_href = re.search(r'<a href="(\?[^"]*)">CSV</a>', page)
    csvw_href = re.search(r'<a href="(/queries/person/csvm\?[^"]*)"[^>]*>CSVW</a>', page)
    assert csv_href and csvw_href
    csv_url_ = server + "queries/person" + html.unescape(csv_href.group(1))
    metadata = httpx.get(server.rstrip("/") + html.unescape(csvw_href.group(1))).json()
    assert metadata["url"] == csv_url_
    assert httpx.get(csv_url_).headers["link"].startswith("<" + server + "queries/person/csvm?")
