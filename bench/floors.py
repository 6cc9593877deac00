"""Servers that measure what bounds aigraph's throughput (bench/run.py starts them, `wrk`
loads them like the real systems). Two answer every query at once with the same constant
answer:

- ``hello``: a bare ASGI application under uvicorn with its httptools parser: what any Python
  server on this machine can do at best;
- ``http-layer``: aigraph's own application (the direct /sparql path: protocol parsing, the
  lexer, content negotiation, the job, the response) with an executor that answers at once,
  so that no worker process is involved: aigraph's HTTP layer alone.

Two run the query, on DATA, in the server process instead of a worker (what giving up the
hop to a worker would buy, and what it would cost: neither a time limit that stops a query
nor the network sandbox, since neither Oxigraph's evaluation nor a thread can be stopped):

- ``in-process``: on the event loop (which a long query would then block: never acceptable
  in aigraph, the upper bound of the design);
- ``in-thread``: in a thread (pyoxigraph lets go of the GIL while it evaluates).

Usage: python bench/floors.py hello|http-layer PORT
       python bench/floors.py in-process|in-thread PORT DATA
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from typing import Any

import uvicorn

ANSWER = b'{"head":{"vars":["name"]},"results":{"bindings":[]}}'


async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:  # read the whole request, as a real endpoint must
        message = await receive()
        more = message.get("more_body", False)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/sparql-results+json")],
        }
    )
    await send({"type": "http.response.body", "body": ANSWER})


def http_layer() -> Any:
    from aigraph.server.settings import Settings
    from aigraph.server.worker import Job, Outcome

    class Instant:
        """An executor that answers every job at once, without a worker."""

        sandboxed = True
        workers_up = None

        async def run(self, job: Job, timeout: float) -> Outcome:
            return Outcome(200, "application/sparql-results+json", ANSWER, "solutions", 0)

        async def close(self) -> None:
            return None

    return served_by(Instant(), Settings(bundled=False))


def served_by(executor: Any, settings: Any, data: Any = None) -> Any:
    """aigraph's application with `executor` in place of the worker pool (started by the
    application's own lifespan otherwise)."""
    from aigraph.server.app import Services, create_app

    app = create_app(settings, data=data)

    @contextlib.asynccontextmanager
    async def lifespan(_: object) -> AsyncIterator[None]:
        app.state.services = Services(settings, executor, data)
        yield

    app.router.lifespan_context = lifespan
    return app


def in_process(data: str, threaded: bool) -> Any:
    """aigraph's application on `data`, each query run in this process (`threaded`: in a
    thread) by the worker's own code, with no time limit."""
    import asyncio
    from pathlib import Path

    from aigraph.server.data import prepare
    from aigraph.server.settings import Settings
    from aigraph.server.worker import Job, Outcome, open_stores, run_job

    # wrk's connections all come from 127.0.0.1 but stand for many users (as in bench/run.py)
    settings = Settings(bundled=False, data=[Path(data)], max_queries_per_client=0)
    served = prepare(settings)
    stores = open_stores(served.snapshot_source)

    class InProcess:
        """An executor that runs every job here, as a worker would."""

        sandboxed = False
        workers_up = None

        async def run(self, job: Job, timeout: float) -> Outcome | None:
            store = stores.for_job(job)
            if threaded:
                return await asyncio.to_thread(run_job, store, job, None, stores.facts)
            return run_job(store, job, None, stores.facts)

        async def close(self) -> None:
            return None

    return served_by(InProcess(), settings, served)


def main(argv: list[str]) -> int:
    kind, port = argv[1], int(argv[2])
    from aigraph.server.http import UVICORN_OPTIONS

    options = {**UVICORN_OPTIONS}
    if kind in ("in-process", "in-thread"):
        app = in_process(argv[3], threaded=kind == "in-thread")
    else:
        app = hello if kind == "hello" else http_layer()
    if kind == "hello":
        options["http"] = "httptools"
    uvicorn.run(app, host="127.0.0.1", port=port, **options)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
