"""A query worker: a separate process holding its own copy (or read-only view) of the store.

Why processes: Oxigraph evaluates a query in Rust with no way to cancel it from Python, and
a Python thread cannot be killed. A worker whose query runs past the time limit is killed by
the pool and replaced, so the time limit really stops the work and frees the resources;
meanwhile the other workers keep answering. The worker also serialises the answer, so that
the server process only moves bytes.

This module is imported in every worker: it imports pyoxigraph and the serialisers, nothing
of the web stack.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import resource
import select
import signal
import socket
import threading
import time
from collections.abc import AsyncGenerator, Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from aigraph.engine import merged_only
from aigraph.serialize import (
    BOOLEAN_SERIALIZERS,
    GRAPH_FORMATS,
    JSONLD_COMPACTED,
    SOLUTION_WRITERS,
    STREAMABLE_GRAPHS,
    Term,
    column_order,
    compact_jsonld,
    serialize_graph,
    used_prefixes,
)

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000


@dataclass(frozen=True)
class StoreSource:
    """Where a worker gets its data: an N-Quads dump to load in memory, or an on-disk store
    to open read-only."""

    kind: str  # "dump" | "disk"
    path: str
    # named graphs without a triple, which a quad dump has no line for (SPARQL 1.1 Update's
    # CREATE GRAPH, an empty Graph Store PUT make them; `GRAPH <g> {}` matches them)
    empty_graphs: tuple[str, ...] = ()


@dataclass
class Job:
    """One request for a worker. Terms are plain tuples so that the job pickles cheaply."""

    sparql: str
    form: str | None = None  # SELECT, ASK, CONSTRUCT, DESCRIBE as sniffed; None if unknown
    base_iri: str | None = None  # relative IRIs resolve against the request URL
    describe: str | None = None  # instead of a query: the description of this entity IRI
    provenance_graph: str = "https://w3id.org/aigraph/id/graph/provenance"
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    # (variable, "iri"|"literal", value, datatype or None, language or None)
    substitutions: list[tuple[str, str, str, str | None, str | None]] = field(default_factory=list)
    # media types to use for each kind of answer, chosen by the server before running
    media_types: dict[str, str] = field(default_factory=dict)
    max_rows: int | None = None
    prefixes: dict[str, str] | None = None
    # False when the query reads only the default graph (no GRAPH, FROM, NAMED, no protocol
    # dataset): it may then run on the worker's store of the merged triples alone
    uses_graphs: bool = True
    # an answer that grows past this many bytes is sent in chunks as it is written
    # (0: never; only for callers that can stream, see Outcome.streamed)
    stream_after: int = 0
    # for `SELECT *`: the columns in this order (the query's), not the engine's (sniff.py)
    column_order: tuple[str, ...] = ()
    # in a graph answer, this subject's triples come first (the ontology document's header)
    first_subject: str | None = None


@dataclass
class Outcome:
    """What a worker answers: an HTTP status, the body and what it is."""

    status: int
    media_type: str
    body: bytes
    kind: str = ""  # "solutions" | "boolean" | "graph" | "error"
    rows: int = 0
    truncated: bool = False
    # True: `body` is only the beginning; the worker goes on with ("chunk", bytes) messages
    # and ends with ("end", rows, truncated), or ("abort", message) on an error
    streamed: bool = False
    # in the server, for a streamed answer: the chunks after `body` (set by the pool)
    rest: AsyncGenerator[bytes, None] | None = None


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_statm: list[int] = []  # a descriptor of /proc/self/statm, kept open (read after every job)


def resident_bytes() -> int:
    """This process's resident set size (Linux /proc; 0 elsewhere)."""
    try:
        if not _statm:
            _statm.append(os.open("/proc/self/statm", os.O_RDONLY))
        return int(os.pread(_statm[0], 128, 0).split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def data_bytes() -> int:
    """This process's data segment as the kernel counts it against RLIMIT_DATA (VmData in
    /proc/self/status: the heap and private writable mappings; 0 where unknown)."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def limit_memory(allowance: int | None) -> None:
    """Let this worker allocate at most `allowance` bytes more than it holds now (its store
    loaded); None lifts the limit again (to the hard limit). RLIMIT_DATA, not RLIMIT_AS: it
    counts what a query allocates (malloc's heap and anonymous mappings, Rust's and Python's
    alike) but not the files an on-disk store maps. Past it an allocation fails: Python
    raises MemoryError (answered by the worker, which lives on), Oxigraph's Rust aborts the
    process (SIGABRT), which the pool reports as the query's memory limit. Without the limit, one
    query doubling a string (CONCAT) reached 1.9 GB in 3.8 s, and a few such queries could
    take the machine's memory within their time limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    soft = data_bytes() + allowance if allowance is not None else hard
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
    # an abort at the limit would otherwise write a core file the size of the worker
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))


def memory_message(allowance_mb: int) -> str:
    """What a client reads when its query needed more memory than one query may use."""
    return (
        f"The query needed more memory than this server lets one query use ({allowance_mb:,} "
        "MiB) and was stopped; narrow it down (LIMIT, more specific patterns, fewer long "
        "strings built)."
    )


PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to kill this worker when the server process dies (prctl PR_SET_PDEATHSIG),
    so that a killed server never leaves workers behind."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def unshare_network() -> bool:
    """Move this process into a new, empty network namespace: no interface but a loopback
    that is down, so no connection can leave it. Needs root, or unprivileged user
    namespaces. Returns whether it worked."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    if libc.unshare(CLONE_NEWNET) == 0:
        return True
    return libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0


def open_store(source: StoreSource) -> ox.Store:
    if source.kind == "disk":
        return ox.Store.read_only(source.path)
    store = ox.Store()
    # read with the dump's labels (a store's loader gives every blank node a fresh one):
    # a blank node in an answer keeps its label from one snapshot to the next, and is the
    # one the server's own store and pages show
    store.bulk_extend(ox.parse(path=source.path, format=ox.RdfFormat.N_QUADS))
    for name in source.empty_graphs:
        store.add_graph(ox.NamedNode(name))
    return store


@dataclass
class Stores:
    full: ox.Store
    facts: ox.Store | None = None  # None: every query runs on the full store

    def for_job(self, job: Job) -> ox.Store:
        if job.uses_graphs or job.describe is not None or self.facts is None:
            return self.full
        return self.facts


def open_stores(source: StoreSource) -> Stores:
    full = open_store(source)
    if source.kind == "disk":
        # a disk store may be larger than memory: its merged triples are a second on-disk
        # store beside it (aigraph.server.data.write_facts), opened read-only if complete
        facts = source.path + ".facts"
        complete = os.path.exists(os.path.join(facts, "aigraph-complete"))
        return Stores(full, ox.Store.read_only(facts) if complete else None)
    return Stores(full, merged_only(full))


def _term(
    kind: str, value: str, datatype: str | None, lang: str | None
) -> ox.NamedNode | ox.Literal:
    if kind == "iri":
        return ox.NamedNode(value)
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(value, datatype=ox.NamedNode(datatype) if datatype else None)


def _error(status: int, message: str) -> Outcome:
    return Outcome(status, "text/plain; charset=utf-8", message.encode("utf-8"), kind="error")


Emit = Callable[[object], None]

#: Rows (or triples) written at a time: big enough that a batch costs one serialiser call,
#: small enough that a streamed answer flows.
BATCH = 1000


def run_job(
    store: ox.Store,
    job: Job,
    emit: Emit | None = None,
    facts: ox.Store | None = None,
    memory_mb: int = 0,
) -> Outcome | None:
    """Evaluate one query (or describe one entity) and serialise the answer. With `emit`, an
    answer past `job.stream_after` bytes is sent through it as it is written, and None is
    returned (everything, the end included, has been emitted). MemoryError (the worker's
    memory limit, `memory_mb` MiB a query) propagates, unless part of the answer has been
    sent: then the answer is aborted, naming the limit."""
    if job.describe is not None:
        return describe_job(store, job, facts)
    kwargs: dict[str, object] = {"base_iri": job.base_iri}
    try:
        if job.default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs] or [
                ox.DefaultGraph()
            ]
        if job.named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
        if job.substitutions:
            kwargs["substitutions"] = {
                ox.Variable(v): _term(kind, value, datatype, lang)
                for v, kind, value, datatype, lang in job.substitutions
            }
    except ValueError as exc:  # the server checks graph names and parameters first
        return _error(400, f"Not a valid term: {exc}")
    sink = _Sink(job, emit)
    try:
        return answer(store.query(job.sparql, **kwargs), job, sink)  # type: ignore[arg-type]
    except SyntaxError as exc:
        return _error(400, f"The query does not parse: {exc}")
    except MemoryError:  # Python's side reached the limit (limit_memory): it frees and lives
        if sink.streaming:  # the client already has a 200 and part of the answer
            sink.abort(memory_message(memory_mb))
            return None
        raise  # the caller says so as it says Oxigraph's abort at the limit
    except Exception as exc:  # an engine error, or a bug of ours: the worker answers and lives
        if sink.streaming:  # the client already has a 200 and part of the answer
            sink.abort(f"The query failed: {exc}")
            return None
        return _error(500, f"The query failed: {exc}")


class _Sink:
    """Where an answer's bytes go: kept whole, or, once they pass the job's threshold and
    the caller can stream, sent on in chunks."""

    def __init__(self, job: Job, emit: Emit | None) -> None:
        self.threshold = job.stream_after if emit is not None else 0
        self.emit = emit
        self.parts: list[bytes] = []
        self.size = 0
        self.streaming = False

    def write(self, data: bytes, media: str, kind: str) -> None:
        if not data:
            return
        if self.streaming:
            assert self.emit is not None
            self.emit(("chunk", data))
            return
        self.parts.append(data)
        self.size += len(data)
        if self.threshold and self.size > self.threshold:
            assert self.emit is not None
            self.emit(Outcome(200, media, b"".join(self.parts), kind, streamed=True))
            self.parts, self.streaming = [], True

    def finish(self, media: str, kind: str, rows: int, truncated: bool) -> Outcome | None:
        if self.streaming:
            assert self.emit is not None
            self.emit(("end", rows, truncated))
            return None
        return Outcome(200, media, b"".join(self.parts), kind, rows, truncated)

    def abort(self, message: str) -> None:
        assert self.emit is not None
        self.emit(("abort", message))


def answer(
    results: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Iterable[ox.Triple],
    job: Job,
    sink: _Sink | None = None,
) -> Outcome | None:
    """Serialise an answer (from the local engine or parsed from a remote store), keeping at
    most `job.max_rows` rows or triples and saying whether some were cut."""
    sink = sink or _Sink(job, None)
    limit = job.max_rows
    if isinstance(results, ox.QueryBoolean):
        media = job.media_types.get("boolean", "application/sparql-results+json")
        if media not in BOOLEAN_SERIALIZERS:
            return _error(406, f"{media} is not a format for ASK answers")
        return Outcome(200, media, BOOLEAN_SERIALIZERS[media](bool(results)), "boolean", 1)
    if isinstance(results, ox.QuerySolutions):
        media = job.media_types.get("solutions", "application/sparql-results+json")
        if media not in SOLUTION_WRITERS:
            return _error(406, f"{media} is not a format for SELECT answers")
        variables = [v.value for v in results.variables]
        order = column_order(variables, job.column_order)
        if order is not None:
            variables = [variables[i] for i in order]
        writer = SOLUTION_WRITERS[media](variables)
        sink.write(writer.head(), media, "solutions")
        batch: list[list[Term | None]] = []
        count, truncated = 0, False
        for solution in results:
            if limit is not None and count >= limit:
                truncated = True
                break
            values = list(solution)  # the values in the engine's order of variables
            batch.append(values if order is None else [values[i] for i in order])
            count += 1
            if len(batch) == BATCH:
                sink.write(writer.rows(batch), media, "solutions")
                batch = []
        sink.write(writer.rows(batch) + writer.tail(), media, "solutions")
        return sink.finish(media, "solutions", count, truncated)
    media = job.media_types.get("graph", "text/turtle")
    if media not in GRAPH_FORMATS:
        return _error(406, f"{media} is not a format for CONSTRUCT or DESCRIBE answers")
    if media not in STREAMABLE_GRAPHS:
        sink = _Sink(job, None)  # one tree (JSON-LD, RDF/XML): written whole
    triples: list[ox.Triple] = []
    count, truncated, first = 0, False, True
    for item in results:
        if limit is not None and count >= limit:
            truncated = True
            break
        triples.append(item if isinstance(item, ox.Triple) else item.triple)
        count += 1
        if len(triples) == BATCH and media in STREAMABLE_GRAPHS:
            # prefixes are declared once, in the first batch; later ones use full IRIs
            sink.write(
                serialize_graph(triples, media, job.prefixes if first else None, job.first_subject),
                media,
                "graph",
            )
            triples, first = [], False
    try:
        last = serialize_graph(triples, media, job.prefixes if first else None, job.first_subject)
    except (ValueError, OSError) as exc:  # pyoxigraph reports a format's limits as OSError
        if sink.streaming:
            raise
        return _cannot_carry(media, exc)
    sink.write(last, media, "graph")
    return sink.finish(media, "graph", count, truncated)


def describe_job(store: ox.Store, job: Job, facts: ox.Store | None = None) -> Outcome:
    from aigraph.server.describe import describe, reading_order

    media = job.media_types.get("graph", "text/turtle")
    entity = job.describe or ""
    try:
        quads, truncated = describe(store, entity, job.provenance_graph, facts, job.max_rows)
    except (ValueError, SyntaxError) as exc:  # SyntaxError: an IRI the checks let through
        return _error(400, str(exc))
    quads = reading_order(quads, entity)
    try:
        if media in ("application/trig", "application/n-quads", "application/ld+json"):
            fmt = GRAPH_FORMATS[media]
            if job.prefixes and media == "application/trig":
                used = used_prefixes(quads, job.prefixes)
                body = ox.serialize(quads, format=fmt, prefixes=used) or b""
            else:
                body = ox.serialize(quads, format=fmt) or b""
        elif media == JSONLD_COMPACTED:  # the claims' graphs kept, as in expanded JSON-LD
            body = compact_jsonld(ox.serialize(quads, format=ox.RdfFormat.JSON_LD) or b"[]")
        else:
            triples = list(
                dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads)
            )
            # with the graphs gone, a subject's triples from several graphs are one block
            body = serialize_graph(triples, media, job.prefixes, first=entity)
    except (ValueError, OSError) as exc:  # e.g. JSON-LD and RDF 1.2 triple terms
        return _cannot_carry(media, exc)
    return Outcome(200, media, body, "graph", len(quads), truncated)


def _cannot_carry(media: str, exc: Exception) -> Outcome:
    """A format that cannot carry the answer (JSON-LD has no RDF 1.2 triple terms): the
    client asked for what we cannot give, so 406 (RFC 9110 §15.5.7), not a 500."""
    others = ", ".join(m for m in GRAPH_FORMATS if m != media)
    return _error(406, f"{media} cannot carry this answer ({exc}); ask for one of {others}")


#: Seconds past a job's deadline at which the kernel ends the worker if the server has not
#: (SIGALRM, whose default action is to terminate: no Python code needs to run for it).
DEADLINE_GRACE = 1.0
#: Seconds an idle worker sleeps before it looks at the queue again, woken or not.
IDLE_POLL = 0.1
#: The largest job message the queue carries; a larger job is sent on the worker's socket.
JOB_BYTES = 64 * 1024
#: A worker's answer to a job that reached its memory limit in Python (MemoryError).
MEMORY_EXCEEDED = ("memory",)
#: Slots of the table of cancelled jobs (a job's slot is its id modulo this).
CANCELLED_SLOTS = 4096


@dataclass
class Shared:
    """What every worker shares with the server: the queue of jobs (one SOCK_SEQPACKET socket
    read by every worker: a job is taken by whichever worker is free, whole) and three tables
    in shared memory — the id of the job each worker runs (by slot), ids of jobs given up
    while they waited, and ids of jobs a worker took to run (both at id modulo
    CANCELLED_SLOTS)."""

    jobs: socket.socket
    running: Any  # ctypes array of int64, one per worker slot
    cancelled: Any  # ctypes array of int64, CANCELLED_SLOTS long
    # a job that ran to its end just as its time limit passed is no longer in `running`:
    # this tells the server it was run (a 503 "stopped at the limit"), not left waiting
    # (a 503 "busy")
    taken: Any  # ctypes array of int64, CANCELLED_SLOTS long


#: Bytes of stack per character of the longest query accepted, for the thread that runs
#: jobs. Oxigraph's parser and evaluator recurse once per link of a chain (``!!…!true``,
#: ``1+1+…``, ``a|b|…``, a run of BIND, FILTER, MINUS, OPTIONAL or UNION): on the 8 MiB stack
#: of a process's main thread, 2,600 BINDs or MINUSes (a query of 24–40 KB) or 9,000 ``!``
#: overflowed it, and the worker died (SIGSEGV) and had to be replaced. Measured: every such
#: chain of 100,000 characters runs with 128 MiB; ``!`` needs the most, about 0.9 KB a
#: character. 2.5 KiB a character gives more than twice that.
STACK_PER_QUERY_CHAR = 2560
#: The job thread's stack at least and at most (a stack is reserved, not used, until needed).
STACK_BOUNDS = (64 * 2**20, 2**30)


def job_stack_bytes(max_query_chars: int) -> int:
    """The stack of a worker's job thread for queries of at most `max_query_chars`."""
    low, high = STACK_BOUNDS
    return min(max(low, max_query_chars * STACK_PER_QUERY_CHAR), high)


def on_large_stack(stack_bytes: int, work: Callable[..., int | None], *args: Any) -> int | None:
    """`work(*args)` on a thread whose stack is `stack_bytes` (a main thread's is 8 MiB), in
    a worker or an update's child: its result, or None if it raised or the wait was
    interrupted (the thread is a daemon: the process ends with the main thread)."""
    threading.stack_size(stack_bytes)
    result: list[int | None] = []
    thread = threading.Thread(target=lambda: result.append(work(*args)), daemon=True)
    thread.start()
    with contextlib.suppress(KeyboardInterrupt):
        thread.join()
    return result[0] if result else None


def worker_main(
    conn: Connection,
    source: StoreSource,
    sandbox: bool,
    shared: Shared,
    slot: int,
    max_rss: int,
    max_memory: int = 0,
    errors: Connection | None = None,
    stack_bytes: int = STACK_BOUNDS[0],
) -> None:
    """The worker's loop: open the store, say ready, then answer jobs from the shared queue,
    and the server's messages on `conn` (reload, stop), until told to stop (None).

    Each answer's messages are `(job id, message)` on `conn`. A job whose deadline has passed,
    or that was cancelled, before it was taken is skipped. A job is bounded by the kernel
    too: a timer (SIGALRM) ends the process `DEADLINE_GRACE` after the deadline, should the
    server not have killed it. Past `max_rss` bytes after a job (0: never), the worker says
    so and leaves, for a fresh one to take its place. A job may allocate `max_memory` bytes
    beyond what the worker holds with its store loaded (0: no limit; `limit_memory`). What
    the worker writes to its standard error goes to `errors`, which the server reads. Jobs
    run on a thread whose stack is `stack_bytes` (`job_stack_bytes`)."""
    if errors is not None:
        os.dup2(errors.fileno(), 2)
        errors.close()
    die_with_parent()
    if os.getppid() == 1:  # the server died before we could ask
        return
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # signal handlers: the main thread only
    # the namespace before the thread: a thread starts in its creator's namespaces
    sandboxed = unshare_network() if sandbox else False
    # the thread before the memory limit, which counts from what the worker then holds (the
    # stack's reservation included)
    on_large_stack(stack_bytes, _serve, conn, source, sandboxed, shared, slot, max_rss, max_memory)


def _serve(
    conn: Connection,
    source: StoreSource,
    sandboxed: bool,
    shared: Shared,
    slot: int,
    max_rss: int,
    max_memory: int,
) -> None:
    """The worker's loop (worker_main), on the thread with the large stack."""
    stores = open_stores(source)
    if max_memory:
        limit_memory(max_memory)
        # no Rust backtraces: capturing one allocates, and at the limit the backtrace's own
        # allocation failed and the worker hung until the time limit killed it; without it
        # the query was stopped at once (measured: at the 20 s time limit, against 0.18 s)
        os.environ["RUST_BACKTRACE"] = "0"
    baseline = resident_bytes()
    conn.send(("ready", os.getpid(), sandboxed, baseline))
    # EPOLLEXCLUSIVE: a job wakes one idle worker, not all of them (each would wake, one
    # would take it and the others sleep again: a cost on every job when the server is idle)
    poller = select.epoll()
    poller.register(conn.fileno(), select.EPOLLIN)
    poller.register(shared.jobs.fileno(), select.EPOLLIN | select.EPOLLEXCLUSIVE)
    deferred: list[object] = []  # the server's messages that came while a job was fetched
    while True:
        while deferred:
            message = deferred.pop(0)
            if message is None:
                return
            if isinstance(message, tuple) and message[0] == "reload":
                _, jid, new_source = message
                if max_memory:  # the new data may be larger: its loading is not a query
                    limit_memory(None)
                stores = open_stores(new_source)
                if max_memory:
                    limit_memory(max_memory)
                baseline = resident_bytes()
                conn.send((jid, ("reloaded",)))
        try:
            # not for ever: on kernels whose exclusive wake-ups can pass over an idle worker
            # (before Linux 6.0's auto-removing epoll waits), a waiting job is seen anyway
            ready = {fd for fd, _ in poller.poll(IDLE_POLL)}
        except KeyboardInterrupt:
            return
        if conn.fileno() in ready:
            try:
                deferred.append(conn.recv())
            except (EOFError, KeyboardInterrupt):
                return
            continue
        try:
            data = shared.jobs.recv(JOB_BYTES, socket.MSG_DONTWAIT)
        except BlockingIOError:  # another worker took it
            continue
        if not data:
            return  # the server closed the queue
        jid, deadline, job = pickle.loads(data)
        # the slot first, then the checks: a server that finds the slot empty past the
        # deadline (or on cancelling) knows this worker will see the deadline (or the mark)
        shared.running[slot] = jid
        now = time.monotonic()
        if now >= deadline or shared.cancelled[jid % CANCELLED_SLOTS] == jid:
            shared.running[slot] = 0
            continue
        shared.taken[jid % CANCELLED_SLOTS] = jid
        signal.setitimer(signal.ITIMER_REAL, deadline - now + DEADLINE_GRACE)
        if job is None:  # too large for the queue: the server sends it on our own socket
            job = _fetch(conn, jid, deferred)
            if job is None:  # given up meanwhile
                signal.setitimer(signal.ITIMER_REAL, 0)
                shared.running[slot] = 0
                continue

        def emit(message: object, jid: int = jid) -> None:
            conn.send((jid, message))

        try:
            outcome = run_job(stores.for_job(job), job, emit, stores.facts, max_memory // 2**20)
        except MemoryError:
            emit(MEMORY_EXCEEDED)  # the pool raises QueryMemoryError
            outcome = None
        except Exception as exc:  # a job the checks let through: answered, never fatal
            outcome = _error(500, f"The query could not be run: {exc}")
        if outcome is not None:  # None: streamed, and ended by its last message
            emit(outcome)
        signal.setitimer(signal.ITIMER_REAL, 0)
        shared.running[slot] = 0
        # over the limit, or holding twice what the store needs (a big store's own size is
        # not a reason to recycle: the limit is relative to what the worker started with)
        if max_rss and (rss := resident_bytes()) > max(max_rss, 2 * baseline):
            conn.send((0, ("recycled", rss)))
            return


def _fetch(conn: Connection, jid: int, deferred: list[object]) -> Job | None:
    """A job too large for the queue: ask the server for it on our own socket (None if it
    was given up meanwhile). The server's other messages meanwhile are kept in `deferred`,
    for after the job."""
    conn.send((jid, ("fetch",)))
    while True:
        message = conn.recv()
        if isinstance(message, tuple) and message[0] == "job" and message[1] == jid:
            job = message[2]
            assert job is None or isinstance(job, Job)
            return job
        deferred.append(message)
