"""Reading and writing links, clusters and runs (the tables of store/schema.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
import sqlalchemy as sa

from gawahi.linkage.identity import IdAssignment
from gawahi.linkage.ledger import Member, Reconciled, reconcile
from gawahi.linkage.records import point_precision_sql
from gawahi.store import schema

if TYPE_CHECKING:
    from gawahi.linkage.records import LinkRecords
    from gawahi.linkage.scoring import ScoredPairs

BATCH = 20_000


def start_run(
    conn: sa.Connection,
    started: datetime,
    settings: dict[str, Any],
    scored: ScoredPairs,
    records: LinkRecords,
) -> int:
    values = {
        "started_at": started,
        "finished_at": started,
        "settings": orjson.dumps(settings).decode(),
        "model": orjson.dumps(scored.model.as_dict()).decode(),
        "records": len(records) + len(records.undated),
        "candidates": len(scored),
        "links": 0,
        "clusters": 0,
        "input_digest": input_digest(conn),
    }
    return int(conn.execute(sa.insert(schema.link_runs).values(values)).inserted_primary_key[0])


def finish_run(conn: sa.Connection, run_id: int, finished: datetime, report: Any) -> None:
    runs = schema.link_runs
    conn.execute(
        sa.update(runs)
        .where(runs.c.id == run_id)
        .values(finished_at=finished, links=report.linked_pairs, clusters=report.clusters)
    )


def input_digest(conn: sa.Connection) -> str:
    """A hash of what linking depends on: each record's content, places and tags."""
    inc, places, state = schema.incidents, schema.incident_places, schema.tag_state
    query = (
        sa.select(inc.c.uid, inc.c.content_hash, places.c.input_hash, state.c.input_hash)
        .outerjoin(places, places.c.uid == inc.c.uid)
        .outerjoin(state, state.c.incident_uid == inc.c.uid)
        .order_by(inc.c.uid)
    )
    digest = hashlib.blake2b(digest_size=16)
    for row in conn.execute(query):
        digest.update("|".join(str(v) for v in row).encode())
    return digest.hexdigest()


def last_run(conn: sa.Connection) -> sa.Row[Any] | None:
    runs = schema.link_runs
    return conn.execute(sa.select(runs).order_by(runs.c.id.desc()).limit(1)).first()


def memberships(conn: sa.Connection) -> dict[str, int]:
    cm = schema.cluster_members
    return dict(conn.execute(sa.select(cm.c.uid, cm.c.cluster_id)).all())


def next_cluster_id(conn: sa.Connection) -> int:
    return int(conn.scalar(sa.select(sa.func.max(schema.clusters.c.id))) or 0) + 1


def write_links(conn: sa.Connection, run_id: int, rows: list[dict[str, Any]]) -> None:
    conn.execute(sa.delete(schema.links))
    for chunk in _chunks([row | {"run_id": run_id} for row in rows]):
        conn.execute(sa.insert(schema.links), chunk)


def write_clusters(
    conn: sa.Connection,
    run_id: int,
    members: list[list[str]],
    ids: IdAssignment,
    via: dict[str, str],
) -> None:
    """Replace the active clusters and memberships; keep retired ids and creation runs.

    Clusters of one (most of them) are written by one INSERT ... SELECT from their
    record; only clusters of several records are reconciled here, by the ledger's rule.
    """
    clusters = schema.clusters
    active = sa.select(clusters.c.id, clusters.c.created_run).where(clusters.c.status == "active")
    created = dict(conn.execute(active).all())
    _TEMPORARY.create_all(conn)
    conn.execute(sa.insert(_CREATED).from_select(["id", "created_run"], active))
    conn.execute(sa.delete(schema.cluster_members))
    conn.execute(sa.delete(clusters).where(clusters.c.status == "active"))
    _insert_members(conn, members, ids, via)
    conn.execute(_insert_singletons(run_id))
    rows = (
        _cluster_row(cid, uids, run_id, created.get(cid, run_id))
        for cid, uids in zip(ids.ids, members, strict=True)
        if len(uids) > 1
    )
    data = load_members(conn, in_clusters_of_several=True)
    for chunk in _chunks(rows):
        conn.execute(sa.insert(clusters), [row(data) for row in chunk])
    for chunk in _chunks(_retired_rows(ids, run_id, created)):
        conn.execute(sa.insert(clusters), chunk)
    columns = ["uid", "cluster_id", "via"]
    conn.execute(sa.insert(schema.cluster_members).from_select(columns, sa.select(_MEMBERS)))
    _TEMPORARY.drop_all(conn)


def _insert_members(
    conn: sa.Connection, members: list[list[str]], ids: IdAssignment, via: dict[str, str]
) -> None:
    rows = (
        {"uid": uid, "cluster_id": cid, "via": via.get(uid, "alone")}
        for cid, uids in zip(ids.ids, members, strict=True)
        for uid in uids
    )
    for chunk in _chunks(rows):
        conn.execute(sa.insert(_MEMBERS), chunk)


# Temporary tables for the rewrite: the creation run of each active cluster, kept across
# it, and the new memberships, which may enter cluster_members only after their clusters.
_TEMPORARY = sa.MetaData()
_CREATED = sa.Table(
    "link_created_runs",
    _TEMPORARY,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_run", sa.Integer, nullable=False),
    prefixes=["TEMPORARY"],
)
_MEMBERS = sa.Table(
    "link_new_members",
    _TEMPORARY,
    sa.Column("uid", sa.String(120), primary_key=True),
    sa.Column("cluster_id", sa.Integer, nullable=False, index=True),
    sa.Column("via", sa.Text, nullable=False),
    prefixes=["TEMPORARY"],
)


def _insert_singletons(run_id: int) -> sa.Insert:
    """Clusters of one: the record's own figures (the ledger's rule gives the same)."""
    cm, other, inc = _MEMBERS, _MEMBERS.alias("other"), schema.incidents
    places = schema.incident_places
    alone = ~sa.exists().where(other.c.cluster_id == cm.c.cluster_id, other.c.uid != cm.c.uid)
    run = sa.literal(run_id, sa.Integer)
    query = (
        sa.select(
            cm.c.cluster_id,
            sa.literal("active", sa.String),
            sa.func.coalesce(_CREATED.c.created_run, run),
            run,
            sa.literal(1, sa.Integer),
            inc.c.source,
            inc.c.date_start,
            inc.c.date_end,
            inc.c.country_iso3,
            places.c.admin1_id,
            places.c.admin2_id,
            inc.c.latitude,
            inc.c.longitude,
            inc.c.deaths_best,
            inc.c.deaths_low,
            inc.c.deaths_high,
            sa.case(
                (
                    inc.c.latitude.is_not(None),
                    point_precision_sql(inc.c.location_precision, inc.c.source_location_precision),
                )
            ),
        )
        .join(inc, inc.c.uid == cm.c.uid)
        .outerjoin(places, places.c.uid == cm.c.uid)
        .outerjoin(_CREATED, _CREATED.c.id == cm.c.cluster_id)
        .where(alone)
    )
    columns = ["id", "status", "created_run", "updated_run", "size", "sources", *_FIGURES]
    return sa.insert(schema.clusters).from_select(columns, query)


def _cluster_row(
    cluster_id: int, uids: list[str], run_id: int, created: int
) -> Callable[[dict[str, Member]], dict[str, Any]]:
    """A cluster of several records, reconciled once their data is loaded."""

    def row(data: dict[str, Member]) -> dict[str, Any]:
        parts = [data[uid] for uid in uids]
        return {
            "id": cluster_id,
            "status": "active",
            "merged_into": None,
            "created_run": created,
            "updated_run": run_id,
            "size": len(parts),
            "sources": " ".join(sorted({p.source for p in parts})),
        } | reconcile(parts).as_values()

    return row


_FIGURES = Reconciled.__slots__


def _retired_rows(ids: IdAssignment, run_id: int, created: dict[int, int]) -> Iterator[dict]:
    for old, heir in ids.retired.items():
        yield {
            "id": old,
            "status": "retired",
            "merged_into": heir,
            "created_run": created.get(old, run_id),
            "updated_run": run_id,
            "size": 0,
            "sources": "",
        }


def load_members(
    conn: sa.Connection, uids: Sequence[str] | None = None, in_clusters_of_several: bool = False
) -> dict[str, Member]:
    """The ledger's view of records: some uids, or all records in clusters of several."""
    inc, places = schema.incidents, schema.incident_places
    query = sa.select(
        inc.c.uid,
        inc.c.source,
        inc.c.date_start,
        inc.c.date_end,
        inc.c.date_precision,
        inc.c.location_precision,
        inc.c.latitude,
        inc.c.longitude,
        inc.c.country_iso3,
        places.c.admin1_id,
        places.c.admin2_id,
        inc.c.deaths_best,
        inc.c.deaths_low,
        inc.c.deaths_high,
        inc.c.source_location_precision,
    ).outerjoin(places, places.c.uid == inc.c.uid)
    if uids is not None:
        query = query.where(inc.c.uid.in_(list(uids)))
    if in_clusters_of_several:
        cm = _MEMBERS  # during the rewrite, the new memberships
        several = sa.select(cm.c.cluster_id).group_by(cm.c.cluster_id).having(sa.func.count() > 1)
        query = query.join(cm, cm.c.uid == inc.c.uid).where(cm.c.cluster_id.in_(several))
    return {row.uid: Member(*row) for row in conn.execute(query)}


def _chunks(rows: Any) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
