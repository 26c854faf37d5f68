"""Comparing the two records of each candidate pair, field by field, into levels.

Each comparison turns a pair into one level (0 = disagree ... highest = agree fully) or
-1 when either record does not know (no toll, no text, no perpetrator): an unknown says
nothing either way, and the model leaves it out rather than counting it against a
match. The labels below are what ``gawahi cluster`` and ``gawahi review`` show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gawahi.linkage.blocking import distance_km
from gawahi.linkage.kinds import event_kinds
from gawahi.linkage.records import LinkRecords

UNKNOWN = -1


@dataclass(frozen=True, slots=True)
class Comparison:
    name: str
    levels: tuple[str, ...]  # label of level 0, 1, ...
    compute: Callable[[LinkRecords, np.ndarray, np.ndarray], np.ndarray]


def compare_dates(r: LinkRecords, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    gap = np.maximum(r.start[a] - r.end[b], r.start[b] - r.end[a]).clip(min=0)
    exact = (r.start[a] == r.end[a]) & (r.start[b] == r.end[b])
    level = np.select([exact & (gap == 0), ~exact & (gap == 0), gap == 1], [3, 2, 1], default=0)
    return level.astype(np.int8)


def compare_places(r: LinkRecords, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    distance = distance_km(r, a, b)
    precise = (r.radius[a] <= 25) & (r.radius[b] <= 25)
    same_district = (r.admin2[a] >= 0) & (r.admin2[a] == r.admin2[b])
    same_province = (r.admin1[a] >= 0) & (r.admin1[a] == r.admin1[b])
    coarse = (r.radius[a] >= 250) | (r.radius[b] >= 250)
    # Known to the province only, "same province" is all a record can say: as much as
    # an unknown, not the weak agreement it is for two points far apart.
    unknown = (np.isinf(r.radius[a] + r.radius[b]) & ~same_province) | (
        coarse & same_province & ~same_district
    )
    level = np.select(
        [
            unknown,
            precise & (distance <= 5),
            (precise & (distance <= 25)) | same_district,
            same_province | (distance <= r.radius[a] + r.radius[b]),
        ],
        [UNKNOWN, 3, 2, 1],
        default=0,
    )
    return level.astype(np.int8)


def compare_deaths(r: LinkRecords, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    best_a, best_b = _best(r, a), _best(r, b)
    overlap = (r.deaths_low[a] <= r.deaths_high[b]) & (r.deaths_low[b] <= r.deaths_high[a])
    gap = np.abs(best_a - best_b)
    larger = np.maximum(best_a, best_b)
    level = np.select(
        [
            np.isnan(best_a) | np.isnan(best_b),
            gap == 0,
            overlap | (gap <= np.maximum(2, 0.25 * larger)),
            larger <= 3 * np.minimum(best_a, best_b) + 3,
        ],
        [UNKNOWN, 3, 2, 1],
        default=0,
    )
    return level.astype(np.int8)


def _best(r: LinkRecords, rows: np.ndarray) -> np.ndarray:
    best = r.deaths_best[rows]
    middle = (r.deaths_low[rows] + r.deaths_high[rows]) / 2
    return np.where(np.isnan(best), middle, best)


def compare_kinds(r: LinkRecords, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    kinds = event_kinds()
    names = r.kind_names
    table = np.array(
        [[kinds.agreement(x, y) for y in names] for x in names], dtype=np.int8
    ).reshape(len(names), len(names))
    ka, kb = r.kind[a], r.kind[b]
    known = (ka >= 0) & (kb >= 0)
    level = np.full(len(a), UNKNOWN, dtype=np.int8)
    level[known] = table[ka[known], kb[known]]
    return level


def compare_perpetrators(r: LinkRecords, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    pa, pb = r.perpetrators[a], r.perpetrators[b]
    known = pa.any(axis=1) & pb.any(axis=1)
    shared = (pa & pb).any(axis=1)
    return np.where(known, shared.astype(np.int8), UNKNOWN).astype(np.int8)


def compare_words(r: LinkRecords, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The weight of the shared words over the weight of the lighter text's words: rare
    words (a village, a target's name) count for much more than common ones."""
    words = r.words
    level = np.empty(len(a), dtype=np.int8)
    for i, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        wx, wy = words[x], words[y]
        lighter = min(sum(wx.values()), sum(wy.values()))
        if lighter == 0:
            level[i] = UNKNOWN
            continue
        share = sum(wx[w] for w in wx.keys() & wy.keys()) / lighter
        level[i] = 3 if share >= 0.5 else 2 if share >= 0.25 else 1 if share > 0 else 0
    return level


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "date", ("2+ days apart", "1 day apart", "windows overlap", "same day"), compare_dates
    ),
    Comparison(
        "place",
        (
            "far apart",
            "same province or within the radii",
            "same district or within 25 km",
            "within 5 km",
        ),
        compare_places,
    ),
    Comparison(
        "deaths",
        ("disagree", "within a factor of 3", "close or ranges overlap", "same"),
        compare_deaths,
    ),
    Comparison("kind", ("different", "compatible", "same"), compare_kinds),
    Comparison("perpetrator", ("different", "shared"), compare_perpetrators),
    Comparison(
        "text",
        ("no shared words", "few shared words", "some shared words", "most words shared"),
        compare_words,
    ),
)


def compare(records: LinkRecords, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The level matrix: one row per pair, one column per comparison."""
    out = np.empty((len(a), len(COMPARISONS)), dtype=np.int8)
    for column, comparison in enumerate(COMPARISONS):
        out[:, column] = comparison.compute(records, a, b)
    return out


def level_labels(levels: np.ndarray) -> dict[str, str]:
    """One pair's levels as {comparison: label}, unknowns named as such."""
    return {
        c.name: ("unknown" if level < 0 else c.levels[level])
        for c, level in zip(COMPARISONS, levels.tolist(), strict=True)
    }
