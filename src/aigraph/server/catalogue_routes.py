"""The query catalogue over HTTP (Datasette's canned queries, for SPARQL).

- ``GET /queries``: the catalogue, as JSON or HTML (negotiated; ``format=json|html``);
- ``GET /queries/{name}?param=…``: runs one, in SPARQL JSON, XML, CSV, TSV or an HTML table;
  parameters are bound by the engine (SEP-0007 substitution), never spliced into the text; a
  bad or unknown parameter is a 400 naming it; ``format`` and ``timeout`` are the endpoint's;
- ``GET /queries/{name}.rq``: the query text itself; ``/queries/{name}.csv`` (and the other
  formats' extensions) redirects to ``/queries/{name}?format=csv``.
"""

from __future__ import annotations

import asyncio
import json
import re
from functools import lru_cache
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from aigraph.catalogue import CatalogueQuery, ParameterError, load_catalogue, unknown_entity
from aigraph.project import Project
from aigraph.search import did_you_mean, meant
from aigraph.server import examples
from aigraph.server.app import Services, root_url, services_of
from aigraph.server.formats import CSVM, FORMAT_NAMES, OFFERS, acceptable, choose, describedby
from aigraph.server.pages import kept_query, language, render
from aigraph.server.protocol import ProtocolError
from aigraph.server.site import Site, iri_cell, site_if_any
from aigraph.server.sparql import GETS, client_of, execute, outcome_response
from aigraph.server.worker import Job
from aigraph.sniff import sniff

router = APIRouter(tags=["Query catalogue"])
RESERVED = ("format", "timeout")


@lru_cache(maxsize=256)
def uses_graphs(text: str) -> bool:
    """Whether a catalogue query names graphs (lexed once per text, not per request)."""
    return sniff(text).uses_graphs


def catalogue(request: Request) -> dict[str, CatalogueQuery]:
    state = request.app.state
    if getattr(state, "catalogue", None) is None:
        services = services_of(request)
        state.catalogue = load_catalogue((services.project or Project.default()).queries_dir)
    queries: dict[str, CatalogueQuery] = state.catalogue
    return queries


def describe_query(q: CatalogueQuery, root: str, base: str | None = None) -> dict[str, object]:
    """A catalogue entry as the catalogue's JSON gives it. `base`: the data's base IRI, where
    the bundled data (and so graph:queries, aigraph.catalogue) is served: the entry then
    names the query's IRI, whose description is in the data."""
    return {
        "name": q.name,
        "title": q.title,
        "question": q.question,
        "parameters": [
            {"name": p.name, "type": p.type, "default": p.default, "description": p.description}
            for p in q.parameters
        ],
        "columns": list(q.columns),
        "expect": q.expect,
        "keywords": list(q.keywords),
        "run": f"{root}queries/{q.name}",
        "text": f"{root}queries/{q.name}.rq",
        "iri": f"{base}id/query/{q.name}" if base is not None else None,
    }


def wants_html(request: Request, fmt: str | None, offers: list[str]) -> str:
    if fmt:
        return {"html": "text/html", "json": "application/json"}.get(fmt, fmt)
    return acceptable(request.headers.get("accept"), offers)


@router.get(
    "/queries",
    summary="The catalogue of researcher queries",
    response_class=Response,
    responses=examples.json_example(examples.CATALOGUE),
)
async def list_queries(request: Request) -> Response:
    root = root_url(request)
    settings = services_of(request).settings
    base = settings.base_iri if settings.bundled else None
    entries = [describe_query(q, root, base) for q in catalogue(request).values()]
    media = wants_html(
        request, request.query_params.get("format"), ["application/json", "text/html"]
    )
    if media == "text/html":
        lang = language(request)
        return HTMLResponse(
            render("catalogue.html", lang, entries=entries, alternates=[]),
            headers={"Vary": "Accept, Accept-Language"},
        )
    if media != "application/json":  # ?format= of another kind
        raise ProtocolError(
            406, f"format {media!r} is not available for the catalogue; available: html, json"
        )
    return JSONResponse({"queries": entries}, headers={"Vary": "Accept"})


@router.get("/queries/{name}.rq", summary="The text of a catalogue query", response_class=Response)
async def query_text(request: Request, name: str) -> Response:
    entry = catalogue(request).get(name)
    if entry is None:
        raise unknown_query(request, name)
    return Response(entry.text, media_type="application/sparql-query")


def unknown_query(request: Request, name: str) -> ProtocolError:
    """The 404 for a query the catalogue has not, naming the one meant where it is clear."""
    near = meant(name, catalogue(request))
    return ProtocolError(
        404,
        f"no query named {name!r} in the catalogue{did_you_mean(near)}",
        see=f"/queries/{near}" if near else None,
    )


#: The extension a saved answer gets, by its media type.
SAVED_AS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}

#: `/queries/NAME.EXT` → `format=` (as Datasette's `table.csv`; the entities' pages take
#: `.ttl` and the like too): the extensions of the answer's formats.
SUFFIXES = {**{k: k for k in FORMAT_NAMES["solutions"]}, "html": "html"}


def suffixed(request: Request, name: str) -> Response | None:
    """A catalogue query asked for as `NAME.csv` (`.tsv`, `.json`, `.xml`, `.html`…): a
    redirect to its one URL with `format=`, the query string kept; None otherwise. One URL
    per answer, not two: the answer's CSVW metadata names it (aigraph.server.csvw)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or stem not in catalogue(request) or ext.lower() not in SUFFIXES:
        return None
    fmt = SUFFIXES[ext.lower()]
    given = request.query_params.get("format")
    if given is not None and given.lower() != fmt:
        raise ProtocolError(400, f"the extension .{ext} and format={given} ask for two formats")
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    query = urlencode([*pairs, ("format", fmt)])
    # 301: permanent, and a GET's (the route takes no other method)
    return RedirectResponse(f"{root_url(request)}queries/{stem}?{query}", status_code=301)


async def requested(
    request: Request, name: str
) -> tuple[CatalogueQuery, dict[str, str], dict[ox.Variable, ox.NamedNode | ox.Literal]]:
    """The catalogue query a request names, the parameters it gives, and the terms the engine
    binds (defaults filled in); a 404 for an unknown query, a 400 for a bad parameter (a
    language the data has no text in among them, where the data is here to say so)."""
    entry = catalogue(request).get(name)
    if entry is None:
        raise unknown_query(request, name)
    # `lang` is the page's language (aigraph.server.pages.language) unless the query takes
    # a parameter of that name, which then reads it too
    takes = {p.name for p in entry.parameters}
    reserved = RESERVED if "lang" in takes else (*RESERVED, "lang")
    params = {k: v for k, v in request.query_params.items() if k not in reserved}
    if len(set(request.query_params.keys())) != len(request.query_params.multi_items()):
        raise ProtocolError(400, "give each parameter once")
    languages = None
    data = services_of(request).data
    if data is not None and any(
        p.type == "language" and p.name in params for p in entry.parameters
    ):
        languages = await asyncio.to_thread(data.languages)  # a scan, once per data version
    try:
        return entry, params, entry.bindings(params, languages)
    except ParameterError as exc:
        raise ProtocolError(400, str(exc)) from None


def with_query(url: str, request: Request) -> str:
    """`url` with the request's query string, as it was written (none, when it had none: a
    CSV answer chosen by Accept alone)."""
    return f"{url}?{request.url.query}" if request.url.query else url


def substitution_tuples(
    bindings: dict[ox.Variable, ox.NamedNode | ox.Literal],
) -> list[tuple[str, str, str, str | None, str | None]]:
    """The engine-bound parameters as plain tuples, to cross to a worker (Job.substitutions)."""
    out: list[tuple[str, str, str, str | None, str | None]] = []
    for variable, term in bindings.items():
        if isinstance(term, ox.Literal):
            out.append((variable.value, "literal", term.value, term.datatype.value, term.language))
        else:
            out.append((variable.value, "iri", term.value, None, None))
    return out


@router.get(
    "/queries/{name}",
    summary="Run a catalogue query",
    response_class=Response,
    responses=examples.json_example(examples.SPARQL_JSON, "application/sparql-results+json"),
)
async def run_query(request: Request, name: str) -> Response:
    redirect = suffixed(request, name) if name not in catalogue(request) else None
    if redirect is not None:
        return redirect
    services = services_of(request)
    entry, params, bindings = await requested(request, name)
    substitutions = substitution_tuples(bindings)
    fmt = request.query_params.get("format")
    offers = [*OFFERS["solutions"], "text/html"]
    media = (
        wants_html(request, fmt, offers)
        if (fmt in (None, "html"))
        else choose("solutions", None, fmt)
    )
    if (
        media == "text/html"
        and "lang" not in params
        and any(p.name == "lang" for p in entry.parameters)
    ):
        # a page's labels in the page's language, which Accept-Language may have chosen
        # (a download keeps the query's default unless `lang` is given: the same file for all)
        params = {**params, "lang": language(request)}
        substitutions = substitution_tuples(entry.bindings(params))
    job_media = "application/sparql-results+json" if media == "text/html" else media
    job = Job(
        entry.text,
        form="SELECT",
        substitutions=substitutions,
        media_types={"solutions": job_media},
        max_rows=services.settings.max_results,
        uses_graphs=uses_graphs(entry.text),
        # the HTML table is made from the whole answer; the other formats may stream
        stream_after=0 if media == "text/html" else services.settings.stream_after_bytes,
    )
    outcome = await execute(services, job, services.settings.query_timeout, client_of(request))
    if outcome.status == 200 and outcome.rows == 0 and services.data is not None:
        # asked only of an empty answer: no cost to the others (a remote store: no index here)
        unknown = unknown_entity(entry, params, services.data.mentions)
        if unknown is not None:
            raise ProtocolError(404, str(unknown), see=unknown.see)
    if media != "text/html" or outcome.status != 200:
        link = None
        if outcome.status == 200 and media == "text/csv" and request.method in GETS:
            # its CSVW metadata, as /sparql's CSV answers name theirs (aigraph.server.csvw)
            target = with_query(f"{root_url(request)}queries/{name}/csvm", request)
            link = {"Link": describedby(target, CSVM)}
        if outcome.status == 200:
            # a file named for its query, not for the URL's last segment ("participants"
            # with no extension); inline: a browser still shows what it can (RFC 6266 §4.2)
            ext = SAVED_AS.get(outcome.media_type.split(";")[0], "txt")
            stem = re.sub(r"[^A-Za-z0-9._-]", "_", entry.name)  # a header's quoted-string
            disposition = f'inline; filename="{stem}.{ext}"'
            link = {**(link or {}), "Content-Disposition": disposition}
        return outcome_response(outcome, link)
    # the table is built in a thread: up to max_results rows (10,000) take the event loop a
    # noticeable time to turn into HTML
    html = await asyncio.to_thread(
        results_page, services, entry, params, language(request), outcome.body,
        outcome.truncated, kept_query(request), await site_if_any(request),
    )  # fmt: skip
    return HTMLResponse(html, headers={"Vary": "Accept, Accept-Language"})


def results_page(
    services: Services,
    entry: CatalogueQuery,
    params: dict[str, str],
    lang: str,
    answer: bytes,
    truncated: bool,
    keep: str = "",
    site: Site | None = None,
) -> str:
    """A catalogue query's answer (SPARQL JSON) as an escaped HTML table, each IRI by its
    label in `site` (its index), as the editor shows it."""
    data = json.loads(answer)
    variables = data["head"]["vars"]
    rows = []
    for binding in data["results"]["bindings"]:
        row: list[dict[str, str | None]] = []
        for var in variables:
            cell = binding.get(var)
            if cell is None:
                row.append({"text": ""})
            elif cell["type"] == "uri":
                row.append(iri_cell(cell["value"], services.settings.base_iri, lang, site))
            else:
                row.append({"text": cell["value"], "lang": cell.get("xml:lang")})
        rows.append(row)
    return render(
        "results.html",
        lang,
        entry=describe_query(entry, "/"),
        title=entry.title.get(lang, entry.title["en"]),
        question=entry.question.get(lang, entry.question["en"]),
        variables=variables,
        rows=rows,
        params=params,
        # a language parameter is chosen among the data's (a scan made once per version)
        languages=sorted(services.data.languages())
        if services.data is not None and any(p.type == "language" for p in entry.parameters)
        else [],
        alternates=[],
        count=len(rows),
        truncated=truncated,
        keep=keep,
    )
