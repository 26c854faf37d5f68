"""Population denominators: census and group-estimate imports, and reading them back."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from gawahi.errors import InputError
from gawahi.geo.pack import load_pack
from gawahi.geo.populations import (
    CENSUS_SOURCE,
    Denominator,
    PopulationImport,
    denominators,
    import_census,
    import_estimates,
)
from gawahi.geo.units import UnitIndex, sync_packs
from gawahi.store import schema
from tests.conftest import DATA, count, shared_file

FILES = DATA / "geo" / "populations"
CENSUS = FILES / "census_repeated_province_rows.csv"
ESTIMATES = FILES / "estimates_ranges_percent_and_persons.csv"
HAZARA = "Hazara (ethnic, mostly Shia)"
SHIA_SHARE = "Shia Muslims (share of Muslim population)"


@pytest.fixture
def units(engine: sa.Engine) -> UnitIndex:
    """The bundled packs loaded into the store, and their index."""
    with engine.begin() as conn:
        sync_packs(conn)
        return UnitIndex.load(conn)


def census(
    engine: sa.Engine, units: UnitIndex, path: Path = CENSUS, **options: bool
) -> PopulationImport:
    with engine.begin() as conn:
        return import_census(conn, units, path, country="PAK", **options)


def estimates(engine: sa.Engine, units: UnitIndex, path: Path = ESTIMATES) -> PopulationImport:
    with engine.begin() as conn:
        return import_estimates(conn, units, path, country="PAK")


def figures(engine: sa.Engine, unit_id: str | None, **query: object) -> list[Denominator]:
    with engine.connect() as conn:
        return denominators(conn, unit_id, **query)  # type: ignore[arg-type]


def stored(engine: sa.Engine) -> dict[tuple[str | None, int], float]:
    table = schema.populations
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.unit_id, table.c.year, table.c.value))
        return {(row.unit_id, row.year): row.value for row in rows}


# --- census ----------------------------------------------------------------------------


def test_census_rows_land_on_the_right_units(engine: sa.Engine, units: UnitIndex) -> None:
    result = census(engine, units)
    values = stored(engine)
    assert values[("PAK.quetta", 2017)] == 2_269_473
    assert values[("PAK.quetta", 1998)] == 774_547
    assert values[("PAK.quetta-division", 2017)] == 4_170_194  # "QUETTA DIVISION", not the district
    assert values[("PAK.karachi", 2017)] == 16_024_894
    assert values[("PAK.balochistan", 2017)] == 12_335_129
    assert values[("PAK.kurram", 2017)] == 615_372  # "KURRAM AGENCY", today's Kurram district
    assert values[(None, 2017)] == 207_684_626  # the country has no unit
    assert result.unmatched == []


def test_census_keeps_one_figure_per_unit_and_year(engine: sa.Engine, units: UnitIndex) -> None:
    result = census(engine, units)
    # 8 records: Balochistan twice (Pakistan table and its own); Islamabad is the
    # territory and its one district, so 8 places x 2 years.
    assert result.rows == 16 == count(engine, "populations")
    assert stored(engine)[("PAK.islamabad-capital-territory", 2017)] == 2_003_368
    assert stored(engine)[("PAK.islamabad", 2017)] == 2_003_368
    assert any("repeated" in note for note in result.notes)


def test_census_rows_carry_source_file_and_line(engine: sa.Engine, units: UnitIndex) -> None:
    census(engine, units)
    table = schema.populations
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(table).where(table.c.unit_id == "PAK.quetta", table.c.year == 2017)
        ).one()
    assert row.source == CENSUS_SOURCE
    assert (row.file_name, row.line) == (CENSUS.name, 7)
    assert len(row.file_sha256) == 64
    assert (row.group_name, row.measure) == (None, "persons")


def test_country_row_is_named_without_a_unit(engine: sa.Engine, units: UnitIndex) -> None:
    census(engine, units)
    (pakistan, *_) = figures(engine, None, place="Pakistan", year=2017)
    assert (pakistan.unit_id, pakistan.place_name, pakistan.year) == (None, "Pakistan", 2017)


def test_reimporting_the_census_changes_nothing(engine: sa.Engine, units: UnitIndex) -> None:
    census(engine, units)
    before = stored(engine)
    again = census(engine, units)
    assert (again.rows, again.replaced) == (16, 16)
    assert stored(engine) == before
    assert count(engine, "populations") == 16


def test_unknown_name_fails_with_line_and_field(engine: sa.Engine, units: UnitIndex) -> None:
    path = FILES / "census_unknown_district.csv"
    with pytest.raises(InputError) as caught:
        census(engine, units, path)
    assert caught.value.line == 3
    assert str(caught.value) == (
        f"{path}, line 3: field 'admin_unit': 'SHALKOT NORTH DISTRICT' "
        "matches no unit at level 2 in PAK.balochistan"
    )
    assert count(engine, "populations") == 0


def test_failed_import_leaves_earlier_rows(engine: sa.Engine, units: UnitIndex) -> None:
    census(engine, units)
    with pytest.raises(InputError):
        census(engine, units, FILES / "census_unknown_district.csv")
    assert count(engine, "populations") == 16


def test_unknown_name_is_kept_without_a_unit_when_allowed(
    engine: sa.Engine, units: UnitIndex
) -> None:
    result = census(engine, units, FILES / "census_unknown_district.csv", allow_unmatched=True)
    assert result.unmatched == ["line 3: SHALKOT NORTH DISTRICT"]
    assert stored(engine)[(None, 2017)] == 123_456
    assert figures(engine, None, place="SHALKOT NORTH DISTRICT")[0].line == 3


def test_fractional_head_count_fails_with_line_and_field(
    engine: sa.Engine, units: UnitIndex
) -> None:
    path = FILES / "census_fractional_head_count.csv"
    with pytest.raises(InputError) as caught:
        census(engine, units, path)
    assert str(caught.value) == f"{path}, line 3: field 'pop_1998': '774547.5' is not a head count"
    assert count(engine, "populations") == 0


def test_repeated_row_with_another_figure_fails(engine: sa.Engine, units: UnitIndex) -> None:
    path = FILES / "census_repeat_disagrees.csv"
    with pytest.raises(InputError) as caught:
        census(engine, units, path)
    assert caught.value.line == 3
    assert "differs from 12,335,129 on line 2" in caught.value.reason


def test_missing_1998_figure_stores_2017_only(engine: sa.Engine, units: UnitIndex) -> None:
    result = census(engine, units, FILES / "census_quetta_1998_missing.csv")
    assert result.rows == 1
    assert list(stored(engine)) == [("PAK.quetta", 2017)]


def test_district_sharing_its_division_name_is_the_district(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        sync_packs(conn, [load_pack(FILES / "pack_division_shares_district_name.yaml")])
        units = UnitIndex.load(conn)
        assert units.match("TST", "ALPHA DISTRICT", level=2).units == ("TST.alpha-division",)
        path = FILES / "census_division_shares_district_name.csv"
        import_census(conn, units, path, country="TST")
    assert stored(engine)[("TST.alpha", 2017)] == 1000
    assert stored(engine)[("TST.alpha-division", 2017)] == 3000


def test_census_describe_shows_source_and_year(engine: sa.Engine, units: UnitIndex) -> None:
    census(engine, units)
    quetta = figures(engine, "PAK.quetta", year=2017)
    assert [d.year for d in quetta] == [2017, 1998]
    assert quetta[0].describe() == (
        "2,269,473 persons (Pakistan Bureau of Statistics, Population and Housing Census "
        "2017, Table 1; 2017)"
    )
    assert not quetta[0].disputed


def test_nearest_year_comes_first(engine: sa.Engine, units: UnitIndex) -> None:
    census(engine, units)
    assert [d.year for d in figures(engine, "PAK.quetta", year=2001)] == [1998, 2017]
    assert [d.year for d in figures(engine, "PAK.quetta")] == [2017, 1998]


# --- group estimates -------------------------------------------------------------------


def test_estimates_keep_ranges_and_measures(engine: sa.Engine, units: UnitIndex) -> None:
    result = estimates(engine, units)
    assert result.rows == 7
    (hazara,) = figures(engine, None, group=HAZARA, place="Pakistan")
    assert (hazara.low, hazara.high, hazara.value) == (650_000, 900_000, 775_000)
    assert (hazara.measure, hazara.year, hazara.disputed) == ("persons", 2020, True)
    shares = figures(engine, None, group=SHIA_SHARE, place="Pakistan", year=2010)
    assert [(d.year, d.low, d.high, d.measure) for d in shares] == [
        (2009, 10, 15, "percent"),
        (2014, 20, 20, "percent"),
    ]


def test_estimates_describe_ranges_percent_and_approximate_years(
    engine: sa.Engine, units: UnitIndex
) -> None:
    estimates(engine, units)
    (hazara,) = figures(engine, None, group=HAZARA, place="Pakistan")
    assert hazara.describe() == (
        "650,000–900,000 persons (Hazaras of Quetta (The Geopolitics 2023); c.2020; disputed range)"
    )
    share_2009, share_2014 = figures(engine, None, group=SHIA_SHARE, year=2009)
    assert share_2009.describe() == (
        "10–15% (How many Shia communities are there in Pakistan? (secondary summary); 2009; "
        "disputed range)"
    )
    assert (
        share_2014.describe() == "20% (Human Rights Watch (2014) 'We are the Walking Dead'; 2014)"
    )


def test_estimate_places_match_units(engine: sa.Engine, units: UnitIndex) -> None:
    estimates(engine, units)
    (quetta,) = figures(engine, "PAK.quetta", group=HAZARA)  # the city is in Quetta district
    assert (quetta.value, quetta.source_url) == (
        500_000,
        "https://thegeopolitics.com/hazaras-of-quetta-from-a-thriving-tribe-to-an-enclaved-community/",
    )
    (karachi,) = figures(engine, "PAK.karachi", group=HAZARA)  # Karachi as a whole
    assert (karachi.low, karachi.high) == (40_000, 40_000)  # only one end given
    (left,) = figures(engine, "PAK.balochistan", group="Hazara who left the province (2009-2014)")
    assert left.value == 30_000


def test_neighbourhood_is_kept_by_name(engine: sa.Engine, units: UnitIndex) -> None:
    result = estimates(engine, units)
    assert result.unmatched == []
    assert any("Quetta - Hazara Town is a neighbourhood" in note for note in result.notes)
    (town,) = figures(
        engine, None, group="total population (Hazara majority)", place="quetta – hazara town"
    )
    assert (town.unit_id, town.place_name, town.year) == (None, "Quetta - Hazara Town", 2020)
    assert town.year_label == "1998-2020s"
    assert town.describe().endswith("(Wikipedia: Hazara Town; 1998-2020s; disputed range)")
    assert town.note is not None and "reliability: low: inconsistent revisions" in town.note


def test_estimate_with_unknown_measure_fails(engine: sa.Engine, units: UnitIndex) -> None:
    path = FILES / "estimates_unit_households.csv"
    with pytest.raises(InputError) as caught:
        estimates(engine, units, path)
    assert (
        str(caught.value) == f"{path}, line 3: field 'unit': 'households' is not persons or percent"
    )
    assert count(engine, "populations") == 0


def test_estimate_with_reversed_range_fails(engine: sa.Engine, units: UnitIndex) -> None:
    path = FILES / "estimates_low_above_high.csv"
    with pytest.raises(InputError) as caught:
        estimates(engine, units, path)
    assert (caught.value.line, caught.value.reason) == (
        2,
        "field 'estimate_high': 650000 is below estimate_low 900000",
    )


def test_estimate_for_unknown_city_fails(engine: sa.Engine, units: UnitIndex) -> None:
    path = FILES / "estimates_unknown_city.csv"
    with pytest.raises(InputError) as caught:
        estimates(engine, units, path)
    assert (caught.value.line, caught.value.reason) == (
        2,
        "field 'place': 'Atlantis' matches no unit",
    )


def test_reimporting_estimates_changes_nothing(engine: sa.Engine, units: UnitIndex) -> None:
    estimates(engine, units)
    again = estimates(engine, units)
    assert (again.rows, again.replaced) == (7, 7)
    assert count(engine, "populations") == 7


def test_sources_that_disagree_make_a_figure_disputed(engine: sa.Engine, units: UnitIndex) -> None:
    census(engine, units)
    estimates(engine, units, FILES / "estimates_second_total_for_quetta.csv")
    both = figures(engine, "PAK.quetta", year=2017)
    assert [(d.year, d.value) for d in both][:2] in (
        [(2017, 2_269_473), (2017, 2_300_000)],
        [(2017, 2_300_000), (2017, 2_269_473)],
    )
    assert all(d.disputed for d in both if d.year == 2017)
    assert both[0].describe().endswith("; 2017; other sources give other figures)")
    assert not next(d for d in both if d.year == 1998).disputed


def test_country_must_have_units(engine: sa.Engine, units: UnitIndex) -> None:
    with engine.begin() as conn, pytest.raises(InputError, match="no administrative units"):
        import_estimates(conn, units, ESTIMATES, country="AFG")


# --- the real files --------------------------------------------------------------------


@pytest.mark.realdata
def test_real_census_matches_every_unit(engine: sa.Engine, units: UnitIndex) -> None:
    path = shared_file("census_pakistan_2017", "pakistan_census2017_table1_admin_units.csv")
    result = census(engine, units, path)
    assert result.unmatched == []
    # 175 records: 6 provinces repeated, Islamabad also its district: 170 places x 2 years.
    assert result.rows == 340
    table = schema.populations
    with engine.connect() as conn:
        districts = conn.execute(
            sa.select(sa.func.count()).where(
                table.c.year == 2017,
                table.c.unit_id.in_(
                    sa.select(schema.admin_units.c.id).where(
                        schema.admin_units.c.level == 2, schema.admin_units.c.kind != "division"
                    )
                ),
            )
        ).scalar_one()
    assert districts == 135  # 134 districts and agencies, and Islamabad district


@pytest.mark.realdata
def test_real_estimates_import(engine: sa.Engine, units: UnitIndex) -> None:
    path = shared_file("hazara_shia_population_estimates", "hazara_shia_population_estimates.csv")
    result = estimates(engine, units, path)
    assert (result.rows, result.unmatched) == (8, [])
    assert len([n for n in result.notes if "neighbourhood" in n]) == 2
    (quetta,) = figures(engine, "PAK.quetta", group=HAZARA)
    assert quetta.value == 500_000


def test_group_may_be_named_by_its_first_words(engine: sa.Engine, units: UnitIndex) -> None:
    estimates(engine, units)
    assert [d.group for d in figures(engine, "PAK.quetta", group="hazara")] == [HAZARA]
    assert [d.group for d in figures(engine, "PAK.balochistan", group="Hazara")] == [
        "Hazara who left the province (2009-2014)"
    ]
    assert figures(engine, "PAK.quetta", group="Haz") == []
