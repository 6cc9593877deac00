"""Name matching (aigraph.search): the scores the search page, type-ahead, reconciliation
and `aigraph link` rank by, and the shortcut that lets a search skip labels that cannot
reach its floor."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aigraph.dataset import load_dataset
from aigraph.engine import Engine
from aigraph.search import Entry, Folded, LabelIndex, did_you_mean, fold, meant, similarity


@pytest.mark.parametrize(
    ("query", "label", "expected"),
    [
        ("Jean-Michel Jarre", "Jean-Michel Jarre", 1.0),
        ("jean michel jarre", "Jean-Michel Jarre", 1.0),  # folded: case, hyphens
        ("Béatrice Bauwens", "Beatrice Bauwens", 1.0),  # and accents
        ("Jarre Jean-Michel", "Jean-Michel Jarre", 0.98),  # the same words, another order
        ("", "Jean-Michel Jarre", 0.0),
    ],
)
def test_similarity_table(query: str, label: str, expected: float) -> None:
    assert similarity(query, label) == expected


def test_type_ahead_ranks_prefixes_high() -> None:
    assert 0.63 <= similarity("jarr", "Jean-Michel Jarre") <= 0.9
    assert similarity("jarr", "Jean-Michel Jarre") > similarity("jarr", "Barbara Turquier")


WORDS = st.text(alphabet="abcdeéijklmnoprstu -", min_size=0, max_size=24)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(query=WORDS, label=WORDS, floor=st.sampled_from([0.35, 0.5, 0.55, 0.8]))
def test_the_floor_shortcut_never_drops_a_label_that_reaches_it(
    query: str, label: str, floor: float
) -> None:
    full = similarity(query, label)
    quick = Folded(query).score(fold(label), floor)
    if full >= floor:
        assert quick == full
    else:
        assert quick in (0.0, full)


# --- The index's candidates (aigraph.search._Candidates) ------------------------------------


def scan(
    index: LabelIndex, text: str, kinds: list[str] | None, limit: int, floor: float
) -> list[tuple[str, float, str]]:
    """The search as it was before the index had candidates: every label of every entity
    scored, the best per entity kept. The index must give exactly this."""
    query = Folded(text)
    hits = []
    for entry in index.entries.values():
        if kinds is not None and entry.kind not in kinds:
            continue
        best = max(
            ((query.score(folded, floor), label) for label, folded in entry.folded_labels()),
            default=(0.0, ""),
        )
        if best[0] >= floor:
            hits.append((entry, best[0], best[1]))
    hits.sort(key=lambda h: (-h[1], fold(h[0].label()), h[0].iri))
    return [(e.iri, score, label) for e, score, label in hits[:limit]]


def found(index: LabelIndex, text: str, kinds: list[str] | None, limit: int, floor: float) -> list:
    return [(h.entry.iri, h.score, h.matched) for h in index.search(text, kinds, limit, floor)]


@pytest.fixture(scope="module")
def bundled() -> LabelIndex:
    return LabelIndex.from_store(Engine.from_dataset(load_dataset()).store)


def synthetic() -> LabelIndex:
    """Names like the benchmark's generated graph's, and near-namesakes: many labels
    sharing words, prefixes and letters, where a wrong bound would drop one."""
    first = ["Jean", "Jeanne", "Jean-Michel", "Pierre", "Perrine", "Béatrice", "Lou", "Élie"]
    last = ["Vincent", "Vincente", "Jarre", "Jarré", "Bauwens", "Thomas", "Fauroux", "Nebot"]
    pairs = [(given, family) for given in first for family in last]
    entries = [
        Entry(f"https://example.org/p{i}", "person", {"fr": [f"{g} {f}", f"{f} {g} {i % 7}"]})
        for i, (g, f) in enumerate(pairs)
    ]
    entries += [
        Entry(f"https://example.org/o{i}", "organisation", {"fr": [f"Organisation {i}"], "en": [w]})
        for i, w in enumerate(
            ["regulation", "régulation des données", "Mistral AI", "AFNOR", "SACD"]
        )
    ]
    entries += [
        Entry(
            f"https://example.org/s{i}", "session", {"fr": [f"Session {i % 10} du jour {i // 10}"]}
        )
        for i in range(60)
    ]
    return LabelIndex(entries)


QUERIES = [
    "jarr", "Jean-Michel Jarre", "jarre jean michel", "Perrine Vincent", "perine vincnet",
    "béatrice", "beatrice bauwens", "sess", "session 3", "organisation", "régulation données",
    "afnor", "SACD", "mistral", "x", "e", "lou", "jour 4", "Vincent", "1", "nebot elie 3",
    "xyzzy", "   ", "", "-", "Jean Jeanne",
]  # fmt: skip


@pytest.mark.parametrize("floor", [0.35, 0.5, 0.55, 0.8])
@pytest.mark.parametrize("text", QUERIES)
def test_the_candidates_change_no_search(bundled: LabelIndex, text: str, floor: float) -> None:
    """The index scores only the labels that can reach the floor: each search must give
    what scoring every label gives, same entities, scores, matched labels and order."""
    for index in (bundled, synthetic()):
        for kinds in (None, ["person"], ["organisation", "session"]):
            assert found(index, text, kinds, 10_000, floor) == scan(
                index, text, kinds, 10_000, floor
            ), (text, kinds)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    text=st.one_of(WORDS, st.sampled_from(QUERIES)),
    cut=st.integers(0, 6),
    floor=st.sampled_from([0.35, 0.5, 0.55, 0.8]),
)
def test_the_candidates_change_no_search_on_any_text(text: str, cut: int, floor: float) -> None:
    index = synthetic()
    text = text[cut:] if cut % 2 else text[: len(text) - cut]  # prefixes and suffixes too
    assert found(index, text, None, 10_000, floor) == scan(index, text, None, 10_000, floor)


CNC = "https://w3id.org/aigraph/id/organisation/cnc"


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ("Q1054221", "Wikidata Q1054221"),
        ("q1054221", "Wikidata Q1054221"),
        ("  http://www.wikidata.org/entity/Q1054221 ", "Wikidata Q1054221"),
        ("0000000121586061", "ISNI 0000000121586061"),
        ("0000 0001 2158 6061", "ISNI 0000000121586061"),  # as an ISNI is printed
        ("https://isni.org/isni/0000000121586061", "ISNI 0000000121586061"),
        ("005418", "Archives nationales 005418"),
        ("https://cnc.fr/", "https://cnc.fr/"),  # not schema:sameAs: a website is no identity
    ],
)
def test_an_entity_is_found_by_its_identifiers_elsewhere(
    bundled: LabelIndex, text: str, reads: str
) -> None:
    hits = bundled.search(text, limit=3)
    if reads.startswith("https://cnc.fr"):
        assert all(h.score < 1.0 for h in hits)
        return
    assert (hits[0].entry.iri, hits[0].score, hits[0].matched) == (CNC, 1.0, reads)
    assert [h.entry.iri for h in hits].count(CNC) == 1  # once, not again by its labels
    assert bundled.search(text, kinds=["person"]) == []  # the kinds asked for still hold


def test_an_identifier_shared_by_two_entities_names_both() -> None:
    """Served data may give two entities the same item (a duplicate to merge): both are
    named, in IRI order, before any label match."""
    item = "http://www.wikidata.org/entity/Q42"
    index = LabelIndex(
        [
            Entry("https://example.org/b", "person", {"fr": ["Douglas Adams"]}),
            Entry("https://example.org/a", "person", {"fr": ["D. Adams"]}),
            Entry("https://example.org/c", "person", {"fr": ["Q42"]}),
        ],
        [("https://example.org/b", item), ("https://example.org/a", item), ("urn:x", item)],
    )
    hits = index.search("Q42", limit=10)
    assert [(h.entry.iri, h.score) for h in hits[:2]] == [
        ("https://example.org/a", 1.0),
        ("https://example.org/b", 1.0),
    ]
    assert hits[2].entry.iri == "https://example.org/c"  # its label, after the identities
    assert len(index.search("Q42", limit=1)) == 1


ID = "https://w3id.org/aigraph/id/"


@pytest.mark.parametrize(
    ("text", "kind", "iri"),
    [
        # how the release introduces people: a job title, an occupation, found by its words
        ("journaliste", "job-title", ID + "job-title/journaliste"),
        ("directrice du numerique", "job-title", ID + "job-title/directrice-du-numerique"),
        ("scenariste", "occupation", ID + "occupation/scenariste"),
        ("auteur compositeur", "occupation", ID + "occupation/auteur-compositeur"),
        # and in the other language (the editors' translations)
        ("screenwriter", "occupation", ID + "occupation/scenariste"),
    ],
)
def test_titles_and_occupations_are_found(
    bundled: LabelIndex, text: str, kind: str, iri: str
) -> None:
    """ "The journalists of the day" is one search away: a title's or an occupation's page
    lists who held it (its affiliations, its participations)."""
    best = bundled.search(text, limit=1)
    assert [(h.entry.kind, h.entry.iri) for h in best] == [(kind, iri)]


QUERIES = ["co-panelists", "evidence", "moderators", "participants", "person", "sessions", "topics"]


@pytest.mark.parametrize(
    ("typed", "near"),
    [
        ("participant", "participants"),  # a letter missing
        ("Participants", "participants"),  # the case
        ("participants.csv", "participants"),  # a suffix
        ("persons", "person"),
        ("evidences", "evidence"),
        ("nope", None),  # nothing near: nothing said
        ("people", None),  # near "person" in letters, not enough to guess
        ("", None),
    ],
)
def test_a_mistyped_name_is_said_with_the_one_meant(typed: str, near: str | None) -> None:
    assert meant(typed, QUERIES) == near
    assert did_you_mean(near) == (f"; did you mean {near!r}?" if near else "")
