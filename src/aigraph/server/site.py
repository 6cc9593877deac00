"""What the interface shows, computed once per version of the data: the day's programme,
the counts, the network, the editor's vocabulary, the release's passages with the facts
they support; and the dataset as the pages present and cite it.

Read from the merged triples (and, for the passages, the claim graphs), in a thread, once
per version of the data (`app.per_version`): at 10^6 triples the site takes seconds to
build, the passages most of a minute (bench/NOTES.md).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from starlette.requests import Request

from aigraph import __version__
from aigraph.citation import Citation, dataset_citation
from aigraph.engine import as_solutions
from aigraph.project import Project
from aigraph.search import LabelIndex
from aigraph.serialize import RDF_TYPE, term_text
from aigraph.server.app import Services, per_version
from aigraph.server.dumps import current_dumps
from aigraph.server.entity_view import labels_of
from aigraph.server.pages import local_href, script_json
from aigraph.server.protocol import ProtocolError

# The queries below read the merged triples (ServedData.merged), except CLAIM_TRIPLES, which
# reads the claim graphs of the authoritative store.
PREFIXES = """PREFIX aig: <https://w3id.org/aigraph/ns#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
SESSIONS = (
    PREFIXES
    + """SELECT DISTINCT ?s ?position ?kind ?title ?description WHERE {
  ?s a aig:Session ; aig:programmePosition ?position ; schema:description ?description .
  OPTIONAL { ?s aig:sessionKind/skos:prefLabel ?kind FILTER (lang(?kind) = ?lang) }
  OPTIONAL { ?s rdfs:label ?title FILTER (lang(?title) = ?lang) }
} ORDER BY ?position"""
)
PEOPLE = (
    PREFIXES
    + """SELECT DISTINCT ?s ?person ?name ?role ?job ?org ?orgName (lang(?orgName) AS ?orgLang)
  ?occupation WHERE {
  ?s aig:participation ?p . ?p aig:agent ?person ; aig:role/skos:prefLabel ?role .
  ?person schema:name ?name FILTER (lang(?role) = ?lang)
  OPTIONAL { ?p aig:statedOccupation/skos:prefLabel ?occupation FILTER (lang(?occupation) = "fr") }
  OPTIONAL { ?p aig:statedAffiliation ?m . ?m org:organization ?org . ?org schema:name ?orgName
             OPTIONAL { ?m org:role/skos:prefLabel ?job FILTER (lang(?job) = "fr") } }
} ORDER BY ?s ?name"""
)
TOPICS = (
    PREFIXES
    + """SELECT DISTINCT ?s ?topic ?label WHERE {
  ?s a aig:Session ; schema:about ?topic .
  ?topic skos:prefLabel ?label FILTER (lang(?label) = ?lang)
} ORDER BY ?s ?label"""
)
DAY = (
    PREFIXES
    + """SELECT DISTINCT ?day ?label ?date ?release ?published WHERE {
  ?day a aig:StudyDay ; schema:startDate ?date .
  OPTIONAL { ?day rdfs:label ?label FILTER (lang(?label) = ?lang) }
  OPTIONAL { ?release a schema:NewsArticle ; schema:about ?day ; schema:datePublished ?published }
}"""
)
NETWORK = (
    PREFIXES
    + """SELECT DISTINCT ?a ?b ?relation WHERE {
  { ?a aig:participation/aig:agent ?b . BIND ("participation" AS ?relation) }
  UNION { ?m org:member ?a ; org:organization ?b . BIND ("affiliation" AS ?relation) }
  UNION { ?a a aig:Session ; schema:about ?b . BIND ("topic" AS ?relation) }
}"""
)


SPANS = """PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT DISTINCT ?claim ?span ?start ?end WHERE {
  ?claim prov:wasDerivedFrom ?span . ?span oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end
} ORDER BY ?start ?end ?span ?claim"""
CLAIM_TRIPLES = """SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o }
  FILTER (STRSTARTS(STR(?g), ?prefix)) }"""
ALL_LABELS = (
    PREFIXES
    + """SELECT DISTINCT ?x ?label WHERE {
  { ?x schema:name ?label } UNION { ?x rdfs:label ?label } UNION { ?x skos:prefLabel ?label }
  FILTER (isLiteral(?label)) }"""
)


@dataclass
class Passage:
    """A passage of the release that claims rest on, and the facts it supports."""

    slug: str
    start: int
    end: int
    facts: dict[str, list[dict[str, Any]]]  # lang → rows


#: How many labels read from the data a site keeps (then it forgets them all and reads again).
READ_LABELS_KEPT = 10_000


@dataclass
class Site:
    """What the pages show, computed once per version of the data."""

    index: LabelIndex
    programme: dict[str, list[dict[str, Any]]]  # lang → sessions
    day: dict[str, dict[str, str]]  # lang → the day and its release
    counts: dict[str, int]
    network: dict[str, dict[str, Any]]  # lang → nodes and edges
    vocabulary: dict[str, Any]
    #: the merged triples the index was read from: the labels of what it does not index
    store: ox.Store | None = None
    #: labels read from `store`: a table of 10,000 rows names the same few roles and
    #: sectors in every row (10 µs a lookup at 10^6 triples)
    _read: dict[tuple[str, str], str | None] = field(default_factory=dict, repr=False)

    def label(self, iri: str, lang: str) -> str | None:
        """`iri`'s label in `lang` (else in French, in English, untagged): from the search
        index (aigraph.search.KINDS), else from the data (a sector, a role, a session kind:
        skos:prefLabel, schema:name or rdfs:label, a lookup of the store's index), or None
        if it has none."""
        entry = self.index.get(iri)
        if entry is not None:
            return entry.label(lang)
        if self.store is None:
            return None
        if (iri, lang) not in self._read:
            if len(self._read) >= READ_LABELS_KEPT:
                self._read.clear()
            self._read[(iri, lang)] = self._read_label(self.store, iri, lang)
        return self._read[(iri, lang)]

    @staticmethod
    def _read_label(store: ox.Store, iri: str, lang: str) -> str | None:
        try:
            found = labels_of(store, ox.NamedNode(iri))
        except ValueError:  # not an IRI the store could hold
            return None
        for wanted in (lang, "fr", "en", ""):
            if wanted in found:
                return found[wanted]
        return next(iter(found.values()), None)


def _rows(services: Services, query: str, lang: str | None = None) -> list[dict[str, str]]:
    assert services.data is not None
    if lang is not None:  # one of the interface's two languages, never user input
        assert lang in ("fr", "en")
        query = query.replace("?lang", f'"{lang}"')
    result = as_solutions(services.data.merged.query(query))
    names = [v.value for v in result.variables]
    # a solution iterates its values in the variables' order; reading it by Variable is
    # several times slower (4 of the 11 s the site took at 10^6 triples)
    return [
        {name: term_text(term) for name, term in zip(names, row, strict=True) if term is not None}
        for row in result
    ]


def build_site(services: Services) -> Site:
    assert services.data is not None
    base = services.settings.base_iri
    index = services.data.labels()

    def href(iri: str) -> str:
        return local_href(iri, base) or iri

    programme, day = {}, {}
    for lang in ("fr", "en"):
        sessions: dict[str, dict[str, Any]] = {
            r["s"]: {**r, "href": href(r["s"]), "people": [], "topics": []}
            for r in _rows(services, SESSIONS, lang)
        }
        seen: dict[tuple[str, str, str], dict[str, Any]] = {}

        def rank(row: Mapping[str, str | None], lang: str = lang) -> int:
            return {lang: 0, "": 1}.get(row.get("orgLang") or "", 2)

        for r in _rows(services, PEOPLE, lang):
            if r["s"] not in sessions:
                continue
            key = (r["s"], r["person"], r["role"])
            if key not in seen:
                seen[key] = {
                    **r,
                    "href": href(r["person"]),
                    "org_href": href(r["org"]) if "org" in r else None,
                    "occupations": [],
                }
                sessions[r["s"]]["people"].append(seen[key])
            person = seen[key]
            if rank(r) < rank(person):  # another name of the organisation: the page's first
                person["orgName"], person["orgLang"] = r["orgName"], r["orgLang"]
            # "Lou Fauroux, artiste et cinéaste": a row each, every one of them kept
            occupation = r.get("occupation")
            if occupation and occupation not in person["occupations"]:
                person["occupations"].append(occupation)
        for people in (s["people"] for s in sessions.values()):
            for person in people:
                person["occupations"].sort(key=str.casefold)
        for r in _rows(services, TOPICS, lang):
            if r["s"] in sessions:
                sessions[r["s"]]["topics"].append({**r, "href": href(r["topic"])})
        programme[lang] = sorted(sessions.values(), key=lambda s: int(s["position"]))
        rows = _rows(services, DAY, lang)
        day[lang] = {**rows[0], "href": href(rows[0]["day"])} if rows else {}
    counts: dict[str, int] = {}
    for entry in index.entries.values():
        counts[entry.kind] = counts.get(entry.kind, 0) + 1
    counts["triples"] = services.data.info.triples
    return Site(
        index,
        programme,
        day,
        counts,
        _network(services, index),
        _vocabulary(services, index),
        services.data.merged,
    )


def _passages(services: Services) -> list[Passage]:
    """Every passage with the facts of the claims that rest on it, in readable rows."""
    from aigraph.validate import compact

    assert services.data is not None
    base = services.settings.base_iri
    store = services.data.authoritative
    labels: dict[str, dict[str, str]] = {}
    for row in as_solutions(services.data.merged.query(ALL_LABELS)):
        label = row["label"]
        labels.setdefault(row["x"].value, {})[label.language or ""] = label.value
    claims: dict[str, list[tuple[str, str, Any]]] = {}
    claim_prefix = json.dumps(base + "id/claim/")  # a SPARQL string literal (base is an IRI)
    for row in as_solutions(store.query(CLAIM_TRIPLES.replace("?prefix", claim_prefix))):
        if row["p"].value != RDF_TYPE:
            claims.setdefault(term_text(row["g"]), []).append(
                (term_text(row["s"]), row["p"].value, row["o"])
            )
    shown: dict[tuple[str, str], dict[str, Any]] = {}

    def show(iri: str, lang: str) -> dict[str, Any]:
        if (iri, lang) not in shown:  # at 10^6 triples, most terms recur in many claims
            names = labels.get(iri, {})
            text = names.get(lang) or names.get("") or names.get("fr") or names.get("en")
            shown[iri, lang] = {
                "text": text or compact(iri, base),
                "href": local_href(iri, base) or iri,
            }
        return shown[iri, lang]

    def facts(claim: str, lang: str) -> list[dict[str, Any]]:
        # sorted here, not by the query: a sort of every claim triple in the engine cost
        # 3 s of 4 at 10^6 triples; a claim holds a few
        ordered = sorted(
            claims.get(claim, []),
            key=lambda f: (f[0], f[1], isinstance(f[2], ox.Literal), term_text(f[2])),
        )
        return [
            {
                "subject": show(s, lang),
                "predicate": show(p, lang),
                "object": show(o.value, lang)
                if isinstance(o, ox.NamedNode)
                else {"text": term_text(o)},
            }
            for s, p, o in ordered
        ]

    spans: dict[str, Passage] = {}
    for r in _rows(services, SPANS):
        slug = r["span"].rsplit("/", 1)[-1]
        passage = spans.setdefault(
            slug, Passage(slug, int(r["start"]), int(r["end"]), {"fr": [], "en": []})
        )
        for lang in ("fr", "en"):
            passage.facts[lang].extend(facts(r["claim"], lang))
    return sorted(spans.values(), key=lambda p: (p.start, p.end, p.slug))


def segments(
    text: str, passages: list[Passage], highlight: tuple[int, int] | None, active: str | None
) -> list[dict[str, Any]]:
    """The text cut at every passage boundary; each piece knows the passages covering it
    (the shortest first: the one its link opens) and whether it is highlighted."""
    cuts = {0, len(text)}
    for p in passages:
        cuts |= {p.start, p.end}
    if highlight:
        cuts |= set(highlight)
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    out = []
    first_highlight = True
    for a, b in itertools.pairwise(points):
        covering = sorted(
            (p for p in passages if p.start <= a and b <= p.end),
            key=lambda p: (p.end - p.start, p.slug),
        )
        lit = bool(highlight and highlight[0] <= a and b <= highlight[1])
        out.append(
            {
                "text": text[a:b],
                "passage": covering[0].slug if covering else None,
                "spans": " ".join(p.slug for p in covering),
                "active": bool(active and any(p.slug == active for p in covering)),
                "highlight": lit,
                "anchor": lit and first_highlight,
            }
        )
        if lit:
            first_highlight = False
    return out


def _network(services: Services, index: LabelIndex) -> dict[str, dict[str, Any]]:
    """The network's nodes and edges, per language of the interface: the same graph, its
    nodes labelled in that language (or the other, when that is all they have)."""
    base = services.settings.base_iri
    entries, edges = {}, []
    for r in _rows(services, NETWORK):
        for iri in (r["a"], r["b"]):
            entry = index.get(iri)
            if entry is not None:
                entries[iri] = entry
        if r["a"] in entries and r["b"] in entries:
            edges.append({"source": r["a"], "target": r["b"], "relation": r["relation"]})
    ordered = sorted(entries.items())
    return {
        lang: {
            "nodes": [
                {
                    "id": iri,
                    "label": entry.label(lang),
                    "kind": entry.kind,
                    "href": local_href(iri, base) or iri,
                }
                for iri, entry in ordered
            ],
            "edges": edges,
        }
        for lang in ("fr", "en")
    }


def _vocabulary(services: Services, index: LabelIndex) -> dict[str, Any]:
    """What the editor completes: prefixes, the classes and properties the data uses, and
    its labelled entities."""
    from aigraph.namespaces import PREFIXES as NS
    from aigraph.namespaces import data_prefixes

    prefixes = {**{k: str(v) for k, v in NS.items()}, **data_prefixes(services.settings.base_iri)}
    classes = [r["c"] for r in _rows(services, "SELECT DISTINCT ?c WHERE { ?s a ?c } ORDER BY ?c")]
    properties = [
        r["p"] for r in _rows(services, "SELECT DISTINCT ?p WHERE { ?s ?p ?o } ORDER BY ?p")
    ]
    entities = [
        {"iri": e.iri, "label": e.label("fr"), "kind": e.kind}
        for e in sorted(index.entries.values(), key=lambda e: e.iri)
    ]
    return {
        "prefixes": prefixes,
        "classes": classes,
        "properties": properties,
        "entities": entities,
    }


async def site(request: Request) -> Site:
    return await per_version(request, "site", build_site)


async def site_if_any(request: Request) -> Site | None:
    """The site, or None where there is none to make (the remote backend)."""
    try:
        return await site(request)
    except ProtocolError:
        return None


def iri_cell(iri: str, base: str, lang: str, data: Site | None) -> dict[str, Any]:
    """An IRI in a table of answers on a page, as the editor shows it (query.js, cellNode):
    its label where the data has one, else its prefixed name; the whole IRI as its title;
    linked to its page on this server, or to itself."""
    from aigraph.validate import compact

    label = data.label(iri, lang) if data is not None else None
    text = label if label is not None else compact(iri, base)
    return {"text": text, "href": local_href(iri, base) or iri, "title": iri}


async def passages(request: Request) -> list[Passage]:
    """The release's passages with their facts: for the page of the release only, so built
    apart from the site (at 10^6 triples it reads every claim graph: most of a minute)."""
    return await per_version(request, "passages", _passages)


@functools.lru_cache(maxsize=16)
def dataset_card(project: Project, base: str, lang: str, root: str) -> str:
    """The dataset as schema.org JSON-LD, for search engines and dataset crawlers (Google
    Dataset Search reads schema:Dataset), from what the editors say in data/dataset.ttl."""
    from rdflib import Literal
    from rdflib.namespace import DCTERMS

    from aigraph.metadata import dataset_iri, editorial_description
    from aigraph.namespaces import DCAT

    source = editorial_description(project, base)  # data/dataset.ttl, under `base`
    dataset = dataset_iri(base)

    def text(predicate: object) -> list[str]:
        return sorted(
            str(o)
            for o in source.objects(dataset, predicate)  # type: ignore[arg-type]
            if isinstance(o, Literal) and o.language == lang
        )

    period = source.value(dataset, DCTERMS.temporal)
    card: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": str(dataset),
        "name": text(DCTERMS.title)[0],
        "description": text(DCTERMS.description)[0],
        "url": root,
        "version": __version__,
        "inLanguage": ["fr", "en"],
        "keywords": text(DCAT.keyword),
        "license": str(source.value(dataset, DCTERMS.license)),
        "isBasedOn": str(source.value(dataset, DCTERMS.source)),
        "temporalCoverage": f"{source.value(period, DCAT.startDate)}/"
        f"{source.value(period, DCAT.endDate)}",
    }
    return script_json(card)


@functools.lru_cache(maxsize=16)
def cited_dataset(project: Project, base: str, lang: str) -> Citation:
    """How to cite the dataset (aigraph.citation), from what its editors say of it."""
    from aigraph.metadata import dataset_iri, editorial_description

    return dataset_citation(editorial_description(project, base), dataset_iri(base), lang)


async def data_checksum(request: Request) -> str | None:
    """The SHA-256 of the served data as N-Quads (/dumps/aigraph.nq), which an answer's
    citation names; None where the server offers no dump."""
    try:
        dumps = await current_dumps(request)
    except ProtocolError:
        return None
    nquads = dumps.files.get("aigraph.nq")
    return hashlib.sha256(nquads[1]).hexdigest() if nquads else None
