"""Candidate pairs: records close enough in time and place to be the same incident.

Two records are candidates when

* they come from different sources (or from one source that has duplicates of its own);
* they are in the same country;
* their windows overlap: each record's own ``date_start..date_end`` (which already spans
  what the source does not know: a month, a year) widened by its slack in days;
* their places are compatible: the same district, or points no further apart than the
  two radii of doubt added (records known only to the province compare by province,
  records known only to the country match anywhere in it).

Everything else is never compared: all pairs of 400k x 400k records would be 1.6e11.
Pairs are made country by country with a sweep over windows sorted by start, in chunks
so that memory stays bounded however dense a day is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from gawahi.linkage.records import LinkRecords

EARTH_KM = 6371.0088
CHUNK_PAIRS = 4_000_000  # window pairs examined at once (about 100 MB of index arrays)


def candidate_pairs(
    records: LinkRecords,
    duplicates: frozenset[str] = frozenset(),
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays (a, b) with a < b of every candidate pair, sorted."""
    same_ok = np.array([name in duplicates for name in records.source_names], dtype=bool)
    found_a: list[np.ndarray] = []
    found_b: list[np.ndarray] = []
    total, done = len(records), 0
    for group in _country_groups(records):
        for a, b in _window_pairs(records, group):
            keep = _compatible(records, a, b, same_ok)
            found_a.append(a[keep])
            found_b.append(b[keep])
        done += len(group)
        if progress:
            progress(done, total)
    if not found_a:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    a, b = np.concatenate(found_a), np.concatenate(found_b)
    low, high = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((high, low))
    return low[order], high[order]


def _country_groups(records: LinkRecords) -> Iterator[np.ndarray]:
    order = np.argsort(records.country, kind="stable")
    countries = records.country[order]
    bounds = np.flatnonzero(np.diff(countries)) + 1
    yield from np.split(order, bounds)


def _window_pairs(records: LinkRecords, group: np.ndarray) -> Iterator[tuple[np.ndarray, ...]]:
    """Pairs of the group whose widened windows overlap.

    Sorted by window start, record i overlaps exactly the records i+1..k-1 where k is
    the first whose start lies beyond i's end.
    """
    lo = records.start[group].astype(np.int64) - records.slack[group]
    hi = records.end[group].astype(np.int64) + records.slack[group]
    order = np.argsort(lo, kind="stable")
    lo, hi, ids = lo[order], hi[order], group[order]
    stop = np.searchsorted(lo, hi, side="right")
    counts = np.maximum(stop - np.arange(len(ids)) - 1, 0)
    first = 0
    while first < len(ids):
        last = _chunk_end(counts, first)
        yield _expand(ids, counts, first, last)
        first = last


def _chunk_end(counts: np.ndarray, first: int) -> int:
    running = np.cumsum(counts[first:])
    fits = int(np.searchsorted(running, CHUNK_PAIRS, side="right"))
    return first + max(fits, 1)


def _expand(ids: np.ndarray, counts: np.ndarray, first: int, last: int) -> tuple[np.ndarray, ...]:
    rows = np.arange(first, last)
    n = counts[first:last]
    left = np.repeat(rows, n)
    starts = np.repeat(np.cumsum(n) - n, n)
    right = left + 1 + (np.arange(int(n.sum())) - starts)
    return ids[left], ids[right]


def _compatible(
    records: LinkRecords, a: np.ndarray, b: np.ndarray, same_ok: np.ndarray
) -> np.ndarray:
    src_a, src_b = records.source[a], records.source[b]
    keep = (src_a != src_b) | same_ok[src_a]
    return keep & places_compatible(records, a, b)


def places_compatible(records: LinkRecords, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Same district, or points within the two radii, or coarse records by province."""
    d2a, d2b = records.admin2[a], records.admin2[b]
    same_district = (d2a >= 0) & (d2a == d2b)
    reach = records.radius[a] + records.radius[b]
    near = distance_km(records, a, b) <= reach  # inf reach: known to the country only
    d1a, d1b = records.admin1[a], records.admin1[b]
    coarse = (records.radius[a] >= 250) | (records.radius[b] >= 250)
    same_province = coarse & (d1a >= 0) & (d1a == d1b)
    return same_district | near | same_province | np.isinf(reach)


def distance_km(records: LinkRecords, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle distance; nan where either point is unknown."""
    lat1, lat2 = np.radians(records.lat[a]), np.radians(records.lat[b])
    dlat = lat2 - lat1
    dlon = np.radians(records.lon[b] - records.lon[a])
    h = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
