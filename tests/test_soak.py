"""Soak: a real `aigraph serve` process on 127.0.0.1 under mixed load at concurrency 16 —
catalogue queries, plus pathological ones (a cross join, an unbounded property path, a huge
OFFSET) — for a bounded time. No crash, no error but the expected time-outs of the
pathological queries, memory flat, every cheap query answered promptly throughout.

The quick run (15 s) is part of the suite; `--run-slow` adds a 3-minute run
(`AIGRAPH_SOAK_SECONDS` overrides). Figures go to test-artifacts/soak-<seconds>s.json."""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest

from aigraph.project import Project
from support import client_at, free_port

ROOT = Project.default().root
CHEAP = [
    ("queries/sessions", {}),
    ("queries/participants", {}),
    ("queries/person", {"person": "https://w3id.org/aigraph/id/person/jean-michel-jarre"}),
    ("queries/moderators", {}),
    ("queries/people-by-organisation", {}),
    ("queries/topics", {}),
    ("sparql", {"query": "SELECT * WHERE { ?s <http://schema.org/name> ?n } LIMIT 20"}),
    ("sparql", {"query": "SELECT * WHERE { ?s ?p ?o } OFFSET 100000000 LIMIT 10"}),  # huge OFFSET
    ("id/person/jean-michel-jarre", {}),
    ("search", {"q": "jarre", "format": "json"}),
]
PATHOLOGICAL = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",  # 10^10 rows
    "SELECT (COUNT(*) AS ?n) WHERE { ?s (<http://schema.org/name>|!<urn:x>)* ?o . ?o ?p ?q . ?q ?r ?t }",
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f OFFSET 99999999",
]


def rss(process: psutil.Process) -> int:
    """The server's memory: its own RSS and its query workers'."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):  # a worker killed at a time limit
            total += p.memory_info().rss
    return total


def soak(seconds: float, tmp_path: Path) -> dict[str, object]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "aigraph", "serve", "--port", str(port), "--workers", "4",
         "--query-timeout", "1.5"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "-/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stderr.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        process = psutil.Process(server.pid)
        for path, params in CHEAP:  # warm up: labels, caches, workers
            httpx.get(url + path, params=params, timeout=30)
        memory = [rss(process)]
        cheap: list[tuple[float, int, str]] = []
        heavy: list[int] = []
        errors: list[str] = []
        stop = time.monotonic() + seconds

        def cheap_client(n: int) -> None:
            with httpx.Client(timeout=30) as client:
                i = n
                while time.monotonic() < stop:
                    path, params = CHEAP[i % len(CHEAP)]
                    i += 1
                    started = time.monotonic()
                    try:
                        status = client.get(url + path, params=params).status_code
                    except httpx.HTTPError as exc:
                        errors.append(f"{path}: {exc!r}")
                        continue
                    cheap.append((time.monotonic() - started, status, path))

        def heavy_client(n: int) -> None:
            # another user than the cheap clients': each has its share of the workers
            with client_at("127.0.0.2") as client:
                i = n
                while time.monotonic() < stop:
                    query = PATHOLOGICAL[i % len(PATHOLOGICAL)]
                    i += 1
                    try:
                        heavy.append(client.post(url + "sparql", data={"query": query}).status_code)
                    except httpx.HTTPError as exc:
                        errors.append(f"heavy: {exc!r}")

        threads = [threading.Thread(target=cheap_client, args=(n,)) for n in range(14)]
        threads += [threading.Thread(target=heavy_client, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            memory.append(rss(process))
            time.sleep(1)
        for t in threads:
            t.join()
        assert server.poll() is None, "the server crashed"
        time.sleep(3)  # replaced workers finish starting
        after = rss(process)
        latencies = sorted(d for d, _, _ in cheap)
        report = {
            "seconds": seconds,
            "concurrency": 16,
            "cheap_requests": len(cheap),
            "cheap_statuses": sorted({s for _, s, _ in cheap}),
            "cheap_p50_ms": round(statistics.median(latencies) * 1000, 1),
            "cheap_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
            "cheap_max_ms": round(latencies[-1] * 1000, 1),
            "pathological_requests": len(heavy),
            "pathological_statuses": {str(s): heavy.count(s) for s in sorted(set(heavy))},
            "transport_errors": errors[:5],
            "rss_start_mb": round(memory[0] / 2**20, 1),
            "rss_max_during_mb": round(max(memory) / 2**20, 1),  # heavy queries at work
            "rss_after_mb": round(after / 2**20, 1),
        }
        out = Path("test-artifacts")
        out.mkdir(exist_ok=True)
        (out / f"soak-{int(seconds)}s.json").write_text(json.dumps(report, indent=2) + "\n")
        return report
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def check(report: dict[str, object]) -> None:
    assert report["transport_errors"] == []
    assert report["cheap_statuses"] == [200], report  # no cheap query refused or failed
    # stopped at the time limit (503), or answered within it (200): never anything else
    assert set(report["pathological_statuses"]) <= {"200", "503"}, report
    assert report["pathological_requests"] >= 2
    assert report["cheap_p99_ms"] < 1000, report  # promptly, throughout
    # memory flat: once the load stops, the server (and its replaced or recycled workers)
    # is back to about its starting size; no query's memory is kept
    assert report["rss_after_mb"] < report["rss_start_mb"] * 1.3 + 60, report  # type: ignore[operator]


def test_soak_quick(tmp_path: Path) -> None:
    check(soak(float(os.environ.get("AIGRAPH_SOAK_QUICK_SECONDS", "15")), tmp_path))


@pytest.mark.slow
def test_soak_long(tmp_path: Path) -> None:
    check(soak(float(os.environ.get("AIGRAPH_SOAK_SECONDS", "180")), tmp_path))
