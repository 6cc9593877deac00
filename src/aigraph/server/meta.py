"""What the server says about itself: a home page, a health check for load balancers, and
Datasette-style introspection pages (/-/about, /-/settings). The dataset's DCAT/VoID
description is dumps.py's."""

from __future__ import annotations

import asyncio
import hashlib
import time

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from aigraph import __version__
from aigraph.linking.identifiers import AUTHORITIES, SIREN, WEBSITE, authority_of
from aigraph.search import fold, kind_plurals
from aigraph.server import examples
from aigraph.server.app import Services, per_version, root_url, services_of
from aigraph.server.data import DatasetInfo
from aigraph.server.formats import wants_json
from aigraph.server.pages import language, local_href, render
from aigraph.server.protocol import ProtocolError
from aigraph.server.routing import route
from aigraph.server.site import site_if_any

router = APIRouter(tags=["Dataset"])

#: What crawlers are asked (RFC 9309, the Robots Exclusion Protocol). The graph's pages, its
#: description and its files are for reading and indexing. The routes that run a query or
#: a search on every request are not for crawling: a crawler following each "run" link of
#: the catalogue, each query link and each search would spend the query workers' time,
#: which is the public's. The lists of each kind (/search?kind=…, sorted once per version
#: of the data) lead to every entity's page and are allowed. Rules are read in order (the
#: Allow before the Disallow it narrows, for readers that take the first match as for
#: those that take the longest); what no rule names is allowed.
ROBOTS = """\
# aigraph: the graph's pages are for reading and indexing; queries are not for crawling
User-agent: *
Disallow: /sparql
Disallow: /csvm
Disallow: /query
Disallow: /queries/
Allow: /search?kind=
Disallow: /search
Disallow: /reconcile
Disallow: /store
Disallow: /ui/
Disallow: /-/
"""


@route(router, "/robots.txt", ["GET", "HEAD"], include_in_schema=False)
async def robots(request: Request) -> PlainTextResponse:
    # the sitemap's address is absolute (RFC 9309 §2.3.5): this server's, as the client
    # reached it
    text = ROBOTS + f"Sitemap: {root_url(request)}sitemap.xml\n"
    return PlainTextResponse(text, headers={"Cache-Control": "public, max-age=86400"})


@router.get(
    "/-/health",
    summary="Liveness and readiness",
    response_class=JSONResponse,
    responses=examples.json_example(examples.HEALTH),
)
async def health(request: Request) -> JSONResponse:
    """The status is "ok"; "degraded" while some query workers are being restarted (or
    could not be); "unavailable", with a 503 so that a load balancer sends queries
    elsewhere, while none is running: queries then wait for one, and past their time limit
    are refused."""
    services = services_of(request)
    info = services.data.info if services.data is not None else DatasetInfo()
    up = services.executor.workers_up
    status, code = "ok", 200
    if up == 0:
        status, code = "unavailable", 503
    elif up is not None and up < services.settings.workers:
        status = "degraded"
    return JSONResponse(
        {
            "status": status,
            "version": __version__,
            "backend": services.settings.backend,
            "triples": info.triples,
            "named_graphs": len(info.named),
            "workers": services.settings.workers,
            "workers_up": up,
            "sandboxed_workers": services.executor.sandboxed,
            "uptime_s": round(time.time() - services.started, 3),
            # clients (addresses) with a query running or waiting their turn, now
            "clients_querying": services.shares.clients(),
            "queries": dict(services.counts),
            "updates": dict(services.update_counts),
        },
        status_code=code,
    )


SAFE_SETTINGS = (
    "host",
    "port",
    "base_iri",
    "bundled",
    "backend",
    "workers",
    "query_timeout",
    "query_memory_mb",
    "update_timeout",
    "max_results",
    "max_body_bytes",
    "max_query_chars",
    "max_dump_triples",
    "cors",
    "service_allowlist",
    "sandbox",
)


@router.get(
    "/-/settings",
    summary="The server's settings that are safe to show",
    responses=examples.json_example(examples.SETTINGS),
)
async def settings(request: Request) -> JSONResponse:
    services = services_of(request)
    shown = {name: getattr(services.settings, name) for name in SAFE_SETTINGS}
    shown["data"] = [str(p) for p in services.settings.data]
    shown["updates_enabled"] = services.settings.updates_enabled  # never the token itself
    return JSONResponse(shown)


@router.get(
    "/-/about",
    summary="Version, data checksums, size and shapes conformance",
    responses=examples.json_example(examples.ABOUT),
)
async def about(request: Request) -> JSONResponse:
    services = services_of(request)
    state = request.app.state
    if getattr(state, "about", None) is None:  # the files: they do not change while it runs
        state.about = await asyncio.to_thread(_about_files, services)
    data = services.data
    if data is None:  # a remote store: it counts its own data
        measured: dict[str, object] = {"triples": 0, "named_graphs": 0}
    else:  # the served data, as it is now: a write makes a new version
        measured = await per_version(request, "about", _about_data)
    out: dict[str, object] = {"version": __version__, **measured}
    out["source_text_sha256"] = state.about.get("source_text_sha256")
    # the shapes judged the bundled graph as loaded, not what writes have made of it since
    if "shapes" in state.about and (data is None or data.writes == 0):
        out["shapes"] = state.about["shapes"]
    return JSONResponse({k: v for k, v in out.items() if v is not None})


def _link_status(services: Services) -> dict[str, dict[str, object]]:
    from aigraph.linking.review import link_status

    assert services.data is not None
    return link_status(services.data.merged)


#: The labels of the methods the links name (ontology/concepts/link-methods.ttl), by the key
#: the status gives them (the IRI's last segment): "saisi à la main", not "curated"
METHODS_QUERY = """
PREFIX aig: <https://w3id.org/aigraph/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?method ?label WHERE {
  ?link aig:linkMethod ?method . ?method skos:prefLabel ?label
}"""


def _link_methods(services: Services) -> dict[str, dict[str, str]]:
    assert services.data is not None
    names: dict[str, dict[str, str]] = {}
    solutions = services.data.merged.query(METHODS_QUERY)
    assert isinstance(solutions, ox.QuerySolutions)
    for solution in solutions:
        method, label = solution["method"], solution["label"]
        if isinstance(method, ox.NamedNode) and isinstance(label, ox.Literal) and label.language:
            names.setdefault(method.value.rsplit("/", 1)[-1], {})[label.language] = label.value
    return names


def _about_data(services: Services) -> dict[str, object]:
    """The size and the checksum of the served data (the workers' N-Quads snapshot)."""
    assert services.data is not None
    info = services.data.info
    out: dict[str, object] = {"triples": info.triples, "named_graphs": len(info.named)}
    if services.data.snapshot_source.kind == "dump":
        digest = hashlib.sha256()
        with open(services.data.snapshot_source.path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        out["data_sha256"] = digest.hexdigest()
    return out


def _about_files(services: Services) -> dict[str, object]:
    """Computed once: for the bundled graph, the source text's checksum and whether the data
    conforms to the shapes (validation takes a couple of seconds)."""
    from aigraph.project import Project
    from aigraph.source import load_source_text

    project = services.project or Project.default()
    out: dict[str, object] = {}
    if services.settings.bundled:
        out["source_text_sha256"] = load_source_text(project.source_text).sha256
        if not services.settings.data and not services.settings.graphs:
            from aigraph.validate import validate_project

            report, _ = validate_project(project)
            out["shapes"] = {
                "conforms": report.conforms,
                "violations": len(report.violations),
                "warnings": len(report.warnings),
            }
    return out


@router.get(
    "/-/links",
    summary="Linking status: per kind, how many entities are linked, to which authorities",
    response_class=Response,
    responses=examples.json_example(examples.LINKS),
)
async def links_status(request: Request) -> Response:
    services = services_of(request)
    if services.data is None:
        raise ProtocolError(404, "the linking status is offered by the embedded backends only")
    # once per version of the data: at 10^6 triples the status takes a second to make
    status = await per_version(request, "links", _link_status)
    if wants_json(request.headers.get("accept"), request.query_params.get("format")):
        return JSONResponse(status, headers={"Vary": "Accept"})
    base = services.settings.base_iri
    lang = language(request)
    index = site.index if (site := await site_if_any(request)) is not None else None

    def shown_as(item: dict[str, str]) -> dict[str, str]:
        # the entity by its name in the page's language where it has one (a topic, the
        # CNC's service), its page linked; a copy: the status is shared by every request
        entry = index.get(item["iri"]) if index is not None else None
        name = entry.label(lang) if entry is not None else item["name"]
        return {**item, "name": name, "href": local_href(item["iri"], base) or item["iri"]}

    shown = {
        kind: {
            **row,
            **{
                part: sorted(
                    (shown_as(item) for item in row[part]),  # type: ignore[attr-defined]
                    key=lambda item: fold(item["name"]),
                )
                for part in ("links", "unlinked")
            },
        }
        for kind, row in status.items()
    }
    methods = await per_version(request, "link methods", _link_methods)
    html = render(
        "links.html",
        lang,
        status=shown,
        authorities=AUTHORITY_NAMES,
        local_id=local_identifier,
        methods=methods,
        plural=kind_plurals(lang),
        alternates=[],
    )
    return HTMLResponse(html, headers={"Vary": "Accept, Accept-Language"})


def local_identifier(target: str) -> str:
    """An identifier as its authority writes it, beside the authority's name: "Q1054221",
    "005418", not the IRI (a website, a SIREN number: as they are)."""
    authority = authority_of(target)
    return target if authority is None else authority.local(target)


#: How the page names each authority (the JSON keeps the keys): "Archives nationales", not
#: "anf". A website and a SIREN number are not authority files' IRIs, named in both languages.
AUTHORITY_NAMES: dict[str, tuple[str, str]] = {
    **{a.key: (a.name, a.name) for a in AUTHORITIES},
    SIREN.key: (SIREN.name, SIREN.name),
    WEBSITE: ("site web", "website"),
}
