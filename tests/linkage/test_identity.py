"""Stable cluster ids (linkage/identity.py)."""

from __future__ import annotations

from gawahi.linkage.identity import assign_ids


def test_a_cluster_that_keeps_most_members_keeps_its_id() -> None:
    previous = {"a": 7, "b": 7, "c": 7}
    result = assign_ids([["a", "b", "d"], ["c"]], previous, next_id=8)
    assert result.ids == [7, 8]
    assert result.new == {8}
    assert result.retired == {}


def test_a_merge_keeps_the_larger_id_and_retires_the_other_into_it() -> None:
    previous = {"a": 3, "b": 3, "c": 3, "x": 5, "y": 5}
    result = assign_ids([["a", "b", "c", "x", "y"]], previous, next_id=6)
    assert result.ids == [3]
    assert result.new == set()
    assert result.retired == {5: 3}


def test_a_split_gives_the_larger_part_the_old_id_and_the_other_a_new_one() -> None:
    previous = {"a": 4, "b": 4, "c": 4}
    result = assign_ids([["c"], ["a", "b"]], previous, next_id=10)
    assert result.ids == [10, 4]
    assert result.new == {10}
    assert result.retired == {}


def test_new_ids_start_at_next_id_and_count_up() -> None:
    result = assign_ids([["a"], ["b"], ["c"]], {}, next_id=42)
    assert result.ids == [42, 43, 44]
    assert result.new == {42, 43, 44}


def test_on_a_tie_the_older_id_wins() -> None:
    previous = {"a": 9, "b": 2}
    result = assign_ids([["a", "b"]], previous, next_id=10)
    assert result.ids == [2]
    assert result.retired == {9: 2}
