"""A reconciliation service (W3C Entity Reconciliation Community Group, "Reconciliation
Service API" v0.2, the protocol OpenRefine speaks): match a spreadsheet's names to aigraph's
people, organisations, sessions, programmes, topics, job titles and occupations.

- ``GET /reconcile``: the service manifest (§3);
- ``GET|POST /reconcile`` with ``queries`` (a JSON object of queries, §4.1): a batch of
  reconciliation queries, with type and property constraints; one result list per key, best
  first, scores 0–100, ``match`` when one candidate is certain (§4.2);
- ``GET /reconcile/preview?id=…``: a small HTML card of an entity (§6);
- ``GET /reconcile/suggest/{entity,type,property}?prefix=…``: auto-completion (§5).

Identifiers are IRIs relative to the base IRI (``id/person/jean-michel-jarre``): the
manifest's ``identifierSpace`` is the base, and ``view`` turns an id into this server's page.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from html import escape
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from aigraph import __version__
from aigraph.engine import as_solutions
from aigraph.search import KIND_NAMES, KINDS, Entry, LabelIndex, fold, similarity
from aigraph.server.app import Services, per_version, root_url, services_of
from aigraph.server.protocol import ProtocolError, _pairs, form_pairs, read_body
from aigraph.server.routing import route

router = APIRouter(tags=["Reconciliation"])

MAX_QUERIES = 500  # per batch: a spreadsheet column arrives in batches of 10 from OpenRefine
MAX_LIMIT = 100


@dataclass(frozen=True)
class Property:
    pid: str
    names: dict[str, str]
    kinds: tuple[str, ...]
    path: str  # SPARQL property path from the entity to a node or literal with a label


#: The properties a query may constrain (§4.1 "properties"), each a path to labelled values.
PROPERTIES: tuple[Property, ...] = (
    Property(
        "organisation",
        {"en": "organisation (stated affiliation)", "fr": "organisation (affiliation déclarée)"},
        ("person",),
        "^org:member/org:organization",
    ),
    Property(
        "jobTitle",
        {"en": "job title as stated", "fr": "fonction telle que déclarée"},
        ("person",),
        "^org:member/org:role",
    ),
    Property(
        "occupation",
        {"en": "occupation as stated", "fr": "métier déclaré"},
        ("person",),
        "^aig:agent/aig:statedOccupation",
    ),
    Property(
        "session",
        {"en": "session taken part in", "fr": "session"},
        ("person",),
        "^aig:agent/^aig:participation",
    ),
    Property("role", {"en": "role in a session", "fr": "rôle"}, ("person",), "^aig:agent/aig:role"),
    Property(
        "member",
        {"en": "member (person)", "fr": "membre (personne)"},
        ("organisation",),
        "^org:organization/org:member",
    ),
    Property("sector", {"en": "sector", "fr": "secteur"}, ("organisation",), "org:classification"),
)
PROPERTY_BY_ID = {p.pid: p for p in PROPERTIES}
PREFIXES = """PREFIX aig: <https://w3id.org/aigraph/ns#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


@dataclass
class Reconciler:
    """The label index plus each entity's property values, for one version of the data."""

    base: str
    index: LabelIndex
    values: dict[str, dict[str, set[str]]]  # iri → pid → labels

    @classmethod
    def build(cls, store: ox.Store, base: str, index: LabelIndex) -> Reconciler:
        """From `store`, whose default graph is the merge of every graph, and its labels."""
        values: dict[str, dict[str, set[str]]] = {}
        for prop in PROPERTIES:
            query = f"""{PREFIXES}SELECT ?s ?label WHERE {{ ?s {prop.path} ?v .
                {{ ?v schema:name ?label }} UNION {{ ?v skos:prefLabel ?label }}
                UNION {{ ?v rdfs:label ?label }} FILTER (isLiteral(?label)) }}"""
            for row in as_solutions(store.query(query)):
                values.setdefault(row["s"].value, {}).setdefault(prop.pid, set()).add(
                    row["label"].value
                )
        return cls(base, index, values)

    def local_id(self, iri: str) -> str:
        return iri[len(self.base) :] if iri.startswith(self.base) else iri

    def entry_for(self, identifier: str) -> Entry | None:
        return self.index.get(identifier if "://" in identifier else self.base + identifier)

    def describe(self, entry: Entry, lang: str = "fr") -> str:
        kind = KIND_NAMES[entry.kind][lang]
        extra = self.values.get(entry.iri, {})
        details = sorted(extra.get("organisation", set()) | extra.get("occupation", set()))
        return f"{kind}: " + ", ".join(details) if details else kind

    def candidate(
        self, entry: Entry, score: float, match: bool, features: list[Any]
    ) -> dict[str, Any]:
        return {
            "id": self.local_id(entry.iri),
            "name": entry.label("fr"),
            "description": self.describe(entry),
            "type": [{"id": entry.kind, "name": KIND_NAMES[entry.kind]["en"]}],
            "score": round(score, 2),
            "match": match,
            "features": features,
        }

    def reconcile(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        text = query.get("query")
        types = query.get("type")
        types = [types] if isinstance(types, str) else list(types or [])
        strict = query.get("type_strict", "any")
        limit = max(1, min(int(query.get("limit") or 10), MAX_LIMIT))
        constraints = [(p["pid"], _values(p["v"])) for p in query.get("properties") or []]
        kinds = None if strict == "should" or not types else set(types)
        if strict == "all" and len(set(types)) > 1:
            return []  # an entity has one kind here: it cannot be of several
        # with a name: the search's candidates with their name score (a hit's score is its
        # best label's similarity); without: every entity of the kinds, scored by properties
        pool: list[tuple[Entry, float | None]] = (
            [(h.entry, h.score) for h in self.index.search(text, kinds, limit=10_000, floor=0.35)]
            if text
            else [
                (e, None) for e in self.index.entries.values() if kinds is None or e.kind in kinds
            ]
        )
        scored = []
        for entry, name in pool:
            features: list[dict[str, Any]] = []
            if name is not None:
                features.append({"id": "name", "value": round(name, 4)})
            parts = []
            for pid, wanted in constraints:
                have = self.values.get(entry.iri, {}).get(pid, set())
                best = max((similarity(w, h) for w in wanted for h in have), default=0.0)
                parts.append(best)
                features.append({"id": f"property:{pid}", "value": round(best, 4)})
            prop = sum(parts) / len(parts) if parts else None
            if name is not None and prop is not None:
                score = 0.7 * name + 0.3 * prop
            else:
                score = name if name is not None else (prop or 0.0)
            if strict == "should" and types and entry.kind in types:
                score = min(1.0, score + 0.05)
            if score >= 0.3:  # below, a candidate only shares a word or two: noise
                scored.append((score * 100, entry, features))
        scored.sort(key=lambda t: (-t[0], fold(t[1].label()), t[1].iri))
        top = scored[:limit]
        results = []
        for i, (score, entry, features) in enumerate(top):
            runner_up = top[1][0] if len(top) > 1 else 0.0
            # certain only when the best is near-perfect and clearly ahead of the next
            match = i == 0 and score >= 95 and score - runner_up >= 10
            results.append(self.candidate(entry, score, match, features))
        return results


def _values(v: Any) -> list[str]:
    items = v if isinstance(v, list) else [v]
    out = []
    for item in items:
        if isinstance(item, dict):
            out.append(str(item.get("name") or item.get("id") or ""))
        else:
            out.append(str(item))
    return [o for o in out if o]


def check_query(key: str, query: Any) -> dict[str, Any]:
    """A reconciliation query as §4.1 defines it, or a 400 that says what is wrong."""
    where = f"query {key!r}"
    if not isinstance(query, dict):
        raise ProtocolError(400, f"{where}: a query is a JSON object")
    unknown = set(query) - {"query", "type", "limit", "properties", "type_strict"}
    if unknown:
        raise ProtocolError(400, f"{where}: unknown member(s) {sorted(unknown)}")
    text = query.get("query")
    props = query.get("properties")
    if text is not None and not isinstance(text, str):
        raise ProtocolError(400, f"{where}: 'query' is a string")
    if not (isinstance(text, str) and text.strip()) and not props:
        raise ProtocolError(400, f"{where}: give a non-empty 'query' or some 'properties'")
    types = query.get("type")
    type_list = [types] if isinstance(types, str) else types or []
    # a type is a string: a list or an object in its place is a 400, never a TypeError
    if not isinstance(type_list, list) or not all(
        isinstance(t, str) and t in KIND_NAMES for t in type_list
    ):
        raise ProtocolError(
            400, f"{where}: unknown type {types!r}; types are {', '.join(KIND_NAMES)}"
        )
    if query.get("type_strict", "any") not in ("any", "should", "all"):
        raise ProtocolError(400, f"{where}: 'type_strict' is any, should or all")
    limit = query.get("limit")
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, int | float) or limit < 1
    ):
        raise ProtocolError(400, f"{where}: 'limit' is a positive number")
    if props is not None:
        if not isinstance(props, list):
            raise ProtocolError(400, f"{where}: 'properties' is a list")
        for p in props:
            if not isinstance(p, dict) or "pid" not in p or "v" not in p:
                raise ProtocolError(400, f"{where}: each property is {{'pid': …, 'v': …}}")
            if not isinstance(p["pid"], str) or p["pid"] not in PROPERTY_BY_ID:
                raise ProtocolError(
                    400,
                    f"{where}: unknown property {p['pid']!r}; properties are "
                    + ", ".join(PROPERTY_BY_ID),
                )
    return query


async def reconciler(request: Request) -> Reconciler:
    return await per_version(request, "reconciliation", _build)


def _build(services: Services) -> Reconciler:
    assert services.data is not None
    data = services.data
    return Reconciler.build(data.merged, services.settings.base_iri, data.labels())


def manifest(request: Request, base: str) -> dict[str, Any]:
    root = root_url(request)
    service = root + "reconcile"
    return {
        "versions": ["0.2"],
        "name": "aigraph — CNC AI day, 7 October 2025",
        "identifierSpace": base,
        "schemaSpace": "http://schema.org/",
        "documentation": root + "api",
        "serviceVersion": __version__,
        "defaultTypes": [{"id": key, "name": names["en"]} for key, _, names, _ in KINDS],
        "view": {"url": root + "{{id}}"},
        "preview": {"url": service + "/preview?id={{id}}", "width": 400, "height": 140},
        "suggest": {
            "entity": {"service_url": service, "service_path": "/suggest/entity"},
            "type": {"service_url": service, "service_path": "/suggest/type"},
            "property": {"service_url": service, "service_path": "/suggest/property"},
        },
    }


async def _params(request: Request) -> dict[str, str]:
    """The query string's and (POST) the form body's parameters; OpenRefine posts
    ``application/x-www-form-urlencoded``."""
    pairs = _pairs(request.url.query, "query string")
    if request.method == "POST":
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/x-www-form-urlencoded":
            raise ProtocolError(
                415, "send the queries as application/x-www-form-urlencoded (queries=…)"
            )
        body = await read_body(request, services_of(request).settings.max_body_bytes)
        for key, values in (await form_pairs(body, "request body")).items():
            pairs.setdefault(key, []).extend(values)
    params = {}
    for key, values in pairs.items():
        if len(values) > 1 and key in ("queries", "query"):
            raise ProtocolError(400, f"give exactly one {key!r} parameter")
        params[key] = values[0]
    return params


def _json(text: str, name: str) -> Any:
    """Parameter `name` parsed as JSON, or a 400 saying why not."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProtocolError(400, f"'{name}' is not JSON: {exc}") from None
    except RecursionError:  # Python's parser recurses per level: '[' × 100,000 was a 500
        raise ProtocolError(400, f"'{name}' nests arrays or objects too deeply") from None


@route(router, "/reconcile", ["GET", "POST"], summary="Reconciliation service (manifest, queries)")
async def reconcile(request: Request) -> Response:
    params = await _params(request)
    rec = await reconciler(request)
    if "queries" in params:
        batch = _json(params["queries"], "queries")
        if not isinstance(batch, dict) or not batch:
            raise ProtocolError(400, "'queries' is a non-empty JSON object of queries by key")
        if len(batch) > MAX_QUERIES:
            raise ProtocolError(413, f"at most {MAX_QUERIES} queries per batch")
        checked = {key: check_query(key, q) for key, q in batch.items()}
        results = await asyncio.to_thread(
            lambda: {key: {"result": rec.reconcile(q)} for key, q in checked.items()}
        )
        return JSONResponse(results)
    if "query" in params:  # v0.1: a single query, as a string or a JSON object
        raw = params["query"]
        single = _json(raw, "query") if raw.lstrip().startswith("{") else {"query": raw}
        return JSONResponse({"result": rec.reconcile(check_query("query", single))})
    return JSONResponse(manifest(request, rec.base))


@router.get(
    "/reconcile/preview", summary="Preview of an entity (HTML)", response_class=HTMLResponse
)
async def preview(request: Request, id: str = "") -> HTMLResponse:
    rec = await reconciler(request)
    entry = rec.entry_for(id)
    if entry is None:
        raise ProtocolError(404, f"no entity with id {id!r}")
    values = rec.values.get(entry.iri, {})
    rows = "".join(
        f"<li>{escape(PROPERTY_BY_ID[pid].names['en'])}: {escape(', '.join(sorted(v)))}</li>"
        for pid, v in sorted(values.items())
    )
    page = root_url(request) + escape(rec.local_id(entry.iri), quote=True)
    html = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>{escape(entry.label())}</title></head>
<body style="font: 14px/1.4 system-ui, sans-serif; margin: .5rem">
<strong><a href="{page}" target="_blank">{escape(entry.label())}</a></strong>
<span style="color:#555">({escape(KIND_NAMES[entry.kind]["en"])})</span>
<ul style="margin:.3rem 0; padding-left:1.2rem">{rows}</ul></body></html>"""
    return HTMLResponse(html)


@router.get("/reconcile/suggest/entity", summary="Suggest entities by name prefix")
async def suggest_entity(request: Request, prefix: str = "", type: str = "") -> JSONResponse:
    rec = await reconciler(request)
    kinds = [t for t in type.split(",") if t] or None
    hits = (  # in a thread, as /search: it compares the prefix with every entity's labels
        await asyncio.to_thread(rec.index.search, prefix, kinds, 10, 0.55) if prefix.strip() else []
    )
    return JSONResponse(
        {
            "result": [
                {
                    "id": rec.local_id(h.entry.iri),
                    "name": h.entry.label(),
                    "description": rec.describe(h.entry),
                }
                for h in hits
            ]
        }
    )


@router.get("/reconcile/suggest/type", summary="Suggest types by name prefix")
async def suggest_type(prefix: str = "") -> JSONResponse:
    want = fold(prefix)
    return JSONResponse(
        {
            "result": [
                {"id": key, "name": names["en"]}
                for key, _, names, _ in KINDS
                if not want or any(fold(n).startswith(want) for n in (key, *names.values()))
            ]
        }
    )


@router.get("/reconcile/suggest/property", summary="Suggest properties by name prefix")
async def suggest_property(prefix: str = "") -> JSONResponse:
    want = fold(prefix)
    return JSONResponse(
        {
            "result": [
                {"id": p.pid, "name": p.names["en"], "description": ", ".join(p.kinds)}
                for p in PROPERTIES
                if not want
                or any(
                    w.startswith(want) for n in (p.pid, *p.names.values()) for w in fold(n).split()
                )
                or fold(p.pid).startswith(want)
            ]
        }
    )
