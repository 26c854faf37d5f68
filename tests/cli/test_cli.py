"""The gawahi command: exact messages and exit codes."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from gawahi.cli import main
from tests.conftest import DATA


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Runs gawahi against a SQLite file in tmp_path; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("GAWAHI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GAWAHI_DATABASE_URL", raising=False)
    db = str(tmp_path / "cli.sqlite")

    def invoke(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, ["--db", db, *args])
        return result.exit_code, result.stdout, result.stderr

    return invoke


def test_init_then_init_again(run) -> None:
    code, out, _ = run("init")
    assert (code, out) == (
        0,
        "created database (schema 0009)\nloaded administrative units for PAK\n",
    )
    assert run("init")[:2] == (0, "database is up to date (schema 0009)\n")


def test_commands_need_an_initialised_store(run, tmp_path: Path) -> None:
    code, _, err = run("datasets")
    assert code == 1
    assert err == f"error: no database at {tmp_path / 'cli.sqlite'}; run: gawahi init\n"
    assert not (tmp_path / "cli.sqlite").exists()  # asking did not create an empty file
    sqlite3.connect(tmp_path / "cli.sqlite").close()
    code, _, err = run("datasets")
    database = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert (code, err) == (1, f"error: database {database} is not initialised; run: gawahi init\n")


def test_import_prints_what_happened_and_the_same_file_twice_changes_nothing(run) -> None:
    run("init")
    code, out, _ = run("import", str(DATA / "ucdp_hdx_hxl_tag_row.csv"))
    assert code == 0
    assert out == (
        "ucdp_hdx_hxl_tag_row.csv: dataset 1 (ucdp-ged), 2 rows read: 2 new, 0 updated, "
        "0 unchanged, 0 rejected, 1 skipped\n"
        "  places: 2 unresolved (see 'gawahi geo unresolved')\n"
        "  victim tags: none (see 'gawahi profiles counts')\n"
        "  skipped line 2: HXL hashtag row (HDX), not an event\n"
    )
    code, out, _ = run("import", str(DATA / "ucdp_hdx_hxl_tag_row.csv"))
    assert (code, out) == (
        0,
        "ucdp_hdx_hxl_tag_row.csv: already imported as dataset 1; nothing changed\n",
    )


def test_a_rejected_import_names_the_rows_and_exits_non_zero(run) -> None:
    run("init")
    path = DATA / "ucdp_bad_best_after_multiline.csv"
    code, out, err = run("import", str(path))
    assert (code, out) == (1, "")
    assert err == (
        f"error: {path}: nothing imported, 2 rejected row(s); first: line 10, field 'best', "
        "value 'many': not a whole number (and 1 more rejected rows)\n"
        "  line 11, field 'latitude', value '130.5': must be between -90 and 90\n"
        "  line 11, field 'date_end', value '2011-01-01 00:00:00.000': ends before date_start\n"
    )
    assert run("datasets", "--json")[1] == "[]\n"


def test_unknown_format_is_one_clear_line(run, tmp_path: Path) -> None:
    run("init")
    odd = tmp_path / "odd.csv"
    odd.write_text("colour,size\nred,3\n")
    code, _, err = run("import", str(odd))
    assert code == 1
    assert err.startswith(f"error: {odd}: format not recognised from its header (colour, size); ")


def test_debug_shows_the_traceback(run, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "x.sqlite"), "--debug", "datasets"])
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "StoreError"


def test_incidents_filters_and_output_formats(run) -> None:
    run("init")
    run("import", str(DATA / "ucdp_hdx_hxl_tag_row.csv"), str(DATA / "pbc_drone_totals_row.csv"))
    code, out, _ = run(
        "incidents", "--country", "pak", "--from", "2012-03-02", "--to", "2012-12-31", "--json"
    )
    assert code == 0
    assert [r["uid"] for r in json.loads(out)] == ["ucdp-ged:900002"]
    _, out, _ = run("incidents", "--actor", "fixture group a", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["uid"], r["deaths_best"]) for r in rows] == [("ucdp-ged:900001", "3")]
    _, out, _ = run("incidents", "--text", "toll rises", "--json")
    assert [r["uid"] for r in json.loads(out)] == ["ucdp-ged:900002"]
    _, out, _ = run("incidents", "--source", "pbc-drone", "--limit", "1", "--json")
    assert [r["uid"] for r in json.loads(out)] == ["pbc-drone:1"]
    _, out, _ = run("incidents", "--admin1", "FATA", "--place", "testville")
    assert "pbc-drone:1" in out and "ucdp-ged" not in out


def test_incidents_refuses_bad_dates(run) -> None:
    run("init")
    code, _, err = run("incidents", "--from", "2012-13-01")
    assert code == 2
    assert "'2012-13-01' is not a date (YYYY-MM-DD)" in err


def test_show_prints_everything_about_one_incident(run) -> None:
    run("init")
    run("import", str(DATA / "ucdp_hdx_hxl_tag_row.csv"))
    code, out, _ = run("show", "ucdp-ged:900001")
    assert code == 0
    for expected in (
        "deaths_best: 3",
        "perpetrator",
        "Fixture Group A",
        "Fixture headline one",
        "cite: Sundberg, Ralph",
        "raw row:",
        "where_description: Testville market (fixture)",
    ):
        assert expected in out
    record = json.loads(run("show", "ucdp-ged:900001", "--json")[1])
    assert record["dataset"]["licence"] == "CC BY 4.0"
    code, _, err = run("show", "ucdp-ged:1")
    assert (code, err) == (
        1,
        "error: no incident 'ucdp-ged:1'; ids look like ucdp-ged:59553 (see gawahi incidents)\n",
    )


def test_datasets_lists_provenance_and_counts(run) -> None:
    run("init")
    run("import", "--version", "11", str(DATA / "pbc_suicide_cp1252_free_dates.csv"))
    listed = json.loads(run("datasets", "--json")[1])
    assert len(listed) == 1
    dataset = listed[0]
    assert (dataset["format"], dataset["version"], dataset["rows_read"]) == ("pbc-suicide", "11", 3)
    assert dataset["citation"].startswith("Zeeshan-ul-hassan Usmani, Pakistan Body Count")
    assert [p["kind"] for p in dataset["problems"]] == ["warning", "warning"]
    code, out, _ = run("datasets")
    assert code == 0 and "pbc-suicide" in out


def test_every_command_has_help_with_an_example(run) -> None:
    for command in (["init"], ["import"], ["datasets"], ["incidents"], ["show"], ["fetch", "ucdp"]):
        code, out, _ = run(*command, "--help")
        assert code == 0 and "Example:" in out, command


def test_json_reports_the_files_imported_before_one_failed(run) -> None:
    run("init")
    code, out, err = run(
        "import",
        "--json",
        str(DATA / "ged_release_no_iso3.csv"),
        str(DATA / "ucdp_bad_best_after_multiline.csv"),
    )
    assert code == 1 and "nothing imported, 2 rejected row(s)" in err
    assert [(r["file"].rsplit("/", 1)[-1], r["new"]) for r in json.loads(out)] == [
        ("ged_release_no_iso3.csv", 2)
    ]


def test_a_period_that_ends_before_it_starts_is_refused(run) -> None:
    run("init")
    code, _, err = run("incidents", "--from", "2013-01-01", "--to", "2012-01-01")
    assert code == 2 and "--from is after --to" in err
