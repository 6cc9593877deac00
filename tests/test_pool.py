"""The worker pool on its own (aigraph.server.pool): one queue of jobs read by every worker,
answers routed back by job id, the time limit, and jobs given up before a worker took them.

The server-level consequences (503s, other clients answered meanwhile) are in
test_server_safety.py; these tests hold the pool's own promises."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import pytest

from aigraph.server.data import prepare
from aigraph.server.pool import PoolBusyError, QueryTimeoutError, WorkerPool
from aigraph.server.settings import Settings
from aigraph.server.worker import JOB_BYTES, Job

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 10^10 combinations
JSON = {
    "boolean": "application/sparql-results+json",
    "solutions": "application/sparql-results+json",
}


def ask(text: str = "ASK {}") -> Job:
    return Job(text, form="ASK", media_types=JSON)


@asynccontextmanager
async def pool_of(size: int, max_memory: int = 0) -> AsyncIterator[WorkerPool]:
    data = prepare(Settings())
    pool = WorkerPool(data.snapshot_source, size, sandbox=False, max_memory=max_memory)
    await pool.start()
    try:
        yield pool
    finally:
        await pool.close()
        if data.workdir is not None:
            data.workdir.cleanup()


def run(scenario: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    return asyncio.run(scenario())


def test_a_job_never_waits_behind_another_workers_long_query() -> None:
    """Jobs are taken by whichever worker is free: with one worker held by a heavy query,
    twenty quick jobs sent meanwhile are all answered by the other, at once."""

    async def scenario() -> tuple[list[int], float, type[BaseException] | None]:
        async with pool_of(2) as pool:
            heavy = asyncio.create_task(pool.run(Job(HEAVY, form="SELECT"), 3))
            await asyncio.sleep(0.3)  # the heavy query holds one worker
            started = time.monotonic()
            quick = await asyncio.gather(*(pool.run(ask(), 10) for _ in range(20)))
            took = time.monotonic() - started
            try:
                await heavy
                error = None
            except Exception as exc:
                error = type(exc)
            return [o.status for o in quick], took, error

    statuses, took, error = run(scenario)
    assert statuses == [200] * 20
    assert took < 1.5  # not the heavy query's 3 s
    assert error is QueryTimeoutError


@pytest.mark.parametrize("given_up", ["time limit", "client gone"])
def test_a_job_given_up_before_a_worker_took_it_is_never_run(given_up: str) -> None:
    """A heavy job still waiting when it is given up (its time limit passed: 503 busy; or its
    client went away) is skipped by the worker that finds it: the next job is answered as
    soon as a worker is free, not after the abandoned job's work."""

    async def scenario() -> tuple[float, int, bool]:
        async with pool_of(1) as pool:
            first = asyncio.create_task(pool.run(Job(HEAVY, form="SELECT"), 1.5))
            await asyncio.sleep(0.3)  # the only worker is busy: the next job waits
            busy = False
            if given_up == "time limit":
                try:
                    await pool.run(Job(HEAVY, form="SELECT"), 0.5)
                except PoolBusyError:
                    busy = True
            else:
                waiting = asyncio.create_task(pool.run(Job(HEAVY, form="SELECT"), 30))
                await asyncio.sleep(0.3)
                waiting.cancel()
                (result,) = await asyncio.gather(waiting, return_exceptions=True)
                busy = isinstance(result, asyncio.CancelledError)
            with pytest.raises(QueryTimeoutError):
                await first  # killed at 1.5 s; a fresh worker starts
            started = time.monotonic()
            outcome = await pool.run(ask(), 20)
            assert json.loads(outcome.body)["boolean"] is True
            return time.monotonic() - started, pool.killed, busy

    waited, killed, busy = run(scenario)
    assert busy
    assert killed == 1  # the running heavy job's worker only
    assert waited < 10  # a fresh worker's start-up; the abandoned job would take for ever


def test_a_job_that_ran_to_its_end_at_its_time_limit_is_not_called_waiting() -> None:
    """At a job's time limit the pool asks which worker runs it. A worker that ran it to its
    end just then (its answer still on the way) runs nothing: the job was reported as never
    taken, a 503 "every worker stayed busy", though it had run for the whole limit. The race
    cannot be timed from here, so this asks the pool's check directly, after the fact."""

    async def scenario() -> tuple[bool, bool]:
        async with pool_of(1) as pool:
            await pool.run(ask(), 10)  # job 1: taken and run to its end
            never_sent = next(pool._ids)
            return pool._stop(1), pool._stop(never_sent)

    ran, waited = run(scenario)
    assert (ran, waited) == (True, False)


def test_a_job_too_large_for_the_queue_is_fetched_by_its_worker() -> None:
    """A job past JOB_BYTES (a long query) does not fit the queue's messages: the worker
    that takes its ticket fetches it on its own socket, and answers it."""
    padding = "#" + "x" * (JOB_BYTES + 1000) + "\n"

    async def scenario() -> list[Any]:
        async with pool_of(2) as pool:
            big = [pool.run(ask(padding + "ASK { FILTER(false) }"), 20) for _ in range(3)]
            small = [pool.run(ask(), 20) for _ in range(3)]
            outcomes = await asyncio.gather(*big, *small)
            return [json.loads(o.body)["boolean"] for o in outcomes]

    assert run(scenario) == [False] * 3 + [True] * 3


def test_answers_go_to_the_job_that_asked() -> None:
    """Many jobs at once over two workers: each gets its own answer (routed by job id)."""

    async def scenario() -> list[tuple[int, list[str]]]:
        async with pool_of(2) as pool:
            jobs = [
                Job(f"SELECT ?n WHERE {{ VALUES ?n {{ {n} }} }}", form="SELECT", media_types=JSON)
                for n in range(60)
            ]
            outcomes = await asyncio.gather(*(pool.run(job, 20) for job in jobs))
            rows = [json.loads(o.body)["results"]["bindings"] for o in outcomes]
            return [(n, [b["n"]["value"] for b in r]) for n, r in enumerate(rows)]

    assert all(values == [str(n)] for n, values in run(scenario))


def test_the_kernel_ends_a_worker_its_server_did_not_stop() -> None:
    """Should the server fail to kill a worker past a job's deadline, the worker's own
    timer (SIGALRM, whose default action ends the process) does, DEADLINE_GRACE later."""

    async def scenario() -> tuple[int | None, float]:
        async with pool_of(1) as pool:
            worker = pool._workers[0]
            assert worker is not None
            pool._replace = lambda w: None  # type: ignore[method-assign]  # a server that fails
            started = time.monotonic()
            with pytest.raises(QueryTimeoutError):
                await pool.run(Job(HEAVY, form="SELECT"), 0.5)
            await asyncio.to_thread(worker.process.join, 10)
            took = time.monotonic() - started
            code = worker.process.exitcode
            worker.gone = True  # for close()
            return code, took

    code, took = run(scenario)
    assert code == -signal.SIGALRM
    assert took < 5  # 0.5 s + DEADLINE_GRACE, not the query's hours


def test_no_worker_is_left_behind_by_close() -> None:
    async def scenario() -> list[int]:
        async with pool_of(2) as pool:
            await pool.run(ask(), 20)
            pids = [w.process.pid for w in pool._workers if w is not None]
        return [pid for pid in pids if pid is not None]

    for pid in run(scenario):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_full_queue_makes_jobs_wait_for_room_not_fail() -> None:
    """The queue holds what the kernel lets a socket buffer (net.core.wmem_max): past it, a
    job waits in the server for room, within its time limit. With the only worker held,
    3,000 jobs of 2 KB (6 MB) are all refused as busy at their limit, none lost or mixed
    up; once the worker is free again, jobs are answered.

    The heavy job holds the worker for 6 s: sending the 3,000 jobs took over 1.7 s on a
    machine busy with a second test process, and with a limit of 2 s the heavy job was
    stopped mid-way, so that a fresh worker answered the last jobs (seen once in a clean
    clone's run)."""
    padding = "#" + "x" * 2000 + "\n"

    async def scenario() -> tuple[set[str], bool]:
        async with pool_of(1) as pool:
            heavy = asyncio.create_task(pool.run(Job(HEAVY, form="SELECT"), 6))
            await asyncio.sleep(0.3)
            results = await asyncio.gather(
                *(pool.run(ask(padding + "ASK {}"), 1) for _ in range(3000)),
                return_exceptions=True,
            )
            assert not heavy.done(), "the worker was freed before every job had its answer"
            with pytest.raises(QueryTimeoutError):
                await heavy
            after = await pool.run(ask(), 20)
            return {type(r).__name__ for r in results}, json.loads(after.body)["boolean"]

    kinds, answered = run(scenario)
    assert kinds == {"PoolBusyError"}
    assert answered is True


@pytest.mark.parametrize("when", ["running a job", "idle"])
def test_a_worker_that_dies_is_replaced_and_its_job_fails_at_once(when: str) -> None:
    """A worker killed from outside (the kernel's OOM killer, say) fails the job it was
    running at once, not at the time limit; a fresh worker takes its place, and jobs sent
    meanwhile are answered by it."""
    from aigraph.server.pool import WorkerCrashedError

    async def scenario() -> tuple[str, float, int, bool]:
        async with pool_of(1) as pool:
            worker = pool._workers[0]
            assert worker is not None and worker.process.pid is not None
            outcome = "no job"
            started = time.monotonic()
            if when == "running a job":
                heavy = asyncio.create_task(pool.run(Job(HEAVY, form="SELECT"), 30))
                await asyncio.sleep(0.5)
                os.kill(worker.process.pid, signal.SIGKILL)
                try:
                    await heavy
                except WorkerCrashedError:
                    outcome = "WorkerCrashedError"
            else:
                os.kill(worker.process.pid, signal.SIGKILL)
                await asyncio.sleep(0.2)
            failed_after = time.monotonic() - started
            answer = await pool.run(ask(), 20)
            return outcome, failed_after, pool.killed, json.loads(answer.body)["boolean"]

    outcome, failed_after, killed, answered = run(scenario)
    assert outcome == ("WorkerCrashedError" if when == "running a job" else "no job")
    assert failed_after < 5  # at once, not at the 30 s limit
    assert killed == 1 and answered is True


def test_close_leaves_no_task_of_the_pool_pending() -> None:
    """A worker that dies just before the pool closes leaves two tasks behind it: the one
    that reads its last words (a second at most) and the one that starts its replacement.
    close() waits for both: none is pending when the loop ends (Python would report "Task
    was destroyed but it is pending"), and the replacement's process is not left running."""

    started: list[Any] = []

    async def scenario() -> list[str]:
        async with pool_of(1) as pool:
            start = pool._start
            pool._start = lambda slot: started.append(start(slot)) or started[-1]  # type: ignore[method-assign]
            worker = pool._workers[0]
            assert worker is not None and worker.process.pid is not None
            os.kill(worker.process.pid, signal.SIGKILL)
            while pool.killed == 0:  # the pool saw it die: both tasks are under way
                await asyncio.sleep(0.01)
            assert pool._tasks
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        return [repr(t) for t in others if not t.done()]

    assert run(scenario) == []
    # the replacement (unless close() came before its start began) was killed as it enlisted
    assert len(started) <= 1
    for worker in started:
        worker.process.join(timeout=5)
        assert not worker.process.is_alive()


# What a dead worker last wrote, as Rust and Python write it (worker output of 2026-11-27,
# Oxigraph 0.5.13, pyo3 0.30), and what the pool concludes.
ALLOCATION = b"memory allocation of 41943040 bytes failed\n"
SORT_PANIC = (
    b"thread '<unnamed>' (1297) panicked at /rustc/58cf8f9c/library/core/src/slice/sort/"
    b"shared/smallsort.rs:854:5:\nuser-provided comparison function does not correctly "
    b"implement a total order\nnote: run with `RUST_BACKTRACE=1` environment variable to "
    b"display a backtrace\n"
)
NULL_PANIC = (
    b'Traceback (most recent call last):\n  File "serialize.py", line 80, in _json_term_text\n'
    b"MemoryError: \n\nthread '<unnamed>' (25063) panicked at /root/.cargo/registry/src/pyo3-"
    b"0.30.1/src/instance.rs:348:60:\nPyObject pointer is null\n"
)


@pytest.mark.parametrize(
    "words,memory_limited,cause",
    [
        (ALLOCATION, True, (True, "")),
        (ALLOCATION, False, (False, "")),  # no limit of ours: a crash like any other
        (NULL_PANIC, True, (True, "")),  # pyo3's panic on Python's MemoryError
        (SORT_PANIC, True, (False, "user-provided comparison function does not correctly "
                                   "implement a total order")),
        (SORT_PANIC * 2 + b"warning\n", False, (False, "user-provided comparison function "
                                                       "does not correctly implement a total order")),
        (b"", True, (False, "")),  # killed from outside: nothing said
        (b"some warning\n", True, (False, "")),
    ],
    ids=["allocation", "allocation-no-limit", "memoryerror-panic", "panic", "panics", "silent",
         "other"],
)  # fmt: skip
def test_why_a_worker_died_is_read_from_its_last_words(
    words: bytes, memory_limited: bool, cause: tuple[bool, str]
) -> None:
    from aigraph.server.pool import cause_of_death

    assert cause_of_death(words, memory_limited) == cause


def test_a_workers_last_words_reach_the_operator_and_name_its_memory_limit(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """A worker's standard error passes through the server, which reads it to tell why the
    worker died: what the worker wrote still reaches the operator's console, and an
    allocation that failed at the limit is a QueryMemoryError, not a crash."""
    from aigraph.server.pool import QueryMemoryError

    binds = ['BIND("0123456789" AS ?a0)']
    binds += [f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(27)]
    hog = Job(f"SELECT (STRLEN(?a27) AS ?n) WHERE {{ {' '.join(binds)} }}", form="SELECT")
    hog.media_types = JSON

    async def scenario() -> tuple[str, bool]:
        async with pool_of(1, max_memory=64 * 2**20) as pool:
            try:
                await pool.run(hog, 20)
                failure = "answered"
            except QueryMemoryError:
                failure = "QueryMemoryError"
            answer = await pool.run(ask(), 20)
            return failure, json.loads(answer.body)["boolean"]

    assert run(scenario) == ("QueryMemoryError", True)
    assert "memory allocation of " in capfd.readouterr().err
