"""The frame's own helpers (risk/frame.py), on frames built from hand-written rows."""

from __future__ import annotations

from datetime import date

import numpy as np

from gawahi.risk.frame import _frame, factorize

# (cluster id or uid, date, admin1, admin2, lat, lon, best, low, high, sources, precision)
LINKED = [
    (12, "2014-03-02", "PAK.a", "PAK.a.b", 30.2, 67.0, 5, 4, 6, "gtd ucdp-ged", "exact"),
    (3, "2013-01-09", "PAK.a", None, None, None, 1, 1, 1, "pbc-suicide", "admin1"),
]
UNLINKED = [("acled:7", "2014-03-02", "PAK.c", None, 24.9, 67.1, 0, 0, 0, "acled", "near")]


def test_factorize_codes_values_in_order_of_first_appearance() -> None:
    values = np.array(["b", None, "a", "b", None, date(2014, 1, 1)], dtype=object)
    codes, distinct = factorize(values)
    assert codes.tolist() == [0, 1, 2, 0, 1, 3]
    assert distinct.tolist() == ["b", None, "a", date(2014, 1, 1)]
    assert distinct.dtype == object and codes.dtype == np.int64
    empty_codes, empty = factorize(np.array([], dtype=object))
    assert (empty_codes.tolist(), empty.tolist()) == ([], [])


def test_rows_in_date_order_and_found_by_their_keys() -> None:
    frame = _frame(LINKED, UNLINKED)
    assert frame.ids(np.ones(len(frame), dtype=bool)) == ["c3", "c12", "racled:7"]
    assert frame.rows(["racled:7", "c12", "c99", "rnone:1", "c12"]).tolist() == [1, 2]
    mask = frame.mask_of(np.array([3, 99]), {"acled:7"})
    assert mask.tolist() == [True, False, True]
    assert frame.unit_names[frame.unit_codes[1][0]] is None  # c3 has no district
    assert frame.precision.tolist() == [9, 0, 1]  # c3 has no point: no precision at all
