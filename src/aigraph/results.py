"""SPARQL results in the formats of the CLI: the W3C results formats and a text table.

CSV, TSV, JSON and XML are the standard SPARQL 1.1 results formats (W3C Recommendations
"SPARQL 1.1 Query Results CSV and TSV Formats", "… JSON Results Format", "… XML Results
Format"), written by the endpoint's own writers (aigraph.serialize), so that the CLI and
`/sparql` give the same answer, columns in the same order; a yes-or-no answer by Oxigraph's.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from aigraph.namespaces import CANONICAL_BASE
from aigraph.serialize import SOLUTION_WRITERS, Term, column_order

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
#: The media type of each, whose writer the endpoint uses (aigraph.serialize).
RESULT_MEDIA = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
}


def term_text(term: Term | None, base: str = CANONICAL_BASE) -> str:
    """A short, readable form of a term for a text table."""
    if term is None:
        return ""
    if isinstance(term, ox.Triple):  # an RDF 1.2 triple term, as Turtle 1.2 writes it
        # a literal in it is quoted, as written there: `c` alone would read as a name
        parts = (term.subject, term.predicate, term.object)
        shown = (str(t) if isinstance(t, ox.Literal) else term_text(t, base) for t in parts)
        return "<<( " + " ".join(shown) + " )>>"
    if isinstance(term, ox.NamedNode):
        from aigraph.validate import compact  # the one place prefixes are applied

        return compact(term.value, base)
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    return f"_:{term.value}"


def render_table(
    names: Sequence[str],
    rows: Sequence[Sequence[Term | None]],
    base: str = CANONICAL_BASE,
    width: int = 60,
) -> str:
    """A plain-text table (for people at a terminal, not for machines)."""
    texts = [[term_text(t, base) for t in row] for row in rows]

    def cut(text: str) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    cells = [[cut(c) for c in row] for row in texts]
    widths = [max([len(n), *(len(r[i]) for r in cells)]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def render_results(
    results: ox.QuerySolutions | ox.QueryBoolean,
    fmt: str,
    base: str = CANONICAL_BASE,
    star_order: Sequence[str] = (),
) -> bytes:
    """SELECT or ASK results in `fmt` (table, csv, tsv, json, xml). `star_order`: a
    `SELECT *` query's variables in the order they appear in it (aigraph.sniff.star_order),
    the columns' order, as on the endpoint."""
    if isinstance(results, ox.QueryBoolean):
        if fmt == "table":
            return (("true" if bool(results) else "false") + "\n").encode()
        return results.serialize(format=RESULT_FORMATS[fmt]) or b""
    names = [v.value for v in results.variables]
    rows = [list(solution) for solution in results]
    order = column_order(names, star_order)
    if order is not None:
        names = [names[i] for i in order]
        rows = [[row[i] for i in order] for row in rows]
    if fmt == "table":
        return render_table(names, rows, base).encode("utf-8")
    writer = SOLUTION_WRITERS[RESULT_MEDIA[fmt]](names)
    return writer.head() + writer.rows(rows) + writer.tail()
