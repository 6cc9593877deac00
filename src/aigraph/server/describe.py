"""What a client gets when it dereferences an IRI of the graph: the entity's description.

It contains what a client needs to use the entity without another request (issue #4):
its outgoing and incoming triples; the n-ary nodes around it (participations, stated
affiliations: a person's, a session's, an organisation's) with their own triples, and the
session of each participation; the evidence of its links to external data (each
aig:Link about it, in graph:links); the labels, in every language, of everything
mentioned; and the evidence — each claim graph stating a fact about it, with the passage of
the release the claim rests on (quote and offsets). Facts keep their claim graph, so in a
quad format (TriG, N-Quads, JSON-LD) every fact's passage is explicit; triple formats carry
the same facts and the claims about the entity.

The entity IRI is written into the query text only after a check that it holds none of the
characters a SPARQL IRIREF excludes (SPARQL 1.1 §19.8: angle brackets, double quote, braces,
bar, caret, backquote, backslash, controls and space; the backslash also because SPARQL
unescapes "\\u" sequences before parsing, §19.2), so it cannot end the IRI and add to the
query.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from aigraph.engine import as_solutions
from aigraph.serialize import triple_key

SAFE_IRI = re.compile(r'^https?://[^\x00-\x20<>"{}|^`\\]+$')

PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX aig: <https://w3id.org/aigraph/ns#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

FACTS = (
    PREFIXES
    + """
SELECT DISTINCT ?s ?p ?o ?g WHERE {
  # in this order, so that a description cut at its limit keeps the entity's own triples and
  # the nodes around it, and loses incoming links first (a concept used by 100,000 nodes)
  { GRAPH ?g { <ENTITY> ?p ?o } BIND (<ENTITY> AS ?s) }
  # triples loaded without a graph (`aigraph serve --data` files in a triple syntax): in the
  # default graph only, ?g unbound; the default graph also holds the merge of every named
  # graph, whose triples the other branches already give with their graph
  UNION {
    <ENTITY> ?p ?o BIND (<ENTITY> AS ?s)
    FILTER NOT EXISTS { GRAPH ?h { <ENTITY> ?p ?o } }
  }
  UNION {
    <ENTITY> aig:participation|^aig:agent|aig:statedAffiliation|^org:member ?s .
    # a FILTER on the node's type, not `{ ?s a aig:Participation } UNION { … }`: Oxigraph
    # evaluates that union first, every participation of the graph (282 ms instead of
    # 0.16 ms for a person at 10^6 triples)
    ?s a ?kind FILTER (?kind IN (aig:Participation, org:Membership))
    GRAPH ?g { ?s ?p ?o }
  }
  # the nodes two links away, one branch each: as more alternatives of the path above
  # (`aig:participation/aig:statedAffiliation|…`), Oxigraph walked every such pair of the
  # graph (2.3–4.1 s instead of 2–6 ms at 10^6 triples)
  UNION {
    # a person's stated affiliations: for which organisation, with which title
    <ENTITY> ^aig:agent/aig:statedAffiliation ?s .
    GRAPH ?g { ?s ?p ?o }
  }
  UNION {
    # a session's: the organisation and title each of its people was given for it
    <ENTITY> aig:participation ?part . ?part aig:statedAffiliation ?s .
    GRAPH ?g { ?s ?p ?o }
  }
  UNION {
    # an organisation's affiliations: who, with which title
    ?s org:organization <ENTITY> ; a org:Membership .
    GRAPH ?g { ?s ?p ?o }
  }
  UNION {
    # and the participations that state them ("for which organisation" is said per
    # participation)
    ?m org:organization <ENTITY> . ?s aig:statedAffiliation ?m .
    GRAPH ?g { ?s ?p ?o }
  }
  UNION {
    # the session of each participation of a person or an organisation, which the session
    # states (`?session aig:participation ?it`): in which session a role was held
    ?o aig:agent <ENTITY> .
    GRAPH ?g { ?s aig:participation ?o } BIND (aig:participation AS ?p)
  }
  UNION {
    ?m org:organization <ENTITY> . ?o aig:statedAffiliation ?m .
    GRAPH ?g { ?s aig:participation ?o } BIND (aig:participation AS ?p)
  }
  UNION {
    # the evidence of each of its links to external data (graph:links): where the
    # identifier was found, when, how, with which confidence
    ?s rdf:subject <ENTITY> ; a aig:Link .
    GRAPH ?g { ?s ?p ?o }
  }
  UNION { GRAPH ?g { ?s ?p <ENTITY> } BIND (<ENTITY> AS ?o) }
  UNION {
    ?s ?p <ENTITY> BIND (<ENTITY> AS ?o)
    FILTER NOT EXISTS { GRAPH ?h { ?s ?p <ENTITY> } }
  }
}"""
)

LABELS = (
    PREFIXES
    + """
SELECT DISTINCT ?x ?p ?l WHERE {
  VALUES ?x { NODES }
  ?x ?p ?l
  # a FILTER, not a second VALUES for ?p: Oxigraph joined that one with every name of the
  # graph (88 ms instead of 5.5 ms for a person's 38 nodes at 10^6 triples)
  FILTER (?p IN (schema:name, skos:prefLabel, rdfs:label))
}"""
)

EVIDENCE = (
    PREFIXES
    + """
SELECT DISTINCT ?s ?p ?o WHERE {
  VALUES ?claim { CLAIMS }
  { ?claim ?p ?o BIND (?claim AS ?s) FILTER (?p IN (prov:wasDerivedFrom, rdf:type)) }
  UNION { ?claim prov:wasDerivedFrom ?s . ?s ?p ?o }
  UNION { ?claim prov:wasDerivedFrom/oa:hasSelector ?s . ?s ?p ?o }
}"""
)


def describe(
    store: ox.Store,
    entity: str,
    provenance_graph: str,
    facts: ox.Store | None = None,
    limit: int | None = None,
) -> tuple[list[ox.Quad], bool]:
    """The quads describing `entity` (none if the graph says nothing about it), and whether
    its facts were cut at `limit` (the labels and evidence of those kept come with them).

    `facts`: the merged triples alone (aigraph.engine.merged_only), if the caller has them:
    the labels and the evidence are read from the default graph, and there a store without
    the named graphs answers at once where the full one walks every graph restating a
    label (a job title's, in each claim: 3 ms a node at 10^6 triples)."""
    if not SAFE_IRI.match(entity):
        raise ValueError(f"not a describable IRI: {entity!r}")
    ox.NamedNode(entity)  # ValueError if it does not parse as an IRI
    quads: dict[ox.Quad, None] = {}
    claims: set[str] = set()
    query = FACTS.replace("ENTITY", entity)
    if limit is not None:
        query += f" LIMIT {limit + 1}"  # one more: to know that some were cut
    rows = list(as_solutions(store.query(query)))
    truncated = limit is not None and len(rows) > limit
    for row in rows[:limit]:
        graph = row["g"]  # None: the default graph
        quads[ox.Quad(row["s"], row["p"], row["o"], graph or ox.DefaultGraph())] = None
        if isinstance(graph, ox.NamedNode) and "/id/claim/" in graph.value:
            claims.add(graph.value)
    if not quads:
        return [], False
    nodes = {
        t.value
        for q in quads
        for t in (q.subject, q.predicate, q.object)
        if isinstance(t, ox.NamedNode)
    }
    node_values = " ".join(f"<{n}>" for n in sorted(nodes))
    merged = facts if facts is not None else store
    for row in as_solutions(merged.query(LABELS.replace("NODES", node_values))):
        quads.setdefault(ox.Quad(row["x"], row["p"], row["l"], ox.DefaultGraph()), None)
    if claims:
        prov = ox.NamedNode(provenance_graph)
        claim_values = " ".join(f"<{c}>" for c in sorted(claims))
        for row in as_solutions(merged.query(EVIDENCE.replace("CLAIMS", claim_values))):
            quads.setdefault(ox.Quad(row["s"], row["p"], row["o"], prov), None)
    return list(quads), truncated


def reading_order(quads: list[ox.Quad], entity: str) -> list[ox.Quad]:
    """`quads` in the order a person reads a description in: graph by graph (named graphs by
    name, the default graph's labels last), in each the entity first, then the other
    subjects (aigraph.serialize.triple_key). Oxigraph's Turtle-family writers group only
    consecutive triples of one subject (and graph): in the order the description is gathered
    a subject or a graph came back in several blocks."""

    def key(q: ox.Quad) -> tuple[object, ...]:
        g = q.graph_name
        graph = (1, "") if isinstance(g, ox.DefaultGraph) else (0, g.value)
        return (graph, *triple_key(q.triple, entity))

    return sorted(quads, key=key)
