"""The dataset's description: its linksets (VoID §5), counts per authority and link predicate,
and how to cite it (there, in CITATION.cff, and on the home page: tests/test_server_pages.py)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import yaml
from rdflib import XSD, Graph, Literal, URIRef

from aigraph import __version__
from aigraph.citation import dataset_citation
from aigraph.metadata import describe_dataset, editorial_description
from aigraph.namespaces import CANONICAL_BASE, DCAT, DCTERMS, VOID
from aigraph.project import Project

LINKS = """
<https://w3id.org/aigraph/id/person/a> <http://schema.org/sameAs> <http://www.wikidata.org/entity/Q900000001> .
<https://w3id.org/aigraph/id/person/b> <http://schema.org/sameAs> <http://www.wikidata.org/entity/Q900000004> .
<https://w3id.org/aigraph/id/person/b> <http://schema.org/sameAs> <http://viaf.org/viaf/900000001> .
<https://w3id.org/aigraph/concept/topic/c> <http://www.w3.org/2004/02/skos/core#closeMatch> <http://www.wikidata.org/entity/Q900000005> .
<https://w3id.org/aigraph/id/person/a> <http://schema.org/url> <https://example.org/> .
"""


def describe(store: ox.Store | None = None, editorial: bool = True) -> Graph:
    """The description of `store` (an empty one by default), as a server at x/ gives it."""
    return describe_dataset(
        store if store is not None else ox.Store(),
        project=Project.default(),
        base=CANONICAL_BASE,
        endpoint="http://x/sparql",
        dumps="http://x/dumps/",
        editorial=editorial,
    )


def test_linksets_count_links_per_authority_and_predicate() -> None:
    store = ox.Store()
    store.load(LINKS.encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:g"))
    g = describe(store)
    dataset = URIRef(CANONICAL_BASE + "id/dataset/aigraph")
    found = {}
    for linkset in g.objects(dataset, VOID.subset):
        target = g.value(linkset, VOID.objectsTarget)
        key = (str(g.value(target, DCTERMS.title)), str(g.value(linkset, VOID.linkPredicate)))
        found[key] = int(g.value(linkset, VOID.triples))  # type: ignore[arg-type]
        assert g.value(linkset, VOID.subjectsTarget) == dataset
    assert found == {
        ("Wikidata", "http://schema.org/sameAs"): 2,
        ("VIAF", "http://schema.org/sameAs"): 1,
        ("Wikidata", "http://www.w3.org/2004/02/skos/core#closeMatch"): 1,
    }


def test_no_linkset_while_nothing_is_linked() -> None:
    store = ox.Store()
    g = describe(store)
    assert not list(g.objects(None, VOID.subset))
    assert len(editorial_description(Project.default(), "https://example.org/a/")) > 10


# --- how to cite it ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "The aigraph developers (2026). aigraph: the CNC's 7 October 2025 day on the "
            "responsible use of AI in the animation sector [dataset], version "
            f"{__version__}. https://w3id.org/aigraph/id/dataset/aigraph",
        ),
        (
            "fr",
            "The aigraph developers (2026). aigraph : la journée du CNC du 7 octobre 2025 sur "
            "l'usage responsable de l'IA dans la filière de l'image animée [jeu de données], "
            f"version {__version__}. https://w3id.org/aigraph/id/dataset/aigraph",
        ),
    ],
)
def test_the_description_says_how_to_cite_the_dataset(lang: str, text: str) -> None:
    dataset = URIRef(CANONICAL_BASE + "id/dataset/aigraph")
    cited = describe().objects(dataset, DCTERMS.bibliographicCitation)
    assert [str(c) for c in cited if c.language == lang] == [text]  # type: ignore[attr-defined]
    # (from the editors' creator, date and title: data that is not aigraph's gets none)
    assert not list(describe(editorial=False).objects(None, DCTERMS.bibliographicCitation))


def test_citation_cff_says_what_the_dataset_description_says() -> None:
    """CITATION.cff (GitHub and Zenodo read it) against data/dataset.ttl and the version."""
    project = Project.default()
    cff = yaml.safe_load((project.root / "CITATION.cff").read_text(encoding="utf-8"))
    editors = editorial_description(project, CANONICAL_BASE)
    dataset = URIRef(CANONICAL_BASE + "id/dataset/aigraph")
    cited = dataset_citation(editors, dataset, "en")
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "dataset" and cff["message"]
    assert (cff["title"], cff["version"]) == (cited.title, cited.version)
    assert cff["authors"] == [{"name": cited.creator}]
    assert cff["identifiers"][0]["value"] == str(dataset)
    licence = {"https://creativecommons.org/licenses/by/4.0/": "CC-BY-4.0"}
    assert cff["license"] == licence[str(editors.value(dataset, DCTERMS.license))]

    def english(predicate: URIRef) -> set[str]:
        return {
            " ".join(str(o).split())
            for o in editors.objects(dataset, predicate)
            if isinstance(o, Literal) and o.language in ("en", None)
        }

    assert " ".join(cff["abstract"].split()) in english(DCTERMS.description)
    keywords = {str(o) for o in editors.objects(dataset, DCAT.keyword)}
    assert set(cff["keywords"]) <= keywords


def test_the_readme_gives_the_same_citation() -> None:
    project = Project.default()
    readme = (project.root / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Citing it", 1)[1].split("\n## ", 1)[0]
    quoted = " ".join(
        line.removeprefix(">").strip() for line in section.splitlines() if line.startswith(">")
    )
    editors = editorial_description(project, CANONICAL_BASE)
    dataset = URIRef(CANONICAL_BASE + "id/dataset/aigraph")
    assert quoted == dataset_citation(editors, dataset, "en").text()


def test_property_partitions_count_each_propertys_triples_once() -> None:
    """VoID §4.6: one partition per property with its triples in the merge of the graphs (a
    triple in two graphs counts once); two properties that differ only in punctuation get
    two partitions."""
    store = ox.Store()
    store.load(LINKS.encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:g"))
    store.load(LINKS.encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:h"))
    twins = '<urn:x> <http://ex.org/a#b> "1" .\n<urn:x> <http://ex.org/a/b> "2" .\n'
    store.load(twins.encode(), format=ox.RdfFormat.N_TRIPLES)
    g = describe(store)
    dataset = URIRef(CANONICAL_BASE + "id/dataset/aigraph")
    partitions = {
        str(g.value(p, VOID.property)): int(g.value(p, VOID.triples))  # type: ignore[arg-type]
        for p in g.objects(dataset, VOID.propertyPartition)
    }
    assert partitions == {
        "http://schema.org/sameAs": 3,
        "http://schema.org/url": 1,
        "http://www.w3.org/2004/02/skos/core#closeMatch": 1,
        "http://ex.org/a#b": 1,
        "http://ex.org/a/b": 1,
    }
    assert g.value(dataset, VOID.triples) == Literal(7, datatype=XSD.integer)
    assert g.value(dataset, VOID.properties) == Literal(5, datatype=XSD.integer)
    assert g.value(dataset, VOID.distinctSubjects) == Literal(4, datatype=XSD.integer)
