"""The SPARQL endpoint: ``/sparql`` answers queries (GET, POST form, POST direct), updates
(POST, only with the operator's token) and, with no query, its Service Description."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncGenerator
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import APIRouter
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from aigraph.namespaces import ABSOLUTE_IRI, known_prefixes
from aigraph.parse_errors import PREFIX_NOT_FOUND, explain
from aigraph.server.app import (
    Services,
    cache_control,
    conditional_etag,
    not_modified,
    services_of,
)
from aigraph.server.conneg import negotiate
from aigraph.server.data import DatasetInfo
from aigraph.server.description import service_description
from aigraph.server.executor import BackendUnavailableError
from aigraph.server.fairness import ClientBusyError
from aigraph.server.formats import (
    CSVM,
    KIND_OF_FORM,
    OFFERS,
    choose,
    content_type,
    describedby,
    serialize_rdflib,
)
from aigraph.server.offload import sized
from aigraph.server.pages import endpoint_page, language
from aigraph.server.pool import (
    PoolBusyError,
    QueryMemoryError,
    QueryTimeoutError,
    WorkerCrashedError,
)
from aigraph.server.protocol import (
    ACCEPT_QUERY,
    ProtocolError,
    ProtocolRequest,
    read_protocol_request,
)
from aigraph.server.routing import route
from aigraph.server.worker import Job, Outcome, memory_message
from aigraph.server.writer import (
    UpdateFailedError,
    UpdateMemoryError,
    UpdateSyntaxError,
    UpdateTimeoutError,
)
from aigraph.sniff import MAX_DEPTH, Sniffed, UsingConflictError, apply_using, sniff

router = APIRouter(tags=["SPARQL"])
logger = logging.getLogger("aigraph.server")


def _param(name: str, description: str, many: bool = False, example: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if many:
        schema = {"type": "array", "items": schema}
    param = {"name": name, "in": "query", "required": False, "schema": schema}
    return param | {"description": description} | ({"example": example} if example else {})


_GRAPHS = {
    "default-graph-uri": "an IRI of a graph whose merge is the default graph (replaces FROM)",
    "named-graph-uri": "an IRI of a graph GRAPH may read (replaces FROM NAMED)",
}
_EXAMPLE = (
    "SELECT ?name WHERE { ?person a <http://schema.org/Person> ; "
    "<http://schema.org/name> ?name } LIMIT 10"
)
_TIMEOUT = "seconds; may only lower the server's time limit"
_FORMAT = (
    "the answer's format, instead of Accept: "
    "json, xml, csv, tsv, turtle, jsonld, nt, rdfxml, trig, nquads"
)
#: The SPARQL 1.1 Protocol's parameters (§2.1, §2.2), which the handler reads itself: said
#: here so that the OpenAPI description, and Swagger UI at /api, show them.
_GET_PARAMETERS = [
    _param("query", "the SPARQL query; none: the Service Description", example=_EXAMPLE),
    *(_param(name, text, many=True) for name, text in _GRAPHS.items()),
    _param("timeout", _TIMEOUT),
    _param("format", _FORMAT),
]
_FORM_FIELDS: dict[str, Any] = {
    "query": {"type": "string", "description": "a SPARQL query"},
    "update": {"type": "string", "description": "a SPARQL update (needs the operator's token)"},
    **{
        name: {"type": "array", "items": {"type": "string"}, "description": text}
        for name, text in _GRAPHS.items()
    },
    "using-graph-uri": {"type": "array", "items": {"type": "string"}},
    "using-named-graph-uri": {"type": "array", "items": {"type": "string"}},
    "timeout": {"type": "string", "description": _TIMEOUT},
    "format": {"type": "string", "description": _FORMAT},
}
_POST_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {"type": "object", "properties": _FORM_FIELDS},
            "example": {"query": _EXAMPLE},
        },
        "application/sparql-query": {"schema": {"type": "string"}, "example": _EXAMPLE},
        "application/sparql-update": {"schema": {"type": "string"}},
    },
}
_ANSWERS = {
    "200": {
        "description": "the answer, in the negotiated format",
        "content": {media: {} for kind in ("solutions", "graph") for media in OFFERS[kind]},
    }
}
_SUMMARY = "SPARQL 1.1 query and update endpoint"


@route(
    router,
    "/sparql",
    methods=["POST", "QUERY"],
    summary=_SUMMARY,
    response_class=Response,
    openapi_extra={
        "parameters": [_param(name, text, many=True) for name, text in _GRAPHS.items()],
        "requestBody": _POST_BODY,
        "responses": _ANSWERS,
    },
)
@route(
    router,
    "/sparql",
    methods=["GET", "HEAD"],
    summary=_SUMMARY,
    response_class=Response,
    openapi_extra={
        "parameters": _GET_PARAMETERS,
        "responses": {
            **_ANSWERS,
            "303": {
                "description": "a browser's GET of a query (Accept ranks text/html above every "
                "answer format, and `query` is the only parameter): Location is the page "
                "that runs the query and shows its answer (/query)"
            },
        },
    },
)
async def sparql_endpoint(request: Request) -> Response:
    services = services_of(request)
    op = await read_protocol_request(request, services.settings.max_body_bytes)
    if op.operation == "description":
        return describe_service(request, services, op)
    if op.operation == "update":
        return await run_update(request, services, op)
    return await run_query(request, services, op)


@router.options("/sparql", include_in_schema=False)
async def sparql_options() -> Response:
    return Response(
        status_code=204,
        headers={"Allow": "GET, HEAD, POST, QUERY, OPTIONS", "Accept-Query": ACCEPT_QUERY},
    )


def endpoint_url(request: Request) -> str:
    """The endpoint's URL as the client reached it (the base IRI of its queries)."""
    scope = request.scope
    server = scope.get("server")
    return _url(
        scope.get("scheme", "http"),
        request.headers.get("host"),
        tuple(server) if server else None,
        scope.get("root_path", ""),
        scope["path"],
    )


@lru_cache(maxsize=256)
def _url(
    scheme: str, host: str | None, server: tuple[str, int] | None, root: str, path: str
) -> str:
    # Starlette's own reconstruction (Host header, else the server address), made once per
    # distinct request target rather than once per request
    headers = [(b"host", host.encode("latin-1"))] if host is not None else []
    scope: dict[str, Any] = {"type": "http", "scheme": scheme, "server": server, "root_path": root}
    scope |= {"path": path, "query_string": b"", "headers": headers}
    return str(URL(scope=scope))


def describe_service(request: Request, services: Services, op: ProtocolRequest) -> Response:
    """The Service Description (RDF, negotiated), or a small HTML page for browsers."""
    accept = request.headers.get("accept")
    offers = [*OFFERS["graph"], "text/html"]  # */* (curl, clients) gets RDF
    fmt = op.one("format")
    # the endpoint says it takes QUERY, and what a QUERY may carry (RFC 10008 §3)
    headers = {"Vary": "Accept", "Accept-Query": ACCEPT_QUERY}
    if fmt is None and accept and negotiate(accept, offers) == "text/html":
        page = endpoint_page(endpoint_url(request), language(request))
        return HTMLResponse(page, headers={**headers, "Vary": "Accept, Accept-Language"})
    media = choose("graph", accept, fmt)
    info = services.data.info if services.data is not None else DatasetInfo()
    graph = service_description(endpoint_url(request), services.settings, info)
    return Response(serialize_rdflib(graph, media), media_type=content_type(media), headers=headers)


def request_timeout(services: Services, op: ProtocolRequest) -> float:
    """The server's limit, or a lower one the request asks for (``timeout`` in seconds):
    `query_timeout` for a query, `update_timeout` for an update."""
    settings = services.settings
    limit = settings.update_timeout if op.operation == "update" else settings.query_timeout
    raw = op.one("timeout")
    if raw is None:
        return limit
    try:
        asked = float(raw)
    except ValueError:
        raise ProtocolError(400, f"timeout must be a number of seconds, got {raw!r}") from None
    if not asked > 0:
        raise ProtocolError(400, "timeout must be more than 0 seconds")
    return min(asked, limit)


def check_depth(sniffed: Sniffed) -> None:
    if sniffed.depth > MAX_DEPTH:
        raise ProtocolError(
            400,
            f"the query nests parentheses, brackets or braces {sniffed.depth} deep; "
            f"this server accepts up to {MAX_DEPTH}",
        )


def check_outbound(services: Services, sniffed: Sniffed) -> None:
    """Refuse anything that would make the server send a request, unless allowed."""
    if sniffed.joined:
        # the engine reads SERVICE (or LOAD) inside these, with an endpoint no check sees
        # (aigraph.sniff); with an allow-list, the workers have the network: refused
        raise ProtocolError(
            403,
            f"{', '.join(sniffed.joined)}: SERVICE or LOAD joined to the word or name "
            "beside it is refused, since the engine reads the keyword there with an "
            "endpoint this server cannot check; put a space after SERVICE and write the "
            "endpoint's IRI, or, if this is a prefix of yours, rename it",
        )
    services_used, loads = sniffed.services, sniffed.loads
    if loads:
        raise ProtocolError(
            403,
            "LOAD is refused: this server fetches nothing; send data with "
            "the Graph Store Protocol (PUT/POST /store) instead",
        )
    allowed = services.settings.service_allowlist
    for target in services_used:
        if target.startswith("?"):
            raise ProtocolError(
                403,
                "SERVICE with a variable or prefixed-name endpoint is "
                "refused: write the endpoint IRI, one the operator allows",
            )
        if not allowed_endpoint(target, allowed):
            raise ProtocolError(
                403,
                f"SERVICE <{target}> is refused: this server makes no "
                "outbound requests from queries unless its operator "
                "allows the endpoint (AIGRAPH_SERVICE_ALLOWLIST)",
            )


DEFAULT_PORTS = {"http": 80, "https": 443}


def allowed_endpoint(target: str, allowlist: list[str]) -> bool:
    """Whether SERVICE may call `target`: an http(s) IRI with no user information and no
    escape, whose scheme, host and port are those of an entry of `allowlist` and whose path
    begins with the entry's path, with no dot segment (RFC 3986 §3 components, not text:
    as a text prefix, ``http://good.example`` allowed ``http://good.example.evil.org/``
    and ``http://good.example@evil.org/``, and ``http://127.0.0.1`` every port of the
    machine).
    An IRI with a backslash is refused: the engine decodes ``\\u`` escapes in IRIs, so
    the host it would call is not the one written."""
    if "\\" in target:
        return False
    try:
        wanted = urlsplit(target)
        port = wanted.port or DEFAULT_PORTS.get(wanted.scheme.lower())
    except ValueError:  # a port that is not a number
        return False
    if wanted.scheme.lower() not in DEFAULT_PORTS or not wanted.hostname:
        return False
    if wanted.username is not None or wanted.password is not None:
        return False
    # dot segments (RFC 3986 §5.2.4) would leave the allowed path once removed: /sparql/../x
    segments = wanted.path.lower().replace("%2e", ".").split("/")
    if "." in segments or ".." in segments:
        return False
    for entry in allowlist:
        try:
            known = urlsplit(entry)
            known_port = known.port or DEFAULT_PORTS.get(known.scheme.lower())
        except ValueError:
            continue
        if (
            (wanted.scheme.lower(), wanted.hostname, port)
            == (known.scheme.lower(), known.hostname, known_port)
            and known.username is None
            and wanted.path.startswith(known.path)
        ):
            return True
    return False


def check_graph_iris(name: str, iris: list[str]) -> None:
    """400 unless every value of the protocol parameter `name` is an absolute IRI: a worker
    is never handed a graph name the engine cannot parse."""
    for iri in iris:
        if not ABSOLUTE_IRI.match(iri):
            raise ProtocolError(400, f"{name} values must be absolute IRIs, got {iri!r}")


def _excerpt(job: Job) -> str:
    """The job's query (or the entity it describes) on one line, for the log."""
    return job.describe or _one_line(job.sparql)


def _one_line(text: str) -> str:
    """A query or update on one line, at most 300 characters, for the log."""
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:300] + "…"


def client_of(request: Request) -> str:
    """Who sent the request, for the share of workers each client gets (fairness.py)."""
    return request.client.host if request.client else ""


async def execute(services: Services, job: Job, timeout: float, client: str) -> Outcome:
    """Run `job` within `timeout` seconds, as one of `client`'s queries (fairness.py)."""
    counts = services.counts
    counts["received"] += 1
    try:
        waited = await services.shares.acquire(client, timeout)
    except ClientBusyError as exc:
        counts["refused_client_share"] += 1
        raise _client_busy(exc.limit) from None
    streaming = False
    try:
        if timeout - waited < 0.01:  # its turn came as its time ran out: too late to start
            counts["refused_client_share"] += 1
            raise _client_busy(services.shares.limit)
        outcome = await _run(services, job, timeout - waited, timeout)
        if outcome.status == 400 and PREFIX_NOT_FOUND.encode() in outcome.body:
            # the parser's list of every character it expected, told as the prefix to declare
            known = answer_prefixes(services.settings.base_iri)
            outcome.body = explain(job.sparql, outcome.body.decode(), known).encode()
        if outcome.rest is not None:  # the worker, and the slot, stay taken to the last chunk
            outcome.rest = _holding(outcome.rest, services, client)
            streaming = True
        return outcome
    finally:
        if not streaming:
            services.shares.release(client)


async def _holding(
    rest: AsyncGenerator[bytes, None], services: Services, client: str
) -> AsyncGenerator[bytes, None]:
    try:
        async for chunk in rest:
            yield chunk
    finally:
        try:
            await rest.aclose()  # the worker's stream first: it frees the worker
        finally:
            services.shares.release(client)


def _client_busy(limit: int) -> ProtocolError:
    return ProtocolError(
        429,
        f"This client already runs {limit} {'query' if limit == 1 else 'queries'} at once, "
        "the most this server lets one client run; this one waited its turn for the whole "
        "time limit. Send the next when one has finished.",
        {"Retry-After": "1"},  # RFC 6585 §4
    )


async def _run(services: Services, job: Job, timeout: float, limit: float) -> Outcome:
    """`job` within `timeout` seconds, what is left of the request's time `limit`."""
    # What an operator must hear of: queries stopped at the limit (the ones to look at),
    # workers that died, requests refused because every worker was busy.
    try:
        return await services.executor.run(job, timeout)
    except QueryTimeoutError:
        services.counts["stopped_at_limit"] += 1
        logger.warning("query stopped at the time limit (%g s): %s", limit, _excerpt(job))
        raise ProtocolError(
            503,
            f"The query was stopped after {limit:g} s, the time limit "
            "of this server; narrow it down (LIMIT, more specific patterns).",
        ) from None
    except QueryMemoryError:
        services.counts["stopped_at_memory_limit"] += 1
        mb = services.settings.query_memory_mb
        logger.warning("query stopped at the memory limit (%d MiB): %s", mb, _excerpt(job))
        raise ProtocolError(503, memory_message(mb)) from None
    except PoolBusyError:
        services.counts["refused_busy"] += 1
        logger.warning("every query worker stayed busy for %g s: a request was refused", limit)
        raise ProtocolError(
            503,
            "All query workers stayed busy for the whole time limit; try again shortly.",
            {"Retry-After": "1"},  # RFC 9110 §10.2.3
        ) from None
    except WorkerCrashedError as exc:
        services.counts["worker_died"] += 1
        logger.error("a query worker died (a new one is started) running: %s", _excerpt(job))
        if exc.panic:  # an engine bug on this query: saying which helps the client and us
            hint = next((h for words, h in KNOWN_PANICS.items() if words in exc.panic), "")
            raise ProtocolError(
                500,
                f"The query engine failed on this query (Oxigraph: {exc.panic}); "
                f"its worker has been restarted.{hint}",
            ) from None
        raise ProtocolError(
            500, "The query worker stopped unexpectedly; it has been restarted."
        ) from None
    except BackendUnavailableError as exc:
        raise ProtocolError(502, f"The store behind this server failed: {exc}") from None


#: Oxigraph panics whose cause is known (Oxigraph 0.5.13), and what a client can do instead.
KNOWN_PANICS = {
    # tests/data/order-by-abort.rq: integers mixed with xsd:date and xsd:gYear values
    "does not correctly implement a total order": (
        " It happens when ORDER BY compares values that have no order between them (numbers"
        " and dates, say); ordering by STR(?x) instead, a string order, avoids it."
    ),
}


def outcome_response(outcome: Outcome, extra: dict[str, str] | None = None) -> Response:
    """The answer to send for `outcome`. An error the worker answered (a query that does not
    parse, a bad term) is raised as the ProtocolError it is, to be answered as the server's
    own refusals are: one line of text, or a page for a browser (app._error)."""
    if outcome.kind == "error":
        raise ProtocolError(outcome.status, outcome.body.decode("utf-8", "replace"))
    headers = {"Vary": "Accept", **(extra or {})}
    media = content_type(outcome.media_type)
    if outcome.rest is not None:
        # a large answer, sent as the worker writes it (HTTP/1.1 chunked): its size and row
        # count are not known when the headers go, so they say it is streamed instead
        headers["AIGraph-Streamed"] = "true"
        return ClosingStreamingResponse(
            _streamed(outcome.body, outcome.rest), status_code=outcome.status,
            media_type=media, headers=headers,
        )  # fmt: skip
    if outcome.kind != "error":
        headers["AIGraph-Result-Count"] = str(outcome.rows)
    if outcome.truncated:
        headers["AIGraph-Results-Truncated"] = str(outcome.rows)
    return Response(outcome.body, status_code=outcome.status, media_type=media, headers=headers)


async def _streamed(first: bytes, rest: AsyncGenerator[bytes, None]) -> AsyncGenerator[bytes, None]:
    try:
        yield first
        async for chunk in rest:
            yield chunk
    finally:
        await rest.aclose()


class ClosingStreamingResponse(StreamingResponse):
    """A streamed answer that closes its chunks' generator when it ends, however it ends.

    Starlette stops reading the generator when the client goes (it cancels the task that
    sends, which is most often waiting for the client to read, not inside the generator)
    but does not close it: what the generators' `finally` frees (the worker still writing
    the answer, the client's share of the workers) waited for the garbage collector, for
    more than the 30 s time limit in 4 of 6 runs of
    tests/test_server_streaming.py::test_a_client_that_leaves_mid_stream_frees_its_worker."""

    body_iterator: AsyncGenerator[bytes, None]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.body_iterator.aclose()


def media_types_for(form: str | None, accept: str | None, fmt: str | None) -> dict[str, str]:
    """The response format for each kind of answer the query may give: the sniffed kind must
    have one (else 406 before running anything); the others are a fallback."""
    kind = KIND_OF_FORM.get(form or "")
    chosen = {}
    for each in OFFERS:
        try:
            chosen[each] = choose(each, accept, fmt)
        except ProtocolError:
            if each == kind:
                raise
    return chosen


#: Characters of a query lexed on the event loop; a longer one is lexed in a thread. The
#: lexer is linear, but Python: 15-60 µs for a query of a few hundred characters, 0.15 s
#: for 100,000 characters of the worst kind (`a.a.a.…`), which would hold every other
#: request that long.
LEXED_ON_LOOP = 8_000


async def lexed(services: Services, text: str) -> Sniffed | None:
    """The lexer's reading of `text`, made in a thread when it is long (None when the
    query is over `max_query_chars`: query_job refuses it without reading it)."""
    if len(text) > services.settings.max_query_chars:
        return None
    return await sized(len(text), LEXED_ON_LOOP, sniff, text)


def query_job(
    request: Request,
    services: Services,
    op: ProtocolRequest,
    media_types: dict[str, str] | None = None,
    stream: bool = False,
    sniffed: Sniffed | None = None,
) -> Job:
    """The job for a query, after the checks every query passes: its length, that it is not
    an update, its nesting, and that it sends nothing out unless the operator allowed it.
    `media_types` default to what the request's Accept or ``format`` asks for the query's form
    (406 before anything runs if nothing fits). `sniffed`: the lexer's reading, if made
    already (`lexed`)."""
    settings = services.settings
    if len(op.text) > settings.max_query_chars:
        raise ProtocolError(
            413, f"the query is longer than {settings.max_query_chars:,} characters"
        )
    if not op.text or op.text.isspace():  # the parser would say "expected [_] at 1:1"
        raise ProtocolError(
            400,
            "the query is empty: give a SPARQL query in 'query' (a GET of the endpoint with "
            "no 'query' at all gives its Service Description)",
        )
    sniffed = sniffed or sniff(op.text)
    if sniffed.is_update:
        raise ProtocolError(
            400,
            "this is an update, not a query: send it by POST, with 'update=' or "
            "as application/sparql-update",
        )
    check_depth(sniffed)
    check_outbound(services, sniffed)
    check_graph_iris("default-graph-uri", op.default_graphs)
    check_graph_iris("named-graph-uri", op.named_graphs)
    if media_types is None:
        media_types = media_types_for(sniffed.form, request.headers.get("accept"), op.one("format"))
    # prefixes only shorten graph answers (Turtle, TriG): not sent along with other queries
    graph_answer = sniffed.form not in ("SELECT", "ASK")
    return Job(
        op.text,
        form=sniffed.form,
        default_graphs=op.default_graphs or None,
        # the protocol dataset replaces the query's FROM/FROM NAMED (Protocol §2.1.4)
        named_graphs=op.named_graphs if (op.named_graphs or op.default_graphs) else None,
        media_types=media_types,
        max_rows=settings.max_results,
        base_iri=endpoint_url(request),
        prefixes=answer_prefixes(settings.base_iri) if graph_answer else None,
        uses_graphs=sniffed.uses_graphs or bool(op.default_graphs or op.named_graphs),
        column_order=sniffed.star_order,
        stream_after=settings.stream_after_bytes if stream else 0,
    )


@lru_cache(maxsize=8)
def answer_prefixes(base_iri: str) -> dict[str, str]:
    """The prefixes of graph answers: the vocabularies', and the data's under `base_iri`."""
    return known_prefixes(base_iri)


#: The methods whose answer's URL is the query: a POST's or a QUERY's is not.
GETS = ("GET", "HEAD")


#: Every format a query's answer may have: a client that ranks text/html above all of them
#: is a browser that opened a link (curl and clients, */*, get the answer).
BROWSER_OFFERS = list(dict.fromkeys([*OFFERS["solutions"], *OFFERS["graph"]]))


def from_browser(request: Request, offers: list[str]) -> bool:
    """Whether a GET ranks text/html above every format of `offers` (then last among
    equals): a browser that opened a link or was given an address, where curl, scripts and
    clients (*/*, or a format named) want the answer itself."""
    if request.method not in GETS:
        return False
    accept = request.headers.get("accept")
    if not accept or "html" not in accept:
        return False
    return negotiate(accept, [*offers, "text/html"]) == "text/html"


def see_other(location: str) -> Response:
    """303 See Other (RFC 9110 §15.4.4) to a page; what is sent depends on Accept."""
    return Response(status_code=303, headers={"Location": location, "Vary": "Accept"})


def beside(request: Request, path: str) -> str:
    """The URL of `path` (from "/") on this server, as the client reached the route asked
    (/sparql, /store): its scheme, host and the prefix a proxy mounts the app under."""
    return endpoint_url(request).rsplit("/", 1)[0] + path


def editor_location(request: Request, text: str) -> str:
    """The editor's page that runs the query `text` and shows its answer."""
    return beside(request, f"/query?{urlencode({'query': text}, quote_via=quote)}")


def browser_view(request: Request, op: ProtocolRequest) -> Response | None:
    """A browser's GET of a query (a shared link opened, an address typed) is sent to the
    page that runs the same query and shows its answer as a table or a graph, with the
    editor: 303 See Other, where it read a SPARQL XML document as a tree. Only a GET whose
    one parameter is `query`: the page cannot honour a dataset, a time limit or a format,
    and a request naming one gets the answer, as before."""
    if len(op.params) != 1 or not from_browser(request, BROWSER_OFFERS):
        return None
    return see_other(editor_location(request, op.text))


async def run_query(request: Request, services: Services, op: ProtocolRequest) -> Response:
    page = browser_view(request, op)
    if page is not None:
        return page
    etag = conditional_etag(request, services)
    caching = cache_control(services.settings)
    cached = not_modified(request, etag, caching)
    if cached is not None:  # nothing is run: the data has not changed since
        return cached
    sniffed = await lexed(services, op.text)
    job = query_job(request, services, op, stream=True, sniffed=sniffed)
    outcome = await execute(services, job, request_timeout(services, op), client_of(request))
    extra = {"ETag": etag, "Cache-Control": caching} if etag and outcome.status == 200 else None
    if outcome.status == 200 and outcome.media_type == "text/csv" and request.method in GETS:
        # a GET's CSV answer names its CSVW metadata (Model for Tabular Data §5.2), whose
        # query string is the answer's: the metadata's `url` is this answer's URL
        # (aigraph.server.csvw)
        metadata = beside(request, f"/csvm?{request.url.query}")
        extra = {**(extra or {}), "Link": describedby(metadata, CSVM)}
    if request.method == "QUERY" and outcome.status == 200:
        # the answer of a QUERY is cacheable (RFC 10008, "Caching"), like a GET's; a GET of
        # Location runs the same query again (§2.4), where it fits in a URL
        extra = {"Cache-Control": caching}
        location = equivalent_get(request, op)
        if location is not None:
            extra["Location"] = location
    return outcome_response(outcome, extra)


#: The longest Location a QUERY's answer carries: past it, a URL is no longer safe to use
#: everywhere (RFC 9110 §4.1 recommends supporting 8,000 octets; browsers and proxies differ).
MAX_LOCATION = 2000


def equivalent_get(request: Request, op: ProtocolRequest) -> str | None:
    """The GET of this endpoint that asks what a QUERY asked: its query, dataset and
    timeout, or None if that would not fit in MAX_LOCATION characters."""
    params = [("query", op.text)]
    params += [("default-graph-uri", g) for g in op.default_graphs]
    params += [("named-graph-uri", g) for g in op.named_graphs]
    params += [(name, value) for name in ("timeout", "format") for value in op.params.get(name, [])]
    url = f"{endpoint_url(request)}?{urlencode(params, quote_via=quote)}"
    return url if len(url) <= MAX_LOCATION else None


def require_token(request: Request, services: Services) -> None:
    """Writes need the operator's token, sent as ``Authorization: Bearer …``."""
    settings = services.settings
    if not settings.updates_enabled:
        raise ProtocolError(
            403,
            "this server is read-only: updates and Graph Store writes are "
            "disabled (its operator can enable them with AIGRAPH_UPDATE_TOKEN)",
        )
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    expected = settings.update_token.get_secret_value() if settings.update_token else ""
    if scheme.lower() != "bearer" or not secrets.compare_digest(
        token.strip().encode(), expected.encode()
    ):
        raise ProtocolError(401, "writes need the operator's token: Authorization: Bearer <token>")


def checked_update(services: Services, op: ProtocolRequest) -> str:
    """The update's text to run, with the protocol's USING clauses, after the checks every
    update passes (its nesting, that it fetches nothing unless allowed, its graph IRIs)."""
    sniffed = sniff(op.text)
    check_depth(sniffed)
    check_outbound(services, sniffed)
    check_graph_iris("using-graph-uri", op.using_graphs)
    check_graph_iris("using-named-graph-uri", op.using_named_graphs)
    try:
        return apply_using(op.text, op.using_graphs, op.using_named_graphs)
    except UsingConflictError as exc:
        raise ProtocolError(400, str(exc)) from None


async def run_update(request: Request, services: Services, op: ProtocolRequest) -> Response:
    require_token(request, services)
    # An update may be as long as a body (max_body_bytes: 1 MB, 1.5 s for the lexer at
    # worst), and has no max_query_chars: a long one is read in a thread, as a query is
    text = await sized(len(op.text), LEXED_ON_LOOP, checked_update, services, op)
    try:
        async with services.write_lock:
            await services.executor.update(
                text, endpoint_url(request), request_timeout(services, op)
            )
    except UpdateSyntaxError as exc:
        raise ProtocolError(400, str(exc)) from None
    except (UpdateTimeoutError, UpdateMemoryError) as exc:
        services.update_counts["stopped_at_limit"] += 1
        logger.warning("update stopped: %s %s", exc, _one_line(text))
        raise ProtocolError(503, str(exc)) from None
    except UpdateFailedError as exc:
        services.update_counts["failed"] += 1
        logger.error("update failed: %s %s", exc, _one_line(text))
        raise ProtocolError(500, str(exc)) from None
    services.update_counts["applied"] += 1
    return Response(status_code=204)
