"""Shared fixtures of the linkage tests: stores with real UCDP/PBC rows, and records built
by hand for the array-level tests (blocking, comparisons, clustering)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from gawahi.geo import gazetteer
from gawahi.geo.resolve import resolve_incidents
from gawahi.geo.units import sync_packs
from gawahi.linkage.kinds import event_kinds
from gawahi.linkage.records import LinkRecords, informative_words
from gawahi.profiles.tagging import tag_incidents
from gawahi.sources.importer import ImportOptions, import_file
from gawahi.store import schema
from tests.conftest import DATA
from tests.profiles.conftest import GAZETTEER

LINKAGE = DATA / "linkage"
# Quetta, 2013-01-10: UCDP's LeJ snooker hall bombing (63107) and a BLA bomb (63006).
SNOOKER_UCDP = LINKAGE / "ucdp_quetta_snooker_hall_and_bla_bomb_same_day.csv"
SNOOKER_PBC = LINKAGE / "pbc_suicide_quetta_snooker_hall_two_bombers.csv"
# The public rows behind the community register (README "Community register fixture").
HAZARA_UCDP = LINKAGE / "ucdp_quetta_hazara_attacks_and_same_day_others.csv"
HAZARA_PBC = LINKAGE / "pbc_suicide_quetta_hazara_attacks_split_hospital.csv"
REGISTER = LINKAGE / "register_quetta_hazara.csv"
REGISTER_MAPPING = LINKAGE / "register_quetta_hazara.yaml"
EXPECTED = LINKAGE / "register_expected_links.csv"


@pytest.fixture
def store(engine: sa.Engine) -> sa.Engine:
    """A migrated store with admin units and a tiny gazetteer (places resolve by name)."""
    with engine.begin() as conn:
        sync_packs(conn)
        gazetteer.import_geonames(conn, GAZETTEER)
    return engine


def import_records(engine: sa.Engine, *paths: Path) -> None:
    """Import files as ``gawahi import`` does: places resolved, shipped packs tagged."""

    def finish(conn: sa.Connection, dataset_id: int) -> None:
        resolve_incidents(conn, dataset_id=dataset_id)
        tag_incidents(conn, dataset_id=dataset_id)

    for path in paths:
        mapping = REGISTER_MAPPING if path == REGISTER else None
        report = import_file(engine, path, ImportOptions(mapping=mapping, finish=finish))
        assert (report.rejected, report.dataset_id is not None) == (0, True), report.problems


@pytest.fixture
def hazara(store: sa.Engine) -> sa.Engine:
    """UCDP and PBC rows of the Quetta Hazara attacks and the register rows."""
    import_records(store, HAZARA_UCDP, HAZARA_PBC, REGISTER)
    return store


def cluster_of(engine: sa.Engine) -> dict[str, int]:
    cm = schema.cluster_members
    with engine.connect() as conn:
        return {uid: cid for uid, cid in conn.execute(sa.select(cm.c.uid, cm.c.cluster_id))}


def together(clusters: dict[str, int], *uids: str) -> bool:
    return len({clusters[u] for u in uids}) == 1


def make_records(rows: Iterable[dict[str, Any]]) -> LinkRecords:
    """LinkRecords from dicts; keys left out take a neutral default.

    uid, source, country ("PAK"), start/end (dates), slack (1), lat/lon, radius (5 km),
    admin1/admin2 (names), deaths (low, best, high), kind (a kinds.yaml name), perps
    (set of tags), part (a name), text.
    """
    rows = list(rows)
    codes: dict[str, dict[Any, int]] = {}

    def code(space: str, value: Any) -> int:
        if value is None:
            return -1
        table = codes.setdefault(space, {})
        return table.setdefault(value, len(table))

    kind_names = sorted({r.kind for r in event_kinds().rules})
    tags = sorted(set().union(*(r.get("perps", set()) for r in rows)))
    perps = np.zeros((len(rows), 1), dtype=np.uint64)
    for i, r in enumerate(rows):
        for tag in r.get("perps", set()):
            perps[i, 0] |= np.uint64(1) << np.uint64(tags.index(tag))
    deaths = [r.get("deaths", (None, None, None)) for r in rows]
    floats = lambda values: np.array(  # noqa: E731
        [np.nan if v is None else v for v in values], dtype=np.float64
    )
    sources = [r["source"] for r in rows]
    start = [r.get("start", date(2013, 1, 10)) for r in rows]
    return LinkRecords(
        uids=[r["uid"] for r in rows],
        sources=sources,
        source=np.array([code("source", s) for s in sources], dtype=np.int16),
        source_names=list(codes["source"]),
        country=np.array([code("country", r.get("country", "PAK")) for r in rows], np.int32),
        start=np.array([d.toordinal() for d in start], dtype=np.int32),
        end=np.array(
            [r.get("end", s).toordinal() for r, s in zip(rows, start, strict=True)], np.int32
        ),
        slack=np.array([r.get("slack", 1) for r in rows], dtype=np.int16),
        lat=floats(r.get("lat", 30.18) for r in rows),
        lon=floats(r.get("lon", 67.0) for r in rows),
        radius=np.array([r.get("radius", 5.0) for r in rows], dtype=np.float64),
        admin1=np.array([code("unit", r.get("admin1")) for r in rows], dtype=np.int32),
        admin2=np.array([code("unit", r.get("admin2")) for r in rows], dtype=np.int32),
        deaths_low=floats(d[0] for d in deaths),
        deaths_best=floats(d[1] for d in deaths),
        deaths_high=floats(d[2] for d in deaths),
        kind=np.array(
            [kind_names.index(r["kind"]) if r.get("kind") else -1 for r in rows], np.int16
        ),
        kind_names=kind_names,
        perpetrators=perps,
        part=np.array([code("part", r.get("part")) for r in rows], dtype=np.int32),
        words=informative_words([r.get("text", "") for r in rows]),
        undated=[],
    )
