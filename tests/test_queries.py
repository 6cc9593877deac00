"""Every catalogue query runs, answers with its declared columns, and says what the release
says. One table row per query: parameters, then a check of the answer."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Dataset

from aigraph.catalogue import (
    CatalogueQuery,
    ParameterError,
    data_languages,
    parse_query_file,
    unknown_entity,
)
from aigraph.engine import Engine

ID = "https://w3id.org/aigraph/id/"
Rows = list[dict[str, str | None]]


def run(engine: Engine, query: CatalogueQuery, params: dict[str, str]) -> Rows:
    solutions = engine.query(query.text, query.bindings(params))
    names = [v.value for v in solutions.variables]
    assert tuple(names) == query.columns, "the header's columns are the SELECT's"
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in solutions]


def check_sessions(rows: Rows) -> None:
    assert [int(r["position"]) for r in rows] == list(range(1, 11))
    assert rows[3]["kindLabel"] == "conclusion de la matinée"
    assert rows[7]["kindLabel"] == "keynote"
    assert all(r["title"] for r in rows)


def check_sessions_en(rows: Rows) -> None:
    assert (
        rows[0]["kindLabel"] == "round table"
        and rows[9]["title"] == "Discussion: AI and the environment"
    )


def check_participants(rows: Rows, moderator_label: str = "modérateur·rice") -> None:
    assert len(rows) == 29
    jarre_session = next(r["session"] for r in rows if r["name"] == "Jean-Michel Jarre")
    moderator = [
        r for r in rows if r["session"] == jarre_session and r["roleLabel"] == moderator_label
    ]
    # "La discussion a été modérée par Pauline Augrain, directrice du numérique du CNC."
    assert [(r["name"], r["jobTitle"], r["organisationName"]) for r in moderator] == [
        ("Pauline Augrain", "directrice du numérique", "CNC")
    ]
    jarre = next(r for r in rows if r["name"] == "Jean-Michel Jarre")
    assert (jarre["jobTitle"], jarre["organisation"]) == (None, None)
    # how the release introduces those it gives no title: "Jean-Michel Jarre,
    # auteur-compositeur"; "Lou Fauroux, artiste et cinéaste, résidente de la Villa Albertine"
    assert jarre["occupations"] == "auteur-compositeur"
    fauroux = next(r for r in rows if r["name"] == "Lou Fauroux")
    assert fauroux["occupations"] == "artiste;cinéaste"  # in order, as participations.csv
    brechignac = next(r for r in rows if r["name"] == "Camille Brechignac")
    assert brechignac["occupations"] == "curatrice;théoricienne de l'art"
    assert (fauroux["jobTitle"], fauroux["organisationName"]) == ("résidente", "Villa Albertine")
    assert not next(r for r in rows if r["name"] == "Pauline Augrain")["occupations"]
    introduced = [r for r in rows if r["jobTitle"] or r["organisation"] or r["occupations"]]
    # every participant but the speaker who concluded the morning, whom it names alone
    assert {r["name"] for r in rows} - {r["name"] for r in introduced} == {"Idzard Van der Puyl"}


def check_moderators(rows: Rows) -> None:
    assert [(r["name"], int(r["sessions"])) for r in rows] == [
        ("Perrine Vincent", 2),
        ("Anastasia Svoboda", 1),
        ("Leslie Thomas", 1),
        ("Pauline Augrain", 1),
    ]


def check_people_by_organisation(rows: Rows) -> None:
    assert len(rows) == 19
    cnc = next(r for r in rows if r["organisationName"] == "CNC")
    assert int(cnc["people"]) == 4  # Augrain, Lacoue, Thomas and, through her service, Vincent
    assert set(cnc["names"].split(", ")) == {
        "Pauline Augrain",
        "Cécile Lacoue",
        "Leslie Thomas",
        "Perrine Vincent",
    }
    # by number of people, then as in a French index: "Afdas" before "AFNOR", and the
    # CNC's service, named in lower case, among the s
    order = [(-int(r["people"]), french_order(r["organisationName"])) for r in rows]
    assert order == sorted(order)
    names = [r["organisationName"] for r in rows]
    assert names.index("Afdas") < names.index("AFNOR") < names.index("Audiens")
    service = names.index("service de l'accompagnement des professionnels")
    assert names.index("Satellifacts") < service < names.index("SGPI")


def check_co_panelists(rows: Rows) -> None:
    pairs = {(r["aName"], r["bName"]) for r in rows}
    assert ("Jean-Michel Jarre", "Marianne Carpentier") in pairs
    assert all(r["a"] < r["b"] for r in rows)
    # sessions of n people give n(n-1)/2 pairs: 4,2,5,1,3,1,4,1,5,3 people
    assert len(rows) == 6 + 1 + 10 + 0 + 3 + 0 + 6 + 0 + 10 + 3


def check_topics(rows: Rows) -> None:
    by_topic: dict[str, set[str]] = {}
    for r in rows:
        by_topic.setdefault(r["label"], set()).add(r["session"].rsplit("-", 1)[-1])
    assert by_topic["impact environnemental"] == {"s10"}
    assert by_topic["emploi et métiers"] == {"s05"}
    assert by_topic["recherche-création"] == {"s07"}
    assert len(by_topic) == 17 - 0  # every topic is addressed by some session
    labels = list(dict.fromkeys(r["label"] for r in rows))
    assert labels == sorted(labels, key=french_order)
    # by code point, "é" comes after every unaccented letter: "données" before "défis"
    assert labels.index("défis de l'IA générative pour la création") < labels.index(
        "données d'entraînement et droit d'auteur"
    )
    assert labels.index("régulation et cadre institutionnel") < labels.index(
        "responsabilisation de la filière"
    )


def french_order(text: str) -> tuple[str, str]:
    """The order of a French index: accents and case aside, then as written."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return bare.lower(), text


def check_programmes(rows: Rows) -> None:
    observatoire = [r for r in rows if r["name"].startswith("Observatoire")]
    assert {r["launchedBy"].rsplit("/", 1)[-1] for r in observatoire} == {"cnc", "audiens", "afdas"}
    assert {r["presenter"].rsplit("/", 1)[-1] for r in observatoire} == {
        "cecile-lacoue",
        "jean-conde",
        "philippe-degardin",
    }
    call = [r for r in rows if r["name"].startswith("Transition numérique")]
    assert {r["framework"] for r in call} == {ID + "programme/france-2030"}
    assert {r["presenter"].rsplit("/", 1)[-1] for r in call} == {
        "fabrice-casadebaig",
        "jean-gabriel-minel",
    }
    afnor = [r for r in rows if "AFNOR" in r["name"]]
    assert [r["presenter"] for r in afnor] == [None]  # the release does not say who presented it
    assert len({r["programme"] for r in rows}) == 6
    names = list(dict.fromkeys(r["name"] for r in rows))
    assert names == sorted(names, key=french_order)  # "référentiel …" before "Résidences …"


def check_participants_en(rows: Rows) -> None:
    check_participants(rows, moderator_label="moderator")
    # the role labels follow `lang`; the titles stay the release's own words
    assert {r["lang"] for r in rows} == {"en"}
    assert "journaliste" in {r["jobTitle"] for r in rows}


def check_person(rows: Rows) -> None:
    assert [(int(r["position"]), r["roleLabel"]) for r in rows] == [
        (6, "présentateur·rice"),
        (7, "modérateur·rice"),
        (9, "modérateur·rice"),
    ]
    assert {r["organisationName"] for r in rows} == {
        "service de l'accompagnement des professionnels"
    }


def check_person_jarre(rows: Rows) -> None:
    assert [(r["name"], r["occupation"], r["organisation"], r["roleLabel"]) for r in rows] == [
        ("Jean-Michel Jarre", "auteur-compositeur", None, "panelist")
    ]


def check_evidence(rows: Rows) -> None:
    assert rows and all(r["quote"] and int(r["start"]) < int(r["end"]) for r in rows)
    assert {r["quote"] for r in rows} == {
        "Autant de questions explorées lors de la table ronde qui a réuni",
        "Jean-Michel Jarre, auteur-compositeur",
    }


def check_evidence_session(rows: Rows) -> None:
    quotes = {r["quote"] for r in rows}
    assert (
        "La discussion a été modérée par Pauline Augrain, directrice du numérique du CNC." in quotes
    )


def check_sectors(rows: Rows) -> None:
    counts = {r["label"]: int(r["people"]) for r in rows}
    assert counts["établissement ou service public"] == 5  # CNC ×4 (with its service), SGPI
    assert counts["entreprise d'intelligence artificielle"] == 2
    assert sum(counts.values()) == 21  # the 21 people the release gives an organisation
    # by number of people, then as in a French index: "école" among the d…g, not last
    order = [(-int(r["people"]), french_order(r["label"])) for r in rows]
    assert order == sorted(order)
    ones = [r["label"] for r in rows if r["people"] == "1"]
    assert (
        ones.index("direction de ministère")
        < ones.index("école")
        < ones.index("groupe de protection sociale")
    )


def sectors_by_topic(rows: Rows, topic: str) -> dict[str, tuple[int, int]]:
    return {
        r["sector"].rsplit("/", 1)[-1]: (int(r["people"]), int(r["organisations"]))
        for r in rows
        if r["topic"].endswith("/" + topic)
    }


def check_topics_by_sector(rows: Rows) -> None:
    # "Discussion animée par Leslie Thomas, secrétaire générale du CNC avec Lina Ismail, …
    # à l'AFNOR et Audrey Herblin-Stoop, … chez Mistral AI."
    assert sectors_by_topic(rows, "environmental-impact") == {
        "public-body": (1, 1), "standards-body": (1, 1), "ai-company": (1, 1),
    }  # fmt: skip
    # the study: Cécile Lacoue (CNC), Jean Condé (Afdas), Philippe Degardin (Audiens)
    assert sectors_by_topic(rows, "employment-skills") == {
        "public-body": (1, 1), "skills-operator": (1, 1), "social-protection": (1, 1),
    }  # fmt: skip
    # the first round table: two of its four people have no organisation in the release
    assert sectors_by_topic(rows, "value-sharing") == {"court": (1, 1), "media": (1, 1)}
    # Perrine Vincent took part in three sessions on artistic experimentation: one person
    assert sectors_by_topic(rows, "artistic-experimentation")["public-body"] == (1, 1)
    # Pauline Augrain and Leslie Thomas (the CNC), Perrine Vincent (its service): 3 and 2
    assert sectors_by_topic(rows, "responsible-ai")["public-body"] == (3, 2)
    assert {r["topicLabel"] for r in rows} >= {"impact environnemental", "emploi et métiers"}
    assert {r["lang"] for r in rows} == {"fr"}
    labels = list(dict.fromkeys(r["topicLabel"] for r in rows))
    assert labels == sorted(labels, key=french_order)  # by topic, as in a French index


def check_topics_by_sector_en(rows: Rows) -> None:
    environment = {r["sectorLabel"] for r in rows if r["topicLabel"] == "environmental impact"}
    assert environment == {"AI company", "public body", "standards body"}
    labels = list(dict.fromkeys(r["topicLabel"] for r in rows))
    assert labels == sorted(labels, key=french_order)


CASES: list[tuple[str, dict[str, str], Callable[[Rows], None]]] = [
    ("sessions", {}, check_sessions),
    ("sessions", {"lang": "en"}, check_sessions_en),
    ("participants", {}, check_participants),
    ("participants", {"lang": "en"}, check_participants_en),
    ("moderators", {}, check_moderators),
    ("people-by-organisation", {}, check_people_by_organisation),
    ("co-panelists", {}, check_co_panelists),
    ("topics", {}, check_topics),
    ("programmes", {}, check_programmes),
    ("person", {}, check_person),
    ("person", {"person": ID + "person/jean-michel-jarre", "lang": "en"}, check_person_jarre),
    ("evidence", {}, check_evidence),
    ("evidence", {"entity": ID + "session/2025-10-07-s03"}, check_evidence_session),
    ("sectors", {}, check_sectors),
    ("topics-by-sector", {}, check_topics_by_sector),
    ("topics-by-sector", {"lang": "en"}, check_topics_by_sector_en),
]


@pytest.mark.parametrize(
    "name,params,check",
    CASES,
    ids=[f"{n}-{'-'.join(p.values()) or 'default'}" for n, p, _ in CASES],
)
def test_catalogue_query(
    engine: Engine,
    catalogue: dict[str, CatalogueQuery],
    name: str,
    params: dict[str, str],
    check: Callable[[Rows], None],
) -> None:
    check(run(engine, catalogue[name], params))


#: Columns whose cell is a GROUP_CONCAT, and its separator: the order of its parts is the
#: engine's (SPARQL 1.1 §18.5.1.7 leaves it open), and so is its language tag: Oxigraph
#: keeps the one its parts share, as SPARQL 1.2 says; rdflib answers a simple literal, as
#: SPARQL 1.1 does.
CONCATENATED = {"occupations": ";", "names": ", "}


def cell(column: str, term: object) -> tuple[str, ...] | None:
    """A term of either engine as (kind, text, language or datatype), for comparison."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode | rdflib.URIRef):
        return ("iri", term.value if isinstance(term, ox.NamedNode) else str(term))
    if isinstance(term, ox.Literal):
        text, lang, datatype = term.value, term.language, term.datatype.value
    else:
        assert isinstance(term, rdflib.Literal), term
        text, lang = str(term), term.language
        datatype = str(term.datatype or (RDF_LANG if lang else XSD_STRING))
    if column in CONCATENATED:
        separator = CONCATENATED[column]
        return ("concatenated", separator.join(sorted(text.split(separator))))
    return ("literal", text, lang or datatype)


def rdflib_term(term: ox.NamedNode | ox.Literal) -> rdflib.term.Identifier:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@pytest.fixture(scope="module")
def rdflib_dataset(dataset: Dataset) -> rdflib.Dataset:
    """The same graphs in rdflib, whose default graph is their union, as the engine's."""
    union = rdflib.Dataset(default_union=True)
    union.addN(dataset.quads())
    return union


def oxigraph_rows(
    engine: Engine, text: str, bound: dict[ox.Variable, ox.NamedNode | ox.Literal]
) -> tuple[list[str], list[str]]:
    """The engine's columns and rows (as `cell`s), read in a frame of their own. After
    rdflib's `Graph.query`, the test's frame was left in a reference cycle: a `QuerySolutions`
    kept there was freed by the garbage collector on whatever thread ran it next, which
    pyoxigraph refuses (an unsendable object is leaked, with a warning)."""
    ours = engine.select(text, bound)
    columns = [v.value for v in ours.variables]
    return columns, sorted(repr([cell(c, s[c]) for c in columns]) for s in ours)


@pytest.mark.parametrize(
    "name,params",
    [(n, p) for n, p, _ in CASES],
    ids=[f"{n}-{'-'.join(p.values()) or 'default'}" for n, p, _ in CASES],
)
def test_rdflib_gives_the_same_answer(
    engine: Engine,
    rdflib_dataset: rdflib.Dataset,
    catalogue: dict[str, CatalogueQuery],
    name: str,
    params: dict[str, str],
) -> None:
    """A researcher who loads the downloads into rdflib can run the catalogue there: each
    query is standard SPARQL 1.1, not Oxigraph's dialect, and the two engines agree row for
    row. rdflib takes the parameters as `initBindings`, its way to bind them."""
    query = catalogue[name]
    bound = query.bindings(params)
    columns, expected = oxigraph_rows(engine, query.text, bound)
    bindings = {rdflib.Variable(v.value): rdflib_term(t) for v, t in bound.items()}
    theirs = rdflib_dataset.query(query.text, initBindings=bindings)
    assert [str(v) for v in theirs.vars or []] == columns
    got = sorted(repr([cell(c, row[c]) for c in columns]) for row in theirs)  # type: ignore[index]
    assert got == expected
    assert expected, "a catalogue query answers with rows on the bundled graph"


def test_every_catalogue_query_is_tested(catalogue: dict[str, CatalogueQuery]) -> None:
    assert set(catalogue) == {name for name, _, _ in CASES}
    assert len(catalogue) >= 10


def test_every_query_says_what_it_answers_in_both_languages(
    catalogue: dict[str, CatalogueQuery],
) -> None:
    for q in catalogue.values():
        assert set(q.title) >= {"en", "fr"} and set(q.question) >= {"en", "fr"}, q.name
        assert q.columns and q.expect and q.keywords, q.name


@pytest.mark.parametrize(
    "name,params,error",
    [
        ("person", {"person": "not an iri"}, "parameter 'person': not an absolute IRI"),
        ("person", {"person": "http://x/a>b"}, "not an absolute IRI"),
        ("sessions", {"language": "fr"}, "parameter 'language': unknown parameter"),
        ("moderators", {"x": "1"}, "this query takes: none"),
        ("sessions", {"lang": 'fr") } UNION { ?s ?p ?o } #'}, "'lang': not a language tag"),
        ("topics", {"lang": "français"}, "'lang': not a language tag"),
        ("topics", {"lang": "en_GB"}, "'lang': not a language tag"),
        ("topics", {"lang": "toolongtag"}, "'lang': not a language tag"),
        ("topics", {"lang": ""}, "'lang': not a language tag"),
    ],
)
def test_bad_parameters_are_refused_by_name(
    catalogue: dict[str, CatalogueQuery], name: str, params: dict[str, str], error: str
) -> None:
    with pytest.raises(ParameterError, match=error):
        catalogue[name].bindings(params)


def test_a_parameter_cannot_change_the_query(engine: Engine, tmp_path: Path) -> None:
    """A value that would break out of a string literal if spliced is just a string."""
    path = tmp_path / "titled.rq"
    path.write_text(
        "# title: Sessions titled so\n# question: Which session has this title?\n"
        "# param: title string\n# columns: session title\n"
        "SELECT ?session ?title WHERE { ?session <http://www.w3.org/2000/01/rdf-schema#label> ?t "
        "FILTER (STR(?t) = ?title) }\n",
        encoding="utf-8",
    )
    query = parse_query_file(path)
    assert run(engine, query, {"title": 'x") || true || STR("'}) == []
    assert run(engine, query, {"title": 'x" } UNION { ?session ?p ?o } #'}) == []
    assert run(engine, query, {"title": "Conclusion de la matinée"}) == [
        {
            "session": "https://w3id.org/aigraph/id/session/2025-10-07-s04",
            "title": "Conclusion de la matinée",
        }
    ]


@pytest.mark.parametrize(
    ("given", "bound", "first_label"),
    [
        # tags are case-insensitive (RFC 5646 §2.1.1) and the engine keeps them in lower
        # case: EN is en, where it used to find no label at all
        ("EN", "en", "artistic experimentation"),
        ("en", "en", "artistic experimentation"),
        ("Fr", "fr", "créativité et IA"),
    ],
)
def test_a_language_is_bound_in_the_case_the_data_has(
    engine: Engine, catalogue: dict[str, CatalogueQuery], given: str, bound: str, first_label: str
) -> None:
    rows = run(engine, catalogue["topics"], {"lang": given})
    assert {r["lang"] for r in rows} == {bound}
    assert rows[0]["label"] == first_label and len(rows) > 10


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"lang": "de"}, r"no text of this data is in 'de' \(its languages: en, fr\)"),
        ({"lang": "en-GB"}, "no text of this data is in 'en-GB'"),
        ({}, None),  # the default is not checked: data without French still answers
        ({"lang": "EN"}, None),
    ],
)
def test_a_language_the_data_has_not_is_refused(
    engine: Engine,
    catalogue: dict[str, CatalogueQuery],
    params: dict[str, str],
    error: str | None,
) -> None:
    """`FILTER (lang(?label) = ?lang)` with a language the data has not is an empty answer
    that reads as a true one (no topic at all): said instead, with the languages there are."""
    languages = data_languages(engine.store)
    assert languages == {"en", "fr"}
    if error is None:
        assert catalogue["topics"].bindings(params, languages)
    else:
        with pytest.raises(ParameterError, match=error):
            catalogue["topics"].bindings(params, languages)


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"person": ID + "person/jean-michel-jar"},
         "parameter 'person': this data says nothing of "
         f"<{ID}person/jean-michel-jar> (search: /search?q=jean+michel+jar)"),
        ({"person": ID + "person/p-1/"}, "(search: /search?q=p+1)"),
        ({"person": "https://example.org/2025"}, "says nothing of <https://example.org/2025>"),
        ({"person": ID + "person/jean-michel-jarre"}, None),
        ({}, None),  # the default: the query's own choice
    ],
)  # fmt: skip
def test_an_iri_given_that_the_data_lacks_is_named(
    engine: Engine, catalogue: dict[str, CatalogueQuery], params: dict[str, str], said: str | None
) -> None:
    found = unknown_entity(catalogue["person"], params, engine.mentions)
    if said is None:
        assert found is None
    else:
        assert found is not None and said in str(found)
        # the link an error page gives is the search the sentence names
        if found.see is None:
            assert "(search" not in str(found)
        else:
            assert str(found).endswith(f"(search: {found.see})")
