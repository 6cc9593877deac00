"""SPARQL Update under the limits a query has: run in a child process, on a copy of the data.

Why: Oxigraph's Python API can no more stop an update than a query (oxigraph/oxigraph#1926),
and updates ran in the server process. An update whose WHERE joins everything with
everything ran until it was done, however long: it held the write lock (every other write
waited), a core, and as much memory as it liked. A child process can be stopped.

How: the server dumps its authoritative store (N-Quads) into its working folder; the child
(``python -m aigraph.server.writer``) loads it, applies the update under the time limit (a
kernel timer: SIGALRM ends the process, no Python code needs to run) and the memory limit
of a query (`worker.limit_memory`), in the network sandbox of the query workers, and writes
the result; the server takes the result only if the child succeeded. An update stopped at a
limit, refused by the parser or failed in the engine changes nothing, which SPARQL 1.1 Update
§2.2 asks of a service ("each request should be treated atomically").

The cost: the data is dumped and loaded twice more per update; the snapshot each write
already makes for the workers costs as much (aigraph.server.data.next_version). Updates are the
operator's, with the token, and rare: the time limits apply to the update alone, not to
those copies.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from aigraph.engine import empty_graphs
from aigraph.server.worker import (
    die_with_parent,
    job_stack_bytes,
    limit_memory,
    on_large_stack,
    unshare_network,
)


@dataclass(frozen=True)
class UpdateLimits:
    """What one update may take: seconds of evaluation, bytes beyond the loaded data (0: no
    limit), and whether it runs with no network."""

    seconds: float
    memory_bytes: int = 0
    sandbox: bool = True


class UpdateError(Exception):
    """The update changed nothing; the message says why, for the client."""


class UpdateSyntaxError(UpdateError):
    """The update does not parse (the client's mistake: 400)."""


class UpdateTimeoutError(UpdateError):
    """The update ran past its time limit and was stopped."""


class UpdateMemoryError(UpdateError):
    """The update needed more memory than one update may use and was stopped."""


class UpdateFailedError(UpdateError):
    """The engine failed on the update (or its process died)."""


def apply_update(
    store: ox.Store, text: str, base_iri: str | None, folder: Path, limits: UpdateLimits
) -> ox.Store:
    """A new store: `store` after the update `text`, which ran in a child process within
    `limits`. `store` itself is never changed. Temporary files go to `folder`. Raises an
    UpdateError saying why, when nothing changed."""
    try:
        fd, name = tempfile.mkstemp(prefix="update-", suffix=".nq", dir=folder)
    except OSError as exc:
        raise _not_run(exc) from None
    os.close(fd)
    source = Path(name)
    target = source.with_name(source.stem + "-result.nq")
    request = {
        "source": str(source),
        "target": str(target),
        "update": text,
        "base_iri": base_iri,
        "seconds": limits.seconds,
        "memory_bytes": limits.memory_bytes,
        "sandbox": limits.sandbox,
        # a dump has no line for a graph without triples: they go beside it, both ways
        "empty_graphs": empty_graphs(store),
    }
    try:
        store.dump(str(source), format=ox.RdfFormat.N_QUADS)
        # no Rust backtraces: at the memory limit, capturing one fails to allocate (worker.py)
        env = {**os.environ, "RUST_BACKTRACE": "0"}
        child = subprocess.run(
            [sys.executable, "-m", "aigraph.server.writer"],
            input=json.dumps(request).encode("utf-8"),
            capture_output=True,
            env=env,
            check=False,
        )
        report = _report_of(child, limits)
        result = ox.Store()
        result.bulk_extend(_quads_of(target))
        for graph in report.get("empty_graphs", []):
            result.add_graph(ox.NamedNode(graph))
        return result
    except OSError as exc:  # a full disk, a folder gone: the copies could not be made
        raise _not_run(exc) from None
    finally:
        source.unlink(missing_ok=True)
        target.unlink(missing_ok=True)


def _quads_of(path: Path) -> Iterator[ox.Quad]:
    """The quads of an N-Quads copy, blank nodes with the labels the copy gives them: a
    store's own loaders give every blank node a fresh label, and a blank node on a named
    graph's page was renamed by every update (as fast: 0.33 s against 0.34 s at 10^5)."""
    return ox.parse(path=path, format=ox.RdfFormat.N_QUADS)


def _not_run(exc: OSError) -> UpdateFailedError:
    return UpdateFailedError(
        f"The update could not be run: {exc.strerror or exc}; nothing was changed."
    )


def _report_of(child: subprocess.CompletedProcess[bytes], limits: UpdateLimits) -> dict[str, Any]:
    """The child's report if it wrote its result, else the UpdateError that says why not."""
    report: dict[str, Any] = {}
    if child.stdout.strip():
        with contextlib.suppress(ValueError):
            line = json.loads(child.stdout.splitlines()[-1])
            report = line if isinstance(line, dict) else {}
    if child.returncode == 0 and report.get("outcome") == "done":
        return report
    if report.get("outcome") == "syntax":
        raise UpdateSyntaxError(f"The update does not parse: {report['message']}")
    if report.get("outcome") == "failed":
        raise UpdateFailedError(f"The update failed: {report['message']}")
    if report.get("outcome") == "memory":
        raise UpdateMemoryError(_memory_message(limits))
    if child.returncode == -signal.SIGALRM:
        raise UpdateTimeoutError(
            f"The update was stopped after {limits.seconds:g} s, its time limit; nothing "
            "was changed."
        )
    from aigraph.server.pool import cause_of_death

    at_limit, panic = cause_of_death(child.stderr, bool(limits.memory_bytes))
    if at_limit:
        raise UpdateMemoryError(_memory_message(limits))
    why = f" (Oxigraph: {panic})" if panic else f" (exit status {child.returncode})"
    raise UpdateFailedError(f"The update failed{why}; nothing was changed.")


def _memory_message(limits: UpdateLimits) -> str:
    return (
        "The update needed more memory than this server lets one update use "
        f"({limits.memory_bytes // 2**20:,} MiB beyond the data) and was stopped; nothing was "
        "changed."
    )


def main() -> int:
    """The child: read the request (JSON) on standard input, load the data, apply the
    update, write the result, and report one JSON line on standard output ("done", or why
    not: "syntax", "failed", "memory"). Exit status 0 whenever it could report.

    The work runs on a thread whose stack is sized for the update's length, as a query
    worker's jobs are (worker.job_stack_bytes): Oxigraph recurses once per link of a chain,
    and on the main thread's 8 MiB a long one killed the child."""
    request = json.loads(sys.stdin.buffer.read())
    die_with_parent()
    if request["sandbox"]:
        unshare_network()  # best effort, as the query workers: LOAD is refused before this
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the kernel ends the process at the limit
    # the thread before the memory limit (set in it), which counts its stack's reservation
    status = on_large_stack(job_stack_bytes(len(request["update"])), _apply, request)
    return status if status is not None else 1


def _apply(request: dict[str, Any]) -> int:
    """What `main` does, on the thread with the large stack."""
    store = ox.Store()
    store.bulk_extend(_quads_of(Path(request["source"])))
    for graph in request["empty_graphs"]:
        store.add_graph(ox.NamedNode(graph))
    if request["memory_bytes"]:
        limit_memory(request["memory_bytes"])
    signal.setitimer(signal.ITIMER_REAL, request["seconds"])
    try:
        store.update(request["update"], base_iri=request["base_iri"])
    except SyntaxError as exc:
        return _report("syntax", str(exc))
    except MemoryError:
        return _report("memory")
    except (OSError, ValueError, RuntimeError) as exc:
        return _report("failed", str(exc))
    signal.setitimer(signal.ITIMER_REAL, 0)
    limit_memory(None)  # writing the result is not the update
    store.dump(request["target"], format=ox.RdfFormat.N_QUADS)
    return _report("done", empty_graphs=empty_graphs(store))


def _report(outcome: str, message: str = "", **more: object) -> int:
    sys.stdout.write(json.dumps({"outcome": outcome, "message": message, **more}) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
