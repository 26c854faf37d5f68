"""GTD: START's CSV and XLSX layouts, R re-exports, unknown days, shares of series totals."""

from __future__ import annotations

import gzip
import re
import shutil
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa

from gawahi.errors import FormatError, ImportRejected
from gawahi.sources.base import Format
from gawahi.sources.gtd import GtdCsv, GtdXlsx, cell_text, xlsx_header
from gawahi.sources.importer import import_file
from gawahi.sources.textfile import csv_records, inspect, open_text
from gawahi.store.queries import get_incident
from tests.conftest import DATA, count, shared_file

FIXTURES = [
    "gtd_start_header.csv",
    "gtd_rindex_bom_header.csv",
    "gtd_day_or_month_unknown.csv",
    "gtd_extended_resolution.csv",
    "gtd_specificity_vicinity.csv",
    "gtd_fractional_casualties.csv",
    "gtd_bad_year_and_day.csv",
    "gtd_former_countries.csv",
]
REAL_FILE = ("gtd_pakistan_RESTRICTED", "globalterrorismdbPak_1970-2015.csv.gz")


def test_start_export_is_detected_and_follows_the_codebook(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "gtd_start_header.csv")
    assert (report.format, report.new, report.rejected, report.warnings) == ("gtd", 2, 0, [])
    record = get_incident(engine, "gtd:200101020001")
    assert (record["date_start"], record["date_end"], record["date_precision"]) == (
        date(2001, 1, 2),
        date(2001, 1, 2),
        "day",
    )
    assert (record["country"], record["country_iso3"], record["admin1"], record["place"]) == (
        "Pakistan",
        "PAK",
        "Test Province",
        "Testville",
    )
    assert (record["latitude"], record["longitude"]) == (
        pytest.approx(30.123456),
        pytest.approx(70.654321),
    )
    assert (record["location_precision"], record["source_location_precision"]) == ("exact", "1")
    assert (record["event_type"], record["violence_type"]) == ("Bombing/Explosion", None)
    assert (record["deaths_best"], record["deaths_low"], record["deaths_high"]) == (3, None, None)
    assert record["injured"] == 4
    assert record["description"] == "01/02/2001: Fixture row: an ordinary record, known to the day."
    assert record["dataset"]["publisher"].startswith("National Consortium for the Study of Terror")


def test_groups_are_perpetrators_and_the_attacked_are_targets(engine: sa.Engine) -> None:
    import_file(engine, DATA / "gtd_start_header.csv")
    record = get_incident(engine, "gtd:200101020001")
    # corp2 "Unknown" is GTD's code for "not known", not an entity: no actor.
    assert [(a["role"], a["name"]) for a in record["actors"]] == [
        ("perpetrator", "Test Group A"),
        ("perpetrator", "Test Group B"),
        ("target", "Test Corp"),
        ("target", "Fixture target"),
        ("target", "Fixture second target"),
    ]
    assert [(c["url"], c["text"][:13]) for c in record["citations"]] == [
        ("https://example.org/gtd-fixture-1", "Fixture Wire,"),
        (None, "Fixture Month"),
    ]


def test_unknown_names_and_counts_are_empty_but_kept_in_the_raw_row(engine: sa.Engine) -> None:
    import_file(engine, DATA / "gtd_start_header.csv")
    record = get_incident(engine, "gtd:200101030001")
    assert (record["actors"], record["citations"], record["description"]) == ([], [], None)
    assert (record["admin1"], record["place"], record["deaths_best"], record["injured"]) == (
        None,
        None,
        None,
        None,
    )
    raw = record["raw"]
    assert (raw["gname"], raw["city"], raw["nkill"], raw["nwound"]) == (
        "Unknown",
        "Unknown",
        "",
        "-99",
    )


def test_r_reexport_with_row_index_and_mangled_eventid_header(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "gtd_rindex_bom_header.csv")
    assert (report.format, report.new, report.rejected) == ("gtd", 2, 0)
    record = get_incident(engine, "gtd:199501050001")
    assert (record["raw"][""], record["raw"]["ï..eventid"]) == ("41001", "199501050001")
    assert record["raw"]["targtype2_txt"] == "."
    assert [c["url"] for c in record["citations"]] == ["https://example.org/gtd-fixture-r"]
    no_value = get_incident(engine, "gtd:199501060001")
    assert (no_value["deaths_best"], no_value["latitude"], no_value["location_precision"]) == (
        None,
        None,
        "country",
    )
    assert no_value["raw"]["nkill"] == "NA"


def test_r_reexport_text_is_read_as_the_utf8_it_is(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "gtd_rindex_bom_header.csv")
    record = get_incident(engine, "gtd:199501050001")
    assert record["description"].endswith("an R re-export with “curly” quotes.")
    assert report.encoding is not None and report.encoding.startswith("utf-8")


def test_unknown_day_spans_the_month_and_unknown_month_the_year(engine: sa.Engine) -> None:
    import_file(engine, DATA / "gtd_day_or_month_unknown.csv")
    day_unknown = get_incident(engine, "gtd:200103000001")
    assert _when(day_unknown) == (date(2001, 3, 1), date(2001, 3, 31), "month", "March 2001")
    month_unknown = get_incident(engine, "gtd:200100000001")
    assert _when(month_unknown) == (date(2001, 1, 1), date(2001, 12, 31), "year", "2001")


def test_extended_incidents_end_on_their_resolution(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "gtd_extended_resolution.csv")
    resolved = get_incident(engine, "gtd:200104100001")
    assert _when(resolved) == (date(2001, 4, 10), date(2001, 4, 15), "day", None)
    unresolved = get_incident(engine, "gtd:200104110001")
    assert _when(unresolved)[:2] == (date(2001, 4, 11), date(2001, 4, 11))
    slip = get_incident(engine, "gtd:200112250001")
    assert _when(slip)[:2] == (date(2001, 12, 25), date(2001, 12, 25))
    month_start = get_incident(engine, "gtd:200105000001")
    assert _when(month_start)[:3] == (date(2001, 5, 1), date(2001, 5, 8), "month")
    assert [(w.line, w.field, w.value, w.reason) for w in report.warnings] == [
        (4, "resolution", "1/10/2001", "before the start 2001-12-25; not used")
    ]


def test_specificity_and_vicinity_give_the_location_precision(engine: sa.Engine) -> None:
    import_file(engine, DATA / "gtd_specificity_vicinity.csv")
    found = []
    for last in range(1, 7):
        record = get_incident(engine, f"gtd:20010601000{last}")
        found.append(
            (
                record["source_location_precision"],
                record["location_precision"],
                record["place"],
                record["latitude"] is not None,
            )
        )
    assert found == [
        ("1", "near", "Testville", True),
        ("2", "admin2", "Testville", True),
        ("3", "admin2", "Fixture district", True),
        ("4", "admin1", None, True),
        ("5", "country", None, False),
        ("1", "exact", "Testville", True),  # vicinity -9: unknown, so the point stands
    ]


def test_shares_of_a_series_total_are_rounded_with_a_warning(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "gtd_fractional_casualties.csv")
    first = get_incident(engine, "gtd:200107010001")
    assert (first["deaths_best"], first["injured"]) == (4, 0)  # 3.75 and 0.5 (half to even)
    assert (first["raw"]["nkill"], first["raw"]["nwound"]) == ("3.75", "0.5")
    assert get_incident(engine, "gtd:200107010002")["deaths_best"] == 0
    assert [(w.line, w.field, w.value) for w in report.warnings] == [
        (2, "nkill", "3.75"),
        (2, "nwound", "0.5"),
        (3, "nkill", "0.25"),
    ]
    assert report.warnings[0].reason == (
        "a share of a total split across related incidents; read as 4, the exact value "
        "stays in the raw row"
    )


def test_former_states_keep_their_name_without_an_iso3_code(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "gtd_former_countries.csv")
    codes = [get_incident(engine, f"gtd:19800101000{n}")["country_iso3"] for n in (1, 2, 3)]
    assert codes == ["DEU", None, None]
    assert [(w.line, w.field, w.value) for w in report.warnings] == [
        (3, "country_txt", "Soviet Union"),
        (4, "country_txt", "East Germany (GDR)"),
    ]


def test_a_bad_year_or_day_rejects_the_file_naming_line_and_field(engine: sa.Engine) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_file(engine, DATA / "gtd_bad_year_and_day.csv")
    assert [(p.line, p.field, p.value, p.reason) for p in caught.value.problems] == [
        (3, "iyear", "19x0", "not a whole number"),
        (4, "iday", "2001-2-30", "not a date (day is out of range for month)"),
    ]
    assert "line 3, field 'iyear', value '19x0'" in str(caught.value)
    assert (count(engine, "incidents"), count(engine, "datasets")) == (0, 0)


def test_gzip_csv_imports_like_the_plain_file(engine: sa.Engine, tmp_path: Path) -> None:
    packed = tmp_path / "gtd_start_header.csv.gz"
    packed.write_bytes(gzip.compress((DATA / "gtd_start_header.csv").read_bytes()))
    report = import_file(engine, packed)
    assert (report.format, report.new) == ("gtd", 2)
    assert get_incident(engine, "gtd:200101020001")["deaths_best"] == 3


@pytest.mark.parametrize("name", FIXTURES)
def test_xlsx_gives_exactly_what_the_csv_gives(tmp_path: Path, name: str) -> None:
    workbook = _workbook_from_csv(DATA / name, tmp_path / name.replace(".csv", ".xlsx"))
    from_csv = _parsed(GtdCsv(), DATA / name)
    from_xlsx = _parsed(GtdXlsx(), workbook)
    assert from_xlsx == from_csv
    assert any(entry[1] is not None for entry in from_csv)


def test_xlsx_import_is_detected_and_shares_identity_with_the_csv(
    engine: sa.Engine, tmp_path: Path
) -> None:
    workbook = _workbook_from_csv(DATA / "gtd_start_header.csv", tmp_path / "gtd.xlsx")
    report = import_file(engine, workbook)
    assert (report.format, report.encoding, report.new) == ("gtd-xlsx", None, 2)
    record = get_incident(engine, "gtd:200101020001")
    assert (record["source_line"], record["deaths_best"], record["raw"]["iyear"]) == (2, 3, "2001")
    again = import_file(engine, DATA / "gtd_start_header.csv")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)


def test_xlsx_cells_become_csv_text(tmp_path: Path) -> None:
    header = [
        "eventid",
        "iyear",
        "imonth",
        "iday",
        "extended",
        "resolution",
        "country_txt",
        "provstate",
        "city",
        "latitude",
        "longitude",
        "specificity",
        "gname",
        "nkill",
    ]
    path = tmp_path / "typed_cells.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    sheet.append(
        [
            200104100001,
            2001,
            4,
            10,
            1,
            datetime(2001, 4, 15),
            "Pakistan",
            "Test Province",
            "Testville",
            30.123456789012,
            70.5,
            1.0,
            "Test Group A",
            2,
        ]
    )
    sheet.append([])  # a blank spreadsheet row
    sheet.append(
        [
            200104120001,
            2001,
            4,
            12,
            0,
            None,
            "Pakistan",
            "Test Province",
            "Testville",
            None,
            None,
            5,
            "Unknown",
        ]
    )  # no trailing nkill cell at all
    book.save(path)
    source = inspect(path)
    assert xlsx_header(source) == header
    parsed = list(GtdXlsx().read(source, lambda done: None))
    assert [(p.line, p.skipped, p.problems) for p in parsed] == [
        (2, None, []),
        (3, "blank row", []),
        (4, None, []),
    ]
    first, last = parsed[0].incident, parsed[2].incident
    assert first is not None and last is not None
    assert (first.source_id, first.date_end, first.latitude) == (
        "200104100001",
        date(2001, 4, 15),
        30.123456789012,
    )
    assert (first.raw["resolution"], first.raw["latitude"], first.raw["specificity"]) == (
        "2001-04-15",
        "30.123456789012",
        "1",
    )
    assert (last.raw["nkill"], last.deaths_best, last.actors) == ("", None, [])


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (1970, "1970"),
        (24.893379, "24.893379"),
        (12.0, "12"),
        (True, "1"),
        (datetime(1974, 2, 3), "1974-02-03"),
        (datetime(1974, 2, 3, 10, 30), "1974-02-03 10:30:00"),
        (date(1974, 2, 3), "1974-02-03"),
        ("Testville", "Testville"),
    ],
)
def test_cell_text_writes_what_a_csv_export_would(value: Any, text: str) -> None:
    assert cell_text(value) == text


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_progress_is_reported_up_to_the_file_size(tmp_path: Path, kind: str) -> None:
    path = DATA / "gtd_specificity_vicinity.csv"
    fmt: Format = GtdCsv()
    if kind == "xlsx":
        path, fmt = _workbook_from_csv(path, tmp_path / "progress.xlsx"), GtdXlsx()
    source = inspect(path)
    seen: list[int] = []
    assert len(list(fmt.read(source, seen.append))) == 6
    assert seen[-1] == source.size and seen == sorted(seen)


def test_gtd_csv_is_not_claimed_for_a_workbook(tmp_path: Path) -> None:
    workbook = _workbook_from_csv(DATA / "gtd_start_header.csv", tmp_path / "gtd.xlsx")
    source = inspect(workbook)
    header = xlsx_header(source)
    assert (GtdCsv().detect(source, header), GtdXlsx().detect(source, header)) == (False, True)


def test_a_gzipped_workbook_reads_like_the_plain_one(tmp_path: Path) -> None:
    workbook = _workbook_from_csv(DATA / "gtd_start_header.csv", tmp_path / "gtd.xlsx")
    packed = tmp_path / "gtd.xlsx.gz"
    packed.write_bytes(gzip.compress(workbook.read_bytes()))
    assert _parsed(GtdXlsx(), packed) == _parsed(GtdXlsx(), workbook)


def test_a_damaged_workbook_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(FormatError, match="not a readable Excel workbook"):
        xlsx_header(inspect(path))


def test_the_release_is_read_from_starts_file_name(engine: sa.Engine, tmp_path: Path) -> None:
    named = tmp_path / "globalterrorismdb_0718dist.csv"
    shutil.copyfile(DATA / "gtd_start_header.csv", named)
    report = import_file(engine, named)
    dataset = get_incident(engine, "gtd:200101020001")["dataset"]
    assert (report.format, dataset["version"], dataset["licence"][:20]) == (
        "gtd",
        "0718dist",
        "START GTD Terms of U",
    )


@pytest.mark.realdata
def test_real_pakistan_file_imports_whole_and_twice_changes_nothing(
    sqlite_engine: sa.Engine, tmp_path: Path
) -> None:
    path = shared_file(*REAL_FILE)
    started = time.perf_counter()
    report = import_file(sqlite_engine, path)
    elapsed = time.perf_counter() - started
    assert (report.format, report.rows_read, report.new, report.rejected) == (
        "gtd",
        12_768,
        12_768,
        0,
    )
    assert report.skipped == []
    assert {w.field for w in report.warnings} == {"nkill", "nwound", "resolution"}
    assert count(sqlite_engine, "incidents") == 12_768
    assert elapsed < 60, f"import took {elapsed:.1f} s"
    assert import_file(sqlite_engine, path).already_imported
    # The same rows under another checksum (decompressed): every record is unchanged.
    plain = tmp_path / "gtd_pakistan.csv"
    with gzip.open(path) as packed, plain.open("wb") as out:
        shutil.copyfileobj(packed, out)
    again = import_file(sqlite_engine, plain)
    assert (again.new, again.updated, again.unchanged, again.rejected) == (0, 0, 12_768, 0)
    assert count(sqlite_engine, "incidents") == 12_768


def _when(record: dict[str, Any]) -> tuple[Any, ...]:
    return (record["date_start"], record["date_end"], record["date_precision"], record["date_text"])


def _parsed(fmt: Format, path: Path) -> list[tuple[Any, ...]]:
    return [
        (p.line, p.incident, p.problems, p.warnings, p.skipped)
        for p in fmt.read(inspect(path), lambda done: None)
    ]


def _workbook_from_csv(csv_path: Path, xlsx_path: Path) -> Path:
    """START's workbook layout: numbers as number cells, text as text, empty as no cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    with open_text(inspect(csv_path)) as (text, _):
        for line, values in csv_records(text):
            sheet.append(values if line == 1 else [_typed(v) for v in values])
    book.save(xlsx_path)
    return xlsx_path


def _typed(text: str) -> Any:
    if re.fullmatch(r"-?\d+", text) and str(int(text)) == text:
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text) and str(float(text)) == text:
        return float(text)
    return text or None
