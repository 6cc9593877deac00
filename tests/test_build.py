"""`aigraph build`: deterministic files, a correct manifest, and dumps isomorphic to the
dataset the engine serves."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import RDF

from aigraph.build import facts_graph, write_atomic
from aigraph.namespaces import CANONICAL_BASE
from aigraph.project import Project
from support import build_into

ROOT = Project.default().root


def test_rebuild_is_byte_identical(built: Path, tmp_path: Path) -> None:
    assert build_into(tmp_path, "2").returncode == 0
    names = sorted(p.name for p in built.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        assert (built / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_manifest_lists_every_file_with_its_checksum(built: Path) -> None:
    lines = (built / "MANIFEST.sha256").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ")
        listed[name] = digest
    assert set(listed) == {
        "aigraph.trig",
        "aigraph.nq",
        "aigraph.ttl",
        "aigraph.nt",
        "ontology.ttl",
        "people.csv",
        "organisations.csv",
        "sessions.csv",
        "participations.csv",
        "topics.csv",
        "links.csv",
        "csv-metadata.json",
        "network.graphml",
        "aigraph.jsonld",
        "aigraph-0.1.jsonld",
        "aigraph.rdf",
        "sessions.jsonld",
        "void.ttl",
    }
    for name, digest in listed.items():
        assert hashlib.sha256((built / name).read_bytes()).hexdigest() == digest


def test_trig_and_nquads_are_the_dataset(built: Path, dataset: Dataset) -> None:
    for name, fmt in (("aigraph.trig", "trig"), ("aigraph.nq", "nquads")):
        parsed = Dataset()
        parsed.parse(built / name, format=fmt)
        assert set(parsed.quads((None, None, None, None))) == set(
            dataset.quads((None, None, None, None))
        ), name


def test_turtle_is_the_facts_without_evidence(built: Path, dataset: Dataset) -> None:
    expected = facts_graph(dataset, CANONICAL_BASE)
    for name, fmt in (("aigraph.ttl", "turtle"), ("aigraph.nt", "nt"), ("aigraph.rdf", "xml")):
        parsed = Graph().parse(built / name, format=fmt)
        assert to_isomorphic(parsed) == to_isomorphic(expected), name
    assert not any("/id/selector/" in str(s) for s in expected.subjects())


def test_build_under_another_base(tmp_path: Path) -> None:
    result = build_into(tmp_path, "1", "--base", "https://example.org/aigraph/")
    assert result.returncode == 0
    g = Graph().parse(tmp_path / "aigraph.ttl")
    subjects = {str(s) for s in g.subjects()}
    assert "https://example.org/aigraph/id/person/jean-michel-jarre" in subjects
    assert not any(s.startswith("https://w3id.org/aigraph/id/") for s in subjects)
    # the vocabulary keeps its identity wherever the data is served
    assert any(str(p).startswith("https://w3id.org/aigraph/ns#") for p in g.predicates())


def test_write_atomic_never_leaves_a_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    write_atomic(target, b"good")
    with pytest.raises(TypeError):
        write_atomic(target, None)  # type: ignore[arg-type]
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_csv_tables_parse_and_say_what_the_release_says(built: Path, source_text: object) -> None:
    import csv

    text = source_text.text  # type: ignore[attr-defined]
    with open(built / "participations.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 29
    for row in rows:
        assert text[int(row["start"]) : int(row["end"])] == row["quote"]  # the release's own words
        assert row["name"] in row["quote"]
    jarre = next(r for r in rows if r["name"] == "Jean-Michel Jarre")
    assert (jarre["role"], jarre["organisation"], jarre["quote"]) == (
        "panelist",
        "",
        "Jean-Michel Jarre, auteur-compositeur",
    )
    counts = {}
    for name in ("people", "organisations", "sessions", "topics"):
        with open(built / f"{name}.csv", newline="", encoding="utf-8") as handle:
            counts[name] = len(list(csv.DictReader(handle)))
    assert counts == {"people": 27, "organisations": 19, "sessions": 10, "topics": 17}


def test_links_table_is_graph_links_with_its_evidence(built: Path, dataset: Dataset) -> None:
    import csv

    from aigraph.namespaces import AIG

    with open(built / "links.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    links = dataset.graph(URIRef("https://w3id.org/aigraph/id/graph/links"))
    stated = {
        (str(links.value(n, RDF.subject)), str(links.value(n, RDF.object)))
        for n in links.subjects(RDF.type, AIG.Link)
    }
    assert {(r["entity"], r["identifier"]) for r in rows} == stated and len(rows) == len(stated)
    sacd = next(r for r in rows if r["identifier"] == "784406936")
    assert sacd["name"] == "SACD" and sacd["predicate"].endswith("#siren")
    assert (
        sacd["evidence"].startswith("https://iiab.me/kiwix/")
        and sacd["method"] == "curated by hand"
    )
    assert "SIREN 784406936" in sacd["note"] and sacd["found"] == "2026-11-26T23:45:00Z"


def test_network_file_loads_in_networkx(built: Path) -> None:
    import networkx as nx

    graph = nx.read_graphml(built / "network.graphml")
    kinds = [data["kind"] for _, data in graph.nodes(data=True)]
    assert (kinds.count("person"), kinds.count("session"), kinds.count("organisation")) == (
        27,
        10,
        19,
    )
    relations = [data["relation"] for _, _, data in graph.edges(data=True)]
    assert relations.count("participation") == 29
    jarre = "https://w3id.org/aigraph/id/person/jean-michel-jarre"
    assert graph.nodes[jarre]["label"] == "Jean-Michel Jarre"


def test_jsonld_dump_expands_to_the_dataset_with_readable_keys(
    built: Path, dataset: Dataset
) -> None:
    import json

    from pyld import jsonld

    doc = json.loads((built / "aigraph.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == "https://w3id.org/aigraph/context/aigraph-0.1.jsonld"
    context = json.loads((built / "aigraph-0.1.jsonld").read_text(encoding="utf-8"))

    def loader(url: str, options: object = None) -> dict[str, object]:
        assert url == doc["@context"]  # the published context, served from the build
        return {"contextUrl": None, "documentUrl": url, "document": context}

    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": loader})
    parsed = Dataset()
    parsed.parse(data=nquads, format="nquads")
    assert set(parsed.quads((None, None, None, None))) == set(
        dataset.quads((None, None, None, None))
    )
    text = (built / "aigraph.jsonld").read_text(encoding="utf-8")
    assert '"agent": "https://w3id.org/aigraph/id/person/jean-michel-jarre"' in text


def _pyld_loader(built: Path) -> object:
    import json

    context = json.loads((built / "aigraph-0.1.jsonld").read_text(encoding="utf-8"))

    def loader(url: str, options: object = None) -> dict[str, object]:
        assert url == "https://w3id.org/aigraph/context/aigraph-0.1.jsonld"
        return {"contextUrl": None, "documentUrl": url, "document": context}

    return loader


def test_framed_sessions_view_one_document_per_session_with_its_people(
    built: Path, dataset: Dataset
) -> None:
    import json

    from pyld import jsonld

    doc = json.loads((built / "sessions.jsonld").read_text(encoding="utf-8"))
    sessions = doc["@graph"]
    assert [int(s["position"]) for s in sessions] == list(range(1, 11))  # programme order
    s03 = sessions[2]
    assert s03["id"] == "https://w3id.org/aigraph/id/session/2025-10-07-s03"
    people = {p["agent"]["name"]: p for p in s03["participation"]}
    jarre = people["Jean-Michel Jarre"]
    assert jarre["role"]["id"].endswith("/role/panelist")
    assert {"@language": "fr", "@value": "auteur-compositeur"} in jarre["statedOccupation"][
        "prefLabel"
    ]
    assert "statedAffiliation" not in jarre  # the release names no organisation for him
    carpentier = people["Marianne Carpentier"]["statedAffiliation"]
    assert carpentier["organization"]["name"] == "Studio TF1"
    # every participation of the graph is in the view, and the view's statements are the graph's
    assert sum(len(s["participation"]) for s in sessions) == 29
    nquads = jsonld.to_rdf(
        doc, {"format": "application/n-quads", "documentLoader": _pyld_loader(built)}
    )
    view = Graph().parse(data=nquads, format="nquads")
    facts = facts_graph(dataset, CANONICAL_BASE)
    missing = [t for t in view if t not in facts]
    assert not missing, missing[:3]


def test_void_describes_every_file_with_its_checksum_and_the_counts(
    built: Path, dataset: Dataset
) -> None:
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF

    from aigraph.namespaces import DCAT, DCTERMS, VOID

    spdx = "http://spdx.org/rdf/terms#"
    g = Graph().parse(built / "void.ttl")
    ds = URIRef("https://w3id.org/aigraph/id/dataset/aigraph")
    assert (ds, RDF.type, DCAT.Dataset) in g and (ds, RDF.type, VOID.Dataset) in g
    assert {t.language for t in g.objects(ds, DCTERMS.title)} == {"fr", "en"}
    assert {t.language for t in g.objects(ds, DCTERMS.description)} == {"fr", "en"}
    # and every file, in the languages the dataset is described in
    for dist in g.objects(ds, DCAT.distribution):
        said = {t.language: str(t) for t in g.objects(dist, DCTERMS.description)}
        assert set(said) == {"fr", "en"} and said["fr"] != said["en"], dist
    assert g.value(ds, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert any("CNC" in str(r) for r in g.objects(ds, DCTERMS.rights))
    assert g.value(ds, DCTERMS.source) == URIRef(
        "https://w3id.org/aigraph/id/release/cnc-ia-2025-11-04"
    )
    assert g.value(ds, DCAT.version) is not None and g.value(ds, DCTERMS.created) is not None
    assert g.value(ds, VOID.sparqlEndpoint) == URIRef("https://w3id.org/aigraph/sparql")
    assert str(g.value(ds, VOID.uriSpace)) == "https://w3id.org/aigraph/id/"
    assert len(set(g.objects(ds, VOID.exampleResource))) == 3
    union = {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
    assert g.value(ds, VOID.triples) == Literal(len(union))
    partitions = {
        str(g.value(p, VOID["class"])): int(g.value(p, VOID.entities))  # type: ignore[arg-type]
        for p in g.objects(ds, VOID.classPartition)
    }
    assert partitions["http://schema.org/Person"] == 27
    assert partitions["https://w3id.org/aigraph/ns#Session"] == 10
    described = {}
    for dist in g.objects(ds, DCAT.distribution):
        checksum = g.value(dist, URIRef(spdx + "checksum"))
        described[str(g.value(dist, DCTERMS.title))] = (
            str(g.value(checksum, URIRef(spdx + "checksumValue"))),
            int(g.value(dist, DCAT.byteSize)),  # type: ignore[arg-type]
            str(g.value(dist, DCAT.mediaType)),
        )
        assert str(dist) == "https://w3id.org/aigraph/dumps/" + str(g.value(dist, DCTERMS.title))
    files = {p.name for p in built.iterdir()} - {"void.ttl", "MANIFEST.sha256", "manifest.json"}
    assert set(described) == files
    for name, (digest, size, media) in described.items():
        data = (built / name).read_bytes()
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (digest, size), name
        assert media.startswith("https://www.iana.org/assignments/media-types/")
    dumps = {str(d).rsplit("/", 1)[1] for d in g.objects(ds, VOID.dataDump)}
    assert dumps == {f"aigraph.{ext}" for ext in ("ttl", "trig", "nq", "nt", "rdf", "jsonld")}
