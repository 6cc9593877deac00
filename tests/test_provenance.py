"""Every fact can be traced to the exact words of the release."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF

from aigraph.checks import claim_graphs, find_quote, selections
from aigraph.namespaces import AIG, PROV, graph_iri
from aigraph.source import SourceText


def spans(dataset: Dataset) -> list:
    return list(selections(dataset))


def test_there_are_62_passages(dataset: Dataset) -> None:
    assert len(spans(dataset)) == 62


def test_every_selector_matches_the_text(dataset: Dataset, source_text: SourceText) -> None:
    """text[start:end] == exact, in code points, for every passage."""
    for sel in spans(dataset):
        assert sel.start is not None and sel.end is not None, sel.span
        assert source_text.text[sel.start : sel.end] == sel.exact, sel.span


def test_every_quote_identifies_one_place(dataset: Dataset, source_text: SourceText) -> None:
    for sel in spans(dataset):
        assert find_quote(source_text.text, sel.exact, sel.prefix, sel.suffix) == [sel.start]


def test_identical_words_are_told_apart_by_their_suffix(dataset: Dataset) -> None:
    """Sessions 1 and 9 open their lists with the same words (release, §1 and §9)."""
    by_span = {str(s.span).rsplit("/", 1)[-1]: s for s in spans(dataset)}
    first, ninth = by_span["s01-kind"], by_span["s09-kind"]
    assert first.exact == ninth.exact
    assert (first.start, ninth.start) == (625, 5476)


def test_every_claim_rests_on_passages(dataset: Dataset) -> None:
    prov = dataset.graph(graph_iri("provenance"))
    located = {s.span for s in spans(dataset)}
    claims = claim_graphs(dataset)
    assert len(claims) == 66
    for claim in claims:
        assert (claim, RDF.type, AIG.Claim) in prov
        derived = set(prov.objects(claim, PROV.wasDerivedFrom))
        assert derived and derived <= located, claim


def test_what_a_claim_says_of_a_person_rests_on_one_sentence(
    dataset: Dataset, source_text: SourceText
) -> None:
    """A page shows each fact with every passage of its claim, so a claim about a person
    (their participation, title, organisation) rests on words of one sentence: the clause
    that names them and, for a panelist, the words of that sentence that give their role.
    A description quoting two sentences is a claim of its own (claim:s06-description):
    in claim:s06, Perrine Vincent's title was shown with "Ce nouvel appel vise à…"; in
    claim:s04, Idzard Van der Puyl's part with the sentence after the one that names him."""
    import re

    prov = dataset.graph(graph_iri("provenance"))
    located = {s.span: s for s in spans(dataset)}
    person = "https://w3id.org/aigraph/id/person/"
    for claim in claim_graphs(dataset):
        graph = dataset.graph(claim)
        if not any(str(t).startswith(person) for triple in graph for t in triple):
            continue
        bounds = [located[s] for s in prov.objects(claim, PROV.wasDerivedFrom)]
        start = min(b.start for b in bounds if b.start is not None)
        end = max(b.end for b in bounds if b.end is not None)
        words = source_text.text[start:end]
        assert not re.search(r"[.?!]\s|\n", words.rstrip()), (claim, words)


def test_every_fact_is_in_a_claim_or_a_declared_graph(dataset: Dataset) -> None:
    """No triple floats free: each is in a claim, or in a fixed graph whose provenance is
    stated (ontology, vocabularies, editorial, derived, provenance)."""
    from aigraph.dataset import fixed_graphs

    allowed = set(claim_graphs(dataset)) | fixed_graphs()
    for _s, _p, _o, g in dataset.quads((None, None, None, None)):
        assert g in allowed, g


@pytest.mark.parametrize(
    "entity,quote",
    [
        ("person/jean-michel-jarre", "Jean-Michel Jarre, auteur-compositeur"),
        ("person/idzard-van-der-puyl", "Idzard Van der Puyl conclut la matinée"),
        ("organisation/sacd", "Héloïse Capiocca, scénariste et administratrice de la SACD"),
        ("programme/observatoire-impacts-ia-emploi", "ont lancé en mai 2025 l'Observatoire"),
    ],
)
def test_the_evidence_of_an_entity_contains_its_sentence(
    dataset: Dataset, entity: str, quote: str
) -> None:
    iri = URIRef("https://w3id.org/aigraph/id/" + entity)
    prov = dataset.graph(graph_iri("provenance"))
    exact = {s.span: s.exact for s in spans(dataset)}
    quotes = set()
    for claim in claim_graphs(dataset):
        if (iri, None, None) in dataset.graph(claim):
            quotes |= {exact[span] for span in prov.objects(claim, PROV.wasDerivedFrom)}
    assert any(quote in q for q in quotes), quotes


def test_descriptions_are_the_release_words(dataset: Dataset, source_text: SourceText) -> None:
    from aigraph.namespaces import SCHEMA

    for name in claim_graphs(dataset):
        for _s, text in dataset.graph(name).subject_objects(SCHEMA.description):
            assert isinstance(text, Literal) and str(text) in source_text.text
