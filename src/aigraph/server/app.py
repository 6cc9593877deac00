"""The application factory: ``create_app(settings)`` returns a configured FastAPI app.

Nothing is global: the data, the worker pool and the settings live on ``app.state`` and are
made in the lifespan (started when the server starts, closed when it stops), so tests build
as many independent apps as they like. Run with ``aigraph serve`` or
``uvicorn --factory aigraph.server.app:create_app`` (settings from ``AIGRAPH_*``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import logging
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Match
from starlette.types import Message, Receive, Scope, Send

from aigraph import __version__
from aigraph.project import Project
from aigraph.search import kind_plurals
from aigraph.server.conneg import AcceptHeaderError, negotiate
from aigraph.server.data import ServedData, prepare
from aigraph.server.encoding import accept_encoding, accepts_gzip, encoded
from aigraph.server.executor import Executor, LocalExecutor, RemoteExecutor
from aigraph.server.fairness import ClientShares
from aigraph.server.pages import kept_query, language, render
from aigraph.server.pool import StreamStoppedError
from aigraph.server.protocol import ProtocolError
from aigraph.server.settings import Settings

EXPOSED_HEADERS = [
    "AIGraph-Results-Truncated",
    "AIGraph-Result-Count",
    "AIGraph-Streamed",
    "Link",
    "Vary",
    "ETag",
    "Retry-After",  # on a 503 or 429: when to try again (not a CORS-safelisted header)
    "Accept-Query",  # the media types a QUERY may carry (RFC 10008 §3)
    "Location",  # on a QUERY's answer: the GET that runs the same query (RFC 10008 §2.4)
]
_EXPOSED = ", ".join(EXPOSED_HEADERS)

Handler = Callable[[Request], Awaitable[Response]]

API_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>aigraph API</title>
<link rel="stylesheet" href="/static/ui/swagger-ui.css">
<link rel="icon" href="data:,"></head>
<body><div id="swagger-ui" data-openapi="/openapi.json"></div>
<script src="/static/ui/swagger-ui-bundle.js"></script>
<script src="/static/ui/api.js"></script>
</body></html>
"""

#: Sent with every answer: a browser must take the type it is given, never guess another
#: (an error that quotes the query is text/plain, and must stay text).
NOSNIFF = (b"x-content-type-options", b"nosniff")
#: Sent with every HTML page: only this server's scripts run — an injected <script> or
#: event attribute does not, whatever a label in served data holds; no plugins, no <base>
#: rewriting links; forms post here only. Inline styles stay allowed (the network legend's
#: colours, the libraries'); framing stays allowed, for embedding: no page changes anything
#: on a click, and no cookie or session exists for a frame to borrow.
CONTENT_SECURITY_POLICY = (
    b"content-security-policy",
    b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'",
)
logger = logging.getLogger("aigraph.server")


@dataclass
class Services:
    """Everything a request handler needs, made once per app."""

    settings: Settings
    executor: Executor
    data: ServedData | None = None
    project: Project | None = None
    started: float = field(default_factory=time.time)
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    shares: ClientShares = field(init=False)  # each client's share of the workers
    # since start: queries received, stopped at the time or the memory limit, refused
    # (client's share used, every worker busy), and workers that died; shown by /-/health
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            (
                "received",
                "stopped_at_limit",
                "stopped_at_memory_limit",
                "refused_client_share",
                "refused_busy",
                "worker_died",
            ),
            0,
        )
    )

    # since start: updates applied, stopped at the time or the memory limit, and failed in
    # the engine (or not run); refused ones (token, syntax, LOAD) are the client's business
    update_counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("applied", "stopped_at_limit", "failed"), 0)
    )

    # builds that outlived the request that asked for them (`per_version_within`): {name:
    # (version of the data, the build, when it began)}; and the children a build runs
    # (the dumps' renderer), stopped with the server
    background: dict[str, tuple[str, asyncio.Future[Any], float]] = field(default_factory=dict)
    children: set[subprocess.Popen[bytes]] = field(default_factory=set)
    closing: bool = False  # the server is stopping: a child that ends now was stopped

    def __post_init__(self) -> None:
        self.shares = ClientShares(self.settings.client_share)

    async def close(self) -> None:
        self.closing = True
        for _, build, _ in self.background.values():
            build.cancel()
        for child in list(self.children):
            child.kill()  # its build, in a thread, sees it fail and ends
        await self.executor.close()
        if self.data is not None and self.data.workdir is not None:
            with contextlib.suppress(OSError):
                self.data.workdir.cleanup()


async def start_services(
    settings: Settings, project: Project | None = None, data: ServedData | None = None
) -> Services:
    if settings.backend == "remote":
        remote = RemoteExecutor(settings)
        await remote.start()
        await remote.load(settings, project)
        return Services(settings, remote, None, project)
    if data is None:
        data = await asyncio.to_thread(prepare, settings, project)
    local = LocalExecutor(settings, data)
    await local.start()
    return Services(settings, local, data, project)


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def protocol_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProtocolError)
    headers = dict(exc.headers)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="aigraph"'
    if exc.status == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    if exc.status == 406:
        # the refusal was chosen by Accept as much as an answer would be (RFC 9110 §12.5.5)
        headers["Vary"] = "Accept"
    return _error(request, exc.status, exc.message, headers, exc.see)


async def validation_error(request: Request, exc: Exception) -> Response:
    """FastAPI's check of a typed parameter (`/search?limit=abc`) as every other bad
    parameter is answered: a 400 naming it, not FastAPI's 422 with a JSON body (docs/serving.md
    says aigraph gives no 422)."""
    assert isinstance(exc, RequestValidationError)
    said = []
    for error in exc.errors():
        where = error.get("loc") or ("request",)
        what = str(error.get("msg", "not valid"))
        said.append(
            f"parameter {where[-1]!r}: {what[:1].lower()}{what[1:]} (got {error.get('input')!r})"
        )
    return _error(request, 400, "; ".join(said), {})


def _error(
    request: Request, status: int, message: str, headers: dict[str, str], see: str | None = None
) -> Response:
    """An error as the one plain-text line that says what is wrong; to a browser's GET (a
    link followed, an address typed), as a page in the reader's language around that line,
    with the way back into the site. Either may be cached (a 404 is, by default: RFC 9111
    §4.2.2), so both vary on what chose between them."""
    if request.method not in ("GET", "HEAD"):
        return PlainTextResponse(message + "\n", status_code=status, headers=headers)
    vary = [v.strip() for v in headers.pop("Vary", "").split(",") if v.strip()]
    headers["Vary"] = ", ".join(dict.fromkeys([*vary, "Accept", "Accept-Language"]))
    if not _prefers_html(request):
        return PlainTextResponse(message + "\n", status_code=status, headers=headers)
    lang = language(request)
    page = render(
        "error.html",
        lang,
        status=status,
        message=message,
        retry=headers.get("Retry-After"),
        see=see,
        way=_way_back(request),
        keep=kept_query(request),
        alternates=[],
    )
    return HTMLResponse(page, status_code=status, headers=headers)


def _way_back(request: Request) -> tuple[str, str] | None:
    """Where a page about an error leads, besides home, as (href, the UI's word for it): a
    query that failed to its text in the editor, to be mended; a catalogue query or a file
    to the list it is missing from."""
    path = request.url.path
    query = request.query_params.get("query")
    if path == "/sparql" and query:
        return "/query?" + urlencode({"query": query}), "fix_query"
    if path.startswith("/queries/"):
        return "/queries", "queries"
    if path.startswith("/dumps/"):
        return "/dumps/", "downloads"
    return None


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (unknown path, method not allowed) as plain text too; an
    unknown path asked for by a browser, as a page that leads back into the site."""
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 404 and detail == "Not Found":
        if _prefers_html(request):
            return _page_not_found(request)
        detail = f"Not Found: nothing is served at {request.url.path!r} (see / and /api)"
        # a 404 may be cached (RFC 9111 §4.2.2); a browser would get the page
        headers["Vary"] = "Accept, Accept-Language"
    if exc.status_code == 405:
        # Starlette's Allow names the methods of the first route that matched the path; a
        # path has one route per method here (routing.py), so gather them all: the Allow of
        # a 405 lists the target's supported methods (RFC 9110 §15.5.6)
        headers = {k: v for k, v in headers.items() if k.lower() != "allow"}
        headers["Allow"] = ", ".join(allowed_methods(request))
        detail = f"{request.method} is not allowed on {request.url.path!r}"
        detail += f"; allowed: {headers['Allow']}"
    return _error(request, exc.status_code, str(detail), headers)


def _prefers_html(request: Request) -> bool:
    """Whether the client prefers a page to plain text (a browser does; curl's */* does
    not: plain text is offered first). A malformed Accept gets the plain text."""
    try:
        return negotiate(request.headers.get("accept"), ["text/plain", "text/html"]) == "text/html"
    except AcceptHeaderError:
        return False


def _page_not_found(request: Request) -> Response:
    lang = language(request)
    page = render(
        "not_found.html",
        lang,
        path=request.url.path,
        plural=kind_plurals(lang),
        alternates=[],
    )
    return HTMLResponse(page, status_code=404, headers={"Vary": "Accept, Accept-Language"})


_METHOD_ORDER = ["GET", "HEAD", "POST", "QUERY", "PUT", "DELETE", "PATCH", "OPTIONS"]


def allowed_methods(request: Request) -> list[str]:
    """The methods some route answers on the request's path (HEAD wherever GET is), in
    the usual order."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHOD_ORDER
        if any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in routes)
    ]
    if "GET" in allowed and "HEAD" not in allowed:
        allowed.insert(allowed.index("GET") + 1, "HEAD")
    return allowed


T = TypeVar("T")


#: How many times a build is made again when a write is published while it runs, before the
#: last one is given as it is (and not kept): a bound, so that writes in a row cannot hold a
#: request forever.
PER_VERSION_ATTEMPTS = 3


async def per_version(request: Request, name: str, build: Callable[[Services], T]) -> T:
    """`build(services)` computed once per version of the served data (a write makes a new
    snapshot, hence a new version), in a thread, one build at a time; kept on app.state.

    The build reads the data's parts (the store, its merged triples, its counts) as it goes,
    in its thread, while a write publishes a new version on the event loop, all parts at
    once (`aigraph.server.data.publish`). A build during which the version changed may have
    read parts of both: it is made again, and only one that saw a single version is kept."""
    return await _per_version(request.app.state, services_of(request), name, build)


class NotReadyError(Exception):
    """A build still running when the request that asked for it stopped waiting."""

    def __init__(self, name: str, running_for: float) -> None:
        super().__init__(f"{name}: still being built after {running_for:.1f} s")
        self.running_for = running_for


async def per_version_within(
    request: Request, name: str, build: Callable[[Services], T], wait: float
) -> T:
    """`per_version`, waited for until `wait` seconds after the build began; past that,
    NotReadyError at once. The build goes on without the requests (one per name and version
    of the data, kept on the services), and a later request gets it. A build that failed is
    made again by the next request, as `per_version` does.

    Why: the dataset's files take a minute to render at 10^5 triples, and a client asking
    for the dataset's description waited for them, past its own time limit; and the bound
    is the build's, not each request's, because with a bound per request every request of
    that minute waited its 10 s (bench/NOTES.md)."""
    services = services_of(request)
    assert services.data is not None
    version = services.data.snapshot_source.path
    running = services.background.get(name)
    if running is None or running[0] != version or _failed(running[1]):
        started = asyncio.ensure_future(_per_version(request.app.state, services, name, build))
        started.add_done_callback(_retrieve)
        running = (version, started, time.monotonic())
        services.background[name] = running
    _, future, began = running
    left = max(0.0, began + wait - time.monotonic())
    done, _ = await asyncio.wait({future}, timeout=left)  # (which never cancels it)
    if not done:
        raise NotReadyError(name, time.monotonic() - began)
    return cast(T, future.result())


def _failed(future: asyncio.Future[Any]) -> bool:
    return future.done() and (future.cancelled() or future.exception() is not None)


def _retrieve(future: asyncio.Future[Any]) -> None:
    # a build's error reaches the requests that waited for it, if any; the others would
    # have asyncio log "exception was never retrieved" for what the build's log already said
    if not future.cancelled():
        future.exception()


async def _per_version(
    state: Any, services: Services, name: str, build: Callable[[Services], T]
) -> T:
    data = services.data
    if data is None:
        raise ProtocolError(404, f"{name} is offered by the embedded backends only")
    if getattr(state, "per_version", None) is None:
        state.per_version, state.per_version_locks = {}, {}
    cache, locks = state.per_version, state.per_version_locks
    async with locks.setdefault(name, asyncio.Lock()):
        for _ in range(PER_VERSION_ATTEMPTS):
            version = data.snapshot_source.path
            cached = cache.get(name)
            if cached is not None and cached[0] == version:
                return cast(T, cached[1])
            built = await asyncio.to_thread(build, services)
            if data.snapshot_source.path == version:  # no write was published meanwhile
                cache[name] = (version, built)
                return built
        logger.warning("%s: the data changed during each of %d builds", name, PER_VERSION_ATTEMPTS)
        return built


def root_url(request: Request) -> str:
    """This server's root URL as the client reached it (links in answers point here)."""
    return str(request.url.replace(path="/", query="", fragment=""))


#: GET answers that depend only on the version of the data and of the server, the URL and
#: the negotiation headers, besides /sparql's own: the Linked Data resources, the
#: catalogue's queries, the dataset's description and the interface's pages and data. They
#: carry a validator and may be cached a minute; a client or cache that has one gets a 304
#: and nothing is made again (RFC 9110 §13.1.2, §15.4.5), which is what lets an HTTP cache
#: in front of the server take the load (docs/scaling.md). Not /-/ (live counts), /dumps/
#: (its files have their own ETag), /store or the writes.
CONDITIONAL_PREFIXES = ("/id/", "/concept/", "/queries/", "/ui/", "/ns.")
CONDITIONAL_PATHS = frozenset(
    {
        "/",
        "/ns",
        "/queries",
        "/search",
        "/query",
        "/network",
        "/.well-known/void",
        "/sitemap.xml",
        "/csvm",
    }
)
CACHE_CONTROL = "public, max-age=60"
#: what a server that takes writes says instead: a cache may keep the answer but must ask
#: again before each use (RFC 9111 §5.2.2.4), and gets a 304 while the data is unchanged. A
#: minute's freshness would show an answer from before a write for up to a minute after it.
CACHE_CONTROL_WRITABLE = "public, no-cache"


def cache_control(settings: Settings) -> str:
    """How long a cache may reuse an answer that depends on the data without asking again:
    a minute on a read-only server (its data cannot change while it runs), not at all on one
    that takes writes."""
    return CACHE_CONTROL_WRITABLE if settings.updates_enabled else CACHE_CONTROL


def conditional(path: str) -> bool:
    return path in CONDITIONAL_PATHS or path.startswith(CONDITIONAL_PREFIXES)


def conditional_etag(request: Request, services: Services) -> str | None:
    """A validator for a GET answer (RFC 9110 §8.8.3): it names the version of the data and
    of the server, and everything the answer depends on (the URL with the query, Accept,
    Accept-Language), so it is known before anything runs. None when there is no local
    version (remote backend)."""
    if request.method not in ("GET", "HEAD") or services.data is None:
        return None
    key = "\n".join(
        [
            __version__,
            services.data.snapshot_source.path,
            str(request.url),
            request.headers.get("accept", ""),
            request.headers.get("accept-language", ""),
        ]
    )
    return 'W/"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def not_modified(request: Request, etag: str | None, caching: str) -> Response | None:
    """304 when the client already has this answer (If-None-Match, weak comparison); it
    repeats the answer's `Cache-Control` (`caching`), as RFC 9110 §15.4.5 asks."""
    if etag is None:
        return None
    asked = request.headers.get("if-none-match", "")
    tags = {t.strip().removeprefix("W/") for t in asked.split(",") if t.strip()}
    if "*" in tags or etag.removeprefix("W/") in tags:
        headers = {"ETag": etag, "Cache-Control": caching, "Vary": "Accept, Accept-Language"}
        return Response(status_code=304, headers=headers)
    return None


class AigraphApp(FastAPI):
    """FastAPI, with a direct path for the requests that matter most to throughput.

    A SPARQL query costs the engine tens of microseconds; FastAPI's routing (a regular
    expression per route until one matches), its dependency solving and its middleware
    stack cost several times that (bench/NOTES.md). GET, HEAD, POST and QUERY requests to
    the paths in `direct` are given to their handler at once, with what those layers would
    have done for it: the app in the scope, ProtocolError as its plain-text answer, any other error
    as a 500 that leaks nothing, and the CORS headers of a simple request (the Fetch
    standard's CORS protocol; preflights still go through the middleware). The route stays
    registered too: it is the one the OpenAPI description shows, and it answers the other
    methods."""

    direct: dict[str, Handler]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            send = _hardened(send)
            if self.state.settings.gzip:
                send = encoded(send, accepts_gzip(accept_encoding(scope)))
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD", "POST", "QUERY"):
            handler = self.direct.get(scope["path"]) if scope.get("root_path", "") == "" else None
            if handler is not None:
                await self._call_direct(handler, scope, receive, send)
                return
            if scope["method"] == "HEAD":
                # RFC 9110 §9.3.2: HEAD is GET without the content, and every general-purpose
                # server supports both (§9.1): each GET route answers it. Routing sees a copy
                # saying GET; the server keeps its own scope, which says HEAD, and sends no
                # body (uvicorn, as the ASGI servers do)
                scope = {**scope, "method": "GET"}
            if scope["method"] == "GET" and conditional(scope["path"]):
                await self._call_conditional(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def _call_conditional(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A GET of a conditional path: a 304 if the client has the answer, else the answer
        with its validator if it is a 200 (errors are not cached)."""
        services = getattr(self.state, "services", None)
        request = Request(scope)
        etag = conditional_etag(request, services) if services is not None else None
        if etag is None:
            await super().__call__(scope, receive, send)
            return
        caching = cache_control(self.state.settings)
        cached = not_modified(request, etag, caching)
        if cached is not None:
            if self.state.settings.cors and any(k == b"origin" for k, _ in scope["headers"]):
                cached.headers["Access-Control-Allow-Origin"] = "*"
                cached.headers["Access-Control-Expose-Headers"] = _EXPOSED
            await cached(scope, receive, send)
            return

        async def send_validated(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = [*message.get("headers", ())]
                if any(k.lower() == b"cache-control" and b"no-store" in v for k, v in headers):
                    # an answer that says so is not for keeping (an incomplete one: the
                    # dataset's description before its files are rendered): no validator
                    await send(message)
                    return
                headers.append((b"etag", etag.encode("ascii")))
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", caching.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        await super().__call__(scope, receive, send_validated)

    async def _call_direct(
        self, handler: Handler, scope: Scope, receive: Receive, send: Send
    ) -> None:
        scope["app"] = self
        request = Request(scope, receive)
        try:
            response = await handler(request)
        except ProtocolError as exc:
            response = await protocol_error(request, exc)
        except Exception:  # logged here; the client gets no stack trace
            logger.exception("error in %s %s", scope["method"], scope["path"])
            response = PlainTextResponse("Internal Server Error\n", status_code=500)
        if self.state.settings.cors and "origin" in request.headers:
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = _EXPOSED
        try:
            await response(scope, receive, send)
        except StreamStoppedError as exc:
            # the status and part of the answer are sent: returning without the last chunk
            # makes uvicorn close the connection, which the client sees as an incomplete answer
            logger.warning("a streamed answer was cut: %s", exc)


def _hardened(send: Send) -> Send:
    """`send`, adding the headers every answer carries (NOSNIFF) and every HTML page
    (CONTENT_SECURITY_POLICY), whichever route or error made it."""

    async def send_hardened(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [*message.get("headers", ()), NOSNIFF]
            if any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers):
                headers.append(CONTENT_SECURITY_POLICY)
            message = {**message, "headers": headers}
        await send(message)

    return send_hardened


def create_app(
    settings: Settings | None = None,
    project: Project | None = None,
    data: ServedData | None = None,
) -> AigraphApp:
    """A configured app; `settings` default to the environment (``AIGRAPH_*``). `data` may be
    prepared beforehand (``aigraph serve`` does, to report bad input before starting)."""
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await start_services(settings, project, data)
        app.state.services = services
        # What start-up made (the data, the templates, the modules) lives as long as the
        # server: keep it out of the cyclic collector's scans, which otherwise walk it again
        # and again as requests allocate (about 8 % of the throughput, bench/NOTES.md).
        gc.freeze()
        try:
            yield
        finally:
            await services.close()

    app = AigraphApp(
        title="aigraph",
        version=__version__,
        description="SPARQL 1.1 endpoint and Linked Data server for the aigraph knowledge graph.",
        lifespan=lifespan,
        exception_handlers={
            ProtocolError: protocol_error,
            StarletteHTTPException: http_error,
            RequestValidationError: validation_error,
        },
        docs_url=None,  # /api is served below, with Swagger UI from this server, not a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    if settings.cors:
        # Public read access from any origin, never with credentials: a browser never sends
        # cookies or HTTP auth cross-origin, so CORS cannot leak a logged-in session.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_credentials=False,
            allow_methods=["GET", "HEAD", "POST", "QUERY", "OPTIONS"],
            allow_headers=[
                "Accept",
                "Accept-Language",
                "Content-Type",
                "Content-Encoding",
                "Authorization",
            ],
            expose_headers=EXPOSED_HEADERS,
            max_age=86400,
        )
    from aigraph.server import (
        catalogue_routes,
        csvw,
        dumps,
        gsp,
        meta,
        reconcile,
        resources,
        rules,
        sparql,
        ui,
    )

    app.include_router(sparql.router)
    app.include_router(gsp.router)
    app.include_router(meta.router)
    app.include_router(dumps.router)
    app.include_router(resources.router)
    app.include_router(rules.router)
    app.include_router(catalogue_routes.router)
    app.include_router(reconcile.router)
    app.include_router(csvw.router)
    app.include_router(ui.router)
    app.direct = {"/sparql": sparql.sparql_endpoint}
    app.openapi = lambda: openapi_schema(app)  # type: ignore[method-assign]

    @app.get("/api", include_in_schema=False)
    async def api_page() -> Response:
        """Swagger UI for the OpenAPI description, its script and style bundled at set-up
        (ui/dist, from the npm package swagger-ui-dist) and started by ui/static/api.js: the
        page loads nothing from elsewhere and runs no inline script."""
        return HTMLResponse(API_PAGE)

    return app


def openapi_schema(app: FastAPI) -> dict[str, object]:
    """FastAPI's description, without the 422 "validation error" answers it adds to every
    route with parameters: aigraph checks its parameters itself, and a bad one is a 400 with
    a message (documented in docs/serving.md), never a 422; FastAPI's own check of a typed
    one (`/search?limit=abc`) is answered so too (validation_error)."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        for item in schema["paths"].values():
            for operation in item.values():
                operation.get("responses", {}).pop("422", None)
        components = schema.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        if "components" in schema and not components:
            schema.pop("components")
        app.openapi_schema = schema
    return app.openapi_schema
