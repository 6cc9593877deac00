"""The dataset's own description: DCAT 3 and VoID, for the build and for /.well-known/void.

What the editors say (titles, descriptions, licence, rights, source, creation date) is in
``data/dataset.ttl``; what is measured is added here: triple counts and class partitions
(VoID §4.5–4.6), the SPARQL endpoint, and one ``dcat:Distribution`` per file with its media
type, size and SHA-256 checksum (SPDX, as DCAT 3 §6.8.11 recommends). The same function serves
both, so the build's ``void.ttl`` and the server's description cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from aigraph import __version__
from aigraph.citation import dataset_citation
from aigraph.dataset import move_term
from aigraph.engine import as_solutions
from aigraph.linking.identifiers import AUTHORITIES, authority_of
from aigraph.namespaces import DCAT, DCTERMS, VOID
from aigraph.project import Project

SPDX = "http://spdx.org/rdf/terms#"
IANA = "https://www.iana.org/assignments/media-types/"
#: The files that are dumps of the whole dataset (void:dataDump, VoID §6.4); the others
#: (tables, network, framed view, ontology, context) are distributions only.
DATA_DUMPS = {
    "aigraph.ttl",
    "aigraph.trig",
    "aigraph.nq",
    "aigraph.nt",
    "aigraph.rdf",
    "aigraph.jsonld",
}
#: The classes counted in class partitions: the kinds of thing the release describes.
PARTITION_QUERY = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  VALUES ?class {
    <http://schema.org/Person> <http://www.w3.org/ns/org#Organization>
    <https://w3id.org/aigraph/ns#StudyDay> <https://w3id.org/aigraph/ns#Session>
    <https://w3id.org/aigraph/ns#Participation> <http://www.w3.org/ns/org#Membership>
    <https://w3id.org/aigraph/ns#Programme> <http://www.w3.org/2004/02/skos/core#Concept>
    <https://w3id.org/aigraph/ns#Claim> <http://www.w3.org/ns/oa#SpecificResource>
  }
  { ?s a ?class } UNION { GRAPH ?g { ?s a ?class } }
} GROUP BY ?class ORDER BY ?class"""
#: Triples per property over the RDF merge of the default graph and every named graph,
#: whether or not the store's default graph already is that merge (a triple stated in two
#: graphs counts once): the property partitions (VoID §4.6), whose sum is the triples and
#: whose number the properties.
PROPERTIES_QUERY = """SELECT ?p (COUNT(*) AS ?n) WHERE {
  SELECT DISTINCT ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } }
GROUP BY ?p ORDER BY ?p"""
SUBJECTS_QUERY = """SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {
  { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"""


@dataclass(frozen=True)
class Distribution:
    """One downloadable file."""

    name: str
    media_type: str
    sha256: str
    size: int
    description: str
    description_fr: str | None = None


def _label(text: str) -> str:
    """A blank node label made of the characters Turtle and N-Triples allow everywhere."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


LINKS_QUERY = """
SELECT DISTINCT ?s ?p ?o WHERE {
  { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }
  FILTER (?p IN (<http://schema.org/sameAs>, <http://www.w3.org/2004/02/skos/core#exactMatch>,
                 <http://www.w3.org/2004/02/skos/core#closeMatch>))
  FILTER (isIRI(?o))
}"""


def add_linksets(g: Graph, measures: Measures, dataset: URIRef) -> None:
    """One void:Linkset per authority and link predicate, with its number of links (VoID §5):
    how the dataset connects to Wikidata, ISNI, VIAF… (nothing while no link is verified)."""
    for key, predicate, links in measures.links:
        authority = next(a for a in AUTHORITIES if a.key == key)
        target = BNode(f"target-{key}")
        g.add((target, RDF.type, VOID.Dataset))
        g.add((target, DCTERMS.title, Literal(authority.name)))
        g.add((target, VOID.uriSpace, Literal(authority.namespace)))
        linkset = BNode(f"linkset-{key}-{_label(predicate)}")
        g.add((dataset, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, VOID.subjectsTarget, dataset))
        g.add((linkset, VOID.objectsTarget, target))
        g.add((linkset, VOID.linkPredicate, URIRef(predicate)))
        g.add((linkset, VOID.triples, Literal(links, datatype=XSD.integer)))


@dataclass(frozen=True)
class Measures:
    """What the description counts in the data: at 10^6 triples it takes seconds, so a server
    counts once per version of its data, not at each request for its description."""

    subjects: int
    properties: tuple[tuple[str, int], ...]  # (property, triples), by property
    classes: tuple[tuple[str, int], ...]  # (class, entities), for PARTITION_QUERY's classes
    links: tuple[tuple[str, str, int], ...]  # (authority key, link predicate, links)

    @property
    def triples(self) -> int:
        return sum(n for _, n in self.properties)


def measure(store: ox.Store) -> Measures:
    """The counts of `store`'s data that its description gives."""
    links: dict[tuple[str, str], set[str]] = {}
    for row in as_solutions(store.query(LINKS_QUERY)):
        authority = authority_of(row["o"].value)
        if authority is not None:
            links.setdefault((authority.key, row["p"].value), set()).add(
                row["s"].value + " " + row["o"].value
            )
    (subjects,) = as_solutions(store.query(SUBJECTS_QUERY))
    return Measures(
        subjects=int(subjects["n"].value),
        properties=tuple(
            (r["p"].value, int(r["n"].value)) for r in as_solutions(store.query(PROPERTIES_QUERY))
        ),
        classes=tuple(
            (r["class"].value, int(r["n"].value))
            for r in as_solutions(store.query(PARTITION_QUERY))
        ),
        links=tuple((key, p, len(found)) for (key, p), found in sorted(links.items())),
    )


def dataset_iri(base: str) -> URIRef:
    return URIRef(f"{base}id/dataset/aigraph")


def editorial_description(project: Project, base: str) -> Graph:
    """``data/dataset.ttl`` under `base`."""
    source = Graph().parse(project.dataset_metadata, format="turtle")
    graph = Graph()
    for s, p, o in source:
        graph.add((move_term(s, base), p, move_term(o, base)))
    return graph


def describe_dataset(
    store: ox.Store,
    *,
    project: Project,
    base: str,
    endpoint: str,
    dumps: str,
    files: Iterable[Distribution] = (),
    editorial: bool = True,
    measures: Measures | None = None,
) -> Graph:
    """The DCAT/VoID description of the data in `store`, its SPARQL endpoint, and the files
    downloadable under the URL `dumps`. Without `editorial` (a server given other data than
    aigraph's), only what is measured: no title, licence or source is claimed for it.
    `measures`: the store's counts, if the caller has them (`measure(store)` otherwise)."""
    measures = measures if measures is not None else measure(store)
    dataset = dataset_iri(base)
    if editorial:
        g = editorial_description(project, base)
    else:
        g = Graph()
        g.add((dataset, RDF.type, DCAT.Dataset))
        g.add((dataset, RDF.type, VOID.Dataset))
        g.add((dataset, DCTERMS.title, Literal("RDF data served by aigraph", lang="en")))
    for prefix, ns in (("dcat", DCAT), ("dcterms", DCTERMS), ("void", VOID), ("spdx", SPDX)):
        g.bind(prefix, ns)
    g.add((dataset, DCAT.version, Literal(__version__)))
    if editorial:  # how to cite it, in each language it is titled in
        for lang in ("fr", "en"):
            text = dataset_citation(g, dataset, lang).text()
            g.add((dataset, DCTERMS.bibliographicCitation, Literal(text, lang=lang)))
    g.add((dataset, VOID.uriSpace, Literal(f"{base}id/")))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(endpoint)))
    service = URIRef(endpoint + "#service")
    g.add((dataset, DCAT.accessService, service))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, URIRef(endpoint)))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCAT.servesDataset, dataset))

    for counted, count in (
        (VOID.triples, measures.triples),
        (VOID.distinctSubjects, measures.subjects),
        (VOID.properties, len(measures.properties)),
    ):
        g.add((dataset, counted, Literal(count, datatype=XSD.integer)))
    labels: set[str] = set()

    def node(kind: str, iri: str) -> BNode:
        # readable and stable (a rebuild is byte-identical), and one per IRI: two IRIs that
        # differ only in punctuation would share _label's text
        label = f"{kind}-{_label(iri)}"
        while label in labels:
            label += "-"
        labels.add(label)
        return BNode(label)

    for cls, entities in measures.classes:
        partition = node("partition", cls)
        g.add((dataset, VOID.classPartition, partition))
        g.add((partition, VOID["class"], URIRef(cls)))
        g.add((partition, VOID.entities, Literal(entities, datatype=XSD.integer)))
    for predicate, triples in measures.properties:  # VoID §4.6: which properties, how often
        partition = node("property", predicate)
        g.add((dataset, VOID.propertyPartition, partition))
        g.add((partition, VOID.property, URIRef(predicate)))
        g.add((partition, VOID.triples, Literal(triples, datatype=XSD.integer)))

    add_linksets(g, measures, dataset)

    for file in files:
        url = URIRef(dumps + file.name)
        g.add((dataset, DCAT.distribution, url))
        g.add((url, RDF.type, DCAT.Distribution))
        g.add((url, DCAT.downloadURL, url))
        g.add((url, DCTERMS.title, Literal(file.name)))
        g.add((url, DCTERMS.description, Literal(file.description, lang="en")))
        if file.description_fr:
            g.add((url, DCTERMS.description, Literal(file.description_fr, lang="fr")))
        g.add((url, DCAT.mediaType, URIRef(IANA + file.media_type)))
        g.add((url, DCAT.byteSize, Literal(file.size, datatype=XSD.nonNegativeInteger)))
        if editorial:  # other data's licence is not known: nothing is said of it
            g.add((url, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
        checksum = BNode("checksum-" + _label(file.name))
        g.add((url, URIRef(SPDX + "checksum"), checksum))
        g.add((checksum, RDF.type, URIRef(SPDX + "Checksum")))
        g.add((checksum, URIRef(SPDX + "algorithm"), URIRef(SPDX + "checksumAlgorithm_sha256")))
        g.add(
            (
                checksum,
                URIRef(SPDX + "checksumValue"),
                Literal(file.sha256, datatype=XSD.hexBinary),
            )
        )
        if file.name in DATA_DUMPS:
            g.add((dataset, VOID.dataDump, url))
    return g
