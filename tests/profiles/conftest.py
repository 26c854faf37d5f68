"""Shared fixtures of the tagging tests: the fixture packs, a store with admin units, and
imports that resolve places and tag with the fixture pack, as ``gawahi import`` does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gawahi.geo import gazetteer
from gawahi.geo.resolve import resolve_incidents
from gawahi.geo.units import sync_packs
from gawahi.profiles.pack import ProfilePacks, load_packs
from gawahi.profiles.tagging import TagReport, tag_incidents
from gawahi.sources.importer import ImportOptions, ImportReport, import_file
from gawahi.store import schema
from tests.conftest import DATA

TAGGING = DATA / "tagging"
# A tiny gazetteer in the store keeps resolving from loading the large default one; the
# fixture records are placed by their admin names (adm_1/adm_2, provstate, admin1 ...).
GAZETTEER = DATA / "geo" / "geonames_dump_with_a_mountain.txt"
PACK = TAGGING / "pack_sects_cues_negatives_armed_groups.yaml"
CLI_PACK = TAGGING / "pack_fictional_groups_for_cli.yaml"
HAZARA_TOWN = TAGGING / "ucdp_hazara_town_in_quetta_and_swat.csv"
SIDES = TAGGING / "ucdp_one_sided_and_state_based_sides.csv"
GTD = TAGGING / "gtd_uncertain_group_and_target_words.csv"
PBC = TAGGING / "pbc_suicide_targeted_sect_codes_cp1252.csv"
ACLED = TAGGING / "acled_assoc_actors_by_side.csv"
REGISTER = TAGGING / "tabular_register_target_and_perpetrator_columns.csv"
REGISTER_MAPPING = TAGGING / "tabular_register_target_and_perpetrator_mapping.yaml"
TESTANI = TAGGING / "ucdp_fictional_testani_two_years.csv"
ALL_RECORDS = (HAZARA_TOWN, SIDES, GTD, PBC, ACLED, REGISTER)


@pytest.fixture
def packs() -> ProfilePacks:
    return load_packs([PACK])


@pytest.fixture
def store(engine: sa.Engine) -> sa.Engine:
    """A migrated store with the admin units of the geo packs (cues need PAK.quetta)."""
    with engine.begin() as conn:
        sync_packs(conn)
        gazetteer.import_geonames(conn, GAZETTEER)
    return engine


def import_records(
    engine: sa.Engine,
    path: Path,
    packs: ProfilePacks | None,
    reports: list[TagReport] | None = None,
    **options: Any,
) -> ImportReport:
    """Import one fixture file, resolve its places and (with ``packs``) tag it."""

    def finish(conn: sa.Connection, dataset_id: int) -> None:
        resolve_incidents(conn, dataset_id=dataset_id)
        if packs is not None:
            report = tag_incidents(conn, dataset_id=dataset_id, packs=packs)
            if reports is not None:
                reports.append(report)

    mapping = REGISTER_MAPPING if path == REGISTER else None
    report = import_file(engine, path, ImportOptions(mapping=mapping, finish=finish, **options))
    assert (report.rejected, report.dataset_id is not None) == (0, True), report.problems
    return report


def stored_tags(engine: sa.Engine, uid: str) -> list[tuple[Any, ...]]:
    """(tag, role, method, rule, field, matched, confidence) of one incident, in order."""
    tags = schema.tags
    query = sa.select(
        tags.c.tag,
        tags.c.role,
        tags.c.method,
        tags.c.rule,
        tags.c.field,
        tags.c.matched,
        tags.c.confidence,
    ).where(tags.c.incident_uid == uid)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(tags.c.position)).all()
    return [(*row[:6], round(row[6], 4)) for row in rows]


def tag_roles(engine: sa.Engine, uid: str) -> set[tuple[str, str]]:
    """The distinct (tag, role) pairs of one incident."""
    return {(tag, role) for tag, role, *_ in stored_tags(engine, uid)}


def all_tags(engine: sa.Engine) -> list[tuple[Any, ...]]:
    """Every stored tag row, in key order (for comparing two runs)."""
    tags = schema.tags
    with engine.connect() as conn:
        rows = conn.execute(sa.select(tags).order_by(tags.c.incident_uid, tags.c.position)).all()
    return [(*row[:-1], round(row[-1], 4)) for row in rows]
