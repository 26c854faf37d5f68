"""Boundary imports: features matched to units by name, all or nothing; points located."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from gawahi.errors import FormatError, InputError
from gawahi.geo.boundaries import BoundaryIndex, import_boundaries
from gawahi.geo.units import UnitIndex, sync_packs
from tests.conftest import DATA, count

GEO = DATA / "geo"
SQUARES = GEO / "geoboundaries_adm2_quetta_gwadar_squares.geojson"


@pytest.fixture
def units(engine: sa.Engine) -> UnitIndex:
    with engine.begin() as conn:
        sync_packs(conn)
        return UnitIndex.load(conn)


def load(engine: sa.Engine, units: UnitIndex, path: Path, level: int = 2, **options: object):
    with engine.begin() as conn:
        return import_boundaries(conn, units, path, level, **options)  # type: ignore[arg-type]


def stored(engine: sa.Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT unit_id, feature_name FROM boundaries ORDER BY id")
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_two_district_squares_are_stored_against_their_units(
    engine: sa.Engine, units: UnitIndex
) -> None:
    done = load(engine, units, SQUARES, citation="Fixture squares")
    assert (done.country, done.level, done.matched, done.unmatched) == ("PAK", 2, 2, [])
    assert stored(engine) == [("PAK.quetta", "Quetta"), ("PAK.gwadar", "Gwadar")]
    assert count(engine, "boundary_sets", "WHERE citation = 'Fixture squares'") == 1


def test_points_fall_in_their_square_or_nowhere(engine: sa.Engine, units: UnitIndex) -> None:
    load(engine, units, SQUARES)
    with engine.connect() as conn:
        index = BoundaryIndex.load_all(conn)[("PAK", 2)]
    lons = np.array([67.0, 63.469, 70.0, 67.32])
    lats = np.array([30.18, 25.263, 34.0, 30.2])
    # The last point is 2 km east of the Quetta square: within the snap distance.
    assert index.locate(lons, lats) == ["PAK.quetta", "PAK.gwadar", None, "PAK.quetta"]
    assert index.locate(lons, lats, snap_km=0) == ["PAK.quetta", "PAK.gwadar", None, None]
    assert index.distance_km("PAK.quetta", 67.0, 30.18) == 0.0
    assert 590 < index.distance_km("PAK.quetta", 63.469, 25.263) < 630  # type: ignore[operator]


def test_importing_the_level_again_replaces_it(engine: sa.Engine, units: UnitIndex) -> None:
    load(engine, units, SQUARES)
    load(engine, units, SQUARES)
    assert count(engine, "boundary_sets") == 1
    assert count(engine, "boundaries") == 2


def test_a_territory_drawn_whole_goes_to_its_only_district_or_to_itself(
    engine: sa.Engine, units: UnitIndex
) -> None:
    done = load(engine, units, GEO / "geoboundaries_adm2_territories_drawn_whole.geojson")
    assert done.unmatched == []
    assert stored(engine) == [
        ("PAK.islamabad", "Islamabad Capital Territory"),  # ICT has one district
        ("PAK.azad-jammu-and-kashmir", "Azad Kashmir"),  # its districts are not in the pack
    ]


def test_an_unknown_feature_refuses_the_file_and_stores_nothing(
    engine: sa.Engine, units: UnitIndex
) -> None:
    path = GEO / "geoboundaries_adm2_unknown_atlantis.geojson"
    with pytest.raises(FormatError) as raised:
        load(engine, units, path)
    assert str(raised.value) == (
        f"{path}: 1 feature(s) match no unit at level 2: feature 2 'Atlantis': unknown name"
    )
    assert count(engine, "boundaries") == count(engine, "boundary_sets") == 0


def test_allow_unmatched_keeps_the_rest_and_lists_the_unknown(
    engine: sa.Engine, units: UnitIndex
) -> None:
    path = GEO / "geoboundaries_adm2_unknown_atlantis.geojson"
    done = load(engine, units, path, allow_unmatched=True)
    assert (done.matched, done.unmatched) == (1, ["feature 2 'Atlantis': unknown name"])
    assert stored(engine) == [("PAK.quetta", "Quetta")]


def test_a_point_geometry_is_refused_naming_the_feature(
    engine: sa.Engine, units: UnitIndex
) -> None:
    path = GEO / "geoboundaries_adm2_point_not_area.geojson"
    with pytest.raises(FormatError) as raised:
        load(engine, units, path)
    assert str(raised.value).startswith(f"{path}: feature 2")
    assert str(raised.value).endswith(": a Point is not an area")
    assert count(engine, "boundaries") == 0


def test_an_unreadable_polygon_is_refused_naming_the_feature(
    engine: sa.Engine, units: UnitIndex
) -> None:
    path = GEO / "geoboundaries_adm2_unreadable_polygon.geojson"
    with pytest.raises(FormatError, match=r": feature 2\b.*: unreadable geometry: "):
        load(engine, units, path)
    assert count(engine, "boundaries") == 0


def test_a_bad_geometry_error_gives_the_feature_name(engine: sa.Engine, units: UnitIndex) -> None:
    with pytest.raises(FormatError, match="'Gwadar'"):
        load(engine, units, GEO / "geoboundaries_adm2_point_not_area.geojson")


def test_a_file_that_is_not_a_feature_collection_is_refused(
    engine: sa.Engine, units: UnitIndex, tmp_path: Path
) -> None:
    path = tmp_path / "one_feature.geojson"
    path.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": None}))
    with pytest.raises(FormatError, match="not a GeoJSON FeatureCollection"):
        load(engine, units, path)


def test_a_country_without_units_is_refused(
    engine: sa.Engine, units: UnitIndex, tmp_path: Path
) -> None:
    doc = json.loads(SQUARES.read_text())
    for feature in doc["features"]:
        feature["properties"]["shapeGroup"] = "AFG"
    path = tmp_path / "afg.geojson"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="no administrative units are known for country 'AFG'"):
        load(engine, units, path)


def write_feature(tmp_path: Path, name: str) -> Path:
    doc = json.loads(SQUARES.read_text())
    doc["features"] = doc["features"][:1]
    doc["features"][0]["properties"]["shapeName"] = name
    path = tmp_path / "renamed.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False))
    return path


@pytest.mark.parametrize("level", [1, 2])
def test_a_name_only_close_to_a_unit_is_not_matched(
    engine: sa.Engine, units: UnitIndex, tmp_path: Path, level: int
) -> None:
    path = write_feature(tmp_path, "Jammu and Kashmir")
    with pytest.raises(FormatError, match="'Jammu and Kashmir'"):
        load(engine, units, path, level)
