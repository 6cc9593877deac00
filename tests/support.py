"""Test helpers: a real uvicorn server on a loopback port, a canary listener, and the size of
the bundled graph."""

from __future__ import annotations

import contextlib
import gzip
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from rdflib import Dataset, Graph

from aigraph.engine import Engine
from aigraph.project import Project
from aigraph.server.app import create_app
from aigraph.server.settings import Settings


@contextlib.contextmanager
def running_server(settings: Settings) -> Iterator[str]:
    """Start the app with uvicorn on 127.0.0.1 (a free port) in a thread; yield its root URL."""
    with running_app(settings) as (url, _):
        yield url


@contextlib.contextmanager
def running_app(settings: Settings) -> Iterator[tuple[str, FastAPI]]:
    """`running_server`, yielding the app too (its services, for tests that look inside)."""
    app = create_app(settings.model_copy(update={"host": "127.0.0.1", "port": 0}))
    from aigraph.server.http import UVICORN_OPTIONS, BoundedHttpToolsProtocol, connection_limit

    protocol = BoundedHttpToolsProtocol.for_server(
        settings.max_connections_per_client,
        connection_limit(settings.max_connections),
        settings.cors,
    )
    options = {**UVICORN_OPTIONS, "http": protocol}
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="on", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not server.started:
        if not thread.is_alive() or time.time() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/", app
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def gz(data: bytes) -> bytes:
    """`data` gzipped with a fixed time in its header: the same bytes in every process, so
    that test ids made of them are the same in each pytest-xdist worker (which checks)."""
    return gzip.compress(data, mtime=0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve_process(
    *args: str, logs: Path, env: dict[str, str] | None = None
) -> Iterator[tuple[str, Path, Path]]:
    """`aigraph serve ARGS` as a user starts it (with `env` added to the environment), on a
    free loopback port, its standard output and error written to files in `logs`; yields the
    root URL and the two files' paths once it answers, and stops it (SIGTERM, as Ctrl+C
    would) at the end."""
    port = free_port()
    out, err = logs / "stdout.log", logs / "stderr.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "aigraph", "serve", "--port", str(port), *args],
            cwd=Path(__file__).parent.parent, stdout=stdout, stderr=stderr,
            env={**os.environ, **(env or {})},
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_until_healthy(url, process, lambda: err.read_text())
            yield url, out, err
        finally:
            process.terminate()
            process.wait(timeout=30)


def files_listed(url: str, timeout: float = 60) -> httpx.Response:
    """/dumps/'s JSON listing from the server at `url`, once the files are rendered: it is a
    503 while they are (past `dumps_wait`); AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while (listing := httpx.get(url + "dumps/?format=json")).status_code == 503:
        assert time.monotonic() < deadline, "the files were never rendered"
        time.sleep(0.1)
    return listing


def wait_until_healthy(
    url: str, process: subprocess.Popen[bytes], why: Callable[[], str] = lambda: ""
) -> None:
    """Until the server at `url`, started as `process`, says it is healthy (at most 60 s);
    RuntimeError with `why()` (its log) if it ends or does not answer in time."""
    deadline = time.monotonic() + 60
    while True:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url + "-/health", timeout=2).status_code == 200:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"aigraph serve did not start: {why()}")
        time.sleep(0.1)


def client_at(address: str) -> httpx.Client:
    """An HTTP client whose requests come from `address`, another loopback address
    (127.0.0.0/8 is all loopback on Linux): to the server, another client."""
    try:
        with socket.socket() as probe:
            probe.bind((address, 0))
    except OSError as exc:
        pytest.skip(f"cannot send from {address}: {exc}")
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


@dataclass
class Canary:
    """An HTTP listener on 127.0.0.1 that records every request it receives."""

    url: str
    requests: list[tuple[str, str]] = field(default_factory=list)


@contextlib.contextmanager
def canary() -> Iterator[Canary]:
    record = Canary("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def _hit(self) -> None:
            record.requests.append((self.command, self.path))
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.end_headers()
            self.wfile.write(b"<http://canary/s> <http://canary/p> <http://canary/o> .\n")

        do_GET = do_POST = do_PUT = _hit  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    listener = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.url = f"http://127.0.0.1:{listener.server_address[1]}/"
    thread = threading.Thread(target=listener.serve_forever, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        listener.shutdown()
        listener.server_close()


def read_triples(body: bytes, fmt: str, quads: bool = False) -> Graph:
    """An RDF answer read by rdflib (format name `fmt`) as one graph of triples: with
    `quads`, read as a dataset and its graphs merged."""
    if not quads:
        return Graph().parse(data=body, format=fmt)
    dataset = Dataset()
    dataset.parse(data=body, format=fmt)
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def build_into(out: Path, seed: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """`aigraph build --out OUT` in a subprocess, with the hash seed `seed` (a rebuild
    under another seed must give the same bytes)."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run(
        [sys.executable, "-m", "aigraph", "build", "--out", str(out), *extra],
        cwd=Project.default().root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def every_triple(engine: Engine) -> int:
    """How many triples the bundled graph's default graph (the merge of every graph) holds:
    what `SELECT ?s ?p ?o WHERE { ?s ?p ?o }` answers on the served bundled graph."""
    row = next(iter(engine.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))
    return int(row["n"].value)  # type: ignore[union-attr]
