"""Units in the store: names to units, today's province, former units, and lookups."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from gawahi.errors import NotFound
from gawahi.geo.lookup import lookup, resolve_unit
from gawahi.geo.units import UnitIndex, sync_packs
from tests.conftest import count

KP = "PAK.khyber-pakhtunkhwa"


@pytest.fixture
def units(engine: sa.Engine) -> UnitIndex:
    with engine.begin() as conn:
        assert sync_packs(conn) == ["PAK"]
        return UnitIndex.load(conn)


def one(units: UnitIndex, text: str, level: int | None = None) -> str | None:
    found = units.match("PAK", text, level=level)
    return found.unique if found.method != "none" else None


def test_loading_the_packs_again_changes_nothing(engine: sa.Engine, units: UnitIndex) -> None:
    before = count(engine, "admin_unit_names")
    with engine.begin() as conn:
        assert sync_packs(conn) == []
    assert count(engine, "admin_unit_names") == before > 1000
    assert count(engine, "admin_units", "WHERE level = 1") == 8


@pytest.mark.parametrize("text", ["Quetta", "Quetta district", "QUETTA DISTRICT", "کوئٹہ", "كويٹه"])
def test_quetta_in_any_spelling_is_the_district(units: UnitIndex, text: str) -> None:
    assert one(units, text) == "PAK.quetta"


def test_quetta_division_is_the_division(units: UnitIndex) -> None:
    assert one(units, "Quetta Division") == "PAK.quetta-division"
    assert units.units["PAK.quetta-division"].level == 2
    assert units.current_parent("PAK.quetta") == "PAK.quetta-division"


def test_karachi_is_karachi_as_a_whole_with_its_districts_inside(units: UnitIndex) -> None:
    assert one(units, "Karachi") == "PAK.karachi"
    assert "PAK.karachi" in units.ancestors("PAK.karachi-east")
    assert not units.is_leaf_district("PAK.karachi")
    assert units.is_leaf_district("PAK.karachi-east")


@pytest.mark.parametrize("text", ["Balochistan", "Baluchistan", "بلوچستان"])
def test_balochistan_spellings(units: UnitIndex, text: str) -> None:
    assert one(units, text, level=1) == "PAK.balochistan"


def test_nwfp_and_khyber_pakhtunkhwa_are_one_province(units: UnitIndex) -> None:
    assert one(units, "NWFP", level=1) == one(units, "Khyber Pakhtunkhwa", level=1) == KP
    assert one(units, "N.W.F.P.", level=1) == KP


def test_kurram_agency_is_kurram_district_in_kp_today(units: UnitIndex) -> None:
    assert one(units, "Kurram Agency") == "PAK.kurram"
    assert one(units, "kuram agency") == "PAK.kurram"
    assert units.admin1("PAK.kurram") == KP
    assert units.current_parent("PAK.kurram") == "PAK.kohat-division"
    assert "PAK.fata" in units.ancestors("PAK.kurram")  # it was in FATA


def test_fata_is_kp_today(units: UnitIndex) -> None:
    assert one(units, "FATA", level=1) == "PAK.fata"
    assert units.today("PAK.fata") == KP
    assert units.admin1("PAK.fata") == KP


def test_frontier_region_kohat_is_kohat_district_today(units: UnitIndex) -> None:
    assert one(units, "FR Kohat") == "PAK.fr-kohat"
    assert one(units, "Darra Adam Khel") == "PAK.fr-kohat"
    assert units.today("PAK.fr-kohat") == "PAK.kohat"
    assert units.admin2("PAK.fr-kohat") == "PAK.kohat"
    assert units.admin1("PAK.fr-kohat") == KP


def test_chaman_was_split_from_killa_abdullah(units: UnitIndex) -> None:
    assert units.units["PAK.chaman"].split_from == "PAK.killa-abdullah"
    assert units.admin2("PAK.killa-abdullah--chaman") == "PAK.killa-abdullah"  # the 2017 tehsil


def test_hazara_alone_matches_no_unit(units: UnitIndex) -> None:
    found = units.match("PAK", "Hazara")
    assert (found.units, found.method) == ((), "none")
    assert one(units, "Hazara Division") == "PAK.hazara-division"


def test_a_listed_misspelling_of_a_province_is_exact(units: UnitIndex) -> None:
    found = units.match("PAK", "Khyber Pakhtunkwa", level=1)
    assert (found.unique, found.method) == (KP, "exact")


def test_an_unlisted_misspelling_of_a_province_matches_fuzzily(units: UnitIndex) -> None:
    found = units.match("PAK", "Khyber Pakhtunkhwaa", level=1)
    assert (found.unique, found.method) == (KP, "fuzzy")
    assert 0 < found.score < 0.95  # fuzzy matches are never as sure as a listed name


def test_a_name_far_from_every_unit_gives_suggestions_only(units: UnitIndex) -> None:
    found = units.match("PAK", "Quetttaa", level=2)
    assert (found.units, found.score, found.method) == (("PAK.quetta",), 0.0, "none")


def test_fuzzy_matching_can_be_turned_off(units: UnitIndex) -> None:
    assert units.match("PAK", "Khyber Pakhtunkhwaa", level=1, fuzzy=False).units == ()


def test_within_limits_matches_to_a_province(units: UnitIndex) -> None:
    assert units.match("PAK", "Quetta", within="PAK.balochistan").unique == "PAK.quetta"
    assert units.match("PAK", "Quetta", within="PAK.sindh").units == ()


def test_a_name_two_units_share_is_ambiguous(units: UnitIndex) -> None:
    found = units.match("PAK", "Khanpur", level=3)
    assert found.unique is None
    assert set(found.units) == {"PAK.rahim-yar-khan--khanpur", "PAK.shikarpur--khanpur"}


def test_resolve_unit_accepts_names_and_ids(units: UnitIndex) -> None:
    assert resolve_unit(units, "PAK", "Kurram") == "PAK.kurram"
    assert resolve_unit(units, "PAK", "PAK.kurram") == "PAK.kurram"
    assert resolve_unit(units, "PAK", "kurram") == "PAK.kurram"


def test_resolve_unit_explains_an_unknown_name(units: UnitIndex) -> None:
    with pytest.raises(NotFound) as raised:
        resolve_unit(units, "PAK", "Nowhere")
    message, _, suggestions = str(raised.value).partition("; did you mean ")
    assert message == "no unit called 'Nowhere' in PAK"
    assert sorted(suggestions.rstrip("?").split(", ")) == ["PAK.khushab--nowshera", "PAK.nowshera"]


SUGGEST = """
from gawahi.geo.units import UnitIndex, sync_packs
from gawahi.store.engine import connect, migrate
engine = connect("sqlite://")
migrate(engine)
with engine.begin() as conn:
    sync_packs(conn)
    print(UnitIndex.load(conn).match("PAK", "Nowhere").units)
"""


def test_suggestions_come_in_the_same_order_in_every_process() -> None:
    outputs = {
        subprocess.run(
            [sys.executable, "-c", SUGGEST],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1, outputs


def test_resolve_unit_lists_the_units_of_an_ambiguous_name(units: UnitIndex) -> None:
    with pytest.raises(NotFound, match=r"'Khanpur' could be several units: PAK\.rahim-yar-khan"):
        resolve_unit(units, "PAK", "Khanpur")


def test_lookup_describes_the_unit(engine: sa.Engine, units: UnitIndex) -> None:
    with engine.connect() as conn:
        found = lookup(conn, "Kurram Agency", "PAK")
    assert [(c.kind, c.id, c.admin1_id, c.admin2_id, c.method) for c in found] == [
        ("unit", "PAK.kurram", KP, "PAK.kurram", "exact")
    ]
    assert found[0].detail == "district in Kohat Division, Khyber Pakhtunkhwa"


def test_lookup_of_a_former_unit_says_what_it_is_today(engine: sa.Engine, units: UnitIndex) -> None:
    with engine.connect() as conn:
        (found,) = lookup(conn, "FR Kohat", "PAK")
    assert (
        found.detail
        == "frontier region in Federally Administered Tribal Areas (until 2018-05-31; today Kohat)"
    )


def test_lookup_in_a_country_without_units_is_not_found(
    engine: sa.Engine, units: UnitIndex
) -> None:
    with engine.connect() as conn, pytest.raises(NotFound, match="no administrative units"):
        lookup(conn, "Kabul", "AFG")
