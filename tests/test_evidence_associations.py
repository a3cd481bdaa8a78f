"""Associations: a large clique of undated Wikidata-only links is one multilateral link."""

from __future__ import annotations

import itertools

from twinkg.world.associations import cliques


def test_a_clique_of_ten_is_found_and_a_smaller_one_is_not() -> None:
    ten = [f"Q{i}" for i in range(1, 11)]
    seven = [f"Q{i}" for i in range(100, 107)]
    pairs = [*itertools.combinations(ten, 2), *itertools.combinations(seven, 2), ("Q1", "Q100"), ("Q5", "Q200")]
    assert cliques(pairs) == [tuple(sorted(ten))]


def test_a_clique_missing_one_pair_is_no_association() -> None:
    ten = [f"Q{i}" for i in range(1, 11)]
    pairs = [p for p in itertools.combinations(ten, 2) if p != ("Q1", "Q2")]
    assert cliques(pairs) == []
