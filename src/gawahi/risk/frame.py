"""The incidents an assessment reads, one row per incident (a cluster, or a record not
linked yet), as numpy columns: date, place, deaths, sources, civilian target and the
tags asked for. Loaded once per assessment; every indicator is a mask over it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import sqlalchemy as sa

from gawahi.store import schema

_COLUMNS = ("key", "date", "admin1", "admin2", "lat", "lon", "best", "low", "high", "sources")


@dataclass(slots=True)
class Frame:
    """Incidents of one country and period; ``key`` is "c<cluster id>" or "r<uid>"."""

    key: np.ndarray
    date: np.ndarray  # datetime64[D]
    year: np.ndarray
    admin1: np.ndarray
    admin2: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    best: np.ndarray
    low: np.ndarray
    high: np.ndarray
    sources: np.ndarray  # "gtd ucdp-ged"
    civilian: np.ndarray
    tags: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # (tag, role) -> mask

    def __len__(self) -> int:
        return len(self.key)

    def in_units(self, units: Iterable[str]) -> np.ndarray:
        inside = list(units)
        return np.isin(self.admin2, inside) | np.isin(self.admin1, inside)

    def tagged(self, tag: str, role: str) -> np.ndarray:
        return self.tags.get((tag, role), np.zeros(len(self), dtype=bool))

    def ids(self, mask: np.ndarray) -> list[str]:
        """The incident keys under a mask, in date order."""
        order = np.argsort(self.date[mask], kind="stable")
        return [str(k) for k in self.key[mask][order]]


def load_frame(
    conn: sa.Connection,
    country: str,
    start: date,
    end: date,
    tags: Iterable[tuple[str, str]],
    min_confidence: float = 0.0,
) -> Frame:
    """Every incident of ``country`` dated ``start``..``end``, with the ``tags`` asked for."""
    rows = conn.execute(_clusters(country, start, end).union_all(_alone(country, start, end)))
    columns = list(zip(*rows, strict=True)) or [()] * len(_COLUMNS)
    data = dict(zip(_COLUMNS, columns, strict=True))
    key = np.array(data["key"], dtype=object)
    dates = np.array([str(d)[:10] for d in data["date"]], dtype="datetime64[D]")
    frame = Frame(
        key=key,
        date=dates,
        year=dates.astype("datetime64[Y]").astype(int) + 1970,
        admin1=np.array(data["admin1"], dtype=object),
        admin2=np.array(data["admin2"], dtype=object),
        lat=_floats(data["lat"]),
        lon=_floats(data["lon"]),
        best=_floats(data["best"]),
        low=_floats(data["low"]),
        high=_floats(data["high"]),
        sources=np.array(data["sources"], dtype=object),
        civilian=np.zeros(len(key), dtype=bool),
    )
    position = {k: i for i, k in enumerate(key)}
    frame.civilian = _mask(position, conn.execute(_civilian_keys()))
    for tag, role in set(tags):
        frame.tags[(tag, role)] = _mask(
            position, conn.execute(_tag_keys(tag, role, min_confidence))
        )
    return frame


def _floats(values: tuple[object, ...]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _mask(position: dict[str, int], keys: Iterable[tuple[str]]) -> np.ndarray:
    mask = np.zeros(len(position), dtype=bool)
    hits = [position[k] for (k,) in keys if k in position]
    mask[hits] = True
    return mask


def _cluster_key(column: sa.ColumnElement[int]) -> sa.ColumnElement[str]:
    return "c" + sa.cast(column, sa.String)


def _clusters(country: str, start: date, end: date) -> sa.Select[tuple[object, ...]]:
    c = schema.clusters
    return sa.select(
        _cluster_key(c.c.id), c.c.date_start, c.c.admin1_id, c.c.admin2_id, c.c.latitude,
        c.c.longitude, c.c.deaths_best, c.c.deaths_low, c.c.deaths_high, c.c.sources,
    ).where(
        c.c.status == "active", c.c.country_iso3 == country, c.c.date_start.between(start, end)
    )  # fmt: skip


def _alone(country: str, start: date, end: date) -> sa.Select[tuple[object, ...]]:
    inc, places, cm = schema.incidents, schema.incident_places, schema.cluster_members
    return (
        sa.select(
            "r" + inc.c.uid,
            inc.c.date_start,
            places.c.admin1_id,
            places.c.admin2_id,
            inc.c.latitude,
            inc.c.longitude,
            inc.c.deaths_best,
            inc.c.deaths_low,
            inc.c.deaths_high,
            inc.c.source,
        )
        .outerjoin(places, places.c.uid == inc.c.uid)
        .where(inc.c.country_iso3 == country, inc.c.date_start.between(start, end))
        .where(~sa.exists().where(cm.c.uid == inc.c.uid))
    )


def _civilian_keys() -> sa.Select[tuple[str]]:
    t, cm = schema.record_targets, schema.cluster_members
    key = sa.func.coalesce(_cluster_key(cm.c.cluster_id), "r" + t.c.uid)
    return (
        sa.select(key).select_from(t).outerjoin(cm, cm.c.uid == t.c.uid).where(t.c.civilian)
    ).distinct()


def _tag_keys(tag: str, role: str, min_confidence: float) -> sa.Select[tuple[str]]:
    t, cm = schema.tags, schema.cluster_members
    key = sa.func.coalesce(_cluster_key(cm.c.cluster_id), "r" + t.c.incident_uid)
    return (
        sa.select(key)
        .select_from(t)
        .outerjoin(cm, cm.c.uid == t.c.incident_uid)
        .where(t.c.tag == tag, t.c.role == role, t.c.confidence >= min_confidence)
    ).distinct()


def add_tags(
    conn: sa.Connection, frame: Frame, tags: Iterable[tuple[str, str]], min_confidence: float = 0.0
) -> None:
    """Load further tag masks into ``frame`` (perpetrators found after the first load)."""
    position = {k: i for i, k in enumerate(frame.key)}
    for tag, role in set(tags) - set(frame.tags):
        frame.tags[(tag, role)] = _mask(
            position, conn.execute(_tag_keys(tag, role, min_confidence))
        )


def perpetrators_of(conn: sa.Connection, keys: list[str], min_confidence: float = 0.0) -> list[str]:
    """Perpetrator tags carried by the incidents ``keys``, most frequent first."""
    t, cm = schema.tags, schema.cluster_members
    clusters = [int(k[1:]) for k in keys if k.startswith("c")]
    records = [k[1:] for k in keys if k.startswith("r")]
    found: dict[str, set[str]] = {}
    for start in range(0, max(len(clusters), len(records)), 5_000):
        query = (
            sa.select(
                t.c.tag, sa.func.coalesce(_cluster_key(cm.c.cluster_id), "r" + t.c.incident_uid)
            )
            .outerjoin(cm, cm.c.uid == t.c.incident_uid)
            .where(t.c.role == "perpetrator", t.c.confidence >= min_confidence)
            .where(
                sa.or_(
                    cm.c.cluster_id.in_(clusters[start : start + 5_000]),
                    t.c.incident_uid.in_(records[start : start + 5_000]),
                )
            )
        )
        for tag, key in conn.execute(query):
            found.setdefault(tag, set()).add(key)
    return sorted(found, key=lambda tag: (-len(found[tag]), tag))
