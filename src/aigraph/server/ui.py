"""The researcher interface: the home page (the dataset and the day's programme), the query
editor, search, and the network view.

Every page is server-rendered HTML that reads without JavaScript (the programme, search
results, a query's results table); the bundled scripts (built from ``ui/`` at set-up time,
served from ``/static/ui/``, never from a CDN) add the editor, type-ahead and the graph view.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import functools
import hashlib
import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from aigraph import __version__
from aigraph.citation import CHECKSUM_LATER, Citation, answer_template, dataset_citation
from aigraph.engine import as_solutions
from aigraph.lint import cross_products
from aigraph.project import Project
from aigraph.search import KIND_NAMES, Entry, LabelIndex, kind_plurals
from aigraph.serialize import term_text
from aigraph.server import examples
from aigraph.server.app import Services, per_version, root_url, services_of
from aigraph.server.dumps import current_dumps
from aigraph.server.entity_view import RDF_TYPE
from aigraph.server.formats import wants_json
from aigraph.server.pages import UI, kept_query, language, local_href, render, script_json
from aigraph.server.protocol import ProtocolError, ProtocolRequest
from aigraph.server.routing import route
from aigraph.server.snippets import snippets
from aigraph.server.sparql import client_of, execute, query_job, request_timeout

router = APIRouter(tags=["Interface"])
UI_DIR = Path(__file__).parent / "ui"
DIST = UI_DIR / "dist"

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


@dataclass
class Site:
    """What the pages show, computed once per version of the data."""

    index: LabelIndex
    programme: dict[str, list[dict[str, Any]]]  # lang → sessions
    day: dict[str, dict[str, str]]  # lang → the day and its release
    counts: dict[str, int]
    network: dict[str, dict[str, Any]]  # lang → nodes and edges
    vocabulary: dict[str, Any]


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
        seen: dict[tuple[str, str, str], dict[str, str | None]] = {}

        def rank(row: Mapping[str, str | None], lang: str = lang) -> int:
            return {lang: 0, "": 1}.get(row.get("orgLang") or "", 2)

        for r in _rows(services, PEOPLE, lang):
            if r["s"] not in sessions:
                continue
            key = (r["s"], r["person"], r["role"])
            if key in seen:  # another name of the organisation: the page's language first
                if rank(r) < rank(seen[key]):
                    seen[key]["orgName"], seen[key]["orgLang"] = r["orgName"], r["orgLang"]
                continue
            person: dict[str, str | None] = {
                **r,
                "href": href(r["person"]),
                "org_href": href(r["org"]) if "org" in r else None,
            }
            seen[key] = person
            sessions[r["s"]]["people"].append(person)
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
    )


def _passages(services: Services) -> list[Passage]:
    """Every passage with the facts of the claims that rest on it, in readable rows."""
    import pyoxigraph as ox

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


async def passages(request: Request) -> list[Passage]:
    """The release's passages with their facts: for the page of the release only, so built
    apart from the site (at 10^6 triples it reads every claim graph: most of a minute)."""
    return await per_version(request, "passages", _passages)


def _page(request: Request, template: str, **context: Any) -> HTMLResponse:
    lang = language(request)
    keep = kept_query(request)
    html = render(template, lang, alternates=[], version=__version__, keep=keep, **context)
    return HTMLResponse(html, headers={"Vary": "Accept-Language"})


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


@router.get("/", summary="Home page: the dataset and the day's programme", include_in_schema=False)
async def home(request: Request) -> HTMLResponse:
    data = await site(request)
    lang = language(request)
    services = services_of(request)
    project = services.project or Project.default()
    return _page(
        request,
        "home.html",
        programme=data.programme[lang],
        day=data.day[lang],
        counts=data.counts,
        plural=kind_plurals(lang),
        jsonld=dataset_card(project, services.settings.base_iri, lang, root_url(request)),
        citation=(
            cited_dataset(project, services.settings.base_iri, lang).text()
            if services.settings.bundled  # (other data is not the dataset this cites)
            else None
        ),
    )


# --- search -------------------------------------------------------------------------------


@router.get(
    "/search",
    summary="Find people, organisations, sessions, programmes, topics by name (HTML or JSON)",
    response_class=Response,
    responses=examples.json_example(examples.SEARCH),
)
async def search(
    request: Request, q: str = "", kind: str = "", limit: int | None = None, offset: int = 0
) -> Response:
    """With a text: the best matches (`limit`, default 10, at most 50). With no text and a
    `kind`: every entity of that kind, by label, `limit` at a time (default 100, at most
    1,000) from `offset` — browsing, for people who do not know the name they look for."""
    data = await site(request)
    lang = language(request)
    if len(q) > 200:
        raise ProtocolError(400, "the search text is longer than 200 characters")
    kinds = [k for k in kind.split(",") if k] or None
    if kinds and any(k not in KIND_NAMES for k in kinds):
        raise ProtocolError(400, f"unknown kind in {kind!r}; kinds are {', '.join(KIND_NAMES)}")
    if (limit is not None and limit < 1) or offset < 0:
        raise ProtocolError(400, "limit must be at least 1, and offset at least 0")
    base = services_of(request).settings.base_iri
    total: int | None = None
    if not q.strip() and kinds is not None:  # browsing
        size = min(limit or 100, 1000)
        entries, total = await asyncio.to_thread(_listing, data.index, kinds, lang, offset, size)
        results = [_result(e, lang, base, e.label(lang), None) for e in entries]
    else:
        # in a thread: a search scores the labels that may match (1-90 ms for 26,000
        # entities at 10^6 triples, aigraph.search), which must not hold the event loop
        size = min(limit or 10, 50)
        hits = await asyncio.to_thread(data.index.search, q, kinds, size) if q.strip() else []
        results = [_result(h.entry, lang, base, h.matched, round(h.score, 3)) for h in hits]
    more = total is not None and offset + len(results) < total
    if wants_json(request.headers.get("accept"), request.query_params.get("format")):
        body: dict[str, Any] = {"query": q, "results": results}
        if total is not None:
            body |= {"kind": kind, "total": total, "offset": offset}
        # the labels are in the language asked for
        return JSONResponse(body, headers={"Vary": "Accept, Accept-Language"})
    plural = kind_plurals(lang)
    return _page(
        request,
        "search.html",
        q=q,
        results=results,
        kind=kind if total is not None else "",
        listed=", ".join(plural[k] for k in kinds or ()),
        total=total,
        offset=offset,
        next_offset=offset + len(results) if more else None,
        size=size,
        counts=data.counts,
        plural=plural,
    )


def _listing(
    index: LabelIndex, kinds: list[str], lang: str, offset: int, size: int
) -> tuple[list[Entry], int]:
    """The `size` entities of `kinds` from `offset` on, by label, and how many there are."""
    listed = index.listing(kinds, lang)
    return listed[offset : offset + size], len(listed)


def _result(
    entry: Entry, lang: str, base: str, matched: str, score: float | None
) -> dict[str, Any]:
    return {
        "iri": entry.iri,
        "href": local_href(entry.iri, base) or entry.iri,
        "label": entry.label(lang),
        "matched": matched,
        "kind": entry.kind,
        "kind_label": KIND_NAMES[entry.kind][lang],
        "score": score,
    }


# --- sitemap -------------------------------------------------------------------------------

#: The most URLs one sitemap file may list (sitemaps.org protocol 0.9); past it, the first
#: ones in the order below (at 10^6 triples the graph's 26,000 entities fit).
SITEMAP_URLS = 50_000
PAGES = ("/", "/queries", "/network", "/dumps/", "/ns")


@route(router, "/sitemap.xml", ["GET", "HEAD"], include_in_schema=False)
async def sitemap(request: Request) -> Response:
    """Every page a search engine may index (robots.txt names this file): the site's own
    pages, the list of each kind, and each entity's page."""
    data = await site(request)
    root = root_url(request).rstrip("/")
    base = services_of(request).settings.base_iri
    xml = await asyncio.to_thread(_sitemap, data.index, root, base)
    return Response(xml, media_type="application/xml")


def _sitemap(index: LabelIndex, root: str, base: str) -> bytes:
    paths = [*PAGES, *(f"/search?kind={kind}" for kind in KIND_NAMES)]
    for kind in KIND_NAMES:
        paths += [href for e in index.listing([kind], "fr") if (href := local_href(e.iri, base))]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        *(f"<url><loc>{escape(root + path)}</loc></url>" for path in paths[:SITEMAP_URLS]),
        "</urlset>",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


# --- query editor ---------------------------------------------------------------------------

EXAMPLE = """PREFIX schema: <http://schema.org/>
PREFIX aig: <https://w3id.org/aigraph/ns#>

SELECT ?session ?position ?person ?name WHERE {
  ?session aig:programmePosition ?position ;
           aig:participation/aig:agent ?person .
  ?person schema:name ?name .
}
ORDER BY ?position ?name"""


@router.get(
    "/query",
    summary="The query editor (runs the query server-side without JavaScript)",
    include_in_schema=False,
)
async def query_page(request: Request) -> HTMLResponse:
    services = services_of(request)
    text = request.query_params.get("query")
    result: dict[str, Any] | None = None
    if text:
        result = await _run_for_page(request, services, text)
    lang = language(request)
    project = services.project or Project.default()
    # how to cite an answer (the bundled dataset's: other data is not what it cites): the
    # script fills in the link, the day and the size once it has an answer; without it,
    # the server does, for the answer on the page
    cite = cited = None
    answered = result is not None and "error" not in result
    if services.settings.bundled:
        # the data's checksum needs the dumps, rendered once per version of the data (0.7 s
        # for the bundled graph): awaited for an answer on this page, else left to the
        # script, which asks /dumps/ once it has an answer to cite
        checksum = await data_checksum(request) if answered else CHECKSUM_LATER
        cite = answer_template(cited_dataset(project, services.settings.base_iri, lang), checksum)
    if cite is not None and result is not None and answered:
        words = UI[lang]
        if "boolean" in result:
            size = "true" if result["boolean"] else "false"
        elif result.get("graph"):
            size = f"{result['count']} {words['triples']}"
        else:
            size = f"{result['count']} {words['row' if result['count'] == 1 else 'rows']}"
            size += " (…)" if result.get("truncated") else ""  # cut at the row limit
        url = f"{root_url(request)}query?{urlencode({'query': text}, quote_via=quote)}"
        today = datetime.datetime.now(datetime.UTC).date().isoformat()  # as the script's
        cited = cite.replace("{url}", url).replace("{date}", today).replace("{rows}", size)
    found = await asyncio.to_thread(cross_products, text or EXAMPLE)
    page = _page(
        request,
        "query.html",
        query=text or EXAMPLE,
        advice=[each.message(lang) for each in found],
        result=result,
        catalogue_url="/queries?format=json",
        snippets=snippets(root_url(request) + "sparql", text or EXAMPLE),
        cite_template=cite,
        cited=cited,
    )
    # a query that failed is the page with the error, under the error's status: neither a
    # browser nor a cache keeps a transient refusal (every worker busy, the client's share)
    # as if it were the answer
    page.status_code = result.get("status", 200) if result else 200
    return page


async def _run_for_page(request: Request, services: Services, text: str) -> dict[str, Any]:
    """Run a query for the no-JavaScript page: a table of at most 1,000 rows, or the error."""
    op = ProtocolRequest("query", text=text, params={})
    media = {
        "solutions": "application/sparql-results+json",
        "boolean": "application/sparql-results+json",
        "graph": "application/n-triples",
    }
    try:
        job = query_job(request, services, op, media)
        job.max_rows = min(job.max_rows or 1000, 1000)
        outcome = await execute(services, job, request_timeout(services, op), client_of(request))
    except ProtocolError as exc:
        return {"error": exc.message, "status": exc.status}
    if outcome.status != 200:
        return {"error": outcome.body.decode("utf-8", "replace").strip(), "status": outcome.status}
    base = services.settings.base_iri
    if outcome.media_type.startswith("application/n-triples"):
        rows = [
            [_cell_nt(part, base) for part in _split_nt(line)]
            for line in outcome.body.decode().splitlines()
            if line.strip()
        ]
        return {
            "variables": ["subject", "predicate", "object"],
            "rows": rows,
            "count": len(rows),
            "graph": True,
        }
    data = json.loads(outcome.body)
    if "boolean" in data:
        return {"boolean": data["boolean"]}
    variables = data["head"]["vars"]
    rows = [[_cell(b.get(v), base) for v in variables] for b in data["results"]["bindings"]]
    return {
        "variables": variables,
        "rows": rows,
        "count": len(rows),
        "truncated": outcome.truncated,
    }


def _cell(term: dict[str, str] | None, base: str) -> dict[str, Any]:
    if term is None:
        return {"text": ""}
    if term["type"] == "uri":
        return {"text": term["value"], "href": local_href(term["value"], base) or term["value"]}
    return {"text": term["value"], "lang": term.get("xml:lang")}


NT_TERM = re.compile(r'<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[\w-]+|\^\^<[^>]*>)?')


def _split_nt(line: str) -> list[str]:
    return NT_TERM.findall(line)[:3]


def _cell_nt(term: str, base: str) -> dict[str, Any]:
    if term.startswith("<"):
        iri = term[1:-1]
        return {"text": iri, "href": local_href(iri, base) or iri}
    if term.startswith('"'):
        end = term.rindex('"')
        text = json.loads(term[: end + 1]) if "\\" in term else term[1:end]
        return {"text": text}
    return {"text": term}


# --- network ------------------------------------------------------------------------------


@router.get(
    "/network",
    summary="The network of people, sessions, organisations and topics",
    include_in_schema=False,
)
async def network_page(request: Request) -> HTMLResponse:
    data = await site(request)
    edges = len(data.network["fr"]["edges"])
    return _page(request, "network.html", counts=data.counts, edges=edges)


@router.get(
    "/ui/network.json",
    summary="The network as nodes and edges (for the graph view), labelled in the language "
    "asked (`?lang=fr|en`, then Accept-Language)",
)
async def network_json(request: Request) -> JSONResponse:
    lang = language(request)
    network = (await site(request)).network[lang]
    return JSONResponse(network, headers={"Vary": "Accept-Language", "Content-Language": lang})


def query_parameter(description: str, example: str) -> dict[str, Any]:
    """The OpenAPI description of the `query` parameter the editor's helpers take."""
    parameter = {"name": "query", "in": "query", "required": True, "schema": {"type": "string"}}
    return {"parameters": [parameter | {"description": description, "example": example}]}


def the_query(request: Request, purpose: str) -> str:
    """The one `query` parameter of a request to the editor's helpers, or a 400."""
    texts = request.query_params.getlist("query")
    if len(texts) != 1:
        raise ProtocolError(400, f"give exactly one 'query' parameter: the query to {purpose}")
    return texts[0]


@router.get(
    "/ui/advice.json",
    summary="Advice on a query before it runs: parts of a pattern that share no variable "
    "(a cross product), in the language asked (for the editor)",
    responses=examples.json_example(examples.ADVICE),
    openapi_extra=query_parameter(
        "the SPARQL query to advise on",
        "SELECT * WHERE { ?a a <http://schema.org/Person> . ?b ?p ?o }",
    ),
)
async def advice_json(request: Request) -> JSONResponse:
    text = the_query(request, "advise on")
    lang = language(request)
    # (rdflib's parser takes milliseconds: not on the event loop)
    found = await asyncio.to_thread(cross_products, text)
    return JSONResponse(
        {
            "advice": [
                {
                    "kind": "cross-product",
                    "parts": [list(part) for part in each.parts],
                    "message": each.message(lang),
                }
                for each in found
            ]
        },
        headers={"Vary": "Accept-Language", "Content-Language": lang},
    )


@router.get(
    "/ui/snippets.json",
    summary="Code that runs a query from curl, Python (SPARQLWrapper) or JavaScript (fetch), "
    "on this endpoint (for the editor's Code panel)",
    responses=examples.json_example(examples.SNIPPETS),
    openapi_extra=query_parameter(
        "the SPARQL query to write code for (an update gets none)", "ASK {}"
    ),
)
async def snippets_json(request: Request) -> JSONResponse:
    found = snippets(root_url(request) + "sparql", the_query(request, "write code for"))
    note = "" if found else "an update needs the operator's token: no code is offered for it"
    return JSONResponse({"snippets": [dataclasses.asdict(s) for s in found], "note": note})


@router.get(
    "/ui/vocabulary.json", summary="Prefixes, classes, properties and entities (for completion)"
)
async def vocabulary_json(request: Request) -> JSONResponse:
    return JSONResponse((await site(request)).vocabulary)


@router.get("/ui/labels", summary="Labels of IRIs (for results tables)")
async def labels(request: Request) -> JSONResponse:
    data = await site(request)
    lang = language(request)
    iris = request.query_params.getlist("iri")[:500]
    base = services_of(request).settings.base_iri
    out = {}
    for iri in iris:
        entry = data.index.get(iri)
        if entry is not None:
            out[iri] = {"label": entry.label(lang), "href": local_href(iri, base) or iri}
    return JSONResponse(out)


# --- static files of the interface -----------------------------------------------------------

STATIC_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".map": "application/json",
    ".txt": "text/plain",
}


@route(router, "/static/ui/{name}", ["GET", "HEAD"], include_in_schema=False)
async def static(name: str) -> Response:
    """The bundled scripts and styles: files of ui/dist (built by `make`) and ui/static, by
    name only — no path, so nothing outside those two folders can be named."""
    if "/" in name or "\\" in name or name.startswith("."):
        raise ProtocolError(404, f"no file named {name!r}")
    for folder in (DIST, UI_DIR / "static"):
        path = folder / name
        if path.suffix in STATIC_TYPES and path.is_file():
            return FileResponse(
                path,
                media_type=STATIC_TYPES[path.suffix] + "; charset=utf-8",
                headers={"Cache-Control": "public, max-age=3600"},
            )
    hint = " (the interface is built by `make`: npm ci and npm run build in src/aigraph/server/ui)"
    raise ProtocolError(404, f"no file named {name!r}" + (hint if not DIST.exists() else ""))
