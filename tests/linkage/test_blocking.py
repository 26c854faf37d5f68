"""Candidate pairs (linkage/blocking.py) on records built by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

from gawahi.linkage.blocking import candidate_pairs
from tests.linkage.conftest import make_records

D = date(2013, 1, 10)


def _pairs(rows: list[dict[str, Any]], duplicates: frozenset[str] = frozenset()) -> set:
    records = make_records(rows)
    a, b = candidate_pairs(records, duplicates)
    return {(records.uids[i], records.uids[j]) for i, j in zip(a, b, strict=True)}


def test_records_of_one_source_pair_only_when_it_has_duplicates() -> None:
    rows = [{"uid": "ucdp:1", "source": "ucdp"}, {"uid": "ucdp:2", "source": "ucdp"}]
    assert _pairs(rows) == set()
    assert _pairs(rows, frozenset({"ucdp"})) == {("ucdp:1", "ucdp:2")}


def test_pairs_are_sorted_with_a_below_b() -> None:
    rows = [
        {"uid": "c", "source": "x"},
        {"uid": "b", "source": "y"},
        {"uid": "a", "source": "z"},
    ]
    records = make_records(rows)
    a, b = candidate_pairs(records)
    assert (a.tolist(), b.tolist()) == ([0, 0, 1], [1, 2, 2])


def test_day_windows_pair_within_the_slack_and_not_beyond() -> None:
    rows = [
        {"uid": "a", "source": "x", "start": D},
        {"uid": "b", "source": "y", "start": date(2013, 1, 12)},  # 1 + 1 days of slack
        {"uid": "c", "source": "y", "start": date(2013, 1, 13)},
    ]
    assert _pairs(rows) == {("a", "b")}


def test_a_month_precise_record_pairs_with_a_day_inside_its_month() -> None:
    month = {
        "uid": "register:QR-04",
        "source": "register",
        "start": date(2012, 6, 1),
        "end": date(2012, 6, 30),
        "slack": 3,
    }
    inside = {"uid": "pbc:353", "source": "pbc", "start": date(2012, 6, 28)}
    after = {"uid": "pbc:999", "source": "pbc", "start": date(2012, 7, 6)}
    assert _pairs([month, inside, after]) == {("register:QR-04", "pbc:353")}


def test_records_in_the_same_district_pair_however_far_their_points() -> None:
    a = {"uid": "a", "source": "x", "admin2": "quetta", "lat": 30.18, "lon": 67.0}
    b = {"uid": "b", "source": "y", "admin2": "quetta", "lat": 31.5, "lon": 68.5}
    c = {"uid": "c", "source": "z", "admin2": "pishin", "lat": 31.5, "lon": 68.5}
    assert _pairs([a, b, c]) == {("a", "b"), ("b", "c")}


def test_points_pair_within_the_two_radii() -> None:
    # 0.1 degree of latitude is about 11.1 km.
    a = {"uid": "a", "source": "x", "lat": 30.0, "radius": 5.0}
    near = {"uid": "b", "source": "y", "lat": 30.1, "radius": 25.0}
    far = {"uid": "c", "source": "y", "lat": 30.4, "radius": 25.0}
    assert _pairs([a, near, far]) == {("a", "b")}


def test_province_only_records_pair_by_province() -> None:
    coarse = {"uid": "a", "source": "x", "admin1": "bal", "lat": 28.0, "radius": 250.0}
    same = {"uid": "b", "source": "y", "admin1": "bal", "lat": 31.0, "radius": 5.0}
    other = {"uid": "c", "source": "y", "admin1": "kp", "lat": 31.0, "radius": 5.0}
    assert _pairs([coarse, same, other]) == {("a", "b")}


def test_a_record_known_only_to_the_country_pairs_anywhere_in_it() -> None:
    country = {"uid": "a", "source": "x", "lat": None, "lon": None, "radius": float("inf")}
    far = {"uid": "b", "source": "y", "lat": 35.0, "lon": 74.0, "admin1": "gb"}
    assert _pairs([country, far]) == {("a", "b")}


def test_records_of_different_countries_never_pair() -> None:
    a = {"uid": "a", "source": "x", "country": "PAK", "radius": float("inf"), "lat": None}
    b = {"uid": "b", "source": "y", "country": "AFG", "radius": float("inf"), "lat": None}
    assert _pairs([a, b]) == set()
