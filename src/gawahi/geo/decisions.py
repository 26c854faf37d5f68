"""Manual place decisions: a person says where a name (or one incident) is, and why.

Decisions are kept with who made them, when and why, and every later resolve applies
them before any automatic rule: a name decision to every record that uses the name in
that province (or anywhere in the country when no province is given), an incident
decision to that record only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from gawahi.errors import ConfigError, NotFound
from gawahi.geo.lookup import resolve_unit
from gawahi.geo.names import normalise
from gawahi.geo.units import UnitIndex
from gawahi.store import schema


@dataclass(frozen=True)
class Decision:
    """What ``gawahi geo set`` asks for."""

    country: str
    unit: str  # a unit name or id
    reason: str
    decided_by: str
    name: str | None = None
    within: str | None = None  # the province the name is used in
    incident_uid: str | None = None


def record_decision(conn: sa.Connection, decision: Decision) -> int:
    """Store a decision (replacing an earlier one for the same name or incident)."""
    if bool(decision.name) == bool(decision.incident_uid):
        raise ConfigError("give either a place name or --incident, not both or neither")
    if not decision.reason.strip():
        raise ConfigError("a decision needs a reason (--reason): it is shown to whoever checks it")
    units = UnitIndex.load(conn)
    unit_id = resolve_unit(units, decision.country, decision.unit)
    context = (
        units.admin1(resolve_unit(units, decision.country, decision.within))
        if decision.within
        else None
    )
    table = schema.geo_decisions
    if decision.incident_uid:
        _require_incident(conn, decision.incident_uid)
        conn.execute(sa.delete(table).where(table.c.incident_uid == decision.incident_uid))
    norm = normalise(decision.name) if decision.name else None
    if norm:
        conn.execute(
            sa.delete(table).where(
                table.c.country_iso3 == decision.country,
                table.c.norm == norm,
                _same(table.c.context_unit_id, context),
            )
        )
    return int(
        conn.execute(
            sa.insert(table).values(
                country_iso3=decision.country,
                name=decision.name,
                norm=norm,
                context_unit_id=context,
                incident_uid=decision.incident_uid,
                unit_id=unit_id,
                decided_by=decision.decided_by,
                decided_at=datetime.now(UTC),
                reason=decision.reason.strip(),
            )
        ).inserted_primary_key[0]
    )


def _same(column: sa.ColumnElement[str], value: str | None) -> sa.ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def _require_incident(conn: sa.Connection, uid: str) -> None:
    if conn.scalar(sa.select(schema.incidents.c.uid).where(schema.incidents.c.uid == uid)) is None:
        raise NotFound(f"no incident {uid!r}")


def list_decisions(conn: sa.Connection) -> list[dict[str, object]]:
    """Every decision, oldest first."""
    table = schema.geo_decisions
    return [dict(row._mapping) for row in conn.execute(sa.select(table).order_by(table.c.id))]
