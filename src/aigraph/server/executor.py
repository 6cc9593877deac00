"""Where queries run: behind one small interface, the embedded store (in memory or on disk,
through the worker pool) or a remote SPARQL 1.1 store (through the SPARQL Protocol and the
Graph Store Protocol). The HTTP layer does not know which."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from aigraph import __version__
from aigraph.project import Project
from aigraph.server.data import ServedData, copy_store, next_version, publish, snapshot
from aigraph.server.pool import QueryTimeoutError, WorkerPool
from aigraph.server.protocol import ProtocolError
from aigraph.server.settings import Settings
from aigraph.server.worker import Job, Outcome, answer, job_stack_bytes
from aigraph.server.writer import UpdateLimits, apply_update

if TYPE_CHECKING:
    import httpx  # imported where used: 60 ms at start-up for the remote backend only

USER_AGENT = f"aigraph/{__version__} (+https://w3id.org/aigraph/)"


class BackendUnavailableError(Exception):
    """The store behind the server did not answer (remote down or slow)."""


class Executor(Protocol):
    @property
    def sandboxed(self) -> bool: ...

    @property
    def workers_up(self) -> int | None:
        """Query workers able to take a job now; None when queries run elsewhere."""
        ...

    async def start(self) -> None: ...
    async def run(self, job: Job, timeout: float) -> Outcome: ...
    async def graph_exists(self, name: str) -> bool: ...
    async def update(
        self, text: str, base_iri: str | None = None, timeout: float | None = None
    ) -> None: ...
    async def write_graph(
        self, name: str | None, body: bytes, fmt: ox.RdfFormat, replace: bool
    ) -> bool: ...
    async def delete_graph(self, name: str | None) -> bool: ...
    async def close(self) -> None: ...


class LocalExecutor:
    """The embedded Oxigraph store, queried by the worker pool; writes go to the
    authoritative store in this process, then the workers reload a fresh snapshot."""

    def __init__(self, settings: Settings, data: ServedData) -> None:
        self.settings = settings
        self.data = data
        sandbox = settings.sandbox and not settings.service_allowlist
        self.pool = WorkerPool(
            data.snapshot_source,
            settings.workers,
            sandbox,
            max_rss=settings.worker_max_rss_mb * 2**20,
            max_memory=settings.query_memory_mb * 2**20,
            stack_bytes=job_stack_bytes(settings.max_query_chars),
        )

    @property
    def sandboxed(self) -> bool:
        return self.pool.sandboxed

    @property
    def workers_up(self) -> int | None:
        return self.pool.alive

    async def start(self) -> None:
        await self.pool.start()

    async def run(self, job: Job, timeout: float) -> Outcome:
        return await self.pool.run(job, timeout)

    async def graph_exists(self, name: str) -> bool:
        return self.data.contains_graph(name)

    def _writable(self) -> ox.Store:
        if self.data.workdir is None:
            raise ProtocolError(
                403, "writes need the in-memory backend; this server's on-disk store is read-only"
            )
        return self.data.authoritative

    async def _publish(self, authoritative: ox.Store) -> None:
        """Serve `authoritative` from now on: its snapshot is made in a thread, then the
        whole new version is swapped in at once, here on the event loop; then the workers
        reload it."""
        version = await asyncio.to_thread(next_version, self.data, authoritative)
        publish(self.data, version)
        await self.pool.reload(version.source)

    async def update(
        self, text: str, base_iri: str | None = None, timeout: float | None = None
    ) -> None:
        """Apply a SPARQL Update in a child process, within `timeout` seconds (default: the
        update time limit) and the memory limit of a query (aigraph.server.writer); the
        authoritative store is replaced by the result only if it succeeded, else an
        UpdateError says why."""
        store = self._writable()
        assert self.data.workdir is not None  # _writable: the memory backend
        limits = UpdateLimits(
            timeout if timeout is not None else self.settings.update_timeout,
            self.settings.query_memory_mb * 2**20,
            self.settings.sandbox and not self.settings.service_allowlist,
        )
        folder = Path(self.data.workdir.name)
        result = await asyncio.to_thread(apply_update, store, text, base_iri, folder, limits)
        await self._publish(result)

    async def write_graph(
        self, name: str | None, body: bytes, fmt: ox.RdfFormat, replace: bool
    ) -> bool:
        store = self._writable()
        # parsed off the event loop: a body of max_body_bytes takes a while to read
        result, created = await asyncio.to_thread(_write_graph, store, name, body, fmt, replace)
        await self._publish(result)
        return created

    async def delete_graph(self, name: str | None) -> bool:
        store = self._writable()
        result = await asyncio.to_thread(_delete_graph, store, name)
        if result is None:
            return False
        await self._publish(result)
        return True

    async def close(self) -> None:
        await self.pool.close()


# Graph Store writes make a new store and the executor swaps it in, as an update does
# (aigraph.server.writer), rather than change the store in place: a reader of the
# authoritative store (a Graph Store GET, a claim's page) between a PUT's removal of the
# old graph and the insertion of the new one saw the graph empty, and a write that failed
# half-way (memory) left half of it. The copy costs what the workers' snapshot after every
# write already costs (aigraph.server.data.next_version).


def _write_graph(
    store: ox.Store, name: str | None, body: bytes, fmt: ox.RdfFormat, replace: bool
) -> tuple[ox.Store, bool]:
    """Graph Store PUT (`replace`) or POST of `body` into the graph `name` (None: the default
    graph): a new store, `store` with the write, and whether the graph is new. A body that
    does not parse raises a 400 ProtocolError."""
    graph = ox.NamedNode(name) if name else ox.DefaultGraph()
    existed = name is None or store.contains_named_graph(graph)
    scratch = ox.Store()
    try:
        scratch.load(body, format=fmt, to_graph=graph, base_iri=name)
    except (SyntaxError, ValueError) as exc:
        raise ProtocolError(400, f"The RDF does not parse as {fmt.name}: {exc}") from None
    result = copy_store(store)
    if replace:
        if name is None:
            result.clear_graph(ox.DefaultGraph())
        elif existed:
            result.remove_graph(graph)
    result.bulk_extend(scratch.quads_for_pattern(None, None, None, None))
    if name is not None:
        result.add_graph(graph)  # a PUT or POST of an empty body still makes the graph
    return result, not existed


def _delete_graph(store: ox.Store, name: str | None) -> ox.Store | None:
    """Graph Store DELETE of the graph `name` (None: empties the default graph): a new store
    without it, or None if there was no graph to delete."""
    if name is not None and not store.contains_named_graph(ox.NamedNode(name)):
        return None
    result = copy_store(store)
    if name is None:
        result.clear_graph(ox.DefaultGraph())
    else:
        result.remove_graph(ox.NamedNode(name))
    return result


class RemoteExecutor:
    """A remote SPARQL 1.1 store (Oxigraph server, Fuseki, Virtuoso, QLever, GraphDB …).

    Answers are fetched as SPARQL JSON or N-Triples, parsed, and re-serialised here in the
    client's format, so that conneg, the result cap and the Content-Type are aigraph's
    whatever the remote store does."""

    sandboxed = False
    workers_up = None  # the remote store runs the queries

    def __init__(self, settings: Settings) -> None:
        if not settings.remote_query_url:
            raise ValueError("backend=remote needs AIGRAPH_REMOTE_QUERY_URL")
        self.settings = settings
        self.client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        import httpx

        self.client = httpx.AsyncClient(headers={"User-Agent": USER_AGENT}, follow_redirects=False)

    async def load(self, settings: Settings, project: Project | None) -> None:
        """Put the configured data into the remote store with the Graph Store Protocol: each
        named graph, and the merge as the default graph (as the local backends serve it)."""
        if not (settings.bundled or settings.data or settings.graphs):
            return
        if not settings.remote_store_url:
            raise ValueError("loading data into a remote store needs AIGRAPH_REMOTE_STORE_URL")
        import httpx

        from aigraph.server.data import load_authoritative

        snap = await asyncio.to_thread(lambda: snapshot(load_authoritative(settings, project)))
        assert self.client is not None
        for graph in [*snap.named_graphs(), ox.DefaultGraph()]:
            body = snap.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
            params = (
                {"default": ""} if isinstance(graph, ox.DefaultGraph) else {"graph": graph.value}
            )
            try:
                response = await self.client.put(
                    settings.remote_store_url,
                    params=params,
                    content=body,
                    headers={"Content-Type": "application/n-triples"},
                    timeout=60,
                )
            except httpx.HTTPError as exc:
                raise BackendUnavailableError(
                    f"could not load data into {settings.remote_store_url}: {exc}"
                ) from exc
            if response.status_code >= 300:
                raise BackendUnavailableError(
                    f"{settings.remote_store_url} refused the data: "
                    f"{response.status_code} {response.text[:200]}"
                )

    async def run(self, job: Job, timeout: float) -> Outcome:
        import httpx

        assert self.client is not None
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("default-graph-uri", g) for g in job.default_graphs or []
        ]
        params += [("named-graph-uri", g) for g in job.named_graphs or []]
        accept = {
            "SELECT": "application/sparql-results+json",
            "ASK": "application/sparql-results+json",
            "CONSTRUCT": "application/n-triples",
            "DESCRIBE": "application/n-triples",
        }.get(job.form or "", "application/sparql-results+json, application/n-triples;q=0.9")
        try:
            response = await self.client.post(
                self.settings.remote_query_url or "",
                params=params,
                content=job.sparql.encode(),
                headers={"Content-Type": "application/sparql-query", "Accept": accept},
                timeout=timeout,
            )
        except httpx.TimeoutException:
            raise QueryTimeoutError(timeout) from None
        except httpx.HTTPError as exc:
            raise BackendUnavailableError(f"the remote store did not answer: {exc}") from exc
        if response.status_code == 400:
            return Outcome(400, "text/plain; charset=utf-8", response.content, "error")
        if response.status_code >= 300:
            raise BackendUnavailableError(
                f"the remote store answered {response.status_code}: {response.text[:300]}"
            )
        media = response.headers.get("content-type", "").split(";")[0].strip()
        return await asyncio.to_thread(self._answer, response.content, media, job)

    @staticmethod
    def _answer(body: bytes, media: str, job: Job) -> Outcome:
        if media in ("application/sparql-results+json", "application/json"):
            results = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            outcome = answer(results, job)
        else:
            fmt = ox.RdfFormat.from_media_type(media)
            if fmt is None:
                raise BackendUnavailableError(
                    f"the remote store answered in an unexpected format: {media}"
                )
            outcome = answer(ox.parse(body, format=fmt), job)
        assert outcome is not None  # with no sink to stream to, an answer comes whole
        return outcome

    async def graph_exists(self, name: str) -> bool:
        job = Job(
            f"ASK {{ GRAPH <{name}> {{ ?s ?p ?o }} }}",
            form="ASK",
            media_types={"boolean": "application/sparql-results+json"},
        )
        outcome = await self.run(job, self.settings.query_timeout)
        return b"true" in outcome.body

    async def update(
        self, text: str, base_iri: str | None = None, timeout: float | None = None
    ) -> None:
        raise ProtocolError(
            403, "this server forwards reads to a remote store; write to it directly"
        )

    async def write_graph(
        self, name: str | None, body: bytes, fmt: ox.RdfFormat, replace: bool
    ) -> bool:
        raise ProtocolError(
            403, "this server forwards reads to a remote store; write to it directly"
        )

    async def delete_graph(self, name: str | None) -> bool:
        raise ProtocolError(
            403, "this server forwards reads to a remote store; write to it directly"
        )

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
