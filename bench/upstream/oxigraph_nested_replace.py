"""A reproduction for the Oxigraph maintainers (not part of the benchmark; bench/upstream/
README.md is the report): a query with `REPLACE` nested n deep takes time that doubles
with each level, even where the expression is never evaluated, so it is the query's reading;
with `REPLACE`'s optional flags given it stays flat, as nested `LCASE` or `CONCAT` do.

    .venv/bin/python bench/upstream/oxigraph_nested_replace.py [--depths 1,4,7,10,12] [--runs 30]

Only pyoxigraph and the standard library; an empty store. Prints, for each depth, the median
µs of `runs` evaluations of `SELECT (F(F(…F("Défis")…)) AS ?k) {}` for each function F, of
nested `REPLACE` in a filter that is never evaluated (no row reaches it), and of the same
replacements as a chain of `BIND`s. Found in aigraph's catalogue, whose
queries sort labels by a key of seven nested `REPLACE`s (bench/NOTES.md, "Why the key costs
what it costs").
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import pyoxigraph as ox

#: Each F wraps an expression once, and the value it gives "Défis" at any depth.
FUNCTIONS: dict[str, tuple[Callable[[str], str], str]] = {
    "REPLACE": (lambda inner: f'REPLACE({inner}, "é", "e")', "Defis"),
    # the same, with REPLACE's optional fourth argument (flags) given
    "REPLACE with flags": (lambda inner: f'REPLACE({inner}, "é", "e", "")', "Defis"),
    # another function with an optional last argument
    "SUBSTR": (lambda inner: f"SUBSTR({inner}, 1)", "Défis"),
    "LCASE": (lambda inner: f"LCASE({inner})", "défis"),
    "CONCAT": (lambda inner: f'CONCAT({inner}, "")', "Défis"),
}


def wrapped(function: Callable[[str], str], depth: int, inner: str) -> str:
    for _ in range(depth):
        inner = function(inner)
    return inner


def nested(function: Callable[[str], str], depth: int) -> str:
    expression = wrapped(function, depth, '"Défis"')
    return f"SELECT (({expression}) AS ?k) WHERE {{}}"


def unevaluated(depth: int) -> str:
    """Nested `REPLACE` in a filter over a pattern that matches nothing: never evaluated."""
    expression = wrapped(FUNCTIONS["REPLACE"][0], depth, "?o")
    return f'SELECT * WHERE {{ ?s <urn:x:none> ?o FILTER ({expression} = "x") }}'


def chained(depth: int) -> str:
    """The same `REPLACE`s as a chain of `BIND`s: one level each."""
    binds = ['BIND("Défis" AS ?k0)']
    binds += [f'BIND(REPLACE(?k{i}, "é", "e") AS ?k{i + 1})' for i in range(depth)]
    return f"SELECT ?k{depth} WHERE {{ {' '.join(binds)} }}"


def median_us(store: ox.Store, text: str, expected: str | None, runs: int) -> float:
    """`expected`: the one row's value, or None for no row."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        rows = list(store.query(text))  # type: ignore[arg-type]
        times.append(time.perf_counter() - start)
        assert [r[0].value for r in rows] == ([] if expected is None else [expected]), text
    return statistics.median(times) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--depths", default="1,4,7,10,12")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    store = ox.Store()
    depths = [int(d) for d in args.depths.split(",")]
    print(f"pyoxigraph {ox.__version__}; median µs of {args.runs} runs")
    print(
        "| depth | "
        + " | ".join(f"nested {name}" for name in FUNCTIONS)
        + " | REPLACE, never evaluated | BIND chain |"
    )
    print("|---|" + "---|" * (len(FUNCTIONS) + 2))
    for depth in depths:
        cells = [
            f"{median_us(store, nested(function, depth), expected, args.runs):,.0f}"
            for function, expected in FUNCTIONS.values()
        ]
        cells.append(f"{median_us(store, unevaluated(depth), None, args.runs):,.0f}")
        cells.append(f"{median_us(store, chained(depth), 'Defis', args.runs):,.0f}")
        print(f"| {depth} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
