"""Counting incidents, not records: every count in gawahi goes through ``incident_units``.

An incident is a cluster (linkage/): one attack reported by UCDP, GTD and Pakistan Body
Count is one unit, dated, placed and tolled by the ledger's rule. A record that no link
run has seen yet (imported after the last ``gawahi link``) is its own unit with its own
figures, so counts are never short; ``unlinked_records`` says how many there are.
"""

from __future__ import annotations

import sqlalchemy as sa

from gawahi.store import schema

FIGURES = ("date_start", "country_iso3", "deaths_best", "deaths_low", "deaths_high")


def incident_units() -> sa.Subquery:
    """One row per record: ``uid``, its unit ``unit`` and the unit's figures."""
    c, cm, inc = schema.clusters, schema.cluster_members, schema.incidents
    linked = sa.select(
        cm.c.uid,
        ("c" + sa.cast(c.c.id, sa.String)).label("unit"),
        *(c.c[name] for name in FIGURES),
    ).join(c, c.c.id == cm.c.cluster_id)
    alone = sa.select(
        inc.c.uid,
        ("r" + inc.c.uid).label("unit"),
        *(inc.c[name] for name in FIGURES),
    ).where(~sa.exists().where(cm.c.uid == inc.c.uid))
    return sa.union_all(linked, alone).subquery("units")


def unlinked_records(conn: sa.Connection) -> int:
    """Records not in any cluster yet (run ``gawahi link``)."""
    inc, cm = schema.incidents, schema.cluster_members
    query = (
        sa.select(sa.func.count()).select_from(inc).where(~sa.exists().where(cm.c.uid == inc.c.uid))
    )
    return int(conn.scalar(query) or 0)
