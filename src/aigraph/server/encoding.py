"""Content codings (RFC 9110 §8.4): gzip answers for clients that ask for them, and gzip
request bodies read under the body limit.

Answers. A SELECT of every triple of the bundled graph is 640 KB of SPARQL JSON and 47 KB
gzipped; a researcher's client (a browser, curl --compressed, requests, httpx, pandas)
asks for gzip in `Accept-Encoding` and decodes it. `encoded` wraps the ASGI `send` of one
request: an answer that is worth compressing (status 200, a text type, at least
`MIN_BYTES`) goes out gzipped when the request accepts gzip (§12.5.3), and says
`Vary: Accept-Encoding` in either case, so that a cache keeps the two apart (§12.5.5). A
streamed answer is compressed chunk by chunk, each flushed (Z_SYNC_FLUSH), so the client
can still read the first rows before the last are written. Large chunks are compressed in
a thread (zlib lets go of the interpreter lock), so the event loop does not wait for them.

Left as they are: answers with a `Digest` (the dumps: the digest names the file's bytes),
partial answers (206, `Content-Range`: a range of the identity bytes), answers already
encoded, and any other status (errors are short). A compressed answer's entity tag is made
weak, as nginx does: the two codings are the same representation for a weak comparison
(§8.8.1), not byte for byte. BREACH (compression revealing a secret an answer carries next
to what an attacker chose) does not apply: no answer carries a secret, no cookie or
session exists.

Request bodies. A body sent with `Content-Encoding: gzip` is decoded as it arrives, and
the body limit holds on the decoded bytes, so a small "zip bomb" is refused with 413 after
at most the limit of output; a body whose gzip is cut or corrupt is a 400. Any other coding
is a 415 that names the one understood, in `Accept-Encoding` (§12.5.3: "a server MAY send
Accept-Encoding in a 415"). Before this, a gzip body was read as the query's own bytes and
refused as "not valid UTF-8", which said nothing of the cause.
"""

from __future__ import annotations

import re
import zlib

from starlette.types import Message, Scope, Send

from aigraph.server.offload import sized

#: Answers smaller than this go as they are: gzip's 18 bytes of frame and the CPU buy
#: little (nginx's `gzip_min_length` is 20, Starlette's GZipMiddleware's 500).
MIN_BYTES = 1024
#: zlib's default level: 640 KB of SPARQL JSON in 5 ms, a ratio of 13.5 (level 1: 2 ms,
#: 9.9; level 9: 9.5 ms, 13.9; measured on the bundled graph's SELECT of every triple).
LEVEL = 6
#: A chunk larger than this is compressed in a thread: 0.5 ms of work at LEVEL, more than
#: a thread's hand-over costs.
ON_LOOP_BYTES = 64 * 1024
#: gzip's framing for zlib (RFC 1952), not zlib's own (RFC 1950): 16 + the window's bits.
GZIP_WBITS = 16 + zlib.MAX_WBITS
#: What a request body may be encoded with (`identity` is no coding at all).
BODY_CODINGS = ("gzip", "x-gzip")  # x-gzip: the same (RFC 9110 §8.4.1.3)

#: Types whose text compresses well, besides text/* and the +json / +xml suffixes.
_COMPRESSIBLE = frozenset(
    {
        b"application/json",
        b"application/xml",
        b"application/javascript",
        b"application/n-triples",
        b"application/n-quads",
        b"application/trig",
        b"application/sparql-query",
        b"application/sparql-results+json",  # the suffix covers it; listed for the reader
        b"image/svg+xml",
    }
)


class BodyCodingError(Exception):
    """A request body that cannot be decoded: its status and a message for the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def accept_encoding(scope: Scope) -> list[bytes]:
    """The request's `Accept-Encoding` field lines, as received."""
    return [value for name, value in scope["headers"] if name == b"accept-encoding"]


def accepts_gzip(values: list[bytes]) -> bool:
    """Whether the request's `Accept-Encoding` field lines let gzip be sent (RFC 9110
    §12.5.3): gzip (or x-gzip) with a weight above 0, or, when neither is named, `*` with a
    weight above 0. With no field at all, identity: "it does not imply that the user agent
    will be able to correctly process all encodings" (§12.5.3), and urllib, SPARQLWrapper
    and curl without --compressed send none and decode nothing."""
    gzip: float | None = None
    star: float | None = None
    for value in values:
        for element in value.split(b","):
            coding, _, params = element.partition(b";")
            coding = coding.strip().lower()
            weight = _weight(params)
            if weight is None:
                continue  # a malformed element says nothing
            if coding in (b"gzip", b"x-gzip"):
                gzip = weight if gzip is None else max(gzip, weight)
            elif coding == b"*":
                star = weight
    if gzip is not None:
        return gzip > 0
    return star is not None and star > 0


#: RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
_QVALUE = re.compile(rb"0(\.[0-9]{0,3})?|1(\.0{0,3})?")


def _weight(params: bytes) -> float | None:
    """The weight an element's parameters give (1 when none; None when malformed)."""
    params = params.strip()
    if not params:
        return 1.0
    name, _, value = params.partition(b"=")
    value = value.strip()
    if name.strip().lower() != b"q" or not _QVALUE.fullmatch(value):
        return None
    return float(value)


def compressible(media_type: bytes) -> bool:
    essence = media_type.split(b";", 1)[0].strip().lower()
    return (
        essence.startswith(b"text/")
        or essence.endswith((b"+json", b"+xml"))
        or essence in _COMPRESSIBLE
    )


def encoded(send: Send, gzip: bool, min_bytes: int = MIN_BYTES) -> Send:
    """`send`, sending the answer gzipped when `gzip` (the request accepts it) and the answer
    is worth it (module docstring), and naming Accept-Encoding in its Vary either way."""
    held: Message | None = None  # the start of an answer that may be compressed
    compressor: zlib._Compress | None = None
    passing = False  # this answer goes as it is

    async def send_encoded(message: Message) -> None:
        nonlocal held, compressor, passing
        kind = message["type"]
        if kind == "http.response.start":
            headers = list(message.get("headers", ()))
            if message["status"] == 304:
                # a 304 says the Vary its 200 would (RFC 9110 §15.4.5)
                passing = True
                await send({**message, "headers": _with_vary(headers)})
                return
            if not _worth_compressing(message["status"], headers, min_bytes):
                passing = True
                await send(message)
                return
            headers = _with_vary(headers)
            if not gzip:
                passing = True
                await send({**message, "headers": headers})
                return
            held = {**message, "headers": headers}
            return
        if kind != "http.response.body" or passing:
            await send(message)
            return
        body: bytes = message.get("body", b"")
        more: bool = message.get("more_body", False)
        if held is not None:
            start, held = held, None
            if not more and len(body) < min_bytes:
                # known only now (no Content-Length), or a HEAD whose body was left out:
                # nothing to compress, and the length already said stays true
                passing = True
                await send(start)
                await send(message)
                return
            if not more:
                data = await sized(len(body), ON_LOOP_BYTES, zlib.compress, body, LEVEL, GZIP_WBITS)
                await send({**start, "headers": _as_gzip(start["headers"], len(data))})
                await send({**message, "body": data})
                return
            compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, GZIP_WBITS)
            await send({**start, "headers": _as_gzip(start["headers"], None)})
        assert compressor is not None
        data = await sized(len(body), ON_LOOP_BYTES, _compress, compressor, body, more)
        await send({**message, "body": data})

    return send_encoded


def _compress(compressor: zlib._Compress, body: bytes, more: bool) -> bytes:
    # each chunk flushed whole: a client reading the stream gets every row sent so far
    flush = zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH
    return compressor.compress(body) + compressor.flush(flush)


def _worth_compressing(status: int, headers: list[tuple[bytes, bytes]], min_bytes: int) -> bool:
    if status != 200:
        return False
    media = b""
    for name, value in headers:
        name = name.lower()
        if name == b"content-type":
            media = value
        elif name in (b"content-encoding", b"content-range", b"digest"):
            return False  # encoded already, a range of the identity, or a digest of it
        elif name == b"content-length" and value.isdigit() and int(value) < min_bytes:
            return False
    return compressible(media)


def _with_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`headers` with Accept-Encoding added to Vary (one field: RFC 9110 §12.5.5)."""
    for i, (name, value) in enumerate(headers):
        if name.lower() == b"vary":
            fields = {v.strip().lower() for v in value.split(b",")}
            if b"*" in fields or b"accept-encoding" in fields:
                return headers
            return [*headers[:i], (name, value + b", Accept-Encoding"), *headers[i + 1 :]]
    return [*headers, (b"vary", b"Accept-Encoding")]


def _as_gzip(headers: list[tuple[bytes, bytes]], length: int | None) -> list[tuple[bytes, bytes]]:
    """The headers of the gzipped answer: its own length (none when streamed: chunked), a
    weak entity tag, and no byte ranges (they would count the identity's bytes)."""
    out = [(b"content-encoding", b"gzip")]
    for name, value in headers:
        lowered = name.lower()
        if lowered in (b"content-length", b"accept-ranges"):
            continue
        if lowered == b"etag" and value.startswith(b'"'):
            value = b"W/" + value
        out.append((name, value))
    if length is not None:
        out.append((b"content-length", str(length).encode("ascii")))
    return out


def body_decoder(content_encoding: str | None, limit: int) -> GzipBody | None:
    """A decoder for a request body sent with `content_encoding`, None for identity; a
    BodyCodingError (415) for a coding not understood."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return None
    if len(codings) == 1 and codings[0] in BODY_CODINGS:
        return GzipBody(limit)
    raise BodyCodingError(
        415,
        f"the request body's Content-Encoding {content_encoding!r} is not understood; "
        "send it as it is, or gzipped (Content-Encoding: gzip)",
        {"Accept-Encoding": "gzip"},
    )


class GzipBody:
    """A gzip request body decoded as it arrives, never more than `limit` bytes of output
    (RFC 1952 allows several members one after the other: each is read)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._decompressor = zlib.decompressobj(GZIP_WBITS)
        self._in_member = False  # bytes of a member were read, and not its end

    def feed(self, chunk: bytes) -> bytes:
        out = []
        while chunk:
            self._in_member = True
            try:
                # at most one byte past the limit: enough to know it is passed
                data = self._decompressor.decompress(chunk, self.limit + 1 - self.size)
            except zlib.error as exc:
                raise BodyCodingError(400, f"the request body is not valid gzip ({exc})") from None
            self.size += len(data)
            if self.size > self.limit:
                raise BodyCodingError(
                    413, f"the request body, decompressed, is larger than {self.limit:,} bytes"
                )
            out.append(data)
            if self._decompressor.eof:  # a member ended: what follows begins another
                chunk = self._decompressor.unused_data
                self._decompressor = zlib.decompressobj(GZIP_WBITS)
                self._in_member = False
            else:
                chunk = self._decompressor.unconsumed_tail
        return b"".join(out)

    def finish(self) -> None:
        """Raise if the body ended inside a member (an upload cut short)."""
        if self._in_member:
            raise BodyCodingError(400, "the request body's gzip stream is incomplete")
