"""The dataset's files over HTTP (/dumps/) and its DCAT/VoID description (/.well-known/void),
checked with independent parsers against a real server: every RDF dump is the dataset the
endpoint serves, every checksum is the file's, and a write renders them again."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import sys
import time
from html import unescape as html_unescape
from pathlib import Path

import httpx
import networkx as nx
import psutil
import pytest
from pydantic import SecretStr
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import to_isomorphic

from aigraph.namespaces import DCAT, DCTERMS, ONTOLOGY_IRI, VOID, graph_iri
from aigraph.server.settings import Settings
from support import files_listed, running_server

SPDX = "http://spdx.org/rdf/terms#"


@pytest.fixture(scope="module")
def listing(server: str) -> dict[str, dict[str, object]]:
    response = httpx.get(server + "dumps/", headers={"Accept": "application/json"}, timeout=60)
    assert response.status_code == 200
    return {f["name"]: f for f in response.json()["files"]}


def served_facts(server: str) -> Graph:
    """The facts the endpoint serves (every graph but the evidence and the ontology), read
    through SPARQL, not through the dumps."""
    query = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
        FILTER (?g NOT IN (<{graph_iri("provenance")}>, <{ONTOLOGY_IRI}>)) }}"""
    response = httpx.post(
        server + "sparql", data={"query": query}, headers={"Accept": "application/n-triples"}
    )
    return Graph().parse(data=response.text, format="nt")


def test_listing_names_every_file_with_size_and_checksum(
    server: str, listing: dict[str, dict[str, object]]
) -> None:
    assert {"aigraph.trig", "aigraph.nq", "aigraph.ttl", "aigraph.rdf", "aigraph.jsonld"} <= set(
        listing
    )
    assert {"sessions.jsonld", "participations.csv", "network.graphml", "void.ttl"} <= set(listing)
    for name, entry in listing.items():
        response = httpx.get(str(entry["url"]))
        assert response.status_code == 200, name
        assert hashlib.sha256(response.content).hexdigest() == entry["sha256"], name
        assert len(response.content) == entry["size"]
        assert response.headers["content-type"].split(";")[0] == entry["media_type"]
        assert f'filename="{name}"' in response.headers["content-disposition"]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("aigraph.trig", "trig"), ("aigraph.nq", "nquads")],
)
def test_quad_dumps_are_the_served_dataset(server: str, name: str, fmt: str) -> None:
    parsed = Dataset()
    parsed.parse(data=httpx.get(server + "dumps/" + name).content, format=fmt)
    served = httpx.get(
        server + "sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    ).json()
    assert len(list(parsed.quads((None, None, None, None)))) == int(
        served["results"]["bindings"][0]["n"]["value"]
    )
    jarre = URIRef("https://w3id.org/aigraph/id/person/jean-michel-jarre")
    graphs = {str(g) for _, _, _, g in parsed.quads((jarre, None, None, None))}
    assert any("/id/claim/" in g for g in graphs)  # named graphs kept


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("aigraph.ttl", "turtle"), ("aigraph.nt", "nt"), ("aigraph.rdf", "xml")],
)
def test_triple_dumps_are_the_facts(server: str, name: str, fmt: str) -> None:
    parsed = Graph().parse(data=httpx.get(server + "dumps/" + name).content, format=fmt)
    assert to_isomorphic(parsed) == to_isomorphic(served_facts(server))
    assert not any("/id/selector/" in str(s) for s in parsed.subjects())


def test_csv_and_network_dumps_parse(server: str) -> None:
    rows = list(csv.DictReader(io.StringIO(httpx.get(server + "dumps/participations.csv").text)))
    assert len(rows) == 29
    graph = nx.parse_graphml(httpx.get(server + "dumps/network.graphml").text)
    assert sum(1 for _, d in graph.nodes(data=True) if d["kind"] == "person") == 27
    sessions = json.loads(httpx.get(server + "dumps/sessions.jsonld").content)
    assert [int(s["position"]) for s in sessions["@graph"]] == list(range(1, 11))


@pytest.mark.parametrize("name", ["people.csv", "participations.csv", "links.csv"])
def test_a_csvw_processor_finds_a_tables_metadata_from_the_table(server: str, name: str) -> None:
    """A CSV dump links to the tables' CSVW metadata (aigraph.tabular), which the processor
    follows (Model for Tabular Data §5.2) and validates the table against."""
    from csvw import CSVW

    url = server + "dumps/" + name
    answer = httpx.get(url)
    target = server + "dumps/csv-metadata.json"
    assert answer.headers["link"] == f'<{target}>; rel="describedby"; type="application/csvm+json"'
    metadata = httpx.get(target)
    assert metadata.headers["content-type"].startswith("application/csvm+json")
    read = CSVW(url, validate=True)
    assert not read.no_metadata and read.is_valid, [str(w.message) for w in read.warnings]
    (table,) = [t for t in read.to_json()["tables"] if t["url"] == url]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(table["row"]) == len(rows) > 0
    # typed as the metadata says: a count or an offset is a number, not a string
    first = table["row"][0]["describes"][0]
    typed = {"people.csv": "participations", "participations.csv": "start",
             "links.csv": "confidence"}[name]  # fmt: skip
    assert isinstance(first[typed], (int, float)) and str(first[typed]) == rows[0][typed]


@pytest.mark.parametrize(
    ("name", "described_by"),
    [
        ("people.csv", "dumps/csv-metadata.json"),
        ("aigraph.ttl", ".well-known/void"),
        ("aigraph.nq", ".well-known/void"),
        ("network.graphml", ".well-known/void"),
        ("void.ttl", None),  # the descriptions themselves
        ("csv-metadata.json", None),
    ],
)
def test_a_downloaded_file_names_its_description(
    server: str, name: str, described_by: str | None
) -> None:
    """A file saved to disk loses its page: its response names where its licence and source
    are said. A data file links to the dataset's VoID description, which lists it with its
    checksum; a CSV table to the tables' CSVW metadata (one describedby only, which a CSVW
    processor needs)."""
    answer = httpx.get(server + "dumps/" + name, timeout=60)
    if described_by is None:
        assert "link" not in answer.headers
        return
    link = answer.headers["link"]
    assert link.startswith(f'<{server}{described_by}>; rel="describedby"')
    if described_by == ".well-known/void":
        void = Graph().parse(data=httpx.get(server + described_by).text, format="turtle")
        url = URIRef(server + "dumps/" + name)
        checksum = void.value(
            void.value(url, URIRef(SPDX + "checksum")), URIRef(SPDX + "checksumValue")
        )
        assert str(checksum) == hashlib.sha256(answer.content).hexdigest()
        assert void.value(url, DCTERMS.license) is not None  # the bundled dataset's files


def test_void_lists_the_downloads_with_their_checksums(
    server: str, listing: dict[str, dict[str, object]]
) -> None:
    response = httpx.get(server + ".well-known/void", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=response.content, format="turtle")
    dataset = URIRef("https://w3id.org/aigraph/id/dataset/aigraph")
    found = {}
    for dist in g.objects(dataset, DCAT.distribution):
        checksum = g.value(dist, URIRef(SPDX + "checksum"))
        found[str(dist)] = str(g.value(checksum, URIRef(SPDX + "checksumValue")))
    assert found == {str(e["url"]): e["sha256"] for e in listing.values()}
    assert {t.language for t in g.objects(dataset, DCTERMS.title)} == {"fr", "en"}
    assert str(g.value(dataset, DCTERMS.license)) == "https://creativecommons.org/licenses/by/4.0/"
    # JSON-LD too, by conneg
    as_jsonld = httpx.get(server + ".well-known/void", headers={"Accept": "application/ld+json"})
    assert as_jsonld.headers["content-type"].startswith("application/ld+json")
    assert len(Graph().parse(data=as_jsonld.content, format="json-ld")) == len(g)


def test_the_downloads_page_describes_each_file_in_the_readers_language(
    server: str, listing: dict[str, dict[str, object]]
) -> None:
    """Each file's description in French and in English: the JSON gives both, the page the
    reader's (a French page said what each file holds in English)."""
    for name, entry in listing.items():
        assert entry["description_fr"] and entry["description_fr"] != entry["description"], name
    for lang, key in (("fr", "description_fr"), ("en", "description")):
        page = html_unescape(
            httpx.get(
                server + "dumps/", headers={"Accept": "text/html", "Accept-Language": lang}
            ).text
        )
        for name, entry in listing.items():
            assert str(entry[key]) in page, (lang, name)
    assert "Le jeu de données entier en N-Quads" in str(listing["aigraph.nq"]["description_fr"])
    assert "Une ligne par personne" in str(listing["people.csv"]["description_fr"])


def test_every_page_links_to_the_dataset_description(server: str) -> None:
    for path in ("id/person/jean-michel-jarre", "queries", "dumps/", "sparql"):
        html = httpx.get(server + path, headers={"Accept": "text/html"}).text
        assert 'href="/.well-known/void"' in html, path


def test_unknown_dump_is_404_and_head_has_no_body(server: str) -> None:
    missing = httpx.get(server + "dumps/nothing.ttl")
    assert missing.status_code == 404 and "no file named 'nothing.ttl'" in missing.text
    assert "did you mean" not in missing.text  # nothing near enough to name
    for typed, meant in (("aigraph.turtle", "aigraph.ttl"), ("people.tsv", "people.csv")):
        missing = httpx.get(server + "dumps/" + typed)
        assert missing.status_code == 404
        assert f"no file named {typed!r} in /dumps/; did you mean {meant!r}?" in missing.text
    traversal = httpx.get(server + "dumps/..%2Fpyproject.toml")
    assert traversal.status_code == 404 and "[project]" not in traversal.text
    head = httpx.head(server + "dumps/aigraph.ttl")
    assert head.status_code == 200 and head.content == b""


def test_dumps_follow_writes_and_limits() -> None:
    """A write renders the files again; a dataset over the limit gets a clear 404, and its
    VoID still answers (without files)."""
    token = "dump-token"
    settings = Settings(workers=1, update_token=SecretStr(token))
    with running_server(settings) as url:
        before = httpx.get(url + "dumps/aigraph.nq").text
        update = "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> <https://example.org/b> 'new' } }"
        response = httpx.post(
            url + "sparql",
            data={"update": update},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code in (200, 204)
        after = httpx.get(url + "dumps/aigraph.nq").text
        assert "<https://example.org/a>" in after and "<https://example.org/a>" not in before
    with running_server(Settings(workers=1, max_dump_triples=10)) as url:
        refused = httpx.get(url + "dumps/aigraph.ttl")
        assert refused.status_code == 404 and "max_dump_triples" in refused.text
        void = Graph().parse(data=httpx.get(url + ".well-known/void").content, format="turtle")
        assert not list(void.objects(None, DCAT.distribution))
        dataset = URIRef("https://w3id.org/aigraph/id/dataset/aigraph")
        assert int(void.value(dataset, VOID.triples)) > 2000  # type: ignore[arg-type]


def test_a_rendering_under_way_holds_no_request() -> None:
    """While the files are rendered, a request waits at most `dumps_wait` (here 0): /dumps/
    answers 503 with Retry-After, the dataset's description comes at once without its files
    and marked for no cache to keep; the rendering goes on, and a later request has them."""
    with running_server(Settings(workers=1, dumps_wait=0)) as url:
        for path in ("dumps/", "dumps/aigraph.nq"):
            waiting = httpx.get(url + path, headers={"Accept": "application/json"})
            assert waiting.status_code == 503, (path, waiting.text)
            assert waiting.headers["retry-after"] == "5"
            assert "The files of this version of the data are being rendered" in waiting.text
        dataset = URIRef("https://w3id.org/aigraph/id/dataset/aigraph")
        for path in (".well-known/void", "id/dataset/aigraph"):
            early = httpx.get(url + path, headers={"Accept": "text/turtle"})
            assert early.status_code == 200, path
            assert early.headers["cache-control"] == "no-store" and "etag" not in early.headers
            described = Graph().parse(data=early.content, format="turtle")
            assert not list(described.objects(dataset, DCAT.distribution)), path
            assert int(described.value(dataset, VOID.triples)) > 2000  # type: ignore[arg-type]

        listing = files_listed(url)  # no request waits for it: it goes on by itself
        urls = {f["url"] for f in listing.json()["files"]}
        assert url + "dumps/aigraph.nq" in urls
        late = httpx.get(url + ".well-known/void", headers={"Accept": "text/turtle"})
        assert late.headers["cache-control"].startswith("public") and "etag" in late.headers
        described = Graph().parse(data=late.content, format="turtle")
        assert {str(d) for d in described.objects(dataset, DCAT.distribution)} == urls


@pytest.fixture(scope="module")
def slow_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data whose files take half a minute to render."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from generate import generate

    data = tmp_path_factory.mktemp("slow") / "data.nq"
    data.write_text(generate(30_000), encoding="utf-8")
    return data


def renderers(process: psutil.Process, deadline: float) -> list[psutil.Process]:
    """The children of `process` rendering the files, once there is one (by `deadline`)."""
    while time.monotonic() < deadline:
        found = []
        for child in process.children(recursive=True):
            with contextlib.suppress(psutil.Error):  # it may end as it is listed
                if "aigraph.server.dumps" in child.cmdline():
                    found.append(child)
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("the files were not rendered in a child process")


def test_a_stopped_server_stops_its_rendering(slow_data: Path) -> None:
    """A server stopped while it renders the files in the background (no request waits for
    them) stops at once and takes the rendering child with it; it does not wait for it."""
    settings = Settings(bundled=False, data=[slow_data], workers=1, dumps_wait=0)
    with running_server(settings) as url:
        assert httpx.get(url + "dumps/").status_code == 503
        (renderer,) = renderers(psutil.Process(), time.monotonic() + 30)
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 10, "the server waited for the rendering"
    gone, _ = psutil.wait_procs([renderer], timeout=3)
    assert gone, f"the rendering child {renderer.pid} outlived the server"


def test_other_data_is_not_described_as_the_bundled_dataset(tmp_path: Path) -> None:
    """Served with other data (`--no-bundled`), the files and their descriptions say nothing
    the bundled dataset's editors say (its title, licence, citation): that data's licence is
    not known. The tables' CSVW metadata still describes the tables."""
    from csvw import CSVW

    data = tmp_path / "other.ttl"
    data.write_text('<urn:x:a> a <http://schema.org/Person> ; <http://schema.org/name> "Ada" .\n')
    with running_server(Settings(bundled=False, workers=1, data=[data])) as url:
        metadata = httpx.get(url + "dumps/csv-metadata.json", timeout=60).json()
        assert not {"dc:license", "dc:source", "dc:bibliographicCitation"} & set(metadata)
        assert metadata["dc:title"][0]["@value"] == "The CSV tables of the data served by aigraph"
        read = CSVW(url + "dumps/people.csv", validate=True)
        assert read.is_valid, [str(w.message) for w in read.warnings]
        (people,) = [t for t in read.to_json()["tables"] if t["url"].endswith("people.csv")]
        assert [row["describes"][0]["schema:name"] for row in people["row"]] == ["Ada"]
        for path in ("dumps/void.ttl", ".well-known/void"):
            described = Graph().parse(data=httpx.get(url + path, timeout=60).text, format="turtle")
            assert not list(described.triples((None, DCTERMS.license, None))), path
            titles = {str(t) for t in described.objects(None, DCTERMS.title)}
            assert not any("CNC" in t for t in titles), path


def test_a_killed_server_leaves_no_rendering_behind(slow_data: Path) -> None:
    """The downloads are rendered in a child process (so that the server keeps answering);
    a server killed while it renders them takes the child with it, as the update's does."""
    import signal
    import subprocess

    from support import free_port, wait_until_healthy

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "aigraph", "serve", "--no-bundled", "--data", str(slow_data),
         "--port", str(port), "--workers", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_healthy(url, server)
        with contextlib.suppress(httpx.HTTPError):  # past dumps_wait (10 s): a 503
            httpx.get(url + "dumps/", timeout=1)
        (renderer,) = renderers(psutil.Process(server.pid), time.monotonic() + 60)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        gone, _ = psutil.wait_procs([renderer], timeout=3)  # far less than the rendering
        assert gone, f"the rendering child {renderer.pid} outlived the server"
    finally:
        if server.poll() is None:
            server.kill()
