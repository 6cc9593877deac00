"""The CSV tables' own description, as CSV on the Web (CSVW): ``csv-metadata.json``.

Why: a spreadsheet user who downloads ``participations.csv`` gets strings. What a column
holds (an IRI, a number, French words of the release), which columns name a row, which
point to a row of another table, and under which licence the whole may be reused, is said
nowhere a program can read. The W3C Metadata Vocabulary for Tabular Data says it in one
JSON-LD file beside the tables; CSVW processors (the `csvw` package's ``csvwvalidate``,
``csvw2json``, ``csvw2datasette``) then check the tables against it and read them typed.

``csv-metadata.json`` is the name a processor looks for beside a table when nothing else
names its metadata (Model for Tabular Data §5.3, "Default Locations"); the server's CSV
files also link to it (§5.2, ``Link: rel="describedby"``). The table group gives:

- for every column: its datatype (``anyURI``, or a string that is an absolute IRI where a
  URI template or a key reads it: IRI_AS_STRING; ``integer``, ``decimal``, ``dateTime``,
  ``string``), whether it may be empty, its language where the graph's literals have one,
  and a description in English and French;
- each table's primary key, and its foreign keys: a participation's person and session are
  rows of ``people.csv`` and ``sessions.csv`` (a processor checks them). A participation's
  organisation and an organisation's parent are references too, but may be empty, and a
  strict CSVW validator (the `csvw` package's, unless told ``--lax``) takes an empty
  foreign key for a broken one: they are not declared, and the tests check them instead;
- how a row reads as RDF (Generating RDF from Tabular Data, CSV2RDF; the same in CSV2JSON):
  the row's IRI (``aboutUrl``), its class (a virtual column), and, for a column that
  repeats a statement of the graph about the row's subject, its property
  (``propertyUrl``): a person's ``schema:name``, a session's ``aig:programmePosition``, a
  participation's ``aig:agent``. Columns the graph does not state as such of the row's
  subject get none: a count, the English label of a role, the release's quote, and the
  facts of another column's IRI (a participation's session, the person's name), which
  CSVW could state (a column's own ``aboutUrl``) but which the `csvw` package's
  ``csvw2json`` fails to read (version 4.1); ``sessions.csv`` and ``people.csv`` state
  them. And ``links.csv`` gets no RDF reading at all: its rows are claims of graph:links
  about external identifiers, which the graph keeps apart from the release's statements,
  and a processor turning them into plain triples would mix them in silently. The tests
  check that every statement a processor reads from the tables is in the graph.
- the dataset's licence, source and citation, and the N-Quads file the tables were computed
  from, with its SHA-256.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aigraph.citation import Citation

CSVW_CONTEXT = "http://www.w3.org/ns/csvw"
METADATA_NAME = "csv-metadata.json"
MEDIA_TYPE = "application/csvm+json"
SPDX = "http://spdx.org/rdf/terms#"

_AIG = "https://w3id.org/aigraph/ns#"
_SCHEMA = "http://schema.org/"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_ORG = "http://www.w3.org/ns/org#"

#: Between the occupations of one cell of participations.csv (its `separator`, CSVW Model
#: for Tabular Data §4.6): a participation may state two ("artiste et cinéaste").
OCCUPATION_SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    """One column: its header name, datatype (a name, or a CSVW datatype description),
    description (en, fr), and how it reads as RDF. `key`: the row's IRI (the table's
    aboutUrl; not repeated as a property). `prop`: the property of the row's subject;
    `value`: a URI template for an IRI value (the cell is a literal without it).
    `references`: "table.csv" whose key this column's values are (a foreign key; of a
    required column only: a strict validator takes an empty one for a broken one)."""

    name: str
    datatype: str | dict[str, Any]
    en: str
    fr: str
    required: bool = True
    lang: str | None = None
    key: bool = False
    prop: str | None = None
    value: str | None = None
    references: str | None = None
    #: the string between the values of a cell that holds several (CSVW §4.6 `separator`)
    separator: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    en: str
    fr: str
    columns: tuple[Column, ...]
    rdf_type: str | None = None  # the class of the row's subject (a virtual column)
    primary_key: tuple[str, ...] = ()


TABLES: tuple[Table, ...] = (
    Table(
        "people.csv",
        "One row per person the release names, with how many participations it gives them.",
        "Une ligne par personne que nomme le communiqué, avec le nombre de ses participations.",
        (
            Column("person", "anyURI", "The person's IRI.", "L'IRI de la personne.", key=True),
            Column(
                "name",
                "string",
                "The name, as the release writes it.",
                "Le nom, tel que l'écrit le communiqué.",
                prop=_SCHEMA + "name",
            ),
            Column(
                "participations",
                "integer",
                "How many participations the release gives them (a count, computed).",
                "Le nombre de leurs participations selon le communiqué (un compte, calculé).",
            ),
        ),
        rdf_type=_SCHEMA + "Person",
    ),
    Table(
        "organisations.csv",
        "One row per organisation (or unit of one) the release names.",
        "Une ligne par organisation (ou service d'une organisation) que nomme le communiqué.",
        (
            Column(
                "organisation",
                "anyURI",
                "The organisation's IRI.",
                "L'IRI de l'organisation.",
                key=True,
            ),
            Column(
                "name",
                "string",
                "Its name, as the release writes it.",
                "Son nom, tel que l'écrit le communiqué.",
                prop=_SCHEMA + "name",
            ),
            Column(
                "sector",
                "string",
                "The English label of its sector (the project's "
                "classification, not the release's words).",
                "Le libellé anglais de son secteur (classement du projet, pas mots du communiqué).",
                required=False,
            ),
            Column(
                "parent",
                "anyURI",
                "The organisation it is a unit of, if any.",
                "L'organisation dont elle est un service, le cas échéant.",
                required=False,
                prop=_ORG + "unitOf",
                value="{+parent}",
            ),
            Column(
                "people",
                "integer",
                "How many stated affiliations name it (a count, computed).",
                "Le nombre d'affiliations déclarées qui la nomment (un compte, calculé).",
            ),
        ),
        rdf_type=_ORG + "Organization",
    ),
    Table(
        "sessions.csv",
        "One row per session of the day, in programme order.",
        "Une ligne par session de la journée, dans l'ordre du programme.",
        (
            Column("session", "anyURI", "The session's IRI.", "L'IRI de la session.", key=True),
            Column(
                "position",
                "integer",
                "Its place in the programme (1 is the first).",
                "Sa place dans le programme (1 pour la première).",
                prop=_AIG + "programmePosition",
            ),
            Column(
                "kind",
                "string",
                "The English label of its kind (round table, presentation, …).",
                "Le libellé anglais de son genre (table ronde, présentation, …).",
            ),
            Column(
                "kind_fr",
                "string",
                "Its kind as the release words it (table ronde, présentation, …).",
                "Son genre, dans les mots du communiqué (table ronde, présentation, …).",
                lang="fr",
            ),
            Column(
                "title_fr",
                "string",
                "Its title in French.",
                "Son titre en français.",
                required=False,
                lang="fr",
                prop=_RDFS + "label",
            ),
            Column(
                "title_en",
                "string",
                "Its title in English (the project's translation).",
                "Son titre en anglais (traduction du projet).",
                required=False,
                lang="en",
                prop=_RDFS + "label",
            ),
            Column(
                "description",
                "string",
                "What the release says of it, in its words.",
                "Ce qu'en dit le communiqué, dans ses mots.",
                lang="fr",
                prop=_SCHEMA + "description",
            ),
        ),
        rdf_type=_AIG + "Session",
    ),
    Table(
        "participations.csv",
        "One row per participation: the session, the person, their role, their title and "
        "organisation as stated, and the release's words that name the person, with their "
        "offsets.",
        "Une ligne par participation : la session, la personne, son rôle, son titre et son "
        "organisation tels qu'énoncés, et les mots du communiqué qui nomment la personne, "
        "avec leurs positions.",
        (
            Column(
                "participation",
                "anyURI",
                "The participation's IRI.",
                "L'IRI de la participation.",
                key=True,
            ),
            Column(
                "position",
                "integer",
                "The session's place in the programme.",
                "La place de la session dans le programme.",
            ),
            Column(
                "session",
                "anyURI",
                "The session.",
                "La session.",
                references="sessions.csv",
            ),
            Column(
                "person",
                "anyURI",
                "The person who took part.",
                "La personne qui a participé.",
                prop=_AIG + "agent",
                value="{+person}",
                references="people.csv",
            ),
            Column(
                "name",
                "string",
                "The person's name.",
                "Le nom de la personne.",
            ),
            Column(
                "role",
                "string",
                "The English label of their role (panelist, moderator, …).",
                "Le libellé anglais de leur rôle (intervenant, modérateur, …).",
            ),
            Column(
                "job_title",
                "string",
                "Their job title, as the release states it here.",
                "Leur fonction, telle que l'énonce ici le communiqué.",
                required=False,
                lang="fr",
            ),
            Column(
                "organisation",
                "anyURI",
                "The organisation the release gives them here.",
                "L'organisation que leur donne ici le communiqué.",
                required=False,
            ),
            Column(
                "organisation_name",
                "string",
                "That organisation's name.",
                "Le nom de cette organisation.",
                required=False,
            ),
            Column(
                "occupations",
                "string",
                "Their occupations as the release states them here, with or without an "
                "organisation (\"auteur-compositeur\"; several separated by ';').",
                "Leurs métiers tels que les énonce ici le communiqué, avec ou sans "
                "organisation (« auteur-compositeur » ; plusieurs séparés par ';').",
                required=False,
                lang="fr",
                separator=OCCUPATION_SEPARATOR,
            ),
            Column(
                "quote",
                "string",
                "The release's words that name the person here.",
                "Les mots du communiqué qui nomment ici la personne.",
                required=False,
                lang="fr",
            ),
            Column(
                "start",
                "integer",
                "Where those words start in the release (a code-point offset).",
                "Où ces mots commencent dans le communiqué (une position en points de code).",
                required=False,
            ),
            Column(
                "end",
                "integer",
                "Where they end (exclusive).",
                "Où ils finissent (exclue).",
                required=False,
            ),
        ),
        rdf_type=_AIG + "Participation",
    ),
    Table(
        "topics.csv",
        "One row per topic of the day, with how many sessions address it.",
        "Une ligne par thème de la journée, avec le nombre de sessions qui l'abordent.",
        (
            Column(
                "topic",
                "anyURI",
                "The topic's IRI (a SKOS concept).",
                "L'IRI du thème (un concept SKOS).",
                key=True,
            ),
            Column(
                "label_fr",
                "string",
                "Its French label.",
                "Son libellé français.",
                lang="fr",
                prop=_SKOS + "prefLabel",
            ),
            Column(
                "label_en",
                "string",
                "Its English label.",
                "Son libellé anglais.",
                lang="en",
                prop=_SKOS + "prefLabel",
            ),
            Column(
                "definition_fr",
                "string",
                "Its French definition.",
                "Sa définition en français.",
                required=False,
                lang="fr",
                prop=_SKOS + "definition",
            ),
            Column(
                "definition_en",
                "string",
                "Its English definition.",
                "Sa définition en anglais.",
                required=False,
                lang="en",
                prop=_SKOS + "definition",
            ),
            Column(
                "sessions",
                "integer",
                "How many sessions address it (a count, computed).",
                "Le nombre de sessions qui l'abordent (un compte, calculé).",
            ),
        ),
        rdf_type=_SKOS + "Concept",
    ),
    Table(
        "links.csv",
        "One row per link to external open data (graph:links, not the release's "
        "statements): entity, predicate, identifier, the page that shows it, when, how, "
        "confidence, note.",
        "Une ligne par lien vers des données ouvertes extérieures (graph:links, pas les "
        "énoncés du communiqué) : entité, prédicat, identifiant, la page qui le montre, "
        "quand, comment, confiance, note.",
        (
            Column("entity", "anyURI", "The entity of the dataset.", "L'entité du jeu de données."),
            Column("name", "string", "Its name.", "Son nom.", required=False),
            Column(
                "predicate", "anyURI", "The property that links it.", "La propriété qui la relie."
            ),
            Column(
                "identifier",
                "string",
                "The external identifier or IRI.",
                "L'identifiant ou l'IRI extérieur.",
            ),
            Column(
                "evidence", "anyURI", "The page that shows the link.", "La page qui montre le lien."
            ),
            Column("found", "dateTime", "When the page was read.", "Quand la page a été lue."),
            Column("method", "string", "How the link was made.", "Comment le lien a été fait."),
            Column(
                "confidence",
                {"base": "decimal", "minimum": 0, "maximum": 1},
                "The curator's confidence, from 0 to 1.",
                "La confiance du curateur, de 0 à 1.",
            ),
            Column(
                "note",
                "string",
                "What the page says, quoted.",
                "Ce que dit la page, cité.",
                required=False,
            ),
        ),
        primary_key=("entity", "predicate", "identifier"),
    ),
)


#: The datatype of an IRI column that a URI template reads (a row's IRI, a value IRI) or that
#: refers to one (a foreign key, whose two sides a processor compares): an absolute IRI (a
#: scheme, then no space: other data may use urn: or tag: IRIs), as a string. Not `anyURI`:
#: the `csvw` package (4.1) expands an anyURI cell in a URI template as the parts of its
#: parsed form ("https,w3id.org,/aigraph/…,None,None"), not its text, so `csvw2json` would
#: give every row a wrong `@id`.
IRI_AS_STRING = {"base": "string", "format": r"[A-Za-z][A-Za-z0-9+.\-]*:\S+"}


def _texts(en: str, fr: str) -> list[dict[str, str]]:
    return [{"@value": en, "@language": "en"}, {"@value": fr, "@language": "fr"}]


def _column(column: Column) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": column.name,
        "titles": column.name,  # the header row's cell: a processor checks they agree
        "dc:description": _texts(column.en, column.fr),
        "datatype": (
            IRI_AS_STRING
            if column.datatype == "anyURI" and (column.key or column.value or column.references)
            else column.datatype
        ),
        "required": column.required,
    }
    if column.lang:
        out["lang"] = column.lang
    if column.separator:
        out["separator"] = column.separator
    if column.key:
        out["suppressOutput"] = True  # the row's IRI already: its aboutUrl
    # a column with no property of its own would read, by CSVW's default, as a property
    # named after the table's column (…/people.csv#participations)
    optional = {"propertyUrl": column.prop, "valueUrl": column.value}
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def _schema(table: Table) -> dict[str, Any]:
    columns = [_column(c) for c in table.columns]
    schema: dict[str, Any] = {"columns": columns}
    key = next((c.name for c in table.columns if c.key), None)
    if key is not None:
        schema["aboutUrl"] = "{+" + key + "}"
        schema["primaryKey"] = key
        if table.rdf_type:
            # named: a processor that makes a column of it (csvw2datasette) shows a name, not
            # "_col.4"; it has no cell, and reads as the row's rdf:type
            columns.append(
                {
                    "name": "rdf_type",
                    "virtual": True,
                    "propertyUrl": "rdf:type",
                    "valueUrl": table.rdf_type,
                    "dc:description": _texts(
                        "The row's class (no cell: read as its rdf:type).",
                        "La classe de la ligne (sans cellule : lue comme son rdf:type).",
                    ),
                }
            )
    elif table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    foreign = [
        {
            "columnReference": c.name,
            "reference": {
                "resource": c.references,
                "columnReference": _key_of(c.references),
            },
        }
        for c in table.columns
        if c.references
    ]
    if foreign:
        schema["foreignKeys"] = foreign
    return schema


def _key_of(name: str) -> str:
    (table,) = [t for t in TABLES if t.name == name]
    return next(c.name for c in table.columns if c.key)


def describe(name: str, lang: str = "en") -> str:
    """A table's description in `lang`, "en" or "fr" (the build's manifest, the VoID
    description, the downloads page)."""
    table = next(t for t in TABLES if t.name == name)
    return table.fr if lang == "fr" else table.en


@dataclass(frozen=True)
class BundledDataset:
    """The bundled dataset, as its editors describe it (data/dataset.ttl): its IRI, its
    licence's, and how to cite it in "en" and "fr"."""

    iri: str
    licence: str
    citations: Mapping[str, Citation]


def table_group(data_file: tuple[str, str], dataset: BundledDataset | None) -> dict[str, Any]:
    """The CSVW metadata of the six tables, as a table group whose tables' URLs are
    relative to it (it sits beside them, on disk as under /dumps/).

    `data_file` is the name and SHA-256 of the N-Quads file the tables were computed from;
    `dataset` the bundled dataset, or None for other data (a server's `--no-bundled`), whose
    licence and citation are not known and so not said."""
    group: dict[str, Any] = {
        "@context": [CSVW_CONTEXT, {"@language": "en"}],
        "dc:title": _texts(
            f"The CSV tables of the dataset “{dataset.citations['en'].title}”"
            if dataset
            else "The CSV tables of the data served by aigraph",
            f"Les tables CSV du jeu de données « {dataset.citations['fr'].title} »"
            if dataset
            else "Les tables CSV des données servies par aigraph",
        ),
        "dc:description": _texts(
            "Tables computed by SPARQL from the dataset, for spreadsheets: IRIs and the "
            "literals' lexical forms, UTF-8, with a header row (RFC 4180). The RDF dumps "
            "beside them hold the same facts with their evidence.",
            "Tables calculées par SPARQL à partir du jeu de données, pour les tableurs : "
            "IRI et formes lexicales des littéraux, UTF-8, avec une ligne d'en-tête "
            "(RFC 4180). Les fichiers RDF à côté portent les mêmes faits avec leurs preuves.",
        ),
        "dialect": {"header": True, "encoding": "utf-8"},
        "tables": [
            {
                "url": table.name,
                "dc:description": _texts(table.en, table.fr),
                "tableSchema": _schema(table),
            }
            for table in TABLES
        ],
    }
    if dataset is not None:
        group["dc:source"] = {"@id": dataset.iri}
        group["dc:license"] = {"@id": dataset.licence}
        group["dc:bibliographicCitation"] = _texts(
            dataset.citations["en"].text(), dataset.citations["fr"].text()
        )
    group["prov:wasDerivedFrom"] = derived_from(*data_file)
    return group


def derived_from(url: str, sha256: str) -> dict[str, Any]:
    """The data file a table was computed from, with its SHA-256 (SPDX's checksum terms, as
    the VoID description gives every file's), as a CSVW common property's value."""
    return {
        "@id": url,
        SPDX + "checksum": {
            SPDX + "algorithm": {"@id": SPDX + "checksumAlgorithm_sha256"},
            SPDX + "checksumValue": sha256,
        },
    }
