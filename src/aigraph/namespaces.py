"""Namespaces of aigraph: our own terms (fail-fast) and the standard vocabularies we reuse.

`SCHEMA` is declared here because rdflib's `SDO` is the ``https://schema.org/`` form, while
aigraph uses ``http://schema.org/``, the form of schema.org's own JSON-LD context and of
Wikidata (docs/model.md, "Namespaces"). Never mix the two.
"""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

#: The canonical base under which the data files are written. A deployment may serve the
#: graph under another base (`Settings.base_iri`); `aigraph.dataset.rebase` rewrites IRIs.
CANONICAL_BASE = "https://w3id.org/aigraph/"

#: An absolute IRI whose characters SPARQL allows between < and > (SPARQL 1.1 Query §19.8,
#: production [139] IRIREF): safe to write as <…> in a query, and to check user input with.
ABSOLUTE_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^<>"{}|^`\\\x00-\x20]*$')

SCHEMA = Namespace("http://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


class AIG(DefinedNamespace):
    """aigraph's own terms (ontology/aigraph.ttl). A typo raises AttributeError."""

    _NS = Namespace(CANONICAL_BASE + "ns#")
    _fail = True

    # Classes
    StudyDay: URIRef  # a day made of sessions
    Session: URIRef  # one item of the day's programme
    Participation: URIRef  # one person, one session, one role (n-ary)
    Initiative: URIRef  # programme, call, observatory, referential, residency
    FundingProgramme: URIRef
    CallForProjects: URIRef
    Observatory: URIRef
    Referential: URIRef
    Residency: URIRef
    Claim: URIRef  # a named graph of facts supported by passages of the source
    DatasetGraph: URIRef  # a named graph that is not a claim (editorial, provenance, …)
    SourceText: URIRef  # the NFC text the selectors point into
    Link: URIRef  # a link to an external identifier, with its evidence

    # Properties
    sessionKind: URIRef
    programmePosition: URIRef
    presents: URIRef
    participation: URIRef
    agent: URIRef
    role: URIRef
    statedAffiliation: URIRef
    statedOccupation: URIRef
    attestedOn: URIRef
    statedActivity: URIRef
    inProgramme: URIRef
    moderator: URIRef
    framework: URIRef
    launchedBy: URIRef
    launchDate: URIRef
    statedAim: URIRef
    domain: URIRef
    cohortYear: URIRef
    sha256: URIRef
    codePoints: URIRef
    linkMethod: URIRef
    confidence: URIRef
    siren: URIRef


#: The predicates of links to external open data (docs/linking.md): only graph:links may state
#: them about aigraph's entities, each with its aig:Link. One list for the checks, the status
#: report and the stats.
LINK_PREDICATES: tuple[URIRef, ...] = (
    SCHEMA.sameAs,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SCHEMA.url,
    AIG.siren,
)


ONTOLOGY_IRI = URIRef(CANONICAL_BASE + "ns")


def graph_iri(name: str, base: str = CANONICAL_BASE) -> URIRef:
    """The IRI of one of the dataset's fixed named graphs (``provenance``, ``editorial`` …)."""
    return URIRef(f"{base}id/graph/{name}")


#: Prefixes used in queries, exports and pages, in the order they are declared.
PREFIXES: dict[str, str] = {
    "aig": str(AIG),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "prov": str(PROV),
    "oa": str(OA),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": str(SH),  # graph:queries: the catalogue as SHACL-AF executables (aigraph.catalogue)
}


def data_prefixes(base: str = CANONICAL_BASE) -> dict[str, str]:
    """Prefixes for aigraph's own IRIs under `base`, one per kind (a Turtle prefixed name
    cannot contain an unescaped ``/``, so ``id:person/x`` would not do)."""
    kinds = {
        "event": "id/event/",
        "session": "id/session/",
        "person": "id/person/",
        "organisation": "id/organisation/",
        "participation": "id/participation/",
        "membership": "id/membership/",
        "jobtitle": "id/job-title/",
        "occupation": "id/occupation/",
        "programme": "id/programme/",
        "release": "id/release/",
        "text": "id/text/",
        "claim": "id/claim/",
        "span": "id/span/",
        "selector": "id/selector/",
        "graph": "id/graph/",
        "role": "concept/role/",
        "topic": "concept/topic/",
        "kind": "concept/session-kind/",
        "sector": "concept/sector/",
        "domain": "concept/domain/",
        "scheme": "concept/scheme/",
    }
    return {prefix: base + path for prefix, path in kinds.items()}


def known_prefixes(base: str = CANONICAL_BASE) -> dict[str, str]:
    """Every prefix the project writes: the vocabularies' and the data's under `base` (the
    dumps' headers, graph answers, and the declaration a query that lacks one is told to add)."""
    return {**PREFIXES, **data_prefixes(base)}
