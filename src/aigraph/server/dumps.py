"""The dataset's files for download (/dumps/) and its DCAT/VoID description
(/.well-known/void, VoID §6.2 discovery path).

The files are the ones ``aigraph build`` writes, rendered from the data the server serves
(the bundled graph under the served base, plus any ``--data``), once per version of the data:
after a SPARQL Update they are rendered again. Rendering takes about a second for the bundled
graph, so it happens on first use, in a thread, and never for a dataset larger than
``max_dump_triples`` (rdflib's serialisers hold everything in memory).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from dataclasses import dataclass

import pyoxigraph as ox
from fastapi import APIRouter
from rdflib import Dataset, Graph
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from aigraph.build import METADATA_NAME, render_all
from aigraph.metadata import Distribution, Measures, describe_dataset, measure
from aigraph.project import Project
from aigraph.server import examples
from aigraph.server.app import Services, per_version, root_url, services_of
from aigraph.server.formats import (
    CSVM,
    choose,
    content_type,
    describedby,
    serialize_rdflib,
    wants_json,
)
from aigraph.server.pages import language, render
from aigraph.server.protocol import ProtocolError, ProtocolRequest, _pairs
from aigraph.server.routing import route
from aigraph.tabular import METADATA_NAME as CSV_METADATA

router = APIRouter(tags=["Dataset"])

#: The files that describe the others (no Link of their own)
DESCRIPTIONS = frozenset({METADATA_NAME, CSV_METADATA})


@dataclass(frozen=True)
class Dumps:
    files: dict[str, tuple[str, bytes, str]]
    refused: str | None = None  # why there are no files for this version of the data

    def distributions(self) -> list[Distribution]:
        return [
            Distribution(name, media, hashlib.sha256(data).hexdigest(), len(data), text)
            for name, (media, data, text) in sorted(self.files.items())
        ]


def _render(services: Services) -> Dumps:
    assert services.data is not None
    store = services.data.authoritative
    quads = [
        q
        for q in store.quads_for_pattern(None, None, None, None)
        if not (services.settings.backend == "disk" and isinstance(q.graph_name, ox.DefaultGraph))
    ]
    if any(isinstance(q.object, ox.Triple) for q in quads):
        # RDF 1.2 triple terms (`serve --data` of a file with `<<( … )>>`): rdflib, which
        # writes the dumps, cannot hold them; the data itself stays available
        return Dumps(
            {},
            "no dumps: the data holds RDF 1.2 triple terms, which the dump writers (rdflib) "
            "cannot hold; GET /store?default or /store?graph=IRI in Turtle, TriG, N-Triples "
            "or N-Quads gives the data",
        )
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    ds = Dataset()
    ds.parse(data=data, format="nquads")
    project = services.project or Project.default()
    # other data than the bundled dataset is not described as it (licence, citation)
    return Dumps(render_all(ds, services.settings.base_iri, project, services.settings.bundled))


async def current_dumps(request: Request) -> Dumps:
    """The files for the data as it is now, rendered once per version."""
    services = services_of(request)
    if services.data is None:
        raise ProtocolError(404, "dumps are offered by the embedded backends only (memory, disk)")
    if services.data.info.triples > services.settings.max_dump_triples:
        raise ProtocolError(
            404,
            f"no dumps: the dataset has {services.data.info.triples:,} triples, more than "
            f"max_dump_triples ({services.settings.max_dump_triples:,}); use `aigraph build` "
            "or GET /store?default",
        )
    dumps = await per_version(request, "dumps", _render)
    if dumps.refused is not None:
        raise ProtocolError(404, dumps.refused)
    return dumps


def _description(services: Services, root: str, dumps: Dumps | None, measures: Measures) -> Graph:
    assert services.data is not None
    return describe_dataset(
        services.data.authoritative,
        project=services.project or Project.default(),
        base=services.settings.base_iri,
        endpoint=root + "sparql",
        dumps=root + "dumps/",
        files=dumps.distributions() if dumps is not None else (),
        editorial=services.settings.bundled,
        measures=measures,
    )


def _measures(services: Services) -> Measures:
    assert services.data is not None
    return measure(services.data.authoritative)


@route(
    router,
    "/.well-known/void",
    methods=["GET", "HEAD"],
    summary="DCAT/VoID description of the dataset and its files",
    response_class=Response,
)
async def void(request: Request) -> Response:
    op = ProtocolRequest("query", params=_pairs(request.url.query, "query string"))
    media = choose("graph", request.headers.get("accept"), op.one("format"))
    return await description_response(request, media)


async def description_response(
    request: Request, media: str, headers: dict[str, str] | None = None
) -> Response:
    """The DCAT/VoID description in `media`: at /.well-known/void, and as the answer for the
    dataset's own IRI (…/id/dataset/aigraph)."""
    services = services_of(request)
    if services.data is None:
        raise ProtocolError(404, "the remote backend describes its own data")
    try:
        dumps: Dumps | None = await current_dumps(request)
    except ProtocolError:
        dumps = None  # too large to render: described without its files
    # counted once per version of the data: at 10^6 triples the counts take 2 s, which each
    # request for the description (linked from every page) cost before
    measures = await per_version(request, "measures", _measures)
    graph = await asyncio.to_thread(_description, services, root_url(request), dumps, measures)
    return Response(
        serialize_rdflib(graph, media),
        media_type=content_type(media),
        headers={"Vary": "Accept", **(headers or {})},
    )


@route(
    router,
    "/dumps/",
    methods=["GET", "HEAD"],
    summary="The dataset's files for download (HTML or JSON)",
    responses=examples.json_example(examples.DUMPS),
)
async def listing(request: Request) -> Response:
    dumps = await current_dumps(request)
    files = [
        {
            "name": d.name,
            "url": f"{root_url(request)}dumps/{d.name}",
            "media_type": d.media_type,
            "size": d.size,
            "sha256": d.sha256,
            "description": d.description,
        }
        for d in dumps.distributions()
    ]
    if wants_json(request.headers.get("accept"), request.query_params.get("format")):
        return JSONResponse({"files": files}, headers={"Vary": "Accept"})

    lang = language(request)
    html = render("dumps.html", lang, files=files, alternates=[])
    return HTMLResponse(html, headers={"Vary": "Accept, Accept-Language"})


@route(
    router,
    "/dumps/{name}",
    methods=["GET", "HEAD"],
    summary="One of the dataset's files",
    response_class=Response,
)
async def dump(request: Request, name: str) -> Response:
    dumps = await current_dumps(request)
    if name not in dumps.files:
        raise ProtocolError(404, f"no file named {name!r} in /dumps/ (see /dumps/ for the list)")
    media, data, _ = dumps.files[name]
    charset = (
        "; charset=utf-8" if media.startswith("text/") or media.endswith(("json", "xml")) else ""
    )
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Digest": "sha-256=" + base64.b64encode(hashlib.sha256(data).digest()).decode(),
        "ETag": '"' + hashlib.sha256(data).hexdigest()[:32] + '"',
    }
    root = root_url(request)
    if media == "text/csv" and CSV_METADATA in dumps.files:
        # a table names its CSVW metadata (Model for Tabular Data §5.2; aigraph.tabular),
        # which says its licence and source; one describedby only: a CSVW processor warns
        # of any other it cannot read
        headers["Link"] = describedby(f"{root}dumps/{CSV_METADATA}", CSVM)
    elif name not in DESCRIPTIONS:
        # a data file names the description of the dataset and its files (licence, source,
        # checksum): a file saved to disk is found again in it (RFC 8288; VoID §6.2's path)
        headers["Link"] = describedby(f"{root}.well-known/void", "text/turtle")
    return Response(data, media_type=media + charset, headers=headers)
