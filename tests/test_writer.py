"""SPARQL Update in a child process (aigraph.server.writer): the result comes back whole, or
nothing changes and the error says why — a syntax error, an engine failure, the time limit,
the memory limit — and no temporary file or process is left behind."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import psutil
import pyoxigraph as ox
import pytest

from aigraph.server.writer import (
    UpdateError,
    UpdateFailedError,
    UpdateLimits,
    UpdateMemoryError,
    UpdateSyntaxError,
    UpdateTimeoutError,
    apply_update,
)

EX = "http://example.org/"
GRAPH = ox.NamedNode(EX + "g")


def store_of(n: int) -> ox.Store:
    """`n` people with a name in the default graph, and one fact in the graph <g>."""
    store = ox.Store()
    for i in range(n):
        store.add(
            ox.Quad(ox.NamedNode(f"{EX}p{i}"), ox.NamedNode(EX + "name"), ox.Literal(f"P{i}"))
        )
    store.add(ox.Quad(ox.NamedNode(EX + "x"), ox.NamedNode(EX + "in"), ox.Literal("g"), GRAPH))
    return store


def quads(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, None))


def doubled(levels: int) -> str:
    """An update inserting a string of 10 × 2^`levels` characters, doubled `levels` times."""
    binds = ['BIND("0123456789" AS ?a0)']
    binds += [f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(levels)]
    return f"INSERT {{ <{EX}big> <{EX}is> ?a{levels} }} WHERE {{ {' '.join(binds)} }}"


# (update, what it adds, what it removes), on store_of(3)
CHANGES = [
    (
        f'INSERT DATA {{ <{EX}p9> <{EX}name> "P9" }}',
        {ox.Quad(ox.NamedNode(EX + "p9"), ox.NamedNode(EX + "name"), ox.Literal("P9"))},
        set(),
    ),
    (
        f"DELETE WHERE {{ <{EX}p1> ?p ?o }}",
        set(),
        {ox.Quad(ox.NamedNode(EX + "p1"), ox.NamedNode(EX + "name"), ox.Literal("P1"))},
    ),
    (
        f"DROP GRAPH <{GRAPH.value}>",
        set(),
        {ox.Quad(ox.NamedNode(EX + "x"), ox.NamedNode(EX + "in"), ox.Literal("g"), GRAPH)},
    ),
    (  # relative IRIs resolve against the base the server passes (the endpoint's URL)
        'INSERT DATA { <p7> <name> "P7" }',
        {ox.Quad(ox.NamedNode(EX + "p7"), ox.NamedNode(EX + "name"), ox.Literal("P7"))},
        set(),
    ),
]


@pytest.mark.parametrize(("update", "added", "removed"), CHANGES)
def test_an_update_returns_the_changed_data_and_leaves_the_store_alone(
    tmp_path: Path, update: str, added: set[ox.Quad], removed: set[ox.Quad]
) -> None:
    store = store_of(3)
    before = quads(store)
    result = apply_update(store, update, EX, tmp_path, UpdateLimits(10))
    assert quads(result) == (before - removed) | added
    assert quads(store) == before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("update", "error", "words"),
    [
        ("INSERT DATA { <a> }", UpdateSyntaxError, "The update does not parse: "),
        (f"CREATE GRAPH <{GRAPH.value}>", UpdateFailedError, "already exists"),
        (  # the first part succeeds in the child; the request is one, so none of it stays
            f'INSERT DATA {{ <{EX}p9> <{EX}name> "P9" }} ; DROP GRAPH <{EX}nothing>',
            UpdateFailedError,
            "does not exist",
        ),
    ],
)
def test_a_refused_or_failed_update_changes_nothing(
    tmp_path: Path, update: str, error: type[UpdateError], words: str
) -> None:
    store = store_of(3)
    before = quads(store)
    with pytest.raises(error, match=words):
        apply_update(store, update, EX, tmp_path, UpdateLimits(10))
    assert quads(store) == before
    assert list(tmp_path.iterdir()) == []


EMPTY = ox.NamedNode(EX + "empty")


@pytest.mark.parametrize(
    ("update", "named_after"),
    [
        (f'INSERT DATA {{ <{EX}p9> <{EX}name> "P9" }}', {GRAPH, EMPTY}),  # left as it was
        (f"CREATE GRAPH <{EX}new>", {GRAPH, EMPTY, ox.NamedNode(EX + "new")}),
        (f"DROP GRAPH <{EMPTY.value}>", {GRAPH}),
        (f"INSERT DATA {{ GRAPH <{EMPTY.value}> {{ <{EX}a> <{EX}b> <{EX}c> }} }}", {GRAPH, EMPTY}),
    ],
)
def test_empty_graphs_go_through_an_update(
    tmp_path: Path, update: str, named_after: set[ox.NamedNode]
) -> None:
    """A quad dump has no line for a named graph without triples: the graph made by `CREATE
    GRAPH`, or by an empty Graph Store PUT, was lost by the next update's copy of the data
    (SPARQL tells it from an absent graph: `GRAPH <g> {}`, a second CREATE GRAPH)."""
    store = store_of(3)
    store.add_graph(EMPTY)
    result = apply_update(store, update, None, tmp_path, UpdateLimits(10))
    assert set(result.named_graphs()) == named_after
    assert list(tmp_path.iterdir()) == []


def test_blank_nodes_keep_their_labels_through_an_update(tmp_path: Path) -> None:
    """The copies are read back with their labels: a blank node is the same node, under the
    same label, after an update that does not touch it (a store's own loader renamed every
    blank node, and its page's address changed)."""
    store = store_of(3)
    store.add(ox.Quad(ox.BlankNode("note1"), ox.NamedNode(EX + "says"), ox.Literal("hi"), GRAPH))
    before = quads(store)
    result = apply_update(store, CHANGES[0][0], EX, tmp_path, UpdateLimits(10))
    assert quads(result) == before | CHANGES[0][1]
    assert ox.BlankNode("note1") in {q.subject for q in quads(result)}


def test_the_child_sees_the_empty_graphs(tmp_path: Path) -> None:
    store = store_of(3)
    store.add_graph(EMPTY)
    with pytest.raises(UpdateFailedError, match="already exists"):
        apply_update(store, f"CREATE GRAPH <{EMPTY.value}>", None, tmp_path, UpdateLimits(10))


def test_an_update_past_the_time_limit_is_stopped(tmp_path: Path) -> None:
    """A WHERE joining everything with everything (10^9 rows here) ran in the server process
    until it was done, with the write lock held. In its own process it is stopped at the
    limit, and that process is gone."""
    store = store_of(1000)
    update = (
        f"INSERT {{ <{EX}s> <{EX}n> ?n }} WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i BIND(1 AS ?n) }}"
    )
    started = time.monotonic()
    with pytest.raises(UpdateTimeoutError, match=r"stopped after 0\.5 s"):
        apply_update(store, update, None, tmp_path, UpdateLimits(0.5))
    assert time.monotonic() - started < 5
    assert quads(store) == quads(store_of(1000))
    assert list(tmp_path.iterdir()) == []
    assert not writer_children()


def writer_children() -> list[psutil.Process]:
    """This process's running update children. Other children of the test process (a
    worker another test's pool left, not yet reaped) may be zombies, whose command line
    cannot be read: they run nothing."""
    found = []
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.ZombieProcess, psutil.NoSuchProcess):
            if "aigraph.server.writer" in child.cmdline():
                found.append(child)
    return found


def test_an_update_past_the_memory_limit_is_stopped(tmp_path: Path) -> None:
    """A string doubled 27 times (1.3 GB) against a limit of 100 MiB: stopped at once, long
    before its time limit."""
    store = store_of(3)
    started = time.monotonic()
    with pytest.raises(UpdateMemoryError, match=r"one update use \(100 MiB beyond the data\)"):
        apply_update(store, doubled(27), None, tmp_path, UpdateLimits(30, 100 * 2**20))
    assert time.monotonic() - started < 10
    assert quads(store) == quads(store_of(3))


def test_an_update_within_the_memory_limit_is_applied(tmp_path: Path) -> None:
    """The limit is on what the update allocates beyond the data: a 10 MB string is fine."""
    result = apply_update(store_of(3), doubled(20), None, tmp_path, UpdateLimits(30, 100 * 2**20))
    (big,) = result.quads_for_pattern(ox.NamedNode(EX + "big"), None, None, None)
    assert len(big.object.value) == 10 * 2**20


@pytest.mark.parametrize(
    ("returncode", "stdout", "stderr", "error", "words"),
    [
        (-14, b"", b"", UpdateTimeoutError, "stopped after 2 s"),  # SIGALRM: the kernel timer
        (-6, b"", b"memory allocation of 1073741824 bytes failed\n", UpdateMemoryError, "MiB"),
        (
            -6,
            b"",
            b"thread '<unnamed>' panicked at lib/x.rs:1:2:\nsomething broke\n",
            UpdateFailedError,
            r"\(Oxigraph: something broke\)",
        ),
        (1, b"42\n", b"Traceback ...\n", UpdateFailedError, r"\(exit status 1\)"),
        (0, b"not json\n", b"", UpdateFailedError, r"\(exit status 0\)"),
    ],
)
def test_a_child_that_did_not_report_is_read_from_how_it_ended(
    returncode: int, stdout: bytes, stderr: bytes, error: type[UpdateError], words: str
) -> None:
    """A child that could not say why it stopped (killed by its timer, aborted by the engine
    at the memory limit or in a panic, or broken) is still told apart, without guessing."""
    import subprocess

    from aigraph.server.writer import _report_of

    child = subprocess.CompletedProcess(["writer"], returncode, stdout, stderr)
    with pytest.raises(error, match=words):
        _report_of(child, UpdateLimits(2, 100 * 2**20))


def test_an_update_whose_copies_cannot_be_written_changes_nothing(tmp_path: Path) -> None:
    """The data is copied to the server's working folder for the child: with no folder to
    write to (a full disk fails the same way), the update is refused with a reason."""
    store = store_of(3)
    with pytest.raises(UpdateFailedError, match="could not be run: No such file or directory"):
        apply_update(store, CHANGES[0][0], None, tmp_path / "gone", UpdateLimits(10))
    assert quads(store) == quads(store_of(3))


def test_an_update_on_a_full_disk_changes_nothing(tmp_path: Path) -> None:
    """A full disk while the data is copied out (simulated with RLIMIT_FSIZE, which fails a
    write as ENOSPC would, with SIGXFSZ ignored): refused with the reason, nothing left."""
    import resource
    import signal

    store = store_of(200)  # a dump of some 15 KB
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, limits[1]))
    try:
        with pytest.raises(
            UpdateFailedError, match=r"could not be run: File too large.*nothing was changed"
        ):
            apply_update(store, CHANGES[0][0], None, tmp_path, UpdateLimits(10))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, handler)
    assert quads(store) == quads(store_of(200))
    assert list(tmp_path.iterdir()) == []
