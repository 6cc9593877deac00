"""What the server says about itself: the SPARQL Service Description (W3C Recommendation
"SPARQL 1.1 Service Description") and the VoID description of the dataset ("Describing
Linked Datasets with the VoID Vocabulary", §6 discovery at /.well-known/void).

Both say only what is true: ``sd:BasicFederatedQuery`` only when SERVICE is allowed,
``sd:DereferencesURIs`` never (FROM names graphs of the dataset, it fetches nothing),
SPARQL Update only when the operator enabled it.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from aigraph import __version__
from aigraph.namespaces import DCTERMS, SD, VOID
from aigraph.server.data import DatasetInfo
from aigraph.server.formats import INPUT_FORMATS
from aigraph.server.settings import Settings

FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = [
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "JSON-LD",
    "N-Triples",
    "RDF_XML",
    "TriG",
    "N-Quads",
]
TITLE = {
    "en": "aigraph: the CNC's 7 October 2025 day on responsible AI in animation",
    "fr": "aigraph : la journée du CNC du 7 octobre 2025 sur l'IA responsable dans l'animation",
}


def service_description(endpoint: str, settings: Settings, info: DatasetInfo) -> Graph:
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    service = URIRef(endpoint + "#service")
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(endpoint)))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if settings.updates_enabled:
        g.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    if settings.service_allowlist:
        g.add((service, SD.feature, SD.BasicFederatedQuery))
    for name in RESULT_FORMATS:
        g.add((service, SD.resultFormat, URIRef(FORMATS + name)))
    if settings.updates_enabled:
        # what the Graph Store accepts (LOAD, which would parse too, is refused)
        for _, name in INPUT_FORMATS.values():
            g.add((service, SD.inputFormat, URIRef(FORMATS + name)))
    for lang, title in TITLE.items():
        g.add((service, DCTERMS.title, Literal(title, lang=lang)))
    g.add((service, DCTERMS.hasVersion, Literal(__version__)))
    dataset = BNode("dataset")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode("default")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(info.triples, datatype=XSD.integer)))
    for index, graph in enumerate(info.named):
        named, described = BNode(f"ng{index}"), BNode(f"g{index}")
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(graph.name or "")))  # info.named: named graphs only
        g.add((named, SD.graph, described))
        g.add((described, RDF.type, SD.Graph))
        g.add((described, VOID.triples, Literal(graph.triples, datatype=XSD.integer)))
    return g
