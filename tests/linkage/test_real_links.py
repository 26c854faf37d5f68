"""The linker on the real development data: UCDP GED and Pakistan Body Count (suicide and
drone attacks), and GTD when its restricted file is on this machine.

SQLite only, one database for the module (about a minute). The share of PBC suicide
attacks that UCDP also reports is recomputed from the raw files with the csv module:
an attack counts when UCDP has a record within two days whose district (``adm_2``)
bears the name of PBC's city. Skipped when ../shared/data is absent.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gawahi.cli import main
from gawahi.linkage.evaluation import evaluate_links
from gawahi.store import schema
from gawahi.store.engine import connect
from tests.conftest import SHARED, shared_file
from tests.linkage.conftest import LINKAGE

pytestmark = pytest.mark.realdata

UCDP = ("ucdp_ged_pakistan", "conflict_data_pak.csv")
PBC_SUICIDE = ("pakistan_suicide_attacks", "pakistan_suicide_attacks_v11.csv")
PBC_DRONE = ("pakistan_drone_attacks", "PakistanDroneAttacks.csv")
ADM1 = "PAK_ADM1_geoboundaries.geojson"
ADM2 = "PAK_ADM2_geoboundaries_simplified.geojson"
GTD = ("gtd_pakistan_RESTRICTED", "globalterrorismdbPak_1970-2015.csv.gz")
GOLD = LINKAGE / "gold_pairs.csv"
_PBC_DATE = re.compile(r"([A-Za-z]+)\s+(\d{1,2})\s*-\s*(\d{4})\s*$")


@dataclass
class LinkedStore:
    engine: sa.Engine
    with_gtd: bool


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LinkedStore]:
    """The store README command 1 builds (plus GTD when present), through the CLI."""
    files = [shared_file(*UCDP), shared_file(*PBC_SUICIDE), shared_file(*PBC_DRONE)]
    with_gtd = SHARED.joinpath(*GTD).exists()
    if with_gtd:
        files.append(SHARED.joinpath(*GTD))
    db = f"sqlite:///{tmp_path_factory.mktemp('links') / 'real.sqlite'}"
    boundaries = "boundaries_pakistan_geoboundaries"
    steps = [
        ["init"],
        ["geo", "import-boundaries", str(shared_file(boundaries, ADM1)), "--level", "1"],
        ["geo", "import-boundaries", str(shared_file(boundaries, ADM2)), "--level", "2"],
        ["import", *map(str, files)],
        ["link"],
    ]
    for step in steps:
        result = CliRunner().invoke(main, ["--db", db, *step])
        assert result.exit_code == 0, (step, result.output)
    engine = connect(db)
    yield LinkedStore(engine, with_gtd)
    engine.dispose()


def _pbc_day(text: str) -> date | None:
    found = _PBC_DATE.search(text.strip())
    if not found:
        return None
    try:
        return datetime.strptime(" ".join(found.groups()), "%B %d %Y").date()
    except ValueError:
        return None


def _name(text: str) -> str:
    return re.sub(r"\s+(district|agency|tribal agency)$", "", text.strip().casefold())


def _pbc_attacks_ucdp_also_has() -> set[str]:
    """PBC suicide attacks 2008-2017 with a UCDP record of the same district +/- 2 days
    that could be the attack (not a US strike: those share days and districts with many
    suicide attacks in the tribal areas, and UCDP codes them as their own events)."""
    ucdp: dict[tuple[str, date], int] = {}
    with shared_file(*UCDP).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["date_start"].startswith("#") or not row["adm_2"]:
                continue
            if "United States" in row["side_a"]:
                continue  # a US drone or air strike is never a suicide attack
            day = date.fromisoformat(row["date_start"][:10])
            ucdp[(_name(row["adm_2"]), day)] = 1
    found = set()
    with shared_file(*PBC_SUICIDE).open(newline="", encoding="cp1252") as handle:
        for row in csv.DictReader(handle):
            day = _pbc_day(row["Date"])
            if not row["S#"].strip() or day is None or not 2008 <= day.year <= 2017:
                continue
            city = _name(row["City"])
            if any((city, day + timedelta(days=k)) in ucdp for k in range(-2, 3)):
                found.add(f"pbc-suicide:{row['S#'].strip()}")
    return found


def _with_ucdp(engine: sa.Engine) -> set[str]:
    """PBC suicide records whose cluster holds a UCDP record."""
    cm = schema.cluster_members
    other = cm.alias("other")
    query = (
        sa.select(cm.c.uid)
        .join(other, other.c.cluster_id == cm.c.cluster_id)
        .where(cm.c.uid.like("pbc-suicide:%"), other.c.uid.like("ucdp-ged:%"))
        .distinct()
    )
    with engine.connect() as conn:
        return set(conn.scalars(query))


def _pbc_2008_2017(engine: sa.Engine) -> set[str]:
    inc = schema.incidents
    query = sa.select(inc.c.uid).where(
        inc.c.source == "pbc-suicide",
        inc.c.date_start >= date(2008, 1, 1),
        inc.c.date_start <= date(2017, 12, 31),
    )
    with engine.connect() as conn:
        return set(conn.scalars(query))


def test_pbc_suicide_attacks_that_ucdp_reports_end_in_a_cluster_with_it(
    real: LinkedStore,
) -> None:
    attacks = _pbc_2008_2017(real.engine)
    linked = _with_ucdp(real.engine) & attacks
    share = len(linked) / len(attacks)
    print(f"PBC suicide attacks 2008-2017 in a cluster with UCDP: {len(linked)}/{len(attacks)}")
    print(f"  = {share:.3f}")
    reported = _pbc_attacks_ucdp_also_has()
    assert len(reported) >= 200
    missed = sorted(reported - linked)
    print(f"of those UCDP may report: {len(reported & linked)}/{len(reported)}")
    assert len(reported & linked) / len(reported) >= 0.9, missed


def test_snooker_hall_bombing_links_to_ucdp_not_the_bla_bomb(real: LinkedStore) -> None:
    cm = schema.cluster_members
    with real.engine.connect() as conn:
        clusters = {
            uid: cid
            for uid, cid in conn.execute(
                sa.select(cm.c.uid, cm.c.cluster_id).where(
                    cm.c.uid.in_(["pbc-suicide:369", "ucdp-ged:63107", "ucdp-ged:63006"])
                )
            )
        }
    assert clusters["pbc-suicide:369"] == clusters["ucdp-ged:63107"]
    assert clusters["ucdp-ged:63006"] != clusters["ucdp-ged:63107"]


def test_gold_precision_and_recall(real: LinkedStore) -> None:
    if not real.with_gtd:
        pytest.skip(f"GTD not present: {SHARED.joinpath(*GTD)}")
    with real.engine.connect() as conn:
        result = evaluate_links(conn, GOLD)
    assert result.missing == []
    score = result.overall
    print("gold:", score.as_dict())
    print(
        "false positives:", [(p.line, p.uid_a, p.uid_b, p.hard_case) for p in score.false_positive]
    )
    print(
        "false negatives:", [(p.line, p.uid_a, p.uid_b, p.hard_case) for p in score.false_negative]
    )
    assert score.precision is not None and score.precision >= 0.95, score.false_positive
    assert score.recall is not None and score.recall >= 0.90, score.false_negative


def test_heldout_pairs_stay_near_what_was_measured(real: LinkedStore) -> None:
    """The held-out pairs were labelled blind, after the linker was built; on 2026-12-05
    they gave precision 33/36 and recall 33/34. A regression guard, not the issue's bar
    (precision 0.95), which the held-out set does not reach: see docs/linkage.md."""
    if not real.with_gtd:
        pytest.skip(f"GTD not present: {SHARED.joinpath(*GTD)}")
    with real.engine.connect() as conn:
        result = evaluate_links(conn, LINKAGE / "heldout_pairs.csv")
    assert result.missing == []
    score = result.overall
    print("held-out:", score.as_dict())
    assert (score.precision or 0) >= 0.9 and (score.recall or 0) >= 0.9, score.as_dict()
