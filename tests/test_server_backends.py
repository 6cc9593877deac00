"""The storage backends: on disk (persistent, reopened without reloading) and a remote
SPARQL 1.1 store — a real Oxigraph server (`oxigraph serve`, from the `oxigraph` package)
started by the test on a loopback port — plus what happens when that store is down or slow."""

from __future__ import annotations

import contextlib
import http.server
import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from pydantic import SecretStr

from aigraph.server.settings import Settings
from support import free_port, running_server

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
PARTICIPANTS = """SELECT ?name ?role WHERE {
  ?s <https://w3id.org/aigraph/ns#participation> ?p .
  ?p <https://w3id.org/aigraph/ns#agent>/<http://schema.org/name> ?name ; <https://w3id.org/aigraph/ns#role> ?role
} ORDER BY ?name ?role"""


@contextlib.contextmanager
def oxigraph_server(tmp: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(tmp), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(200):
            with contextlib.suppress(httpx.HTTPError):
                if (
                    httpx.get(url + "query", params={"query": "ASK {}"}, timeout=1).status_code
                    == 200
                ):
                    break
            time.sleep(0.05)
        else:
            raise RuntimeError("oxigraph serve did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def rows(url: str, query: str) -> list[tuple[str, ...]]:
    response = httpx.get(url + "sparql", params={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    data = response.json()
    return [tuple(b[v]["value"] for v in data["head"]["vars"]) for b in data["results"]["bindings"]]


@pytest.mark.skipif(
    not Path(OXIGRAPH).exists(), reason="the oxigraph server command is not installed"
)
def test_remote_backend_against_a_real_oxigraph_server(server: str, tmp_path: Path) -> None:
    expected = rows(server, PARTICIPANTS)
    assert len(expected) == 29
    with oxigraph_server(tmp_path / "oxi") as oxi:
        settings = Settings(
            backend="remote",
            remote_query_url=oxi + "query",
            remote_store_url=oxi + "store",
            query_timeout=5,
            update_token="s3cret",
        )
        with running_server(settings) as url:
            # the data was loaded into the remote store with the Graph Store Protocol
            assert rows(url, PARTICIPANTS) == expected
            # writes, even with the token, go to the remote store itself: a 403 that says so
            # (an update was a TypeError, so a 500, until mypy saw the signatures differ)
            auth = {"Authorization": "Bearer s3cret"}
            for write in (
                httpx.post(url + "sparql", data={"update": "CLEAR ALL"}, headers=auth),
                httpx.put(
                    url + "store?default",
                    content=b"<a:b> <a:c> <a:d> .",
                    headers={**auth, "Content-Type": "application/n-triples"},
                ),
            ):
                assert write.status_code == 403 and "write to it directly" in write.text
            assert rows(url, PARTICIPANTS) == expected  # nothing was cleared
            # conneg, formats and Content-Type are aigraph's, whatever the store answers
            csv = httpx.get(
                url + "sparql", params={"query": PARTICIPANTS}, headers={"Accept": "text/csv"}
            )
            assert (
                csv.headers["content-type"].startswith("text/csv")
                and "Jean-Michel Jarre" in csv.text
            )
            turtle = httpx.get(
                url + "sparql",
                params={"query": "DESCRIBE <https://w3id.org/aigraph/id/person/jean-michel-jarre>"},
            )
            assert (
                turtle.headers["content-type"].startswith("text/turtle")
                and "Jean-Michel Jarre" in turtle.text
            )
            named = httpx.get(
                url + "store",
                params={"graph": "https://w3id.org/aigraph/id/claim/s03-jean-michel-jarre"},
                headers={"Accept": "application/n-triples"},
            )
            assert named.status_code == 200 and len(named.text.strip().splitlines()) == 10
            assert (
                httpx.get(url + "store", params={"graph": "http://example.org/none"}).status_code
                == 404
            )
            bad = httpx.get(url + "sparql", params={"query": "SELECT * WHERE {"})
            assert bad.status_code == 400


@pytest.mark.skipif(
    not Path(OXIGRAPH).exists(), reason="the oxigraph server command is not installed"
)
def test_remote_store_down_gives_502_and_the_server_stays_up(tmp_path: Path) -> None:
    with oxigraph_server(tmp_path / "oxi") as oxi:
        settings = Settings(
            bundled=False,
            backend="remote",
            remote_query_url=oxi + "query",
            remote_store_url=oxi + "store",
            query_timeout=3,
        )
        with running_server(settings) as url:
            assert httpx.get(url + "sparql", params={"query": "ASK {}"}).json()["boolean"] is True
            down = f"http://127.0.0.1:{free_port()}/query"
            settings_down = settings.model_copy(update={"remote_query_url": down})
    with running_server(settings_down) as url:
        response = httpx.get(url + "sparql", params={"query": "ASK {}"}, timeout=30)
        assert response.status_code == 502
        assert "did not answer" in response.text
        assert httpx.get(url + "-/health").status_code == 200


def test_slow_remote_store_times_out_with_503() -> None:
    class Slow(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            time.sleep(3)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    listener = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    try:
        settings = Settings(
            bundled=False,
            backend="remote",
            query_timeout=0.5,
            remote_query_url=f"http://127.0.0.1:{listener.server_address[1]}/query",
        )
        with running_server(settings) as url:
            start = time.monotonic()
            response = httpx.get(url + "sparql", params={"query": "ASK {}"}, timeout=30)
            assert response.status_code == 503 and "0.5 s" in response.text
            assert time.monotonic() - start < 2
    finally:
        listener.shutdown()


def test_disk_backend_persists_and_reopens(server: str, tmp_path: Path) -> None:
    expected = rows(server, PARTICIPANTS)
    store = tmp_path / "store"
    settings = Settings(backend="disk", store_path=store, workers=2)
    with running_server(settings) as url:
        assert rows(url, PARTICIPANTS) == expected
    assert any(store.iterdir())
    # the merged triples alone, beside it, complete (aigraph.server.data.write_facts)
    facts = tmp_path / "store.facts"
    assert (facts / "aigraph-complete").exists()
    merged = ox.Store.read_only(str(facts))
    full = ox.Store.read_only(str(store))
    assert len(merged) == sum(
        1 for _ in full.quads_for_pattern(None, None, None, ox.DefaultGraph())
    )
    assert not list(merged.named_graphs())
    del merged, full
    # reopened: the data is there without loading anything (bundled=False)
    with running_server(settings.model_copy(update={"bundled": False})) as url:
        assert rows(url, PARTICIPANTS) == expected
        response = httpx.post(url + "sparql", data={"update": "CLEAR ALL"})
        assert response.status_code == 403


def test_disk_backend_refuses_writes_even_with_the_token(tmp_path: Path) -> None:
    """The on-disk store is opened read-only by the server and its workers: with the
    operator's token, an update and a Graph Store write are refused with the reason (403),
    and the data is as it was."""
    token = "disk-token-0123456789"
    settings = Settings(
        backend="disk", store_path=tmp_path / "store", workers=1, update_token=SecretStr(token)
    )
    auth = {"Authorization": f"Bearer {token}"}
    with running_server(settings) as url:
        before = rows(url, PARTICIPANTS)
        update = httpx.post(url + "sparql", data={"update": "CLEAR ALL"}, headers=auth)
        put = httpx.put(
            url + "store",
            params={"graph": "http://example.org/g"},
            content=b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .",
            headers={**auth, "Content-Type": "application/n-triples"},
        )
        delete = httpx.delete(url + "store", params={"default": ""}, headers=auth)
        for response in (update, put, delete):
            assert response.status_code == 403
            assert response.text == (
                "writes need the in-memory backend; this server's on-disk store is read-only\n"
            )
        assert rows(url, PARTICIPANTS) == before


def test_disk_backend_counts_once_and_reuses_the_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aigraph.server import data

    store = tmp_path / "store"
    settings = Settings(backend="disk", store_path=store)
    first = data.prepare(settings)
    saved = json.loads((tmp_path / "store.facts" / data.COUNTS).read_text(encoding="utf-8"))
    assert saved["triples"] == first.info.triples > 2000
    assert [g["name"] for g in saved["graphs"]] == [g.name for g in first.info.graphs]
    del first

    def no_counting(store: ox.Store) -> data.DatasetInfo:
        raise AssertionError("a reopened store was counted again")

    with monkeypatch.context() as patch:  # reopened: the saved counts, nothing counted
        patch.setattr(data, "describe", no_counting)
        assert data.prepare(settings).info == data.prepare(settings).info
        assert data.prepare(settings).info.triples == saved["triples"]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda path: path.unlink(), id="missing"),
        pytest.param(lambda path: path.write_text("{not json", encoding="utf-8"), id="not-json"),
        pytest.param(
            lambda path: path.write_text('{"triples": 1}', encoding="utf-8"), id="no-graphs"
        ),
    ],
)
def test_disk_backend_recounts_when_the_saved_counts_are_unusable(
    tmp_path: Path, damage: Callable[[Path], object]
) -> None:
    from aigraph.server import data

    settings = Settings(backend="disk", store_path=tmp_path / "store")
    expected = data.prepare(settings).info
    counts = tmp_path / "store.facts" / data.COUNTS
    damage(counts)
    assert data.prepare(settings).info == expected
    assert json.loads(counts.read_text(encoding="utf-8"))["triples"] == expected.triples
