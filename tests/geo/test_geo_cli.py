"""``gawahi geo`` and ``incidents --unit``: exact output and exit codes, on both backends."""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import permutations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gawahi.cli import main
from gawahi.geo.units import sync_packs
from tests.conftest import DATA
from tests.geo import test_resolver as resolver_tests

GEO = DATA / "geo"
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(engine: sa.Engine, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """gawahi against the test store (units and the tiny gazetteer loaded)."""
    monkeypatch.setenv("GAWAHI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GAWAHI_DATABASE_URL", raising=False)
    with engine.begin() as conn:
        sync_packs(conn)
        resolver_tests.load_gazetteer(conn)
    url = engine.url.render_as_string(hide_password=False)

    def invoke(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, ["--db", url, *args])
        return result.exit_code, result.stdout, result.stderr

    return invoke


@pytest.fixture
def imported(run: Run) -> Run:
    code, out, _ = run("import", str(resolver_tests.MERGED), str(resolver_tests.POINTS))
    assert code == 0, out
    return run


def test_lookup_json_lists_the_unit_then_gazetteer_places(run: Run) -> None:
    code, out, _ = run("geo", "lookup", "کوئٹہ", "--json")
    assert code == 0
    found = json.loads(out)
    assert [(c["kind"], c["name"], c["admin1_id"], c["admin2_id"]) for c in found] == [
        ("unit", "Quetta", "PAK.balochistan", "PAK.quetta"),
        ("place", "Quetta", "PAK.balochistan", "PAK.quetta"),
    ]
    assert found[0] == {
        "kind": "unit",
        "id": "PAK.quetta",
        "name": "Quetta",
        "detail": "district in Quetta Division, Balochistan",
        "admin1_id": "PAK.balochistan",
        "admin2_id": "PAK.quetta",
        "confidence": 1.0,
        "method": "exact",
        "latitude": None,
        "longitude": None,
    }
    assert (found[1]["latitude"], found[1]["longitude"], found[1]["method"]) == (
        30.18414,
        67.00141,
        "gazetteer",
    )


def test_lookup_of_an_unknown_name_says_so(run: Run) -> None:
    assert run("geo", "lookup", "Hazara") == (0, "nothing called 'Hazara' in PAK\n", "")


def test_units_level_1_json_has_eight_units_with_fata_ending_in_2018(run: Run) -> None:
    code, out, _ = run("geo", "units", "PAK", "--level", "1", "--json")
    assert code == 0
    units = json.loads(out)
    assert len(units) == 8
    assert {u["id"]: u["to"] for u in units if u["to"]} == {"PAK.fata": "2018-05-31"}
    (fata,) = [u for u in units if u["id"] == "PAK.fata"]
    assert fata == {
        "id": "PAK.fata",
        "level": 1,
        "kind": "tribal areas",
        "name": "Federally Administered Tribal Areas",
        "iso": "PK-TA",
        "parent": None,
        "from": None,
        "to": "2018-05-31",
        "today": "PAK.khyber-pakhtunkhwa",
    }


def test_unresolved_json_groups_by_place_and_reason(imported: Run) -> None:
    code, out, _ = imported("geo", "unresolved", "--json")
    assert code == 0
    groups = json.loads(out)
    assert sum(g["count"] for g in groups) == 8
    (khanpur,) = [g for g in groups if g["place"] == "Khanpur"]
    assert (khanpur["status"], khanpur["examples"], khanpur["candidates"]) == (
        "unresolved",
        ["ucdp-ged:900202"],
        ["PAK.rahim-yar-khan--khanpur", "PAK.shikarpur--khanpur"],
    )
    assert all(g["reason"] for g in groups)


def test_unresolved_level_1_lists_only_records_without_a_province(imported: Run) -> None:
    code, out, _ = imported("geo", "unresolved", "--level", "1", "--json")
    assert code == 0
    assert [g["examples"] for g in json.loads(out)] == [["ucdp-ged:900202"]]


def test_set_without_a_reason_is_a_usage_error(imported: Run) -> None:
    code, out, err = imported("geo", "set", "Fixture Bazaar", "Quetta")
    assert (code, out) == (2, "")
    assert err.endswith("Error: Missing option '--reason'.\n")


def test_set_by_name_stores_the_decision_and_resolves(imported: Run) -> None:
    assert imported(
        "geo",
        "set",
        "Fixture Bazaar",
        "Quetta",
        "--within",
        "Balochistan",
        "--reason",
        "Fixture reason",
        "--by",
        "tester",
    ) == (0, "decision 1 stored; 1 incident(s) changed\n", "")
    code, out, _ = imported("incidents", "--unit", "Quetta", "--csv")
    assert code == 0
    assert "ucdp-ged:900207" in out


def test_set_by_incident_resolves_that_incident(imported: Run) -> None:
    args = ("--reason", "Fixture reason", "--by", "tester")
    assert imported("geo", "set", "--incident", "ucdp-ged:900205", "Gwadar", *args) == (
        0,
        "decision 1 stored; 1 incident(s) changed\n",
        "",
    )
    code, out, err = imported("geo", "set", "--incident", "ucdp-ged:999999", "Gwadar", *args)
    assert (code, out, err) == (1, "", "error: no incident 'ucdp-ged:999999'\n")


def test_incidents_in_an_unknown_unit_is_a_clear_error(imported: Run) -> None:
    code, out, err = imported("incidents", "--unit", "Nowhere")
    assert (code, out) == (1, "")
    # The order of the suggestions is not stable (see test_units.py).
    assert err in (
        f"error: no unit called 'Nowhere' in PAK; did you mean {first}, {second}?\n"
        for first, second in permutations(["PAK.nowshera", "PAK.khushab--nowshera"])
    )


def test_incidents_in_fata_are_those_before_the_merger(imported: Run) -> None:
    code, out, _ = imported("incidents", "--unit", "FATA", "--json")
    assert code == 0
    assert [r["uid"] for r in json.loads(out)] == ["ucdp-ged:900103", "ucdp-ged:900105"]


def test_import_boundaries_reports_and_a_refusal_is_one_line(run: Run) -> None:
    squares = GEO / "geoboundaries_adm2_quetta_gwadar_squares.geojson"
    assert run("geo", "import-boundaries", str(squares), "--level", "2") == (
        0,
        f"imported 2 level-2 boundaries for PAK from {squares.name}\n",
        "",
    )
    atlantis = GEO / "geoboundaries_adm2_unknown_atlantis.geojson"
    assert run("geo", "import-boundaries", str(atlantis), "--level", "2") == (
        1,
        "",
        f"error: {atlantis}: 1 feature(s) match no unit at level 2: "
        "feature 2 'Atlantis': unknown name\n",
    )


def test_resolve_twice_changes_nothing_the_second_time(imported: Run) -> None:
    code, out, _ = imported("geo", "resolve", "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["examined"], report["changed"]) == (12, 0)
    assert report["coverage"] == [
        {
            "source": "ucdp-ged",
            "incidents": 12,
            "admin1": 11,
            "admin2": 4,
            "district": 4,
            "admin1_share": 0.9167,
            "admin2_share": 0.3333,
            "district_share": 0.3333,
        }
    ]


def test_import_without_resolving_leaves_places_for_later(run: Run) -> None:
    code, out, _ = run("import", "--no-resolve", str(resolver_tests.MERGED))
    assert code == 0 and "places:" not in out
    assert json.loads(run("geo", "unresolved", "--json")[1]) == []  # nothing placed yet
    code, out, _ = run("geo", "resolve", "--json")
    assert code == 0 and json.loads(out)["changed"] > 0


def test_import_geonames_adds_places_that_lookup_finds(run: Run) -> None:
    code, out, _ = run("geo", "import-geonames", str(GEO / "geonames_dump_with_a_mountain.txt"))
    assert (code, out) == (
        0,
        "imported 2 places from geonames_dump_with_a_mountain.txt; "
        "run 'gawahi geo resolve' to use them\n",
    )
    places = [
        c for c in json.loads(run("geo", "lookup", "Pasni", "--json")[1]) if c["kind"] == "place"
    ]
    assert [(p["name"], p["admin1_id"]) for p in places] == [("Pasni", "PAK.balochistan")]


def test_population_figures_are_shown_with_source_and_year(run: Run) -> None:
    census = DATA / "geo" / "populations" / "census_repeated_province_rows.csv"
    code, out, _ = run("geo", "import-population", str(census), "--kind", "census")
    assert code == 0 and out.startswith("imported ")
    code, out, _ = run("geo", "populations", "Quetta", "--json")
    figures = {(f["year"], f["figure"]) for f in json.loads(out)}
    source = "Pakistan Bureau of Statistics, Population and Housing Census 2017, Table 1"
    assert figures == {
        (2017, f"2,269,473 persons ({source}; 2017)"),
        (1998, f"774,547 persons ({source}; 1998)"),
    }


def test_population_import_of_a_wrong_kind_is_a_usage_error(run: Run) -> None:
    census = DATA / "geo" / "populations" / "census_repeated_province_rows.csv"
    code, _, err = run("geo", "import-population", str(census), "--kind", "guess")
    assert code == 2 and "'guess' is not one of" in err


def test_the_country_defaults_to_the_only_one_loaded_and_names_are_accepted(run: Run) -> None:
    by_default = json.loads(run("geo", "lookup", "Quetta", "--json")[1])
    by_name = json.loads(run("geo", "lookup", "Quetta", "--country", "Pakistan", "--json")[1])
    assert by_default == by_name and by_default[0]["id"] == "PAK.quetta"
    code, _, err = run("geo", "lookup", "Quetta", "--country", "Atlantis")
    assert (code, err) == (
        2,
        "error: 'Atlantis' is not a country gawahi knows; give its ISO3 code\n",
    )
