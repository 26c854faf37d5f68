"""The reconciliation rule (linkage/ledger.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from gawahi.linkage.ledger import Member, reconcile, source_figures

D = date(2013, 1, 10)


def _member(uid: str, **kw: Any) -> Member:
    values: dict[str, Any] = {
        "uid": uid,
        "source": uid.split(":")[0],
        "date_start": D,
        "date_end": D,
        "date_precision": "day",
        "location_precision": "admin2",
        "latitude": 30.18,
        "longitude": 67.0,
        "country_iso3": "PAK",
        "admin1_id": "PAK.balochistan",
        "admin2_id": "PAK.quetta",
        "deaths_best": None,
        "deaths_low": None,
        "deaths_high": None,
    }
    return Member(**(values | kw))


def test_best_is_the_lower_middle_of_an_even_number_of_sources() -> None:
    members = [
        _member("a:1", deaths_best=10),
        _member("b:1", deaths_best=30),
        _member("c:1", deaths_best=20),
        _member("d:1", deaths_best=40),
    ]
    assert reconcile(members).deaths_best == 20


def test_best_is_the_median_of_an_odd_number_and_the_range_spans_all_sources() -> None:
    members = [
        _member("pbc-suicide:369", deaths_best=93, deaths_low=51, deaths_high=93),
        _member("ucdp-ged:63107", deaths_best=96, deaths_low=96, deaths_high=105),
        _member("quetta-register:QR-05", deaths_best=96),
    ]
    got = reconcile(members)
    assert (got.deaths_best, got.deaths_low, got.deaths_high) == (96, 51, 105)


def test_sources_without_a_figure_are_left_out() -> None:
    got = reconcile([_member("a:1", deaths_best=5), _member("b:1")])
    assert (got.deaths_best, got.deaths_low, got.deaths_high) == (5, 5, 5)
    assert reconcile([_member("a:1"), _member("b:1")]).deaths_best is None


def test_parts_of_one_source_are_summed() -> None:
    members = [
        _member("gtd:1", deaths_best=3, deaths_low=2, deaths_high=4),
        _member("gtd:2", deaths_best=5, date_start=date(2013, 1, 11), date_end=date(2013, 1, 11)),
        _member("ucdp:1", deaths_best=9),
    ]
    figures = {f.source: f for f in source_figures(members)}
    gtd = figures["gtd"]
    assert (gtd.uids, gtd.best, gtd.low, gtd.high) == (("gtd:1", "gtd:2"), 8, 7, 9)
    assert (gtd.date_start, gtd.date_end) == (D, date(2013, 1, 11))
    got = reconcile(members)
    assert (got.deaths_best, got.deaths_low, got.deaths_high) == (8, 7, 9)


def test_date_is_the_most_common_day_precise_start() -> None:
    other = date(2013, 1, 11)
    members = [
        _member("a:1", date_start=other, date_end=other),
        _member("b:1"),
        _member("c:1", date_start=other, date_end=other),
        _member(
            "d:1", date_start=date(2013, 1, 1), date_end=date(2013, 1, 31), date_precision="month"
        ),
    ]
    got = reconcile(members)
    assert (got.date_start, got.date_end) == (other, other)


def test_date_tie_takes_the_earliest_day() -> None:
    members = [
        _member("a:1", date_start=date(2013, 1, 11), date_end=date(2013, 1, 11)),
        _member("b:1"),
    ]
    assert reconcile(members).date_start == D


def test_without_a_day_precise_source_the_date_is_the_widest_span() -> None:
    members = [
        _member(
            "a:1", date_start=date(2012, 6, 1), date_end=date(2012, 6, 30), date_precision="month"
        ),
        _member(
            "b:1", date_start=date(2012, 1, 1), date_end=date(2012, 12, 31), date_precision="year"
        ),
    ]
    got = reconcile(members)
    assert (got.date_start, got.date_end) == (date(2012, 1, 1), date(2012, 12, 31))


def test_place_is_that_of_the_most_precise_record() -> None:
    members = [
        _member("a:1", location_precision="admin1", latitude=29.0, admin2_id=None),
        _member("b:1", location_precision="exact", latitude=30.2095, admin2_id="PAK.quetta"),
        _member("c:1", location_precision="near", latitude=30.3),
    ]
    got = reconcile(members)
    assert (got.latitude, got.admin2_id) == (30.2095, "PAK.quetta")
