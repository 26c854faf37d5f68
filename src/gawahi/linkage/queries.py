"""Reading clusters back: lists with filters, and one cluster's ledger."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
import sqlalchemy as sa

from gawahi.errors import NotFound
from gawahi.linkage.ledger import RULE, reconcile, source_figures
from gawahi.linkage.store import last_run, load_members
from gawahi.store import schema


def list_clusters(
    conn: sa.Connection,
    *,
    country: str | None = None,
    start: date | None = None,
    end: date | None = None,
    source: str | None = None,
    min_sources: int = 1,
    tag: str | None = None,
    limit: int | None = 100,
) -> list[dict[str, Any]]:
    """Active clusters, newest first, with their reconciled figures."""
    c = schema.clusters
    query = sa.select(c).where(c.c.status == "active").order_by(c.c.date_start.desc(), c.c.id)
    if country:
        query = query.where(c.c.country_iso3 == country.upper())
    if start:
        query = query.where(c.c.date_start >= start)
    if end:
        query = query.where(c.c.date_start <= end)
    if source:
        query = query.where((" " + c.c.sources + " ").contains(f" {source} "))
    if min_sources > 1:
        # sources is a space-separated list: n sources have n - 1 spaces
        spaces = sa.func.length(c.c.sources) - sa.func.length(sa.func.replace(c.c.sources, " ", ""))
        query = query.where(spaces >= min_sources - 1)
    if tag:
        query = query.where(_has_tag(tag))
    if limit:
        query = query.limit(limit)
    return [dict(row._mapping) for row in conn.execute(query)]


def _has_tag(text: str) -> sa.ColumnElement[bool]:
    tag, _, role = text.partition(":")
    t, cm = schema.tags, schema.cluster_members
    condition = sa.exists().where(
        cm.c.cluster_id == schema.clusters.c.id, t.c.incident_uid == cm.c.uid, t.c.tag == tag
    )
    return condition.where(t.c.role == role) if role else condition


def resolve_cluster_id(conn: sa.Connection, key: str) -> int:
    """A cluster id, or the cluster of an incident uid; retired ids lead to their heir."""
    c, cm = schema.clusters, schema.cluster_members
    if ":" in key:
        found = conn.scalar(sa.select(cm.c.cluster_id).where(cm.c.uid == key))
        if found is None:
            raise NotFound(f"{key!r} is in no cluster: no such incident, or not linked yet")
        return int(found)
    if not key.isdigit():
        raise NotFound(f"{key!r} is neither a cluster id nor an incident uid")
    row = conn.execute(sa.select(c.c.status, c.c.merged_into).where(c.c.id == int(key))).first()
    if row is None:
        raise NotFound(f"no cluster {key}")
    return int(row.merged_into) if row.status == "retired" else int(key)


def ledger(conn: sa.Connection, key: str) -> dict[str, Any]:
    """Everything a reader needs to check one cluster (see linkage/ledger.py)."""
    cluster_id = resolve_cluster_id(conn, key)
    c, cm = schema.clusters, schema.cluster_members
    row = conn.execute(sa.select(c).where(c.c.id == cluster_id)).one()
    via = dict(
        conn.execute(sa.select(cm.c.uid, cm.c.via).where(cm.c.cluster_id == cluster_id)).all()
    )
    members = load_members(conn, sorted(via))
    return {
        "cluster": dict(row._mapping),
        "asked_for": key,
        "rule": RULE,
        "reconciled_now": reconcile(list(members.values())).as_values(),
        "sources": [vars_of(f) for f in source_figures(list(members.values()))],
        "members": [_member(conn, members[uid], via[uid]) for uid in sorted(via)],
        "links": _links_among(conn, sorted(via)),
        "tags": cluster_tags(conn, sorted(via)),
        "decisions": _decisions(conn, cluster_id, sorted(via)),
        "absorbed": [
            int(i) for i in conn.scalars(sa.select(c.c.id).where(c.c.merged_into == cluster_id))
        ],
    }


def vars_of(item: Any) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__slots__}


def _member(conn: sa.Connection, member: Any, via: str) -> dict[str, Any]:
    inc, cites = schema.incidents, schema.citations
    extra = conn.execute(
        sa.select(
            inc.c.place, inc.c.admin1, inc.c.admin2, inc.c.event_type, inc.c.violence_type
        ).where(inc.c.uid == member.uid)
    ).one()
    headlines = conn.scalars(
        sa.select(cites.c.headline).where(
            cites.c.incident_uid == member.uid, cites.c.headline != ""
        )
    ).all()
    return vars_of(member) | dict(extra._mapping) | {"via": via, "headlines": list(headlines)}


def ledger_member(conn: sa.Connection, uid: str) -> dict[str, Any]:
    """One record as the ledger shows it."""
    members = load_members(conn, [uid])
    if uid not in members:
        raise NotFound(f"no incident {uid!r}")
    return _member(conn, members[uid], "")


def _links_among(conn: sa.Connection, uids: list[str]) -> list[dict[str, Any]]:
    links = schema.links
    rows = conn.execute(
        sa.select(links)
        .where(links.c.uid_a.in_(uids) | links.c.uid_b.in_(uids))
        .order_by(links.c.probability.desc())
    )
    return [dict(r._mapping) | {"levels": orjson.loads(r.levels)} for r in rows]


def cluster_tags(conn: sa.Connection, uids: list[str]) -> list[dict[str, Any]]:
    """The union of the members' tags, each with the member it comes from."""
    t = schema.tags
    rows = conn.execute(
        sa.select(
            t.c.incident_uid, t.c.tag, t.c.role, t.c.method, t.c.rule, t.c.matched, t.c.confidence
        )
        .where(t.c.incident_uid.in_(uids))
        .order_by(t.c.tag, t.c.role, t.c.confidence.desc(), t.c.incident_uid)
    )
    return [
        {
            "tag": r.tag,
            "role": r.role,
            "confidence": r.confidence,
            "provenance": f"from {r.incident_uid}, {r.method} rule {r.rule}: {r.matched!r}",
        }
        for r in rows
    ]


def _decisions(conn: sa.Connection, cluster_id: int, uids: list[str]) -> list[dict[str, Any]]:
    d = schema.link_decisions
    found = []
    for row in conn.execute(sa.select(d).order_by(d.c.id)):
        named = set(orjson.loads(row.uids)) | set(orjson.loads(row.others))
        if row.cluster_id == cluster_id or named & set(uids):
            found.append(dict(row._mapping))
    return found


def review_queue(conn: sa.Connection, limit: int | None = None) -> list[dict[str, Any]]:
    """Undecided pairs in the grey zone or kept apart by a constraint, closest call first
    (nearest the link threshold of the last run)."""
    links = schema.links
    run = last_run(conn)
    threshold = orjson.loads(run.settings)["link_threshold"] if run is not None else 0.5
    query = (
        sa.select(links)
        .where(links.c.status.in_(("review", "conflict")))
        .order_by(sa.func.abs(links.c.probability - threshold), links.c.uid_a, links.c.uid_b)
    )
    if limit:
        query = query.limit(limit)
    return [dict(r._mapping) | {"levels": orjson.loads(r.levels)} for r in conn.execute(query)]


def run_summary(conn: sa.Connection) -> dict[str, Any] | None:
    run = last_run(conn)
    return None if run is None else dict(run._mapping)
