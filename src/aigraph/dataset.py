"""Assemble the aigraph dataset from the project's files.

Layout of the dataset (docs/model.md, "Named graphs"): every triple is in a named graph.

- ``<…/ns>``: the ontology and alignment axioms (ontology/*.ttl);
- ``graph:vocabularies``: the SKOS schemes (ontology/concepts/*.ttl);
- ``claim:…``: one graph per claim, the facts one or more passages of the release support;
- ``graph:provenance``: claims → spans → selectors, and the description of the source text;
- ``graph:editorial``: translations, coined labels and classifications by the editors;
- ``graph:derived``: shortcuts the build derives with the rules in ontology/rules/*.rq.

The default graph of the endpoint is the union of them all.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, XSD
from rdflib.term import IdentifiedNode, Node

from aigraph.catalogue import catalogue_graph, load_catalogue
from aigraph.namespaces import AIG, CANONICAL_BASE, ONTOLOGY_IRI, SCHEMA, graph_iri
from aigraph.project import Project
from aigraph.source import SourceText, load_source_text

#: The named graphs that are not claims.
FIXED_GRAPH_NAMES = ("vocabularies", "provenance", "editorial", "derived", "links", "queries")

#: Oxigraph formats by file extension, for the data files a user may give.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}


class DataLoadError(Exception):
    """A data file cannot be read or parsed; the message names the file and the cause."""


def fixed_graphs(base: str = CANONICAL_BASE) -> set[URIRef]:
    return {graph_iri(name, base) for name in FIXED_GRAPH_NAMES} | {ONTOLOGY_IRI}


#: Compressed files, read through the standard library and named for what they hold
#: (`dump.nt.gz` is N-Triples, gzipped), as RDF dumps are published: Wikidata's are .gz
#: and .bz2, DBpedia's .bz2.
COMPRESSIONS = (".gz", ".bz2", ".xz")


def open_compressed(path: Path) -> IO[bytes]:
    """The decompressed bytes of `path`, as a stream the caller closes (its `with`)."""
    # cast: GzipFile, BZ2File and LZMAFile are binary streams, typeshed types them apart
    suffix = path.suffix.lower()
    if suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    if suffix == ".bz2":
        return cast(IO[bytes], bz2.open(path, "rb"))
    assert suffix == ".xz", suffix
    return cast(IO[bytes], lzma.open(path, "rb"))


#: What a compressed file that cannot be read raises: gzip.BadGzipFile and bz2's errors
#: are OSErrors, a file cut short an EOFError
DECOMPRESSION_ERRORS = (OSError, EOFError, lzma.LZMAError)


def compressed(path: Path) -> bool:
    return path.suffix.lower() in COMPRESSIONS


def rdf_format_for(path: Path) -> ox.RdfFormat:
    """The format for a file name (the extension before a compression's), or
    DataLoadError for an unknown extension."""
    inner = path.with_suffix("") if compressed(path) else path
    try:
        return RDF_FORMATS[inner.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(RDF_FORMATS))
        packed = "/".join(sorted(COMPRESSIONS))
        raise DataLoadError(
            f"{path}: unknown RDF file extension {inner.suffix!r} (known: {known}; "
            f"each may be followed by {packed})"
        ) from None


def cannot_parse(path: Path, fmt: ox.RdfFormat, exc: Exception) -> str:
    """What to say of a file the parser refused."""
    hint = (
        " (aigraph never fetches remote JSON-LD contexts)" if "remote context" in str(exc) else ""
    )
    return f"{path}: cannot parse as {fmt.name}: {exc}{hint}"


def read_rdf(path: Path) -> bytes:
    """The bytes of an RDF file, decompressed if its name says it is compressed."""
    try:
        if compressed(path):
            with open_compressed(path) as stream:
                return stream.read()
        return path.read_bytes()
    except DECOMPRESSION_ERRORS as exc:
        if isinstance(exc, OSError) and exc.strerror:  # the file system's own error
            raise DataLoadError(f"{path}: cannot read ({exc.strerror})") from None
        raise DataLoadError(f"{path}: cannot decompress: {exc}") from None


def parse_into(ds: Dataset, path: Path, *, graph: URIRef | None = None) -> None:
    """Parse one RDF file into `ds`.

    Parsing is Oxigraph's, whatever the format, because its parsers fetch nothing: a remote
    JSON-LD ``@context`` is an error (rdflib's JSON-LD parser would fetch it), and RDF/XML
    external entities are not resolved. Triple formats go into `graph` (or the default
    graph); quad formats keep their graphs.
    """
    fmt = rdf_format_for(path)
    data = read_rdf(path)
    target = ox.NamedNode(str(graph)) if graph is not None else None
    try:
        quads = [
            ox.Quad(q.subject, q.predicate, q.object, target) if target is not None else q
            for q in ox.parse(data, format=fmt, base_iri=path.resolve().as_uri())
        ]
    except SyntaxError as exc:
        raise DataLoadError(cannot_parse(path, fmt, exc)) from None
    if any(isinstance(q.object, ox.Triple) for q in quads):
        raise DataLoadError(
            f"{path}: holds RDF 1.2 triple terms (<<( … )>>), which rdflib and pySHACL, the "
            "libraries that validate and write the dumps, cannot read (`aigraph serve --data` "
            "serves such files)"
        )
    ds.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"", format="nquads")


def describe_source_text(source: SourceText, base: str = CANONICAL_BASE) -> Iterator[tuple]:
    """Triples about the source text, computed from the file (never typed by hand)."""
    text_iri = URIRef(f"{base}id/text/{source.slug}")
    yield text_iri, RDF.type, AIG.SourceText
    yield text_iri, AIG.sha256, Literal(source.sha256)
    yield text_iri, AIG.codePoints, Literal(len(source.text), datatype=XSD.integer)
    yield text_iri, SCHEMA.encodingFormat, Literal("text/plain; charset=utf-8")
    yield text_iri, SCHEMA.contentSize, Literal(f"{len(source.text.encode('utf-8'))} bytes")


def load_source_dataset(project: Project, extra: Iterable[Path] = ()) -> Dataset:
    """The hand-written files as one Dataset, before derivation, with the query catalogue
    (graph:queries) and the source text's description (in graph:provenance)."""
    ds = Dataset()
    for path in project.ontology_files():
        parse_into(ds, path, graph=ONTOLOGY_IRI)
    for path in project.concept_files():
        parse_into(ds, path, graph=graph_iri("vocabularies"))
    for path in [*project.data_files(), *extra]:
        parse_into(ds, path)
    # the query catalogue, as RDF: the endpoint lists its own examples (aigraph.catalogue)
    queries = ds.graph(graph_iri("queries"))
    for triple in catalogue_graph(load_catalogue(project.queries_dir)):
        queries.add(triple)
    source = load_source_text(project.source_text)
    provenance = ds.graph(graph_iri("provenance"))
    for triple in describe_source_text(source):
        provenance.add(triple)
    return ds


def to_oxigraph(ds: Dataset) -> ox.Store:
    """Copy an rdflib Dataset into an in-memory Oxigraph store (quads in, quads out)."""
    store = ox.Store()
    store.bulk_load(ds.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
    return store


def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise ValueError(f"derivation rules must not produce blank nodes: {term}")


def derive(ds: Dataset, rules_dir: Path) -> Graph:
    """Run every CONSTRUCT rule in `rules_dir` over the union of `ds` and add its triples to
    ``graph:derived``. Shortcuts are never typed by hand (ORG's ``org:roleProperty``
    precedent: the n-ary node is the truth, the shortcut is derived from it)."""
    store = to_oxigraph(ds)
    derived = ds.graph(graph_iri("derived"))
    for rule in sorted(rules_dir.glob("*.rq")):
        results = store.query(rule.read_text(encoding="utf-8"), use_default_graph_as_union=True)
        if not isinstance(results, ox.QueryTriples):
            raise ValueError(f"{rule.name}: a derivation rule must be a CONSTRUCT query")
        for triple in results:
            derived.add(
                (
                    _to_rdflib(triple.subject),
                    _to_rdflib(triple.predicate),
                    _to_rdflib(triple.object),
                )
            )
    return derived


def move_term(term: Node, base: str) -> Node:
    """`term` moved from the canonical base to `base` (vocabulary terms stay where they are:
    a term's identity does not depend on where a copy of the data is served)."""
    if (
        base != CANONICAL_BASE
        and isinstance(term, URIRef)
        and term.startswith(CANONICAL_BASE)
        and not term.startswith(str(ONTOLOGY_IRI))
    ):
        return URIRef(base + term[len(CANONICAL_BASE) :])
    return term


def rebase(ds: Dataset, base: str) -> Dataset:
    """A copy of `ds` with every IRI minted under the canonical base moved under `base`."""
    if base == CANONICAL_BASE:
        return ds
    out = Dataset()
    for s, p, o, g in ds.quads((None, None, None, None)):
        name = DATASET_DEFAULT_GRAPH_ID if g is None else g  # rdflib types it Optional
        out.graph(cast(IdentifiedNode, move_term(name, base))).add(
            (move_term(s, base), move_term(p, base), move_term(o, base))
        )
    return out


def load_dataset(project: Project | None = None, *, base: str = CANONICAL_BASE) -> Dataset:
    """The full aigraph dataset: hand-written files plus derived shortcuts, under `base`."""
    project = project or Project.default()
    ds = load_source_dataset(project)
    derive(ds, project.rules_dir)
    return rebase(ds, base)
