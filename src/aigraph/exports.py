"""Exports for people who work in spreadsheets and network tools: CSV tables (one row per
participation with the release's quote) and a GraphML network (people, organisations and
sessions as nodes; participations and stated affiliations as edges). Both are computed by
SPARQL over the engine, so they say exactly what the graph says."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from aigraph.engine import Engine
from aigraph.serialize import RDF_LANGSTRING
from aigraph.tabular import OCCUPATION_SEPARATOR

PREFIXES = """PREFIX aig: <https://w3id.org/aigraph/ns#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

TABLES: dict[str, str] = {
    "people.csv": """SELECT ?person ?name (COUNT(DISTINCT ?p) AS ?participations) WHERE {
        ?person a schema:Person ; schema:name ?name . OPTIONAL { ?p aig:agent ?person } }
        GROUP BY ?person ?name ORDER BY ?name""",
    "organisations.csv": """SELECT ?organisation ?name ?sector ?parent (COUNT(DISTINCT ?m) AS ?people) WHERE {
        ?organisation a org:Organization ; schema:name ?name FILTER (lang(?name) != "en")
        OPTIONAL { ?organisation org:classification/skos:prefLabel ?sector FILTER (lang(?sector) = "en") }
        OPTIONAL { ?organisation org:unitOf ?parent }
        OPTIONAL { ?m org:organization ?organisation } }
        GROUP BY ?organisation ?name ?sector ?parent ORDER BY ?name""",
    "sessions.csv": """SELECT ?session ?position ?kind ?kind_fr ?title_fr ?title_en ?description WHERE {
        ?session a aig:Session ; aig:programmePosition ?position ; schema:description ?description ;
                 aig:sessionKind ?k . ?k skos:prefLabel ?kind FILTER (lang(?kind) = "en")
        ?k skos:prefLabel ?kind_fr FILTER (lang(?kind_fr) = "fr")
        OPTIONAL { ?session rdfs:label ?title_fr FILTER (lang(?title_fr) = "fr") }
        OPTIONAL { ?session rdfs:label ?title_en FILTER (lang(?title_en) = "en") } } ORDER BY ?position""",
    "participations.csv": """SELECT ?participation ?position ?session ?person ?name ?role ?job_title ?organisation
               ?organisation_name WHERE {
        ?session aig:programmePosition ?position ; aig:participation ?participation .
        ?participation aig:agent ?person ; aig:role/skos:prefLabel ?role FILTER (lang(?role) = "en")
        ?person schema:name ?name .
        OPTIONAL { ?participation aig:statedAffiliation ?m . ?m org:organization ?organisation .
                   ?organisation schema:name ?organisation_name FILTER (lang(?organisation_name) != "en")
                   OPTIONAL { ?m org:role/skos:prefLabel ?job_title FILTER (lang(?job_title) = "fr") } } }
        ORDER BY ?position ?name""",
    "topics.csv": """SELECT ?topic ?label_fr ?label_en ?definition_fr ?definition_en (COUNT(DISTINCT ?session) AS ?sessions) WHERE {
        ?topic skos:inScheme <https://w3id.org/aigraph/concept/scheme/topics> ;
               skos:prefLabel ?label_fr, ?label_en FILTER (lang(?label_fr) = "fr" && lang(?label_en) = "en")
        OPTIONAL { ?topic skos:definition ?definition_fr FILTER (lang(?definition_fr) = "fr") }
        OPTIONAL { ?topic skos:definition ?definition_en FILTER (lang(?definition_en) = "en") }
        OPTIONAL { ?session schema:about ?topic ; a aig:Session } }
        GROUP BY ?topic ?label_fr ?label_en ?definition_fr ?definition_en ORDER BY ?label_en""",
    # graph:links, kept apart from the release's statements: each link with its evidence
    "links.csv": """SELECT ?entity ?name ?predicate ?identifier ?evidence ?found ?method ?confidence ?note
        WHERE {
        ?link a aig:Link ; rdf:subject ?entity ; rdf:predicate ?predicate ; rdf:object ?identifier ;
              prov:wasDerivedFrom ?evidence ; prov:generatedAtTime ?found ; aig:confidence ?confidence ;
              aig:linkMethod/skos:prefLabel ?method FILTER (lang(?method) = "en")
        OPTIONAL { ?entity schema:name ?name FILTER (lang(?name) != "en") }
        OPTIONAL { ?link rdfs:comment ?note } }
        ORDER BY ?name ?predicate ?identifier""",
}


def table(engine: Engine, query: str) -> bytes:
    """A CSV table (RFC 4180, UTF-8, header row) of plain values: IRIs and lexical forms."""
    solutions = engine.select(PREFIXES + query)
    names = [v.value for v in solutions.variables]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for s in solutions:
        writer.writerow(["" if s[n] is None else s[n].value for n in names])
    return out.getvalue().encode("utf-8")


QUOTES = """SELECT ?participation ?quote ?start ?end WHERE {
    GRAPH ?claim { ?participation aig:agent ?who } ?who schema:name ?name .
    ?claim prov:wasDerivedFrom ?span . ?span oa:hasSelector ?q, ?pos .
    ?q oa:exact ?quote . ?pos oa:start ?start ; oa:end ?end
    FILTER (CONTAINS(?quote, ?name)) }"""


def participation_quotes(engine: Engine) -> dict[str, tuple[str, str, str]]:
    """For each participation, the shortest passage of its claims that names the person:
    their own clause of the release ("Jean-Michel Jarre, auteur-compositeur")."""
    best: dict[str, tuple[str, str, str]] = {}
    for s in engine.select(PREFIXES + QUOTES):
        key, quote = s["participation"].value, s["quote"].value
        if key not in best or (len(quote), s["start"].value) < (len(best[key][0]), best[key][1]):
            best[key] = (quote, s["start"].value, s["end"].value)
    return best


OCCUPATIONS = """SELECT ?participation ?occupation WHERE {
    ?participation aig:statedOccupation/skos:prefLabel ?occupation FILTER (lang(?occupation) = "fr") }"""


def participation_occupations(engine: Engine) -> dict[str, str]:
    """For each participation that states any, its occupations as the release words them
    ("auteur-compositeur"), in one cell, sorted: a rebuild writes the same bytes."""
    found: dict[str, list[str]] = {}
    for s in engine.select(PREFIXES + OCCUPATIONS):
        found.setdefault(s["participation"].value, []).append(s["occupation"].value)
    return {key: OCCUPATION_SEPARATOR.join(sorted(set(v))) for key, v in found.items()}


def tables(engine: Engine) -> dict[str, bytes]:
    out = {name: table(engine, query) for name, query in TABLES.items()}
    quotes = participation_quotes(engine)
    # the occupation the release gives a person with no organisation ("Alexandra
    # Bensamoun, professeure de droit …") or beside one: without it, their row said nothing
    # of how the release introduces them
    occupations = participation_occupations(engine)
    rows = list(csv.reader(io.StringIO(out["participations.csv"].decode("utf-8"))))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*rows[0], "occupations", "quote", "start", "end"])
    for row in rows[1:]:
        writer.writerow([*row, occupations.get(row[0], ""), *quotes.get(row[0], ("", "", ""))])
    out["participations.csv"] = buffer.getvalue().encode("utf-8")
    return out


GRAPHML = "http://graphml.graphdrawing.org/xmlns"


def network(engine: Engine) -> bytes:
    """GraphML: people, organisations and sessions as nodes; participations (person → session,
    with the role) and stated affiliations (person → organisation, with the title) as edges."""
    ET.register_namespace("", GRAPHML)
    root = ET.Element(f"{{{GRAPHML}}}graphml")
    for key, target, name in (
        ("label", "node", "label"),
        ("kind", "node", "kind"),
        ("relation", "edge", "relation"),
        ("detail", "edge", "detail"),
    ):
        ET.SubElement(
            root,
            f"{{{GRAPHML}}}key",
            id=key,
            attrib={"for": target, "attr.name": name, "attr.type": "string"},
        )
    graph = ET.SubElement(root, f"{{{GRAPHML}}}graph", id="aigraph", edgedefault="directed")
    nodes: dict[str, tuple[str, str]] = {}
    edges: list[tuple[str, str, str, str]] = []
    rows = engine.select(
        PREFIXES
        + """
        SELECT ?person ?name ?session ?title ?role ?org ?orgName ?jobTitle WHERE {
          ?session aig:participation ?p ; rdfs:label ?title FILTER (lang(?title) = "en")
          ?p aig:agent ?person ; aig:role/skos:prefLabel ?role FILTER (lang(?role) = "en")
          ?person schema:name ?name .
          OPTIONAL { ?p aig:statedAffiliation ?m . ?m org:organization ?org .
                     ?org schema:name ?orgName FILTER (lang(?orgName) != "en")
                     OPTIONAL { ?m org:role/skos:prefLabel ?jobTitle FILTER (lang(?jobTitle) = "fr") } } }"""
    )
    for r in rows:
        person, session = r["person"].value, r["session"].value
        nodes[person] = (r["name"].value, "person")
        nodes[session] = (r["title"].value, "session")
        edges.append((person, session, "participation", r["role"].value))
        if r["org"] is not None:
            nodes[r["org"].value] = (r["orgName"].value, "organisation")
            edges.append(
                (
                    person,
                    r["org"].value,
                    "affiliation",
                    r["jobTitle"].value if r["jobTitle"] else "",
                )
            )
    for iri, (label, kind) in sorted(nodes.items()):
        node = ET.SubElement(graph, f"{{{GRAPHML}}}node", id=iri)
        ET.SubElement(node, f"{{{GRAPHML}}}data", key="label").text = label
        ET.SubElement(node, f"{{{GRAPHML}}}data", key="kind").text = kind
    for index, (source, target, relation, detail) in enumerate(sorted(set(edges))):
        edge = ET.SubElement(
            graph, f"{{{GRAPHML}}}edge", id=f"e{index}", source=source, target=target
        )
        ET.SubElement(edge, f"{{{GRAPHML}}}data", key="relation").text = relation
        ET.SubElement(edge, f"{{{GRAPHML}}}data", key="detail").text = detail
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# --- JSON-LD framed view: one document per session with its people --------------------------

SESSION_VIEW = (
    PREFIXES
    + """CONSTRUCT {
  ?s a aig:Session ; rdfs:label ?title ; schema:description ?description ;
     aig:programmePosition ?position ; aig:sessionKind ?kind ; schema:about ?topic ;
     aig:participation ?p .
  ?kind skos:prefLabel ?kind_label . ?topic skos:prefLabel ?topic_label .
  ?p a aig:Participation ; aig:agent ?person ; aig:role ?role ;
     aig:statedAffiliation ?m ; aig:statedOccupation ?occupation .
  ?person a schema:Person ; schema:name ?name . ?role skos:prefLabel ?role_label .
  ?m a org:Membership ; org:organization ?organisation ; org:role ?job .
  ?organisation a org:Organization ; schema:name ?organisation_name .
  ?job skos:prefLabel ?job_label . ?occupation skos:prefLabel ?occupation_label .
} WHERE {
  ?s a aig:Session ; aig:programmePosition ?position .
  { ?s rdfs:label ?title } UNION { ?s schema:description ?description }
  UNION { ?s aig:sessionKind ?kind . ?kind skos:prefLabel ?kind_label }
  UNION { ?s schema:about ?topic . ?topic skos:prefLabel ?topic_label }
  UNION {
    ?s aig:participation ?p . ?p aig:agent ?person ; aig:role ?role .
    ?person schema:name ?name . ?role skos:prefLabel ?role_label .
    OPTIONAL { ?p aig:statedOccupation ?occupation . ?occupation skos:prefLabel ?occupation_label }
    OPTIONAL {
      ?p aig:statedAffiliation ?m . ?m org:organization ?organisation .
      ?organisation schema:name ?organisation_name .
      OPTIONAL { ?m org:role ?job . ?job skos:prefLabel ?job_label }
    }
  }
}"""
)


def session_frame(context: dict[str, object]) -> dict[str, object]:
    """A JSON-LD 1.1 frame: each session at the top, its participations embedded, each with
    its person, role and stated affiliation (organisation and job title) embedded in turn."""
    always = {"@embed": "@always"}
    # Lists stay lists even with one item (a session with one speaker), so that JSON code can
    # iterate without checking; @set changes the JSON shape only, not the RDF it stands for.
    as_sets = {
        key: {**context[key], "@container": "@set"}  # type: ignore[dict-item]
        for key in ("participation", "about")
    }
    return {
        "@context": {**context, **as_sets},
        "@type": "Session",
        "kind": always,
        "about": always,
        "participation": {
            **always,
            "agent": always,
            "role": always,
            "statedOccupation": always,
            "statedAffiliation": {**always, "organization": always, "jobTitle": always},
        },
    }


def sessions_document(engine: Engine, context: dict[str, object]) -> dict[str, Any]:
    """The sessions as framed JSON-LD (pyld, fetching nothing), in programme order."""
    from pyld import jsonld

    expanded = jsonld.from_rdf(pyld_dataset(engine.construct(SESSION_VIEW)), {})
    framed = jsonld.frame(
        expanded,
        session_frame(context),
        options={"documentLoader": no_remote_documents, "omitGraph": False, "omitDefault": True},
    )
    framed["@graph"] = sorted(framed["@graph"], key=lambda s: int(s["position"]))
    return framed


def pyld_dataset(triples: Iterable[ox.Triple]) -> dict[str, list[dict[str, Any]]]:
    """`triples` as the RDF dataset pyld's from_rdf takes (its N-Quads parser's result).
    Given N-Quads text, pyld checks each triple against every other of its graph: at
    3×10^4 generated triples that took 28 of the 57 s that rendering the files took, and the
    files of 10^5 nearly five minutes."""

    def term(t: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, str]:
        if isinstance(t, ox.Triple):  # JSON-LD has no RDF 1.2 triple terms
            raise ValueError(f"JSON-LD cannot hold the triple term {t}")
        if isinstance(t, ox.NamedNode):
            return {"type": "IRI", "value": t.value}
        if isinstance(t, ox.BlankNode):
            return {"type": "blank node", "value": f"_:{t.value}"}
        if t.language:
            return {
                "type": "literal",
                "value": t.value,
                "datatype": RDF_LANGSTRING,
                "language": t.language,
            }
        return {"type": "literal", "value": t.value, "datatype": t.datatype.value}

    return {
        "@default": [
            {"subject": term(t.subject), "predicate": term(t.predicate), "object": term(t.object)}
            for t in dict.fromkeys(triples)  # a set, in the order given
        ]
    }


def no_remote_documents(url: str, options: object = None) -> dict[str, object]:
    """pyld's document loader: aigraph's JSON-LD processing fetches nothing."""
    raise ValueError(f"aigraph fetches no remote JSON-LD document ({url})")
