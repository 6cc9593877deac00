"""Serialisers for SPARQL answers, applied to a (possibly capped) list of solutions.

Oxigraph's own results serialisers consume its iterator whole, so a server that caps answers
needs its own. Each follows its W3C Recommendation:

- JSON: "SPARQL 1.1 Query Results JSON Format" (§3: ``head.vars``, ``results.bindings``;
  literals carry ``xml:lang`` or ``datatype``, never ``xsd:string``);
- XML: "SPARQL Query Results XML Format (Second Edition)";
- CSV and TSV: "SPARQL 1.1 Query Results CSV and TSV Formats" (CSV: lexical forms, RFC 4180
  quoting, CRLF; TSV: terms in Turtle syntax, ``?var`` headers, LF).

Graph answers (CONSTRUCT, DESCRIBE) are serialised by Oxigraph's RDF serialisers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = Sequence[Term | None]


# --- JSON ---------------------------------------------------------------------------------


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    # RDF 1.2 triple term (SPARQL 1.2 results JSON draft)
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def results_json(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    bindings = [
        {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
        for row in rows
    ]
    doc = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def boolean_json(value: bool) -> bytes:
    return json.dumps({"head": {}, "boolean": value}).encode("utf-8")


# --- XML ----------------------------------------------------------------------------------

_XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return (
                f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
            )
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject>"
        f"<predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


def results_xml(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    parts = [_XML_HEAD, "<head>"]
    parts += [f"<variable name={quoteattr(v)}/>" for v in variables]
    parts.append("</head><results>")
    for row in rows:
        parts.append("<result>")
        for v, t in zip(variables, row, strict=True):
            if t is not None:
                parts.append(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
        parts.append("</result>")
    parts.append("</results></sparql>\n")
    return "".join(parts).encode("utf-8")


def boolean_xml(value: bool) -> bytes:
    return (
        f"{_XML_HEAD}<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n".encode()
    )


# --- CSV and TSV --------------------------------------------------------------------------


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_term(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def results_csv(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    lines = [",".join(_csv_field(v) for v in variables)]
    lines += [",".join(_csv_field(_csv_term(t)) for t in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _tsv_term(term: Term | None) -> str:
    if term is None:
        return ""
    # Oxigraph prints terms in N-Triples syntax (valid Turtle), which escapes \n and \r in
    # literals but not TAB, the TSV separator: escape it too (Turtle ECHAR \t).
    return str(term).replace("\t", "\\t")


def results_tsv(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- Tables of formats --------------------------------------------------------------------

SOLUTION_SERIALIZERS = {
    "application/sparql-results+json": results_json,
    "application/json": results_json,
    "application/sparql-results+xml": results_xml,
    "application/xml": results_xml,
    "text/csv": results_csv,
    "text/tab-separated-values": results_tsv,
}
BOOLEAN_SERIALIZERS = {
    "application/sparql-results+json": boolean_json,
    "application/json": boolean_json,
    "application/sparql-results+xml": boolean_xml,
    "application/xml": boolean_xml,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
QUAD_FORMATS = {"application/trig", "application/n-quads"}


def serialize_graph(
    triples: Sequence[ox.Triple], media_type: str, prefixes: dict[str, str] | None = None
) -> bytes:
    fmt = GRAPH_FORMATS[media_type]
    items: Sequence[ox.Triple] | list[ox.Quad] = triples
    if media_type in QUAD_FORMATS:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    kwargs = (
        {"prefixes": prefixes}
        if prefixes and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)
        else {}
    )
    return ox.serialize(items, format=fmt, **kwargs) or b""
