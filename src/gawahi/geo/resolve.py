"""Resolving the incidents in the store: ``gawahi geo resolve`` and every import.

Idempotent and incremental: each incident's row in ``incident_places`` carries a hash of
its location fields and of the geographic state (packs, boundaries, gazetteer, manual
decisions). A run recomputes only rows whose hash changed and writes only what differs.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from gawahi.geo import gazetteer
from gawahi.geo.boundaries import BoundaryIndex
from gawahi.geo.names import normalise
from gawahi.geo.resolver import Location, Resolution, Resolver
from gawahi.geo.units import UnitIndex, sync_packs
from gawahi.store import schema
from gawahi.store.writer import BulkInsert

BATCH = 5000
RESOLVER_VERSION = "1"  # bump when the rules change, so every row is recomputed

Progress = Callable[[int, int], None]


@dataclass
class ResolveReport:
    """What a resolve run did and where the incidents ended up."""

    examined: int = 0
    changed: int = 0
    status: Counter[str] = field(default_factory=Counter)
    gazetteer_loaded: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "examined": self.examined,
            "changed": self.changed,
            "status": dict(self.status),
            "gazetteer_places_loaded": self.gazetteer_loaded,
        }


def build_resolver(conn: sa.Connection, countries: set[str]) -> Resolver:
    """Everything a resolve needs, read from the store once."""
    units = UnitIndex.load(conn)
    decisions = conn.execute(
        sa.select(schema.geo_decisions).order_by(schema.geo_decisions.c.id)
    ).all()
    by_name = {(d.country_iso3, d.norm, d.context_unit_id): d.unit_id for d in decisions if d.norm}
    by_incident = {d.incident_uid: d.unit_id for d in decisions if d.incident_uid}
    return Resolver(
        units,
        BoundaryIndex.load_all(conn),
        gazetteer.Gazetteer.load(conn, countries),
        by_name,
        by_incident,
    )


def geo_state(conn: sa.Connection) -> str:
    """A fingerprint of everything besides the record that a resolution depends on."""
    parts = [RESOLVER_VERSION]
    for table, columns in (
        (schema.geo_packs, ("country_iso3", "sha256")),
        (schema.boundary_sets, ("country_iso3", "level", "sha256")),
        (schema.geo_decisions, ("id", "unit_id", "norm", "context_unit_id", "incident_uid")),
    ):
        query = sa.select(*(table.c[c] for c in columns)).order_by(*(table.c[c] for c in columns))
        parts += [repr(tuple(row)) for row in conn.execute(query)]
    places = schema.places
    parts.append(
        repr(
            conn.execute(
                sa.select(places.c.source, sa.func.count(), sa.func.max(places.c.id))
                .group_by(places.c.source)
                .order_by(places.c.source)
            ).all()
        )
    )
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


def resolve_incidents(
    conn: sa.Connection,
    *,
    dataset_id: int | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> ResolveReport:
    """Resolve the store's incidents (or one dataset's) inside the caller's transaction."""
    sync_packs(conn)
    report = ResolveReport()
    countries = _countries(conn, dataset_id)
    report.gazetteer_loaded = gazetteer.ensure_default(conn, countries)
    resolver = build_resolver(conn, countries)
    state = geo_state(conn)
    total = _count(conn, dataset_id)
    writer = _PlaceWriter(conn)
    for batch in _batches(conn, dataset_id):
        hashed = [(loc, old, _hash(loc, state)) for loc, old in batch]
        todo = [item for item in hashed if force or item[1] is None or item[1][0] != item[2]]
        results = resolver.resolve_many([loc for loc, _, _ in todo])
        for (loc, old, input_hash), res in zip(todo, results, strict=True):
            report.changed += writer.add(_row(loc, res, input_hash), old)
        writer.flush()
        report.examined += len(batch)
        if progress:
            progress(report.examined, total)
    report.status.update(_status_counts(conn, dataset_id))
    return report


def _countries(conn: sa.Connection, dataset_id: int | None) -> set[str]:
    query = sa.select(schema.incidents.c.country_iso3).distinct()
    if dataset_id is not None:
        query = query.where(schema.incidents.c.dataset_id == dataset_id)
    return {c for c in conn.scalars(query) if c}


def _count(conn: sa.Connection, dataset_id: int | None) -> int:
    query = sa.select(sa.func.count()).select_from(schema.incidents)
    if dataset_id is not None:
        query = query.where(schema.incidents.c.dataset_id == dataset_id)
    return int(conn.scalar(query) or 0)


def _batches(
    conn: sa.Connection, dataset_id: int | None
) -> Iterator[list[tuple[Location, tuple[str, ...] | None]]]:
    inc, places = schema.incidents, schema.incident_places
    query = (
        sa.select(
            inc.c.uid,
            inc.c.country_iso3,
            inc.c.admin1,
            inc.c.admin2,
            inc.c.admin3,
            inc.c.place,
            inc.c.latitude,
            inc.c.longitude,
            inc.c.location_precision,
            inc.c.date_start,
            inc.c.location_text,
            places.c.input_hash,
            places.c.admin1_id,
            places.c.admin2_id,
            places.c.unit_id,
            places.c.status,
            places.c.method,
            places.c.reason,
        )
        .outerjoin(places, places.c.uid == inc.c.uid)
        .order_by(inc.c.uid)
        .limit(BATCH)
    )
    if dataset_id is not None:
        query = query.where(inc.c.dataset_id == dataset_id)
    # One page at a time by key, each read whole before it is written: memory stays flat,
    # and no open cursor sees the rows this run writes.
    last = ""
    while True:
        rows = conn.execute(query.where(inc.c.uid > last)).all()
        if not rows:
            return
        last = rows[-1][0]
        yield [
            (Location(*row[:11]), tuple(row[11:]) if row[11] is not None else None) for row in rows
        ]


def _hash(loc: Location, state: str) -> str:
    text = repr(
        (
            loc.country,
            loc.admin1,
            loc.admin2,
            loc.admin3,
            loc.place,
            loc.latitude,
            loc.longitude,
            loc.precision,
            loc.location_text,
            loc.uid,
            state,
        )
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


PLACE_COLUMNS = (
    "admin1_id",
    "admin2_id",
    "unit_id",
    "place_id",
    "status",
    "method",
    "confidence",
    "reason",
    "candidates",
    "input_hash",
    "uid",
)


def _row(loc: Location, res: Resolution, input_hash: str) -> tuple[Any, ...]:
    """Values in PLACE_COLUMNS order."""
    return (
        res.admin1_id,
        res.admin2_id,
        res.unit_id,
        res.place_id,
        res.status,
        "+".join(res.method) or "none",
        round(res.confidence, 3),
        "; ".join(res.reasons) or None,
        json.dumps(sorted(set(res.candidates))) if res.candidates else None,
        input_hash,
        loc.uid,
    )


class _PlaceWriter:
    """Inserts and updates of incident_places through the driver's executemany."""

    def __init__(self, conn: sa.Connection) -> None:
        table = schema.incident_places
        self.conn = conn
        self.insert = BulkInsert(conn, table, PLACE_COLUMNS)
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        sets = ", ".join(f"{c} = {mark}" for c in PLACE_COLUMNS[:-1])
        self.update_sql = f"UPDATE {table.name} SET {sets} WHERE uid = {mark}"
        self.inserts: list[tuple[Any, ...]] = []
        self.updates: list[tuple[Any, ...]] = []

    def add(self, row: tuple[Any, ...], old: tuple[Any, ...] | None) -> int:
        """Queue a row; 1 when the incident's place changed (or is new), else 0."""
        if old is None:
            self.inserts.append(row)
            return 1
        self.updates.append(row)
        # old = (input_hash, admin1_id, admin2_id, unit_id, status, method, reason)
        return int(old[1:] != (row[0], row[1], row[2], row[4], row[5], row[7]))

    def flush(self) -> None:
        self.insert.run(self.inserts)
        if self.updates:
            self.conn.exec_driver_sql(self.update_sql, self.updates)  # type: ignore[arg-type]
        self.inserts, self.updates = [], []


def _status_counts(conn: sa.Connection, dataset_id: int | None) -> dict[str, int]:
    table = schema.incident_places
    query = sa.select(table.c.status, sa.func.count()).group_by(table.c.status)
    if dataset_id is not None:
        query = query.join(schema.incidents, schema.incidents.c.uid == table.c.uid).where(
            schema.incidents.c.dataset_id == dataset_id
        )
    return dict(conn.execute(query).all())  # type: ignore[arg-type]


def decision_key(name: str) -> str:
    """How a manual decision for a name is looked up (the normalised name)."""
    return normalise(name)
