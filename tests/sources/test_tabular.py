"""Mapped CSV/JSON registers: strict mapping files, Urdu place names, dd/mm/yyyy dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from gawahi.errors import ConfigError, FormatError, ImportRejected
from gawahi.sources.importer import ImportOptions, import_file
from gawahi.sources.tabular import MappedFormat
from gawahi.sources.textfile import inspect
from gawahi.store.queries import dataset_problems, get_incident
from tests.conftest import DATA, count

MAPPING = DATA / "tabular_register_mapping.yaml"
REGISTER = DATA / "tabular_urdu_places_multiline.csv"
BASE = """\
dataset: {name: Fixture register}
source: fixture-register
id: record_no
date: {column: date, format: "%d/%m/%Y"}
"""


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def mapped(mapping: Path, **options: object) -> ImportOptions:
    return ImportOptions(mapping=mapping, **options)  # type: ignore[arg-type]


# --- the mapping file -------------------------------------------------------------------------


def test_a_misspelt_top_key_is_named_with_a_suggestion() -> None:
    path = DATA / "tabular_typo_mapping.yaml"
    with pytest.raises(ConfigError) as caught:
        MappedFormat.load(path)
    assert str(caught.value) == f"{path}: unknown key 'feilds' (did you mean 'fields'?)"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("fields: {plac: location}", "unknown key 'fields.plac' (did you mean 'fields.place'?)"),
        (
            "colour: red",
            "unknown key 'colour' (known keys: dataset, source, format, records_path, "
            "id, encoding, date, fields, actors, citations, nulls)",
        ),
        (
            "fields: {date_start: date}",
            "fields.date_start: dates are read as the 'date' block says",
        ),
        (
            "fields: {deaths_best: {default: many}}",
            "fields.deaths_best.default: 'many': not a whole number",
        ),
        (
            "fields: {location_precision: {column: where, map: {street: street}}}",
            "fields.location_precision.map: 'street': not one of exact, near, admin2, admin1, "
            "region, country, unknown",
        ),
        (
            "fields: {event_type: {map: {a: b}}}",
            "fields.event_type: give a 'column', a 'default', or both",
        ),
        ("fields: {latitude: lat}", "fields.latitude: map 'fields.longitude' too"),
        (
            "fields: {country: {default: Atlantis}}",
            "fields.country.default: 'Atlantis' is not a "
            "country name gawahi knows; give "
            "fields.country_iso3 too",
        ),
        ("encoding: utf-9", "encoding: unknown encoding 'utf-9'"),
        ("format: xlsx", "format: 'xlsx' is not one of csv, json, jsonl"),
        ("format: csv\nrecords_path: data", "records_path: only a 'json' file has a records path"),
        (
            "actors: [{column: who, role: killer}]",
            "actors.1.role: 'killer' is not one of perpetrator, target, associated",
        ),
        ("actors: {column: who, role: target}", "actors: must be a list (one '- ' line per item)"),
        ("actors: [{column: who}]", "missing key 'actors.1.role'"),
        (
            "citations: [{split: ';'}]",
            "citations.1: name at least one column: url, publisher, date, headline, text",
        ),
        ("nulls: [NA, [x]]", "nulls: must be a list of text values"),
    ],
)
def test_wrong_keys_and_values_are_named(tmp_path: Path, extra: str, message: str) -> None:
    path = write(tmp_path, "register.yaml", BASE + extra + "\n")
    with pytest.raises(ConfigError) as caught:
        MappedFormat.load(path)
    assert str(caught.value) == f"{path}: {message}"


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        ("source: fixture-register", "", "missing key 'source'"),
        (
            "source: fixture-register",
            "source: Hazara Register",
            "source: 'Hazara Register' must be lowercase letters, digits and single hyphens, "
            "at most 39 characters",
        ),
        (
            "source: fixture-register",
            "source: ucdp-ged",
            "source: 'ucdp-ged' is a built-in source; choose a name of your own",
        ),
        (
            "source: fixture-register",
            "source: gtd-xlsx",
            "source: 'gtd-xlsx' is a built-in source; choose a name of your own",
        ),
        (
            "source: fixture-register",
            "source: manual",
            "source: 'manual' is a built-in source; choose a name of your own",
        ),
        (
            "dataset: {name: Fixture register}",
            "dataset: {publisher: Fixture}",
            "missing key 'dataset.name'",
        ),
        ('format: "%d/%m/%Y"', 'format: "%d/%m"', "date.format: '%d/%m' has no year (%Y or %y)"),
        (
            'format: "%d/%m/%Y"',
            'format: "%d/%q/%Y"',
            "date.format: '%d/%q/%Y' is not a strptime format ('q' is a bad directive in format "
            "'%d/%q/%Y')",
        ),
        (
            "{column: date,",
            "{column: date, start_column: from,",
            "date: give either 'column', or 'start_column' and maybe 'end_column'",
        ),
        ("id: record_no", "id: []", "id: must not be an empty list"),
    ],
)
def test_missing_and_malformed_keys_are_named(
    tmp_path: Path, replace: str, by: str, message: str
) -> None:
    path = write(tmp_path, "register.yaml", BASE.replace(replace, by))
    with pytest.raises(ConfigError) as caught:
        MappedFormat.load(path)
    assert str(caught.value) == f"{path}: {message}"


def test_yaml_errors_name_the_line(tmp_path: Path) -> None:
    twice = write(tmp_path, "twice.yaml", BASE + "source: other\n")
    with pytest.raises(ConfigError) as caught:
        MappedFormat.load(twice)
    assert str(caught.value) == f"{twice}, line 5: not valid YAML (the key 'source' is given twice)"
    broken = write(tmp_path, "broken.yaml", BASE + "fields: {place: [location}\n")
    with pytest.raises(ConfigError, match=r"broken\.yaml, line 5: not valid YAML \("):
        MappedFormat.load(broken)
    with pytest.raises(ConfigError) as caught:
        MappedFormat.load(tmp_path / "absent.yaml")
    assert str(caught.value) == f"{tmp_path / 'absent.yaml'}: no such mapping file"


def test_values_stay_text_as_written(tmp_path: Path) -> None:
    # Plain YAML would read these as false, 1.1 and a date object.
    path = write(
        tmp_path,
        "register.yaml",
        BASE.replace(
            "{name: Fixture register}",
            "{name: Fixture register, version: 1.10, citation: 2024-03-01}",
        )
        + "nulls: [no, '-']\nencoding: cp1252\n",
    )
    fmt = MappedFormat.load(path)
    assert (fmt.mapping.dataset.version, fmt.mapping.dataset.citation) == ("1.10", "2024-03-01")
    assert fmt.mapping.nulls == frozenset({"", "no", "-"})
    assert (fmt.name, fmt.source, fmt.encoding) == ("tabular", "fixture-register", "cp1252")


def test_mapped_formats_are_never_guessed_from_a_header() -> None:
    fmt = MappedFormat.load(MAPPING)
    assert fmt.detect(inspect(REGISTER), ["record_no", "date"]) is False


# --- importing through a mapping --------------------------------------------------------------


def test_csv_register_keeps_urdu_places_and_multiline_descriptions(engine: sa.Engine) -> None:
    report = import_file(engine, REGISTER, mapped(MAPPING))
    assert (report.format, report.new, report.rejected, report.warnings) == ("tabular", 3, 0, [])
    shop = get_incident(engine, "fixture-register:FX-1")
    assert (shop["place"], shop["admin1"], shop["admin2"]) == ("کوئٹہ", "بلوچستان", "Quetta")
    assert (shop["country"], shop["country_iso3"]) == ("Pakistan", "PAK")
    assert (shop["latitude"], shop["longitude"], shop["location_precision"]) == (
        30.18,
        67.0,
        "near",
    )
    assert shop["description"] == (
        "Fixture: shooting at a shop, test row.\n"
        'Second line of the fixture description, "quoted" words.'
    )
    assert (shop["deaths_low"], shop["deaths_best"], shop["deaths_high"], shop["injured"]) == (
        2,
        2,
        3,
        1,
    )
    assert shop["event_type"] == "targeted shooting"
    assert (shop["source_line"], shop["raw"]["record_no"]) == (2, "FX-1")


def test_dates_in_dd_mm_yyyy_months_and_urdu_digits(engine: sa.Engine) -> None:
    import_file(engine, REGISTER, mapped(MAPPING))
    shop = get_incident(engine, "fixture-register:FX-1")
    assert (shop["date_start"], shop["date_end"], shop["date_precision"], shop["date_text"]) == (
        date(2013, 3, 12),
        date(2013, 3, 12),
        "day",
        "12/03/2013",
    )
    month = get_incident(engine, "fixture-register:FX-2")
    assert (month["date_start"], month["date_end"], month["date_precision"]) == (
        date(2013, 3, 1),
        date(2013, 3, 31),
        "month",
    )
    assert (month["event_type"], month["latitude"], month["deaths_high"]) == ("bombing", None, None)
    # "approx" maps to month: the register's own precision widens the day to its month.
    letter = get_incident(engine, "fixture-register:FX-3")
    assert (letter["date_start"], letter["date_end"], letter["date_precision"]) == (
        date(2014, 6, 1),
        date(2014, 6, 30),
        "month",
    )
    assert (letter["date_text"], letter["source_line"]) == ("۰۵/۰۶/۲۰۱۴", 5)


def test_actors_and_citations_are_split_and_mapped(engine: sa.Engine) -> None:
    import_file(engine, REGISTER, mapped(MAPPING))
    shop = get_incident(engine, "fixture-register:FX-1")
    assert [(a["role"], a["name"]) for a in shop["actors"]] == [
        ("perpetrator", "Fixture Group A"),
        ("perpetrator", "Fixture Group B"),
    ]
    assert [(c["publisher"], c["date"], c["headline"], c["url"]) for c in shop["citations"]] == [
        ("Fixture Daily", "13/03/2013", "Fixture headline one", "https://example.org/fixture-1"),
        ("Fixture Daily", "13/03/2013", "Fixture headline two", "https://example.org/fixture-2"),
    ]
    assert get_incident(engine, "fixture-register:FX-2")["actors"] == []  # "unknown" is a null
    letter = get_incident(engine, "fixture-register:FX-3")
    assert [a["name"] for a in letter["actors"]] == ["Fixture Group A"]
    assert [(c["publisher"], c["url"]) for c in letter["citations"]] == [
        ("Fixture Weekly", "https://example.org/fixture-3")
    ]


def test_the_dataset_row_comes_from_the_mapping(engine: sa.Engine) -> None:
    import_file(engine, REGISTER, mapped(MAPPING))
    dataset = get_incident(engine, "fixture-register:FX-1")["dataset"]
    assert {
        k: dataset[k]
        for k in ("format", "name", "publisher", "version", "licence", "url", "rows_imported")
    } == {
        "format": "tabular",
        "name": "Fixture community register (test data)",
        "publisher": "Fixture Documentation Group",
        "version": "2024-03",
        "licence": "CC BY 4.0",
        "url": "https://example.org/fixture-register",
        "rows_imported": 3,
    }
    assert dataset["citation"].startswith("Fixture Documentation Group, Fixture community")


def test_version_option_overrides_the_mapping(engine: sa.Engine) -> None:
    import_file(engine, REGISTER, mapped(MAPPING, version="2024-04"))
    assert get_incident(engine, "fixture-register:FX-1")["dataset"]["version"] == "2024-04"


def test_json_gives_the_same_incidents_as_the_csv(engine: sa.Engine) -> None:
    import_file(engine, REGISTER, mapped(MAPPING))
    uids = [f"fixture-register:FX-{n}" for n in (1, 2, 3)]
    from_csv = [get_incident(engine, uid) for uid in uids]
    report = import_file(engine, DATA / "tabular_urdu_places.json", mapped(MAPPING))
    assert (report.format, report.updated, report.rejected) == ("tabular", 3, 0)
    for before, uid in zip(from_csv, uids, strict=True):
        after = get_incident(engine, uid)
        # Only the raw rows differ (JSON numbers and lists): every normalised field is equal.
        changed = after["changes"][0]["changes"]
        assert changed and all(name.startswith("raw.") for name in changed)
        assert (after["actors"], after["citations"]) == (before["actors"], before["citations"])
    assert get_incident(engine, uids[0])["raw"]["perpetrator"] == [
        "Fixture Group A",
        "Fixture Group B",
    ]
    assert get_incident(engine, uids[2])["source_line"] == 3


def test_windows_1252_register_is_read(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "tabular_cp1252_register.csv", mapped(MAPPING))
    assert report.new == 2
    assert get_incident(engine, "fixture-register:FX-1")["description"] == (
        "Fixture: café’s gate – test row"
    )
    assert get_incident(engine, "fixture-register:FX-2")["place"] == "Mastung–Quetta road"


def test_a_bad_date_rejects_the_file_naming_line_field_and_value(engine: sa.Engine) -> None:
    path = DATA / "tabular_bad_date.csv"
    with pytest.raises(ImportRejected) as caught:
        import_file(engine, path, mapped(MAPPING))
    assert str(caught.value) == (
        f"{path}: nothing imported, 1 rejected row(s); first: line 4, field 'date', value "
        "'31/02/2013': not a date in any of the formats %d/%m/%Y, %m/%Y"
    )
    assert (count(engine, "incidents"), count(engine, "datasets")) == (0, 0)


def test_the_same_file_twice_is_already_imported(engine: sa.Engine) -> None:
    first = import_file(engine, REGISTER, mapped(MAPPING))
    again = import_file(engine, REGISTER, mapped(MAPPING))
    assert (again.already_imported, again.dataset_id, again.new) == (True, first.dataset_id, 0)
    assert (count(engine, "incidents"), count(engine, "datasets")) == (3, 1)


def test_columns_missing_from_the_file_are_named(engine: sa.Engine, tmp_path: Path) -> None:
    mapping = write(
        tmp_path,
        "typo.yaml",
        MAPPING.read_text(encoding="utf-8")
        .replace("place: location", "place: locaton")
        .replace("injured: injured", "injured: hurt"),
    )
    with pytest.raises(FormatError) as caught:
        import_file(engine, REGISTER, mapped(mapping))
    assert str(caught.value) == (
        f"{REGISTER}, line 1: columns named in mapping typo.yaml are not in the file: hurt, "
        "locaton (the file has: record_no, date, date_accuracy, location, province, district, "
        "lat, lon, killed, killed_min, killed_max, injured, type, perpetrator, details, "
        "source_url, source_name, source_date, source_title)"
    )
    assert count(engine, "datasets") == 0


def test_json_lines_stream_with_line_numbers(engine: sa.Engine, tmp_path: Path) -> None:
    mapping = write(
        tmp_path,
        "lines.yaml",
        BASE + "fields: {place: location, deaths_best: killed, description: details}\n",
    )
    path = DATA / "tabular_register_lines.jsonl"
    with pytest.raises(ImportRejected) as caught:
        import_file(engine, path, mapped(mapping))
    assert [(p.line, p.field, p.value) for p in caught.value.problems] == [
        (3, "date", "31/02/2013"),
        (3, "killed", "two"),
    ]
    report = import_file(engine, path, mapped(mapping, allow_rejects=True))
    assert (report.new, report.rejected, report.skipped) == (1, 1, [(2, "blank line")])
    assert [(p["kind"], p["line"]) for p in dataset_problems(engine, report.dataset_id or 0)] == [
        ("skipped", 2),
        ("rejected", 3),
        ("rejected", 3),
    ]
    assert get_incident(engine, "fixture-register:FX-1")["place"] == "کوئٹہ"


def test_a_json_object_needs_its_records_path(engine: sa.Engine, tmp_path: Path) -> None:
    mapping = write(tmp_path, "object.yaml", BASE)
    path = DATA / "tabular_urdu_places.json"
    with pytest.raises(FormatError) as caught:
        import_file(engine, path, mapped(mapping))
    assert str(caught.value) == (
        f"{path}: not a list of records; if the list is inside an "
        "object, name it with records_path in the mapping"
    )
    wrong = write(tmp_path, "wrong.yaml", BASE + "records_path: data.rows\n")
    with pytest.raises(FormatError) as caught:
        import_file(engine, path, mapped(wrong))
    assert (
        str(caught.value) == f"{path}: no 'data' in the file (the records_path of mapping "
        "wrong.yaml)"
    )


def test_tolls_out_of_order_and_half_coordinates_are_problems(
    engine: sa.Engine, tmp_path: Path
) -> None:
    mapping = write(
        tmp_path,
        "tolls.yaml",
        BASE + "fields: {deaths_low: low, deaths_best: best, "
        "deaths_high: high, latitude: lat, "
        "longitude: lon}\n",
    )
    path = write(
        tmp_path,
        "tolls.csv",
        "record_no,date,low,best,high,lat,lon\n"
        "FX-1,01/01/2013,5,3,9,30.1,67\n"
        "FX-2,01/01/2013,1,2,3,95,67\n",
    )
    with pytest.raises(ImportRejected) as caught:
        import_file(engine, path, mapped(mapping))
    assert [p.describe() for p in caught.value.problems] == [
        "line 2, field 'low', value '5': greater than best (3)",
        "line 3, field 'lat', value '95': must be between -90 and 90",
    ]


def test_start_and_end_columns_make_a_span(engine: sa.Engine, tmp_path: Path) -> None:
    mapping = write(
        tmp_path,
        "span.yaml",
        BASE.replace(
            '{column: date, format: "%d/%m/%Y"}',
            "{start_column: from, end_column: to, format: [iso, free]}",
        ),
    )
    path = write(
        tmp_path,
        "span.csv",
        "record_no,from,to\nFX-1,2013-03-01,2013-03-04\n"
        "FX-2,2013,\nFX-3,March 2013,2013-03-31\n"
        "FX-4,2013-03-05,2013-03-01\n",
    )
    report = import_file(engine, path, mapped(mapping, allow_rejects=True))
    assert [(p.line, p.field, p.reason) for p in report.problems] == [(5, "to", "before from")]
    spans = [
        (i["date_start"], i["date_end"], i["date_precision"])
        for i in (get_incident(engine, f"fixture-register:FX-{n}") for n in (1, 2, 3))
    ]
    assert spans == [
        (date(2013, 3, 1), date(2013, 3, 4), "days"),
        (date(2013, 1, 1), date(2013, 12, 31), "year"),
        (date(2013, 3, 1), date(2013, 3, 31), "month"),
    ]


def test_joined_ids_and_duplicates(engine: sa.Engine, tmp_path: Path) -> None:
    mapping = write(tmp_path, "joined.yaml", BASE.replace("id: record_no", "id: [year, serial]"))
    path = write(tmp_path, "joined.csv", "year,serial,date\n2013,7,01/01/2013\n2013,7,02/01/2013\n")
    with pytest.raises(ImportRejected) as caught:
        import_file(engine, path, mapped(mapping))
    assert [p.describe() for p in caught.value.problems] == [
        "line 3, field 'year+serial', value '2013-7': the same id as line 2; ids must be "
        "unique in a file"
    ]


def test_a_legacy_urdu_encoding_named_in_the_mapping_is_read(tmp_path: Path) -> None:
    mapping = write(tmp_path, "cp1256.yaml", BASE + "encoding: cp1256\nfields: {place: location}\n")
    fmt = MappedFormat.load(mapping)
    source = inspect(DATA / "tabular_cp1256_urdu_legacy.csv", fmt.encoding)
    places = [p.incident.place for p in fmt.read(source, lambda _: None) if p.incident]
    assert places == ["کوئٹہ", "ہزارہ ٹاؤن"]


def test_import_file_uses_the_mapping_encoding(engine: sa.Engine, tmp_path: Path) -> None:
    mapping = write(tmp_path, "cp1256.yaml", BASE + "encoding: cp1256\nfields: {place: location}\n")
    report = import_file(engine, DATA / "tabular_cp1256_urdu_legacy.csv", mapped(mapping))
    assert (report.encoding, report.new) == ("cp1256", 2)


def test_a_register_precision_narrower_than_the_date_is_not_trusted(
    engine: sa.Engine, tmp_path: Path
) -> None:
    mapping = write(
        tmp_path,
        "narrow.yaml",
        BASE.replace(
            'format: "%d/%m/%Y"}', 'format: ["%A %d/%m/%Y", "%m/%Y"], precision: accuracy}'
        ),
    )
    path = write(
        tmp_path,
        "narrow.csv",
        "record_no,date,accuracy\nFX-1,03/2013,day\nFX-2,Monday 12/03/2013,\n",
    )
    report = import_file(engine, path, mapped(mapping))
    assert [(w.line, w.field, w.value, w.reason) for w in report.warnings] == [
        (2, "accuracy", "day", "narrower than the date as written; month kept"),
        (3, "date", "Monday 12/03/2013", "'Monday' does not match Tuesday; date kept"),
    ]
    month = get_incident(engine, "fixture-register:FX-1")
    assert (month["date_start"], month["date_end"], month["date_precision"]) == (
        date(2013, 3, 1),
        date(2013, 3, 31),
        "month",
    )


# --- the documentation ------------------------------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "mapping.md"


def test_the_documented_example_is_a_valid_mapping(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    example = text.split("## A full example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    fmt = MappedFormat.load(write(tmp_path, "register.yaml", example))
    assert (fmt.source, fmt.mapping.records_path) == ("fixture-register", ("records",))
    assert fmt.mapping.columns() == MappedFormat.load(MAPPING).mapping.columns()


def test_every_key_and_field_is_documented() -> None:
    from gawahi.sources.mapping import FIELDS, TOP_KEYS

    text = DOC.read_text(encoding="utf-8")
    assert [key for key in TOP_KEYS if f"| `{key}` |" not in text] == []
    assert [name for name in FIELDS if f"`{name}`" not in text] == []
