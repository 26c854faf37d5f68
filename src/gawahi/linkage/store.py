"""Reading and writing links, clusters and runs (the tables of store/schema.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
import sqlalchemy as sa

from gawahi.linkage.identity import IdAssignment
from gawahi.linkage.ledger import Member, Reconciled, reconcile
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
    previous: dict[str, int],
) -> None:
    """Replace the active clusters and memberships; keep retired ids and creation runs."""
    clusters = schema.clusters
    created = dict(
        conn.execute(
            sa.select(clusters.c.id, clusters.c.created_run).where(clusters.c.status == "active")
        ).all()
    )
    data = load_members(conn)
    conn.execute(sa.delete(schema.cluster_members))
    conn.execute(sa.delete(clusters).where(clusters.c.status == "active"))
    rows = (
        _cluster_row(cid, uids, data, run_id, created.get(cid, run_id))
        for cid, uids in zip(ids.ids, members, strict=True)
    )
    for chunk in _chunks(rows):
        conn.execute(sa.insert(clusters), chunk)
    for chunk in _chunks(_retired_rows(ids, run_id, created)):
        conn.execute(sa.insert(clusters), chunk)
    member_rows = (
        {"uid": uid, "cluster_id": cid, "via": via.get(uid, "alone")}
        for cid, uids in zip(ids.ids, members, strict=True)
        for uid in uids
    )
    for chunk in _chunks(member_rows):
        conn.execute(sa.insert(schema.cluster_members), chunk)


def _cluster_row(
    cluster_id: int, uids: list[str], data: dict[str, Member], run_id: int, created: int
) -> dict[str, Any]:
    parts = [data[uid] for uid in uids]
    figures = _own(parts[0]) if len(parts) == 1 else reconcile(parts).as_values()
    return {
        "id": cluster_id,
        "status": "active",
        "merged_into": None,
        "created_run": created,
        "updated_run": run_id,
        "size": len(parts),
        "sources": " ".join(sorted({p.source for p in parts})),
    } | figures


def _own(member: Member) -> dict[str, Any]:
    """A cluster of one has its record's own figures (the ledger's rule gives the same)."""
    return {name: getattr(member, name) for name in _FIGURES}


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


def load_members(conn: sa.Connection, uids: Sequence[str] | None = None) -> dict[str, Member]:
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
    ).outerjoin(places, places.c.uid == inc.c.uid)
    if uids is not None:
        query = query.where(inc.c.uid.in_(list(uids)))
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
