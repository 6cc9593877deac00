"""The data a server serves: loading it, snapshotting it for the query workers, describing it.

Two stores, one truth:

- the *authoritative* store holds the data as loaded and as written (named graphs, plus
  triples loaded into the default graph) — only writes touch it;
- the *query snapshot* is a copy in which the default graph is the RDF merge of every named
  graph and the default graph's own triples (a set: a triple in three graphs is one triple).
  Query workers answer from it, so that ``SELECT * { ?s ?p ?o }`` sees the whole dataset
  while ``GRAPH ?g`` still sees each graph alone (Service Description: sd:UnionDefaultGraph).

After a write the snapshot is rebuilt from the authoritative store and the workers reload.

The server process also keeps the *merged triples* alone (aigraph.engine.merged_only), for
its own reads of the whole graph — the interface's programme and network, search,
reconciliation, the linking status: queries that name no graph run there at once, where the
authoritative store's union of graphs took 66 s for the programme's people at 10^5 triples
(Oxigraph's union mode walks every claim graph restating a triple).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from aigraph.catalogue import data_languages
from aigraph.dataset import (
    DECOMPRESSION_ERRORS,
    DataLoadError,
    cannot_parse,
    compressed,
    load_dataset,
    open_compressed,
    rdf_format_for,
)
from aigraph.engine import add_merge, as_solutions, empty_graphs, mentions, merged_only
from aigraph.project import Project
from aigraph.search import LabelIndex
from aigraph.server.settings import Settings
from aigraph.server.worker import StoreSource


def load_file(store: ox.Store, path: Path, graph: str | None = None) -> None:
    """Load one RDF file. Quad formats keep their graphs; triples go to `graph` or the
    default graph. Oxigraph's parsers fetch nothing (no remote JSON-LD context, no external
    XML entity): tests/test_server_safety.py proves it with a canary listener."""
    fmt = rdf_format_for(path)
    target = ox.NamedNode(graph) if graph else None
    if fmt.supports_datasets and target is not None:
        raise DataLoadError(
            f"{path}: a {fmt.name} file has its own graphs; give it without a graph IRI"
        )
    base = path.resolve().as_uri()
    try:
        if compressed(path):  # decompressed as Oxigraph reads it: never whole in memory
            with open_compressed(path) as stream:
                store.bulk_load(stream, format=fmt, base_iri=base, to_graph=target)
        else:
            store.bulk_load(path=str(path), format=fmt, base_iri=base, to_graph=target)
    except FileNotFoundError:
        raise DataLoadError(f"{path}: no such file") from None
    except (SyntaxError, ValueError) as exc:
        raise DataLoadError(cannot_parse(path, fmt, exc)) from None
    except DECOMPRESSION_ERRORS as exc:  # OSError among them, as before
        if compressed(path):
            raise DataLoadError(f"{path}: cannot decompress: {exc}") from None
        raise DataLoadError(cannot_parse(path, fmt, exc)) from None


def load_authoritative(
    settings: Settings, project: Project | None = None, store: ox.Store | None = None
) -> ox.Store:
    """The store as configured: the bundled dataset (under the configured base) and files,
    loaded into `store` (an on-disk one: the files go straight to disk) or a new one in
    memory."""
    store = store if store is not None else ox.Store()
    if settings.bundled:
        ds = load_dataset(project, base=settings.base_iri)
        store.bulk_load(
            ds.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS
        )
    for path in settings.data:
        load_file(store, Path(path))
    for graph, path in settings.graphs.items():
        load_file(store, Path(path), graph)
    return store


def copy_store(store: ox.Store, target: ox.Store | None = None) -> ox.Store:
    """A copy of `store` in `target` (a new store in memory by default), empty named graphs
    included."""
    copy = target if target is not None else ox.Store()
    copy.bulk_extend(store.quads_for_pattern(None, None, None, None))
    for name in empty_graphs(store):
        copy.add_graph(ox.NamedNode(name))
    return copy


def snapshot(authoritative: ox.Store, target: ox.Store | None = None) -> ox.Store:
    """A copy of `authoritative` whose default graph is the merge of all graphs."""
    snap = copy_store(authoritative, target)
    add_merge(snap)
    return snap


def dump_source(snap: ox.Store, folder: Path) -> StoreSource:
    """The workers' source for `snap`: its dump, and the empty graphs a dump cannot hold."""
    return StoreSource("dump", str(write_dump(snap, folder)), tuple(empty_graphs(snap)))


def write_dump(store: ox.Store, folder: Path) -> Path:
    """An N-Quads dump for the workers to load (a new file each time; the old one stays
    valid for workers still reading it)."""
    fd, name = tempfile.mkstemp(prefix="snapshot-", suffix=".nq", dir=folder)
    with open(fd, "wb") as handle:
        store.dump(handle, format=ox.RdfFormat.N_QUADS)
    return Path(name)


@dataclass
class GraphInfo:
    name: str | None  # None: the default graph
    triples: int


@dataclass
class DatasetInfo:
    """What the Service Description and VoID say about the data."""

    triples: int = 0
    graphs: list[GraphInfo] = field(default_factory=list)

    @property
    def named(self) -> list[GraphInfo]:
        return [g for g in self.graphs if g.name is not None]


def describe(store: ox.Store) -> DatasetInfo:
    """Triple counts of the default graph (the merge) and of each named graph."""
    counts = as_solutions(
        store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
    )
    graphs = [GraphInfo(row["g"].value, int(row["n"].value)) for row in counts]
    graphs += [GraphInfo(name, 0) for name in empty_graphs(store)]
    graphs.sort(key=lambda g: g.name or "")
    (row,) = as_solutions(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    total = int(row["n"].value)
    return DatasetInfo(triples=total, graphs=[GraphInfo(None, total), *graphs])


@dataclass
class ServedData:
    """The authoritative store, its snapshot for the workers, and their description."""

    authoritative: ox.Store
    snapshot_source: StoreSource
    info: DatasetInfo
    merged: ox.Store  # the merge of every graph, alone, as its default graph
    workdir: tempfile.TemporaryDirectory[str] | None = None
    writes: int = 0  # versions published since the data was loaded
    _labels: tuple[ox.Store, LabelIndex] | None = field(default=None, repr=False)
    _labels_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _languages: tuple[ox.Store, frozenset[str]] | None = field(default=None, repr=False)

    def contains_graph(self, name: str) -> bool:
        return self.authoritative.contains_named_graph(ox.NamedNode(name))

    def labels(self) -> LabelIndex:
        """The label index of `merged`, for search, type-ahead and reconciliation alike:
        built once per version of the data (a write replaces `merged`), by whichever of
        them asks first; the interface and the reconciliation service each built their own."""
        with self._labels_lock:
            merged = self.merged
            if self._labels is None or self._labels[0] is not merged:
                self._labels = (merged, LabelIndex.from_store(merged))
            return self._labels[1]

    def mentions(self, iri: str) -> bool:
        """Whether any triple of the data has `iri` as its subject or object."""
        return mentions(self.merged, iri)

    def languages(self) -> frozenset[str]:
        """The language tags of the data's literals (catalogue.data_languages), once per
        version of the data; two first callers at once may both scan, and agree."""
        merged, known = self.merged, self._languages
        if known is None or known[0] is not merged:
            known = (merged, data_languages(merged))
            self._languages = known
        return known[1]


def prepare(settings: Settings, project: Project | None = None) -> ServedData:
    """Load the configured data and make the snapshot the workers will answer from."""
    if settings.backend == "disk":
        if settings.store_path is None:
            raise DataLoadError("backend=disk needs a store path (AIGRAPH_STORE_PATH)")
        path = Path(settings.store_path)
        path.mkdir(parents=True, exist_ok=True)
        disk = ox.Store(str(path))
        if next(iter(disk), None) is None:  # empty (len() would count every quad)
            # straight to disk with the bulk loader, then the merge as the default graph: a
            # copy in memory first would need the whole graph in memory (at 10^7 triples it
            # took more than 14 GB and was killed: bench/NOTES.md)
            load_authoritative(settings, project, disk)
            add_merge(disk)
            disk.flush()
            disk.optimize()
        write_facts(disk, facts_path(path))
        info = counted(disk, facts_path(path))
        del disk  # the workers open it read-only; no writer stays open
        return ServedData(
            ox.Store.read_only(str(path)),
            StoreSource("disk", str(path)),
            info,
            ox.Store.read_only(str(facts_path(path))),
        )
    authoritative = load_authoritative(settings, project)
    snap = snapshot(authoritative)
    workdir = tempfile.TemporaryDirectory(prefix="aigraph-")
    source = dump_source(snap, Path(workdir.name))
    return ServedData(authoritative, source, describe(snap), merged_only(snap), workdir)


def facts_path(path: Path) -> Path:
    """Where the on-disk store keeps its merged triples alone (beside it, same name + .facts)."""
    return path.with_name(path.name + ".facts")


def write_facts(store: ox.Store, path: Path) -> None:
    """The merged triples of an on-disk store, in a second on-disk store beside it, for the
    queries that read only the default graph (aigraph.engine.merged_only, which makes it and
    says why). Made
    once, with the store: a store that already has them is left as it is."""
    marker = path / "aigraph-complete"
    if marker.exists():
        return
    if path.exists():  # an interrupted earlier attempt
        shutil.rmtree(path)
    facts = merged_only(store, ox.Store(str(path)))
    facts.flush()
    facts.optimize()
    del facts
    marker.write_text("the merged triples of the store beside this one\n", encoding="utf-8")


COUNTS = "aigraph-counts.json"


def counted(store: ox.Store, facts: Path) -> DatasetInfo:
    """The description of an on-disk store, counted once and kept with its merged triples.

    Why: counting every quad of a reopened store took a minute at 10^7 triples
    (bench/NOTES.md), at every start. aigraph writes to a disk store only when it loads it
    (updates need the memory backend), so the counts live and die with the merged-triples
    store made at that moment (write_facts removes the folder when it remakes it). A missing
    or unreadable file is counted again."""
    cache = facts / COUNTS
    try:
        saved = json.loads(cache.read_text(encoding="utf-8"))
        return DatasetInfo(
            triples=int(saved["triples"]),
            graphs=[GraphInfo(g["name"], int(g["triples"])) for g in saved["graphs"]],
        )
    except (OSError, ValueError, KeyError, TypeError):
        pass
    info = describe(store)
    text = json.dumps(
        {
            "triples": info.triples,
            "graphs": [{"name": g.name, "triples": g.triples} for g in info.graphs],
        },
        indent=1,
    )
    partial = cache.with_suffix(".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, cache)  # never a half-written file in its place
    return info


@dataclass(frozen=True)
class Version:
    """What a write publishes: the new authoritative store and what is made from it."""

    authoritative: ox.Store
    info: DatasetInfo
    merged: ox.Store
    source: StoreSource


def next_version(data: ServedData, authoritative: ox.Store) -> Version:
    """After a write (in a thread: it copies the data): the snapshot of `authoritative` for
    the workers, its description and its merged triples."""
    assert data.workdir is not None, "writes need the memory backend"
    snap = snapshot(authoritative)
    source = dump_source(snap, Path(data.workdir.name))
    return Version(authoritative, describe(snap), merged_only(snap), source)


def publish(data: ServedData, version: Version) -> None:
    """Make `version` the data served, all of it at once: called on the event loop, so that
    no request sees the new store with the old counts or merged triples (the workers reload
    afterwards, one at a time)."""
    data.authoritative = version.authoritative
    data.info = version.info
    data.merged = version.merged
    data.snapshot_source = version.source
    data.writes += 1
