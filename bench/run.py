"""aigraph's benchmark: the same data and queries, in the same run, on

- ``aigraph-http``: ``aigraph serve`` (embedded Oxigraph behind the worker pool), over HTTP;
- ``aigraph-engine``: the same engine called in-process, no HTTP (the floor of our overhead);
- ``oxigraph``: the Oxigraph server (``oxigraph serve``, PyPI package ``oxigraph``);
- ``rdflib-endpoint``: the FastAPI + rdflib peer (PyPI package ``rdflib-endpoint``).

Data: bench/generate.py at each size, in aigraph's own model (the catalogue queries run
unchanged). Every system gets the same N-Quads; for the HTTP servers the default graph is the
merge of the named graphs (aigraph does it itself, the Oxigraph server gets the same INSERT,
rdflib-endpoint is given the merged graph).

Figures: start-up to first answer, peak RSS of the server's process tree, per-query latency
(first run, then warm: median, p95, p99), throughput at concurrency 1 and 16 with ``wrk``
(Debian package) on distinct query texts (each request a different IRI, so no cache can
help), and how all of these grow with size. Ratios against each baseline are the headline.

    python bench/run.py                       # sizes 1e4 1e5 1e6, the full report
    python bench/run.py --sizes 1e4 --quick   # a smoke run (used by the test suite)

Writes bench/results/report.md (and .json, and a log-log plot if matplotlib is installed).
Loopback only, bounded durations.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

from aigraph.catalogue import load_catalogue  # noqa: E402

BIN = Path(sys.executable).parent
B = "https://w3id.org/aigraph/id/"
UNION = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"

# --- the query mix ------------------------------------------------------------------------


def catalogue_mix() -> dict[str, str]:
    """The catalogue queries, with realistic parameters written into the text (the peers
    have no parameter binding), plus heavier analytical queries."""
    queries = {}
    for name, q in load_catalogue(ROOT / "queries").items():
        text = q.text
        for param in q.parameters:
            value = {"person": B + "person/p000001", "entity": B + "person/p000001"}.get(
                param.name, param.default or ""
            )
            term = f"<{value}>" if param.type == "iri" else f'"{value}"'
            # bind by VALUES at the start of the WHERE: the same for every engine
            text = text.replace("WHERE {", f"WHERE {{ VALUES ?{param.name} {{ {term} }}", 1)
        queries[f"catalogue:{name}"] = text
    queries["heavy:participations-per-role"] = """
        PREFIX aig: <https://w3id.org/aigraph/ns#>
        SELECT ?role (COUNT(*) AS ?n) WHERE { ?s aig:participation ?p . ?p aig:role ?role } GROUP BY ?role"""
    queries["heavy:co-occurrence-network"] = """
        PREFIX aig: <https://w3id.org/aigraph/ns#>
        SELECT ?a ?b (COUNT(DISTINCT ?s) AS ?n) WHERE {
          ?s aig:participation/aig:agent ?a , ?b . FILTER (STR(?a) < STR(?b)) }
        GROUP BY ?a ?b ORDER BY DESC(?n) LIMIT 100"""
    queries["heavy:text-search"] = """
        PREFIX schema: <http://schema.org/>
        SELECT ?s ?d WHERE { ?s schema:description ?d FILTER (CONTAINS(LCASE(?d), "régulation données")) } LIMIT 50"""
    return queries


# Throughput classes: each request asks about a different entity (distinct query texts).
SIMPLE = "SELECT ?name WHERE {{ <https://w3id.org/aigraph/id/person/p{:06d}> <http://schema.org/name> ?name }}"
MEDIUM = (
    "SELECT ?person ?name ?role WHERE {{ <https://w3id.org/aigraph/id/session/d{:05d}-s01> "
    "<https://w3id.org/aigraph/ns#participation> ?p . ?p <https://w3id.org/aigraph/ns#agent> ?person ; "
    "<https://w3id.org/aigraph/ns#role> ?role . ?person <http://schema.org/name> ?name }}"
)


# --- systems ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_rss(pid: int) -> int:
    try:
        import psutil
    except ImportError:
        return 0
    try:
        proc = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])
    except psutil.Error:
        return 0


@dataclass
class Running:
    name: str
    url: str  # the query endpoint
    pid: int
    startup_s: float
    peak_rss: int = 0

    def sample(self) -> None:
        self.peak_rss = max(self.peak_rss, tree_rss(self.pid))


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server, killing it if it does not stop within 5 s (a busy rdflib-endpoint)."""
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def wait_ready(url: str, process: subprocess.Popen[bytes], limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{url} not ready after {limit} s")


@contextlib.contextmanager
def start_aigraph(
    data: Path, workers: int, stream_after: int | None = None, store: Path | None = None
) -> Iterator[Running]:
    """`aigraph serve` on `data`: in memory, or with `store`, on disk (loaded into it on the
    first start, reopened on the next ones)."""
    port = free_port()
    start = time.monotonic()
    disk = ["--backend", "disk", "--store-path", str(store)] if store is not None else []
    process = subprocess.Popen(
        [
            str(BIN / "aigraph"),
            "serve",
            "--no-bundled",
            "--data",
            str(data),
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--query-timeout",
            "120",
            *disk,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={
            **os.environ,
            "AIGRAPH_MAX_RESULTS": "1000000",
            # wrk's connections all come from 127.0.0.1 but stand for many users: one
            # client's share of the workers (docs/serving.md) would not apply to them
            "AIGRAPH_MAX_QUERIES_PER_CLIENT": "0",
            # the systems compared have no memory limit per query: a query aigraph would stop
            # at its default 1,024 MiB should be measured, as the others are
            "AIGRAPH_QUERY_MEMORY_MB": "0",
            **(
                {"AIGRAPH_STREAM_AFTER_BYTES": str(stream_after)}
                if stream_after is not None
                else {}
            ),
        },
    )
    try:
        url = f"http://127.0.0.1:{port}/sparql"
        wait_ready(url, process, 600)
        yield Running("aigraph-http", url, process.pid, time.monotonic() - start)
    finally:
        stop(process)


@contextlib.contextmanager
def start_oxigraph(data: Path, location: Path | None = None) -> Iterator[Running]:
    """`oxigraph serve` with `data` and the merge as its default graph: posted into its memory
    store, or with `location`, loaded on disk by its own bulk loader (once: later starts
    reopen it)."""
    port = free_port()
    start = time.monotonic()
    if location is not None:
        yield from _oxigraph_on_disk(data, location, port, start)
        return
    process = subprocess.Popen(
        [str(BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        wait_ready(base + "query", process, 60)
        httpx.post(
            base + "store",
            content=data.read_bytes(),
            headers={"Content-Type": "application/n-quads"},
            timeout=600,
        ).raise_for_status()
        httpx.post(
            base + "update",
            content=UNION,
            headers={"Content-Type": "application/sparql-update"},
            timeout=600,
        ).raise_for_status()
        yield Running("oxigraph", base + "query", process.pid, time.monotonic() - start)
    finally:
        stop(process)


def _oxigraph_on_disk(data: Path, location: Path, port: int, start: float) -> Iterator[Running]:
    marker = location / "bench-loaded"
    if not marker.exists():
        shutil.rmtree(location, ignore_errors=True)
        for command in (
            ["load", "--location", str(location), "--file", str(data)],
            ["update", "--location", str(location), "--update", UNION],
        ):
            subprocess.run([str(BIN / "oxigraph"), *command], check=True, capture_output=True)
        marker.write_text("loaded\n")
    process = subprocess.Popen(
        [str(BIN / "oxigraph"), "serve-read-only", "--location", str(location),
         "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}/"
        wait_ready(base + "query", process, 600)
        yield Running("oxigraph", base + "query", process.pid, time.monotonic() - start)
    finally:
        stop(process)


@contextlib.contextmanager
def start_rdflib_endpoint(data: Path, workdir: Path) -> Iterator[Running]:
    # rdflib-endpoint serves its files as one graph: give it the merge, as N-Triples
    import pyoxigraph as ox

    merged = workdir / f"{data.stem}-merged.nt"
    if not merged.exists():
        store = ox.Store()
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        store.update(UNION)
        store.dump(str(merged), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    port = free_port()
    start = time.monotonic()
    process = subprocess.Popen(
        [
            str(BIN / "rdflib-endpoint"),
            "serve",
            str(merged),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_ready(url, process, 900)
        yield Running("rdflib-endpoint", url, process.pid, time.monotonic() - start)
    finally:
        stop(process)


# --- measurements -------------------------------------------------------------------------


@dataclass
class Latency:
    first_ms: float | None = None
    warm_ms: list[float] = field(default_factory=list)
    error: str | None = None

    def summary(self) -> dict[str, float | str | None]:
        if self.error:
            return {"error": self.error}
        warm = sorted(self.warm_ms)

        def pct(p: float) -> float:
            return round(warm[min(len(warm) - 1, int(p * len(warm)))], 3)

        return {
            "first_ms": round(self.first_ms or 0, 3),
            "median_ms": round(statistics.median(warm), 3),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "runs": len(warm),
        }


def time_http(url: str, query: str, runs: int, budget_s: float, timeout: float) -> Latency:
    return time_requests(
        lambda client: client.post(
            url, data={"query": query}, headers={"Accept": "application/sparql-results+json"}
        ),
        runs,
        budget_s,
        timeout,
    )


def time_requests(
    send: Callable[[httpx.Client], httpx.Response], runs: int, budget_s: float, timeout: float
) -> Latency:
    """The first request, then up to `runs` more within `budget_s` (each must be a 200)."""
    out = Latency()
    with httpx.Client(timeout=timeout) as client:
        deadline = time.monotonic() + budget_s
        for i in range(runs + 1):
            start = time.perf_counter()
            try:
                response = send(client)
            except httpx.TimeoutException:
                out.error = f"timeout > {timeout:g} s"
                return out
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != 200:
                out.error = f"HTTP {response.status_code}"
                return out
            if i == 0:
                out.first_ms = elapsed
            else:
                out.warm_ms.append(elapsed)
            if time.monotonic() > deadline and out.warm_ms:
                break
    return out


def time_engine(run: Callable[[], object], runs: int, budget_s: float) -> Latency:
    out = Latency()
    deadline = time.monotonic() + budget_s
    for i in range(runs + 1):
        start = time.perf_counter()
        run()
        elapsed = (time.perf_counter() - start) * 1000
        if i == 0:
            out.first_ms = elapsed
        else:
            out.warm_ms.append(elapsed)
        if time.monotonic() > deadline and out.warm_ms:
            break
    return out


WRK_SCRIPT = """
counter = 0
templates = {templates}
request = function()
  counter = counter + 1
  local q = string.format(templates[1], counter % {modulo})
  local body = "query=" .. q:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end)
  return wrk.format("POST", nil, {{["Content-Type"]="application/x-www-form-urlencoded",
                                   ["Accept"]="application/sparql-results+json"}}, body)
end
"""


def lua_format(template: str) -> str:
    return (
        template.replace("{{", "{")
        .replace("}}", "}")
        .replace("{:06d}", "%06d")
        .replace("{:05d}", "%05d")
    )


def wrk_throughput(
    url: str, template: str, modulo: int, connections: int, seconds: int
) -> dict[str, float]:
    if shutil.which("wrk") is None:
        return {"error": "wrk not installed (apt-get install wrk)"}  # type: ignore[dict-item]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            WRK_SCRIPT.format(
                templates=json.dumps([lua_format(template)]).replace("[", "{").replace("]", "}"),
                modulo=max(1, modulo),
            )
        )
    threads = min(2, connections)
    result = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            script.name,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    Path(script.name).unlink()
    out: dict[str, float] = {}
    for line in result.stdout.splitlines():
        words = line.split()
        if line.startswith("Requests/sec:"):
            out["requests_per_s"] = float(words[1])
        elif "Non-2xx" in line:
            out["non_2xx"] = float(words[-1])
        elif line.strip().startswith("50%"):
            out["p50_ms"] = _ms(words[1])
        elif line.strip().startswith("99%"):
            out["p99_ms"] = _ms(words[1])
    return out


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def engine_throughput(
    engine: object, template: str, modulo: int, seconds: float
) -> dict[str, float]:
    """In-process, one caller: the engine's own rate, no HTTP (answers serialised as JSON)."""
    from aigraph.engine import Engine
    from aigraph.serialize import results_json

    assert isinstance(engine, Engine)
    count, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        solutions = engine.query(template.format(count % max(1, modulo)))
        variables = [v.value for v in solutions.variables]  # type: ignore[union-attr]
        results_json(variables, [[s[v] for v in variables] for s in solutions])  # type: ignore[union-attr]
        count += 1
    return {"requests_per_s": count / seconds}


# --- the run ------------------------------------------------------------------------------


#: The commands the compared servers need, by system (in the virtual environment's bin/).
COMMANDS = {"oxigraph": "oxigraph", "rdflib-endpoint": "rdflib-endpoint"}

#: The servers of bench/floors.py, in the order of the report's table.
FLOORS = ("hello", "http-layer", "in-process", "in-thread")


def generated(size: int, workdir: Path) -> Path:
    """The synthetic data of `size` triples (generated once, then reused)."""
    data = workdir / f"gen-{size}.nq"
    if not data.exists():  # in a process of its own: this one never holds the text
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), str(size), str(data)], check=True
        )
    return data


def bench_size(size: int, args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    data = generated(size, workdir)
    days = max(1, round(size / 1000))
    people = max(20, days * 12)
    queries = catalogue_mix()
    result: dict[str, object] = {"size": size, "systems": {}}
    import pyoxigraph as ox

    from aigraph.engine import Engine, add_merge
    from aigraph.serialize import results_json
    from aigraph.server.data import write_facts

    # the engine in-process, as the server's workers use it (the full store, plus the merged
    # triples alone for queries that name no graph): load, then the same queries
    start = time.monotonic()
    disk = args.backend == "disk"
    stores = workdir / f"stores-{size}"
    if disk:  # fresh stores: each system's first start-up includes its load
        shutil.rmtree(stores, ignore_errors=True)
        stores.mkdir(parents=True)
    store = ox.Store(str(stores / "engine")) if disk else ox.Store()
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    add_merge(store)  # as aigraph's backends do
    if disk:  # the merged triples alone, on disk too
        write_facts(store, stores / "engine.facts")
        engine_ = Engine(store, ox.Store.read_only(str(stores / "engine.facts")))
    else:
        engine_ = Engine(store)
    engine_.store_for("SELECT * WHERE { ?s ?p ?o }")  # build the merged-triples store now
    triples = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)  # type: ignore[index]
    result["triples"] = triples

    def run_engine(q: str) -> Callable[[], object]:
        def go() -> object:
            solutions = engine_.query(q)
            variables = [v.value for v in solutions.variables]  # type: ignore[union-attr]
            return results_json(variables, [[s[v] for v in variables] for s in solutions])  # type: ignore[union-attr]

        return go

    engine = {"startup_s": round(time.monotonic() - start, 3), "latency": {}, "throughput": {}}
    for name, q in queries.items():
        engine["latency"][name] = time_engine(run_engine(q), args.runs, args.budget).summary()  # type: ignore[index]
    for label, template, modulo in (("simple", SIMPLE, people), ("medium", MEDIUM, days)):
        if args.no_throughput:
            break
        engine["throughput"][f"{label}-c1"] = engine_throughput(
            engine_, template, modulo, args.duration
        )  # type: ignore[index]
    result["systems"]["aigraph-engine"] = engine  # type: ignore[index]

    aigraph_store = stores / "aigraph" if disk else None
    oxigraph_store = stores / "oxigraph" if disk else None
    starters = {
        "aigraph-http": lambda: start_aigraph(data, args.workers, store=aigraph_store),
        "oxigraph": lambda: start_oxigraph(data, oxigraph_store),
        "rdflib-endpoint": lambda: start_rdflib_endpoint(data, workdir),
    }
    for name in args.systems:
        if name == "aigraph-engine":
            continue
        if name == "rdflib-endpoint" and size > args.rdflib_max:
            result["systems"][name] = {
                "skipped": f"not run above {args.rdflib_max:,.0f} triples (minutes per query)"
            }  # type: ignore[index]
            continue
        try:
            entities = ENTITIES if name == "aigraph-http" else None
            result["systems"][name] = measure_server(  # type: ignore[index]
                starters[name], queries, people, days, args, entities
            )
        except RuntimeError as exc:
            result["systems"][name] = {"error": str(exc)}  # type: ignore[index]
        print(f"  {size:>9,} {name}: done", file=sys.stderr)
    if not args.no_large:
        result["large_answer"] = large_answers(data, args)
    if disk:
        shutil.rmtree(stores, ignore_errors=True)
    result["backend"] = args.backend
    return result


#: aigraph's own routes (the other systems have none): entity IRIs dereferenced on the
#: Linked Data routes — a person (who takes part in sessions) and an organisation (whose
#: members are many) —, a catalogue query run by its route with its parameter (bound by
#: substitution, as every catalogue route binds it; the query mix above binds it by VALUES,
#: the same for every system), and the descriptions made from the whole data, once per
#: version of it (the first request after the start makes them; the warm ones read them).
ENTITIES = {
    "person, Turtle": ("id/person/p000001", "text/turtle"),
    "person, HTML": ("id/person/p000001", "text/html"),
    "organisation, Turtle": ("id/organisation/o00001", "text/turtle"),
    "organisation, HTML": ("id/organisation/o00001", "text/html"),
    "catalogue:person by its route (?person=…), JSON": (
        "queries/person?person=" + quote(B + "person/p000001", safe=""),
        "application/sparql-results+json",
    ),
    "dataset description (VoID), Turtle": (".well-known/void", "text/turtle"),
    "linking status, JSON": ("-/links?format=json", "application/json"),
}


#: Seconds the client waits for one of aigraph's own routes.
ROUTE_TIMEOUT = 600


def files_ready(root: str, began: float, timeout: float) -> dict[str, object]:
    """When /dumps/ lists the files, in seconds since `began` (the first of the routes'
    requests). The dataset's description starts their rendering, in a child at a lower
    priority, and waits for it until it has run `dumps_wait` (10 s); it goes on. Waited
    for here, so that no throughput run shares the processors with it. A 404: no files
    for data this large (`max_dump_triples`)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=timeout) as client:
        while True:
            status = client.get(root + "dumps/?format=json").status_code
            if status != 503:
                return {"status": status, "after_s": round(time.monotonic() - began, 2)}
            if time.monotonic() > deadline:
                return {"status": status, "error": f"still rendered after {timeout:g} s"}
            time.sleep(0.5)


def measure_server(
    start: Callable[[], contextlib.AbstractContextManager[Running]],
    queries: dict[str, str],
    people: int,
    days: int,
    args: argparse.Namespace,
    entities: dict[str, tuple[str, str]] | None = None,
) -> dict[str, object]:
    """Latency of every query, then throughput. A server that cannot stop a query (no time
    limit: rdflib-endpoint) stays busy after a client gives up, so it is restarted then, for
    the next query not to be measured behind the previous one."""
    entry: dict[str, object] = {"latency": {}, "throughput": {}}
    peak = 0
    pending = list(queries.items())
    while pending:
        with start() as running:
            entry.setdefault("startup_s", round(running.startup_s, 3))
            while pending:
                qname, q = pending.pop(0)
                timing = time_http(running.url, q, args.runs, args.budget, args.timeout)
                entry["latency"][qname] = timing.summary()  # type: ignore[index]
                running.sample()
                if timing.error and timing.error.startswith("timeout"):
                    break
            began = time.monotonic()
            for ename, (path, accept) in (entities or {}).items() if not pending else ():
                url = running.url.removesuffix("sparql") + path
                timing = time_requests(
                    lambda client, u=url, a=accept: client.get(u, headers={"Accept": a}),
                    args.runs,
                    args.budget,
                    # the first request for the dataset's description renders the downloads
                    # it lists (a minute at 10^5 triples): measured, not cut at the query limit
                    max(args.timeout, ROUTE_TIMEOUT),
                )
                entry.setdefault("entities", {})[ename] = timing.summary()  # type: ignore[index]
            if entities and not pending:
                root = running.url.removesuffix("sparql")
                entry["files_ready"] = files_ready(root, began, ROUTE_TIMEOUT)
            if not pending and not args.no_throughput:
                for label, template, modulo in (
                    ("simple", SIMPLE, people),
                    ("medium", MEDIUM, days),
                ):
                    for connections in (1, 16):
                        entry["throughput"][f"{label}-c{connections}"] = wrk_throughput(  # type: ignore[index]
                            running.url, template, modulo, connections, int(args.duration)
                        )
                        running.sample()
            peak = max(peak, running.peak_rss)
    entry["peak_rss_mb"] = round(peak / 2**20, 1)
    return entry


#: A large answer: up to 100,000 rows of SPARQL JSON (about 25 MB), fetched whole.
LARGE = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 100000"


def large_answer(running: Running, timeout: float) -> dict[str, object]:
    """Time to the first byte and to the last of a large answer, and how much the server's
    memory (the process tree's resident set) grew while it was being sent."""
    before = tree_rss(running.pid)
    peak, size, first = before, 0, None
    start = time.perf_counter()
    try:
        with httpx.stream(
            "POST",
            running.url,
            data={"query": LARGE},
            headers={"Accept": "application/sparql-results+json"},
            timeout=timeout,
        ) as response:
            if response.status_code != 200:
                return {"error": f"HTTP {response.status_code}"}
            sampled = 0.0
            for chunk in response.iter_bytes():
                now = time.perf_counter()
                if first is None:
                    first = now - start
                size += len(chunk)
                if now - sampled > 0.02:  # a sample costs a few ms: not after every chunk
                    peak, sampled = max(peak, tree_rss(running.pid)), now
            peak = max(peak, tree_rss(running.pid))
            streamed = response.headers.get("aigraph-streamed") == "true" or (
                "content-length" not in response.headers
            )
    except httpx.HTTPError as exc:
        return {"error": type(exc).__name__}
    total = time.perf_counter() - start
    return {
        "first_byte_ms": round((first or total) * 1000, 1),
        "total_ms": round(total * 1000, 1),
        "mb": round(size / 2**20, 1),
        "rss_growth_mb": round(max(0, peak - before) / 2**20, 1),
        "chunked": streamed,
    }


def large_answers(data: Path, args: argparse.Namespace) -> dict[str, object]:
    """The large answer from aigraph streaming (its default), aigraph sending answers whole
    (stream_after_bytes=0), and the Oxigraph server (which streams), each freshly started."""
    out: dict[str, object] = {}
    starters = {
        "aigraph-http (streamed)": lambda: start_aigraph(data, args.workers),
        "aigraph-http (whole)": lambda: start_aigraph(data, args.workers, stream_after=0),
        "oxigraph": lambda: start_oxigraph(data),
    }
    for name, start in starters.items():
        if name.startswith("aigraph") and "aigraph-http" not in args.systems:
            continue
        if name == "oxigraph" and "oxigraph" not in args.systems:
            continue
        try:
            with start() as running:
                large_answer(running, args.timeout)  # warm
                out[name] = large_answer(running, args.timeout)
        except RuntimeError as exc:
            out[name] = {"error": str(exc)}
    return out


def floors(args: argparse.Namespace, data: Path) -> dict[str, object]:
    """What bounds aigraph's throughput (bench/floors.py): a bare ASGI app under uvicorn,
    aigraph's HTTP layer with an executor that answers at once (no worker process), and
    aigraph with each query run in the server process (on the event loop, in a thread) on
    `data`."""
    out: dict[str, object] = {}
    for kind in FLOORS:
        port = free_port()
        extra = [str(data)] if kind in ("in-process", "in-thread") else []
        process = subprocess.Popen(
            [sys.executable, str(HERE / "floors.py"), kind, str(port), *extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}/sparql"
            wait_ready(url, process, 60)
            out[kind] = {
                f"simple-c{c}": wrk_throughput(url, SIMPLE, 1000, c, int(args.duration))
                for c in (1, 16)
            }
        except RuntimeError as exc:
            out[kind] = {"error": str(exc)}
        finally:
            stop(process)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1e4,1e5,1e6", help="comma-separated triple counts")
    parser.add_argument("--systems", default="aigraph-engine,aigraph-http,oxigraph,rdflib-endpoint")
    parser.add_argument("--duration", type=float, default=5, help="seconds per throughput run")
    parser.add_argument("--runs", type=int, default=20, help="warm runs per query (at most)")
    parser.add_argument(
        "--budget", type=float, default=5, help="seconds per query's warm runs (at most)"
    )
    parser.add_argument(
        "--timeout", type=float, default=60, help="seconds before a query counts as failed"
    )
    parser.add_argument("--workers", type=int, default=2, help="aigraph query workers")
    parser.add_argument(
        "--rdflib-max", type=float, default=1e5, help="largest size run on rdflib-endpoint"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: short durations")
    parser.add_argument(
        "--backend",
        choices=["memory", "disk"],
        default="memory",
        help="aigraph's backend; with disk, the Oxigraph server and the engine are on disk too",
    )
    parser.add_argument("--no-throughput", action="store_true", help="skip the wrk runs")
    parser.add_argument("--no-large", action="store_true", help="skip the large answer")
    parser.add_argument("--out", default=str(HERE / "results"), help="where to write the report")
    args = parser.parse_args(argv)
    args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    missing = [s for s in args.systems if s in COMMANDS and not (BIN / COMMANDS[s]).exists()]
    if missing:  # found before an hour's run, not in its middle
        print(
            f"not installed: {', '.join(missing)}; `make bench` installs the benchmark's "
            "packages (pip install -e '.[bench]'), or leave them out with --systems",
            file=sys.stderr,
        )
        return 2
    if args.quick:
        args.duration, args.runs, args.budget, args.timeout = 1, 3, 1, 5
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    workdir = HERE / "data"
    workdir.mkdir(exist_ok=True)
    results = {
        "machine": machine(),
        "args": {k: v for k, v in vars(args).items()},
        "sizes": [],
        "bundled_startup_s": bundled_startup(),
    }
    if not args.no_throughput:
        results["floors"] = floors(args, generated(sizes[0], workdir))
    for size in sizes:
        print(f"size {size:,}", file=sys.stderr)
        results["sizes"].append(bench_size(size, args, workdir))  # type: ignore[union-attr]
    (out / "report.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    from report import write_report

    write_report(results, out)
    print(f"wrote {out / 'report.md'}", file=sys.stderr)
    return 0


def bundled_startup() -> float:
    """`aigraph serve` on the bundled graph, from launch to the first answer (best of 3)."""
    best = float("inf")
    for _ in range(3):
        port = free_port()
        start = time.monotonic()
        process = subprocess.Popen(
            [str(BIN / "aigraph"), "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_ready(f"http://127.0.0.1:{port}/sparql", process, 60)
            best = min(best, time.monotonic() - start)
        finally:
            stop(process)
    return round(best, 3)


def machine() -> dict[str, object]:
    import platform

    import pyoxigraph

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d"),
    }


if __name__ == "__main__":
    sys.exit(main())
