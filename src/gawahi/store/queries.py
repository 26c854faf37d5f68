"""Reading the store: incidents by filter, one incident whole, the datasets."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
import sqlalchemy as sa

from gawahi.errors import NotFound
from gawahi.store import schema

LIST_COLUMNS = (
    "uid",
    "date_start",
    "date_end",
    "date_precision",
    "country_iso3",
    "admin1",
    "admin2",
    "place",
    "violence_type",
    "event_type",
    "deaths_best",
    "deaths_low",
    "deaths_high",
)


@dataclass(frozen=True)
class IncidentFilter:
    """What ``gawahi incidents`` can ask for. Text matches ignore case."""

    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    place: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    actor: str | None = None
    source: str | None = None
    text: str | None = None
    limit: int | None = None
    # Further conditions built elsewhere (geo: "in this unit"); they may use
    # incident_places, which is joined for them.
    where: tuple[sa.ColumnElement[bool], ...] = ()


def find_incidents(engine: sa.Engine, wanted: IncidentFilter) -> Iterator[dict[str, Any]]:
    """Incidents matching ``wanted``, oldest first, as plain dicts."""
    table = schema.incidents
    query = sa.select(*(table.c[name] for name in LIST_COLUMNS))
    if wanted.where:
        places = schema.incident_places
        query = query.select_from(table.outerjoin(places, places.c.uid == table.c.uid))
    query = query.where(*_conditions(wanted), *wanted.where)
    query = query.order_by(table.c.date_start, table.c.uid)
    if wanted.limit is not None:
        query = query.limit(wanted.limit)
    with engine.connect() as conn:
        for row in conn.execute(query):
            yield _plain(row)


def _conditions(wanted: IncidentFilter) -> list[sa.ColumnElement[bool]]:
    table = schema.incidents
    conditions: list[sa.ColumnElement[bool]] = []
    if wanted.country:
        conditions.append(
            sa.or_(
                table.c.country_iso3 == wanted.country.upper(),
                sa.func.lower(table.c.country) == sa.func.lower(wanted.country),
            )
        )
    for column in ("admin1", "admin2"):
        value = getattr(wanted, column)
        if value:
            conditions.append(sa.func.lower(table.c[column]) == sa.func.lower(value))
    if wanted.place:
        conditions.append(_has(table.c.place, wanted.place))
    if wanted.source:
        conditions.append(table.c.source == wanted.source)
    # A record overlaps the period when its span (date_start..date_end) touches it.
    if wanted.date_from:
        conditions.append(table.c.date_end >= wanted.date_from)
    if wanted.date_to:
        conditions.append(table.c.date_start <= wanted.date_to)
    if wanted.actor:
        conditions.append(_has_actor(wanted.actor))
    if wanted.text:
        conditions.append(_mentions(wanted.text))
    return conditions


def _has_actor(name: str) -> sa.ColumnElement[bool]:
    links, actors = schema.incident_actors, schema.actors
    return sa.exists().where(
        links.c.incident_uid == schema.incidents.c.uid,
        links.c.actor_id == actors.c.id,
        _has(actors.c.name, name),
    )


def _mentions(text: str) -> sa.ColumnElement[bool]:
    table, cited = schema.incidents, schema.citations
    in_citations = sa.exists().where(
        cited.c.incident_uid == table.c.uid,
        sa.or_(_has(cited.c.headline, text), _has(cited.c.text, text)),
    )
    columns = (table.c.description, table.c.place, table.c.admin1, table.c.admin2)
    return sa.or_(*(_has(column, text) for column in columns), in_citations)


def _has(column: sa.ColumnElement[str], text: str) -> sa.ColumnElement[bool]:
    """``text`` inside ``column``, ignoring case; % and _ typed by the user are literal.

    Case is folded by lower() on both sides; on SQLite gawahi replaces the built-in
    lower() (ASCII only) with Python's, so Ü and ü match there as on PostgreSQL.
    """
    literal = text.lower().replace("/", "//").replace("%", "/%").replace("_", "/_")
    return sa.func.lower(column).like(f"%{literal}%", escape="/")


def get_incident(engine: sa.Engine, uid: str) -> dict[str, Any]:
    """Everything about one incident: fields, raw row, actors, citations, dataset, changes."""
    table = schema.incidents
    with engine.connect() as conn:
        row = conn.execute(sa.select(table).where(table.c.uid == uid)).first()
        if row is None:
            raise NotFound(
                f"no incident {uid!r}; ids look like ucdp-ged:59553 (see gawahi incidents)"
            )
        record = _plain(row)
        record["raw"] = orjson.loads(record["raw"])
        record["actors"] = _actors_of(conn, uid)
        record["citations"] = _citations_of(conn, uid)
        record["dataset"] = _dataset(conn, record["dataset_id"])
        record["changes"] = _changes_of(conn, uid)
    return record


def _actors_of(conn: sa.Connection, uid: str) -> list[dict[str, Any]]:
    links, actors = schema.incident_actors, schema.actors
    query = (
        sa.select(actors.c.name, links.c.role, actors.c.source_actor_id)
        .join(actors, links.c.actor_id == actors.c.id)
        .where(links.c.incident_uid == uid)
        .order_by(links.c.position)
    )
    return [_plain(r) for r in conn.execute(query)]


def _citations_of(conn: sa.Connection, uid: str) -> list[dict[str, Any]]:
    cited = schema.citations
    query = (
        sa.select(cited.c.publisher, cited.c.date, cited.c.headline, cited.c.url, cited.c.text)
        .where(cited.c.incident_uid == uid)
        .order_by(cited.c.position)
    )
    return [_plain(r) for r in conn.execute(query)]


def _changes_of(conn: sa.Connection, uid: str) -> list[dict[str, Any]]:
    changes = schema.incident_changes
    query = (
        sa.select(changes.c.dataset_id, changes.c.previous_dataset_id, changes.c.changes)
        .where(changes.c.incident_uid == uid)
        .order_by(changes.c.id)
    )
    return [_plain(r) | {"changes": orjson.loads(r.changes)} for r in conn.execute(query)]


def _dataset(conn: sa.Connection, dataset_id: int) -> dict[str, Any]:
    table = schema.datasets
    row = conn.execute(sa.select(table).where(table.c.id == dataset_id)).first()
    return _plain(row) if row else {}


def list_datasets(engine: sa.Engine) -> list[dict[str, Any]]:
    """Every imported file, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(schema.datasets).order_by(schema.datasets.c.id))
        return [_plain(r) for r in rows]


def dataset_problems(engine: sa.Engine, dataset_id: int) -> list[dict[str, Any]]:
    """The rows an import skipped, warned about or (when accepted) rejected."""
    table = schema.import_problems
    query = (
        sa.select(table.c.kind, table.c.line, table.c.field, table.c.value, table.c.reason)
        .where(table.c.dataset_id == dataset_id)
        .order_by(table.c.line, table.c.id)
    )
    with engine.connect() as conn:
        return [_plain(r) for r in conn.execute(query)]


def _plain(row: sa.Row[Any]) -> dict[str, Any]:
    # Column keys are str subclasses (quoted_name); JSON encoders want plain str.
    return {str(key): value for key, value in row._mapping.items()}
