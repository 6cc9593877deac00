"""The dataset's files for download (/dumps/) and its DCAT/VoID description
(/.well-known/void, VoID §6.2 discovery path).

The files are the ones ``aigraph build`` writes, rendered from the data the server serves
(the bundled graph under the served base, plus any ``--data``), once per version of the data:
after a SPARQL Update they are rendered again. Rendering takes about a second for the bundled
graph, so it happens on first use, and never for a dataset larger than ``max_dump_triples``
(rdflib's serialisers hold everything in memory).

It happens in a child process (``python -m aigraph.server.dumps IN OUT``), at a lower
priority. Why: rdflib's writers are Python; in a thread of the server they held its
interpreter lock so much that, while the files of 10^5 triples were rendered (over a minute),
the server answered 62 simple queries a second instead of 2,000 (bench/NOTES.md).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gzip
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from fastapi import APIRouter
from rdflib import Dataset, Graph
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from aigraph.build import METADATA_NAME, distributions, render_all
from aigraph.metadata import Distribution, Measures, describe_dataset, measure
from aigraph.project import Project
from aigraph.search import did_you_mean, meant
from aigraph.server import examples
from aigraph.server.app import (
    NotReadyError,
    Services,
    per_version,
    per_version_within,
    root_url,
    services_of,
)
from aigraph.server.encoding import MIN_BYTES, accept_encoding, accepts_gzip, compressible
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
logger = logging.getLogger("aigraph.server")

#: The files that describe the others (no Link of their own)
DESCRIPTIONS = frozenset({METADATA_NAME, CSV_METADATA})


@dataclass(frozen=True)
class Dumps:
    files: dict[str, tuple[str, bytes, str]]
    refused: str | None = None  # why there are no files for this version of the data
    #: each text file gzipped once, when rendered, for the clients that accept gzip
    packed: dict[str, bytes] = field(default_factory=dict)
    #: each file's SHA-256, made once: the listing, VoID, the ETag and Digest all give it
    sha256: dict[str, bytes] = field(init=False)

    def __post_init__(self) -> None:
        digests = {name: hashlib.sha256(data).digest() for name, (_, data, _) in self.files.items()}
        object.__setattr__(self, "sha256", digests)

    def distributions(self) -> list[Distribution]:
        return distributions(self.files, self.sha256)


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
    project = services.project or Project.default()
    with tempfile.TemporaryDirectory(prefix="aigraph-dumps-") as folder:
        source, out = Path(folder) / "data.nq", Path(folder) / "files"
        with open(source, "wb") as handle:
            ox.serialize(quads, handle, format=ox.RdfFormat.N_QUADS)
        command = [sys.executable, "-m", "aigraph.server.dumps", str(source), str(out)]
        command += ["--base", services.settings.base_iri, "--project", str(project.root)]
        command += ["--parent", str(os.getpid())]
        # other data than the bundled dataset is not described as it (licence, citation)
        command += [] if services.settings.bundled else ["--not-bundled"]
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        services.children.add(child)  # a server that stops, stops it (Services.close)
        try:
            _, errors = child.communicate()
        finally:
            services.children.discard(child)
        if child.returncode != 0 and services.closing:
            raise ProtocolError(503, "the server is stopping")  # (Services.close stopped it)
        if child.returncode != 0:
            told = errors.decode("utf-8", "replace").strip()[-2000:]
            logger.warning("rendering the dumps failed (%s): %s", child.returncode, told)
            raise ProtocolError(500, "the files could not be rendered (the server's log says why)")
        index = json.loads((out / INDEX).read_text(encoding="utf-8"))
        return Dumps(
            {
                name: (media, (out / name).read_bytes(), text)
                for name, (media, text) in index.items()
            },
            packed={
                name: (out / (name + ".gz")).read_bytes()
                for name in index
                if (out / (name + ".gz")).exists()
            },
        )


#: The child's list of the files it wrote: {name: [media type, description]}.
INDEX = "index.json"


def render_files(source: Path, out: Path, base: str, project: Project, bundled: bool) -> None:
    """What the child does: the files of the N-Quads `source`, written into `out`."""
    ds = Dataset()
    ds.parse(source, format="nquads")
    files = render_all(ds, base, project, bundled)
    out.mkdir(parents=True, exist_ok=True)
    for name, (media, data, _text) in files.items():
        (out / name).write_bytes(data)
        if len(data) >= MIN_BYTES and compressible(media.encode()):
            # once here, at gzip's best level, in this low-priority child: the server then
            # sends the bytes as they are to every client that accepts gzip (the dumps are
            # the largest answers; nginx's gzip_static does the same). mtime=0: the same
            # data gives the same file, as aigraph build's are byte-identical
            (out / (name + ".gz")).write_bytes(gzip.compress(data, 9, mtime=0))
    index = {name: [media, text] for name, (media, _data, text) in files.items()}
    (out / INDEX).write_text(json.dumps(index), encoding="utf-8")


#: Seconds a client told to wait for the files (503) is asked to wait before it asks again
RETRY_AFTER = 5


async def current_dumps(request: Request, wait: float | None = None) -> Dumps:
    """The files for the data as it is now, rendered once per version; `wait`: how long
    after its start a rendering is waited for (a 503 with Retry-After past it; `None`: as
    long as it takes). A 404 where there are none (too large a dataset, the remote backend)."""
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
    if wait is None:
        dumps = await per_version(request, "dumps", _render)
    else:
        try:
            dumps = await per_version_within(request, "dumps", _render, wait)
        except NotReadyError as rendering:
            raise ProtocolError(
                503,
                "The files of this version of the data are being rendered (for "
                f"{rendering.running_for:.0f} s so far); try again in a moment.",
                {"Retry-After": str(RETRY_AFTER)},  # RFC 9110 §10.2.3
            ) from None
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
    headers = {"Vary": "Accept", **(headers or {})}
    try:
        dumps: Dumps | None = await current_dumps(request, services.settings.dumps_wait)
    except ProtocolError as refused:
        dumps = None  # too large to render, or not rendered yet: described without its files
        if refused.status >= 500:
            # the files will be listed once rendered (or rendered again, after a failure):
            # no cache may keep this description
            # in the meantime, nor get a 304 for it afterwards (no ETag: App._call_conditional)
            headers["Cache-Control"] = "no-store"
    # counted once per version of the data: at 10^6 triples the counts take 2 s, which each
    # request for the description (linked from every page) cost before
    measures = await per_version(request, "measures", _measures)
    graph = await asyncio.to_thread(_description, services, root_url(request), dumps, measures)
    return Response(
        serialize_rdflib(graph, media),
        media_type=content_type(media),
        headers=headers,
    )


@route(
    router,
    "/dumps/",
    methods=["GET", "HEAD"],
    summary="The dataset's files for download (HTML or JSON)",
    responses=examples.json_example(examples.DUMPS),
)
async def listing(request: Request) -> Response:
    dumps = await current_dumps(request, services_of(request).settings.dumps_wait)
    files = [
        {
            "name": d.name,
            "url": f"{root_url(request)}dumps/{d.name}",
            "media_type": d.media_type,
            "size": d.size,
            "sha256": d.sha256,
            "description": d.description,
            "description_fr": d.description_fr,
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
    dumps = await current_dumps(request, services_of(request).settings.dumps_wait)
    if name not in dumps.files:
        near = meant(name, dumps.files)
        raise ProtocolError(
            404,
            f"no file named {name!r} in /dumps/{did_you_mean(near)} (see /dumps/ for the list)",
            see=f"/dumps/{near}" if near else None,
        )
    media, data, _ = dumps.files[name]
    charset = (
        "; charset=utf-8" if media.startswith("text/") or media.endswith(("json", "xml")) else ""
    )
    digest = dumps.sha256[name]
    tag = digest.hex()[:32]
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Digest": "sha-256=" + base64.b64encode(digest).decode(),
        "ETag": f'"{tag}"',
    }
    packed = dumps.packed.get(name)
    if packed is not None:
        headers["Vary"] = "Accept-Encoding"  # RFC 9110 §12.5.5
        if accepts_gzip(accept_encoding(request.scope)):
            # the file gzipped when rendered. Its own strong tag (a validator names bytes,
            # and these are others: RFC 9110 §8.8.3); no Digest, which names the file's
            # own bytes, as VoID's checksum does: what a client saves, once decoded, is
            # the file, and its checksum is the one VoID lists
            data = packed
            del headers["Digest"]
            headers["ETag"] = f'"{tag}-gzip"'
            headers["Content-Encoding"] = "gzip"
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


def main(argv: list[str] | None = None) -> int:
    """``python -m aigraph.server.dumps IN OUT``: the child that renders the files."""
    parser = argparse.ArgumentParser(prog="python -m aigraph.server.dumps")
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--base", required=True)
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--not-bundled", action="store_true")
    parser.add_argument("--parent", type=int, help="the server's process id")
    args = parser.parse_args(argv)
    from aigraph.server.worker import die_with_parent

    die_with_parent()  # a killed server leaves no rendering behind (as the update's child)
    if args.parent is not None and os.getppid() != args.parent:
        return 1  # the server died before the line above (the child's imports take 0.6 s)
    os.nice(10)  # behind the server and its query workers for the processors
    render_files(args.source, args.out, args.base, Project(args.project), not args.not_bundled)
    return 0


if __name__ == "__main__":
    sys.exit(main())
