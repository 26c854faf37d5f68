"""Whether each record's target was civilian, as its source codes it, kept per record.

The rule is the tagger's (profiles/fields.py): UCDP one-sided violence; a GTD or PBC
target type that is not armed or state security forces; ACLED violence against
civilians; a mapped record with a named target. Drone strikes are never civilian-
targeting. ``refresh`` reads only records whose content changed since they were last
read, so the first assessment on a store pays once and later ones read the table.

Finding those records without comparing every record with its row here: a record's
content changes only through the import writer (store/writer.py), which notes every
revision in ``incident_changes``. So when every record has a row here (equal counts:
rows here are records, one each), only revised records can be stale, and those are few.
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
    if _every_record_read(conn):
        uids = _revised(conn, country)
    else:
        uids = list(conn.scalars(_stale(country)))
    for start in range(0, len(uids), _PAGE):
        _read_page(conn, uids[start : start + _PAGE])
    return len(uids)


def _every_record_read(conn: sa.Connection) -> bool:
    count = sa.func.count()
    records = conn.scalar(sa.select(count).select_from(schema.incidents))
    read = conn.scalar(sa.select(count).select_from(schema.record_targets))
    return records == read


def _stale(country: str) -> sa.Select[tuple[str]]:
    """Records never read, or read from other content: the whole country, compared."""
    inc, targets = schema.incidents, schema.record_targets
    return (
        sa.select(inc.c.uid)
        .outerjoin(targets, targets.c.uid == inc.c.uid)
        .where(inc.c.country_iso3 == country)
        .where(sa.or_(targets.c.uid.is_(None), targets.c.content_hash != inc.c.content_hash))
    )


def _revised(conn: sa.Connection, country: str) -> list[str]:
    """Records read from other content, among those an import revised (every other record
    is read and unchanged). The country is tested here, not in SQL: given it, SQLite
    walks the country's records instead of the revisions."""
    inc, targets, changes = schema.incidents, schema.record_targets, schema.incident_changes
    query = (
        sa.select(inc.c.uid, inc.c.country_iso3)
        .join(targets, targets.c.uid == inc.c.uid)
        .where(inc.c.uid.in_(sa.select(changes.c.incident_uid)))
        .where(targets.c.content_hash != inc.c.content_hash)
    )
    return [uid for uid, where in conn.execute(query) if where == country]


def _read_page(conn: sa.Connection, uids: list[str]) -> None:
    inc, targets = schema.incidents, schema.record_targets
    rows = conn.execute(sa.select(inc).where(inc.c.uid.in_(uids))).all()
    generic = generic_inputs(conn, [r.uid for r in rows if r.source not in readers()])
    values = [(r.uid, r.content_hash, _civilian(r, generic)) for r in rows]
    conn.execute(targets.delete().where(targets.c.uid.in_(uids)))
    BulkInsert(conn, targets, ("uid", "content_hash", "civilian")).run(values)


def _civilian(row: sa.Row[Any], generic: dict[str, Any]) -> bool | None:
    return record_view(generic.get(row.uid) or incident_input(row)).civilian_target
