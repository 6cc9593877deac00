"""Name matching (aigraph.search): the scores the search page, type-ahead, reconciliation
and `aigraph link` rank by, and the shortcut that lets a search skip labels that cannot
reach its floor."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aigraph.search import Folded, fold, similarity


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
