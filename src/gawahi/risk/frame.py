"""The incidents an assessment reads, one row per incident (a cluster, or a record not
linked yet), as numpy columns: date, place, deaths, sources, civilian target and the
tags asked for. Loaded once per assessment; every indicator is a mask over it.

A store can hold a million records, so the frame is read with the driver's own
cursor (no per-value SQLAlchemy processing) and kept as numbers: cluster ids, unit codes
and day numbers. The "c<id>"/"r<uid>" keys are built only for the rows a figure names.
Rows are in date order (ties: clusters by id, then records by uid), on every backend.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from typing import Any

import numpy as np
import sqlalchemy as sa

from gawahi.linkage.records import point_precision_sql
from gawahi.store import schema

Row = Sequence[Any]
_CHUNK = 5_000  # keys per IN list, under every backend's limit on bound parameters
_COLUMNS = 11
# Location precision, finest first; 9: no usable point (country, unknown, none).
PRECISION_RANK = {"exact": 0, "near": 1, "admin2": 2, "admin1": 3, "region": 4}
NO_POINT = 9


@dataclass(slots=True, eq=False)
class Frame:
    """Incidents of one country and period, in date order; ``key`` is "c<cluster id>" or
    "r<uid>". ``cluster`` is -1 and ``record`` the uid for a record not linked yet."""

    cluster: np.ndarray  # int64
    record: np.ndarray  # object: uid or None
    date: np.ndarray  # datetime64[D]
    year: np.ndarray
    unit_codes: np.ndarray  # (2, n) int: admin1, admin2 as positions in ``unit_names``
    unit_names: list[str | None]
    lat: np.ndarray
    lon: np.ndarray
    best: np.ndarray
    low: np.ndarray
    high: np.ndarray
    sources: np.ndarray  # "gtd ucdp-ged"
    civilian: np.ndarray
    precision: np.ndarray  # int8 rank of the point's precision (PRECISION_RANK)
    tags: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # (tag, role) -> mask
    all_linked: bool = False  # every record of the store was in a cluster when loaded
    snapshot: str | None = None  # its key in the store's snapshots (risk/snapshots.py)
    _keys: np.ndarray | None = None
    _by_cluster: np.ndarray | None = None  # rows in cluster id order
    _ordered: np.ndarray | None = None  # cluster ids in that order

    def __len__(self) -> int:
        return len(self.cluster)

    @property
    def key(self) -> np.ndarray:
        if self._keys is None:
            self._keys = np.array(self._key_list(np.arange(len(self))), dtype=object)
        return self._keys

    @property
    def admin1(self) -> np.ndarray:
        return np.array(self.unit_names, dtype=object)[self.unit_codes[0]]

    @property
    def admin2(self) -> np.ndarray:
        return np.array(self.unit_names, dtype=object)[self.unit_codes[1]]

    def in_units(self, units: Iterable[str]) -> np.ndarray:
        inside = set(units)
        wanted = np.array([name in inside for name in self.unit_names], dtype=bool)
        return wanted[self.unit_codes[1]] | wanted[self.unit_codes[0]]

    def tagged(self, tag: str, role: str) -> np.ndarray:
        return self.tags.get((tag, role), np.zeros(len(self), dtype=bool))

    def ids(self, mask: np.ndarray) -> list[str]:
        """The incident keys under a mask, in date order."""
        return self._key_list(np.flatnonzero(mask))

    def _key_list(self, rows: np.ndarray) -> list[str]:
        if self._keys is not None:
            return list(self._keys[rows])
        clusters, records = self.cluster[rows].tolist(), self.record[rows].tolist()
        return [f"c{c}" if c >= 0 else f"r{r}" for c, r in zip(clusters, records, strict=True)]

    def rows(self, keys: Iterable[str]) -> np.ndarray:
        """The rows of these incident keys, each once, in frame order; keys not in the
        frame are ignored."""
        keys = list(keys)
        clusters = np.array([int(k[1:]) for k in keys if k[0] == "c"], dtype=np.int64)
        records = {k[1:] for k in keys if k[0] == "r"}
        found = self._cluster_rows(clusters)
        if records:
            alone = np.flatnonzero([r in records for r in self.record.tolist()])
            found = np.concatenate([found, alone])
        return np.unique(found)

    def mask_of(self, clusters: np.ndarray, records: set[str]) -> np.ndarray:
        """The rows of these cluster ids and uids of records not linked; others are ignored."""
        mask = np.zeros(len(self), dtype=bool)
        mask[self._cluster_rows(clusters)] = True
        if records:
            mask |= np.array([r in records for r in self.record.tolist()], dtype=bool)
        return mask

    def _cluster_rows(self, clusters: np.ndarray) -> np.ndarray:
        if not len(self):
            return np.zeros(0, dtype=np.int64)
        if self._by_cluster is None or self._ordered is None:
            self._by_cluster = np.argsort(self.cluster, kind="stable")
            self._ordered = self.cluster[self._by_cluster]
        at = np.minimum(np.searchsorted(self._ordered, clusters), len(self) - 1)
        return self._by_cluster[at[self._ordered[at] == clusters]]


def load_frame(
    conn: sa.Connection,
    country: str,
    start: date,
    end: date,
    tags: Iterable[tuple[str, str]],
    min_confidence: float = 0.0,
) -> Frame:
    """Every incident of ``country`` dated ``start``..``end``, with the ``tags`` asked for."""
    linked = _fetch(conn, _clusters(country, start, end))
    all_linked = _all_linked(conn)
    unlinked = [] if all_linked else _fetch(conn, _alone(country, start, end))
    frame = _frame(linked, unlinked)
    frame.all_linked = all_linked
    t = schema.record_targets
    frame.civilian = frame.mask_of(*_hits(conn, t.c.uid, [t.c.civilian], all_linked))
    add_tags(conn, frame, tags, min_confidence)
    return frame


def _fetch(conn: sa.Connection, query: sa.Executable) -> list[Row]:
    """All rows as the driver gives them: SQLAlchemy builds and binds the query, but its
    per-value processing would cost more than the query itself at a million rows."""
    result = conn.execute(query)
    try:
        return result.cursor.fetchall()  # type: ignore[attr-defined, no-any-return]
    finally:
        result.close()


def _all_linked(conn: sa.Connection) -> bool:
    """Whether every record is in a cluster: members are records (a foreign key) each in
    one cluster (the key), so equal counts mean equal sets and no record stands alone."""
    records = conn.scalar(sa.select(sa.func.count()).select_from(schema.incidents))
    members = conn.scalar(sa.select(sa.func.count()).select_from(schema.cluster_members))
    return records == members


def _frame(linked: list[Row], unlinked: list[Row]) -> Frame:
    """The rows of both queries (cluster id or uid, then the fields) as columns, ordered."""
    n = len(linked)
    table = np.array(linked + unlinked, dtype=object).reshape(-1, _COLUMNS)
    cluster = np.full(len(table), -1, dtype=np.int64)
    cluster[:n] = table[:n, 0]
    record = np.full(len(table), None, dtype=object)
    record[n:] = table[n:, 0]
    days = _days(table[:, 1])
    order = np.lexsort((_ranks(record, n), cluster, cluster < 0, days))
    unit_codes, unit_names = _codes(table[:, 2:4].T)
    numbers = table[:, 4:9].astype(float)[order].T  # None -> nan
    return Frame(
        cluster=cluster[order],
        record=record[order],
        date=days[order],
        year=days[order].astype("datetime64[Y]").astype(int) + 1970,
        unit_codes=unit_codes[:, order],
        unit_names=unit_names,
        lat=numbers[0].copy(),
        lon=numbers[1].copy(),
        best=numbers[2].copy(),
        low=numbers[3].copy(),
        high=numbers[4].copy(),
        sources=table[order, 9],
        civilian=np.zeros(len(table), dtype=bool),
        precision=_precision(table[order, 10], numbers[0]),
    )


def _precision(labels: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Each point's precision rank; a row without coordinates has no point at all."""
    codes, distinct = factorize(labels)
    ranks = np.array([PRECISION_RANK.get(v, NO_POINT) for v in distinct], dtype=np.int8)[codes]
    ranks[np.isnan(lat)] = NO_POINT
    return ranks


def _days(values: np.ndarray) -> np.ndarray:
    """Dates as datetime64[D]: ISO text on SQLite, dates on PostgreSQL; each distinct
    value is parsed once."""
    codes, distinct = factorize(values)
    parsed = np.array([str(v)[:10] for v in distinct], dtype="datetime64[D]")
    return parsed[codes]


def _codes(columns: np.ndarray) -> tuple[np.ndarray, list[str | None]]:
    """Unit ids as positions in one list of names, so place tests compare integers."""
    codes, names = factorize(columns.reshape(-1))
    return codes.reshape(len(columns), -1), list(names)


def factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes into the distinct values, in order of first appearance (None is a value
    too). A dict over the values' list: faster here than pandas' hash table on Python
    objects (0.12 s against 0.25 s for 707,000 unit ids)."""
    seen: dict[Any, int] = {}
    codes = np.fromiter(
        (seen.setdefault(v, len(seen)) for v in values.tolist()), dtype=np.int64, count=len(values)
    )
    distinct = np.empty(len(seen), dtype=object)
    distinct[:] = list(seen)
    return codes, distinct


def _ranks(records: np.ndarray, first: int) -> np.ndarray:
    """Each uid's place in uid order (0 for clusters, the rows before ``first``): the
    tie-break between records not linked yet."""
    ranks = np.zeros(len(records), dtype=np.int64)
    order = np.argsort(records[first:].astype(str), kind="stable")
    ranks[first + order] = np.arange(1, len(order) + 1)
    return ranks


def _clusters(country: str, start: date, end: date) -> sa.Select[Any]:
    c = schema.clusters
    return sa.select(
        c.c.id, c.c.date_start, c.c.admin1_id, c.c.admin2_id, c.c.latitude,
        c.c.longitude, c.c.deaths_best, c.c.deaths_low, c.c.deaths_high, c.c.sources,
        c.c.location_precision,
    ).where(
        c.c.status == "active", c.c.country_iso3 == country, c.c.date_start.between(start, end)
    )  # fmt: skip


def _alone(country: str, start: date, end: date) -> sa.Select[Any]:
    inc, places, cm = schema.incidents, schema.incident_places, schema.cluster_members
    return (
        sa.select(
            inc.c.uid,
            inc.c.date_start,
            places.c.admin1_id,
            places.c.admin2_id,
            inc.c.latitude,
            inc.c.longitude,
            inc.c.deaths_best,
            inc.c.deaths_low,
            inc.c.deaths_high,
            inc.c.source,
            point_precision_sql(inc.c.location_precision, inc.c.source_location_precision),
        )
        .outerjoin(places, places.c.uid == inc.c.uid)
        .where(inc.c.country_iso3 == country, inc.c.date_start.between(start, end))
        .where(~sa.exists().where(cm.c.uid == inc.c.uid))
    )


def _hits(
    conn: sa.Connection,
    uid: sa.Column[str],
    where: list[sa.ColumnElement[bool]],
    all_linked: bool,
) -> tuple[np.ndarray, set[str]]:
    """The incidents of the records ``where`` (``uid`` is the record's column): cluster
    ids, and the uids of records not linked yet. With every record linked, only cluster
    ids are fetched: hundreds of thousands of rows, one integer each."""
    cm = schema.cluster_members
    if all_linked:
        query = sa.select(cm.c.cluster_id).join_from(uid.table, cm, cm.c.uid == uid)
        rows = _fetch(conn, query.where(*where))
        return np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows)), set()
    query = sa.select(cm.c.cluster_id, uid).outerjoin_from(uid.table, cm, cm.c.uid == uid)
    rows = _fetch(conn, query.where(*where))
    clusters = np.array([c for c, _ in rows if c is not None], dtype=np.int64)
    return clusters, {u for c, u in rows if c is None}


def add_tags(
    conn: sa.Connection, frame: Frame, tags: Iterable[tuple[str, str]], min_confidence: float = 0.0
) -> None:
    """Load further tag masks into ``frame`` (perpetrators found after the first load)."""
    t = schema.tags
    for tag, role in sorted(set(tags) - set(frame.tags)):
        where = [t.c.tag == tag, t.c.role == role, t.c.confidence >= min_confidence]
        hits = _hits(conn, t.c.incident_uid, where, frame.all_linked)
        frame.tags[(tag, role)] = frame.mask_of(*hits)


def perpetrators_of(conn: sa.Connection, keys: list[str], min_confidence: float = 0.0) -> list[str]:
    """Perpetrator tags carried by the incidents ``keys``, most frequent first."""
    t, cm = schema.tags, schema.cluster_members
    clusters = [int(k[1:]) for k in keys if k.startswith("c")]
    records = [k[1:] for k in keys if k.startswith("r")]
    by_cluster = sa.select(t.c.tag, cm.c.cluster_id).join_from(cm, t, t.c.incident_uid == cm.c.uid)
    by_record = sa.select(t.c.tag, t.c.incident_uid)
    found: dict[str, set[str]] = {}
    # a query per kind of key: an OR of both would keep SQLite from using either index
    for prefix, query, wanted in (("c", by_cluster, clusters), ("r", by_record, records)):
        query = query.where(t.c.role == "perpetrator", t.c.confidence >= min_confidence)
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            for tag, ident in _fetch(conn, query.where(query.selected_columns[1].in_(chunk))):
                found.setdefault(tag, set()).add(f"{prefix}{ident}")
    return sorted(found, key=lambda tag: (-len(found[tag]), tag))
