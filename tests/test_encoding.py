"""Content codings: gzip answers for the clients that ask for them, gzip request bodies
decoded under the body limit (aigraph.server.encoding, RFC 9110 §8.4 and §12.5.3).

The answers are read with the standard library's http.client, which decodes nothing, so
each test sees the bytes the server sent; the gzip is then undone by the `gzip` module and
compared with the answer the same request gets without `Accept-Encoding`."""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import http.client
import json
import zlib
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from pydantic import SecretStr
from rdflib import Graph
from rdflib.compare import to_isomorphic

from aigraph.engine import Engine
from aigraph.server.encoding import (
    MIN_BYTES,
    BodyCodingError,
    GzipBody,
    accepts_gzip,
    body_decoder,
    compressible,
    encoded,
)
from aigraph.server.settings import Settings
from support import every_triple, gz, running_server

EVERY_TRIPLE = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
TOKEN = "gzip-token"


# --- what a request accepts ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ([], False),  # no field: identity (RFC 9110 §12.5.3)
        ([b""], False),  # an empty field: identity only
        ([b"gzip"], True),
        ([b"GZip"], True),  # codings are case-insensitive (§8.4.1)
        ([b"x-gzip"], True),  # the same coding (§8.4.1.3)
        ([b"gzip, deflate, br, zstd"], True),  # what httpx and browsers send
        ([b"gzip;q=0"], False),  # named, refused
        ([b"gzip ; q=0.001"], True),
        ([b"gzip;q=0.000"], False),
        ([b"*"], True),
        ([b"*;q=0"], False),
        ([b"*, gzip;q=0"], False),  # gzip's own weight wins over the wildcard
        ([b"gzip;q=0, *"], False),
        ([b"identity"], False),
        ([b"deflate, br"], False),
        ([b"br", b"gzip"], True),  # two field lines are one list (§5.3)
        ([b"gzip;q=1.5"], False),  # a malformed weight: the element says nothing
        ([b"gzip;q=0.5555"], False),  # at most three decimals (§12.4.2)
        ([b"gzip;level=1"], False),  # not a weight
        ([b"gzip;q=0, gzip;q=0.5"], True),  # the higher of two weights for one coding
    ],
)
def test_accept_encoding_is_read_as_rfc_9110_says(fields: list[bytes], expected: bool) -> None:
    assert accepts_gzip(fields) is expected


@pytest.mark.parametrize(
    ("media", "expected"),
    [
        (b"application/sparql-results+json", True),
        (b"application/sparql-results+xml", True),
        (b"text/csv; charset=utf-8", True),
        (b"text/tab-separated-values", True),
        (b"text/turtle; charset=utf-8", True),
        (b"application/ld+json", True),
        (b"application/n-triples", True),
        (b"application/n-quads", True),
        (b"application/trig", True),
        (b"application/rdf+xml", True),
        (b"text/html; charset=utf-8", True),
        (b"TEXT/JAVASCRIPT", True),
        (b"image/svg+xml", True),
        (b"image/png", False),  # compressed already
        (b"application/octet-stream", False),
        (b"", False),
    ],
)
def test_text_types_are_compressible(media: bytes, expected: bool) -> None:
    assert compressible(media) is expected


# --- the ASGI wrapper, message by message ------------------------------------------------


def run_encoded(messages: list[dict[str, object]], accepts: bool = True) -> list[dict[str, object]]:
    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    async def play() -> None:
        wrapped = encoded(send, accepts)
        for message in messages:
            await wrapped(message)

    asyncio.run(play())
    return sent


def start(status: int = 200, **headers: str) -> dict[str, object]:
    pairs = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return {"type": "http.response.start", "status": status, "headers": pairs}


def body(data: bytes, more: bool = False) -> dict[str, object]:
    return {"type": "http.response.body", "body": data, "more_body": more}


def headers_of(message: dict[str, object]) -> dict[str, str]:
    pairs = message["headers"]
    assert isinstance(pairs, list)
    return {k.decode(): v.decode() for k, v in pairs}


TEXT = b"".join(b'{"s": {"type": "uri", "value": "urn:x:%d"}},\n' % i for i in range(400))


def test_a_whole_answer_is_gzipped_with_its_new_length_and_a_weak_tag() -> None:
    sent = run_encoded(
        [
            start(
                content_type="text/turtle",
                content_length=str(len(TEXT)),
                etag='"abc"',
                accept_ranges="bytes",
                vary="Accept",
            ),
            body(TEXT),
        ]
    )
    head, out = headers_of(sent[0]), sent[1]["body"]
    assert isinstance(out, bytes)
    assert gzip.decompress(out) == TEXT
    assert head["content-encoding"] == "gzip"
    assert head["content-length"] == str(len(out)) and len(out) < len(TEXT) / 5
    assert head["etag"] == 'W/"abc"'  # the same representation, not the same bytes
    assert head["vary"] == "Accept, Accept-Encoding"
    assert "accept-ranges" not in head  # ranges would count the identity's bytes


def test_without_gzip_the_answer_is_unchanged_but_says_it_varies() -> None:
    messages = [start(content_type="text/csv", content_length=str(len(TEXT))), body(TEXT)]
    sent = run_encoded(messages, accepts=False)
    assert sent[1] == messages[1]
    assert headers_of(sent[0]) == {
        "content-type": "text/csv",
        "content-length": str(len(TEXT)),
        "vary": "Accept-Encoding",
    }


@pytest.mark.parametrize(
    ("why", "messages"),
    [
        ("short", [start(content_type="text/csv", content_length="12"), body(b"a,b\n1,2\n")]),
        ("short, length known at the end", [start(content_type="text/csv"), body(b"a,b\n")]),
        ("an error", [start(404, content_type="text/plain"), body(TEXT)]),
        ("a partial answer", [start(206, content_type="text/plain"), body(TEXT)]),
        ("a range", [start(content_type="text/plain", content_range="bytes 0-9/99"), body(TEXT)]),
        ("its digest names its bytes", [start(content_type="text/turtle", digest="x"), body(TEXT)]),
        ("encoded already", [start(content_type="text/plain", content_encoding="br"), body(TEXT)]),
        ("not text", [start(content_type="image/png"), body(TEXT)]),
    ],
)
def test_answers_not_worth_compressing_go_as_they_are(
    why: str, messages: list[dict[str, object]]
) -> None:
    sent = run_encoded(messages)
    assert sent[1] == messages[1], why
    assert "content-encoding" not in headers_of(sent[0]) or why == "encoded already"


def test_a_head_answer_keeps_its_length() -> None:
    """A HEAD whose body the application left out: nothing to compress, and the length it
    states (the GET's) stays as it is."""
    sent = run_encoded([start(content_type="text/plain", content_length="5000"), body(b"")])
    assert headers_of(sent[0])["content-length"] == "5000"
    assert "content-encoding" not in headers_of(sent[0])


def test_a_streamed_answer_is_readable_chunk_by_chunk() -> None:
    """Each chunk is flushed: what the client has received decodes to every byte sent so
    far, before the answer ends (a researcher sees the first rows of a large answer)."""
    chunks = [TEXT[i : i + 3000] for i in range(0, len(TEXT), 3000)]
    messages = [start(content_type="application/sparql-results+json")]
    messages += [body(c, more=True) for c in chunks] + [body(b"")]
    sent = run_encoded(messages)
    assert headers_of(sent[0])["content-encoding"] == "gzip"
    assert "content-length" not in headers_of(sent[0])  # chunked
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    seen = b""
    for i, message in enumerate(sent[1:-1]):
        data = message["body"]
        assert isinstance(data, bytes) and message["more_body"] is True
        seen += decoder.decompress(data)
        assert seen == b"".join(chunks[: i + 1])
    last = sent[-1]["body"]
    assert isinstance(last, bytes)
    assert seen + decoder.decompress(last) == TEXT and decoder.eof


# --- request bodies ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("coding", "decoded"),
    [(None, False), ("", False), ("identity", False), ("gzip", True), ("X-GZIP", True)],
)
def test_body_codings_understood(coding: str | None, decoded: bool) -> None:
    assert (body_decoder(coding, 100) is not None) is decoded


@pytest.mark.parametrize("coding", ["br", "deflate", "zstd", "gzip, gzip", "compress"])
def test_other_body_codings_are_a_415_naming_gzip(coding: str) -> None:
    with pytest.raises(BodyCodingError) as refused:
        body_decoder(coding, 100)
    assert refused.value.status == 415
    assert refused.value.headers == {"Accept-Encoding": "gzip"}
    assert repr(coding) in refused.value.message


def decode(data: bytes, limit: int, step: int) -> bytes:
    decoder = GzipBody(limit)
    out = b"".join(decoder.feed(data[i : i + step]) for i in range(0, len(data), step))
    decoder.finish()
    return out


@pytest.mark.parametrize("step", [1, 7, 4096, 10**6])  # however the body arrives
def test_a_gzip_body_is_decoded_as_it_arrives(step: int) -> None:
    assert decode(gz(TEXT), len(TEXT), step) == TEXT
    # several members one after the other (RFC 1952 §2.2), as `cat a.gz b.gz` makes
    assert decode(gz(b"ASK ") + gz(b"{}"), 100, step) == b"ASK {}"
    assert decode(b"", 100, step) == b""


@pytest.mark.parametrize(
    ("data", "limit", "status", "words"),
    [
        (
            gz(b"\0" * 2_000_000),
            1_000_000,
            413,
            "decompressed, is larger than 1,000,000",
        ),
        (gz(TEXT), len(TEXT) - 1, 413, "larger than"),  # one byte past
        (gz(TEXT)[:40], 10**6, 400, "incomplete"),  # cut short
        (b"ASK {}", 100, 400, "not valid gzip"),  # said gzip, is not
        (gz(b"ASK {}") + b"garbage", 100, 400, "not valid gzip"),
    ],
)
def test_bad_gzip_bodies_are_refused(data: bytes, limit: int, status: int, words: str) -> None:
    with pytest.raises(BodyCodingError) as refused:
        decode(data, limit, 1024)
    assert refused.value.status == status and words in refused.value.message


def test_a_zip_bomb_is_stopped_at_the_limit() -> None:
    """2 KB that would decode to 2 GB: refused after at most the limit of output."""
    bomb = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    data = b"".join(bomb.compress(b"\0" * 2**20) for _ in range(2048)) + bomb.flush()
    decoder = GzipBody(1000)
    with pytest.raises(BodyCodingError):
        decoder.feed(data)
    assert decoder.size == 1001


# --- over HTTP, on a real server -------------------------------------------------------


def fetch(
    url: str, path: str, headers: dict[str, str], method: str = "GET", data: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    """The raw answer: http.client decodes no content coding."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request(method, path, body=data, headers=headers)
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def q(query: str, **more: str) -> str:
    return "/sparql?" + urlencode({"query": query, **more})


ROUTES = [
    (q(EVERY_TRIPLE), "application/sparql-results+json"),
    (q(EVERY_TRIPLE), "application/sparql-results+xml"),
    (q(EVERY_TRIPLE), "text/csv"),
    (q("CONSTRUCT WHERE { ?s ?p ?o }"), "text/turtle"),
    (q("CONSTRUCT WHERE { ?s ?p ?o }"), "application/n-triples"),
    ("/id/organisation/cnc", "text/turtle"),
    ("/id/organisation/cnc", "application/ld+json"),
    ("/id/organisation/cnc", "text/html"),
    ("/store?default", "application/n-quads"),
    ("/.well-known/void", "text/turtle"),
    ("/sparql", "text/turtle"),  # the Service Description
    ("/ns", "application/rdf+xml"),
    ("/", "text/html"),
    ("/queries", "text/html"),
    ("/static/ui/aigraph.css", "text/css"),  # a file, sent in chunks
]


@pytest.mark.parametrize(("path", "accept"), ROUTES)
def test_answers_are_gzipped_for_clients_that_ask(server: str, path: str, accept: str) -> None:
    """The gzipped answer decodes to the very bytes of the identity one, and both say they
    vary with Accept-Encoding (a cache must keep them apart: RFC 9110 §12.5.5)."""
    status, plain_head, plain = fetch(server, path, {"Accept": accept})
    status_gz, head, packed = fetch(server, path, {"Accept": accept, "Accept-Encoding": "gzip"})
    assert status == status_gz == 200
    assert len(plain) >= MIN_BYTES, "a route too small to tell"
    assert head["content-encoding"] == "gzip"
    assert gzip.decompress(packed) == plain
    assert len(packed) < len(plain) / 2
    for answer in (plain_head, head):
        assert "accept-encoding" in answer["vary"].lower().replace(" ", "").split(",")
    assert "content-encoding" not in plain_head
    assert head["content-type"] == plain_head["content-type"]
    if "content-length" in head:  # else chunked (a file read in chunks)
        assert head["content-length"] == str(len(packed))


def test_head_says_what_get_would(server: str) -> None:
    accepting = {"Accept": "text/turtle", "Accept-Encoding": "gzip"}
    _, got, packed = fetch(server, "/id/organisation/cnc", accepting)
    status, head, nothing = fetch(server, "/id/organisation/cnc", accepting, method="HEAD")
    assert (status, nothing) == (200, b"")
    assert head["content-encoding"] == "gzip"
    assert head["content-length"] == got["content-length"] == str(len(packed))


@pytest.mark.parametrize(
    "accept_encoding", ["gzip;q=0", "identity", "br", "*;q=0", "deflate, gzip;q=0"]
)
def test_no_gzip_for_clients_that_refuse_it(server: str, accept_encoding: str) -> None:
    headers = {"Accept": "text/csv", "Accept-Encoding": accept_encoding}
    status, head, data = fetch(server, q(EVERY_TRIPLE), headers)
    assert status == 200 and "content-encoding" not in head
    assert data.startswith(b"s,p,o\r\n") and head["content-length"] == str(len(data))


def test_short_answers_are_not_compressed(server: str) -> None:
    status, head, data = fetch(server, q("ASK {}"), {"Accept-Encoding": "gzip"})
    assert status == 200 and json.loads(data) == {"head": {}, "boolean": True}
    assert "content-encoding" not in head and head["vary"] == "Accept"


def test_a_validator_holds_for_both_codings(server: str) -> None:
    """The answer's weak entity tag is the same gzipped or not: a 304 either way."""
    path = q(EVERY_TRIPLE)
    _, plain, _ = fetch(server, path, {"Accept": "text/csv"})
    _, packed, _ = fetch(server, path, {"Accept": "text/csv", "Accept-Encoding": "gzip"})
    assert plain["etag"] == packed["etag"] and plain["etag"].startswith("W/")
    for coding in ("gzip", "identity"):
        headers = {"Accept": "text/csv", "Accept-Encoding": coding, "If-None-Match": plain["etag"]}
        status, head, data = fetch(server, path, headers)
        assert (status, data) == (304, b"") and "content-encoding" not in head
        # the 304 says the Vary its 200 would (RFC 9110 §15.4.5)
        assert "Accept-Encoding" in head["vary"]


@pytest.mark.parametrize("name", ["aigraph.nq", "aigraph.trig", "people.csv", "aigraph.jsonld"])
def test_dumps_are_gzipped_once_and_decode_to_the_files_voids_checksum(
    server: str, name: str
) -> None:
    """The files of /dumps/ are gzipped when rendered (level 9, once per version of the
    data), and sent so to a client that accepts gzip: what it saves, once decoded, is the
    file whose checksum the listing and VoID give. The two codings have their own strong
    tags; the Digest, which names the file's own bytes, comes with the file as it is."""
    listing = httpx.get(server + "dumps/", headers={"Accept": "application/json"}).json()
    (entry,) = [f for f in listing["files"] if f["name"] == name]
    status, plain_head, plain = fetch(server, f"/dumps/{name}", {})
    status_gz, head, packed = fetch(server, f"/dumps/{name}", {"Accept-Encoding": "gzip"})
    assert status == status_gz == 200
    assert hashlib.sha256(plain).hexdigest() == entry["sha256"]
    assert "content-encoding" not in plain_head
    digest = base64.b64encode(hashlib.sha256(plain).digest()).decode()
    assert plain_head["digest"] == f"sha-256={digest}"
    assert head["content-encoding"] == "gzip" and "digest" not in head
    assert gzip.decompress(packed) == plain and len(packed) < len(plain) / 3
    assert head["content-length"] == str(len(packed))
    assert head["etag"] == plain_head["etag"][:-1] + '-gzip"'
    for answer in (plain_head, head):
        assert "Accept-Encoding" in answer["vary"].replace(" ", "").split(",")
    assert head["content-disposition"] == plain_head["content-disposition"]
    assert head["link"] == plain_head["link"]
    # the same bytes every time: rendered once, not compressed per request
    assert fetch(server, f"/dumps/{name}", {"Accept-Encoding": "gzip"})[2] == packed


def test_a_byte_range_of_a_file_is_not_compressed(server: str) -> None:
    headers = {"Accept-Encoding": "gzip", "Range": "bytes=0-99"}
    status, head, data = fetch(server, "/static/ui/aigraph.css", headers)
    _, _, whole = fetch(server, "/static/ui/aigraph.css", {})
    assert status == 206 and "content-encoding" not in head
    assert data == whole[:100]


def test_clients_that_decode_gzip_read_the_answers(server: str) -> None:
    """httpx asks for gzip (as browsers, requests and curl --compressed do) and decodes it:
    the graph it reads is the one an identity answer gives."""
    packed = httpx.get(server + "id/organisation/cnc", headers={"Accept": "text/turtle"})
    assert packed.headers["content-encoding"] == "gzip"
    _, _, plain = fetch(server, "/id/organisation/cnc", {"Accept": "text/turtle"})
    assert to_isomorphic(Graph().parse(data=packed.content, format="turtle")) == to_isomorphic(
        Graph().parse(data=plain, format="turtle")
    )


@pytest.fixture(scope="module")
def streaming() -> Iterator[str]:
    with running_server(Settings(workers=1, stream_after_bytes=2000, max_results=100_000)) as url:
        yield url


def test_a_streamed_answer_is_gzipped_as_it_is_sent(streaming: str, engine: Engine) -> None:
    """A large answer streamed by its worker stays streamed when gzipped: the first chunk
    on the wire decodes to the start of the document, before the rest is read."""
    url = streaming + "sparql?" + urlencode({"query": EVERY_TRIPLE})
    headers = {"Accept": "application/sparql-results+json", "Accept-Encoding": "gzip"}
    with httpx.stream("GET", url, headers=headers, timeout=60) as answer:
        assert answer.headers["aigraph-streamed"] == "true"
        assert answer.headers["content-encoding"] == "gzip"
        assert "content-length" not in answer.headers
        raw = answer.iter_raw()
        first = next(raw)
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        assert decoder.decompress(first).startswith(b'{"head":{"vars":["s","p","o"]}')
        rest = b"".join(raw)
    whole = gzip.decompress(first + rest)
    assert len(json.loads(whole)["results"]["bindings"]) == every_triple(engine)


# --- gzip request bodies, over HTTP --------------------------------------------------------


def post_gzip(url: str, body: bytes, content_type: str, **headers: str) -> httpx.Response:
    return httpx.post(
        url + "sparql",
        content=body,
        headers={"Content-Type": content_type, "Content-Encoding": "gzip", **headers},
    )


def test_a_gzip_query_gets_the_answer_of_the_plain_one(server: str) -> None:
    query = "SELECT ?name WHERE { <https://w3id.org/aigraph/id/organisation/cnc> <http://schema.org/name> ?name }"
    plain = httpx.post(
        server + "sparql", content=query, headers={"Content-Type": "application/sparql-query"}
    )
    as_query = post_gzip(server, gz(query.encode()), "application/sparql-query")
    form = urlencode({"query": query}).encode()
    as_form = post_gzip(server, gz(form), "application/x-www-form-urlencoded")
    assert plain.status_code == as_query.status_code == as_form.status_code == 200
    assert {b["name"]["value"] for b in plain.json()["results"]["bindings"]} >= {"CNC"}
    assert plain.json() == as_query.json() == as_form.json()


@pytest.mark.parametrize(
    ("data", "coding", "status", "words"),
    [
        (gz(b"#" * 2_000_000), "gzip", 413, "decompressed, is larger than 1,000,000"),
        (gz(b"ASK {}")[:12], "gzip", 400, "incomplete"),
        (b"ASK {}", "gzip", 400, "not valid gzip"),
        (gz(b"ASK {}"), "br", 415, "'br' is not understood"),
    ],
)
def test_bad_gzip_queries_get_a_clear_refusal(
    server: str, data: bytes, coding: str, status: int, words: str
) -> None:
    answer = httpx.post(
        server + "sparql",
        content=data,
        headers={"Content-Type": "application/sparql-query", "Content-Encoding": coding},
    )
    assert answer.status_code == status and words in answer.text
    if status == 415:
        assert answer.headers["accept-encoding"] == "gzip"


def test_a_gzip_upload_to_the_graph_store() -> None:
    """A large file is sent compressed: the graph stored is the one the Turtle says."""
    turtle = "".join(f'<urn:s:{i}> <urn:p> "{i}" .\n' for i in range(5000)).encode()
    with running_server(Settings(workers=1, update_token=SecretStr(TOKEN))) as url:
        put = httpx.put(
            url + "store",
            params={"graph": "urn:g:zipped"},
            content=gz(turtle),
            headers={
                "Content-Type": "text/turtle",
                "Content-Encoding": "gzip",
                "Authorization": f"Bearer {TOKEN}",
            },
        )
        assert put.status_code in (201, 204), put.text
        count = httpx.get(
            url + "sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH <urn:g:zipped> { ?s ?p ?o } }"},
        ).json()["results"]["bindings"][0]["n"]["value"]
        assert count == "5000"


def test_gzip_can_be_turned_off() -> None:
    with running_server(Settings(workers=1, gzip=False)) as url:
        status, head, data = fetch(url, q(EVERY_TRIPLE), {"Accept-Encoding": "gzip"})
    assert status == 200 and "content-encoding" not in head
    assert head["vary"] == "Accept" and json.loads(data)["head"]["vars"] == ["s", "p", "o"]
