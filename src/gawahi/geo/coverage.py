"""How well the store's incidents are placed, and which are not, grouped by cause."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from gawahi.store import schema


@dataclass
class SourceCoverage:
    """Per source: how many incidents reached a province and a district."""

    source: str
    incidents: int
    admin1: int
    admin2: int
    district: int  # admin2 that is a single district, not a city or division as a whole

    def as_dict(self) -> dict[str, Any]:
        def share(n):
            return round(n / self.incidents, 4) if self.incidents else 0.0

        return {
            "source": self.source,
            "incidents": self.incidents,
            "admin1": self.admin1,
            "admin2": self.admin2,
            "district": self.district,
            "admin1_share": share(self.admin1),
            "admin2_share": share(self.admin2),
            "district_share": share(self.district),
        }


def coverage(conn: sa.Connection) -> list[SourceCoverage]:
    """Province and district coverage per source (incidents never resolved count as misses)."""
    inc, places, units = schema.incidents, schema.incident_places, schema.admin_units
    has_children = sa.exists().where(
        schema.admin_unit_parents.c.parent_id == places.c.admin2_id,
        schema.admin_unit_parents.c.unit_id == units.c.id,
        units.c.level == 2,
    )
    query = (
        sa.select(
            inc.c.source,
            sa.func.count(),
            sa.func.count(places.c.admin1_id),
            sa.func.count(places.c.admin2_id),
            sa.func.sum(
                sa.case((sa.and_(places.c.admin2_id.is_not(None), ~has_children), 1), else_=0)
            ),
        )
        .outerjoin(places, places.c.uid == inc.c.uid)
        .group_by(inc.c.source)
        .order_by(inc.c.source)
    )
    return [SourceCoverage(s, n, a1, a2, int(d or 0)) for s, n, a1, a2, d in conn.execute(query)]


@dataclass
class UnresolvedGroup:
    """Records that share a source, the same place strings and the same reason."""

    source: str
    status: str
    admin1: str | None
    admin2: str | None
    place: str | None
    reason: str | None
    candidates: list[str]
    count: int
    examples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def unresolved(
    conn: sa.Connection, *, level: int = 2, source: str | None = None, limit: int | None = None
) -> list[UnresolvedGroup]:
    """Incidents without a district (``level`` 2) or without a province (1), grouped."""
    inc, places = schema.incidents, schema.incident_places
    missing = places.c.admin2_id.is_(None) if level == 2 else places.c.admin1_id.is_(None)
    grouped = (
        inc.c.source,
        places.c.status,
        inc.c.admin1,
        inc.c.admin2,
        inc.c.place,
        places.c.reason,
        places.c.candidates,
    )
    query = (
        sa.select(*grouped, sa.func.count(), sa.func.min(inc.c.uid))
        .join(places, places.c.uid == inc.c.uid)
        .where(missing)
        .group_by(*grouped)
        .order_by(sa.func.count().desc(), inc.c.source, inc.c.place)
    )
    if source:
        query = query.where(inc.c.source == source)
    if limit:
        query = query.limit(limit)
    return [
        UnresolvedGroup(
            src, status, a1, a2, place, reason, json.loads(cands) if cands else [], n, [first]
        )
        for src, status, a1, a2, place, reason, cands, n, first in conn.execute(query)
    ]
