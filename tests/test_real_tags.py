"""The tagger on the real development data: issue 4's checks, recomputed from the raw files.

SQLite only, one database for the module: UCDP GED, Pakistan Body Count (suicide and
drone) and, when its restricted file is on this machine, GTD are imported without
resolving, then placed (names only, no boundaries) and tagged with the shipped packs.
Each check reads the source file itself with the csv module, so it does not trust the
importers to decide which records should carry a tag. Skipped when ../shared/data is
absent.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from gawahi.geo.resolve import resolve_incidents
from gawahi.profiles.evaluation import evaluate_tags, read_gold
from gawahi.profiles.pack import load_packs
from gawahi.profiles.tagging import tag_incidents
from gawahi.sources.importer import ImportOptions, import_file
from gawahi.store import schema
from gawahi.store.engine import connect, migrate
from tests.conftest import DATA, SHARED, shared_file

pytestmark = pytest.mark.realdata

UCDP = ("ucdp_ged_pakistan", "conflict_data_pak.csv")
PBC_SUICIDE = ("pakistan_suicide_attacks", "pakistan_suicide_attacks_v11.csv")
PBC_DRONE = ("pakistan_drone_attacks", "PakistanDroneAttacks.csv")
GTD = ("gtd_pakistan_RESTRICTED", "globalterrorismdbPak_1970-2015.csv.gz")
GOLD = DATA / "profiles" / "gold_tags.csv"
HELD_OUT = DATA / "profiles" / "heldout_tags.csv"
# Issue 4: precision >= 0.95 and recall >= 0.90 for these.
CHECKED = (
    ("shia", "victim"),
    ("hazara", "victim"),
    ("lej", "perpetrator"),
    ("ttp", "perpetrator"),
    ("is", "perpetrator"),
)


@dataclass
class TaggedStore:
    engine: sa.Engine
    with_gtd: bool


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TaggedStore]:
    files = [shared_file(*UCDP), shared_file(*PBC_SUICIDE), shared_file(*PBC_DRONE)]
    with_gtd = SHARED.joinpath(*GTD).exists()
    if with_gtd:
        files.append(SHARED.joinpath(*GTD))
    engine = connect(f"sqlite:///{tmp_path_factory.mktemp('tags') / 'real.sqlite'}")
    migrate(engine)
    for path in files:
        assert import_file(engine, path, ImportOptions(finish=None)).rejected == 0
    with engine.begin() as conn:
        resolve_incidents(conn)
        tag_incidents(conn)
    yield TaggedStore(engine, with_gtd)
    engine.dispose()


def _tagged(engine: sa.Engine, tag: str, role: str) -> set[str]:
    tags = schema.tags
    query = sa.select(tags.c.incident_uid).where(tags.c.tag == tag, tags.c.role == role)
    with engine.connect() as conn:
        return set(conn.scalars(query))


def _ucdp_rows() -> list[dict[str, str]]:
    with shared_file(*UCDP).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r for r in rows if not r["id"].startswith("#")]


def _pbc_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="cp1252") as handle:
        return [r for r in csv.DictReader(handle) if r["S#"].strip()]


def test_every_pbc_attack_coded_shiite_carries_the_shia_tag(real: TaggedStore) -> None:
    rows = _pbc_rows(shared_file(*PBC_SUICIDE))
    coded = {
        f"pbc-suicide:{r['S#'].strip()}"
        for r in rows
        if "shiite" in r["Targeted Sect if any"].casefold()
    }
    assert len(coded) == 48  # Shiite 38 + shiite 9 + Shiite/sunni 1 (SOURCE.md)
    assert coded - _tagged(real.engine, "shia", "victim") == set()


def test_every_ucdp_lej_civilians_event_carries_perpetrator_lej(real: TaggedStore) -> None:
    lej = {f"ucdp-ged:{r['id']}" for r in _ucdp_rows() if r["dyad_name"] == "LeJ - Civilians"}
    assert len(lej) == 66
    assert lej - _tagged(real.engine, "lej", "perpetrator") == set()


def test_no_hazara_victim_from_the_swat_toponym(real: TaggedStore) -> None:
    """UCDP's "Hazara town" / "Hazara area" rows in Swat name a village, not the people."""
    swat = {
        f"ucdp-ged:{r['id']}"
        for r in _ucdp_rows()
        if "hazara" in f"{r['where_coordinates']} {r['where_description']}".casefold()
        and "swat" in f"{r['adm_2']} {r['where_description']}".casefold()
    }
    assert len(swat) >= 3
    assert swat & _tagged(real.engine, "hazara", "victim") == set()


def test_no_hazara_victim_in_hazara_division_or_swat(real: TaggedStore) -> None:
    """Hazara Division (Abbottabad, Mansehra, Haripur ...) and Swat: the name is a place."""
    places = schema.incident_places
    query = sa.select(places.c.uid).where(
        places.c.admin2_id.in_(
            [
                "PAK.swat",
                "PAK.abbottabad",
                "PAK.mansehra",
                "PAK.haripur",
                "PAK.battagram",
                "PAK.torghar",
                "PAK.kohistan",
            ]
        )
    )
    with real.engine.connect() as conn:
        in_region = set(conn.scalars(query))
    assert in_region
    assert in_region & _tagged(real.engine, "hazara", "victim") == set()


def test_every_hazara_victim_tag_has_evidence_outside_place_fields(real: TaggedStore) -> None:
    tags = schema.tags
    query = sa.select(tags.c.field, tags.c.rule, tags.c.matched).where(
        tags.c.tag == "hazara", tags.c.role == "victim"
    )
    with real.engine.connect() as conn:
        evidence = conn.execute(query).all()
    assert evidence
    place_fields = {"where_coordinates", "where_description", "City", "city", "location"}
    from_place = [e for e in evidence if e.field in place_fields and not e.rule.startswith("cue:")]
    assert from_place == []


@pytest.mark.parametrize(("tag", "role"), CHECKED)
def test_gold_precision_and_recall(real: TaggedStore, tag: str, role: str) -> None:
    """Issue 4's bar on the gold file (used while building the tagger: see docs/profiles.md)."""
    score = _score(real, GOLD, tag, role)
    assert score.labelled >= 30
    assert score.precision is not None and score.precision >= 0.95, score.false_positive
    assert score.recall is not None and score.recall >= 0.90, score.false_negative


@pytest.mark.parametrize(("tag", "role"), CHECKED)
def test_held_out_precision_and_recall(real: TaggedStore, tag: str, role: str) -> None:
    """The held-out sample, never tuned against: a regression floor of 0.90 where it has
    at least ten labelled records (docs/profiles.md gives every figure and each miss)."""
    score = _score(real, HELD_OUT, tag, role)
    if score.labelled < 10:
        pytest.skip(f"{score.labelled} held-out records labelled {tag} ({role}): too few to score")
    assert score.precision is not None and score.precision >= 0.90, score.false_positive
    assert score.recall is not None and score.recall >= 0.90, score.false_negative


@dataclass
class _Score:
    labelled: int
    precision: float | None
    recall: float | None
    false_positive: list[str]
    false_negative: list[str]


def _score(real: TaggedStore, gold_file: Path, tag: str, role: str) -> _Score:
    records = read_gold(gold_file, load_packs())
    if not real.with_gtd:
        records = [r for r in records if not r.uid.startswith("gtd:")]
    with real.engine.connect() as conn:
        result = evaluate_tags(conn, records, gold_file)
    assert result.missing == []
    found = [s for s in result.scores if (s.tag, s.role) == (tag, role)]
    if not found:
        return _Score(0, None, None, [], [])
    score = found[0]
    labelled = score.true_positive + len(score.false_negative)
    return _Score(
        labelled, score.precision, score.recall, score.false_positive, score.false_negative
    )
