"""Reading a SPARQL 1.1 Protocol request (https://www.w3.org/TR/sparql11-protocol/ §2).

Three ways to send a query — GET with ``query=`` (§2.1.1), POST of a URL-encoded form
(§2.1.2), POST of the query itself as ``application/sparql-query`` (§2.1.3) — must give the
same answer. Each string is percent-decoded exactly once (``"100%41"`` sent as
``%22100%2541%22`` stays ``"100%41"``), and only UTF-8 is accepted (§2.1.3: "the request
body MUST be UTF-8"). Updates come by POST only (§2.2), as a form or
``application/sparql-update``.

A query may also come by the HTTP QUERY method (RFC 10008), carried as a POST carries it (a
form, or ``application/sparql-query``): QUERY is POST made safe and idempotent, so that a
query too long for a URL can still be retried and cached. An update cannot come that way:
a QUERY is safe, it leaves the state of its target as it was (RFC 10008 §2).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from starlette.requests import Request

from aigraph.server.encoding import BodyCodingError, body_decoder
from aigraph.server.offload import sized


class ProtocolError(Exception):
    """A request the protocol does not allow: the status and a message for the client."""

    def __init__(
        self,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
        see: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.see = see  # a path on this server the message points to (the page links it)


@dataclass
class ProtocolRequest:
    operation: str  # "query", "update" or "description" (no query: the Service Description)
    text: str = ""
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    using_graphs: list[str] = field(default_factory=list)
    using_named_graphs: list[str] = field(default_factory=list)
    params: dict[str, list[str]] = field(default_factory=dict)

    def one(self, name: str) -> str | None:
        values = self.params.get(name, [])
        if len(values) > 1:
            raise ProtocolError(400, f"give the {name!r} parameter at most once")
        return values[0] if values else None


#: What a QUERY request may carry, for its Accept-Query field (RFC 10008 §3: a Structured
#: Field list of media ranges; these two are valid tokens).
QUERY_MEDIA_TYPES = ("application/sparql-query", "application/x-www-form-urlencoded")
ACCEPT_QUERY = ", ".join(QUERY_MEDIA_TYPES)


def _pairs(raw: bytes | str, where: str) -> dict[str, list[str]]:
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        pairs = parse_qsl(
            text, keep_blank_values=True, strict_parsing=False, encoding="utf-8", errors="strict"
        )
    except UnicodeDecodeError:
        raise ProtocolError(400, f"the {where} is not valid UTF-8 once percent-decoded") from None
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


#: A form body longer than this is parsed in a thread: parse_qsl takes up to 0.35 µs a byte
#: (a megabyte of `a&a&…`, which anyone may POST: 0.35 s), which on the event loop would
#: hold every other request that long.
FORM_ON_LOOP = 8_000


async def form_pairs(body: bytes, where: str) -> dict[str, list[str]]:
    """`_pairs` of a request body, off the event loop when it is long."""
    return await sized(len(body), FORM_ON_LOOP, _pairs, body, where)


def _media_type(request: Request) -> tuple[str, dict[str, str]]:
    header = request.headers.get("content-type", "")
    main, *rest = header.split(";")
    params = {}
    for part in rest:
        key, _, value = part.partition("=")
        params[key.strip().lower()] = value.strip().strip('"').lower()
    return main.strip().lower(), params


def _require_utf8(params: dict[str, str], media: str) -> None:
    charset = params.get("charset", "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"{media} must be sent in UTF-8, not {charset}")


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the {what} is not valid UTF-8 (byte {exc.start})") from None


#: Seconds a request body may take to arrive: ample for `max_body_bytes` on a slow link,
#: and a client trickling one byte at a time no longer holds its connection for ever.
BODY_TIMEOUT = 30.0


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, or 413 past `limit` bytes (checked as it arrives, not only from
    Content-Length, which a client may omit or understate), or 408 if it takes longer than
    BODY_TIMEOUT seconds (RFC 9110 §15.5.9; the connection is then closed). A gzip body
    (Content-Encoding) is decoded as it arrives, the limit holding on what it decodes to
    (aigraph.server.encoding); any other coding is a 415."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"the request body is larger than {limit:,} bytes")
    try:
        decoder = body_decoder(request.headers.get("content-encoding"), limit)
        chunks, size = [], 0
        async with asyncio.timeout(BODY_TIMEOUT):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise ProtocolError(413, f"the request body is larger than {limit:,} bytes")
                chunks.append(chunk if decoder is None else decoder.feed(chunk))
        if decoder is not None:
            decoder.finish()
    except BodyCodingError as exc:
        raise ProtocolError(exc.status, exc.message, exc.headers) from None
    except TimeoutError:
        raise ProtocolError(
            408,
            f"Request Timeout: the request body did not arrive within {BODY_TIMEOUT:g} s",
            {"Connection": "close"},
        ) from None
    return b"".join(chunks)


async def read_protocol_request(request: Request, body_limit: int) -> ProtocolRequest:
    """The operation a request asks for, or ProtocolError."""
    url_params = _pairs(request.scope.get("query_string", b""), "query string")
    method = request.method
    if method in ("GET", "HEAD"):
        if "update" in url_params:
            raise ProtocolError(405, "an update must be sent by POST (SPARQL 1.1 Protocol §2.2)")
        params = url_params
        if "query" not in params:
            if "graph" in params or "default" in params:
                # the Graph Store Protocol's parameters on the query endpoint: answering with
                # the Service Description would look like a graph and mislead
                raise ProtocolError(
                    400,
                    "no 'query': /sparql answers SPARQL queries; to read a graph, use the "
                    "Graph Store Protocol at /store?graph=IRI (or /store?default)",
                )
            return ProtocolRequest("description", params=params)
        queries = params["query"]
        if len(queries) != 1:
            raise ProtocolError(400, "give exactly one 'query' parameter")
        return _with_parameters(ProtocolRequest("query", queries[0], params=params))
    if method not in ("POST", "QUERY"):
        raise ProtocolError(405, f"{method} is not a SPARQL operation; use GET, POST or QUERY")
    media, media_params = _media_type(request)
    if method == "QUERY" and media not in QUERY_MEDIA_TYPES:
        raise ProtocolError(
            415,
            f"a QUERY carries a query, as {' or '.join(QUERY_MEDIA_TYPES)} "
            f"(this one: {media or 'no Content-Type'}); an update is sent by POST",
            {"Accept-Query": ACCEPT_QUERY},
        )
    body = await read_body(request, body_limit)
    if media == "application/x-www-form-urlencoded":
        _require_utf8(media_params, media)
        form = await form_pairs(body, "form body")
        params = {**url_params}
        for key, values in form.items():
            params.setdefault(key, []).extend(values)
        has_query, has_update = "query" in form, "update" in form
        if has_query == has_update:
            raise ProtocolError(400, "a form must carry exactly one of 'query' or 'update'")
        name = "query" if has_query else "update"
        if method == "QUERY" and name == "update":
            raise ProtocolError(
                400, "QUERY is safe (RFC 10008 §2): an update is sent by POST, not by QUERY"
            )
        if len(params[name]) != 1:
            raise ProtocolError(400, f"give exactly one '{name}' parameter")
        op = ProtocolRequest(name, params[name][0], params=params)
    elif media in ("application/sparql-query", "application/sparql-update"):
        _require_utf8(media_params, media)
        name = "query" if media.endswith("query") else "update"
        if "query" in url_params or "update" in url_params:
            raise ProtocolError(400, f"with {media}, the {name} is the body, not a parameter")
        op = ProtocolRequest(name, _decode(body, name), params=url_params)
    elif not media:
        raise ProtocolError(
            415,
            "a POST needs a Content-Type: application/sparql-query, "
            "application/sparql-update or application/x-www-form-urlencoded",
        )
    else:
        raise ProtocolError(
            415,
            f"unsupported Content-Type {media!r}; use application/sparql-query, "
            "application/sparql-update or application/x-www-form-urlencoded",
        )
    return _with_parameters(op)


def _with_parameters(op: ProtocolRequest) -> ProtocolRequest:
    """`op` with its dataset parameters read, and every parameter checked against the
    operation: what each may carry, and how often."""
    p = op.params
    # SPARQL 1.2 Protocol (editor's draft, "Version Announcement"): an operation may announce
    # its version, `version` "0 or 1" times. A hint: evaluation does not change with it.
    op.one("version")
    op.default_graphs = p.get("default-graph-uri", [])
    op.named_graphs = p.get("named-graph-uri", [])
    op.using_graphs = p.get("using-graph-uri", [])
    op.using_named_graphs = p.get("using-named-graph-uri", [])
    if op.operation == "query" and (op.using_graphs or op.using_named_graphs):
        raise ProtocolError(400, "using-graph-uri and using-named-graph-uri are for updates")
    if op.operation == "update" and (op.default_graphs or op.named_graphs):
        raise ProtocolError(400, "default-graph-uri and named-graph-uri are for queries")
    return op
