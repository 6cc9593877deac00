"""The query engine: an embedded Oxigraph store holding the dataset.

Oxigraph was chosen by measurement (issue #3; bench/): at 100k triples it answered the
researcher queries in 0.2–68 ms where rdflib's evaluator took 15 ms–4.5 s. rdflib stays the
library for modelling, parsing, validation and serialisation.

The default graph of every query is the RDF merge of the named graphs: the data puts every
triple in a named graph, and the engine materialises their union, *as a set*, as the store's
default graph (a triple stated by three claims is one triple of the default graph, so
answers are not multiplied; Oxigraph's own union mode does not deduplicate). ``GRAPH``
patterns still see each named graph on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pyoxigraph as ox

from aigraph.sniff import sniff

if TYPE_CHECKING:  # the query workers import this module: they need no rdflib
    from rdflib import Dataset


QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def as_solutions(result: QueryResult) -> ox.QuerySolutions:
    """`result` as the solutions of a SELECT (TypeError for an ASK or a graph query: the
    caller's own query text is wrong)."""
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"a SELECT query was expected, not one giving {type(result).__name__}")
    return result


def as_triples(result: QueryResult) -> ox.QueryTriples:
    """`result` as the triples of a CONSTRUCT or DESCRIBE (TypeError otherwise)."""
    if not isinstance(result, ox.QueryTriples):
        raise TypeError(f"a CONSTRUCT query was expected, not one giving {type(result).__name__}")
    return result


def empty_graphs(store: ox.Store) -> list[str]:
    """The named graphs of `store` that hold no triple. A copy made of quads (a dump, or
    `bulk_extend` of every quad) loses them, and SPARQL tells them from absent graphs:
    `ASK { GRAPH <g> {} }` is true for an empty graph, a second `CREATE GRAPH <g>` fails
    (SPARQL 1.1 Update §3.2.1), and the Graph Store Protocol answers 200, not 404."""
    return [
        graph.value
        for graph in store.named_graphs()
        if isinstance(graph, ox.NamedNode)
        and next(iter(store.quads_for_pattern(None, None, None, graph)), None) is None
    ]


def add_merge(store: ox.Store) -> None:
    """Make the default graph of `store` the merge of its graphs, with the bulk loader (in
    batches: the SPARQL update that does the same holds every new triple in memory until it
    commits, gigabytes at 10^7 triples)."""
    store.bulk_extend(
        ox.Quad(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, None)
        if not isinstance(q.graph_name, ox.DefaultGraph)
    )


def merged_only(store: ox.Store, into: ox.Store | None = None) -> ox.Store:
    """A store of the snapshot's default graph (the merge of every graph) and nothing else.

    Why a second store: with the named graphs beside it, Oxigraph's planner misjudges
    default-graph patterns whose triples are restated in many graphs (each claim graph
    restates a job title's label): at 10^6 triples a three-pattern join took 45 s instead
    of 0.25 s. Queries that read only the default graph run here; the others on the full
    store. The merge is already deduplicated, so this costs at most the size of the data."""
    facts = into if into is not None else ox.Store()  # `into`: an on-disk store, say
    facts.bulk_extend(
        ox.Quad(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    )
    return facts


Substitutions = Mapping[ox.Variable, ox.NamedNode | ox.Literal]


def mentions(store: ox.Store, iri: str) -> bool:
    """Whether any quad of `store`, in any graph, has `iri` as its subject or object (two
    index lookups)."""
    node = ox.NamedNode(iri)
    return any(
        next(iter(found), None) is not None
        for found in (
            store.quads_for_pattern(node, None, None),
            store.quads_for_pattern(None, None, node),
        )
    )


class Engine:
    """Runs SPARQL over one in-memory Oxigraph store (and, for queries that read only the
    default graph, over a copy of that graph alone: see :func:`merged_only` for why)."""

    def __init__(self, store: ox.Store, facts: ox.Store | None = None) -> None:
        """`facts`: the merged triples alone, if already made (else made when first needed)."""
        self.store = store
        self._facts = facts

    def store_for(self, sparql: str) -> ox.Store:
        if sniff(sparql).uses_graphs:
            return self.store
        if self._facts is None:
            self._facts = merged_only(self.store)
        return self._facts

    @classmethod
    def from_dataset(cls, ds: Dataset) -> Engine:
        from aigraph.dataset import to_oxigraph

        store = to_oxigraph(ds)
        add_merge(store)
        return cls(store)

    def query(self, sparql: str, substitutions: Substitutions | None = None) -> QueryResult:
        """Evaluate `sparql` over the union default graph; SyntaxError if it does not parse."""
        return self.store_for(sparql).query(sparql, substitutions=dict(substitutions or {}))

    def mentions(self, iri: str) -> bool:
        return mentions(self.store, iri)

    def select(self, sparql: str, substitutions: Substitutions | None = None) -> ox.QuerySolutions:
        return as_solutions(self.query(sparql, substitutions))

    def construct(self, sparql: str) -> ox.QueryTriples:
        return as_triples(self.query(sparql))

    def __len__(self) -> int:
        return len(self.store)
