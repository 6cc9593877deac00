"""What the server says about the dataset: VoID at /.well-known/void (the VoID Note §6.2
discovery path), a home page, and a health check for load balancers."""

from __future__ import annotations

import time

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from aigraph import __version__
from aigraph.server.app import services_of
from aigraph.server.data import DatasetInfo
from aigraph.server.description import TITLE, void_description
from aigraph.server.formats import choose, content_type, serialize_rdflib
from aigraph.server.protocol import ProtocolRequest, _pairs

router = APIRouter(tags=["Dataset"])


def root_url(request: Request) -> str:
    return str(request.url.replace(path="/", query="", fragment=""))


@router.get("/.well-known/void", summary="VoID description of the dataset", response_class=Response)
async def void(request: Request) -> Response:
    services = services_of(request)
    op = ProtocolRequest("query", params=_pairs(request.url.query, "query string"))
    media = choose("graph", request.headers.get("accept"), op.one("format"))
    info = services.data.info if services.data is not None else DatasetInfo()
    graph = void_description(root_url(request), services.settings, info)
    return Response(
        serialize_rdflib(graph, media), media_type=content_type(media), headers={"Vary": "Accept"}
    )


@router.get("/-/health", summary="Liveness and readiness", response_class=JSONResponse)
async def health(request: Request) -> JSONResponse:
    services = services_of(request)
    info = services.data.info if services.data is not None else DatasetInfo()
    return JSONResponse(
        {
            "status": "ok",
            "version": __version__,
            "backend": services.settings.backend,
            "triples": info.triples,
            "named_graphs": len(info.named),
            "workers": services.settings.workers,
            "sandboxed_workers": services.executor.sandboxed,
            "uptime_s": round(time.time() - services.started, 3),
        }
    )


@router.get("/", summary="Home page", response_class=HTMLResponse, include_in_schema=False)
async def home(request: Request) -> HTMLResponse:
    services = services_of(request)
    info = services.data.info if services.data is not None else DatasetInfo()
    return HTMLResponse(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>aigraph</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>{TITLE["en"]}</h1>
<p>{info.triples:,} triples in {len(info.named)} named graphs.</p>
<ul>
<li><a href="/sparql">SPARQL endpoint</a>
    (<a href="/sparql?format=turtle">service description</a>)</li>
<li><a href="/.well-known/void">VoID description</a></li>
<li><a href="/store?default&amp;format=turtle">the whole default graph</a></li>
</ul></body></html>
""")
