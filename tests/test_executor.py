"""Writes to the embedded store (aigraph.server.executor, aigraph.server.data): a Graph Store
write makes a new store and leaves the one being read untouched, and a named graph without
triples survives every copy of the data (the write, the workers' snapshot, the description).
On a real server: tests/test_server_safety.py."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest

from aigraph.engine import merged_only
from aigraph.server.data import (
    ServedData,
    copy_store,
    describe,
    dump_source,
    next_version,
    publish,
    snapshot,
)
from aigraph.server.executor import _delete_graph, _write_graph
from aigraph.server.protocol import ProtocolError
from aigraph.server.worker import open_store

EX = "http://example.org/"
G = ox.NamedNode(EX + "g")
EMPTY = ox.NamedNode(EX + "empty")
NT = ox.RdfFormat.N_TRIPLES


def quad(s: str, o: str, graph: ox.NamedNode | ox.DefaultGraph = G) -> ox.Quad:
    return ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(EX + "p"), ox.Literal(o), graph)


def store_of() -> ox.Store:
    """<g> holds two triples, <empty> none, the default graph one."""
    store = ox.Store()
    store.extend([quad("a", "1"), quad("b", "2"), quad("d", "0", ox.DefaultGraph())])
    store.add_graph(EMPTY)
    return store


def contents(store: ox.Store) -> tuple[set[ox.Quad], set[ox.NamedNode | ox.BlankNode]]:
    return set(store.quads_for_pattern(None, None, None, None)), set(store.named_graphs())


BEFORE = contents(store_of())
NEW = f'<{EX}c> <{EX}p> "3" .'.encode()


@pytest.mark.parametrize(
    ("name", "body", "replace", "created", "quads_after", "graphs_after"),
    [
        # PUT replaces the graph's triples
        (G.value, NEW, True, False, {quad("c", "3"), quad("d", "0", ox.DefaultGraph())}, None),
        # POST adds to them
        (G.value, NEW, False, False, BEFORE[0] | {quad("c", "3")}, None),
        # PUT of a new graph creates it, and says so
        (
            EX + "h",
            NEW,
            True,
            True,
            BEFORE[0] | {quad("c", "3", ox.NamedNode(EX + "h"))},
            BEFORE[1] | {ox.NamedNode(EX + "h")},
        ),
        # an empty body still makes the graph, and the graph stays when its copy is made
        (EX + "h", b"", True, True, BEFORE[0], BEFORE[1] | {ox.NamedNode(EX + "h")}),
        # the default graph: replaced, never "created"
        (
            None,
            NEW,
            True,
            False,
            {quad("a", "1"), quad("b", "2"), quad("c", "3", ox.DefaultGraph())},
            None,
        ),
    ],
)
def test_a_graph_store_write_makes_a_new_store(
    name: str | None,
    body: bytes,
    replace: bool,
    created: bool,
    quads_after: set[ox.Quad],
    graphs_after: set[ox.NamedNode] | None,
) -> None:
    """The store being read is never changed: a reader of it (a Graph Store GET, a claim's
    page) between a PUT's removal of the old graph and the insertion of the new one saw the
    graph empty when the write was made in place."""
    store = store_of()
    result, was_created = _write_graph(store, name, body, NT, replace)
    assert was_created is created
    assert contents(result) == (quads_after, graphs_after or BEFORE[1])
    assert contents(store) == BEFORE


def test_a_body_that_does_not_parse_changes_nothing() -> None:
    store = store_of()
    with pytest.raises(ProtocolError, match="does not parse as N-Triples: Parser error at line 1"):
        _write_graph(store, G.value, b"<a> <b> .", NT, True)
    assert contents(store) == BEFORE


@pytest.mark.parametrize(
    ("name", "quads_after", "graphs_after"),
    [
        (G.value, {quad("d", "0", ox.DefaultGraph())}, {EMPTY}),
        (EMPTY.value, BEFORE[0], {G}),  # an empty graph exists, so it can be deleted
        (None, {quad("a", "1"), quad("b", "2")}, BEFORE[1]),  # the default graph is emptied
    ],
)
def test_a_graph_store_delete_makes_a_new_store(
    name: str | None, quads_after: set[ox.Quad], graphs_after: set[ox.NamedNode]
) -> None:
    store = store_of()
    result = _delete_graph(store, name)
    assert result is not None
    assert contents(result) == (quads_after, graphs_after)
    assert contents(store) == BEFORE


def test_deleting_an_absent_graph_says_so() -> None:
    assert _delete_graph(store_of(), EX + "nothing") is None


def test_empty_graphs_reach_the_workers_and_the_description(tmp_path: Path) -> None:
    """The workers load a quad dump, which has no line for an empty graph: it goes beside the
    dump, so that `GRAPH <empty> {}` matches there as it does here, and the Service
    Description lists the graph with its 0 triples."""
    snap = snapshot(store_of())
    assert contents(copy_store(store_of())) == BEFORE
    source = dump_source(snap, tmp_path)
    assert source.empty_graphs == (EMPTY.value,)
    loaded = open_store(source)
    assert set(loaded.named_graphs()) == {G, EMPTY}
    assert bool(loaded.query(f"ASK {{ GRAPH <{EMPTY.value}> {{}} }}"))
    assert bool(loaded.query(f"ASK {{ GRAPH <{EX}absent> {{}} }}")) is False
    info = describe(snap)
    assert [(g.name, g.triples) for g in info.named] == [(EMPTY.value, 0), (G.value, 2)]


def test_the_workers_see_the_servers_blank_nodes(tmp_path: Path) -> None:
    """The workers' copy keeps the labels of the server's store: a blank node in an answer
    is the one the server's pages show, under the same label from one snapshot to the next."""
    store = store_of()
    store.add(ox.Quad(ox.BlankNode("note1"), ox.NamedNode(EX + "p"), ox.Literal("hi"), G))
    loaded = open_store(dump_source(snapshot(store), tmp_path))
    assert set(loaded.quads_for_pattern(None, None, None, G)) == set(
        store.quads_for_pattern(None, None, None, G)
    )


def test_a_new_version_is_made_aside_and_published_whole(tmp_path: Path) -> None:
    """A write's new version (the snapshot for the workers, its counts, its merged triples)
    is made in a thread while the old one is still served, then swapped in at once on the
    event loop: before, the store was swapped first and the rest a field at a time, so that
    a page could pair the new store with the old counts."""
    old = store_of()
    snap = snapshot(old)
    workdir = tempfile.TemporaryDirectory(dir=tmp_path)
    data = ServedData(
        old, dump_source(snap, Path(workdir.name)), describe(snap), merged_only(snap), workdir
    )
    served = (data.authoritative, data.info, data.merged, data.snapshot_source)
    new, _ = _write_graph(old, G.value, NEW, NT, True)
    version = next_version(data, new)
    assert (data.authoritative, data.info, data.merged, data.snapshot_source) == served
    publish(data, version)
    assert data.authoritative is new
    assert data.snapshot_source == version.source != served[3]
    assert data.info.triples == len(data.merged) == 2  # <c> "3", <d> "0": the new data
    assert set(open_store(data.snapshot_source).quads_for_pattern(None, None, None, G)) == {
        quad("c", "3")
    }


@pytest.mark.parametrize(
    ("writes_during", "answer", "builds", "kept"),
    [
        # no write while it builds: built once, kept; the next request builds nothing
        (0, (3, 3), 1, True),
        # a write published mid-build: that build, which read both versions, is made again
        # on the new version alone
        (1, (4, 4), 2, True),
        # a write during each of three builds: the third is given as it is, not kept, and
        # the next request builds on the version now served
        (3, (5, 6), 4, False),
    ],
)
def test_a_per_version_build_never_keeps_a_mix_of_versions(
    tmp_path: Path, writes_during: int, answer: tuple[int, int], builds: int, kept: bool
) -> None:
    """A page made once per version of the data (the interface's, the dumps') is built in a
    thread that reads the data's parts as it goes, while a write publishes a new version on
    the event loop. Before, a build during a publish was kept as the old version's, though
    it had read the old merged triples and the new counts."""
    import asyncio
    from types import SimpleNamespace

    from aigraph.server.app import per_version

    old = store_of()  # the merge of its graphs: 3 triples
    snap = snapshot(old)
    workdir = tempfile.TemporaryDirectory(dir=tmp_path)
    data = ServedData(
        old, dump_source(snap, Path(workdir.name)), describe(snap), merged_only(snap), workdir
    )
    state = SimpleNamespace(services=SimpleNamespace(data=data))
    request = SimpleNamespace(app=SimpleNamespace(state=state))
    made: list[tuple[int, int]] = []

    async def main() -> tuple[tuple[int, int], tuple[int, int]]:
        loop = asyncio.get_running_loop()
        due = list(range(writes_during))

        async def write(n: int) -> None:  # as the executor does: made aside, then published
            body = f'<{EX}x{n}> <{EX}p> "{n}" .'.encode()
            new, _ = _write_graph(data.authoritative, G.value, body, NT, False)
            publish(data, await asyncio.to_thread(next_version, data, new))

        def build(services: SimpleNamespace) -> tuple[int, int]:
            merged = len(services.data.merged)
            if due:  # a write lands between the build's two reads
                asyncio.run_coroutine_threadsafe(write(due.pop(0)), loop).result()
            made.append((merged, services.data.info.triples))
            return made[-1]

        first = await per_version(request, "page", build)  # type: ignore[arg-type]
        again = await per_version(request, "page", build)  # type: ignore[arg-type]
        return first, again

    first, again = asyncio.run(main())
    assert first == answer and len(made) == builds
    assert again == (3 + writes_during,) * 2 == (len(data.merged), data.info.triples)
    assert state.per_version["page"] == (data.snapshot_source.path, again)
    assert (first == again) is kept  # a build not kept is never served again


def test_a_build_waited_for_within_a_bound_goes_on_without_the_request() -> None:
    """`per_version_within`: a request stops waiting at its bound (NotReadyError), the build goes
    on and the next request has it; one build per version, whatever the requests; a build
    that failed is made again by the next request."""
    import asyncio
    import time
    from types import SimpleNamespace

    from aigraph.server.app import NotReadyError, per_version_within

    data = SimpleNamespace(snapshot_source=SimpleNamespace(path="v1"))
    services = SimpleNamespace(data=data, background={})
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(services=services)))
    made: list[str] = []
    failing = {"v3"}

    def build(services: SimpleNamespace) -> str:
        time.sleep(0.2)
        version = str(services.data.snapshot_source.path)
        made.append(version)
        if version in failing:
            failing.discard(version)  # once
            raise ValueError("no luck")
        return "built on " + version

    async def within(wait: float) -> str:
        return await per_version_within(request, "files", build, wait)  # type: ignore[arg-type]

    async def main() -> None:
        with pytest.raises(NotReadyError) as early:
            await within(0)
        assert 0 <= early.value.running_for < 0.2
        with pytest.raises(NotReadyError):  # the same build, not a second one
            await within(0.01)
        assert await within(5) == "built on v1" and made == ["v1"]
        assert await within(0) == "built on v1" and made == ["v1"]  # kept
        data.snapshot_source.path = "v2"  # a write
        answers = await asyncio.gather(within(5), within(5), within(5))
        assert answers == ["built on v2"] * 3 and made == ["v1", "v2"]
        data.snapshot_source.path = "v3"
        with pytest.raises(ValueError, match="no luck"):
            await within(5)
        assert await within(5) == "built on v3" and made == ["v1", "v2", "v3", "v3"]

    asyncio.run(main())


def test_the_bound_on_waiting_counts_from_the_start_of_the_build() -> None:
    """The first request waits its bound; a request that comes after it answers at once
    (NotReadyError), rather than waiting a bound of its own: with a bound per request, each
    request for the dataset's description during a minute's rendering waited 10 s."""
    import asyncio
    import time
    from types import SimpleNamespace

    from aigraph.server.app import NotReadyError, per_version_within

    data = SimpleNamespace(snapshot_source=SimpleNamespace(path="v1"))
    services = SimpleNamespace(data=data, background={})
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(services=services)))

    def build(services: SimpleNamespace) -> str:
        time.sleep(1.5)
        return "built"

    async def main() -> list[float]:
        waited = []
        for _ in range(2):
            start = time.monotonic()
            with pytest.raises(NotReadyError):
                await per_version_within(request, "files", build, 0.4)  # type: ignore[arg-type]
            waited.append(time.monotonic() - start)
        done = await per_version_within(request, "files", build, 5)  # type: ignore[arg-type]
        assert done == "built"
        return waited

    first, second = asyncio.run(main())
    assert first >= 0.4  # the first request waited its bound
    assert second < 0.3, second  # the next did not wait another
