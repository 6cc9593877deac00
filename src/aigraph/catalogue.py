"""The query catalogue: ``queries/*.rq``, each a SPARQL query with a header that says what it
answers. The catalogue is data: the CLI, the server and the UI list and run it from here.

Header lines (``# key: value`` before the first non-comment line)::

    # title: …            # title@fr: …
    # question: …         # question@fr: …
    # param: NAME TYPE [default=VALUE] -- description     (TYPE: iri, string, integer, language)
    # columns: var var …  (the output variables, in order)
    # expect: …           (the expected shape of the answer, in words)
    # keywords: a, b, …

Parameters are bound by the engine (pyoxigraph's substitutions, SPARQL SEP-0007), never by
splicing text into the query, so a value cannot change the query's structure. A `language`
is a language tag, bound in lower case, the case the engine gives every tag of the data
(`"x"@EN` is `"x"@en` to it: RFC 5646 §2.1.1, tags are case-insensitive), so that `EN` finds
the English labels; and, where the data's languages are known, one of them, since a
`FILTER (lang(?label) = ?lang)` with a language the data has not is an empty answer that
looks like a true one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from aigraph.namespaces import ABSOLUTE_IRI, CANONICAL_BASE, SCHEMA, SH
from aigraph.sniff import sniff

PARAM_TYPES = ("iri", "string", "integer", "language")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\w+)"
    r"(?:\s+default=(?P<default>\S+))?\s*(?:--\s*(?P<description>.*))?$"
)
MAX_STRING = 1000
#: A language tag as SPARQL and Turtle write one (LANGTAG, without its @), subtags of at most
#: 8 characters (RFC 5646 §2.1): the well-formed tags, not only the registered ones.
LANGUAGE_TAG = re.compile(r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*")


class CatalogueError(Exception):
    """A query file's header is malformed."""


class ParameterError(ValueError):
    """A parameter value is missing, unknown or of the wrong type; names the parameter."""

    def __init__(self, parameter: str, message: str, see: str | None = None) -> None:
        super().__init__(f"parameter {parameter!r}: {message}")
        self.parameter = parameter
        self.see = see  # a path on the server that helps (the search for an IRI's words)


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None = None
    description: str = ""

    def term(self, raw: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a raw value, or ParameterError."""
        if self.type == "iri":
            if not ABSOLUTE_IRI.match(raw):
                raise ParameterError(self.name, f"not an absolute IRI: {raw!r}")
            return ox.NamedNode(raw)
        if self.type == "integer":
            try:
                return ox.Literal(
                    str(int(raw, 10)),
                    datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"),
                )
            except ValueError:
                raise ParameterError(self.name, f"not an integer: {raw!r}") from None
        if self.type == "language":
            if not LANGUAGE_TAG.fullmatch(raw):
                raise ParameterError(
                    self.name, f"not a language tag (such as fr, en, pt-BR): {raw!r}"
                )
            return ox.Literal(raw.lower())
        if len(raw) > MAX_STRING:
            raise ParameterError(self.name, f"longer than {MAX_STRING} characters")
        return ox.Literal(raw)


@dataclass(frozen=True)
class CatalogueQuery:
    name: str
    path: Path
    text: str
    title: dict[str, str]
    question: dict[str, str]
    parameters: tuple[Parameter, ...] = ()
    columns: tuple[str, ...] = ()
    expect: str = ""
    keywords: tuple[str, ...] = field(default_factory=tuple)

    def bindings(
        self, values: Mapping[str, str], languages: Collection[str] | None = None
    ) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
        """Substitutions for the engine from raw parameter values (defaults filled in); a
        `language` given (not a default) must be one of `languages`, the data's, where known."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(values) - set(known))
        if unknown:
            allowed = ", ".join(known) or "none"
            raise ParameterError(unknown[0], f"unknown parameter (this query takes: {allowed})")
        out = {}
        for param in self.parameters:
            raw = values.get(param.name, param.default)
            if raw is None:
                raise ParameterError(param.name, "required and not given")
            term = param.term(raw)
            # a default is the query's own choice, not checked: data without French still
            # answers a query whose labels default to French
            given = param.name in values
            if (
                param.type == "language"
                and given
                and languages is not None
                and (term.value not in languages)
            ):
                have = ", ".join(sorted(languages)) or "none"
                raise ParameterError(
                    param.name, f"no text of this data is in {raw!r} (its languages: {have})"
                )
            out[ox.Variable(param.name)] = term
        return out


def unknown_entity(
    query: CatalogueQuery, values: Mapping[str, str], mentions: Callable[[str], bool]
) -> ParameterError | None:
    """The error for an IRI given as a parameter that the data says nothing of (`mentions`
    is false: no triple has it as subject or object), with the search for its last
    segment's words; None if every IRI given is in the data. A mistyped or stale IRI
    (`…/jean-michel-jar`) would otherwise be an empty answer that reads as a true one."""
    from aigraph.search import search_words

    for param in query.parameters:
        iri = values.get(param.name)
        if param.type == "iri" and iri is not None and not mentions(iri):
            words = search_words(iri)
            see = f"/search?{urlencode({'q': words})}" if words else None
            said = f" (search: {see})" if see else ""
            return ParameterError(param.name, f"this data says nothing of <{iri}>{said}", see)
    return None


def data_languages(store: ox.Store) -> frozenset[str]:
    """The language tags of the literals in `store`, in any graph: what a `language`
    parameter may be. A scan of every literal: 44 ms at 10^5 triples."""
    query = """SELECT DISTINCT ?tag WHERE {
      { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }
      BIND (LANG(?o) AS ?tag) FILTER (?tag != "")
    }"""
    return frozenset(str(row["tag"].value) for row in store.query(query))  # type: ignore[union-attr]


def parse_query_file(path: Path) -> CatalogueQuery:
    text = path.read_text(encoding="utf-8")
    title: dict[str, str] = {}
    question: dict[str, str] = {}
    params: list[Parameter] = []
    columns: tuple[str, ...] = ()
    expect = ""
    keywords: tuple[str, ...] = ()
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line[1:].strip().partition(":")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        base_key, _, lang = key.partition("@")
        lang = lang or "en"
        if base_key == "title":
            title[lang] = value
        elif base_key == "question":
            question[lang] = value
        elif key == "param":
            match = _PARAM.match(value)
            if not match or match["type"] not in PARAM_TYPES:
                raise CatalogueError(f"{path}: malformed parameter line: {value!r}")
            params.append(
                Parameter(
                    match["name"],
                    match["type"],
                    match["default"],
                    (match["description"] or "").strip(),
                )
            )
        elif key == "columns":
            columns = tuple(value.split())
        elif key == "expect":
            expect = value
        elif key == "keywords":
            keywords = tuple(k.strip() for k in value.split(",") if k.strip())
    if "en" not in title or "en" not in question:
        raise CatalogueError(f"{path}: a catalogue query needs '# title:' and '# question:'")
    return CatalogueQuery(
        name=path.stem,
        path=path,
        text=text,
        title=title,
        question=question,
        parameters=tuple(params),
        columns=columns,
        expect=expect,
        keywords=keywords,
    )


def load_catalogue(queries_dir: Path) -> dict[str, CatalogueQuery]:
    """Every query of the catalogue by name, in name order."""
    return {q.name: q for q in map(parse_query_file, sorted(queries_dir.glob("*.rq")))}


def query_body(text: str) -> str:
    """A catalogue query without its header (the ``# key: value`` lines before the query)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return "".join(lines[start:]).lstrip("\n")


def catalogue_graph(queries: Mapping[str, CatalogueQuery], base: str = CANONICAL_BASE) -> Graph:
    """The catalogue as RDF, the way SIB's sparql-examples publish a dataset's example queries
    (and SIB's SPARQL editor and sparql-llm read them back from the endpoint): each query an
    ``sh:SPARQLSelectExecutable`` (SHACL Advanced Features §5.1) with its title
    (``rdfs:label``), its question (``rdfs:comment``), its text (``sh:select``), the endpoint
    it is written for (``schema:target``), its keywords (``schema:keywords``) and the page
    that runs it (``rdfs:seeAlso``). Its IRI is ``{base}id/query/{name}``.

    A parameter is a variable of the text: run as it is, with nothing bound, the query
    answers for every value (``person``: every person's participations)."""
    graph = Graph()
    endpoint = URIRef(f"{base}sparql")
    for q in queries.values():
        if sniff(q.text).form != "SELECT":
            raise CatalogueError(f"{q.path}: a catalogue query is a SELECT query")
        node = URIRef(f"{base}id/query/{q.name}")
        graph.add((node, RDF.type, SH.SPARQLExecutable))
        graph.add((node, RDF.type, SH.SPARQLSelectExecutable))
        for lang, title in q.title.items():
            graph.add((node, RDFS.label, Literal(title, lang=lang)))
        for lang, question in q.question.items():
            graph.add((node, RDFS.comment, Literal(question, lang=lang)))
        graph.add((node, SH.select, Literal(query_body(q.text))))
        graph.add((node, SCHEMA.target, endpoint))
        # the page that runs it (not schema:url: on an entity of ours, that is an external
        # link, which lives in graph:links with its evidence)
        graph.add((node, RDFS.seeAlso, URIRef(f"{base}queries/{q.name}")))
        for keyword in q.keywords:
            graph.add((node, SCHEMA.keywords, Literal(keyword)))
    return graph
