"""Links to external data: identifier checks, the Wikidata client against a stand-in API on
127.0.0.1 (politeness, retries, time limits, cache, clean offline failure), and `aigraph link`
from candidates to a review file to validated links."""

from __future__ import annotations

import csv
import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from aigraph.linking.identifiers import (
    authority_of,
    identifier_problem,
    idref_check,
    iso7064_mod11_2,
    luhn_ok,
    ror_checksum,
)
from aigraph.linking.wikidata import ClientSettings, WikidataClient, WikidataUnavailableError
from aigraph.namespaces import AIG, PROV, SCHEMA
from aigraph.project import Project
from wikidata_standin import running_standin

ROOT = Project.default().root
JARRE = "https://w3id.org/aigraph/id/person/jean-michel-jarre"


# --- identifiers ---------------------------------------------------------------------------

ISNI_BODY = "000000012345678"
ORCID_BODY = "000000021825009"  # the ORCID documentation's example, 0000-0002-1825-0097


@pytest.mark.parametrize(
    ("target", "literal", "problem"),
    [
        ("http://www.wikidata.org/entity/Q42", False, None),
        ("http://www.wikidata.org/entity/Q042", False, "not a Wikidata identifier"),
        ("http://www.wikidata.org/entity/P31", False, "not a Wikidata identifier"),
        (f"https://isni.org/isni/{ISNI_BODY}{iso7064_mod11_2(ISNI_BODY)}", False, None),
        (f"https://isni.org/isni/{ISNI_BODY}0", False, "check character"),
        ("https://orcid.org/0000-0002-1825-0097", False, None),
        ("https://orcid.org/0000-0002-1825-0098", False, "check character"),
        (f"https://ror.org/04b0bb2{ror_checksum('4b0bb2')}"[:-1], False, "not a ROR"),
        (f"https://ror.org/04b0bb2{ror_checksum('4b0bb2')}", False, None),
        ("https://ror.org/04b0bb200", False, None if ror_checksum("4b0bb2") == "00" else "check"),
        (f"https://www.idref.fr/02682521{idref_check('02682521')}", False, None),
        ("https://www.idref.fr/026825210X", False, "not a IdRef"),
        ("https://data.bnf.fr/ark:/12148/cb11907966z", False, None),
        ("http://viaf.org/viaf/0123", False, "not a VIAF"),
        ("732829320", True, None),  # Luhn-valid
        ("732829321", True, "check character"),
        ("73282932", True, "not a SIREN"),
        ("https://rdf.archives-nationales.culture.gouv.fr/agent/005418", False, None),
        (
            "https://rdf.archives-nationales.culture.gouv.fr/agent/FRAN_RI_013-d3m0bo5hqwq--e55sge5p6ak8",
            False,
            None,
        ),
        ("https://rdf.archives-nationales.culture.gouv.fr/agent/5418", False, "not a Archives"),
        ("https://rdf.archives-nationales.culture.gouv.fr/agent/record", False, "not a Archives"),
        ("https://www.cnc.fr/", False, None),  # an official website: any web address
        ("ftp://example.org/", False, "neither"),
    ],
)
def test_identifier_syntax_and_check_characters(
    target: str, literal: bool, problem: str | None
) -> None:
    found = identifier_problem(target, literal=literal)
    if problem is None:
        assert found is None, found
    else:
        assert found is not None and problem in found, found


def test_check_character_algorithms() -> None:
    assert iso7064_mod11_2(ORCID_BODY) == "7"
    assert luhn_ok("79927398713") and not luhn_ok("79927398710")  # the textbook Luhn example
    assert len(ror_checksum("4b0bb2")) == 2


# --- the client against the stand-in --------------------------------------------------------


def fast(url: str, **kw: object) -> ClientSettings:
    return ClientSettings(api_url=url, min_interval=0.0, backoff=0.01, **kw)  # type: ignore[arg-type]


def test_search_and_entities_with_a_descriptive_user_agent() -> None:
    with running_standin() as api, WikidataClient(fast(api.url)) as client:
        hits = client.search("Jarre").data["search"]
        assert [h["id"] for h in hits] == ["Q900000001", "Q900000002"]
        entity = client.entities(["Q900000001"]).data["entities"]["Q900000001"]
        assert entity["claims"]["P31"][0]["mainsnak"]["datavalue"]["value"]["id"] == "Q5"
    ua = str(api.requests[0]["ua"])
    assert ua.startswith("aigraph/") and "https://w3id.org/aigraph" in ua


@pytest.mark.parametrize(
    "durations,sleeps",
    [
        ((0.05, 0.05), [0.10, 0.10]),  # quick answers: the client waits out the interval
        ((0.20, 0.16), []),  # slow answers: the interval has passed, no wait
        ((0.0, 0.149), [0.15, 0.001]),
    ],
)
def test_requests_are_spaced_by_the_rate_limit(
    durations: tuple[float, float], sleeps: list[float]
) -> None:
    """On a virtual clock that moves only when the client sleeps or an answer takes time, so
    that the spacing is exact (arrival times at a real listener jitter by a few ms)."""
    now = [1000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    with running_standin() as api:
        settings = ClientSettings(api_url=api.url, min_interval=0.15)
        with WikidataClient(settings, sleep=sleep, clock=lambda: now[0]) as client:
            for name, took in zip(
                ("Jarre", "Studio", "Carpentier"), (*durations, 0.0), strict=True
            ):
                client.search(name)
                now[0] += took
    assert len(api.requests) == 3
    assert slept == pytest.approx(sleeps)


def test_retries_on_429_and_503_then_succeeds() -> None:
    with running_standin() as api:
        api.fail_with = [429, 503]
        waits: list[float] = []
        with WikidataClient(fast(api.url), sleep=waits.append) as client:
            assert client.search("Jarre").data["search"]
    assert len(api.requests) == 3 and len(waits) == 2
    assert waits[1] > waits[0]  # exponential backoff


def test_keeps_failing_gives_a_clear_error() -> None:
    with running_standin() as api:
        api.fail_with = [503] * 10
        with (
            WikidataClient(fast(api.url, retries=2)) as client,
            pytest.raises(WikidataUnavailableError, match=r"kept failing .*HTTP 503.* 3 attempts"),
        ):
            client.search("Jarre")


def test_a_slow_api_is_abandoned_at_the_time_limit() -> None:
    with running_standin() as api:
        api.delay = 1.0
        start = time.monotonic()
        with (
            WikidataClient(fast(api.url, timeout=0.2, retries=1)) as client,
            pytest.raises(WikidataUnavailableError, match=r"no answer within 0\.2 s"),
        ):
            client.search("Jarre")
        assert time.monotonic() - start < 1.5


def test_unreachable_network_fails_at_once_and_cleanly() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    start = time.monotonic()
    with (
        WikidataClient(fast(f"http://127.0.0.1:{port}/w/api.php")) as client,
        pytest.raises(WikidataUnavailableError, match=r"cannot reach .*needs the network"),
    ):
        client.search("Jarre")
    assert time.monotonic() - start < 2


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<html>maintenance</html>", "not JSON"),
        (b'{"error": {"code": "x", "info": "y"}}', "refused"),
    ],
)
def test_bad_answers_are_reported(body: bytes, words: str) -> None:
    with running_standin() as api:
        api.body = body
        with (
            WikidataClient(fast(api.url)) as client,
            pytest.raises(WikidataUnavailableError, match=words),
        ):
            client.search("Jarre")


def test_the_cache_answers_a_second_time(tmp_path: Path) -> None:
    with running_standin() as api:
        with WikidataClient(fast(api.url, cache_dir=tmp_path)) as client:
            first = client.search("Jarre")
        with WikidataClient(fast(api.url, cache_dir=tmp_path)) as client:
            second = client.search("Jarre")
            assert client.requests_made == 0
    assert len(api.requests) == 1
    assert second.from_cache and second.data == first.data and second.retrieved == first.retrieved
    # a damaged cache entry is asked again, not trusted
    for entry in tmp_path.iterdir():
        entry.write_text("{not json")
    with running_standin() as api, WikidataClient(fast(api.url, cache_dir=tmp_path)) as client:
        assert client.search("Jarre").from_cache is False


# --- aigraph link, end to end ----------------------------------------------------------------


def aigraph(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aigraph", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def merged(path: Path) -> Graph:
    """Every graph of a TriG file, merged."""
    ds = Dataset()
    ds.parse(path, format="trig")
    graph = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


@pytest.fixture
def links_copy(tmp_path: Path) -> Path:
    target = tmp_path / "links.trig"
    shutil.copyfile(ROOT / "data" / "links.trig", target)
    return target


def reconcile(
    api_url: str, tmp_path: Path, *extra: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    review = tmp_path / "review.csv"
    result = aigraph(
        "link",
        "--entity", JARRE,
        "--entity", "https://w3id.org/aigraph/id/organisation/studio-tf1",
        "--entity", "https://w3id.org/aigraph/id/person/marianne-carpentier",
        "--api", api_url, "--rate", "0", "--review", str(review),
        "--cache-dir", str(tmp_path / "cache"), *extra,
    )  # fmt: skip
    return result, review


def test_link_writes_a_review_file_with_scored_candidates_and_evidence(
    tmp_path: Path, links_copy: Path
) -> None:
    with running_standin() as api:
        result, review = reconcile(api.url, tmp_path, "--links", str(links_copy))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(review.open(encoding="utf-8")))
    jarre = [r for r in rows if r["entity"] == JARRE]
    assert [r["candidate"].rsplit("/", 1)[1] for r in jarre] == ["Q900000001", "Q900000002"]
    best, album = jarre
    assert float(best["score"]) > float(album["score"]) + 0.2  # the human, not the album
    assert "P31 Q5 (human)" in best["evidence"] and "France (Q142)" in best["evidence"]
    assert "not an instance of Q5" in album["evidence"]
    assert best["source"].startswith(api.url) and best["retrieved"].endswith("Z")
    assert all(r["decision"] == "" for r in rows)  # nothing decided for the reviewer
    studio = next(r for r in rows if r["entity"].endswith("/studio-tf1"))
    assert studio["candidate"].endswith("Q900000003") and "France" in studio["evidence"]
    assert links_copy.read_bytes() == (ROOT / "data" / "links.trig").read_bytes()  # no link yet


def test_apply_turns_accepted_rows_into_validated_links(tmp_path: Path, links_copy: Path) -> None:
    with running_standin() as api:
        _, review = reconcile(api.url, tmp_path, "--links", str(links_copy))
    rows = list(csv.DictReader(review.open(encoding="utf-8")))
    for row in rows:
        row["decision"] = "accept" if row["candidate"].endswith("Q900000001") else "reject"
    with review.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    applied = aigraph("link", "--apply", str(review), "--links", str(links_copy))
    assert applied.returncode == 0, applied.stderr
    assert "1 new link(s)" in applied.stderr
    ds = merged(links_copy)
    target = URIRef("http://www.wikidata.org/entity/Q900000001")
    assert (URIRef(JARRE), SCHEMA.sameAs, target) in ds
    node = next(ds.subjects(RDF.object, target))
    assert ds.value(node, PROV.wasDerivedFrom) == URIRef("https://www.wikidata.org/wiki/Q900000001")
    assert ds.value(node, AIG.confidence).toPython() > 0.8  # type: ignore[union-attr]
    assert str(ds.value(node, AIG.linkMethod)).endswith("/reviewed-candidate")
    assert isinstance(ds.value(node, PROV.generatedAtTime), Literal)
    assert links_copy.read_text(encoding="utf-8").startswith("# aigraph: links")  # header kept
    status = json.loads(
        aigraph("link", "--status", "--format", "json", "--links", str(links_copy)).stdout
    )
    # Jarre already had his website (curated); Grégory Chatonsky has his
    assert status["person"]["linked"] == 2
    assert status["person"]["by_authority"] == {"website": 2, "wikidata": 1}
    jarre = next(e for e in status["person"]["links"] if e["iri"] == JARRE)
    wikidata = next(link for link in jarre["links"] if link["authority"] == "wikidata")
    assert wikidata["evidence"] == ["https://www.wikidata.org/wiki/Q900000001"]
    assert wikidata["method"] == "reviewed-candidate" and wikidata["confidence"] > 0.8
    # applying again adds nothing
    again = aigraph("link", "--apply", str(review), "--links", str(links_copy))
    assert again.returncode == 0 and "0 new link(s)" in again.stderr


@pytest.mark.parametrize(
    ("candidate", "words"),
    [
        ("http://www.wikidata.org/entity/Q0", "not a Wikidata identifier"),
        ("https://example.org/Q1", "not a Wikidata item"),
    ],
)
def test_apply_refuses_a_bad_row_and_writes_nothing(
    tmp_path: Path, links_copy: Path, candidate: str, words: str
) -> None:
    from aigraph.linking.review import COLUMNS

    review = tmp_path / "review.csv"
    row = dict.fromkeys(COLUMNS, "")
    row.update(entity=JARRE, candidate=candidate, score="0.9", retrieved="2026-11-26T00:00:00Z")
    row["decision"] = "accept"
    with review.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerow(row)
    before = links_copy.read_bytes()
    result = aigraph("link", "--apply", str(review), "--links", str(links_copy))
    assert result.returncode == 2 and words in result.stderr
    assert links_copy.read_bytes() == before


def test_threshold_links_only_clear_winners(tmp_path: Path, links_copy: Path) -> None:
    with running_standin() as api:
        result, _ = reconcile(api.url, tmp_path, "--links", str(links_copy), "--threshold", "0.9")
    assert result.returncode == 0, result.stderr
    before, ds = merged(ROOT / "data" / "links.trig"), merged(links_copy)
    new = set(ds) - set(before)
    linked = {str(s) for s, p, _ in new if p == SCHEMA.sameAs}
    # Jarre and Studio TF1 clearly; Marianne Carpentier's only candidate is a homonym athlete
    assert linked == {JARRE, "https://w3id.org/aigraph/id/organisation/studio-tf1"}
    methods = {str(o) for _, p, o in new if p == AIG.linkMethod}
    assert methods == {"https://w3id.org/aigraph/concept/link-method/above-threshold"}


def test_entities_already_linked_to_wikidata_are_not_asked_again(
    tmp_path: Path, links_copy: Path
) -> None:
    """The CNC names its Wikidata item in data/links.trig: a run over the organisations does
    not search for it (nor, above a threshold, could it add a second item), and says so; a run
    that names it with --entity asks anyway."""
    cnc = "https://w3id.org/aigraph/id/organisation/cnc"
    common = ["--api", "", "--rate", "0", "--links", str(links_copy), "--no-cache"]
    with running_standin() as api:
        common[1] = api.url
        result = aigraph(
            "link", "--kind", "organisation", "--review", str(tmp_path / "r.csv"), *common
        )
        searched = {str(r["params"].get("search")) for r in api.requests}
    assert result.returncode == 0, result.stderr
    assert "3 already linked to Wikidata, not asked again" in result.stderr
    assert "CNC" in result.stderr and "Conseil d'État" in result.stderr
    assert {"CNC", "DGMIC", "Conseil d'État"}.isdisjoint(searched)
    assert {"Studio TF1", "AFNOR", "Afdas"} <= searched  # the others are asked
    with running_standin() as api:
        common[1] = api.url
        result = aigraph("link", "--entity", cnc, "--review", str(tmp_path / "r.csv"), *common)
        assert result.returncode == 0, result.stderr
        assert {str(r["params"].get("search")) for r in api.requests} == {"CNC"}


def test_link_offline_exits_2_with_a_message(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = aigraph(
        "link", "--entity", JARRE, "--api", f"http://127.0.0.1:{port}/w/api.php",
        "--no-cache", "--review", str(tmp_path / "r.csv"),
    )  # fmt: skip
    assert result.returncode == 2 and "cannot reach" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "r.csv").exists()


def test_status_reports_links_with_their_evidence_and_the_unlinked() -> None:
    result = aigraph("link", "--status")
    assert result.returncode == 0
    assert "person          2 of  27 linked  (authorities: website 2)" in result.stdout
    assert (
        "SACD: siren 784406936  (curated 0.9; "
        "https://iiab.me/kiwix/content/wikipedia_fr_all_maxi_2022-09/A/Beaumarchais_(Association_SACD))"
    ) in result.stdout
    unlinked = next(line for line in result.stdout.splitlines() if "not linked:" in line)
    assert "Alexandra Bensamoun" in unlinked and "Jean-Michel Jarre" not in unlinked


# --- the curated links of data/links.trig ---------------------------------------------------


def _bundled_links() -> list[tuple[URIRef, Graph]]:
    ds = Dataset()
    ds.parse(ROOT / "data" / "links.trig", format="trig")
    graph = ds.graph(URIRef("https://w3id.org/aigraph/id/graph/links"))
    return [(node, graph) for node in sorted(graph.subjects(RDF.type, AIG.Link))]


def _domain(host: str) -> str:
    return ".".join(host.split(".")[-2:])


@pytest.mark.parametrize(("node", "graph"), _bundled_links(), ids=lambda v: str(v)[-30:])
def test_each_curated_link_quotes_its_identifier_and_cites_a_fitting_source(
    node: URIRef, graph: Graph
) -> None:
    """The note says what the cited page shows: the identifier as written there (a typo in the
    triple, or a note about another identifier, fails); confidence 1 is kept for the entity's
    own site (its evidence on one of the entity's web domains)."""
    from urllib.parse import urlsplit

    assert str(graph.value(node, AIG.linkMethod)).endswith("/curated")
    note = graph.value(node, RDFS.comment)
    assert isinstance(note, Literal) and note.language == "en"
    target = graph.value(node, RDF.object)
    if graph.value(node, RDF.predicate) == AIG.siren:
        assert str(target) in str(note).replace(" ", "")  # "775 724 818 00015" → 775724818…
    else:
        assert urlsplit(str(target)).hostname in str(note)
    authority = authority_of(str(target))
    if authority is not None:  # the identifier itself, as the source writes it
        assert authority.local(str(target)) in str(note)
    confidence = float(graph.value(node, AIG.confidence))  # type: ignore[arg-type]
    assert confidence in (1.0, 0.95, 0.9)
    if confidence == 0.95:  # an authority file's record: the Archives nationales' referential
        for evidence in graph.objects(node, PROV.wasDerivedFrom):
            assert str(evidence).startswith(
                "https://github.com/ArchivesNationalesFR/Referentiels/blob/"
            )
    if confidence == 1.0:
        subject = graph.value(node, RDF.subject)
        own = {
            _domain(urlsplit(str(site)).hostname or "")
            for site in graph.objects(subject, SCHEMA.url)
        }
        for evidence in graph.objects(node, PROV.wasDerivedFrom):
            assert _domain(urlsplit(str(evidence)).hostname or "") in own


def test_status_page_links_only_web_addresses() -> None:
    """A served file may state any IRI as a website (javascript: included): the status page
    shows it as text, never as a link."""
    from aigraph.server.pages import render

    status = {
        "organisation": {
            "entities": 1,
            "linked": 1,
            "by_authority": {"website": 1},
            "links": [
                {
                    "iri": "https://example.org/o",
                    "name": "O",
                    "href": "https://example.org/o",
                    "links": [
                        {
                            "predicate": str(SCHEMA.url),
                            "target": "javascript:alert(1)",
                            "authority": "website",
                            "evidence": ["javascript:alert(2)", "https://example.org/page"],
                            "confidence": 1.0,
                            "method": "curated",
                        }
                    ],
                }
            ],
            "unlinked": [],
        }
    }
    html = render("links.html", "en", status=status, alternates=[])
    assert "javascript:alert(1)" in html and "javascript:alert(2)" in html  # shown…
    assert 'href="javascript' not in html  # …never linked
    assert '<a href="https://example.org/page" rel="external nofollow">' in html
