"""SPARQL results in the formats of the CLI: the W3C results formats and a text table.

CSV, TSV, JSON and XML are the standard SPARQL 1.1 results formats (W3C Recommendations
"SPARQL 1.1 Query Results CSV and TSV Formats", "… JSON Results Format", "… XML Results
Format"), written by Oxigraph's serialisers.
"""

from __future__ import annotations

import pyoxigraph as ox

from aigraph.namespaces import CANONICAL_BASE

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}


def term_text(
    term: ox.NamedNode | ox.BlankNode | ox.Literal | None, base: str = CANONICAL_BASE
) -> str:
    """A short, readable form of a term for a text table."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        from aigraph.validate import compact  # the one place prefixes are applied

        return compact(term.value, base)
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    return f"_:{term.value}"


def render_table(solutions: ox.QuerySolutions, base: str = CANONICAL_BASE, width: int = 60) -> str:
    """A plain-text table (for people at a terminal, not for machines)."""
    names = [v.value for v in solutions.variables]
    rows = [[term_text(s[name], base) for name in names] for s in solutions]

    def cut(text: str) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    cells = [[cut(c) for c in row] for row in rows]
    widths = [max([len(n), *(len(r[i]) for r in cells)]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def render_results(
    results: ox.QuerySolutions | ox.QueryBoolean, fmt: str, base: str = CANONICAL_BASE
) -> bytes:
    """SELECT or ASK results in `fmt` (table, csv, tsv, json, xml)."""
    if fmt == "table":
        if isinstance(results, ox.QueryBoolean):
            return (("true" if bool(results) else "false") + "\n").encode()
        return render_table(results, base).encode("utf-8")
    return results.serialize(format=RESULT_FORMATS[fmt]) or b""
