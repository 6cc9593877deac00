"""The ontology documents itself, and the code's namespace matches it."""

from __future__ import annotations

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from aigraph.namespaces import AIG, ONTOLOGY_IRI
from aigraph.project import Project

STANDARD = (
    "http://schema.org/",
    "http://www.w3.org/ns/org#",
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/ns/oa#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://purl.org/dc/terms/",
    "http://www.w3.org/ns/shacl#",  # graph:queries: the catalogue as SHACL-AF executables
)


def ontology(project: Project) -> Graph:
    g = Graph()
    for path in project.ontology_files():
        g.parse(path)
    return g


def own_terms(g: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {s for k in kinds for s in g.subjects(RDF.type, k) if str(s).startswith(str(AIG))}


def test_every_term_has_labels_and_comments_in_french_and_english(project: Project) -> None:
    g = ontology(project)
    for term in own_terms(g):
        for predicate in (RDFS.label, RDFS.comment):
            langs = sorted(o.language for o in g.objects(term, predicate))
            assert langs == ["en", "fr"], (term, predicate)
        assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in g


def test_the_python_namespace_lists_exactly_the_ontology_terms(project: Project) -> None:
    declared = {URIRef(str(AIG) + name) for name in AIG.__annotations__}
    assert declared == own_terms(ontology(project))


def test_data_uses_only_defined_or_standard_terms(dataset: Dataset, project: Project) -> None:
    defined = own_terms(ontology(project))
    for _s, p, o, _g in dataset.quads((None, None, None, None)):
        used = [p] + ([o] if p == RDF.type else [])
        for term in used:
            if str(term).startswith(str(AIG)):
                assert term in defined, term
            else:
                assert str(term).startswith(STANDARD), term


def test_schema_org_is_always_the_http_form(dataset: Dataset) -> None:
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        for term in (s, p, o):
            assert not str(term).startswith("https://schema.org/"), term
