"""`aigraph link`: ask Wikidata for candidates for the graph's people, organisations and
topics, score them with what the graph knows, write a review file a person decides on, and turn
accepted rows into links with their evidence (data/links.trig, graph:links).

Nothing is linked without review, unless the operator gives an explicit score threshold.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, XSD

from aigraph.engine import as_solutions
from aigraph.linking.identifiers import identifier_problem
from aigraph.linking.wikidata import WikidataClient
from aigraph.namespaces import AIG, CANONICAL_BASE, LINK_PREDICATES, PROV, SCHEMA, graph_iri
from aigraph.search import fold, similarity

WD_ENTITY = "http://www.wikidata.org/entity/"
WD_PAGE = "https://www.wikidata.org/wiki/"
#: Wikidata's own property and item numbers used to score candidates.
P_INSTANCE_OF, P_CITIZENSHIP, P_COUNTRY, P_OCCUPATION = "P31", "P27", "P17", "P106"
Q_HUMAN, Q_FRANCE = "Q5", "Q142"
KINDS = ("person", "organisation", "topic")
ACCEPT = {"accept", "accepted", "yes", "y", "x", "oui", "ok"}
COLUMNS = (
    "entity",
    "kind",
    "name",
    "rank",
    "candidate",
    "candidate_label",
    "candidate_description",
    "score",
    "evidence",
    "source",
    "retrieved",
    "decision",
)

CONTEXT_QUERY = """
PREFIX aig: <https://w3id.org/aigraph/ns#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?kind ?name (GROUP_CONCAT(DISTINCT ?word; separator="|") AS ?context) WHERE {
  {
    ?s a schema:Person ; schema:name ?name . BIND ("person" AS ?kind)
    OPTIONAL { { ?m org:member ?s ; org:organization/schema:name ?word }
      UNION { ?m org:member ?s ; org:role/skos:prefLabel ?word }
      UNION { ?p aig:agent ?s ; aig:statedOccupation/skos:prefLabel ?word } }
  } UNION {
    ?s a org:Organization ; schema:name ?name . BIND ("organisation" AS ?kind)
    OPTIONAL { ?s org:classification/skos:prefLabel ?word }
  } UNION {
    ?s skos:inScheme <https://w3id.org/aigraph/concept/scheme/topics> ; skos:prefLabel ?name .
    FILTER (lang(?name) = "fr") BIND ("topic" AS ?kind)
  }
  FILTER (isIRI(?s) && isLiteral(?name))  # served files may say anything
} GROUP BY ?s ?kind ?name ORDER BY ?kind ?name"""


@dataclass(frozen=True)
class Subject:
    """An entity of the graph to link, with what the graph says that helps to recognise it."""

    iri: str
    kind: str
    name: str
    context: tuple[str, ...] = ()


@dataclass
class Candidate:
    subject: Subject
    qid: str
    label: str
    description: str
    score: float
    evidence: list[str] = field(default_factory=list)
    source: str = ""
    retrieved: str = ""


#: Entities that already name their Wikidata item (an identity, not a close match).
WIKIDATA_LINKED_QUERY = f"""
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s WHERE {{
  ?s schema:sameAs|skos:exactMatch ?item
  FILTER (isIRI(?s) && STRSTARTS(STR(?item), "{WD_ENTITY}"))
}}"""


def wikidata_linked(store: ox.Store) -> set[str]:
    """The entities of `store` (its default graph) already linked to a Wikidata item."""
    return {row["s"].value for row in as_solutions(store.query(WIKIDATA_LINKED_QUERY))}


def subjects(
    store: ox.Store, kinds: Iterable[str] = KINDS, only: Iterable[str] = ()
) -> list[Subject]:
    wanted, chosen = set(kinds), set(only)
    out = []
    for row in as_solutions(store.query(CONTEXT_QUERY)):
        iri = row["s"].value
        if row["kind"].value not in wanted or (chosen and iri not in chosen):
            continue
        context = row["context"].value.split("|") if row["context"] and row["context"].value else []
        out.append(Subject(iri, row["kind"].value, row["name"].value, tuple(sorted(context))))
    return out


def _claim_items(entity: dict, prop: str) -> set[str]:
    items = set()
    for claim in entity.get("claims", {}).get(prop, []):
        value = claim.get("mainsnak", {}).get("datavalue", {}).get("value")
        if isinstance(value, dict) and "id" in value:
            items.add(value["id"])
    return items


def score_candidate(subject: Subject, hit: dict, entity: dict) -> tuple[float, list[str]]:
    """A score from 0 to 1 and the evidence behind it, from the name, the kind of thing the
    item is, its country, and whether its description mentions what the graph says."""
    labels = {hit.get("label", "")} | {v["value"] for v in entity.get("labels", {}).values()}
    aliases = {a["value"] for vs in entity.get("aliases", {}).values() for a in vs}
    name_score, matched = max(
        ((similarity(subject.name, lab), lab) for lab in labels | aliases if lab), default=(0.0, "")
    )
    evidence = [f"name {subject.name!r} ~ {matched!r} ({name_score:.2f})"]
    kinds = _claim_items(entity, P_INSTANCE_OF)
    if subject.kind == "person":
        type_score = 1.0 if Q_HUMAN in kinds else 0.0
        evidence.append("P31 Q5 (human)" if type_score else "not an instance of Q5 (human)")
        country = Q_FRANCE in _claim_items(entity, P_CITIZENSHIP)
    elif subject.kind == "organisation":
        type_score = 0.0 if Q_HUMAN in kinds else 1.0
        evidence.append("a human, not an organisation" if not type_score else "not a human")
        country = Q_FRANCE in _claim_items(entity, P_COUNTRY)
    else:
        type_score, country = 0.5, False
    if country:
        evidence.append("France (Q142)")
    description = fold(" ".join(v["value"] for v in entity.get("descriptions", {}).values()))
    words = {w for c in subject.context for w in fold(c).split() if len(w) > 3}
    shared = sorted(w for w in words if w in description.split())
    if shared:
        evidence.append("description mentions " + ", ".join(shared))
    context_score = min(1.0, len(shared) / 2)
    score = 0.6 * name_score + 0.2 * type_score + 0.1 * country + 0.1 * context_score
    return round(score, 4), evidence


def candidates_for(client: WikidataClient, subject: Subject, limit: int = 3) -> list[Candidate]:
    found = client.search(subject.name, language="fr", limit=max(limit, 5))
    hits = found.data.get("search", [])
    if not hits:
        return []
    details = client.entities([h["id"] for h in hits])
    entities = details.data.get("entities", {})
    out = []
    for hit in hits:
        qid = hit.get("id", "")
        if identifier_problem(WD_ENTITY + qid) is not None:
            continue  # never propose something that is not a Wikidata item id
        score, evidence = score_candidate(subject, hit, entities.get(qid, {}))
        out.append(
            Candidate(
                subject,
                qid,
                hit.get("label", ""),
                hit.get("description", ""),
                score,
                evidence,
                found.url,
                details.retrieved,
            )
        )
    out.sort(key=lambda c: (-c.score, c.qid))
    return out[:limit]


def review_rows(candidates: Iterable[Candidate]) -> Iterator[dict[str, str]]:
    rank: dict[str, int] = {}
    for c in candidates:
        rank[c.subject.iri] = rank.get(c.subject.iri, 0) + 1
        yield {
            "entity": c.subject.iri,
            "kind": c.subject.kind,
            "name": c.subject.name,
            "rank": str(rank[c.subject.iri]),
            "candidate": WD_ENTITY + c.qid,
            "candidate_label": c.label,
            "candidate_description": c.description,
            "score": f"{c.score:.4f}",
            "evidence": "; ".join(c.evidence),
            "source": c.source,
            "retrieved": c.retrieved,
            "decision": "",
        }


def write_review(rows: Iterable[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


class ReviewError(ValueError):
    """A review file that cannot be applied; nothing is written."""


@dataclass(frozen=True)
class Link:
    subject: str
    target: str
    method: str  # local name in the link-method scheme
    confidence: Decimal
    evidence: str
    retrieved: str
    predicate: str = str(SCHEMA.sameAs)


def accepted_links(path: Path) -> list[Link]:
    """The rows a reviewer accepted (decision: accept/yes/x…), checked."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReviewError(f"{path}: cannot read the review file: {exc}") from None
    if rows and set(COLUMNS) - set(rows[0]):
        raise ReviewError(f"{path}: missing columns {sorted(set(COLUMNS) - set(rows[0]))}")
    links, seen = [], set()
    for number, row in enumerate(rows, start=2):
        if row["decision"].strip().lower() not in ACCEPT:
            continue
        problem = identifier_problem(row["candidate"])
        if problem is not None or not row["candidate"].startswith(WD_ENTITY):
            raise ReviewError(f"{path}:{number}: {problem or 'not a Wikidata item'}")
        if row["entity"] in seen:
            raise ReviewError(f"{path}:{number}: a second accepted candidate for {row['entity']}")
        seen.add(row["entity"])
        links.append(
            Link(
                row["entity"],
                row["candidate"],
                "reviewed-candidate",
                Decimal(row["score"]).quantize(Decimal("0.01")),
                WD_PAGE + row["candidate"][len(WD_ENTITY) :],
                row["retrieved"],
            )
        )
    return links


def above_threshold(
    candidates: list[Candidate], threshold: float, margin: float = 0.1
) -> list[Link]:
    """The best candidate of each entity when its score reaches `threshold` and it is clearly
    ahead of the next (by `margin`): the operator's explicit choice, recorded as such."""
    by_subject: dict[str, list[Candidate]] = {}
    for c in candidates:
        by_subject.setdefault(c.subject.iri, []).append(c)
    links = []
    for iri, cs in sorted(by_subject.items()):
        cs.sort(key=lambda c: -c.score)
        best = cs[0]
        second = cs[1].score if len(cs) > 1 else 0.0
        if best.score >= threshold and best.score - second >= margin:
            links.append(
                Link(
                    iri,
                    WD_ENTITY + best.qid,
                    "above-threshold",
                    Decimal(str(best.score)).quantize(Decimal("0.01")),
                    WD_PAGE + best.qid,
                    best.retrieved,
                )
            )
    return links


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def add_links(links_file: Path, links: Iterable[Link], base: str = CANONICAL_BASE) -> int:
    """Add `links` to graph:links in `links_file` (rewritten atomically, header kept);
    return how many were new."""
    from aigraph.build import write_atomic

    text = links_file.read_text(encoding="utf-8") if links_file.exists() else ""
    header = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
    ds = Dataset()
    if text.strip():
        ds.parse(data=text, format="trig")
    graph = ds.graph(graph_iri("links", base))
    added = 0
    for link in links:
        s, p, o = URIRef(link.subject), URIRef(link.predicate), URIRef(link.target)
        if (s, p, o) in graph:
            continue
        node = URIRef(f"{base}id/link/{_slug(link.subject)}-{_slug(link.target).lower()}")
        graph.add((s, p, o))
        graph.add((node, RDF.type, AIG.Link))
        graph.add((node, RDF.subject, s))
        graph.add((node, RDF.predicate, p))
        graph.add((node, RDF.object, o))
        graph.add((node, PROV.wasDerivedFrom, URIRef(link.evidence)))
        when = link.retrieved if "T" in link.retrieved else link.retrieved + "T00:00:00Z"
        graph.add((node, PROV.generatedAtTime, Literal(when, datatype=XSD.dateTime)))
        graph.add((node, AIG.linkMethod, URIRef(f"{base}concept/link-method/{link.method}")))
        graph.add((node, AIG.confidence, Literal(link.confidence, datatype=XSD.decimal)))
        added += 1
    from aigraph.build import bind_prefixes

    single = Dataset()
    for triple in graph:
        single.graph(graph.identifier).add(triple)
    bind_prefixes(single, base)
    body = single.serialize(format="aigraph-trig")
    write_atomic(links_file, (header + "\n" + body).encode("utf-8"))
    return added


# --- status ----------------------------------------------------------------------------------

STATUS_QUERY = """
PREFIX aig: <https://w3id.org/aigraph/ns#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?kind ?s ?name ?p ?target ?evidence ?confidence ?method WHERE {
  { ?s a schema:Person ; schema:name ?name . BIND ("person" AS ?kind) }
  UNION { ?s a org:Organization ; schema:name ?name . BIND ("organisation" AS ?kind) }
  UNION { ?s skos:inScheme <https://w3id.org/aigraph/concept/scheme/topics> ; skos:prefLabel ?name .
          FILTER (lang(?name) = "fr") BIND ("topic" AS ?kind) }
  OPTIONAL {
    ?s ?p ?target
    FILTER (?p IN ($LINK_PREDICATES))
    FILTER (isIRI(?target) || isLiteral(?target))
    # the link's evidence (graph:links describes every link; served files may not)
    OPTIONAL {
      ?link rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?target .
      OPTIONAL { ?link prov:wasDerivedFrom ?evidence }
      OPTIONAL { ?link aig:confidence ?confidence }
      OPTIONAL { ?link aig:linkMethod ?method }
    }
  }
  FILTER (isIRI(?s) && isLiteral(?name))  # served files may say anything
} ORDER BY ?kind ?name ?target""".replace(
    "$LINK_PREDICATES", ", ".join(f"<{p}>" for p in LINK_PREDICATES)
)


def link_status(store: ox.Store) -> dict[str, dict[str, object]]:
    """Per kind: how many entities, how many linked, to which authorities, each link with its
    evidence, and which entities are not linked (`store`: its default graph is the merge of
    every graph, as an Engine's)."""
    from aigraph.linking.identifiers import WEBSITE, authority_of

    seen: dict[str, dict[str, object]] = {}
    links: dict[tuple[str, str], dict[tuple[str, str], dict[str, object]]] = {}
    names: dict[tuple[str, str], str] = {}
    for row in as_solutions(store.query(STATUS_QUERY)):
        key = (row["kind"].value, row["s"].value)
        names[key] = row["name"].value
        of_entity = links.setdefault(key, {})
        if row["target"] is None:
            continue
        target = row["target"]
        authority = authority_of(target.value) if isinstance(target, ox.NamedNode) else None
        link = of_entity.setdefault(
            (row["p"].value, target.value),
            {
                "predicate": row["p"].value,
                "target": target.value,
                "authority": authority.key
                if authority
                else ("siren" if not isinstance(target, ox.NamedNode) else WEBSITE),
                "evidence": [],
                "confidence": None,
                "method": None,
            },
        )
        if row["evidence"] is not None and row["evidence"].value not in link["evidence"]:  # type: ignore[operator]
            link["evidence"].append(row["evidence"].value)  # type: ignore[attr-defined]
        if row["confidence"] is not None:
            link["confidence"] = float(row["confidence"].value)
        if row["method"] is not None:
            link["method"] = row["method"].value.rsplit("/", 1)[-1]
    for kind in KINDS:
        mine = sorted((k for k in links if k[0] == kind), key=lambda k: fold(names[k]))
        authorities: dict[str, int] = {}
        for k in mine:
            for a in {str(link["authority"]) for link in links[k].values()}:
                authorities[a] = authorities.get(a, 0) + 1
        seen[kind] = {
            "entities": len(mine),
            "linked": sum(1 for k in mine if links[k]),
            "by_authority": dict(sorted(authorities.items())),
            "links": [
                {"iri": k[1], "name": names[k], "links": list(links[k].values())}
                for k in mine
                if links[k]
            ],
            "unlinked": [{"iri": k[1], "name": names[k]} for k in mine if not links[k]],
        }
    return seen


__all__ = [
    "COLUMNS",
    "Candidate",
    "Link",
    "ReviewError",
    "Subject",
    "above_threshold",
    "accepted_links",
    "add_links",
    "candidates_for",
    "link_status",
    "review_rows",
    "score_candidate",
    "subjects",
    "write_review",
]
