"""The researcher interface: the home page (the dataset and the day's programme), the query
editor, search, and the network view.

Every page is server-rendered HTML that reads without JavaScript (the programme, search
results, a query's results table); the bundled scripts (built from ``ui/`` at set-up time,
served from ``/static/ui/``, never from a CDN) add the editor, type-ahead and the graph view.
What the pages show of the data is built once per version of it, in aigraph.server.site.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from aigraph import __version__
from aigraph.citation import CHECKSUM_LATER, answer_template
from aigraph.project import Project
from aigraph.search import KIND_NAMES, Entry, LabelIndex, kind_plurals
from aigraph.server import examples
from aigraph.server.app import Services, root_url, services_of
from aigraph.server.formats import wants_json
from aigraph.server.pages import UI, kept_query, language, local_href, number, render
from aigraph.server.protocol import ProtocolError, ProtocolRequest
from aigraph.server.routing import route
from aigraph.server.site import (
    Site,
    cited_dataset,
    data_checksum,
    dataset_card,
    iri_cell,
    site,
    site_if_any,
)
from aigraph.server.snippets import snippets
from aigraph.server.sparql import client_of, execute, lexed, query_job, request_timeout

router = APIRouter(tags=["Interface"])
UI_DIR = Path(__file__).parent / "ui"
DIST = UI_DIR / "dist"


def _page(request: Request, template: str, **context: Any) -> HTMLResponse:
    lang = language(request)
    keep = kept_query(request)
    html = render(template, lang, alternates=[], version=__version__, keep=keep, **context)
    return HTMLResponse(html, headers={"Vary": "Accept-Language"})


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
    summary="Find people, organisations, sessions, topics, titles… by name (HTML or JSON)",
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
            count = result["count"]
            size = f"{number(count, lang)} {words['triple' if count == 1 else 'triples']}"
            size += " (…)" if result.get("truncated") else ""  # cut at the row limit
        else:
            count = result["count"]
            size = f"{number(count, lang)} {words['row' if count == 1 else 'rows']}"
            size += " (…)" if result.get("truncated") else ""  # cut at the row limit
        url = f"{root_url(request)}query?{urlencode({'query': text}, quote_via=quote)}"
        today = datetime.datetime.now(datetime.UTC).date().isoformat()  # as the script's
        cited = cite.replace("{url}", url).replace("{date}", today).replace("{rows}", size)
    from aigraph.lint import cross_products  # rdflib's SPARQL parser: 70 ms at start-up

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
        job = query_job(request, services, op, media, sniffed=await lexed(services, text))
        job.max_rows = min(job.max_rows or 1000, 1000)
        outcome = await execute(services, job, request_timeout(services, op), client_of(request))
    except ProtocolError as exc:
        return {"error": exc.message, "status": exc.status}
    if outcome.status != 200:
        return {"error": outcome.body.decode("utf-8", "replace").strip(), "status": outcome.status}
    base = services.settings.base_iri
    lang = language(request)
    data = await site_if_any(request)  # the labels, as the editor's script shows them
    if outcome.media_type.startswith("application/n-triples"):
        rows = [
            [_cell_nt(part, base, lang, data) for part in _split_nt(line)]
            for line in outcome.body.decode().splitlines()
            if line.strip()
        ]
        return {
            "variables": ["subject", "predicate", "object"],
            "rows": rows,
            "count": len(rows),
            "graph": True,
            "truncated": outcome.truncated,
        }
    answer = json.loads(outcome.body)
    if "boolean" in answer:
        return {"boolean": answer["boolean"]}
    variables = answer["head"]["vars"]
    bindings = answer["results"]["bindings"]
    rows = [[_cell(b.get(v), base, lang, data) for v in variables] for b in bindings]
    return {
        "variables": variables,
        "rows": rows,
        "count": len(rows),
        "truncated": outcome.truncated,
    }


def _cell(term: dict[str, str] | None, base: str, lang: str, data: Site | None) -> dict[str, Any]:
    if term is None:
        return {"text": ""}
    if term["type"] == "uri":
        return iri_cell(term["value"], base, lang, data)
    return {"text": term["value"], "lang": term.get("xml:lang")}


NT_TERM = re.compile(r'<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[\w-]+|\^\^<[^>]*>)?')


def _split_nt(line: str) -> list[str]:
    return NT_TERM.findall(line)[:3]


def _cell_nt(term: str, base: str, lang: str, data: Site | None) -> dict[str, Any]:
    if term.startswith("<"):
        return iri_cell(term[1:-1], base, lang, data)
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
    return _page(request, "network.html", counts=data.counts, edges=edges, kinds=KIND_NAMES)


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
    from aigraph.lint import cross_products

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
        label = data.label(iri, lang)
        if label is not None:
            out[iri] = {"label": label, "href": local_href(iri, base) or iri}
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
