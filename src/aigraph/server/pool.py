"""The pool of query workers (aigraph.server.worker), driven from the event loop.

- A request takes an idle worker (waiting at most its time limit: a busy server answers 503,
  it does not queue forever), sends the job, and waits for the answer on the event loop:
  the server's end of the worker's socket is an asyncio protocol that collects the answer's
  frames as they arrive (no thread hand-off, and the loop never blocks on a large answer).
- Past the time limit the worker is killed (SIGKILL: the Rust evaluation stops with the
  process) and a fresh one is started in the background; the client gets a 503 saying so.
- A crashed worker is replaced the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import pickle
import socket
import struct
import sys
import time
from collections import deque
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from aigraph.server.worker import Job, Outcome, StoreSource, worker_main

# "spawn": a worker starts from a clean interpreter (no copy of the server's threads, locks
# or sockets, which "fork" would inherit from a running uvicorn process).
_CONTEXT = mp.get_context("spawn")

_NONE = pickle.dumps(None)
_STOP = struct.pack("!i", len(_NONE)) + _NONE  # a framed None: the worker's signal to stop


class QueryTimeoutError(Exception):
    """The query ran past its time limit; its worker was killed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class PoolBusyError(Exception):
    """No worker became free within the request's time limit."""


class WorkerCrashedError(Exception):
    """The worker died while answering."""


class StreamStoppedError(Exception):
    """A streamed answer could not be finished (the client already has its beginning: the
    server ends the response without its last chunk, so the client sees it incomplete)."""


class Channel(asyncio.Protocol):
    """The server's end of a worker's socket, read by the event loop. Messages are framed as
    multiprocessing.Connection frames them (a 4-byte big-endian length, or -1 and an 8-byte
    length, then the pickle), so that the worker keeps its plain blocking Connection.

    Messages wait in a queue until taken. A streamed answer may arrive faster than its
    client reads it: past `high_water` bytes waiting, the channel stops reading the socket,
    the worker's writes block, and the worker pauses until the client catches up."""

    high_water = 4 * 2**20

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.messages: deque[tuple[object, int]] = deque()
        self.queued = 0  # bytes of the messages waiting
        self.paused = False
        self.waiter: asyncio.Future[None] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (taken := self._take()) is not None:
            self.messages.append(taken)
            self.queued += taken[1]
        # only complete messages count: a message larger than the mark must still arrive
        if self.queued > self.high_water and not self.paused:
            assert self.transport is not None
            self.transport.pause_reading()
            self.paused = True
        self._wake()

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

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._wake()

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

    async def receive(self) -> object:
        """The next message from the worker (EOFError once it has closed its socket)."""
        while not self.messages:
            if self.closed:
                raise EOFError("the worker closed its socket")
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        message, size = self.messages.popleft()
        self.queued -= size
        if self.paused and self.queued <= self.high_water // 2:
            assert self.transport is not None
            self.paused = False
            self.transport.resume_reading()
        return message

    async def request(self, message: object) -> object:
        """Send `message` and wait for the worker's (first) answer."""
        self.send(message)
        return await self.receive()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


@dataclass
class Worker:
    process: BaseProcess
    conn: Connection
    sandboxed: bool = False
    served: int = 0
    baseline: int = 0  # resident memory once its store is loaded
    channel: Channel | None = None  # the event loop's end of `conn`, once attached

    async def attach(self) -> None:
        """Hand the server's end of the socket from the blocking Connection (used while
        the worker starts) to the event loop."""
        sock = socket.socket(fileno=os.dup(self.conn.fileno()))
        self.conn.close()
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        _, self.channel = await loop.create_unix_connection(Channel, sock=sock)

    async def request(self, message: object) -> object:
        assert self.channel is not None
        return await self.channel.request(message)

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            if self.channel is not None:
                self.channel.close()
            else:
                self.conn.close()
        with contextlib.suppress(Exception):
            self.process.join(timeout=2)


def _start_worker(source: StoreSource, sandbox: bool) -> Worker:
    parent, child = _CONTEXT.Pipe()
    process = _CONTEXT.Process(
        target=worker_main, args=(child, source, sandbox), daemon=True, name="aigraph-worker"
    )
    process.start()
    child.close()
    if not parent.poll(120):
        process.kill()
        raise RuntimeError("a query worker did not start within 120 s")
    message = parent.recv()
    if not (isinstance(message, tuple) and message[0] == "ready"):
        process.kill()
        raise RuntimeError(f"a query worker failed to start: {message!r}")
    baseline = int(message[3]) if len(message) > 3 else 0
    return Worker(process, parent, sandboxed=bool(message[2]), baseline=baseline)


@dataclass
class WorkerPool:
    """`size` workers over one store source."""

    source: StoreSource
    size: int = 4
    sandbox: bool = True
    #: a worker that holds more memory than this after a job is replaced (0: never): a
    #: query that needed a lot (a big sort, a wide join) does not keep it for the next ones
    max_rss: int = 0
    recycled: int = 0
    _idle: asyncio.Queue[Worker] = field(default_factory=asyncio.Queue)
    _all: list[Worker] = field(default_factory=list)
    _threads: ThreadPoolExecutor | None = None
    _pending: set[asyncio.Task[None]] = field(default_factory=set)
    _closed: bool = False
    killed: int = 0
    started: float = 0.0

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        # threads only start workers (a blocking wait for their "ready")
        self._threads = ThreadPoolExecutor(4, thread_name_prefix="aigraph-pool")
        started = await asyncio.gather(
            *(
                loop.run_in_executor(self._threads, _start_worker, self.source, self.sandbox)
                for _ in range(self.size)
            )
        )
        for worker in started:
            await worker.attach()
            self._all.append(worker)
            self._idle.put_nowait(worker)
        self.started = time.time()

    @property
    def sandboxed(self) -> bool:
        return bool(self._all) and all(w.sandboxed for w in self._all)

    async def run(self, job: Job, timeout: float) -> Outcome:
        """Run `job` on a worker within `timeout` seconds (waiting for a worker included)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            worker = self._idle.get_nowait()
        except asyncio.QueueEmpty:
            try:
                worker = await asyncio.wait_for(self._idle.get(), timeout)
            except TimeoutError:
                raise PoolBusyError() from None
        try:
            async with asyncio.timeout_at(max(deadline, loop.time() + 0.001)):
                outcome = await worker.request(job)
        except TimeoutError:
            self._replace(worker)
            raise QueryTimeoutError(timeout) from None
        except (EOFError, OSError, pickle.UnpicklingError):
            self._replace(worker)
            raise WorkerCrashedError() from None
        except asyncio.CancelledError:
            # the client went away mid-query: the worker is still busy with it, so it cannot
            # go back to the idle queue; a fresh one takes its place
            self._replace(worker)
            raise
        assert isinstance(outcome, Outcome)
        if outcome.streamed:
            # the worker goes on sending: it stays checked out until the end of the answer
            outcome.rest = self._rest(worker, deadline, outcome)
            return outcome
        self._release(worker, outcome.rss)
        return outcome

    def _release(self, worker: Worker, rss: int) -> None:
        worker.served += 1
        # over the limit, or holding twice what the store needs (a big store's own size is
        # not a reason to recycle: the limit is relative to what the worker started with)
        if self.max_rss and rss > max(self.max_rss, 2 * worker.baseline):
            self.recycled += 1
            self._replace(worker)
        else:
            self._idle.put_nowait(worker)

    async def _rest(
        self, worker: Worker, deadline: float, outcome: Outcome
    ) -> AsyncIterator[bytes]:
        """The rest of a streamed answer, chunk by chunk, within the job's time limit. The
        worker goes back to the pool after the end; if the answer stops early (the time
        limit, an error, the client gone), it is replaced: it may still be writing."""
        assert worker.channel is not None
        finished = False
        try:
            while True:
                try:
                    async with asyncio.timeout_at(deadline):
                        message = await worker.channel.receive()
                except TimeoutError:
                    raise StreamStoppedError("the time limit ended the answer") from None
                except (EOFError, OSError, pickle.UnpicklingError):
                    raise StreamStoppedError("the query worker stopped mid-answer") from None
                assert isinstance(message, tuple)
                if message[0] == "chunk":
                    yield message[1]
                elif message[0] == "end":
                    _, outcome.rows, outcome.truncated, rss = message
                    finished = True
                    self._release(worker, rss)
                    return
                else:  # ("abort", why)
                    raise StreamStoppedError(str(message[1]))
        finally:
            if not finished:
                self._replace(worker)

    def _replace(self, worker: Worker) -> None:
        """Kill `worker` and start another in the background."""
        self.killed += 1
        worker.kill()
        if worker in self._all:
            self._all.remove(worker)
        if self._closed:
            return
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._threads, _start_worker, self.source, self.sandbox)

        async def enlist() -> None:
            try:
                new = await future
                await new.attach()
            except Exception as exc:  # reported; the pool goes on smaller
                sys.stderr.write(f"aigraph: could not restart a query worker: {exc}\n")
                return
            if self._closed:
                new.kill()
                return
            self._all.append(new)
            self._idle.put_nowait(new)

        task = loop.create_task(enlist())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def reload(self, source: StoreSource) -> None:
        """Point every worker at new data (after an update), one worker at a time, so that
        the others keep answering meanwhile."""
        self.source = source
        for _ in range(len(self._all)):
            worker = await self._idle.get()
            try:
                await worker.request(("reload", 0, source))
            except (EOFError, OSError):
                self._replace(worker)
                continue
            self._idle.put_nowait(worker)

    async def close(self) -> None:
        self._closed = True
        for worker in list(self._all):
            with contextlib.suppress(Exception):
                if worker.channel is not None and worker.channel.transport is not None:
                    worker.channel.transport.write(_STOP)
        for worker in list(self._all):
            worker.process.join(timeout=2)
            worker.kill()
        self._all.clear()
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)
