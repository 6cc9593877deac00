"""`aigraph build`: write the dataset's files, deterministically, with a checksum manifest.

Determinism: the same inputs give byte-identical files (tests/test_build.py builds twice under
different hash seeds and compares bytes). N-Quads/N-Triples are written as sorted lines;
Turtle and TriG come from rdflib's serialisers, which sort subjects and predicates, over data
that has no blank nodes.

Safety: every file is first written complete under a temporary name in the same folder, and
only when all are written are they renamed over the old ones (``os.replace`` is atomic on
POSIX): a failed build (a full disk) leaves the previous build whole, with no truncated file
and a manifest that still matches.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, URIRef

from aigraph import tabular
from aigraph.namespaces import ONTOLOGY_IRI, graph_iri, known_prefixes
from aigraph.project import Project
from aigraph.tabular import MEDIA_TYPE as CSVM
from aigraph.tabular import METADATA_NAME as CSV_METADATA

if TYPE_CHECKING:
    from aigraph.metadata import Distribution

#: Graphs left out of the "facts" files: the evidence and the ontology travel separately.
NOT_FACTS = ("provenance",)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_all_atomic(files: dict[Path, bytes]) -> None:
    """Write several files so that a failure (a full disk) changes none of them: every file is
    first written complete under a temporary name, and only then are all renamed into place."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, path in staged:
        os.replace(tmp, path)


def bind_prefixes(graph: Graph | Dataset, base: str) -> None:
    for prefix, ns in known_prefixes(base).items():
        graph.bind(prefix, ns, override=True, replace=True)


def facts_graph(ds: Dataset, base: str) -> Graph:
    """The RDF merge of every graph but the evidence and the ontology: what the release and
    the editors say, plus the vocabularies and the derived shortcuts."""
    skip = {graph_iri(name, base) for name in NOT_FACTS} | {ONTOLOGY_IRI}
    facts = Graph()
    for s, p, o, g in ds.quads((None, None, None, None)):
        if g not in skip:
            facts.add((s, p, o))
    bind_prefixes(facts, base)
    return facts


def ontology_graph(ds: Dataset) -> Graph:
    graph = Graph()
    for triple in ds.graph(ONTOLOGY_IRI):
        graph.add(triple)
    return graph


def sorted_lines(text: str) -> bytes:
    """N-Triples/N-Quads with one statement per line, sorted, newline-terminated."""
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def trig_bytes(ds: Dataset, base: str) -> bytes:
    """TriG with the graphs in IRI order (rdflib's TriG serialiser orders graphs by hash,
    which varies between runs). Each graph body is rdflib's Turtle, which is sorted."""
    names = sorted(g.identifier for g in ds.graphs() if len(g) and isinstance(g.identifier, URIRef))
    prefixes = known_prefixes(base)
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(prefixes.items()))
    blocks = [header]
    for name in names:
        graph = Graph()
        for triple in ds.graph(name):
            graph.add(triple)
        bind_prefixes(graph, base)
        body = graph.serialize(format="aigraph-turtle")
        body = "\n".join(line for line in body.splitlines() if not line.startswith("@prefix"))
        blocks.append(f"{graph.namespace_manager.normalizeUri(name)} {{\n{body.strip()}\n}}\n")
    return "\n".join(blocks).encode("utf-8")


def rdfxml_bytes(graph: Graph, base: str) -> bytes:
    """RDF/XML by Oxigraph's serialiser over the triples in sorted order (rdflib's RDF/XML
    writers order subjects by hash, which varies between runs)."""
    import pyoxigraph as ox

    lines = sorted_lines(graph.serialize(format="nt", encoding="utf-8").decode("utf-8"))
    triples = list(ox.parse(lines, format=ox.RdfFormat.N_TRIPLES))
    prefixes = {p: str(ns) for p, ns in known_prefixes(base).items()}
    return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=prefixes) or b""


CONTEXT_NAME = "aigraph-0.1.jsonld"


def jsonld_bytes(ds: Dataset, context_path: Path, context_url: str) -> bytes:
    """The whole dataset as JSON-LD, compacted with aigraph's published, versioned context
    (readable keys: ``name``, ``participation``, ``agent``, ``role``…). Compaction is pyld's,
    given the context itself, so it fetches nothing; the output names the context by URL."""
    from pyld import jsonld

    from aigraph.exports import no_remote_documents

    context = json.loads(context_path.read_text(encoding="utf-8"))
    expanded = json.loads(ds.serialize(format="json-ld"))
    compacted = jsonld.compact(expanded, context, options={"documentLoader": no_remote_documents})
    compacted["@context"] = context_url
    return _json_bytes(compacted)


def _canonical(value: object) -> object:
    """Sorted arrays (JSON-LD arrays are unordered sets unless @list, which aigraph does not
    use), so that a rebuild is byte-identical."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _json_bytes(document: object, *, canonical: bool = True) -> bytes:
    if canonical:
        document = _canonical(document)
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def render_outputs(
    ds: Dataset, base: str, project: Project, editorial: bool = True
) -> dict[str, tuple[str, bytes, str]]:
    """Every data file: name → (media type, bytes, description). The metadata file that
    describes them is :func:`render_all`'s. `editorial`: the data is the bundled dataset,
    whose editors' description (licence, citation) the metadata may give."""
    bind_prefixes(ds, base)
    facts = facts_graph(ds, base)
    ontology = ontology_graph(ds)
    bind_prefixes(ontology, base)
    from aigraph.engine import Engine
    from aigraph.exports import network, sessions_document, tables

    engine = Engine.from_dataset(ds)
    csv_files = {
        name: ("text/csv", data, tabular.describe(name)) for name, data in tables(engine).items()
    }
    nquads = sorted_lines(ds.serialize(format="nquads", encoding="utf-8").decode("utf-8"))
    csv_files[CSV_METADATA] = (
        CSVM,
        csv_metadata(project, base, nquads, editorial),
        CSV_METADATA_TEXT,
    )
    context_url = f"{base}context/{CONTEXT_NAME}"
    context = json.loads(project.jsonld_context.read_text(encoding="utf-8"))["@context"]
    sessions = sessions_document(engine, context)
    sessions["@context"] = context_url
    # Programme order is the point of this view: the sessions stay in it, their contents sorted.
    sessions["@graph"] = [_canonical(session) for session in sessions["@graph"]]
    return {
        "aigraph.jsonld": (
            "application/ld+json",
            jsonld_bytes(ds, project.jsonld_context, context_url),
            "The whole dataset as JSON-LD (named graphs kept), compacted with the versioned "
            f"context {CONTEXT_NAME} (readable keys mapped to schema.org and aigraph terms).",
        ),
        "sessions.jsonld": (
            "application/ld+json",
            _json_bytes(sessions, canonical=False),
            "JSON-LD framed view: one document per session, in programme order, with its "
            "kind, topics and participations, each with its person, role and stated "
            "affiliation embedded (facts only; the evidence is in the TriG/N-Quads dumps).",
        ),
        CONTEXT_NAME: (
            "application/ld+json",
            project.jsonld_context.read_bytes(),
            "The JSON-LD context of aigraph's dumps, version 0.1.",
        ),
        **csv_files,
        "network.graphml": (
            "application/graphml+xml",
            network(engine),
            "GraphML network for Gephi or Cytoscape: people, organisations and sessions as "
            "nodes; participations and stated affiliations as edges.",
        ),
        "aigraph.trig": (
            "application/trig",
            trig_bytes(ds, base),
            "The whole dataset, every graph: the claims with their evidence, the editorial "
            "additions, vocabularies, derived shortcuts, external links, query catalogue and "
            "ontology.",
        ),
        "aigraph.nq": (
            "application/n-quads",
            nquads,
            "The whole dataset as N-Quads, one statement per line, sorted.",
        ),
        "aigraph.ttl": (
            "text/turtle",
            facts.serialize(format="aigraph-turtle", encoding="utf-8"),
            "The facts without their evidence: the RDF merge of every graph but the evidence "
            "(graph:provenance) and the ontology: claims, editorial additions, vocabularies, "
            "derived shortcuts, external links and the query catalogue.",
        ),
        "aigraph.nt": (
            "application/n-triples",
            sorted_lines(facts.serialize(format="nt", encoding="utf-8").decode("utf-8")),
            "The facts as N-Triples, sorted.",
        ),
        "aigraph.rdf": (
            "application/rdf+xml",
            rdfxml_bytes(facts, base),
            "The facts as RDF/XML.",
        ),
        "ontology.ttl": (
            "text/turtle",
            ontology.serialize(format="aigraph-turtle", encoding="utf-8"),
            "The aigraph ontology and its alignment axioms.",
        ),
    }


METADATA_NAME = "void.ttl"
CSV_METADATA_TEXT = (
    "The CSV tables' description, as CSV on the Web (W3C): each column's datatype, language "
    "and meaning, the tables' keys and foreign keys, how a row reads as RDF, and the "
    "dataset's licence and citation."
)

#: Each file's description in French (the English one is given with the file, above): the
#: downloads page and the DCAT/VoID description give the reader's language. The CSV tables'
#: are their CSVW metadata's (aigraph.tabular).
FRENCH_DESCRIPTIONS = {
    "aigraph.jsonld": "Le jeu de données entier en JSON-LD (graphes nommés conservés), compacté "
    f"avec le contexte versionné {CONTEXT_NAME} (des clés lisibles, liées aux termes de "
    "schema.org et d'aigraph).",
    "sessions.jsonld": "Vue JSON-LD encadrée : un document par session, dans l'ordre du "
    "programme, avec sa forme, ses thèmes et ses participations, chacune avec sa personne, son "
    "rôle et son affiliation déclarée incluses (les faits seuls ; les preuves sont dans les "
    "fichiers TriG et N-Quads).",
    CONTEXT_NAME: "Le contexte JSON-LD des fichiers d'aigraph, version 0.1.",
    "network.graphml": "Réseau GraphML pour Gephi ou Cytoscape : personnes, organisations et "
    "sessions comme nœuds ; participations et affiliations déclarées comme liens.",
    "aigraph.trig": "Le jeu de données entier, chaque graphe : les assertions avec leurs "
    "preuves, les ajouts éditoriaux, les vocabulaires, les raccourcis dérivés, les liens "
    "externes, le catalogue de requêtes et l'ontologie.",
    "aigraph.nq": "Le jeu de données entier en N-Quads, un énoncé par ligne, triés.",
    "aigraph.ttl": "Les faits sans leurs preuves : la fusion RDF de chaque graphe sauf les "
    "preuves (graph:provenance) et l'ontologie : assertions, ajouts éditoriaux, vocabulaires, "
    "raccourcis dérivés, liens externes et catalogue de requêtes.",
    "aigraph.nt": "Les faits en N-Triples, triés.",
    "aigraph.rdf": "Les faits en RDF/XML.",
    "ontology.ttl": "L'ontologie d'aigraph et ses axiomes d'alignement.",
    CSV_METADATA: "La description des tables CSV, en CSV on the Web (W3C) : le type, la "
    "langue et le sens de chaque colonne, les clés et clés étrangères des tables, la lecture "
    "d'une ligne en RDF, la licence et la citation du jeu de données.",
    METADATA_NAME: "La description DCAT/VoID du jeu de données et de ces fichiers (avec leurs "
    "sommes de contrôle).",
}


def french_description(name: str) -> str | None:
    """What the file `name` holds, in French; None for a file this build does not write."""
    if name in FRENCH_DESCRIPTIONS:
        return FRENCH_DESCRIPTIONS[name]
    return tabular.describe(name, "fr") if any(t.name == name for t in tabular.TABLES) else None


def csv_metadata(project: Project, base: str, nquads: bytes, editorial: bool = True) -> bytes:
    """The CSVW metadata of the CSV tables (aigraph.tabular), computed from `nquads`; with
    the bundled dataset's licence and citation where `editorial` (it is the bundled data)."""
    from rdflib.namespace import DCTERMS

    from aigraph.citation import dataset_citation
    from aigraph.metadata import dataset_iri, editorial_description

    dataset = None
    if editorial:
        description = editorial_description(project, base)
        iri = dataset_iri(base)
        dataset = tabular.BundledDataset(
            str(iri),
            str(description.value(iri, DCTERMS.license)),
            {lang: dataset_citation(description, iri, lang) for lang in ("en", "fr")},
        )
    data_file = ("aigraph.nq", hashlib.sha256(nquads).hexdigest())
    return _json_bytes(tabular.table_group(data_file, dataset), canonical=False)


#: `aigraph export --format NAME` → the build file it writes. "csv" writes the six tables and
#: their CSVW metadata.
EXPORT_FORMATS: dict[str, tuple[str, ...]] = {
    "turtle": ("aigraph.ttl",),
    "ntriples": ("aigraph.nt",),
    "rdfxml": ("aigraph.rdf",),
    "trig": ("aigraph.trig",),
    "nquads": ("aigraph.nq",),
    "jsonld": ("aigraph.jsonld",),
    "jsonld-sessions": ("sessions.jsonld",),
    "jsonld-context": (CONTEXT_NAME,),
    "ontology": ("ontology.ttl",),
    "graphml": ("network.graphml",),
    "void": (METADATA_NAME,),
    "csv": (
        "people.csv",
        "organisations.csv",
        "sessions.csv",
        "participations.csv",
        "topics.csv",
        "links.csv",
        CSV_METADATA,
    ),
}


def render_all(
    ds: Dataset, base: str, project: Project, editorial: bool = True
) -> dict[str, tuple[str, bytes, str]]:
    """The data files plus ``void.ttl``, their DCAT/VoID description (with checksums), whose
    download URLs are under ``{base}dumps/`` and whose endpoint is ``{base}sparql``. Without
    `editorial` (a server given other data than the bundled dataset), neither describes the
    data as the bundled dataset: no title, licence or citation of it."""
    from aigraph.engine import Engine
    from aigraph.metadata import describe_dataset

    outputs = render_outputs(ds, base, project, editorial)
    files = distributions(outputs)
    description = describe_dataset(
        Engine.from_dataset(ds).store,
        project=project,
        base=base,
        endpoint=f"{base}sparql",
        dumps=f"{base}dumps/",
        files=files,
        editorial=editorial,
    )
    outputs[METADATA_NAME] = (
        "text/turtle",
        description.serialize(format="aigraph-turtle", encoding="utf-8"),
        "The DCAT/VoID description of the dataset and of these files (with their checksums).",
    )
    return outputs


def distributions(
    outputs: dict[str, tuple[str, bytes, str]], sha256: dict[str, bytes] | None = None
) -> list[Distribution]:
    """Each rendered file (name → media type, bytes, description) as it is listed, by name:
    its checksum (from `sha256` where it was already made), size and descriptions in English
    and French."""
    from aigraph.metadata import Distribution

    known = sha256 or {}
    return [
        Distribution(
            name,
            media,
            (known.get(name) or hashlib.sha256(data).digest()).hex(),
            len(data),
            text,
            french_description(name),
        )
        for name, (media, data, text) in sorted(outputs.items())
    ]


def build(ds: Dataset, out_dir: Path, base: str, project: Project) -> list[Distribution]:
    """Write every output file and the manifests into `out_dir`, all or none (a failure, such
    as a full disk, leaves the previous build as it was); return what was written."""
    outputs = render_all(ds, base, project)
    contents: dict[Path, bytes] = {out_dir / name: data for name, (_, data, _) in outputs.items()}
    built = distributions(outputs)
    # `sha256sum -c MANIFEST.sha256` checks the files (GNU coreutils format).
    manifest = "".join(f"{f.sha256}  {f.name}\n" for f in built)
    contents[out_dir / "MANIFEST.sha256"] = manifest.encode("utf-8")
    listing = [f.__dict__ for f in built]
    contents[out_dir / "manifest.json"] = (
        json.dumps({"files": listing}, indent=2, ensure_ascii=False) + "\n"
    ).encode()
    write_all_atomic(contents)
    return built
