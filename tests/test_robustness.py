"""Bad input, hostile input and faults: every input gets a 4xx with a message or a correct
answer — never a 500, a hang or a stack trace — and a failure never damages data.

- property-based fuzzing (hypothesis, derandomised so CI is reproducible) of the query
  endpoint, content negotiation, catalogue parameters, resource routes, search and the
  reconciliation service, against a real server;
- schemathesis against the OpenAPI description;
- oversized headers and bodies, deeply nested and huge queries, malformed UTF-8, slow
  clients, path traversal;
- a build on a full disk, corrupt or missing data files.

The soak test is in test_soak.py."""

from __future__ import annotations

import gc
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aigraph.project import Project
from aigraph.server.conneg import AcceptHeaderError, negotiate
from aigraph.server.settings import Settings
from support import running_server, serve_process

ROOT = Project.default().root
FUZZ = settings(
    max_examples=int(os.environ.get("AIGRAPH_FUZZ_EXAMPLES", "40")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
NEVER = {500, 501, 502, 504}


def no_crash(response: httpx.Response, allowed: set[int]) -> None:
    assert response.status_code in allowed, (response.status_code, response.text[:300])
    assert "Traceback" not in response.text and 'File "/' not in response.text
    if response.status_code >= 400:
        assert response.text.strip(), "an error says what is wrong"


# --- content negotiation -------------------------------------------------------------------

OFFERS = ["application/sparql-results+json", "text/csv", "text/html"]


@FUZZ
@given(
    st.text(max_size=120)
    | st.from_regex(r"[a-z*]+/[a-z*+.-]+(;q=[0-9.]{1,5})?(, ?)?", fullmatch=True)
)
def test_any_accept_header_is_negotiated_or_refused_cleanly(accept: str) -> None:
    try:
        chosen = negotiate(accept, OFFERS)
    except AcceptHeaderError as exc:
        assert str(exc)
        return
    assert chosen is None or chosen in OFFERS


# --- the query endpoint ----------------------------------------------------------------------

SPARQL_BITS = st.sampled_from(
    [
        "SELECT", "*", "WHERE", "{", "}", "?s", "?p", "?o", ".", "(", ")", "FILTER", "<x:y>",
        '"a"', "LIMIT 1", "OPTIONAL", "UNION", "GRAPH", "ASK", "CONSTRUCT", "DESCRIBE", "a",
        "PREFIX p: <http://e/>", "p:x", "BIND(1 AS ?x)", "VALUES ?x { 1 }", "\\", "#", "é", "\x00",
    ]
)  # fmt: skip
QUERIES = st.text(max_size=200) | st.lists(SPARQL_BITS, max_size=14).map(" ".join)


@FUZZ
@given(QUERIES)
def test_any_query_text_gets_an_answer_or_a_400(server: str, text: str) -> None:
    response = httpx.post(server + "sparql", data={"query": text}, timeout=30)
    no_crash(response, {200, 400, 403, 406, 413, 503})


@FUZZ
@given(st.binary(max_size=60))
def test_any_bytes_in_the_query_string(server: str, raw: bytes) -> None:
    response = httpx.get(server + "sparql?query=" + quote(raw, safe=""), timeout=30)
    no_crash(response, {200, 400, 403, 406, 413, 503})
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        assert response.status_code == 400 and "UTF-8" in response.text


# --- catalogue parameters, resource routes, search, reconciliation ----------------------------


@FUZZ
@given(st.text(max_size=80))
def test_catalogue_parameters_are_bound_or_refused_by_name(server: str, value: str) -> None:
    response = httpx.get(server + "queries/person", params={"person": value}, timeout=30)
    no_crash(response, {200, 400})
    if response.status_code == 400:
        assert "person" in response.text


@FUZZ
@given(st.text(max_size=60))
def test_resource_paths(server: str, segment: str) -> None:
    for prefix in (
        "id/person/", "id/", "concept/", "dumps/", "context/", "static/ui/", "queries/", "ns",
        "shapes", "checks",
    ):  # fmt: skip
        response = httpx.get(server + prefix + quote(segment, safe=""), timeout=30)
        no_crash(response, {200, 303, 307, 400, 404, 405, 406})  # 307: "/queries/" → "/queries"


@FUZZ
@given(st.text(max_size=80), st.sampled_from(["", "person", "topic,session", "planet"]))
def test_search(server: str, q: str, kind: str) -> None:
    response = httpx.get(server + "search", params={"q": q, "kind": kind, "format": "json"})
    no_crash(response, {200, 400})


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@FUZZ
@given(
    JSON
    | st.fixed_dictionaries(
        {
            "q0": st.fixed_dictionaries(
                {"query": st.text(max_size=30)},
                optional={"type": JSON, "limit": JSON, "properties": JSON},
            )
        }
    )
)
def test_reconciliation_queries(server: str, queries: object) -> None:
    response = httpx.post(server + "reconcile", data={"queries": json.dumps(queries)}, timeout=30)
    no_crash(response, {200, 400, 413})


def test_schemathesis_finds_no_server_error(server: str, tmp_path: Path) -> None:
    """Schemathesis generates requests from the OpenAPI description (its examples, then
    fuzzing) and checks that none gets a 5xx."""
    examples = os.environ.get("AIGRAPH_SCHEMATHESIS_EXAMPLES", "15")
    result = subprocess.run(
        [
            sys.executable, "-m", "schemathesis.cli", "run", server + "openapi.json",
            "--checks", "not_a_server_error", "--max-examples", examples, "--seed", "1",
            "--generation-deterministic", "--phases", "examples,fuzzing",
            "--request-timeout", "20", "--report-dir", str(tmp_path),
        ],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
             "PYTHONPATH": str(Path(__file__).parent)},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


# --- hostile requests ------------------------------------------------------------------------


def test_oversized_header_is_refused_and_the_server_goes_on(server: str) -> None:
    """A request head over 64 KiB is refused (431, RFC 6585 §5) and the connection closed,
    before the server buffers the rest; the client may see the answer or a reset while still
    sending."""
    host, port = server.split("//")[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        answer = b""
        try:
            sock.sendall(
                b"GET /sparql HTTP/1.1\r\nHost: x\r\nX-Big: " + b"x" * 200_000 + b"\r\n\r\n"
            )
            answer = sock.recv(100)
        except (ConnectionResetError, BrokenPipeError):
            pass
        assert answer == b"" or answer.startswith(b"HTTP/1.1 431")
    assert httpx.get(server + "-/health").json()["status"] == "ok"
    # a head under the limit is served
    assert httpx.get(server + "-/health", headers={"X-Ok": "x" * 30_000}).status_code == 200


def test_oversized_body_is_413(server: str) -> None:
    body = b"query=" + b"a" * 2_000_000
    response = httpx.post(
        server + "sparql",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    assert response.status_code == 413 and "larger than" in response.text


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { FILTER(" + "(" * 20_000 + "1" + ")" * 20_000 + ") }",
        "SELECT * WHERE " + "{" * 20_000 + "}" * 20_000,
        "SELECT * WHERE { ?s ?p ?o } # " + "x" * 150_000,
        "ASK { " + " UNION ".join(["{ ?s ?p ?o }"] * 3000) + " }",
    ],
    ids=["nested-parentheses", "nested-groups", "too-long", "huge-union"],
)
def test_deeply_nested_or_huge_queries(server: str, query: str) -> None:
    started = time.monotonic()
    response = httpx.post(server + "sparql", data={"query": query}, timeout=60)
    no_crash(response, {200, 400, 413, 503})
    assert time.monotonic() - started < 20
    assert httpx.get(server + "-/health").json()["status"] == "ok"


def test_malformed_utf8_in_a_body_is_400(server: str) -> None:
    response = httpx.post(
        server + "sparql",
        content=b"SELECT * WHERE { ?s ?p \xff\xfe }",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 400 and "UTF-8" in response.text


def test_a_slow_client_does_not_hold_the_server(server: str) -> None:
    """A client that sends half a request and waits (slowloris) holds one connection, not
    the server: others are answered meanwhile."""
    host, port = server.split("//")[1].rstrip("/").split(":")
    slow = []
    for _ in range(20):
        sock = socket.create_connection((host, int(port)))
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        slow.append(sock)
    try:
        started = time.monotonic()
        response = httpx.get(server + "sparql", params={"query": "ASK {}"}, timeout=10)
        assert response.status_code == 200 and time.monotonic() - started < 2
    finally:
        for sock in slow:
            sock.close()


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data


def _read_response(sock: socket.socket) -> bytes:
    """One whole response on a kept-alive connection (its head, then `Content-Length` bytes:
    uvicorn writes the head and the body apart, so one `recv` may hold only the head)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, f"the connection closed after {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length: *(\d+)", head)
    while length and len(body) < int(length.group(1)):
        chunk = sock.recv(4096)
        assert chunk, f"the connection closed after {data!r}"
        body += chunk
    return head + b"\r\n\r\n" + body


@pytest.mark.parametrize(
    "sent",
    [b"", b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Slow: ", b"G"],
    ids=["silent", "half-a-head", "one-byte"],
)
def test_a_head_that_does_not_arrive_in_time_is_408_and_closed(
    monkeypatch: pytest.MonkeyPatch, sent: bytes
) -> None:
    """uvicorn keeps a connection that sends nothing, or a head byte by byte, for ever (its
    only timer runs between requests): enough of them take every file descriptor. A head
    must arrive within `head_timeout` (10 s; 0.5 s here), else 408 and the connection closes;
    a kept-alive connection's next head is held to the same."""
    from aigraph.server.http import BoundedHttpToolsProtocol

    monkeypatch.setattr(BoundedHttpToolsProtocol, "head_timeout", 0.5)
    with running_server(Settings(workers=1)) as url:
        host, port = url.split("//")[1].rstrip("/").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            started = time.monotonic()
            sock.sendall(sent)
            received = _read_all(sock)
            assert 0.4 < time.monotonic() - started < 5
        assert received.startswith(b"HTTP/1.1 408")
        assert b"no whole request head within 0.5 s" in received
        # a whole request, then half of the next on the same connection: answered, then 408
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"GET /-/health HTTP/1.1\r\nHost: x\r\n\r\nGET /-/health HTTP/1.1\r\n")
            received = _read_all(sock)
        assert received.startswith(b"HTTP/1.1 200") and b"HTTP/1.1 408" in received
        assert httpx.get(url + "-/health").status_code == 200  # and the server goes on


def test_a_body_that_does_not_arrive_in_time_is_408_and_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A body trickled past BODY_TIMEOUT (30 s; 0.5 s here) is a 408 and the connection
    closes: a client no longer holds a connection by sending its body a byte at a time."""
    from aigraph.server import protocol

    monkeypatch.setattr(protocol, "BODY_TIMEOUT", 0.5)
    with running_server(Settings(workers=1)) as url:
        host, port = url.split("//")[1].rstrip("/").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\nASK"
            )
            received = _read_all(sock)
        assert received.startswith(b"HTTP/1.1 408")
        assert b"the request body did not arrive within 0.5 s" in received
        assert b"connection: close" in received.lower()


def _connect_from(address: str, url: str) -> socket.socket:
    """A raw connection to the server at `url` from the loopback `address`."""
    host, port = url.split("//")[1].rstrip("/").split(":")
    try:
        return socket.create_connection((host, int(port)), timeout=10, source_address=(address, 0))
    except OSError as exc:  # pragma: no cover - only where 127.0.0.0/8 is not all loopback
        pytest.skip(f"cannot connect from {address}: {exc}")


_HEALTH = b"GET /-/health HTTP/1.1\r\nHost: x\r\n\r\n"


def _served_once_counted_out(address: str, url: str) -> socket.socket:
    """A connection from `address` whose request was answered 200, once the connection
    closed before it is no longer counted (the server learns of a close a moment after)."""
    deadline = time.monotonic() + 5
    while True:
        sock = _connect_from(address, url)
        sock.sendall(_HEALTH)
        if _read_response(sock).startswith(b"HTTP/1.1 200"):
            return sock
        sock.close()
        assert time.monotonic() < deadline, "the closed connection was never uncounted"
        time.sleep(0.05)


def test_one_client_may_hold_only_so_many_connections() -> None:
    """Past `max_connections_per_client` open connections from one address, a connection's
    request is a 503 saying why and the connection closes; other addresses are not affected,
    a closed connection frees its place, and addresses trusted as proxies (127.0.0.1) are
    not counted."""
    with running_server(Settings(workers=1, max_connections_per_client=3)) as url:
        held = [_connect_from("127.0.0.2", url) for _ in range(3)]
        try:
            with _connect_from("127.0.0.2", url) as extra:
                extra.sendall(_HEALTH)
                refused = _read_all(extra)
            assert refused.startswith(b"HTTP/1.1 503")
            assert b"already has 3 connections open" in refused
            assert b"connection: close" in refused.lower()
            assert b"retry-after: 1" in refused.lower()
            # the held connections are served, and so is another address
            held[0].sendall(_HEALTH)
            assert _read_response(held[0]).startswith(b"HTTP/1.1 200")
            with _connect_from("127.0.0.3", url) as other:
                other.sendall(_HEALTH)
                assert _read_response(other).startswith(b"HTTP/1.1 200")
            # the proxy's address (uvicorn trusts 127.0.0.1) holds as many as it likes
            local = [_connect_from("127.0.0.1", url) for _ in range(5)]
            for sock in local:
                sock.sendall(_HEALTH)
                assert _read_response(sock).startswith(b"HTTP/1.1 200")
                sock.close()
            # a closed connection gives its place back
            held.pop().close()
            _served_once_counted_out("127.0.0.2", url).close()
        finally:
            for sock in held:
                sock.close()


def test_a_silent_connection_over_the_limit_is_closed_within_a_second() -> None:
    """An over-the-limit connection that sends nothing does not wait out the 10 s head
    timer: it gets the 503 and is closed after a second."""
    with running_server(Settings(workers=1, max_connections_per_client=1)) as url:
        first = _connect_from("127.0.0.2", url)
        with first, _connect_from("127.0.0.2", url) as second:
            started = time.monotonic()
            received = _read_all(second)
            assert time.monotonic() - started < 3
            assert received.startswith(b"HTTP/1.1 503")
            assert b"retry-after: 1\r\n" in received.lower()  # as the other 503s say
            assert b"already has 1 connection open" in received
            first.sendall(_HEALTH)
            assert _read_response(first).startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize("cors", [True, False])
def test_refusals_before_the_application_are_readable_across_origins(cors: bool) -> None:
    """The application's answers, errors included, carry the CORS headers. Those made before
    it (a connection over the limit, answered at once or, silent, after a second) did not:
    a browser hid them from a page on another origin, which saw a network error instead of
    a 503 with its reason and Retry-After. With `cors` off, none has them."""
    settings = Settings(workers=1, max_connections_per_client=1, cors=cors)
    with running_server(settings) as url, _connect_from("127.0.0.2", url):
        with _connect_from("127.0.0.2", url) as asked:
            asked.sendall(
                b"GET /-/health HTTP/1.1\r\nHost: x\r\nOrigin: http://elsewhere.example\r\n\r\n"
            )
            answered = _read_all(asked).lower()
        with _connect_from("127.0.0.2", url) as silent:
            timed_out = _read_all(silent).lower()
    for received in (answered, timed_out):
        assert received.startswith(b"http/1.1 503"), received
        assert b"already has 1 connection open" in received
        assert (b"access-control-allow-origin: *\r\n" in received) is cors
        assert (b"access-control-expose-headers: retry-after\r\n" in received) is cors


def test_aigraph_serve_applies_the_connection_limit(tmp_path: Path) -> None:
    """The limit reaches the server `aigraph serve` starts (from the environment here)."""
    env = {"AIGRAPH_MAX_CONNECTIONS_PER_CLIENT": "1"}
    with serve_process("--workers", "1", logs=tmp_path, env=env) as (url, _, _):
        first = _connect_from("127.0.0.2", url)
        with first, _connect_from("127.0.0.2", url) as second:
            second.sendall(_HEALTH)
            assert b"already has 1 connection open" in _read_all(second)
            first.sendall(_HEALTH)
            assert _read_response(first).startswith(b"HTTP/1.1 200")


def test_the_server_holds_only_so_many_connections_in_all() -> None:
    """Past `max_connections` open connections, every address together (127.0.0.1, trusted
    as a proxy and not counted per client, counts here: a descriptor is a descriptor), a new
    connection's request is a 503 saying why, and a closed connection frees its place."""
    with running_server(Settings(workers=1, max_connections=3)) as url:
        held = [_connect_from(address, url) for address in ("127.0.0.1", "127.0.0.2", "127.0.0.3")]
        try:
            for address in ("127.0.0.1", "127.0.0.4"):
                with _connect_from(address, url) as extra:
                    extra.sendall(_HEALTH)
                    refused = _read_all(extra)
                assert refused.startswith(b"HTTP/1.1 503"), refused
                assert b"the server has 3 connections open, the most it takes" in refused
                assert b"retry-after: 1" in refused.lower()
                assert b"connection: close" in refused.lower()
            for sock in held:  # the held ones are served
                sock.sendall(_HEALTH)
                assert _read_response(sock).startswith(b"HTTP/1.1 200")
            held.pop().close()
            _served_once_counted_out("127.0.0.5", url).close()
        finally:
            for sock in held:
                sock.close()


@pytest.mark.parametrize(
    ("configured", "open_files", "limit"),
    [
        (None, 20_000, 19_744),  # this machine: the soft limit less 256
        (None, 1_024, 768),  # a common default soft limit
        (None, 300, 64),  # never fewer than 64
        (None, resource.RLIM_INFINITY, 0),  # no open-file limit: none here either
        (0, 1_024, 0),  # the operator says no limit
        (5_000, 1_024, 5_000),  # the operator's number, as given
    ],
)
def test_the_connection_limit_follows_the_open_file_limit(
    configured: int | None, open_files: int, limit: int
) -> None:
    from aigraph.server.http import connection_limit

    assert connection_limit(configured, open_files) == limit


def test_aigraph_serve_applies_the_limit_in_all(tmp_path: Path) -> None:
    """`AIGRAPH_MAX_CONNECTIONS` reaches the server `aigraph serve` starts."""
    env = {"AIGRAPH_MAX_CONNECTIONS": "1"}
    with serve_process("--workers", "1", logs=tmp_path, env=env) as (url, _, _):
        first = _served_once_counted_out("127.0.0.1", url)  # the start-up probe's, closed
        with first, _connect_from("127.0.0.1", url) as second:
            second.sendall(_HEALTH)
            assert b"the server has 1 connection open, the most it takes" in _read_all(second)
            first.sendall(_HEALTH)
            assert _read_response(first).startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize(
    ("host", "allowed", "trusted"),
    [
        ("127.0.0.1", "127.0.0.1,::1", True),
        ("::1", "127.0.0.1, ::1", True),
        ("127.0.0.2", "127.0.0.1,::1", False),
        ("10.1.2.3", "10.0.0.0/8", True),
        ("11.1.2.3", ["10.0.0.0/8", "192.168.0.1"], False),
        ("192.168.0.1", ["10.0.0.0/8", "192.168.0.1"], True),
        ("203.0.113.9", "*", True),
        ("203.0.113.9", "/run/proxy.sock", False),
        ("not-an-address", "127.0.0.1", False),
    ],
)
def test_addresses_trusted_as_proxies_are_read_as_uvicorn_reads_them(
    host: str, allowed: str | list[str], trusted: bool
) -> None:
    from aigraph.server.http import is_trusted_proxy

    assert is_trusted_proxy(host, allowed) is trusted


@pytest.mark.parametrize(
    "path",
    [
        "static/ui/..%2F..%2F..%2Fapp.py",
        "static/ui/%2e%2e%2fapp.py",
        "static/ui/.gitignore",
        "dumps/..%2F..%2Fpyproject.toml",
        "context/..%2Fshapes%2Fcore.ttl",
        "id/..%2F..%2Fpyproject.toml",
        "queries/..%2F..%2Fpyproject.toml.rq",
        "static/ui/....//....//app.py",
    ],
)
def test_path_traversal_reads_nothing(server: str, path: str) -> None:
    response = httpx.get(server + path)
    assert response.status_code in (400, 404), (path, response.status_code)
    for secret in ("[project]", "def create_app", "sh:NodeShape", "dist/"):
        assert secret not in response.text


#: Routes whose answer the server process reads, at least in part, from its own store (the
#: pages' site and labels, search, reconciliation, the dataset's description, the links'
#: status), beside what the query workers give (an entity's description, query answers).
IN_PROCESS_ROUTES = [
    "", "?lang=en", "id/person/jean-michel-jarre", "id/organisation/cnc",
    "id/organisation/afnor?format=ttl", "search?q=jarre&format=json", "search?q=cnc",
    "reconcile?queries=" + quote(json.dumps({"q0": {"query": "Jean-Michel Jarre"}})),
    ".well-known/void", "-/links", "ui/network.json", "sitemap.xml", "queries/topics",
    "queries/person?person=https://w3id.org/aigraph/id/person/jean-michel-jarre",
    "store?default",
]  # fmt: skip


def test_no_query_result_is_left_to_the_garbage_collector() -> None:
    """pyoxigraph's query results may be freed only on the thread that made them (they are
    "unsendable"). One caught in a reference cycle is freed by the collector on whatever
    thread runs it next: pyoxigraph then leaks it and warns. The server reads results in
    worker threads (`asyncio.to_thread`) and the collector runs on the event loop, so none
    may end in a cycle. A server of its own: its first requests build what the others reuse
    (the pages' site, the search index, the dataset's description), where most of its own
    queries run. (A test of the catalogue once left one in a cycle after rdflib's query.)"""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds is kept in gc.garbage
    try:
        with running_server(Settings(workers=1)) as server:
            for route in IN_PROCESS_ROUTES:
                response = httpx.get(server + route, timeout=30)
                assert response.status_code == 200, (route, response.text[:200])
            gc.collect()
            left = [type(o).__name__ for o in gc.garbage if type(o).__module__ == "pyoxigraph"]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == [], f"pyoxigraph objects freed by the garbage collector: {left}"


# --- faults ----------------------------------------------------------------------------------


def _full_disk(limit: int) -> None:
    """In the child: files may not grow beyond `limit` bytes (EFBIG), as on a full disk."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_build_on_a_full_disk_leaves_the_previous_build_whole(tmp_path: Path) -> None:
    out = tmp_path / "build"
    first = subprocess.run(
        [sys.executable, "-m", "aigraph", "build", "--out", str(out), "--no-validate"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    (out / "aigraph.nq").write_bytes(b"# an older build\n")  # so that a rewrite would show
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    failed = subprocess.run(
        [sys.executable, "-m", "aigraph", "build", "--out", str(out), "--no-validate"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
        preexec_fn=lambda: _full_disk(200_000),
    )  # fmt: skip
    assert failed.returncode == 2
    assert "could not write" in failed.stderr and "Traceback" not in failed.stderr
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # no file replaced, no temporary file left


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "no such file"),
        ("<a:b> <a:c> .", "cannot parse"),
        ("@prefix : <http://e/> . :a :b \xff", "cannot parse"),
    ],
    ids=["missing", "corrupt", "truncated"],
)
def test_serve_refuses_bad_data_with_a_message(
    tmp_path: Path, content: str | None, words: str
) -> None:
    path = tmp_path / "data.ttl"
    if content is not None:
        path.write_text(content, encoding="latin-1")
    result = subprocess.run(
        [sys.executable, "-m", "aigraph", "serve", "--data", str(path), "--port", "0"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr
