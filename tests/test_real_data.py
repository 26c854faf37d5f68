"""The real development data of ../shared/data: exact counts, idempotence, all-or-nothing.

Skipped, with the reason, when ../shared/data is absent. Nothing here is copied into
the repository; the corrupted copy lives in the test's temporary folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from gawahi.errors import ImportRejected
from gawahi.sources.importer import import_file
from gawahi.store.queries import IncidentFilter, find_incidents, get_incident
from tests.conftest import count, shared_file

UCDP = ("ucdp_ged_pakistan", "conflict_data_pak.csv")
SUICIDE = ("pakistan_suicide_attacks", "pakistan_suicide_attacks_v11.csv")
DRONE = ("pakistan_drone_attacks", "PakistanDroneAttacks.csv")


def test_ucdp_pakistan_imports_every_event(engine: sa.Engine) -> None:
    report = import_file(engine, shared_file(*UCDP))
    assert (report.new, report.rejected, report.warnings) == (6416, 0, [])
    assert report.skipped == [(2, "HXL hashtag row (HDX), not an event")]
    assert count(engine, "incidents", "WHERE source = 'ucdp-ged'") == 6416
    # Facts stated in the data's SOURCE.md, recomputed from the store.
    per_year = {year: 0 for year in range(2008, 2015)}
    deaths = dict(per_year)
    for row in find_incidents(engine, IncidentFilter(date_from=None)):
        year = row["date_start"].year
        if year in per_year:
            per_year[year] += 1
            deaths[year] += row["deaths_best"]
    assert per_year == {2008: 664, 2009: 883, 2010: 962, 2011: 595, 2012: 644, 2013: 337, 2014: 413}
    assert deaths == {
        2008: 4620,
        2009: 7460,
        2010: 7226,
        2011: 3475,
        2012: 3541,
        2013: 2914,
        2014: 3620,
    }
    lej = list(find_incidents(engine, IncidentFilter(actor="LeJ")))
    assert len(lej) == 66


def test_importing_again_changes_nothing(sqlite_engine: sa.Engine, tmp_path: Path) -> None:
    path = shared_file(*UCDP)
    import_file(sqlite_engine, path)
    again = import_file(sqlite_engine, path)
    assert again.already_imported
    # The same content under another name (so the checksum short cut does not apply).
    copy = tmp_path / "copy.csv"
    copy.write_bytes(path.read_bytes() + b"\n")
    report = import_file(sqlite_engine, copy)
    assert (report.new, report.updated, report.unchanged) == (0, 0, 6416)
    assert count(sqlite_engine, "incident_changes") == 0


def test_pakistan_body_count_files(engine: sa.Engine) -> None:
    suicide = import_file(engine, shared_file(*SUICIDE))
    assert (suicide.new, suicide.rejected, suicide.skipped) == (496, 0, [])
    # Each checked by hand against the file: two reversed min/max pairs, a URL and two
    # "N+" values in Injured Max, and "Saturday-Mar 07-2016" (7 March 2016 was a Monday).
    assert [(w.line, w.field) for w in suicide.warnings] == [
        (168, "killed min"),
        (418, "killed min"),
        (540, "injured max"),
        (548, "injured max"),
        (554, "date"),
        (576, "injured max"),
    ]
    drone = import_file(engine, shared_file(*DRONE))
    assert (drone.new, drone.rejected) == (404, 0)
    # A reversed civilians pair, and negative civilian tolls (-6, -5, -4, -4/-1).
    assert [(w.line, w.field) for w in drone.warnings] == [
        (174, "civilians min"),
        (369, "civilians max"),
        (370, "civilians max"),
        (371, "civilians max"),
        (376, "civilians min"),
        (376, "civilians max"),
    ]
    assert [reason for _, reason in drone.skipped] == [
        "totals row (no S# and no date: the column sums), not a strike"
    ]
    first = get_incident(engine, "pbc-suicide:1")
    assert (str(first["date_start"]), first["place"], first["deaths_best"]) == (
        "1995-11-19",
        "Islamabad",
        15,
    )


def test_one_bad_row_imports_nothing_and_names_its_line(
    sqlite_engine: sa.Engine, tmp_path: Path
) -> None:
    import_file(sqlite_engine, shared_file(*SUICIDE))
    text = shared_file(*UCDP).read_text(encoding="utf-8")
    lines = text.split("\n")
    target = next(i for i, line in enumerate(lines) if line.startswith("59553,"))
    lines[target] = lines[target].replace(
        ",1990-10-04 00:00:00.000,", ",1990-13-04 00:00:00.000,", 1
    )
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        import_file(sqlite_engine, broken)
    assert caught.value.rejected_rows == 1
    problem = caught.value.problems[0]
    assert (problem.line, problem.field, problem.value) == (
        target + 1,
        "date_start",
        "1990-10-04 00:00:00.000".replace("10-04", "13-04"),
    )
    assert count(sqlite_engine, "incidents") == 496  # what was there before, untouched
    assert count(sqlite_engine, "datasets") == 1
