"""Large answers are streamed: past `stream_after_bytes`, a worker sends its answer in chunks
as it writes it and the server passes them on (HTTP/1.1 chunked), so neither process holds
the whole answer. A streamed answer must be the same answer: every format parses back to
what the whole one says. The time limit still holds, and cuts a stream the client can tell
is incomplete."""

from __future__ import annotations

import asyncio
import csv
import gc
import io
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncGenerator, Iterator

import httpx
import pytest
from rdflib import Graph
from rdflib.compare import to_isomorphic
from starlette.responses import StreamingResponse
from starlette.types import Message

from aigraph.server.formats import RDFLIB_FORMATS
from aigraph.server.settings import Settings
from aigraph.server.sparql import ClosingStreamingResponse
from support import client_at, read_triples, running_server

ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
EVERYTHING = "CONSTRUCT WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def streaming() -> Iterator[str]:
    with running_server(Settings(workers=2, stream_after_bytes=2000, max_results=100_000)) as url:
        yield url


@pytest.fixture(scope="module")
def whole() -> Iterator[str]:
    with running_server(Settings(workers=1, stream_after_bytes=0, max_results=100_000)) as url:
        yield url


def ask(url: str, query: str, accept: str) -> httpx.Response:
    return httpx.post(url + "sparql", data={"query": query}, headers={"Accept": accept}, timeout=60)


def rows(media: str, body: bytes) -> list[tuple[str, ...]]:
    """The rows of a results document as sorted tuples of term values, read by the standard
    library (not by the serialiser under test)."""
    if media == "application/sparql-results+json":
        doc = json.loads(body)
        out = [
            tuple(b[v]["value"] for v in doc["head"]["vars"]) for b in doc["results"]["bindings"]
        ]
    elif media == "application/sparql-results+xml":
        ns = "{http://www.w3.org/2005/sparql-results#}"
        results = ET.fromstring(body).find(f"{ns}results")
        assert results is not None
        out = [tuple(b[0].text or "" for b in r.findall(f"{ns}binding")) for r in results]
    elif media == "text/csv":
        out = [tuple(r) for r in list(csv.reader(io.StringIO(body.decode(), newline="")))[1:]]
    else:  # TSV: one line per row under the header
        out = [tuple(line.split("\t")) for line in body.decode().splitlines()[1:]]
    return sorted(out)


@pytest.mark.parametrize(
    "media",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_a_streamed_select_is_the_whole_answer(streaming: str, whole: str, media: str) -> None:
    streamed, full = ask(streaming, ALL, media), ask(whole, ALL, media)
    assert streamed.status_code == full.status_code == 200
    assert streamed.headers["aigraph-streamed"] == "true"
    assert streamed.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in streamed.headers
    assert "aigraph-result-count" not in streamed.headers
    assert "aigraph-streamed" not in full.headers
    count = int(full.headers["aigraph-result-count"])
    assert count > 2000
    assert rows(media, streamed.content) == rows(media, full.content)
    assert len(rows(media, streamed.content)) == count


@pytest.mark.parametrize(
    "media,streams",
    [
        ("text/turtle", True),
        ("application/n-triples", True),
        ("application/trig", True),
        ("application/n-quads", True),
        ("application/ld+json", False),  # one JSON tree: written whole
        ("application/rdf+xml", False),  # one XML tree: written whole
    ],
)
def test_a_streamed_graph_is_the_whole_graph(
    streaming: str, whole: str, media: str, streams: bool
) -> None:
    streamed, full = ask(streaming, EVERYTHING, media), ask(whole, EVERYTHING, media)
    assert streamed.status_code == full.status_code == 200
    assert ("aigraph-streamed" in streamed.headers) is streams
    quads = media in ("application/trig", "application/n-quads")
    graphs = [read_triples(r.content, RDFLIB_FORMATS[media], quads) for r in (streamed, full)]
    assert len(graphs[0]) > 2000
    assert to_isomorphic(graphs[0]) == to_isomorphic(graphs[1])


def test_the_result_cap_holds_on_a_streamed_answer() -> None:
    with running_server(Settings(workers=1, stream_after_bytes=2000, max_results=1500)) as url:
        response = ask(url, ALL, "application/sparql-results+json")
        assert response.headers["aigraph-streamed"] == "true"
        assert len(json.loads(response.content)["results"]["bindings"]) == 1500


def test_the_graph_store_and_the_catalogue_stream_too(streaming: str, whole: str) -> None:
    streamed = httpx.get(streaming + "store", params={"default": ""}, timeout=60)
    full = httpx.get(whole + "store", params={"default": ""}, timeout=60)
    assert streamed.headers["aigraph-streamed"] == "true"
    assert to_isomorphic(Graph().parse(data=streamed.content, format="turtle")) == to_isomorphic(
        Graph().parse(data=full.content, format="turtle")
    )
    # the catalogue's HTML table needs the whole answer: never streamed
    page = httpx.get(
        streaming + "queries/participants", headers={"Accept": "text/html"}, timeout=60
    )
    assert page.status_code == 200 and "aigraph-streamed" not in page.headers


def test_the_time_limit_cuts_a_stream_visibly_and_the_server_goes_on() -> None:
    """A cross join that streams rows for longer than the time limit: the client gets the
    beginning, then an incomplete chunked body (never a complete-looking document), and the
    worker is replaced."""
    cross = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"  # 2,316² ≈ 5 million rows
    settings = Settings(workers=1, stream_after_bytes=2000, max_results=10**8, query_timeout=1)
    with running_server(settings) as url:
        started = time.monotonic()
        received = 0
        with (
            pytest.raises(httpx.RemoteProtocolError),
            httpx.stream("POST", url + "sparql", data={"query": cross}, timeout=60) as response,
        ):
            assert response.status_code == 200
            assert response.headers["aigraph-streamed"] == "true"
            for chunk in response.iter_bytes():
                received += len(chunk)
        assert received > 2000
        assert time.monotonic() - started < 20
        time.sleep(1.5)  # the replacement worker starts
        after = httpx.get(url + "sparql", params={"query": "ASK {}"}, timeout=30)
        assert after.status_code == 200 and after.json()["boolean"] is True


@pytest.mark.parametrize(
    ("response_class", "closed"),
    [
        # Starlette's own: the generator is left suspended, its `finally` waits for the
        # garbage collector (this is why the test below failed in 4 of 6 runs)
        (StreamingResponse, False),
        (ClosingStreamingResponse, True),
    ],
)
def test_a_streamed_answer_is_closed_as_soon_as_its_client_goes(
    response_class: type[StreamingResponse], closed: bool
) -> None:
    """The client stops reading, so the write waits (flow control), then it hangs up: what
    the answer's generator frees in its `finally` (the worker, the client's share of the
    workers) is freed when the response returns, not whenever the collector runs."""

    async def scenario() -> bool:
        freed = asyncio.Event()
        writing = asyncio.Event()

        async def chunks() -> AsyncGenerator[bytes, None]:
            try:
                while True:
                    yield b"x" * 100
            finally:
                freed.set()

        async def send(message: Message) -> None:
            if message["type"] == "http.response.body":
                writing.set()
                await asyncio.Event().wait()  # the client reads no more

        async def receive() -> Message:
            await writing.wait()
            return {"type": "http.disconnect"}

        response = response_class(chunks())
        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}}
        gc.disable()  # only what the response does counts
        try:
            await asyncio.wait_for(response(scope, receive, send), 5)
            await asyncio.sleep(0)  # anything already scheduled runs
            return freed.is_set()
        finally:
            gc.enable()

    assert asyncio.run(scenario()) is closed


def test_a_client_that_leaves_mid_stream_frees_its_worker() -> None:
    settings = Settings(workers=1, stream_after_bytes=2000, max_results=10**8, query_timeout=30)
    with running_server(settings) as url:
        cross = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
        with httpx.stream("POST", url + "sparql", data={"query": cross}, timeout=60) as response:
            assert response.headers["aigraph-streamed"] == "true"
            next(response.iter_bytes())  # read the beginning, then hang up
        started = time.monotonic()
        after = httpx.get(url + "sparql", params={"query": "ASK {}"}, timeout=30)
        # the only worker was busy streaming for up to 30 s: it must have been replaced
        assert after.status_code == 200 and time.monotonic() - started < 10


def test_a_streamed_answer_counts_as_its_clients_query_until_its_end() -> None:
    """A streamed answer keeps its worker to the last chunk, so it keeps its client's share
    of the workers too (fairness.py): while it flows, that client's next query waits its
    turn (here, past its own time limit: 429); another client's is answered; once it ends,
    the client's next query runs."""
    cross = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"  # streams rows for the whole time limit
    settings = Settings(workers=2, stream_after_bytes=2000, max_results=10**8, query_timeout=2)
    with running_server(settings) as url, client_at("127.0.0.2") as other:
        with httpx.stream("POST", url + "sparql", data={"query": cross}, timeout=60) as response:
            assert response.headers["aigraph-streamed"] == "true"
            chunks = response.iter_bytes()
            next(chunks)
            mine = httpx.get(url + "sparql", params={"query": "ASK {}", "timeout": "0.3"})
            theirs = other.get(url + "sparql", params={"query": "ASK {}"})
            with pytest.raises(httpx.RemoteProtocolError):  # cut at the time limit
                for _ in chunks:
                    pass
        assert mine.status_code == 429 and theirs.status_code == 200
        after = httpx.get(url + "sparql", params={"query": "ASK {}"}, timeout=30)
        assert after.status_code == 200 and after.json()["boolean"] is True


def test_a_whole_answer_larger_than_the_backpressure_mark_arrives(whole: str) -> None:
    """Backpressure counts only complete messages: one whole answer of several times the
    channel's 4 MiB mark must still arrive (a paused socket would never complete it)."""
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 30000"
    response = ask(whole, query, "application/sparql-results+json")
    assert response.status_code == 200 and "aigraph-streamed" not in response.headers
    assert len(response.content) > 3 * 4 * 2**20
    assert len(json.loads(response.content)["results"]["bindings"]) == 30000
