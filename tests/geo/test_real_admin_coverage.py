"""The geocoder on the real development data: coverage per source and the hand-checked
gold sample (tests/data/geo/gold_admin_sample.csv, described in its README).

SQLite only, one database for the module: the four event files are imported without
resolving, resolved once without boundaries, then the geoBoundaries ADM1 and ADM2 files
are imported and everything is resolved again. Skipped when ../shared/data is absent;
GTD only when its restricted file is there.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from gawahi.geo.boundaries import import_boundaries
from gawahi.geo.coverage import SourceCoverage, coverage
from gawahi.geo.resolve import resolve_incidents
from gawahi.geo.units import UnitIndex, sync_packs
from gawahi.sources.importer import import_file
from gawahi.store import schema
from gawahi.store.engine import connect, migrate
from tests.conftest import DATA, SHARED, shared_file

pytestmark = pytest.mark.realdata

EVENTS = {
    "ucdp-ged": ("ucdp_ged_pakistan", "conflict_data_pak.csv"),
    "pbc-suicide": ("pakistan_suicide_attacks", "pakistan_suicide_attacks_v11.csv"),
    "pbc-drone": ("pakistan_drone_attacks", "PakistanDroneAttacks.csv"),
    "gtd": ("gtd_pakistan_RESTRICTED", "globalterrorismdbPak_1970-2015.csv.gz"),
}
BOUNDARIES = "boundaries_pakistan_geoboundaries"
GOLD = DATA / "geo" / "gold_admin_sample.csv"


@dataclass
class RealStore:
    engine: sa.Engine
    sources: list[str]
    without_boundaries: dict[str, SourceCoverage]
    with_boundaries: dict[str, SourceCoverage]


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealStore]:
    files = {source: shared_file(*parts) for source, parts in EVENTS.items() if source != "gtd"}
    if SHARED.joinpath(*EVENTS["gtd"]).exists():
        files["gtd"] = SHARED.joinpath(*EVENTS["gtd"])
    adm1 = shared_file(BOUNDARIES, "PAK_ADM1_geoboundaries.geojson")
    adm2 = shared_file(BOUNDARIES, "PAK_ADM2_geoboundaries_simplified.geojson")
    engine = connect(f"sqlite:///{tmp_path_factory.mktemp('real') / 'real.sqlite'}")
    migrate(engine)
    for path in files.values():
        assert import_file(engine, path).rejected == 0
    without = _resolve(engine)
    with engine.begin() as conn:
        sync_packs(conn)
        units = UnitIndex.load(conn)
        assert import_boundaries(conn, units, adm1, 1).unmatched == []
        assert import_boundaries(conn, units, adm2, 2).unmatched == []
    yield RealStore(engine, sorted(files), without, _resolve(engine))
    engine.dispose()


def _resolve(engine: sa.Engine) -> dict[str, SourceCoverage]:
    with engine.begin() as conn:
        resolve_incidents(conn)
        return {c.source: c for c in coverage(conn)}


# --- coverage -----------------------------------------------------------------------------

ADMIN1_FLOOR = {"ucdp-ged": 0.99, "pbc-suicide": 0.98, "pbc-drone": 0.98, "gtd": 0.98}
ADMIN2_FLOOR = 0.95


@pytest.mark.parametrize("source", list(EVENTS))
def test_almost_every_incident_gets_a_province(real: RealStore, source: str) -> None:
    if source not in real.sources:
        pytest.skip(f"{source} file not present")
    share = real.with_boundaries[source].as_dict()["admin1_share"]
    assert share >= ADMIN1_FLOOR[source]


@pytest.mark.parametrize("source", list(EVENTS))
def test_almost_every_incident_gets_a_district(real: RealStore, source: str) -> None:
    if source not in real.sources:
        pytest.skip(f"{source} file not present")
    assert real.with_boundaries[source].as_dict()["admin2_share"] >= ADMIN2_FLOOR


def test_without_boundaries_ucdp_still_gets_its_provinces(real: RealStore) -> None:
    for source, found in sorted(real.without_boundaries.items()):
        shares = found.as_dict()
        print(f"without boundaries: {source}: admin2 {shares['admin2_share']:.4f}")
    assert real.without_boundaries["ucdp-ged"].as_dict()["admin1_share"] >= 0.99


def test_every_incident_has_a_place_row(real: RealStore) -> None:
    with real.engine.connect() as conn:
        total = conn.scalar(sa.select(sa.func.count()).select_from(schema.incidents))
        placed = conn.scalar(sa.select(sa.func.count()).select_from(schema.incident_places))
    assert placed == total


def test_every_incident_without_a_district_says_why(real: RealStore) -> None:
    places = schema.incident_places
    with real.engine.connect() as conn:
        unexplained = conn.scalars(
            sa.select(places.c.uid).where(
                places.c.status != "resolved",
                sa.or_(places.c.reason.is_(None), places.c.reason == ""),
            )
        ).all()
    assert unexplained == []


def test_resolving_again_changes_nothing(real: RealStore) -> None:
    with real.engine.begin() as conn:
        report = resolve_incidents(conn)
    assert report.changed == 0


# --- the gold sample ----------------------------------------------------------------------


def test_the_gold_sample_is_at_least_98_percent_right(real: RealStore) -> None:
    """Each gold row is right when both its province and its district are right.

    * admin1: ours equals the gold's (the gold name matched with ``units.match`` at
      level 1); a blank gold admin1 needs a blank ours.
    * admin2: ours equals the gold's (matched at level 2 within the gold province); or
      lies inside it (Karachi East inside Karachi); or was split from it, following
      ``Unit.split_from`` (Chaman from Killa Abdullah); or, when the gold admin2 is a
      whole territory drawn as one ADM2 unit (Azad Kashmir, a level-1 unit), ours is
      blank or inside it. A blank gold admin2 needs a blank ours.

    Only rows of the sources imported here count (GTD rows need the GTD file).
    """
    with real.engine.connect() as conn:
        units = UnitIndex.load(conn)
        places = schema.incident_places
        ours = {
            uid: (a1, a2)
            for uid, a1, a2 in conn.execute(
                sa.select(places.c.uid, places.c.admin1_id, places.c.admin2_id)
            )
        }
    rows = [r for r in _gold() if r["uid"].split(":")[0] in real.sources]
    wrong = [_verdict(units, r, *ours[r["uid"]]) for r in rows]
    wrong = [w for w in wrong if w]
    for line in wrong:
        print(line)
    assert len(rows) >= 70
    assert (len(rows) - len(wrong)) / len(rows) >= 0.98, "\n".join(wrong)


def _gold() -> list[dict[str, str]]:
    with GOLD.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _verdict(units: UnitIndex, gold: dict[str, str], a1: str | None, a2: str | None) -> str:
    """ "" when our answer is right, else a line saying how it is wrong."""
    gold_a1 = _unit(units, gold["admin1"], 1) if gold["admin1"] else None
    if a1 != gold_a1:
        return f"{gold['uid']}: admin1 {a1} but the gold says {gold_a1}"
    if not gold["admin2"]:
        return "" if a2 is None else f"{gold['uid']}: admin2 {a2} but the gold has none"
    gold_a2 = _unit(units, gold["admin2"], 2, gold_a1)
    if units.units[gold_a2].level == 1:  # a territory drawn whole (Azad Kashmir)
        if a2 is None or gold_a2 in units.ancestors(a2):
            return ""
    elif a2 is not None and (
        a2 == gold_a2 or gold_a2 in units.ancestors(a2) or gold_a2 in _split_from(units, a2)
    ):
        return ""
    return f"{gold['uid']}: admin2 {a2} but the gold says {gold_a2} ({gold['note'][:80]})"


def _unit(units: UnitIndex, name: str, level: int, within: str | None = None) -> str:
    found = units.match("PAK", name, level=level, within=within)
    if found.unique and found.method != "none":
        return found.unique
    whole = units.match("PAK", name, level=1)  # geoBoundaries ADM2 draws some territories whole
    assert whole.unique and whole.method != "none", f"gold name {name!r} is no unit"
    return whole.unique


def _split_from(units: UnitIndex, unit_id: str) -> list[str]:
    chain, current = [], units.units[unit_id].split_from
    while current and current not in chain:
        chain.append(current)
        current = units.units[current].split_from
    return chain


def test_gold_sample_names_are_all_units() -> None:
    """The gold file itself: every province and district name is a unit of the pack
    (a typo in the gold would otherwise count as our mistake)."""
    engine = connect("sqlite://")
    migrate(engine)
    with engine.begin() as conn:
        sync_packs(conn)
        units = UnitIndex.load(conn)
    rows = _gold()
    assert len(rows) == 100
    for row in rows:
        a1 = _unit(units, row["admin1"], 1) if row["admin1"] else None
        if row["admin2"]:
            _unit(units, row["admin2"], 2, a1)
    assert json.dumps(sorted({r["admin1_then"] for r in rows})) == '["", "FATA"]'
