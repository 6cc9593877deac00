"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store`` (indirect graph identification,
§4.2): ``?default`` or ``?graph=IRI``. Reads are public; writes (PUT, POST, DELETE) need the
operator's token, like SPARQL Update."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from aigraph.namespaces import ABSOLUTE_IRI
from aigraph.server.app import Services, services_of
from aigraph.server.formats import INPUT_FORMATS, OFFERS, choose
from aigraph.server.pages import local_href
from aigraph.server.protocol import ProtocolError, ProtocolRequest, _pairs, read_body
from aigraph.server.routing import route
from aigraph.server.sparql import (
    beside,
    client_of,
    editor_location,
    execute,
    from_browser,
    outcome_response,
    require_token,
    see_other,
)
from aigraph.server.worker import Job

router = APIRouter(tags=["Graph Store"])


def target(request: Request) -> str | None:
    """The graph a request names: None for ``?default``, the IRI for ``?graph=``."""
    params = _pairs(request.url.query, "query string")
    has_default, graphs = "default" in params, params.get("graph", [])
    if has_default == bool(graphs) or len(graphs) > 1:
        raise ProtocolError(400, "name one graph: ?default, or ?graph=<IRI> (once)")
    if graphs:
        if not ABSOLUTE_IRI.match(graphs[0]):
            raise ProtocolError(400, f"?graph must be an absolute IRI, got {graphs[0]!r}")
        return graphs[0]
    return None


def graph_page(
    request: Request, services: Services, name: str | None, op: ProtocolRequest
) -> Response | None:
    """A browser's GET of a graph (a link opened) is sent to a page that shows it, as a GET
    of /sparql is: a graph of this dataset to its own page (its statements, the passages
    they rest on), any other graph and the default graph to the editor's page, with the
    query that reads it. A `format` asks for the data itself, and gets it."""
    if op.one("format") is not None or not from_browser(request, OFFERS["graph"]):
        return None
    href = local_href(name, services.settings.base_iri) if name is not None else None
    if href is not None:
        return see_other(beside(request, href))
    read = f"GRAPH <{name}> {{ ?s ?p ?o }}" if name is not None else "?s ?p ?o"
    return see_other(editor_location(request, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {read} }}"))


@route(
    router,
    "/store",
    methods=["GET", "HEAD"],
    summary="Read a graph (Graph Store Protocol)",
    response_class=Response,
    responses={
        303: {
            "description": "a browser's GET (Accept ranks text/html above every RDF format, "
            "no `format`): Location is a page that shows the graph (its own page, or the "
            "editor with the query that reads it)"
        }
    },
)
async def read_graph(request: Request) -> Response:
    services = services_of(request)
    name = target(request)
    if name is not None and not await services.executor.graph_exists(name):
        raise ProtocolError(404, f"no graph named <{name}> in this dataset")
    op = ProtocolRequest("query", params=_pairs(request.url.query, "query string"))
    page = graph_page(request, services, name, op)
    if page is not None:
        return page
    media = choose("graph", request.headers.get("accept"), op.one("format"))
    job = Job(
        "CONSTRUCT WHERE { ?s ?p ?o }",
        form="CONSTRUCT",
        default_graphs=[name] if name else None,
        media_types={"graph": media},
        stream_after=services.settings.stream_after_bytes,
    )
    outcome = await execute(services, job, services.settings.query_timeout, client_of(request))
    return outcome_response(outcome)


async def _body(request: Request, services: Services) -> tuple[bytes, ox.RdfFormat]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in INPUT_FORMATS:
        raise ProtocolError(
            415, f"unsupported Content-Type {media!r}; send one of {', '.join(INPUT_FORMATS)}"
        )
    fmt = INPUT_FORMATS[media][0]
    return await read_body(request, services.settings.max_body_bytes), fmt


@route(
    router,
    "/store",
    methods=["PUT", "POST"],
    summary="Replace or add to a graph",
    response_class=Response,
)
async def write_graph(request: Request) -> Response:
    services = services_of(request)
    require_token(request, services)
    name = target(request)
    body, fmt = await _body(request, services)
    async with services.write_lock:
        created = await services.executor.write_graph(
            name, body, fmt, replace=request.method == "PUT"
        )
    return Response(status_code=201 if created else 204)


@router.delete("/store", summary="Delete a graph", response_class=Response)
async def delete_graph(request: Request) -> Response:
    services = services_of(request)
    require_token(request, services)
    name = target(request)
    async with services.write_lock:
        existed = await services.executor.delete_graph(name)
    if not existed:
        raise ProtocolError(404, f"no graph named <{name}> in this dataset")
    return Response(status_code=204)
