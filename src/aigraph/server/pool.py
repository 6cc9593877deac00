"""The pool of query workers (aigraph.server.worker), driven from the event loop.

- A request takes an idle worker (waiting at most its time limit: a busy server answers 503,
  it does not queue forever), sends the job, and waits for the answer in a thread (so that
  the event loop never blocks, however large the answer).
- Past the time limit the worker is killed (SIGKILL: the Rust evaluation stops with the
  process) and a fresh one is started in the background; the client gets a 503 saying so.
- A crashed worker is replaced the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from aigraph.server.worker import Job, Outcome, StoreSource, worker_main

# "spawn": a worker starts from a clean interpreter (no copy of the server's threads, locks
# or sockets, which "fork" would inherit from a running uvicorn process).
_CONTEXT = mp.get_context("spawn")


class QueryTimeoutError(Exception):
    """The query ran past its time limit; its worker was killed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class PoolBusyError(Exception):
    """No worker became free within the request's time limit."""


class WorkerCrashedError(Exception):
    """The worker died while answering."""


@dataclass
class Worker:
    process: BaseProcess
    conn: Connection
    sandboxed: bool = False
    served: int = 0
    baseline: int = 0  # resident memory once its store is loaded

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
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
    _closed: bool = False
    killed: int = 0
    started: float = 0.0

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        # one thread per worker waits for its answer, plus some for (re)starting workers
        self._threads = ThreadPoolExecutor(self.size + 4, thread_name_prefix="aigraph-pool")
        started = await asyncio.gather(
            *(
                loop.run_in_executor(self._threads, _start_worker, self.source, self.sandbox)
                for _ in range(self.size)
            )
        )
        for worker in started:
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
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            raise PoolBusyError() from None
        try:
            worker.conn.send(job)
            remaining = max(0.001, deadline - loop.time())
            outcome = await asyncio.wait_for(
                loop.run_in_executor(self._threads, worker.conn.recv), remaining
            )
        except TimeoutError:
            self._replace(worker)
            raise QueryTimeoutError(timeout) from None
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            raise WorkerCrashedError() from None
        worker.served += 1
        # over the limit, or holding twice what the store needs (a big store's own size is
        # not a reason to recycle: the limit is relative to what the worker started with)
        if self.max_rss and outcome.rss > max(self.max_rss, 2 * worker.baseline):
            self.recycled += 1
            self._replace(worker)
        else:
            self._idle.put_nowait(worker)
        return outcome

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

        def done(f: asyncio.Future[Worker]) -> None:
            if f.exception() is not None:
                sys.stderr.write(f"aigraph: could not restart a query worker: {f.exception()}\n")
                return
            new = f.result()
            if self._closed:
                new.kill()
                return
            self._all.append(new)
            self._idle.put_nowait(new)

        future.add_done_callback(done)  # type: ignore[arg-type]

    async def reload(self, source: StoreSource) -> None:
        """Point every worker at new data (after an update), one worker at a time, so that
        the others keep answering meanwhile."""
        self.source = source
        loop = asyncio.get_running_loop()
        for _ in range(len(self._all)):
            worker = await self._idle.get()
            try:
                worker.conn.send(("reload", 0, source))
                await loop.run_in_executor(self._threads, worker.conn.recv)
            except (EOFError, OSError):
                self._replace(worker)
                continue
            self._idle.put_nowait(worker)

    async def close(self) -> None:
        self._closed = True
        for worker in list(self._all):
            with contextlib.suppress(Exception):
                worker.conn.send(None)
        for worker in list(self._all):
            worker.process.join(timeout=2)
            worker.kill()
        self._all.clear()
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)
