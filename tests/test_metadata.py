"""The dataset description's linksets (VoID §5): counts per authority and link predicate."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import URIRef

from aigraph.metadata import describe_dataset, editorial_description
from aigraph.namespaces import CANONICAL_BASE, DCTERMS, VOID
from aigraph.project import Project

LINKS = """
<https://w3id.org/aigraph/id/person/a> <http://schema.org/sameAs> <http://www.wikidata.org/entity/Q900000001> .
<https://w3id.org/aigraph/id/person/b> <http://schema.org/sameAs> <http://www.wikidata.org/entity/Q900000004> .
<https://w3id.org/aigraph/id/person/b> <http://schema.org/sameAs> <http://viaf.org/viaf/900000001> .
<https://w3id.org/aigraph/concept/topic/c> <http://www.w3.org/2004/02/skos/core#closeMatch> <http://www.wikidata.org/entity/Q900000005> .
<https://w3id.org/aigraph/id/person/a> <http://schema.org/url> <https://example.org/> .
"""


def test_linksets_count_links_per_authority_and_predicate() -> None:
    store = ox.Store()
    store.load(LINKS.encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:g"))
    g = describe_dataset(
        store,
        project=Project.default(),
        base=CANONICAL_BASE,
        endpoint="http://x/sparql",
        dumps="http://x/dumps/",
    )
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
    g = describe_dataset(
        store,
        project=Project.default(),
        base=CANONICAL_BASE,
        endpoint="http://x/sparql",
        dumps="http://x/dumps/",
    )
    assert not list(g.objects(None, VOID.subset))
    assert len(editorial_description(Project.default(), "https://example.org/a/")) > 10
