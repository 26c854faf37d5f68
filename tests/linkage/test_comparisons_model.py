"""Comparison levels (linkage/comparisons.py) and the EM model (linkage/model.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from gawahi.linkage.comparisons import (
    COMPARISONS,
    compare_dates,
    compare_deaths,
    compare_kinds,
    compare_perpetrators,
    compare_places,
    compare_words,
    level_labels,
)
from gawahi.linkage.model import estimate, estimate_u
from tests.linkage.conftest import make_records


def _levels(compute: Any, first: dict[str, Any], *others: dict[str, Any]) -> list[int]:
    rows = [{"uid": "a", "source": "x"} | first]
    rows += [{"uid": f"b{i}", "source": "y"} | o for i, o in enumerate(others)]
    records = make_records(rows)
    b = np.arange(1, len(rows))
    return compute(records, np.zeros(len(b), dtype=np.int64), b).tolist()


def test_dates_same_day_overlap_one_day_and_further() -> None:
    d = date(2013, 1, 10)
    month = {"start": date(2013, 1, 1), "end": date(2013, 1, 31)}
    assert _levels(
        compare_dates,
        {"start": d},
        {"start": d},
        month,
        {"start": date(2013, 1, 11)},
        {"start": date(2013, 1, 12)},
    ) == [3, 2, 1, 0]


def test_places_by_distance_district_province_and_unknown() -> None:
    here = {"lat": 30.0, "lon": 67.0, "radius": 5.0, "admin1": "bal", "admin2": "quetta"}
    assert _levels(
        compare_places,
        here,
        {"lat": 30.02, "lon": 67.0, "radius": 5.0},  # 2 km
        {"lat": 30.15, "lon": 67.0, "radius": 25.0},  # 17 km
        {"lat": 31.0, "lon": 67.0, "radius": 60.0, "admin2": "quetta"},
        {"lat": 31.0, "lon": 67.0, "radius": 60.0, "admin1": "bal"},
        {"lat": 33.0, "lon": 71.0, "radius": 5.0, "admin1": "kp"},
        {"lat": None, "lon": None, "radius": float("inf")},
    ) == [3, 2, 2, 1, 0, -1]


def test_deaths_same_close_factor_of_three_disagree_and_unknown() -> None:
    assert _levels(
        compare_deaths,
        {"deaths": (96, 96, 105)},
        {"deaths": (96, 96, 96)},
        {"deaths": (51, 93, 93)},
        {"deaths": (40, 40, 40)},
        {"deaths": (13, 13, 13)},
        {"deaths": (None, None, None)},
    ) == [3, 2, 1, 0, -1]


def test_deaths_ranges_that_overlap_are_close() -> None:
    assert _levels(compare_deaths, {"deaths": (0, 0, 11)}, {"deaths": (11, 13, 13)}) == [2]


def test_kinds_same_compatible_different_and_unknown() -> None:
    assert _levels(
        compare_kinds,
        {"kind": "bombing"},
        {"kind": "bombing"},
        {"kind": "one-sided"},
        {"kind": "air-strike"},
        {},
    ) == [2, 1, 0, -1]


def test_perpetrators_shared_different_and_unknown() -> None:
    assert _levels(
        compare_perpetrators,
        {"perps": {"lej"}},
        {"perps": {"lej", "ttp"}},
        {"perps": {"ttp"}},
        {},
    ) == [1, 0, -1]


def test_text_levels_by_the_weight_of_shared_rare_words() -> None:
    filler = [{"uid": f"f{i}", "source": "z", "text": f"filler{chr(97 + i) * 3}"} for i in range(6)]
    rows = [
        {"uid": "a", "source": "x", "text": "snooker alamdar"},
        {"uid": "b", "source": "y", "text": "snooker alamdar"},
        {"uid": "c", "source": "y", "text": "kirani market"},
        {"uid": "d", "source": "y", "text": ""},
        *filler,
    ]
    records = make_records(rows)
    levels = compare_words(records, np.zeros(3, dtype=np.int64), np.array([1, 2, 3]))
    assert levels.tolist() == [3, 0, -1]


def test_level_labels_name_unknowns() -> None:
    labels = level_labels(np.array([3, -1, 0, 1, -1, 2], dtype=np.int8))
    assert labels == {
        "date": "same day",
        "place": "unknown",
        "deaths": "disagree",
        "kind": "compatible",
        "perpetrator": "unknown",
        "text": "some shared words",
    }


def _planted(rng: np.random.Generator, n: int, match: bool) -> np.ndarray:
    """Levels of n pairs: matches mostly at the top level, non-matches mostly at 0."""
    columns = []
    for c in COMPARISONS:
        top = len(c.levels) - 1
        agree = rng.random(n) < (0.85 if match else 0.1)
        columns.append(np.where(agree, top, rng.integers(0, top, n)))
    return np.column_stack(columns).astype(np.int8)


def test_em_recovers_higher_m_than_u_for_agreeing_levels() -> None:
    rng = np.random.default_rng(20130110)
    levels = np.vstack([_planted(rng, 300, True), _planted(rng, 700, False)])
    kind = np.zeros(len(levels), dtype=np.int64)
    decoys = _planted(rng, 1000, False)
    u = estimate_u(decoys, np.zeros(len(decoys), dtype=np.int64), ["pbc|ucdp"])
    model = estimate(levels, kind, ["pbc|ucdp"], u)
    for k, c in enumerate(COMPARISONS):
        top = len(c.levels) - 1
        assert model.m[k][0, top] > 0.6 > model.u[k][0, top], c.name
        assert model.m[k][0, 0] < model.u[k][0, 0], c.name
    assert 0.2 < model.prior[0] < 0.4
    p = model.probabilities(levels, kind)
    assert ((p > 0) & (p < 1)).all()
    assert p[:300].mean() > 0.9 and p[300:].mean() < 0.1
