"""Writing parsed incidents in batches: insert new, update changed, note what changed.

The writer works inside the caller's transaction; it never commits. Identity is the
incident ``uid``; an unchanged record only has its "last seen in" dataset moved on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from gawahi.errors import Problem
from gawahi.incidents.record import Incident
from gawahi.store import schema

SCALARS = (
    "date_start",
    "date_end",
    "date_precision",
    "date_text",
    "country_iso3",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "place",
    "location_text",
    "latitude",
    "longitude",
    "location_precision",
    "source_location_precision",
    "violence_type",
    "event_type",
    "description",
    "deaths_best",
    "deaths_low",
    "deaths_high",
    "deaths_civilians",
    "injured",
)
INCIDENT_COLUMNS = (
    "uid",
    "source",
    "source_id",
    "dataset_id",
    "first_dataset_id",
    "source_line",
    "content_hash",
    *SCALARS,
    "raw",
)
ACTOR_COLUMNS = ("incident_uid", "position", "actor_id", "role")
CITATION_COLUMNS = ("incident_uid", "position", "publisher", "date", "headline", "url", "text")
LOOKUP_CHUNK = 900  # stays under every SQLite build's bound-parameter limit


@dataclass(slots=True)
class _Pending:
    line: int
    incident: Incident
    raw_json: bytes
    digest: str


class BulkInsert:
    """A plain INSERT run through the driver's executemany: SQLAlchemy's per-row
    parameter processing costs more than the insert itself at import scale."""

    def __init__(self, conn: sa.Connection, table: sa.Table, columns: Sequence[str]) -> None:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        names = ", ".join(columns)
        self.sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join([mark] * len(columns))})"
        self.conn = conn

    def run(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.conn.exec_driver_sql(self.sql, rows)  # type: ignore[arg-type]


class IncidentWriter:
    """Writes one import's incidents into the open transaction ``conn``."""

    def __init__(self, conn: sa.Connection, dataset_id: int, id_field: str) -> None:
        self.conn = conn
        self.dataset_id = dataset_id
        self.id_field = id_field
        self.counts: Counter[str] = Counter()
        self._actor_ids: dict[tuple[str, str], int] = {}
        # SQLite stores dates as ISO text (as SQLAlchemy's Date does); PostgreSQL takes dates.
        self._day = (
            (lambda d: d and d.isoformat()) if conn.dialect.name == "sqlite" else (lambda d: d)
        )
        self._incidents = BulkInsert(conn, schema.incidents, INCIDENT_COLUMNS)
        self._actors = BulkInsert(conn, schema.incident_actors, ACTOR_COLUMNS)
        self._citations = BulkInsert(conn, schema.citations, CITATION_COLUMNS)

    def write(self, batch: Sequence[tuple[int, Incident]]) -> list[Problem]:
        """Store a batch; returns problems for ids seen twice in this import."""
        pending, problems = self._dedupe(batch)
        existing = self._existing([p.incident.uid for p in pending])
        new, changed = [], []
        for item in pending:
            old = existing.get(item.incident.uid)
            if old is None:
                new.append(item)
            elif old.dataset_id == self.dataset_id:
                problems.append(self._duplicate(item, old.source_line))
            elif old.content_hash == item.digest:
                self._touch(item)
            else:
                changed.append((item, old))
        self._insert(new)
        for item, old in changed:
            self._update(item, old)
        return problems

    def _dedupe(
        self, batch: Sequence[tuple[int, Incident]]
    ) -> tuple[list[_Pending], list[Problem]]:
        first_line: dict[str, int] = {}
        pending, problems = [], []
        for line, incident in batch:
            raw_json = orjson.dumps(incident.raw, default=str)
            item = _Pending(line, incident, raw_json, incident.content_hash(raw_json))
            if incident.uid in first_line:
                problems.append(self._duplicate(item, first_line[incident.uid]))
                continue
            first_line[incident.uid] = line
            pending.append(item)
        return pending, problems

    def _duplicate(self, item: _Pending, other_line: int | None) -> Problem:
        reason = f"the same id as line {other_line}; ids must be unique in a file"
        return Problem(item.line, self.id_field, item.incident.source_id, reason)

    def _existing(self, uids: list[str]) -> dict[str, sa.Row[Any]]:
        table = schema.incidents
        found: dict[str, sa.Row[Any]] = {}
        columns = (table.c.uid, table.c.content_hash, table.c.dataset_id, table.c.source_line)
        for start in range(0, len(uids), LOOKUP_CHUNK):
            chunk = uids[start : start + LOOKUP_CHUNK]
            query = sa.select(*columns).where(table.c.uid.in_(chunk))
            found.update({row.uid: row for row in self.conn.execute(query)})
        return found

    def _touch(self, item: _Pending) -> None:
        table = schema.incidents
        self.conn.execute(
            table.update()
            .where(table.c.uid == item.incident.uid)
            .values(dataset_id=self.dataset_id, source_line=item.line)
        )
        self.counts["unchanged"] += 1

    def _insert(self, items: list[_Pending]) -> None:
        if not items:
            return
        self._incidents.run([self._values(item) for item in items])
        self._insert_children([item.incident for item in items])
        self.counts["new"] += len(items)

    def _values(self, item: _Pending) -> tuple[Any, ...]:
        incident, day = item.incident, self._day
        return (
            incident.uid,
            incident.source,
            incident.source_id,
            self.dataset_id,
            self.dataset_id,
            item.line,
            item.digest,
            day(incident.date_start),
            day(incident.date_end),
            str(incident.date_precision),
            incident.date_text,
            incident.country_iso3,
            incident.country,
            incident.admin1,
            incident.admin2,
            incident.admin3,
            incident.place,
            incident.location_text,
            incident.latitude,
            incident.longitude,
            str(incident.location_precision),
            incident.source_location_precision,
            incident.violence_type,
            incident.event_type,
            incident.description,
            incident.deaths_best,
            incident.deaths_low,
            incident.deaths_high,
            incident.deaths_civilians,
            incident.injured,
            item.raw_json.decode(),
        )

    def _update(self, item: _Pending, old: sa.Row[Any]) -> None:
        incident = item.incident
        table = schema.incidents
        before = self.conn.execute(sa.select(table).where(table.c.uid == incident.uid)).one()
        values = dict(zip(INCIDENT_COLUMNS, self._values(item), strict=True))
        del values["first_dataset_id"]  # a revision keeps where the record first came from
        values["date_start"], values["date_end"] = incident.date_start, incident.date_end
        self.conn.execute(table.update().where(table.c.uid == incident.uid).values(values))
        for child in (schema.incident_actors, schema.citations):
            self.conn.execute(child.delete().where(child.c.incident_uid == incident.uid))
        self._insert_children([incident])
        self.conn.execute(
            schema.incident_changes.insert().values(
                incident_uid=incident.uid,
                dataset_id=self.dataset_id,
                previous_dataset_id=old.dataset_id,
                changes=orjson.dumps(_differences(before, incident), default=str).decode(),
            )
        )
        self.counts["updated"] += 1

    def _insert_children(self, incidents: list[Incident]) -> None:
        self._resolve_actors(incidents)
        actor_rows, citation_rows = [], []
        for incident in incidents:
            uid, source = incident.uid, incident.source
            for position, actor in enumerate(incident.actors):
                actor_id = self._actor_ids[(source, actor.name)]
                actor_rows.append((uid, position, actor_id, str(actor.role)))
            for position, cited in enumerate(incident.citations):
                citation_rows.append(
                    (
                        uid,
                        position,
                        cited.publisher,
                        cited.date,
                        cited.headline,
                        cited.url,
                        cited.text,
                    )
                )
        self._actors.run(actor_rows)
        self._citations.run(citation_rows)

    def _resolve_actors(self, incidents: list[Incident]) -> None:
        """Ids for every actor name in the batch: cached, found, or added, in a few queries."""
        wanted: dict[tuple[str, str], str | None] = {}
        for incident in incidents:
            for actor in incident.actors:
                key = (incident.source, actor.name)
                if key not in self._actor_ids:
                    wanted.setdefault(key, actor.source_actor_id)
        if not wanted:
            return
        self._load_actor_ids(list(wanted))
        missing = [(s, n, wanted[(s, n)]) for s, n in wanted if (s, n) not in self._actor_ids]
        if missing:
            BulkInsert(self.conn, schema.actors, ("source", "name", "source_actor_id")).run(missing)
            self._load_actor_ids([(s, n) for s, n, _ in missing])

    def _load_actor_ids(self, keys: list[tuple[str, str]]) -> None:
        table = schema.actors
        by_source: dict[str, list[str]] = {}
        for source, name in keys:
            by_source.setdefault(source, []).append(name)
        for source, names in by_source.items():
            for start in range(0, len(names), LOOKUP_CHUNK):
                query = sa.select(table.c.id, table.c.name).where(
                    table.c.source == source, table.c.name.in_(names[start : start + LOOKUP_CHUNK])
                )
                self._actor_ids.update(
                    {(source, name): id_ for id_, name in self.conn.execute(query)}
                )


def _differences(old: sa.Row[Any], new: Incident) -> dict[str, list[Any]]:
    """Field by field, what a new release changed: normalised fields and raw columns."""
    changes: dict[str, list[Any]] = {}
    for name in SCALARS:
        before, after = getattr(old, name), getattr(new, name)
        if str(before if before is not None else "") != str(after if after is not None else ""):
            changes[name] = [before, after]
    old_raw = orjson.loads(old.raw)
    for key in sorted(set(old_raw) | set(new.raw)):
        if old_raw.get(key) != new.raw.get(key):
            changes[f"raw.{key}"] = [old_raw.get(key), new.raw.get(key)]
    return changes
