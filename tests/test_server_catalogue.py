"""The query catalogue over HTTP: listed as data, run in every results format with
parameters bound by the engine, errors naming the parameter, output escaped."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from aigraph.catalogue import CatalogueQuery, query_body
from aigraph.namespaces import CANONICAL_BASE, SH
from aigraph.server.settings import Settings
from support import running_server


def test_catalogue_as_json(server: str) -> None:
    data = httpx.get(server + "queries", headers={"Accept": "application/json"}).json()
    names = {q["name"] for q in data["queries"]}
    assert {"sessions", "participants", "moderators", "evidence", "sectors"} <= names
    person = next(q for q in data["queries"] if q["name"] == "person")
    assert person["parameters"][0]["name"] == "person" and person["parameters"][0]["type"] == "iri"
    assert person["title"]["fr"] and person["question"]["en"]
    # the query's IRI, described in the data (graph:queries) with the same question
    assert person["iri"] == CANONICAL_BASE + "id/query/person"
    described = Graph().parse(data=httpx.get(server + "id/query/person.ttl").text, format="turtle")
    questions = {str(q) for q in described.objects(URIRef(person["iri"]), RDFS.comment)}
    assert questions == set(person["question"].values())


def test_catalogue_as_html(server: str) -> None:
    html = httpx.get(server + "queries", headers={"Accept": "text/html"}).text
    assert 'href="/queries/moderators?format=html"' in html
    assert 'href="/id/query/moderators"' in html  # its description, in the data


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
    assert response.text == "no query named 'nope' in the catalogue\n"
    for path in ("queries/participant", "queries/participant.rq", "queries/participant/csvm"):
        response = httpx.get(server + path)
        assert response.status_code == 404, path
        assert "no query named 'participant' in the catalogue; did you mean 'participants'?" in (
            response.text
        )


ID = CANONICAL_BASE + "id/"


@pytest.mark.parametrize(
    ("fmt", "filename"),
    [
        ("csv", "participants.csv"),
        ("tsv", "participants.tsv"),
        ("json", "participants.json"),
        ("xml", "participants.xml"),
        ("html", None),  # a page, not a file
    ],
)
def test_a_saved_answer_is_named_for_its_query(server: str, fmt: str, filename: str | None) -> None:
    response = httpx.get(server + "queries/participants", params={"format": fmt})
    assert response.status_code == 200
    if filename is None:
        assert "content-disposition" not in response.headers
    else:
        assert response.headers["content-disposition"] == f'inline; filename="{filename}"'


@pytest.mark.parametrize(
    ("params", "chosen"),
    [({"lang": "en"}, "en"), ({"lang": "FR"}, "fr"), ({}, "fr")],
)
def test_a_language_parameter_is_chosen_among_the_datas(
    server: str, params: dict[str, str], chosen: str
) -> None:
    """A list of the languages the data has text in, not a box to type a tag into that the
    query may refuse; the IRI parameter stays a box."""
    page = httpx.get(server + "queries/person", params={**params, "format": "html"},
                     headers={"Accept-Language": "fr"}).text  # fmt: skip
    options = re.search(r'<select id="p-lang" name="lang">(.*?)</select>', page)
    assert options is not None
    assert re.findall(r"<option(?: selected)?>(\w+)</option>", options.group(1)) == ["en", "fr"]
    assert f"<option selected>{chosen}</option>" in options.group(1)
    assert '<input id="p-person" name="person" value="' in page


@pytest.mark.parametrize(
    ("query", "params", "status", "says"),
    [
        # a mistyped or stale IRI: said, with the search that finds what it meant, where it
        # was an empty answer that read "took part in nothing"
        ("person", {"person": ID + "person/jean-michel-jar"}, 404,
         f"parameter 'person': this data says nothing of <{ID}person/jean-michel-jar> "
         "(search: /search?q=jean+michel+jar)"),
        ("evidence", {"entity": "https://example.org/x/2025"}, 404,
         "parameter 'entity': this data says nothing of <https://example.org/x/2025>\n"),
        # an IRI the data has, which is no person: the empty answer is the true one
        ("person", {"person": ID + "organisation/cnc"}, 200, "person,name,session"),
        ("person", {"person": ID + "person/jean-michel-jarre"}, 200, "Jean-Michel Jarre"),
    ],
)  # fmt: skip
def test_an_iri_the_data_says_nothing_of_is_said_so(
    server: str, query: str, params: dict[str, str], status: int, says: str
) -> None:
    response = httpx.get(server + "queries/" + query, params={**params, "format": "csv"})
    assert response.status_code == status, response.text
    assert says in response.text
    if status == 404:  # a browser: the page around the same sentence
        page = httpx.get(server + "queries/" + query, params=params,
                         headers={"Accept": "text/html"})  # fmt: skip
        assert page.status_code == 404 and says.strip() in html.unescape(page.text)


@pytest.mark.parametrize(
    ("path", "status", "target"),
    [
        ("queries/participants.csv", 301, "queries/participants?format=csv"),
        ("queries/topics.tsv?lang=en", 301, "queries/topics?lang=en&format=tsv"),
        ("queries/sessions.json", 301, "queries/sessions?format=json"),
        ("queries/sessions.HTML", 301, "queries/sessions?format=html"),
        ("queries/topics.csv?format=csv", 301, "queries/topics?format=csv"),
        # two formats asked for: neither is chosen in silence
        ("queries/topics.csv?format=json", 400, "the extension .csv and format=json ask for two"),
        ("queries/nope.csv", 404, "no query named 'nope.csv'"),
        ("queries/topics.png", 404, "no query named 'topics.png'"),
    ],
)
def test_a_query_with_a_formats_extension_is_its_answer_in_that_format(
    server: str, path: str, status: int, target: str
) -> None:
    """`/queries/participants.csv`, as a Datasette user writes it (and as the entities' pages
    take `.ttl`): a redirect to the answer's one URL, whose CSVW metadata names it."""
    response = httpx.get(server + path)
    assert response.status_code == status, response.text
    if status != 301:
        assert target in response.text
        return
    assert response.headers["location"] == server + target
    followed = httpx.get(server + path, follow_redirects=True)
    direct = httpx.get(server + target)
    assert followed.status_code == 200 and followed.content == direct.content
    assert followed.headers["content-type"] == direct.headers["content-type"]


def test_html_table_escapes_what_it_shows() -> None:
    """A value of the answer (a literal of served data, a parameter echoed as a column) is
    shown as text, never run."""
    import json
    from types import SimpleNamespace

    from aigraph.catalogue import load_catalogue
    from aigraph.project import Project
    from aigraph.server.catalogue_routes import results_page

    probe = "<img src=x onerror=alert(1)>"
    answer = {
        "head": {"vars": ["session", "title"]},
        "results": {"bindings": [{
            "session": {"type": "uri", "value": CANONICAL_BASE + "id/session/2025-10-07-s01"},
            "title": {"type": "literal", "value": probe, "xml:lang": "fr"},
        }]},
    }  # fmt: skip
    entry = load_catalogue(Project.default().queries_dir)["sessions"]
    services = SimpleNamespace(settings=Settings(base_iri=CANONICAL_BASE), data=None)
    page = results_page(services, entry, {}, "fr", json.dumps(answer).encode(), False)  # type: ignore[arg-type]
    assert probe not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'href="/id/session/2025-10-07-s01"' in page


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({"lang": "de"}, 400, "parameter 'lang': no text of this data is in 'de' (its languages: en, fr)"),
        ({"lang": "<img src=x>"}, 400, "parameter 'lang': not a language tag"),
        ({"lang": "EN"}, 200, "artistic experimentation,https://w3id.org/aigraph/id/session/2025-10-07-s06,en"),
        ({}, 200, "expérimentation artistique,https://w3id.org/aigraph/id/session/2025-10-07-s06,fr"),
    ],
)  # fmt: skip
def test_a_language_is_one_the_data_has(
    server: str, params: dict[str, str], status: int, says: str
) -> None:
    """Before, `topics?lang=de` was a 200 with no row, and `lang=EN` too (the engine keeps
    tags in lower case): an empty answer that reads as a true one."""
    for path in ("queries/topics", "queries/topics/csvm"):
        response = httpx.get(server + path, params={**params, "format": "csv"})
        assert response.status_code == status, (path, response.text)
        if status != 200:
            assert says in response.text
    if status == 200:
        assert says in httpx.get(server + "queries/topics", params={**params, "format": "csv"}).text


S07 = "https://w3id.org/aigraph/id/session/2025-10-07-s07"
MODERATOR = "https://w3id.org/aigraph/concept/role/moderator"
PERRINE = "https://w3id.org/aigraph/id/person/perrine-vincent"


@pytest.mark.parametrize(
    ("lang", "iri", "href", "text"),
    [
        ("fr", S07, "/id/session/2025-10-07-s07", "Table ronde : recherche-création et expérimentation artistique"),
        ("en", S07, "/id/session/2025-10-07-s07", "Round table: research-creation and artistic experimentation"),
        ("fr", PERRINE, "/id/person/perrine-vincent", "Perrine Vincent"),
        # a concept the search does not index (a role, a sector …): its skos:prefLabel, where
        # its prefixed name (role:moderator) was shown
        ("fr", MODERATOR, "/concept/role/moderator", "modérateur·rice"),
        ("en", MODERATOR, "/concept/role/moderator", "moderator"),
    ],
)  # fmt: skip
def test_html_table_shows_an_iri_by_its_label(
    server: str, lang: str, iri: str, href: str, text: str
) -> None:
    """As the editor shows it: each IRI by its label in the page's language, linked to its
    page, whole in its title."""
    page = httpx.get(
        server + "queries/person", params={"person": PERRINE, "format": "html", "lang": lang}
    ).text
    cells = re.findall(r'<td><a href="([^"]*)" title="([^"]*)">([^<]*)</a></td>', page)
    shown = {(h, title): html.unescape(t) for h, title, t in cells}
    assert shown[(href, iri)] == text


@pytest.mark.parametrize(
    ("iri", "lang", "label"),
    [
        (MODERATOR, "en", "moderator"),
        (
            "https://w3id.org/aigraph/concept/sector/public-body",
            "fr",
            "établissement ou service public",
        ),
        ("https://w3id.org/aigraph/concept/session-kind/round-table", "en", "round table"),
        (PERRINE, "en", "Perrine Vincent"),
        # nothing to say: no entry, and the editor shows the prefixed name
        ("https://w3id.org/aigraph/id/selector/s06-quote", "en", None),
        ("https://w3id.org/aigraph/id/person/nobody", "en", None),
    ],
)
def test_the_editor_gets_the_label_of_any_iri_the_data_labels(
    server: str, iri: str, lang: str, label: str | None
) -> None:
    found = httpx.get(server + "ui/labels", params={"iri": iri, "lang": lang}).json()
    assert found.get(iri, {}).get("label") == label


@pytest.mark.parametrize(
    ("params", "accept_language", "label", "csv_lang"),
    [
        # a page: its language, chosen by Accept-Language or ?lang=, is the labels' language
        ({"format": "html"}, "en", "moderator", "en"),
        ({"format": "html"}, "fr", "modérateur·rice", "fr"),
        ({"format": "html", "lang": "en"}, "fr", "moderator", "en"),
        # a download: the query's default (French) unless `lang` is given, whoever asks
        ({"format": "csv"}, "en", "modérateur·rice", None),
        ({"format": "csv", "lang": "en"}, "fr", "moderator", None),
    ],
)
def test_role_labels_follow_the_language_asked_for(
    server: str, params: dict[str, str], accept_language: str, label: str, csv_lang: str | None
) -> None:
    response = httpx.get(
        server + "queries/participants",
        params=params,
        headers={"Accept-Language": accept_language},
    )
    if params["format"] == "csv":
        rows = list(csv.DictReader(io.StringIO(response.text)))
        moderators = {r["name"] for r in rows if r["roleLabel"] == label}
    else:
        columns = re.findall(r'<th scope="col">([^<]+)</th>', response.text)
        cells = [
            [
                html.unescape(re.sub(r"<[^>]+>", "", cell))
                for cell in re.findall(r"<td>(.*?)</td>", tr)
            ]
            for tr in re.findall(r"<tr>(<td>.*?)</tr>", response.text)
        ]
        rows = [dict(zip(columns, row, strict=True)) for row in cells]
        moderators = {r["name"] for r in rows if r["roleLabel"] == label}
        # the page's download gives the table it shows
        assert f"lang={csv_lang}&amp;format=csv" in response.text
    assert moderators == {
        "Anastasia Svoboda",
        "Pauline Augrain",
        "Perrine Vincent",
        "Leslie Thomas",
    }


def test_query_text(server: str) -> None:
    response = httpx.get(server + "queries/moderators.rq")
    assert response.headers["content-type"] == "application/sparql-query"
    assert response.text.startswith("# title: Moderators")


# The catalogue in the endpoint, as SIB's SPARQL examples are published: the question a tool
# such as sparql-llm or SIB's SPARQL editor asks an endpoint to find its examples
EXAMPLES = """PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
SELECT ?example ?question ?text ?target ?page WHERE {
  ?example a sh:SPARQLExecutable ; rdfs:comment ?question ; sh:select ?text ;
           schema:target ?target ; rdfs:seeAlso ?page
  FILTER (lang(?question) = "en")
} ORDER BY ?example"""


def test_the_endpoint_lists_its_own_examples(
    server: str, catalogue: dict[str, CatalogueQuery]
) -> None:
    """Each catalogue query is in the endpoint (graph:queries) with its English question,
    its text, the endpoint it is for and the page that runs it; the text, run as it is (a
    parameter left unbound), answers with the catalogue's columns."""
    answer = httpx.post(server + "sparql", data={"query": EXAMPLES},
                        headers={"Accept": "application/sparql-results+json"}).json()  # fmt: skip
    rows = {
        r["example"]["value"].rsplit("/", 1)[1]: {k: v["value"] for k, v in r.items()}
        for r in answer["results"]["bindings"]
    }
    assert sorted(rows) == sorted(catalogue)
    for name, entry in catalogue.items():
        row = rows[name]
        assert row["question"] == entry.question["en"]
        assert row["text"] == query_body(entry.text) and row["text"].lstrip().startswith("PREFIX")
        assert row["target"] == CANONICAL_BASE + "sparql"  # the data's base (the server's)
        assert row["page"] == CANONICAL_BASE + f"queries/{name}"
        ran = httpx.post(server + "sparql", data={"query": row["text"]},
                         headers={"Accept": "application/sparql-results+json"})  # fmt: skip
        assert ran.status_code == 200, (name, ran.text[:200])
        assert tuple(ran.json()["head"]["vars"]) == entry.columns, name


def test_an_example_dereferences_to_its_description(server: str) -> None:
    url = server + "id/query/person"
    turtle = httpx.get(url, headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert turtle.status_code == 200
    described = Graph().parse(data=turtle.text, format="turtle")
    node = URIRef(CANONICAL_BASE + "id/query/person")
    assert (node, RDF.type, SH.SPARQLSelectExecutable) in described
    assert {str(t) for t in described.objects(node, RDFS.label)} == {
        "Everything about one person", "Tout sur une personne"}  # fmt: skip
    page = httpx.get(url, headers={"Accept": "text/html"}, follow_redirects=True).text
    assert "Tout sur une personne" in page and 'href="/queries/person"' in page


def test_other_data_has_the_catalogue_without_its_descriptions(tmp_path: Path) -> None:
    """Served without the bundled data, the catalogue still runs, but names no query IRI:
    the queries' descriptions (graph:queries) are part of the bundled data."""
    data = tmp_path / "other.ttl"
    data.write_text('<urn:x:a> <http://schema.org/name> "Ada" .\n')
    with running_server(Settings(bundled=False, workers=1, data=[data])) as url:
        catalogue = httpx.get(url + "queries", params={"format": "json"}).json()["queries"]
        assert catalogue and all(q["iri"] is None for q in catalogue)
        assert 'href="/id/query/' not in httpx.get(url + "queries", params={"format": "html"}).text
        assert httpx.get(url + "id/query/person").status_code == 404
        examples = httpx.post(url + "sparql", data={"query": EXAMPLES},
                              headers={"Accept": "application/sparql-results+json"}).json()  # fmt: skip
        assert examples["results"]["bindings"] == []
        # an answer's CSVW metadata names the query by its text, not by an IRI it lacks here
        csvm = httpx.get(url + "queries/moderators/csvm", params={"format": "csv"}).json()
        assert csvm["prov:wasGeneratedBy"]["prov:used"] == {"@id": url + "queries/moderators.rq"}
