"""`aigraph stats`: what the graph holds, counted by SPARQL over the engine."""

from __future__ import annotations

from dataclasses import dataclass, field

from aigraph.engine import Engine
from aigraph.namespaces import LINK_PREDICATES

#: (label, SPARQL pattern binding ?x) for each count the stats report.
COUNTS: tuple[tuple[str, str], ...] = (
    ("people", "?x a <http://schema.org/Person>"),
    ("organisations (with units)", "?x a <http://www.w3.org/ns/org#Organization>"),
    ("organisational units", "?x a <http://www.w3.org/ns/org#OrganizationalUnit>"),
    ("sessions", "?x a <https://w3id.org/aigraph/ns#Session>"),
    ("participations", "?x a <https://w3id.org/aigraph/ns#Participation>"),
    ("stated affiliations", "?x a <http://www.w3.org/ns/org#Membership>"),
    ("programmes and initiatives", "?x a <https://w3id.org/aigraph/ns#Initiative>"),
    (
        "topics",
        "?x <http://www.w3.org/2004/02/skos/core#inScheme> "
        "<https://w3id.org/aigraph/concept/scheme/topics>",
    ),
    # how the release introduces people: with an organisation, a job title; without, an
    # occupation ("journaliste", "scénariste")
    (
        "job titles",
        "?x <http://www.w3.org/2004/02/skos/core#inScheme> "
        "<https://w3id.org/aigraph/concept/scheme/job-titles>",
    ),
    (
        "occupations",
        "?x <http://www.w3.org/2004/02/skos/core#inScheme> "
        "<https://w3id.org/aigraph/concept/scheme/occupations>",
    ),
    ("claims", "?x a <https://w3id.org/aigraph/ns#Claim>"),
    ("passages (spans)", "?x a <http://www.w3.org/ns/oa#SpecificResource>"),
    (
        "external links",
        f"?s ?p ?x FILTER (?p IN ({', '.join(f'<{p}>' for p in LINK_PREDICATES)}))",
    ),
    # graph:queries (aigraph.catalogue)
    ("catalogue queries", "?x a <http://www.w3.org/ns/shacl#SPARQLExecutable>"),
)


@dataclass
class Stats:
    triples: int
    named_graphs: int
    counts: dict[str, int] = field(default_factory=dict)
    violations: int | None = None
    warnings: int | None = None


def count(engine: Engine, pattern: str) -> int:
    solutions = engine.select(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")
    return int(next(iter(solutions))["n"].value)


def collect_stats(engine: Engine) -> Stats:
    """Counts per class, links and triples (the shapes are added by the caller)."""
    graphs = engine.select("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    triples = engine.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return Stats(
        triples=int(next(iter(triples))["n"].value),
        named_graphs=int(next(iter(graphs))["n"].value),
        counts={label: count(engine, pattern) for label, pattern in COUNTS},
    )
