"""The pool of query workers (aigraph.server.worker), driven from the event loop.

- Jobs go into one queue that every worker reads: a SOCK_SEQPACKET socket, whose messages
  are taken whole, each by one reader. A job is taken by whichever worker is free, so it
  never waits behind another's long query; and under load a worker that finishes one job
  finds the next already there, without being put to sleep and woken for it (writing to a
  sleeping worker's socket woke it: the largest single cost of the server process under
  load, bench/NOTES.md).
- A worker answers on its own socket, each message tagged with its job's id; the server's
  end is an asyncio protocol that hands the messages to the request that waits for them
  (no thread hand-off, and the loop never blocks on a large answer).
- Which worker runs which job is in shared memory: past a job's time limit the worker
  running it is killed (SIGKILL: the Rust evaluation stops with the process) and a fresh one
  is started in the background; the client gets a 503 saying so. A job still waiting at its
  time limit is a 503 "busy", and is marked so that no worker runs it. A worker's kernel
  timer ends it shortly after its job's deadline in any case.
- A crashed worker is replaced the same way; so is a worker that grew past its memory
  limit (it says so and leaves). A worker's standard error passes through the server (an
  `ErrorStream`), whose last bytes tell why a worker died: an allocation that failed at the
  query's memory limit (a 503 naming the limit), or a panic of the engine (a 500 quoting it).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing as mp
import os
import pickle
import re
import socket
import struct
import sys
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from aigraph.server.worker import (
    CANCELLED_SLOTS,
    JOB_BYTES,
    MEMORY_EXCEEDED,
    STACK_BOUNDS,
    Job,
    Outcome,
    Shared,
    StoreSource,
    worker_main,
)

# "spawn": a worker starts from a clean interpreter (no copy of the server's threads, locks
# or sockets, which "fork" would inherit from a running uvicorn process).
_CONTEXT = mp.get_context("spawn")

_NONE = pickle.dumps(None)
_STOP = struct.pack("!i", len(_NONE)) + _NONE  # a framed None: the worker's signal to stop
#: Bytes of jobs the queue holds before the server waits to add more (the kernel caps it at
#: net.core.wmem_max; beyond, jobs wait in the server for room, within their time limit).
QUEUE_BYTES = 4 * 2**20


class QueryTimeoutError(Exception):
    """The query ran past its time limit; its worker was killed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class QueryMemoryError(Exception):
    """The query needed more memory than one query may use; its worker was replaced."""


class PoolBusyError(Exception):
    """No worker became free within the request's time limit."""


class WorkerCrashedError(Exception):
    """The worker died while answering; `panic` is the engine's panic message, if it
    panicked."""

    def __init__(self, panic: str = "") -> None:
        super().__init__(panic)
        self.panic = panic


class StreamStoppedError(Exception):
    """A streamed answer could not be finished (the client already has its beginning: the
    server ends the response without its last chunk, so the client sees it incomplete)."""


class Channel(asyncio.Protocol):
    """The server's end of a worker's socket, read by the event loop. Messages are framed as
    multiprocessing.Connection frames them (a 4-byte big-endian length, or -1 and an 8-byte
    length, then the pickle), so that the worker keeps its plain blocking Connection. Each
    complete message goes to `deliver`.

    A streamed answer may arrive faster than its client reads it: past `high_water` bytes
    held (delivered, not yet taken), the channel stops reading the socket, the worker's
    writes block, and the worker pauses until the client catches up."""

    high_water = 4 * 2**20

    def __init__(self, deliver: Callable[[Channel, object, int], None]) -> None:
        self.deliver = deliver
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.held = 0  # bytes of messages delivered and not yet taken
        self.paused = False
        self.closed = False
        self.worker: Worker | None = None
        self.lost: Callable[[Channel], None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (taken := self._take()) is not None:
            self.deliver(self, *taken)

    def _take(self) -> tuple[object, int] | None:
        """The first complete message in the buffer and its size, removed from it; None if
        it is incomplete."""
        if len(self.buffer) < 4:
            return None
        (size,) = struct.unpack_from("!i", self.buffer)
        start = 4
        if size == -1:
            if len(self.buffer) < 12:
                return None
            (size,) = struct.unpack_from("!Q", self.buffer, 4)
            start = 12
        if len(self.buffer) < start + size:
            return None
        message = pickle.loads(memoryview(self.buffer)[start : start + size])
        del self.buffer[: start + size]
        return message, size

    def hold(self, size: int) -> None:
        self.held += size
        # only complete messages count: a message larger than the mark must still arrive
        if self.held > self.high_water and not self.paused and self.transport is not None:
            self.transport.pause_reading()
            self.paused = True

    def release(self, size: int) -> None:
        self.held -= size
        if self.paused and self.held <= self.high_water // 2 and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.lost is not None:
            self.lost(self)

    def send(self, message: object) -> None:
        if self.closed or self.transport is None:
            raise EOFError("the worker's socket is closed")
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        header = (
            struct.pack("!i", len(payload))
            if len(payload) <= 0x7FFFFFFF
            else struct.pack("!iQ", -1, len(payload))
        )
        self.transport.write(header + payload)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


#: What Rust's allocation-failure handler ("memory allocation of N bytes failed") and Python
#: (a MemoryError that pyo3 prints before it panics on it) write as a worker's allocation
#: fails. Both end the worker at once (abort), so among its last words they name why it died.
OUT_OF_MEMORY_WORDS = (b"memory allocation of ", b"MemoryError")
#: Rust's panic report: "thread '…' panicked at FILE:LINE:COLUMN:" then the message's line.
_PANIC = re.compile(rb"panicked at [^\n]*:\n([^\n]+)")


class ErrorStream(asyncio.Protocol):
    """A worker's standard error (the server's end of a socket pair), read by the event
    loop: passed on to the server's own as it comes (what an operator saw before), its last
    `keep` bytes kept to tell why the worker died (`last_words`).

    A socket, not a pipe: uvloop closes a pipe's descriptor itself and then closes the file
    object given to it, which closes the descriptor again; in a server with threads the
    second close can hit a file another thread has just opened under the same number (a
    test's TLS context failed so, EBADF). uvloop detaches socket objects instead."""

    keep = 4096

    def __init__(self) -> None:
        self.tail = bytearray()
        self.ended = asyncio.Event()  # the worker's end closed: it has died
        self.transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(data.decode("utf-8", "replace"))
            sys.stderr.flush()
        self.tail += data
        del self.tail[: -self.keep]

    def eof_received(self) -> bool | None:
        self.ended.set()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended.set()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    async def last_words(self, wait: float = 1.0) -> bytes:
        """The worker's last bytes, once its end has closed (at most `wait` seconds after
        its death: the loop may see its job socket close first)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.ended.wait(), wait)
        return bytes(self.tail)


def cause_of_death(words: bytes, memory_limited: bool) -> tuple[bool, str]:
    """From a dead worker's last words: whether it died at its memory limit, and the
    engine's panic message if it panicked for another reason ("" if neither)."""
    if memory_limited and any(w in words for w in OUT_OF_MEMORY_WORDS):
        return True, ""
    panics = _PANIC.findall(words)
    return False, panics[-1].decode("utf-8", "replace").strip() if panics else ""


@dataclass
class _Pending:
    """A job (or a reload) waiting for its worker's messages."""

    jid: int
    job: Job | None
    messages: deque[tuple[object, int]] = field(default_factory=deque)
    waiter: asyncio.Future[None] | None = None
    channel: Channel | None = None  # the channel of the worker that answers, once known
    failed: Exception | None = None  # why that worker died, once it has

    def put(self, channel: Channel, message: object, size: int) -> None:
        self.channel = channel
        self.messages.append((message, size))
        channel.hold(size)
        self._wake()

    def fail(self, why: Exception) -> None:
        self.failed = why
        self._wake()

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def receive(self) -> object:
        """The next message for this job (once its worker has died, why: WorkerCrashedError
        or QueryMemoryError)."""
        while not self.messages:
            if self.failed is not None:
                raise self.failed
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        message, size = self.messages.popleft()
        assert self.channel is not None
        self.channel.release(size)
        return message

    def drop(self) -> None:
        """Give up the messages not taken (their bytes no longer hold the channel back)."""
        while self.messages:
            _, size = self.messages.popleft()
            assert self.channel is not None
            self.channel.release(size)


@dataclass
class Worker:
    process: BaseProcess
    conn: Connection
    slot: int  # its place in the shared table of running jobs
    sandboxed: bool = False
    baseline: int = 0  # resident memory once its store is loaded
    channel: Channel | None = None  # the event loop's end of `conn`, once attached
    gone: bool = False  # killed or replaced: its socket's end is not a crash
    errors: Connection | None = None  # the read end of its standard error, until attached
    stderr: ErrorStream | None = None  # the event loop's end of `errors`

    async def attach(
        self, deliver: Callable[[Channel, object, int], None], lost: Callable[[Channel], None]
    ) -> None:
        """Hand the server's end of the socket from the blocking Connection (used while
        the worker starts) to the event loop."""
        sock = socket.socket(fileno=os.dup(self.conn.fileno()))
        self.conn.close()
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        _, channel = await loop.create_unix_connection(lambda: Channel(deliver), sock=sock)
        channel.worker, channel.lost = self, lost
        self.channel = channel
        if self.errors is not None:
            errors = socket.socket(fileno=os.dup(self.errors.fileno()))
            self.errors.close()
            self.errors = None
            errors.setblocking(False)
            _, self.stderr = await loop.create_unix_connection(ErrorStream, sock=errors)

    def kill(self) -> None:
        self.gone = True
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            if self.channel is not None:
                self.channel.close()
            else:
                self.conn.close()
        with contextlib.suppress(Exception):
            self.process.join(timeout=2)


#: How long close() waits for the tasks a dead worker left (its replacement's start).
CLOSE_WAIT = 10.0


def _start_worker(
    source: StoreSource,
    sandbox: bool,
    shared: Shared,
    slot: int,
    max_rss: int,
    max_memory: int = 0,
    stack_bytes: int = STACK_BOUNDS[0],
) -> Worker:
    parent, child = _CONTEXT.Pipe()
    errors, errors_end = _CONTEXT.Pipe()  # its standard error, raw bytes (ErrorStream)
    process = _CONTEXT.Process(
        target=worker_main,
        args=(child, source, sandbox, shared, slot, max_rss, max_memory, errors_end, stack_bytes),
        daemon=True,
        name="aigraph-worker",
    )
    process.start()
    child.close()
    errors_end.close()
    if not parent.poll(120):
        process.kill()
        errors.close()
        raise RuntimeError("a query worker did not start within 120 s")
    message = parent.recv()
    if not (isinstance(message, tuple) and message[0] == "ready"):
        process.kill()
        errors.close()
        raise RuntimeError(f"a query worker failed to start: {message!r}")
    baseline = int(message[3]) if len(message) > 3 else 0
    return Worker(
        process, parent, slot, sandboxed=bool(message[2]), baseline=baseline, errors=errors
    )


@dataclass
class WorkerPool:
    """`size` workers over one store source."""

    source: StoreSource
    size: int = 4
    sandbox: bool = True
    #: a worker that holds more memory than this after a job is replaced (0: never): a
    #: query that needed a lot (a big sort, a wide join) does not keep it for the next ones
    max_rss: int = 0
    #: bytes one job may allocate beyond what its worker holds with the store loaded (0: no
    #: limit); past it the worker dies (worker.limit_memory) and the job fails with
    #: QueryMemoryError
    max_memory: int = 0
    #: the stack of the thread that runs a worker's jobs (worker.job_stack_bytes)
    stack_bytes: int = STACK_BOUNDS[0]
    recycled: int = 0
    killed: int = 0
    started: float = 0.0
    _workers: list[Worker | None] = field(default_factory=list)  # by slot
    _pending: dict[int, _Pending] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _shared: Shared | None = None
    _queue: socket.socket | None = None  # the server's end of the job queue
    _threads: ThreadPoolExecutor | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _closed: bool = False

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with contextlib.suppress(OSError):
            ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, QUEUE_BYTES)
        ours.setblocking(False)
        running = _CONTEXT.RawArray("q", self.size)
        cancelled = _CONTEXT.RawArray("q", CANCELLED_SLOTS)
        taken = _CONTEXT.RawArray("q", CANCELLED_SLOTS)
        # the workers' end stays open here too: workers started later inherit it
        self._queue, self._shared = ours, Shared(theirs, running, cancelled, taken)
        # threads only start workers (a blocking wait for their "ready")
        self._threads = ThreadPoolExecutor(4, thread_name_prefix="aigraph-pool")
        started = await asyncio.gather(
            *(loop.run_in_executor(self._threads, self._start, slot) for slot in range(self.size))
        )
        self._workers = [None] * self.size
        for worker in started:
            await self._enlist(worker)
        self.started = time.time()

    def _start(self, slot: int) -> Worker:
        assert self._shared is not None
        return _start_worker(
            self.source,
            self.sandbox,
            self._shared,
            slot,
            self.max_rss,
            self.max_memory,
            self.stack_bytes,
        )

    async def _enlist(self, worker: Worker) -> None:
        await worker.attach(self._deliver, self._lost)
        self._workers[worker.slot] = worker

    @property
    def sandboxed(self) -> bool:
        workers = [w for w in self._workers if w is not None]
        return bool(workers) and all(w.sandboxed for w in workers)

    @property
    def alive(self) -> int:
        """Workers able to take a job now (not one being started or replaced)."""
        return sum(1 for w in self._workers if w is not None and not w.gone)

    # -- messages from the workers

    def _deliver(self, channel: Channel, message: object, size: int) -> None:
        assert isinstance(message, tuple)
        jid, payload = message
        if jid == 0:  # ("recycled", rss): the worker grew past its limit and leaves
            self.recycled += 1
            if channel.worker is not None:
                self._replace(channel.worker)
            return
        pending = self._pending.get(jid)
        if isinstance(payload, tuple) and payload[0] == "fetch":  # too large for the queue
            # (None: the job was given up meanwhile, and the worker skips it)
            channel.send(("job", jid, pending.job if pending is not None else None))
            return
        if pending is None:
            return  # a job given up (its time limit, its client gone): nobody waits
        pending.put(channel, payload, size)

    def _lost(self, channel: Channel) -> None:
        """A worker's socket closed. Unless we killed it, it died: its job fails, and a
        fresh worker takes its place."""
        worker = channel.worker
        # After close, nothing is left to fail (close failed every job) and no task may
        # start: one started now would outlive the loop, whose end may come before its first
        # step ("coroutine 'Event.wait' was never awaited", seen once in a test run)
        if worker is None or worker.gone or self._closed:
            return
        assert self._shared is not None
        jid = self._shared.running[worker.slot]
        failed = [p for p in self._pending.values() if p.channel is channel or p.jid == jid]
        self._replace(worker)  # (it is dead: killing it only collects its exit status)
        task = asyncio.get_running_loop().create_task(self._fail(worker, failed))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _fail(self, worker: Worker, failed: list[_Pending]) -> None:
        """Fail the jobs of a worker that died, saying why: Rust aborts (SIGABRT) on an
        allocation past the memory limit and on a panic, and its last words say which."""
        words = await worker.stderr.last_words() if worker.stderr is not None else b""
        out_of_memory, panic = cause_of_death(words, bool(self.max_memory))
        for pending in failed:
            pending.fail(QueryMemoryError() if out_of_memory else WorkerCrashedError(panic))

    # -- jobs

    async def run(self, job: Job, timeout: float) -> Outcome:
        """Run `job` on a worker within `timeout` seconds (waiting for a worker included)."""
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        # the deadline the worker checks: the monotonic clock is the same in every process
        deadline = time.monotonic() + timeout
        at = loop.time() + timeout
        jid = next(self._ids)
        pending = self._pending[jid] = _Pending(jid, job)
        try:
            async with asyncio.timeout_at(at):
                payload = pickle.dumps((jid, deadline, job), protocol=pickle.HIGHEST_PROTOCOL)
                if len(payload) > JOB_BYTES:  # the worker fetches it on its own socket
                    payload = pickle.dumps((jid, deadline, None))
                await self._enqueue(payload)
                outcome = await pending.receive()
        except TimeoutError:
            if self._stop(jid):
                raise QueryTimeoutError(timeout) from None
            raise PoolBusyError() from None
        except (QueryMemoryError, WorkerCrashedError):
            self._stop(jid)
            raise
        except (EOFError, OSError, pickle.UnpicklingError):
            self._stop(jid)
            raise WorkerCrashedError() from None
        except asyncio.CancelledError:
            # the client went away: the worker running the job (if one took it) is killed,
            # since it cannot be stopped otherwise, and a fresh one takes its place
            self._stop(jid)
            raise
        if outcome == MEMORY_EXCEEDED:  # MemoryError in the worker's Python; it lives on
            self._forget(jid)
            raise QueryMemoryError()
        assert isinstance(outcome, Outcome)
        if outcome.streamed:
            # the worker goes on sending: the job stays pending until the end of the answer
            outcome.rest = self._rest(pending, at, outcome)
            return outcome
        self._forget(jid)
        return outcome

    async def _enqueue(self, payload: bytes) -> None:
        assert self._queue is not None
        try:
            self._queue.send(payload)
        except BlockingIOError:  # the queue is full: wait for room
            await asyncio.get_running_loop().sock_sendall(self._queue, payload)

    def _running(self, jid: int) -> Worker | None:
        assert self._shared is not None
        for worker in self._workers:
            if worker is not None and self._shared.running[worker.slot] == jid:
                return worker
        return None

    def _stop(self, jid: int) -> bool:
        """Make sure job `jid` runs no more: kill the worker running it, or mark it so that
        no worker takes it. Returns whether a worker took it: it was running (and its worker
        is replaced), or it ran to its end just now and its answer came too late; False if
        it was still waiting for a worker."""
        assert self._shared is not None
        self._forget(jid)
        worker = self._running(jid)
        if worker is None:
            self._shared.cancelled[jid % CANCELLED_SLOTS] = jid
            # a worker may have taken it as we marked it: it checks the mark after saying so
            worker = self._running(jid)
        if worker is None:
            return self._shared.taken[jid % CANCELLED_SLOTS] == jid
        self._replace(worker)
        return True

    def _forget(self, jid: int) -> None:
        pending = self._pending.pop(jid, None)
        if pending is not None:
            pending.drop()

    async def _rest(
        self, pending: _Pending, at: float, outcome: Outcome
    ) -> AsyncGenerator[bytes, None]:
        """The rest of a streamed answer, chunk by chunk, within the job's time limit. If the
        answer stops early (the time limit, an error, the client gone), the worker still
        on it is replaced: it may still be writing."""
        finished = False
        try:
            while True:
                try:
                    async with asyncio.timeout_at(at):
                        message = await pending.receive()
                except TimeoutError:
                    raise StreamStoppedError("the time limit ended the answer") from None
                except QueryMemoryError:
                    raise StreamStoppedError("the query reached its memory limit") from None
                except (WorkerCrashedError, EOFError, OSError, pickle.UnpicklingError):
                    raise StreamStoppedError("the query worker stopped mid-answer") from None
                assert isinstance(message, tuple)
                if message[0] == "chunk":
                    yield message[1]
                elif message[0] == "end":
                    _, outcome.rows, outcome.truncated = message
                    finished = True
                    return
                else:  # ("abort", why)
                    finished = True  # the worker ended it itself and goes on
                    raise StreamStoppedError(str(message[1]))
        finally:
            if finished:
                self._forget(pending.jid)
            else:
                self._stop(pending.jid)

    # -- workers

    def _replace(self, worker: Worker) -> None:
        """Kill `worker` and start another in its slot, in the background."""
        if worker.gone:
            return
        self.killed += 1
        worker.kill()
        if self._shared is not None:
            self._shared.running[worker.slot] = 0
        if self._workers[worker.slot] is worker:
            self._workers[worker.slot] = None
        if self._closed:
            return
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._threads, self._start, worker.slot)

        async def enlist() -> None:
            try:
                new = await future
            except Exception as exc:  # reported; the pool goes on smaller
                sys.stderr.write(f"aigraph: could not restart a query worker: {exc}\n")
                return
            if self._closed:
                new.kill()
                return
            await self._enlist(new)

        task = loop.create_task(enlist())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def reload(self, source: StoreSource) -> None:
        """Point every worker at new data (after an update), one worker at a time, so that
        the others keep answering meanwhile. Workers started from now on load `source`."""
        self.source = source
        for worker in list(self._workers):
            if worker is None or worker.gone or worker.channel is None:
                continue
            jid = next(self._ids)
            pending = self._pending[jid] = _Pending(jid, None, channel=worker.channel)
            try:
                worker.channel.send(("reload", jid, source))
                await pending.receive()
            except (WorkerCrashedError, EOFError, OSError):
                self._replace(worker)  # (if it died, it is being replaced already)
            finally:
                self._forget(jid)

    async def close(self) -> None:
        self._closed = True
        workers = [w for w in self._workers if w is not None]
        for worker in workers:
            with contextlib.suppress(Exception):
                if worker.channel is not None and worker.channel.transport is not None:
                    worker.channel.transport.write(_STOP)
        for worker in workers:
            worker.process.join(timeout=2)
            worker.kill()
            if worker.stderr is not None:
                worker.stderr.close()
        self._workers = [None] * len(self._workers)
        for pending in self._pending.values():
            pending.fail(WorkerCrashedError())
        for sock in (self._queue, self._shared.jobs if self._shared else None):
            if sock is not None:
                sock.close()
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)
        # What a dead worker left runs on: the task that reads its last words (a second at
        # most) and the one that enlists its replacement, which kills it on seeing _closed.
        # Waited for, not cancelled: a cancelled enlisting would leave the process it was
        # starting behind, and a pending task is lost when the loop ends. Bounded: a worker
        # loading a large store takes seconds to start.
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=CLOSE_WAIT)
