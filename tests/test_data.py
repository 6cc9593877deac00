"""The graph says what the release says: every session, person, role, title, organisation,
programme and topic, checked against a table written from the release text itself."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Literal
from rdflib.namespace import RDFS

from aigraph.checks import EDITORIAL_PREDICATES
from aigraph.engine import Engine
from aigraph.namespaces import graph_iri

# (position, person, role, job title as stated, organisation as stated, occupations)
# written from data/source/cnc-ia-release-2025-11-04.txt, one line per "X, title" clause.
PARTICIPATIONS = {
    (
        1,
        "Alexandra Bensamoun",
        "panelist",
        None,
        None,
        ("professeure de droit spécialiste en IP/IT et IA",),
    ),
    (1, "Maxime Boutron", "panelist", "maître des requêtes", "Conseil d'État", ()),
    (
        1,
        "Joëlle Farchy",
        "panelist",
        None,
        None,
        ("professeure spécialisée dans les industries culturelles et numériques",),
    ),
    (1, "Anastasia Svoboda", "moderator", "journaliste", "Satellifacts", ()),
    (2, "Fabrice Casadebaig", "presenter", "conseiller culture", "SGPI", ()),
    (2, "Jean-Gabriel Minel", "presenter", "délégué aux entreprises culturelles", "DGMIC", ()),
    (3, "Béatrice Bauwens", "panelist", "directrice VFX & Post", "MPC Film", ()),
    (3, "Marianne Carpentier", "panelist", "directrice de l'innovation", "Studio TF1", ()),
    (3, "Jean-Michel Jarre", "panelist", None, None, ("auteur-compositeur",)),
    (3, "Aton Soumache", "panelist", "président d'honneur", "Mediawan Kids and Family", ()),
    (3, "Pauline Augrain", "moderator", "directrice du numérique", "CNC", ()),
    (4, "Idzard Van der Puyl", "speaker", None, None, ()),
    (
        5,
        "Cécile Lacoue",
        "presenter",
        "directrice des études, des statistiques et de la prospective",
        "CNC",
        (),
    ),
    (
        5,
        "Jean Condé",
        "presenter",
        "directeur de l'observation, de la prospective de l'emploi et de la certification",
        "Afdas",
        (),
    ),
    (5, "Philippe Degardin", "presenter", "directeur du Datalab", "Audiens", ()),
    (
        6,
        "Perrine Vincent",
        "presenter",
        "cheffe du service de l'accompagnement des professionnels",
        "service de l'accompagnement des professionnels",
        (),
    ),
    (7, "Héloïse Capiocca", "panelist", "administratrice", "SACD", ("scénariste",)),
    (7, "Lou Fauroux", "panelist", "résidente", "Villa Albertine", ("artiste", "cinéaste")),
    (7, "Barbara Turquier", "panelist", "responsable de la recherche", "La Fémis", ()),
    (
        7,
        "Perrine Vincent",
        "moderator",
        "cheffe du service de l'accompagnement des professionnels",
        "service de l'accompagnement des professionnels",
        (),
    ),
    (8, "Matthieu Lorrain", "keynote-speaker", None, "Google Deep Mind", ()),
    (9, "Olivier Babinet", "panelist", None, None, ("réalisateur",)),
    (9, "Camille Brechignac", "panelist", None, None, ("curatrice", "théoricienne de l'art")),
    (9, "Grégory Chatonsky", "panelist", "co-script pour l'IA", "Feral", ("artiste",)),
    (
        9,
        "Elie Nebot",
        "panelist",
        "chargé de projets éditoriaux et transformation numérique",
        "MK2+",
        (),
    ),
    (
        9,
        "Perrine Vincent",
        "moderator",
        "cheffe du service de l'accompagnement des professionnels",
        "service de l'accompagnement des professionnels",
        (),
    ),
    (10, "Leslie Thomas", "moderator", "secrétaire générale", "CNC", ()),
    (
        10,
        "Lina Ismail",
        "speaker",
        "responsable développement et innovation, environnement et climat",
        "AFNOR",
        (),
    ),
    (
        10,
        "Audrey Herblin-Stoop",
        "speaker",
        "VP Global Public Affairs & Communications",
        "Mistral AI",
        (),
    ),
}

SESSIONS = [
    (1, "round-table"),
    (2, "presentation"),
    (3, "round-table"),
    (4, "conclusion"),
    (5, "study-presentation"),
    (6, "presentation"),
    (7, "round-table"),
    (8, "keynote"),
    (9, "round-table"),
    (10, "discussion"),
]

AFFILIATION_ORGANISATIONS = {
    "Conseil d'État",
    "Satellifacts",
    "SGPI",
    "DGMIC",
    "MPC Film",
    "Studio TF1",
    "Mediawan Kids and Family",
    "CNC",
    "Afdas",
    "Audiens",
    "SACD",
    "Villa Albertine",
    "La Fémis",
    "Google Deep Mind",
    "Feral",
    "MK2+",
    "AFNOR",
    "Mistral AI",
}

PARTICIPATIONS_QUERY = """
PREFIX aig: <https://w3id.org/aigraph/ns#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?p ?position ?name ?role ?title ?orgName
       (GROUP_CONCAT(?occupation; SEPARATOR="|") AS ?occupations)
WHERE {
  ?session aig:programmePosition ?position ; aig:participation ?p .
  ?p aig:agent/schema:name ?name ; aig:role ?role .
  OPTIONAL { ?p aig:statedAffiliation ?m .
             ?m org:organization/schema:name ?orgName FILTER (lang(?orgName) != "en")
             OPTIONAL { ?m org:role/skos:prefLabel ?title FILTER (lang(?title) = "fr") } }
  OPTIONAL { ?p aig:statedOccupation/skos:prefLabel ?occupation FILTER (lang(?occupation) = "fr") }
}
GROUP BY ?p ?position ?name ?role ?title ?orgName
"""


def value(term: object) -> str | None:
    return None if term is None else term.value  # type: ignore[attr-defined]


def test_every_participation_as_the_release_states_it(engine: Engine) -> None:
    rows = set()
    for s in engine.query(PARTICIPATIONS_QUERY):
        occupations = tuple(sorted(filter(None, (value(s["occupations"]) or "").split("|"))))
        rows.add(
            (
                int(value(s["position"])),
                value(s["name"]),
                value(s["role"]).rsplit("/", 1)[-1],
                value(s["title"]),
                value(s["orgName"]),
                occupations,
            )
        )
    assert rows == {(p, n, r, t, o, tuple(sorted(occ))) for p, n, r, t, o, occ in PARTICIPATIONS}


def test_27_people(engine: Engine) -> None:
    names = {
        value(s["n"])
        for s in engine.query(
            "SELECT ?n WHERE { ?p a <http://schema.org/Person> ; <http://schema.org/name> ?n }"
        )
    }
    assert names == {row[1] for row in PARTICIPATIONS}
    assert len(names) == 27


def test_sessions_in_programme_order_with_their_kinds(engine: Engine) -> None:
    rows = [
        (int(value(s["pos"])), value(s["kind"]).rsplit("/", 1)[-1])
        for s in engine.query("""
        SELECT ?pos ?kind WHERE { ?s a <https://w3id.org/aigraph/ns#Session> ;
          <https://w3id.org/aigraph/ns#programmePosition> ?pos ;
          <https://w3id.org/aigraph/ns#sessionKind> ?kind } ORDER BY ?pos""")
    ]
    assert rows == SESSIONS


def test_18_organisations_named_as_affiliations_and_the_cnc_unit(engine: Engine) -> None:
    names = {
        value(s["n"])
        for s in engine.query("""
        PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?n WHERE { ?m org:organization/org:unitOf* ?o . ?o <http://schema.org/name> ?n
                          FILTER NOT EXISTS { ?o org:unitOf ?parent } }""")
    }
    assert names == AFFILIATION_ORGANISATIONS
    unit = list(
        engine.query("""
        PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?parent WHERE { ?u a org:OrganizationalUnit ; org:unitOf/<http://schema.org/name> ?parent }""")
    )
    assert [value(u["parent"]) for u in unit] == ["CNC"]


def test_the_day(engine: Engine) -> None:
    (row,) = engine.query("""
        PREFIX schema: <http://schema.org/>
        SELECT ?date ?organiser (COUNT(DISTINCT ?session) AS ?sessions) WHERE {
          ?day a <https://w3id.org/aigraph/ns#StudyDay> ; schema:startDate ?date ;
               schema:organizer/schema:name ?organiser ; schema:subEvent ?session } GROUP BY ?date ?organiser""")
    assert (value(row["date"]), value(row["organiser"]), value(row["sessions"])) == (
        "2025-10-07",
        "CNC",
        "10",
    )


def test_the_release(engine: Engine) -> None:
    assert bool(
        engine.query("""
        PREFIX schema: <http://schema.org/>
        ASK { ?r a schema:NewsArticle ; schema:datePublished "2025-11-04"^^<http://www.w3.org/2001/XMLSchema#date> ;
                 schema:inLanguage "fr" ; schema:publisher/schema:name "CNC" ;
                 schema:about/schema:startDate "2025-10-07"^^<http://www.w3.org/2001/XMLSchema#date> }""")
    )


@pytest.mark.parametrize(
    "ask",
    [
        # « lancé dans le cadre de France 2030 »
        """ASK { ?c schema:name "Transition numérique de la Culture et appropriation de l'intelligence artificielle"@fr ;
             aig:framework/schema:name "France 2030"@fr ; aig:statedAim ?aim }""",
        # « le CNC, Audiens, l'Afdas ont lancé en mai 2025 l'Observatoire … »
        """ASK { ?o a aig:Observatory ; aig:launchDate "2025-05"^^xsd:gYearMonth ;
             aig:launchedBy/schema:name "CNC", "Audiens", "Afdas" ; aig:statedAim ?aim }""",
        # the CNC call « Résidences de Création IA » and its five domains
        """ASK { ?c schema:name "Résidences de Création IA"@fr ; aig:launchedBy/schema:name "CNC" .
             { SELECT (COUNT(?d) AS ?n) WHERE { ?c2 schema:name "Résidences de Création IA"@fr ; aig:domain ?d } }
             FILTER (?n = 5) }""",
        # « le référentiel élaboré par l'AFNOR », drawn on by session 10
        """ASK { ?r a aig:Referential ; schema:author/schema:name "AFNOR" .
             ?s aig:presents ?r ; aig:programmePosition 10 }""",
        # « résidente de la Villa Albertine 2026 »: a residency cohort, through the membership
        """ASK { ?m org:member/schema:name "Lou Fauroux" ; aig:inProgramme ?r .
             ?r a aig:Residency ; aig:cohortYear "2026"^^xsd:gYear }""",
        # Matthieu Lorrain: an affiliation with an activity and no title
        """ASK { ?m org:member/schema:name "Matthieu Lorrain" ; org:organization/schema:name "Google Deep Mind" ;
             aig:statedActivity ?a FILTER NOT EXISTS { ?m org:role ?t } }""",
        # Idzard Van der Puyl: neither title nor organisation nor occupation
        """ASK { ?p aig:agent/schema:name "Idzard Van der Puyl" .
             FILTER NOT EXISTS { ?p aig:statedAffiliation|aig:statedOccupation ?x } }""",
        # affiliations are time-bound to the event, not properties of the person
        """ASK { FILTER NOT EXISTS { ?person a schema:Person ; schema:jobTitle|schema:worksFor|org:memberOf ?x } }""",
        # the shortcuts are derived, and agree with the participations
        """ASK { ?s aig:moderator/schema:name "Pauline Augrain" ; schema:performer/schema:name "Jean-Michel Jarre" }""",
    ],
)
def test_programmes_and_modelling_choices(engine: Engine, ask: str) -> None:
    prefixes = """PREFIX aig: <https://w3id.org/aigraph/ns#>
    PREFIX org: <http://www.w3.org/ns/org#>
    PREFIX schema: <http://schema.org/>
    PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    """
    assert bool(engine.query(prefixes + ask))


def test_every_topic_has_labels_and_definitions_in_both_languages(engine: Engine) -> None:
    rows = list(
        engine.query("""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?t (COUNT(DISTINCT lang(?l)) AS ?labels) (COUNT(DISTINCT lang(?d)) AS ?defs) WHERE {
          ?t skos:inScheme <https://w3id.org/aigraph/concept/scheme/topics> ;
             skos:prefLabel ?l ; skos:definition ?d } GROUP BY ?t""")
    )
    assert len(rows) == 17
    assert all(value(r["labels"]) == "2" and value(r["defs"]) == "2" for r in rows)


def test_every_session_addresses_a_topic_grounded_in_a_claim(dataset: Dataset) -> None:
    from aigraph.checks import claim_graphs
    from aigraph.namespaces import SCHEMA

    grounded = set()
    for claim in claim_graphs(dataset):
        grounded |= {s for s, _t in dataset.graph(claim).subject_objects(SCHEMA.about)}
    sessions = {s for s in grounded if "/id/session/" in s}
    assert len(sessions) == 10


def test_editorial_graph_holds_only_translations_labels_and_classifications(
    dataset: Dataset,
) -> None:
    editorial = dataset.graph(graph_iri("editorial"))
    assert len(editorial) > 0
    for _s, p, o in editorial:
        assert p in EDITORIAL_PREDICATES
        if isinstance(o, Literal) and o.language == "fr":
            assert p == RDFS.label  # coined French labels only; quotes need a claim
