"""Pakistan Body Count: cp1252, free-text dates, min/max tolls, totals rows."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from gawahi.errors import ImportRejected
from gawahi.sources.importer import import_file
from gawahi.store.queries import get_incident
from tests.conftest import DATA, count


def test_suicide_attacks_read_free_dates_and_ranges(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "pbc_suicide_cp1252_free_dates.csv")
    assert (report.format, report.encoding, report.new) == ("pbc-suicide", "windows-1252", 3)
    first = get_incident(engine, "pbc-suicide:1")
    assert (first["date_start"], first["date_text"]) == (
        date(1995, 11, 19),
        "Sunday-November 19-1995",
    )
    assert (first["deaths_low"], first["deaths_best"], first["deaths_high"]) == (14, 15, 15)
    assert first["description"] == first["location_text"] == "Fixture site’s gate"
    assert first["raw"]["Targeted Sect if any"] == "Shiite"
    assert first["country_iso3"] == "PAK"


def test_odd_values_are_kept_with_warnings(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "pbc_suicide_cp1252_free_dates.csv")
    warned = [(w.line, w.field, w.reason) for w in report.warnings]
    assert warned == [
        (3, "injured max", "read as 40 (a lower bound)"),
        (4, "killed min", "greater than killed max 10; the two were swapped"),
    ]
    misspelt = get_incident(engine, "pbc-suicide:2")
    assert (misspelt["date_start"], misspelt["deaths_low"], misspelt["injured"]) == (
        date(2015, 8, 27),
        4,
        40,
    )
    swapped = get_incident(engine, "pbc-suicide:3")
    assert (swapped["deaths_low"], swapped["deaths_high"]) == (10, 11)
    assert count(engine, "import_problems", "WHERE kind = 'warning'") == 2


def test_a_bad_date_or_toll_rejects_the_file(engine: sa.Engine) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_file(engine, DATA / "pbc_suicide_bad_date_and_toll.csv")
    assert [(p.line, p.field) for p in caught.value.problems] == [(3, "date"), (3, "killed max")]
    assert count(engine, "incidents") == 0


def test_drone_strikes_skip_the_totals_row_and_cite_references(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "pbc_drone_totals_row.csv")
    assert (report.format, report.new) == ("pbc-drone", 2)
    assert report.skipped == [(4, "totals row (no S# and no date: the column sums), not a strike")]
    strike = get_incident(engine, "pbc-drone:1")
    assert [c["url"] for c in strike["citations"]] == [
        "http://example.org/fixture-1",
        "https://example.org/fixture-2",
    ]
    assert (strike["location_precision"], strike["source_location_precision"]) == (
        "admin2",
        "agency",
    )
    assert (strike["admin2"], strike["place"], strike["deaths_civilians"]) == (
        "Fixture Agency",
        "Near Testville",
        4,
    )
    # Civilians min 3, max -6: the impossible max is dropped (with a warning), 3 stands.
    negative = get_incident(engine, "pbc-drone:2")
    assert negative["deaths_civilians"] == 3
    assert [(w.line, w.value, w.reason) for w in report.warnings] == [
        (3, "-6", "below 0; taken as unknown")
    ]
