"""Which formats each kind of answer comes in, and how a request chooses one.

Order is preference: the first is the default when the client states none (SPARQL JSON for
SELECT/ASK, as Oxigraph; Turtle for graphs, the most readable RDF syntax).
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from aigraph.serialize import JSONLD_COMPACTED, compact_jsonld
from aigraph.server.conneg import AcceptHeaderError, negotiate
from aigraph.server.protocol import ProtocolError
from aigraph.tabular import MEDIA_TYPE

OFFERS: dict[str, list[str]] = {
    "solutions": [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
        "application/json",
        "application/xml",
    ],
    "boolean": [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "application/json",
        "application/xml",
    ],
    "graph": [
        "text/turtle",
        "application/ld+json",
        "application/n-triples",
        "application/rdf+xml",
        "application/trig",
        "application/n-quads",
        JSONLD_COMPACTED,  # only for a client that names this profile: see conneg.JSONLD
    ],
}

#: The media type of CSV on the Web metadata (Metadata Vocabulary for Tabular Data, appendix
#: C), which a CSV answer (aigraph.server.csvw) and a CSV dump (aigraph.tabular) link to.
CSVM = MEDIA_TYPE


def describedby(url: str, media: str) -> str:
    """A `Link` header's value naming the description of the answer it is on (RFC 8288, the
    registered relation `describedby`), with its media type so that a client knows whether
    it can read it (a CSVW processor takes only `application/csvm+json` and JSON-LD)."""
    return f'<{url}>; rel="describedby"; type="{media}"'


#: What a Graph Store write (PUT, POST) may send, by media type: the parser, and the format's
#: name under http://www.w3.org/ns/formats/, which the Service Description gives as
#: sd:inputFormat. One graph's triples: a quad format (TriG, N-Quads) has no place in it.
INPUT_FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "text/turtle": (ox.RdfFormat.TURTLE, "Turtle"),
    "application/n-triples": (ox.RdfFormat.N_TRIPLES, "N-Triples"),
    "application/rdf+xml": (ox.RdfFormat.RDF_XML, "RDF_XML"),
    "application/ld+json": (ox.RdfFormat.JSON_LD, "JSON-LD"),
}

#: `format=` names (for plain links, where a client cannot set Accept), by kind of answer.
FORMAT_NAMES: dict[str, dict[str, str]] = {
    "solutions": {
        "json": "application/sparql-results+json",
        "srj": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
        "srx": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
    },
    "graph": {
        "turtle": "text/turtle",
        "ttl": "text/turtle",
        "jsonld": "application/ld+json",
        "json-ld": "application/ld+json",
        "json": "application/ld+json",
        "jsonld-compacted": JSONLD_COMPACTED,
        "nt": "application/n-triples",
        "ntriples": "application/n-triples",
        "n-triples": "application/n-triples",
        "rdfxml": "application/rdf+xml",
        "rdf": "application/rdf+xml",
        "xml": "application/rdf+xml",
        "trig": "application/trig",
        "nq": "application/n-quads",
        "nquads": "application/n-quads",
        "n-quads": "application/n-quads",
    },
}
FORMAT_NAMES["boolean"] = {
    k: v for k, v in FORMAT_NAMES["solutions"].items() if k not in ("csv", "tsv")
}

RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}
#: The writers: Turtle and TriG keep every literal's lexical form (aigraph.turtle).
RDFLIB_WRITERS = {
    **RDFLIB_FORMATS,
    "text/turtle": "aigraph-turtle",
    "application/trig": "aigraph-trig",
}

#: Every `format=` name some answer takes: another is a 400, not a 406.
KNOWN_FORMATS = frozenset(name for names in FORMAT_NAMES.values() for name in names)

KIND_OF_FORM = {"SELECT": "solutions", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


def choose(kind: str, accept: str | None, format_param: str | None) -> str:
    """The media type for an answer of `kind`: `format` wins over Accept (for plain links);
    ProtocolError 406 if nothing acceptable is offered, 400 for an unknown format name."""
    offers = OFFERS[kind]
    if format_param:
        wanted = format_param.strip().lower()
        media = FORMAT_NAMES[kind].get(wanted, wanted if wanted in offers else None)
        if media is None:
            if wanted not in KNOWN_FORMATS and "/" not in wanted:
                raise ProtocolError(
                    400,
                    f"unknown format {format_param!r}; known: {', '.join(sorted(KNOWN_FORMATS))}",
                )
            raise ProtocolError(
                406,
                f"format {format_param!r} is not available for this answer; "
                f"available: {', '.join(offers)}",
            )
        return media
    return acceptable(accept, offers)


def acceptable(accept: str | None, offers: list[str]) -> str:
    """The offer that `accept` prefers (RFC 9110 §12.5.1); ProtocolError 400 for a header
    that does not parse, 406 when it accepts none of them."""
    try:
        media = negotiate(accept, offers)
    except AcceptHeaderError as exc:
        raise ProtocolError(400, f"malformed Accept header: {exc}") from None
    if media is None:
        raise not_acceptable(accept, offers)
    return media


def not_acceptable(accept: str | None, offers: list[str]) -> ProtocolError:
    """The 406 when no offer is acceptable (RFC 9110 §15.5.7, never a silent fallback to
    another format): what the client accepts, and what this answer comes in."""
    return ProtocolError(
        406,
        f"none of the acceptable media types ({accept}) is available for this answer; "
        f"available: {', '.join(offers)}",
    )


def wants_json(accept: str | None, format_param: str | None) -> bool:
    """For the pages that are HTML for people and JSON for programs (/dumps/, /search,
    /-/links): JSON when ``format=json`` or when Accept prefers it to HTML (RFC 9110 conneg;
    ``*/*``, a malformed header or none at all get the page)."""
    if format_param is not None:
        wanted = format_param.strip().lower()
        if wanted in ("json", "html"):
            return wanted == "json"
        # never the page in silence for a format it is not in (choose says the same)
        raise ProtocolError(
            406 if wanted in KNOWN_FORMATS or "/" in wanted else 400,
            f"format {format_param!r} is not available for this page; available: html, json",
        )
    try:
        return negotiate(accept, ["text/html", "application/json"]) == "application/json"
    except AcceptHeaderError:
        return False


def content_type(media: str) -> str:
    """The Content-Type header: text types say their charset (RFC 9110 §8.3.1)."""
    return f"{media}; charset=utf-8" if media.startswith("text/") else media


def serialize_rdflib(graph: Graph, media: str) -> bytes:
    """`graph` in `media`: compacted JSON-LD as the worker's answers are (`compact_jsonld`),
    the other syntaxes by rdflib's writers."""
    if media == JSONLD_COMPACTED:
        return compact_jsonld(graph.serialize(format="json-ld", encoding="utf-8"))
    return graph.serialize(format=RDFLIB_WRITERS[media], encoding="utf-8")
