"""A reproduction for the Oxigraph maintainers (not part of the benchmark; bench/upstream/
README.md is the report): an OPTIONAL group of three patterns after a left side of two is
matched over the whole data and then joined, not for the bindings of its left side, so a
query that selects 5 rows takes time in proportion to the store (745 ms at 10^6 triples,
where the same answer, asked another way, takes 0.07 ms).

    .venv/bin/python bench/upstream/oxigraph_optional_group.py [--sizes 10000,100000,1000000]

Only pyoxigraph and the standard library; synthetic data in memory. Prints, for each size,
the median of 7 runs of five forms of one question ("one person's 5 participations, their
sessions, and their organisations with their names, if any"), which give the same 5 rows. Found in aigraph's catalogue
query `person` at 10^6 triples (bench/NOTES.md, "Why catalogue:person took 0.3 s").
"""

from __future__ import annotations

import argparse
import statistics
import time

import pyoxigraph as ox

EX = "http://example.org/"
PREFIX = f"PREFIX : <{EX}>\n"

#: One question, in several forms; each answers the same 5 rows: one person's participations,
#: the session each is in, and the participation's organisation with its name, if any.
QUERIES = {
    # slow: a left side whose person is the object of its pattern, joined to a second
    # subject (?session), and an OPTIONAL group of three patterns sharing ?part with it
    "left of 2 patterns, group of 3": """SELECT * WHERE {
        ?part :by :p0 . ?session :has ?part .
        OPTIONAL { ?part :as ?membership . ?membership :of ?org . ?org :name ?name } }""",
    # faster, but still in proportion to the data: the same group after a left side of
    # one pattern
    "left of 1 pattern, group of 3": """SELECT * WHERE {
        ?part :by :p0 .
        OPTIONAL { ?part :as ?membership . ?membership :of ?org . ?org :name ?name } }""",
    # fast: the same left side before a group of two patterns
    "left of 2 patterns, group of 2": """SELECT * WHERE {
        ?part :by :p0 . ?session :has ?part .
        OPTIONAL { ?part :as ?membership . ?membership :of ?org } }""",
    # the workaround aigraph uses (queries/person.rq): the group repeats a pattern of the
    # left side, so that the constant is inside it; the same answer
    "group repeating the left side": """SELECT * WHERE {
        ?part :by :p0 . ?session :has ?part .
        OPTIONAL { ?part :by :p0 . ?part :as ?membership . ?membership :of ?org .
                   ?org :name ?name } }""",
    # ... which does not help when the person is bound by VALUES (as a client binds a
    # parameter): the group cannot see that binding either
    "the same, the person by VALUES": """SELECT * WHERE {
        VALUES ?person { :p0 } ?part :by ?person . ?session :has ?part .
        OPTIONAL { ?part :by ?person . ?part :as ?membership . ?membership :of ?org .
                   ?org :name ?name } }""",
}


def store_of(participations: int) -> ox.Store:
    """`participations` participations of participations // 5 people (5 each), each in one
    of participations // 10 sessions, through a membership in one of 100 named
    organisations: 4 triples a participation, and 100 names."""
    store = ox.Store()
    node = ox.NamedNode
    quads = [ox.Quad(node(f"{EX}o{k}"), node(EX + "name"), ox.Literal(f"O{k}")) for k in range(100)]
    for i in range(participations):
        part, membership = node(f"{EX}x{i}"), node(f"{EX}m{i}")
        quads += [
            ox.Quad(part, node(EX + "by"), node(f"{EX}p{i // 5}")),
            ox.Quad(node(f"{EX}s{i // 10}"), node(EX + "has"), part),
            ox.Quad(part, node(EX + "as"), membership),
            ox.Quad(membership, node(EX + "of"), node(f"{EX}o{i % 100}")),
        ]
    store.bulk_extend(quads)
    return store


def median_ms(store: ox.Store, query: str, runs: int = 7) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        rows = len(list(store.query(PREFIX + query)))  # type: ignore[arg-type]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="triples, roughly")
    args = parser.parse_args()
    print(f"pyoxigraph {ox.__version__}; median ms of 7 runs (rows)")  # type: ignore[attr-defined]
    print("| triples | " + " | ".join(QUERIES) + " |")
    print("|---|" + "---|" * len(QUERIES))
    for size in (int(float(s)) for s in args.sizes.split(",")):
        store = store_of(size // 4)
        cells, counts = [], set()
        for query in QUERIES.values():
            ms, rows = median_ms(store, query)
            cells.append(f"{ms:,.2f} ({rows})")
            counts.add(rows)
        assert counts == {5}, f"the forms should each give the person's 5 rows: {cells}"
        print(f"| {len(store):,} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
