"""Constrained clustering (linkage/clustering.py)."""

from __future__ import annotations

import numpy as np

from gawahi.linkage.clustering import (
    CONFLICT,
    IMPLAUSIBLE,
    LINKED,
    REFUSED,
    PairScores,
    cluster,
)


def _scores(pairs: dict[tuple[int, int], float], n: int) -> PairScores:
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    return PairScores.of(a, b, np.array(list(pairs.values())), n)


def _groups(result) -> list[list[int]]:
    return sorted(sorted(int(i) for i in part) for part in result.components())


def test_one_record_per_source_a_second_one_is_a_conflict() -> None:
    sources = ["pbc", "ucdp", "ucdp"]
    scores = _scores({(0, 1): 0.99, (0, 2): 0.9}, 3)
    result = cluster(sources, np.full(3, -1), [(0, 1, False), (0, 2, False)], {}, scores, 0.05)
    assert result.outcome == [LINKED, CONFLICT]
    assert _groups(result) == [[0, 1], [2]]


def test_parts_of_one_attack_marked_by_the_source_share_a_cluster() -> None:
    sources = ["gtd", "gtd", "ucdp"]
    parts = np.array([0, 0, -1])
    scores = _scores({(0, 2): 0.9, (1, 2): 0.9, (0, 1): 0.9}, 3)
    result = cluster(sources, parts, [(0, 2, False), (1, 2, False)], {}, scores, 0.05)
    assert result.outcome == [LINKED, LINKED]
    assert _groups(result) == [[0, 1, 2]]


def test_parts_with_different_codes_do_not_share_a_cluster() -> None:
    sources = ["gtd", "gtd", "ucdp"]
    parts = np.array([0, 1, -1])
    scores = _scores({(0, 2): 0.9, (1, 2): 0.9}, 3)
    result = cluster(sources, parts, [(0, 2, False), (1, 2, False)], {}, scores, 0.05)
    assert result.outcome == [LINKED, CONFLICT]


def test_a_rejected_pair_is_refused_even_through_a_third_record() -> None:
    sources = ["pbc", "ucdp", "gtd"]
    scores = _scores({(0, 1): 0.99, (1, 2): 0.98, (0, 2): 0.97}, 3)
    cannot = {0: {2}, 2: {0}}
    edges = [(0, 1, False), (1, 2, False)]
    result = cluster(sources, np.full(3, -1), edges, cannot, scores, 0.05)
    assert result.outcome == [LINKED, REFUSED]
    assert _groups(result) == [[0, 1], [2]]


def test_a_rejection_holds_against_a_confirmation_too() -> None:
    sources = ["pbc", "ucdp"]
    scores = _scores({(0, 1): 0.99}, 2)
    result = cluster(sources, np.full(2, -1), [(0, 1, True)], {0: {1}, 1: {0}}, scores, 0.05)
    assert result.outcome == [REFUSED]


def test_a_confirmed_edge_passes_the_source_rule_and_the_floor() -> None:
    sources = ["pbc", "ucdp", "ucdp"]
    scores = _scores({(0, 1): 0.99}, 3)  # (0, 2) is no candidate at all
    edges = [(0, 1, False), (0, 2, True)]
    result = cluster(sources, np.full(3, -1), edges, {}, scores, 0.05)
    assert result.outcome == [LINKED, LINKED]
    assert _groups(result) == [[0, 1, 2]]


def test_the_floor_refuses_a_chain_whose_cross_pair_is_weak() -> None:
    sources = ["gtd", "ucdp", "pbc-drone"]
    scores = _scores({(0, 1): 0.99, (1, 2): 0.98, (0, 2): 0.01}, 3)
    result = cluster(sources, np.full(3, -1), [(0, 1, False), (1, 2, False)], {}, scores, 0.05)
    assert result.outcome == [LINKED, IMPLAUSIBLE]
    assert _groups(result) == [[0, 1], [2]]


def test_the_floor_refuses_a_chain_whose_cross_pair_is_no_candidate() -> None:
    sources = ["gtd", "ucdp", "pbc-drone"]
    scores = _scores({(0, 1): 0.99, (1, 2): 0.98}, 3)
    result = cluster(sources, np.full(3, -1), [(0, 1, False), (1, 2, False)], {}, scores, 0.05)
    assert result.outcome == [LINKED, IMPLAUSIBLE]


def test_a_chain_above_the_floor_is_joined() -> None:
    sources = ["gtd", "ucdp", "pbc-drone"]
    scores = _scores({(0, 1): 0.99, (1, 2): 0.98, (0, 2): 0.06}, 3)
    result = cluster(sources, np.full(3, -1), [(0, 1, False), (1, 2, False)], {}, scores, 0.05)
    assert result.outcome == [LINKED, LINKED]
    assert _groups(result) == [[0, 1, 2]]


def test_pair_scores_look_up_either_order_and_zero_for_non_candidates() -> None:
    scores = _scores({(3, 1): 0.7, (0, 2): 0.2}, 4)
    assert (scores.get(1, 3), scores.get(3, 1), scores.get(2, 0), scores.get(0, 1)) == (
        0.7,
        0.7,
        0.2,
        0.0,
    )
