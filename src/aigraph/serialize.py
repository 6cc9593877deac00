"""Serialisers for SPARQL answers, applied to a (possibly capped) list of solutions.

Oxigraph's own results serialisers consume its iterator whole, so a server that caps answers
needs its own. Each follows its W3C Recommendation:

- JSON: "SPARQL 1.1 Query Results JSON Format" (§3: ``head.vars``, ``results.bindings``;
  literals carry ``xml:lang`` or ``datatype``, never ``xsd:string``);
- XML: "SPARQL Query Results XML Format (Second Edition)";
- CSV and TSV: "SPARQL 1.1 Query Results CSV and TSV Formats" (CSV: lexical forms, RFC 4180
  quoting, CRLF; TSV: terms in Turtle syntax, ``?var`` headers, LF).

Each results format is a writer with a head, rows (in as many batches as the caller likes)
and a tail, so that a large answer can be sent as it is produced (the server streams answers
past a size, docs/serving.md); ``results_json`` and the like write a whole answer at once.

Graph answers (CONSTRUCT, DESCRIBE) are serialised by Oxigraph's RDF serialisers; the
line-based and Turtle-family syntaxes can be written in batches too (`STREAMABLE_GRAPHS`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from json.encoder import encode_basestring as _quote  # the C string encoder json.dumps uses
from pathlib import Path
from typing import Any, Protocol, cast
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = Sequence[Term | None]


# --- JSON ---------------------------------------------------------------------------------


def term_text(term: Term) -> str:
    """A term's value (IRI, lexical form, blank node id); an RDF 1.2 triple term, which has
    none, in N-Triples form."""
    return str(term) if isinstance(term, ox.Triple) else term.value


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


def _json_term_text(term: Term) -> str:
    """`_json_term` written directly as JSON text: the common terms without building a dict
    and encoding it (2.7 times faster on a 100,000-row answer; strings are quoted by the
    json module's C encoder, so the escaping is the same)."""
    # `type(term) is` rather than isinstance, and no cast() call: the hot path of every
    # answer; `known` is the term once an identity test has said what it is
    kind = type(term)
    known: Any = term
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + _quote(known.value) + "}"
    if kind is ox.Literal:
        literal = known
        value = _quote(literal.value)
        if literal.language:
            return (
                '{"type":"literal","value":'
                + value
                + ',"xml:lang":'
                + _quote(literal.language)
                + "}"
            )
        datatype = literal.datatype.value
        if datatype != XSD_STRING:
            return '{"type":"literal","value":' + value + ',"datatype":' + _quote(datatype) + "}"
        return '{"type":"literal","value":' + value + "}"
    if kind is ox.BlankNode:
        return '{"type":"bnode","value":' + _quote(known.value) + "}"
    return json.dumps(_json_term(term), ensure_ascii=False, separators=(",", ":"))


class JsonWriter:
    def __init__(self, variables: Sequence[str]) -> None:
        self.variables = list(variables)
        self.keys = [_quote(v) + ":" for v in self.variables]
        self.started = False

    def head(self) -> bytes:
        vars_ = json.dumps(self.variables, ensure_ascii=False, separators=(",", ":"))
        return ('{"head":{"vars":' + vars_ + '},"results":{"bindings":[').encode("utf-8")

    def rows(self, rows: Sequence[Row]) -> bytes:
        if not rows:
            return b""
        keys = self.keys
        text = ",".join(
            "{"
            + ",".join(
                k + _json_term_text(t) for k, t in zip(keys, row, strict=True) if t is not None
            )
            + "}"
            for row in rows
        )
        comma, self.started = ("," if self.started else ""), True
        return (comma + text).encode("utf-8")

    def tail(self) -> bytes:
        return b"]}}"


def results_json(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    return _whole(JsonWriter(variables), rows)


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


class XmlWriter:
    def __init__(self, variables: Sequence[str]) -> None:
        self.variables = list(variables)
        self.names = [quoteattr(v) for v in self.variables]

    def head(self) -> bytes:
        parts = [_XML_HEAD, "<head>"]
        parts += [f"<variable name={name}/>" for name in self.names]
        parts.append("</head><results>")
        return "".join(parts).encode("utf-8")

    def rows(self, rows: Sequence[Row]) -> bytes:
        parts = []
        for row in rows:
            parts.append("<result>")
            for name, t in zip(self.names, row, strict=True):
                if t is not None:
                    parts.append(f"<binding name={name}>{_xml_term(t)}</binding>")
            parts.append("</result>")
        return "".join(parts).encode("utf-8")

    def tail(self) -> bytes:
        return b"</results></sparql>\n"


def results_xml(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    return _whole(XmlWriter(variables), rows)


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
    # an RDF 1.2 triple term: its three terms in the same plain forms, as Oxigraph writes it
    return f"{_csv_term(term.subject)} {_csv_term(term.predicate)} {_csv_term(term.object)}"


class CsvWriter:
    def __init__(self, variables: Sequence[str]) -> None:
        self.variables = list(variables)

    def head(self) -> bytes:
        return (",".join(_csv_field(v) for v in self.variables) + "\r\n").encode("utf-8")

    def rows(self, rows: Sequence[Row]) -> bytes:
        return "".join(
            ",".join(_csv_field(_csv_term(t)) for t in row) + "\r\n" for row in rows
        ).encode("utf-8")

    def tail(self) -> bytes:
        return b""


def results_csv(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    return _whole(CsvWriter(variables), rows)


def _tsv_term(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        # an RDF 1.2 triple term in Turtle 1.2 syntax; str() would print it as a statement
        parts = (term.subject, term.predicate, term.object)
        return "<<( " + " ".join(_tsv_term(t) for t in parts) + " )>>"
    # Oxigraph prints terms in N-Triples syntax (valid Turtle), which escapes \n and \r in
    # literals but not TAB, the TSV separator: escape it too (Turtle ECHAR \t).
    return str(term).replace("\t", "\\t")


class TsvWriter:
    def __init__(self, variables: Sequence[str]) -> None:
        self.variables = list(variables)

    def head(self) -> bytes:
        return ("\t".join(f"?{v}" for v in self.variables) + "\n").encode("utf-8")

    def rows(self, rows: Sequence[Row]) -> bytes:
        return "".join("\t".join(_tsv_term(t) for t in row) + "\n" for row in rows).encode("utf-8")

    def tail(self) -> bytes:
        return b""


def results_tsv(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    return _whole(TsvWriter(variables), rows)


def column_order(variables: Sequence[str], wanted: Sequence[str]) -> list[int] | None:
    """The permutation putting the engine's `variables` in the `wanted` order (any the
    query's text did not show stay last, in the engine's order), or None if nothing moves.
    `wanted`: a `SELECT *` query's variables in the order they first appear
    (aigraph.sniff.star_order), which the endpoint and the CLI follow; Oxigraph sorts them."""
    if not wanted:
        return None
    rank = {name: i for i, name in enumerate(wanted)}
    order = sorted(range(len(variables)), key=lambda i: (rank.get(variables[i], len(rank)), i))
    return None if order == sorted(order) else order


# --- Tables of formats --------------------------------------------------------------------


class SolutionWriter(Protocol):
    """Writes one answer: ``head()``, then ``rows(batch)`` for each batch, then ``tail()``."""

    def head(self) -> bytes: ...
    def rows(self, rows: Sequence[Row]) -> bytes: ...
    def tail(self) -> bytes: ...


def _whole(writer: SolutionWriter, rows: Sequence[Row]) -> bytes:
    return writer.head() + writer.rows(rows) + writer.tail()


SOLUTION_WRITERS: dict[str, Callable[[Sequence[str]], SolutionWriter]] = {
    "application/sparql-results+json": JsonWriter,
    "application/json": JsonWriter,
    "application/sparql-results+xml": XmlWriter,
    "application/xml": XmlWriter,
    "text/csv": CsvWriter,
    "text/tab-separated-values": TsvWriter,
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
#: JSON-LD in compacted form, for a client that names its profile (JSON-LD 1.1 §9.4 and
#: the IANA registration of application/ld+json: ``profile`` http://www.w3.org/ns/json-ld#compacted).
#: Oxigraph writes the expanded form, which pyld then compacts with aigraph's published
#: context (`compact_jsonld`). Every other JSON-LD answer is in expanded form.
JSONLD_COMPACTED = 'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"'
GRAPH_FORMATS[JSONLD_COMPACTED] = ox.RdfFormat.JSON_LD
QUAD_FORMATS = {"application/trig", "application/n-quads"}
#: Graph syntaxes in which documents written one after the other make one document (a later
#: batch is written without the prefix declarations, with full IRIs); JSON-LD and RDF/XML
#: are one tree each and are written whole.
STREAMABLE_GRAPHS = {
    "text/turtle",
    "application/trig",
    "application/n-triples",
    "application/n-quads",
}


#: What Turtle writes without a prefix: rdf:type as ``a`` and the datatypes of its literal
#: shorthands (RDF 1.1 Turtle §2.5; a language tag stands for rdf:langString).
WRITTEN_BARE = {
    RDF_TYPE,
    RDF_LANGSTRING,
    XSD_STRING,
    "http://www.w3.org/2001/XMLSchema#integer",
    "http://www.w3.org/2001/XMLSchema#decimal",
    "http://www.w3.org/2001/XMLSchema#boolean",
}


def used_prefixes(
    items: Sequence[ox.Triple] | Sequence[ox.Quad], prefixes: dict[str, str]
) -> dict[str, str]:
    """The `prefixes` whose namespace begins an IRI written out in `items` (a term, a graph
    name, a literal's datatype), by name: Oxigraph declares every prefix it is given, and a
    description of one person opened with thirty unused ones. One left out where Turtle's
    shorthand was not used (an integer in a non-canonical form) costs only a full IRI."""
    iris: set[str] = set()
    for item in items:
        terms: list[object] = [item.subject, item.predicate, item.object]
        if isinstance(item, ox.Quad):
            terms.append(item.graph_name)
        for term in terms:
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    iris -= WRITTEN_BARE
    return {
        name: ns for name, ns in sorted(prefixes.items()) if any(iri.startswith(ns) for iri in iris)
    }


#: The syntaxes that write a subject's triples as one block (a Turtle subject with its
#: predicate-object list, a JSON-LD node object, an RDF/XML description) when they are
#: consecutive: Oxigraph's writers group only consecutive triples, so the triples are put in
#: reading order first. The line-based syntaxes are written as they come.
GROUPING_GRAPHS = {
    "text/turtle",
    "application/trig",
    "application/ld+json",
    JSONLD_COMPACTED,
    "application/rdf+xml",
}


def triple_key(t: ox.Triple, first: str | None = None) -> tuple[object, ...]:
    """The reading order of triples: the subject `first`, then named subjects by IRI, then
    blank nodes; in a subject, rdf:type first, then predicates by IRI."""
    s = t.subject
    is_first = isinstance(s, ox.NamedNode) and s.value == first
    return (
        not is_first,
        not isinstance(s, ox.NamedNode),
        str(s),
        t.predicate.value != RDF_TYPE,
        t.predicate.value,
        str(t.object),
    )


def serialize_graph(
    triples: Sequence[ox.Triple],
    media_type: str,
    prefixes: dict[str, str] | None = None,
    first: str | None = None,
) -> bytes:
    """`triples` in the syntax of `media_type`, in reading order where the syntax groups a
    subject's triples (`first`: the subject to put first), declaring those of `prefixes` it
    uses; compacted JSON-LD by `compact_jsonld`."""
    fmt = GRAPH_FORMATS[media_type]
    if media_type in GROUPING_GRAPHS:
        triples = sorted(triples, key=lambda t: triple_key(t, first))
    items: Sequence[ox.Triple] | list[ox.Quad] = triples
    if media_type in QUAD_FORMATS:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    if prefixes and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        return ox.serialize(items, format=fmt, prefixes=used_prefixes(items, prefixes)) or b""
    if media_type == JSONLD_COMPACTED:
        return compact_jsonld(ox.serialize(items, format=fmt) or b"[]")
    return ox.serialize(items, format=fmt) or b""


@lru_cache(maxsize=8)
def _context(path: str) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(Path(path).read_text(encoding="utf-8")))


def _types_as_type(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Expanded JSON-LD with each node's classes under ``@type`` (JSON-LD 1.1 Processing
    Algorithms §8.4, Serialize RDF as JSON-LD, with ``useRdfType`` false, its default):
    Oxigraph's writer keeps them as rdf:type values, which compaction would write as the
    full IRI of rdf:type instead of ``type``. Literal values of rdf:type, which ``@type``
    cannot hold, stay where they are."""
    for node in nodes:
        if "@graph" in node:
            _types_as_type(node["@graph"])
        values = node.get(RDF_TYPE)
        if values is None:
            continue
        classes = [v["@id"] for v in values if "@id" in v]
        others = [v for v in values if "@id" not in v]
        node["@type"] = [*node.get("@type", []), *classes]
        if others:
            node[RDF_TYPE] = others
        else:
            del node[RDF_TYPE]
    return nodes


def compact_jsonld(expanded: bytes) -> bytes:
    """An expanded JSON-LD document (a graph or a dataset) in compacted form (JSON-LD 1.1
    Processing Algorithms §6), with the project's published context (``aigraph-0.1.jsonld``:
    keys ``name``, ``agent``, ``role``…).

    The context is written inline, not by URL, so that the answer reads with no fetch: a
    JSON-LD processor that fetches nothing (aigraph's own loader among them) can expand it.
    pyld is given the context itself and a loader that refuses every URL."""
    from pyld import jsonld

    from aigraph.exports import no_remote_documents
    from aigraph.project import Project

    document = jsonld.compact(
        _types_as_type(json.loads(expanded)),
        _context(str(Project.default().jsonld_context)),
        options={"documentLoader": no_remote_documents},
    )
    return json.dumps(document, ensure_ascii=False).encode("utf-8")
