"""ACLED exports: current and old layouts, delimiters, precision codes, revisions and bad rows."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from gawahi.errors import ImportRejected
from gawahi.incidents.record import ActorRole
from gawahi.sources.acled import AcledCsv, numeric_to_alpha3, parse_acled_date
from gawahi.sources.importer import ImportOptions, import_file
from gawahi.sources.rows import Row
from gawahi.store.queries import get_incident
from tests.conftest import DATA, count


def test_current_export_is_detected_and_normalised(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "acled_current_export.csv")
    assert (report.format, report.new, report.rejected, report.warnings) == ("acled", 4, 0, [])
    attack = get_incident(engine, "acled:PAK900001")
    assert (attack["date_start"], attack["date_end"], attack["date_precision"]) == (
        date(2023, 1, 15),
        date(2023, 1, 15),
        "day",
    )
    assert (attack["country"], attack["country_iso3"]) == ("Pakistan", "PAK")
    assert (attack["admin1"], attack["admin2"], attack["admin3"], attack["place"]) == (
        "Testshire",
        "Test District",
        "Test Tehsil",
        "Testville",
    )
    assert (attack["latitude"], attack["longitude"]) == (pytest.approx(30.1), pytest.approx(67.0))
    assert (attack["location_precision"], attack["source_location_precision"]) == ("exact", "1")
    assert attack["violence_type"] == "Political violence"
    assert attack["event_type"] == "Violence against civilians: Attack"
    assert attack["description"].startswith("Fixture: on 15 January 2023")
    assert (attack["deaths_best"], attack["deaths_low"], attack["deaths_high"]) == (3, None, None)


def test_raw_keeps_what_has_no_column_of_its_own(engine: sa.Engine) -> None:
    import_file(engine, DATA / "acled_current_export.csv")
    raw = get_incident(engine, "acled:PAK900001")["raw"]
    assert raw["civilian_targeting"] == "Civilian targeting"
    assert (raw["timestamp"], raw["source_scale"]) == ("1700000000", "National-Regional")
    assert get_incident(engine, "acled:PAK900003")["raw"]["tags"] == "crowd size=no report"


def test_actors_keep_their_order_and_roles(engine: sa.Engine) -> None:
    import_file(engine, DATA / "acled_current_export.csv")
    attack = get_incident(engine, "acled:PAK900001")["actors"]
    assert [(a["role"], a["name"]) for a in attack] == [
        ("perpetrator", "Test Militia"),
        ("target", "Civilians (Pakistan)"),
        ("associated", "Test Ethnic Group (Pakistan)"),
        ("associated", "Test Religious Group (Pakistan)"),
    ]
    clash = get_incident(engine, "acled:PAK900002")["actors"]
    assert [(a["role"], a["name"]) for a in clash] == [
        ("perpetrator", "Military Forces of Testland (2020-)"),
        ("associated", "Police Forces of Testland (2020-)"),
        ("perpetrator", "Test Militia"),
    ]
    protest = get_incident(engine, "acled:PAK900003")["actors"]
    assert [(a["role"], a["name"]) for a in protest] == [
        ("perpetrator", "Protesters (Pakistan)"),
        ("associated", "Test Traders Union"),
    ]


def test_each_listed_source_is_a_citation(engine: sa.Engine) -> None:
    import_file(engine, DATA / "acled_current_export.csv")
    cited = get_incident(engine, "acled:PAK900001")["citations"]
    assert [c["publisher"] for c in cited] == ["Test Daily", "Fixture Times"]
    assert count(engine, "citations") == 5


def test_numeric_iso_code_gives_the_country_a_name_lookup_misses(engine: sa.Engine) -> None:
    # countrynames does not know "Republic of Congo"; ISO 3166 numeric 178 is COG.
    import_file(engine, DATA / "acled_current_export.csv")
    congo = get_incident(engine, "acled:COG900004")
    assert (congo["country"], congo["country_iso3"]) == ("Republic of Congo", "COG")
    assert numeric_to_alpha3(586) == "PAK" and numeric_to_alpha3(0) is None


def test_old_layout_with_spelled_out_dates_and_iso3(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "acled_old_dates_iso3.csv")
    assert (report.format, report.new, report.rejected) == ("acled", 3, 0)
    first = get_incident(engine, "acled:PAK800001")
    assert (first["date_start"], first["country_iso3"], first["violence_type"]) == (
        date(2019, 1, 15),
        "PAK",
        None,
    )
    assert first["raw"]["data_id"] == "10"
    assert get_incident(engine, "acled:PAK800002")["date_start"] == date(2019, 2, 3)
    kosovo = get_incident(engine, "acled:XKX800003")
    assert (kosovo["date_start"], kosovo["country_iso3"]) == (date(2019, 2, 28), "XKX")


def test_semicolon_export_with_decimal_commas(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "acled_semicolon.csv")
    assert (report.format, report.new, report.rejected) == ("acled", 2, 0)
    first = get_incident(engine, "acled:PAK900101")
    assert (first["latitude"], first["longitude"]) == (pytest.approx(30.1), pytest.approx(67.0))
    assert [c["publisher"] for c in first["citations"]] == ["Test Daily", "Fixture Times"]
    assert first["description"].endswith("a ; in a quoted field.")


def test_tab_separated_export(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "acled_tab_separated.tsv")
    assert (report.format, report.new) == ("acled", 1)
    assert get_incident(engine, "acled:PAK900201")["deaths_best"] == 4


def test_time_precision_widens_the_date_span(engine: sa.Engine) -> None:
    import_file(engine, DATA / "acled_time_precision.csv")
    spans = {
        uid: get_incident(engine, f"acled:{uid}") for uid in ("PAK900301", "PAK900302", "PAK900303")
    }
    found = {uid: (i["date_start"], i["date_end"], i["date_precision"]) for uid, i in spans.items()}
    assert found == {
        "PAK900301": (date(2023, 3, 15), date(2023, 3, 15), "day"),
        # the recorded date is the middle of the week it stands for
        "PAK900302": (date(2023, 3, 27), date(2023, 4, 2), "week"),
        "PAK900303": (date(2023, 2, 1), date(2023, 2, 28), "month"),
    }


def test_geo_precision_codes(engine: sa.Engine) -> None:
    import_file(engine, DATA / "acled_geo_precision.csv")
    found = [
        (
            get_incident(engine, f"acled:{uid}")["location_precision"],
            get_incident(engine, f"acled:{uid}")["source_location_precision"],
        )
        for uid in ("PAK900401", "PAK900402", "PAK900403")
    ]
    assert found == [("exact", "1"), ("near", "2"), ("admin1", "3")]


def test_hdx_copy_skips_the_hxl_row(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "acled_hdx_hxl_row.csv")
    assert (report.format, report.new) == ("acled", 1)
    assert report.skipped == [(2, "HXL hashtag row (HDX), not an event")]


def test_bad_rows_reject_the_file_naming_line_field_and_value(engine: sa.Engine) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_file(engine, DATA / "acled_bad_values.csv")
    assert [(p.line, p.field, p.value) for p in caught.value.problems] == [
        (3, "fatalities", "many"),
        (4, "latitude", "123"),
    ]
    assert caught.value.rejected_rows == 2
    assert str(caught.value).endswith(
        "first: line 3, field 'fatalities', value 'many': not a whole number "
        "(and 1 more rejected rows)"
    )
    assert count(engine, "incidents") == 0 and count(engine, "datasets") == 0


def test_all_numeric_date_is_refused_not_guessed(engine: sa.Engine) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_file(engine, DATA / "acled_numeric_date.csv")
    problem = caught.value.problems[0]
    assert (problem.line, problem.field, problem.value) == (2, "event_date", "05/01/2023")
    assert "day and month order unknown" in problem.reason
    assert count(engine, "incidents") == 0


def test_same_file_twice_changes_nothing(engine: sa.Engine) -> None:
    first = import_file(engine, DATA / "acled_current_export.csv", ImportOptions(format="acled"))
    again = import_file(engine, DATA / "acled_current_export.csv", ImportOptions(format="acled"))
    assert (again.already_imported, again.dataset_id, again.new) == (True, first.dataset_id, 0)
    assert count(engine, "datasets") == 1 and count(engine, "incidents") == 4
    assert count(engine, "incident_actors") == 10 and count(engine, "incident_changes") == 0


def test_new_release_updates_the_revised_toll_and_records_it(engine: sa.Engine) -> None:
    import_file(engine, DATA / "acled_current_export.csv")
    report = import_file(engine, DATA / "acled_new_release.csv")
    assert (report.new, report.updated, report.unchanged) == (0, 1, 3)
    clash = get_incident(engine, "acled:PAK900002")
    assert clash["deaths_best"] == 7
    changes = clash["changes"][0]["changes"]
    assert changes["deaths_best"] == [5, 7]
    assert changes["raw.fatalities"] == ["5", "7"]
    assert changes["raw.timestamp"] == ["1700000000", "1700600000"]
    assert count(engine, "incident_changes") == 1 and count(engine, "incidents") == 4


def test_dataset_row_cites_acled(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "acled_current_export.csv")
    with engine.connect() as conn:
        dataset = conn.exec_driver_sql(
            f"SELECT format, name, citation FROM datasets WHERE id = {report.dataset_id}"
        ).one()
    assert dataset[:2] == ("acled", "Armed Conflict Location & Event Data (ACLED)")
    assert "Raleigh" in dataset[2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-01-15", date(2023, 1, 15)),
        ("2023-01-15T00:00:00", date(2023, 1, 15)),
        ("15 January 2023", date(2023, 1, 15)),
        ("15-January-2023", date(2023, 1, 15)),
        ("5 Sept 2021", date(2021, 9, 5)),
        ("28-feb-2019", date(2019, 2, 28)),
    ],
)
def test_acled_date_forms(text: str, expected: date) -> None:
    assert parse_acled_date(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("05/01/2023", "day and month order unknown"),
        ("31 February 2023", r"not a date \(day is out of range"),
        ("2023-02-30", r"not a date \(day is out of range"),
        ("15 Janvier 2023", "not a date"),
        ("soon", "not a date"),
    ],
)
def test_acled_date_refusals(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_acled_date(text)


def _row(**values: str) -> Row:
    base = {
        "event_id_cnty": "PAK1",
        "event_date": "2023-01-15",
        "year": "2023",
        "time_precision": "1",
        "geo_precision": "1",
        "event_type": "Battles",
        "actor1": "Side A",
        "actor2": "Side B",
        "country": "Pakistan",
        "iso": "586",
        "latitude": "30",
        "longitude": "67",
        "fatalities": "0",
    }
    return Row(7, base | values)


def test_year_column_disagreeing_with_the_date_rejects_the_row() -> None:
    row = _row(year="2022")
    AcledCsv().parse(row)
    assert [(p.line, p.field, p.value) for p in row.problems] == [(7, "event_date", "2023-01-15")]
    assert "year column says 2022" in row.problems[0].reason


@pytest.mark.parametrize(
    ("values", "role"),
    [
        ({}, ActorRole.PERPETRATOR),
        ({"event_type": "Violence against civilians"}, ActorRole.TARGET),
        (
            {
                "event_type": "Explosions/Remote violence",
                "civilian_targeting": "Civilian targeting",
            },
            ActorRole.TARGET,
        ),
        ({"event_type": "Riots", "inter2": "Civilians"}, ActorRole.TARGET),
        (
            {"event_type": "Protests", "sub_event_type": "Excessive force against protesters"},
            ActorRole.TARGET,
        ),
    ],
)
def test_actor2_is_a_target_only_in_one_sided_events(
    values: dict[str, str], role: ActorRole
) -> None:
    actors = AcledCsv().parse(_row(**values)).actors
    assert [(a.name, a.role) for a in actors] == [
        ("Side A", ActorRole.PERPETRATOR),
        ("Side B", role),
    ]


def test_country_codes_that_disagree_keep_the_numeric_one_with_a_warning() -> None:
    row = _row(iso="4")
    assert AcledCsv().parse(row).country_iso3 == "AFG"
    assert [(w.field, w.value) for w in row.warnings] == [("iso", "4")]
    kosovo = _row(iso="0", country="Kosovo")  # ACLED's 0: no ISO code; the name decides
    assert (AcledCsv().parse(kosovo).country_iso3, kosovo.warnings) == ("XKX", [])
    unknown = _row(iso="", country="Testland")
    assert AcledCsv().parse(unknown).country_iso3 is None
    assert [(w.field, w.value) for w in unknown.warnings] == [("country", "Testland")]


def test_unknown_precision_code_is_a_problem() -> None:
    row = _row(time_precision="4", geo_precision="9")
    AcledCsv().parse(row)
    assert [(p.field, p.value) for p in row.problems] == [
        ("time_precision", "4"),
        ("geo_precision", "9"),
    ]
