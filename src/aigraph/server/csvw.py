"""The metadata of a SELECT's CSV answer, as CSV on the Web (CSVW) describes tabular data.

Why: a CSV answer saved to disk says nothing of where it came from. Research data policies
ask for the licence, the source and the version beside the table; none of the SPARQL
endpoints the project compared itself with gives them (docs/serving.md). CSVW is
the W3C's way to say them in a file a program reads: a JSON-LD document
(`application/csvm+json`) whose `url` names the table, with "common properties" from any
vocabulary (Metadata Vocabulary for Tabular Data, §5.8).

How a processor finds it: the CSV answer of a GET carries `Link: <…/csvm?…>;
rel="describedby"; type="application/csvm+json"` (Model for Tabular Data, §5.2 "Link
Header"), whose query string is the answer's own, so that the metadata's `url` is the
answer's URL exactly; a processor ignores metadata that does not name the table it read.

The catalogue's answers (`/queries/{name}?…&format=csv`) link to theirs the same way, at
`/queries/{name}/csvm?…`: it adds the catalogue query's title and question, the query (its
IRI in graph:queries, or its text's URL), and the value each parameter was bound to (given
or default), without which the query text alone does not say what was asked.

What it says: the query, the endpoint, and, for the bundled dataset, its licence, its
source, how to cite it, and the N-Quads file (with its SHA-256) the query ran on; and its
columns, named as the CSV's header row names them (the query's variables, read from its
SELECT clause: `aigraph.sniff.projection`), each a string, since CSV answers carry no
datatypes (SPARQL 1.1 Query Results CSV and TSV Formats, §2); an empty cell (an unbound
variable) is null, CSVW's default.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse

from aigraph.project import Project
from aigraph.server import examples
from aigraph.server.app import root_url, services_of
from aigraph.server.catalogue_routes import requested, with_query
from aigraph.server.formats import CSVM
from aigraph.server.pages import language
from aigraph.server.protocol import ProtocolError
from aigraph.server.site import cited_dataset, data_checksum
from aigraph.server.ui import query_parameter, the_query
from aigraph.sniff import projection, sniff
from aigraph.tabular import CSVW_CONTEXT, derived_from

WORDS = {
    "en": {
        "title": "An answer of a SPARQL endpoint, as CSV",
        "title_of": "An answer of the SPARQL endpoint of the dataset “{title}”, as CSV",
        "description": (
            "The answer to the query below, in the SPARQL 1.1 Query Results CSV Format: a "
            "header row of the query's variables, then a row per solution; IRIs and "
            "literals' lexical forms, without datatype or language. An answer longer than "
            "the server's row limit ends there, and says so in its "
            "AIGraph-Results-Truncated header."
        ),
        "activity": "a SPARQL query",
        "canned": "a query of the catalogue, its parameters bound by the engine",
    },
    "fr": {
        "title": "Une réponse d'un point d'accès SPARQL, en CSV",
        "title_of": "Une réponse du point d'accès SPARQL du jeu de données « {title} », en CSV",
        "description": (
            "La réponse à la requête ci-dessous, au format CSV des résultats SPARQL 1.1 : "
            "une ligne d'en-tête des variables de la requête, puis une ligne par solution ; "
            "IRI et formes lexicales des littéraux, sans type ni langue. Une réponse plus "
            "longue que la limite de lignes du serveur s'y arrête, et le dit dans son "
            "en-tête AIGraph-Results-Truncated."
        ),
        "activity": "une requête SPARQL",
        "canned": "une requête du catalogue, ses paramètres liés par le moteur",
    },
}


@dataclass(frozen=True)
class Canned:
    """A catalogue query, as the metadata of its answer names it: the query itself (its IRI,
    described in the data, where the bundled data is served; else the URL of its text), its
    title and question (in the reader's language), and each parameter's name and the term
    the engine bound to it."""

    query: str
    title: str
    question: str
    bound: tuple[tuple[str, ox.NamedNode | ox.Literal], ...]


def _term(term: ox.NamedNode | ox.Literal) -> dict[str, str] | str:
    """A bound parameter's value in JSON-LD: an IRI as a node, a literal as its lexical form
    (a catalogue parameter is an IRI, a plain string or an integer)."""
    return {"@id": term.value} if isinstance(term, ox.NamedNode) else term.value


def answer_metadata(
    table_url: str,
    query: str,
    columns: tuple[str, ...],
    endpoint: str,
    lang: str,
    dataset: dict[str, str] | None = None,
    data_file: tuple[str, str] | None = None,
    canned: Canned | None = None,
) -> dict[str, Any]:
    """The CSVW metadata of the CSV answer at `table_url` to `query`, run by `endpoint`, whose
    header row names `columns`.

    `dataset` (for the bundled dataset only: other data's licence is not known) gives its
    `iri`, `title`, `license` and `citation`; `data_file` the URL and SHA-256 of the N-Quads
    file the query ran on, where the server offers one; `canned` the catalogue query, when
    the answer is one of the catalogue's."""
    words = WORDS[lang]
    activity: dict[str, Any] = {
        "@type": "prov:Activity",
        "rdfs:label": words["activity"],
        "schema:query": query,
        "prov:wasAssociatedWith": {"@id": endpoint},
    }
    used: list[dict[str, str]] = []
    metadata: dict[str, Any] = {
        "@context": [CSVW_CONTEXT, {"@language": lang}],
        "url": table_url,
        "dc:title": words["title"],
        "dc:description": words["description"],
        "dc:format": "text/csv",
        "dialect": {"header": True},
        "tableSchema": {"columns": [{"titles": name} for name in columns]},
        "prov:wasGeneratedBy": activity,
    }
    if dataset is not None:
        metadata["dc:title"] = words["title_of"].format(title=dataset["title"])
        metadata["dc:source"] = {"@id": dataset["iri"]}
        metadata["dc:license"] = {"@id": dataset["license"]}
        metadata["dc:bibliographicCitation"] = dataset["citation"]
        used.append({"@id": dataset["iri"]})
    if canned is not None:
        metadata["dc:title"] = canned.title
        metadata["dc:description"] = canned.question + "\n\n" + words["description"]
        activity["rdfs:label"] = words["canned"]
        used.append({"@id": canned.query})
        # the query's text leaves its parameters unbound: their values say what was asked
        activity["schema:additionalProperty"] = [
            {"@type": "schema:PropertyValue", "schema:name": name, "schema:value": _term(term)}
            for name, term in canned.bound
        ]
    if used:
        activity["prov:used"] = used[0] if len(used) == 1 else used
    if data_file is not None:
        metadata["prov:wasDerivedFrom"] = derived_from(*data_file)
    return metadata


class MetadataResponse(JSONResponse):
    media_type = CSVM


@functools.lru_cache(maxsize=16)
def bundled_dataset(project: Project, base: str, lang: str) -> dict[str, str]:
    """The bundled dataset's IRI, title, licence and citation, from data/dataset.ttl."""
    from rdflib.namespace import DCTERMS

    from aigraph.metadata import dataset_iri, editorial_description

    cited = cited_dataset(project, base, lang)
    licence = editorial_description(project, base).value(dataset_iri(base), DCTERMS.license)
    return {
        "iri": cited.iri,
        "title": cited.title,
        "license": str(licence),
        "citation": cited.text(),
    }


router = APIRouter()


@router.get(
    "/csvm",
    summary="The CSVW metadata (licence, source, citation, query) of a SELECT's CSV answer: "
    "the query string is the answer's own, and a CSV answer links here",
    response_class=MetadataResponse,
    responses=examples.json_example(examples.CSVM, CSVM),
    openapi_extra=query_parameter(
        "the SELECT query of the CSV answer (with the answer's other parameters, as its URL "
        "has them)",
        "SELECT ?name WHERE { ?p a <http://schema.org/Person> ; <http://schema.org/name> ?name }",
    ),
)
async def csv_metadata(request: Request) -> MetadataResponse:
    text = the_query(request, "describe the answer of")
    if sniff(text).form != "SELECT":
        raise ProtocolError(
            400,
            "only a SELECT query has a CSV answer "
            "(an ASK's is a boolean; a CONSTRUCT's or a DESCRIBE's, a graph)",
        )
    table = root_url(request) + "sparql?" + request.url.query  # the answer's URL, as written
    return await described(request, table, text)


@router.get(
    "/queries/{name}/csvm",
    tags=["Query catalogue"],
    summary="The CSVW metadata of a catalogue query's CSV answer: the query string is the "
    "answer's own (its parameters and format), and the answer links here",
    response_class=MetadataResponse,
    responses=examples.json_example(examples.CATALOGUE_CSVM, CSVM),
)
async def catalogue_csv_metadata(request: Request, name: str) -> MetadataResponse:
    entry, _, bindings = await requested(request, name)
    root = root_url(request)
    lang = language(request)
    settings = services_of(request).settings
    canned = Canned(
        # its IRI where graph:queries is served (aigraph.catalogue), else its text
        query=f"{settings.base_iri}id/query/{name}"
        if settings.bundled
        else f"{root}queries/{name}.rq",
        title=entry.title.get(lang, entry.title["en"]),
        question=entry.question.get(lang, entry.question["en"]),
        bound=tuple((variable.value, term) for variable, term in bindings.items()),
    )
    table = with_query(f"{root}queries/{name}", request)
    return await described(request, table, entry.text, canned)


async def described(
    request: Request, table: str, text: str, canned: Canned | None = None
) -> MetadataResponse:
    """The metadata of the CSV answer at `table` to the SELECT query `text`; a 400 unless the
    request's `format` (the answer's) is CSV, or absent."""
    other = [f for f in request.query_params.getlist("format") if f not in ("csv", "text/csv")]
    if other:
        raise ProtocolError(400, f"this metadata describes CSV answers, not format={other[0]!r}")
    services = services_of(request)
    root = root_url(request)
    lang = language(request)
    dataset = data_file = None
    if services.settings.bundled:  # (other data's licence and citation are not known)
        project = services.project or Project.default()
        dataset = bundled_dataset(project, services.settings.base_iri, lang)
        sha256 = await data_checksum(request)
        data_file = (root + "dumps/aigraph.nq", sha256) if sha256 else None
    columns = projection(text)
    metadata = answer_metadata(
        table, text, columns, root + "sparql", lang, dataset, data_file, canned
    )
    return MetadataResponse(metadata, headers={"Vary": "Accept-Language"})
