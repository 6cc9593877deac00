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

import pyoxigraph as ox
from rdflib import Dataset

from aigraph.dataset import to_oxigraph


def add_union_default_graph(store: ox.Store) -> None:
    """Copy the set of triples of all named graphs into the default graph of `store`."""
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


Substitutions = Mapping[ox.Variable, ox.NamedNode | ox.Literal]


class Engine:
    """Runs SPARQL over one in-memory Oxigraph store (and, for queries that read only the
    default graph, over a copy of that graph alone: see aigraph.server.worker.merged_only,
    which explains why)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._facts: ox.Store | None = None

    def store_for(self, sparql: str) -> ox.Store:
        from aigraph.server.sniff import sniff
        from aigraph.server.worker import merged_only

        if sniff(sparql).uses_graphs:
            return self.store
        if self._facts is None:
            self._facts = merged_only(self.store)
        return self._facts

    @classmethod
    def from_dataset(cls, ds: Dataset) -> Engine:
        store = to_oxigraph(ds)
        add_union_default_graph(store)
        return cls(store)

    def query(
        self, sparql: str, substitutions: Substitutions | None = None
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Evaluate `sparql` over the union default graph; SyntaxError if it does not parse."""
        return self.store_for(sparql).query(sparql, substitutions=dict(substitutions or {}))

    def __len__(self) -> int:
        return len(self.store)
