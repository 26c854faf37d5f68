"""Whether each record's target was civilian, as its source codes it, kept per record.

The rule is the tagger's (profiles/fields.py): UCDP one-sided violence; a GTD or PBC
target type that is not armed or state security forces; ACLED violence against
civilians; a mapped record with a named target. Drone strikes are never civilian-
targeting. ``refresh`` reads only records whose content changed since they were last
read, so the first assessment on a store pays once and later ones read the table.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from gawahi.profiles.fields import readers, record_view
from gawahi.profiles.tagging import generic_inputs, incident_input
from gawahi.store import schema
from gawahi.store.writer import BulkInsert

_PAGE = 5_000


def refresh(conn: sa.Connection, country: str) -> int:
    """Read the target of every record of ``country`` not read since it last changed."""
    inc, targets = schema.incidents, schema.record_targets
    stale = (
        sa.select(inc.c.uid)
        .outerjoin(targets, targets.c.uid == inc.c.uid)
        .where(inc.c.country_iso3 == country)
        .where(sa.or_(targets.c.uid.is_(None), targets.c.content_hash != inc.c.content_hash))
    )
    uids = list(conn.scalars(stale))
    for start in range(0, len(uids), _PAGE):
        _read_page(conn, uids[start : start + _PAGE])
    return len(uids)


def _read_page(conn: sa.Connection, uids: list[str]) -> None:
    inc, targets = schema.incidents, schema.record_targets
    rows = conn.execute(sa.select(inc).where(inc.c.uid.in_(uids))).all()
    generic = generic_inputs(conn, [r.uid for r in rows if r.source not in readers()])
    values = [(r.uid, r.content_hash, _civilian(r, generic)) for r in rows]
    conn.execute(targets.delete().where(targets.c.uid.in_(uids)))
    BulkInsert(conn, targets, ("uid", "content_hash", "civilian")).run(values)


def _civilian(row: sa.Row[Any], generic: dict[str, Any]) -> bool | None:
    return record_view(generic.get(row.uid) or incident_input(row)).civilian_target
