"""The records the linker compares, read from the store into columns.

One row per incident with a known date: its window in time, its place with a radius
that says how exactly the source knows it, its death toll as a range, its event kind,
its perpetrators (from tags) and the informative words of its text. Columns are numpy
arrays so that blocking and comparison work on all records at once.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import orjson
import sqlalchemy as sa

from gawahi.linkage.kinds import EventKinds, event_kinds
from gawahi.store import schema

# km around the point within which the event may have happened, by location precision.
# None: the source knows the country only, so any place in it may be the same.
RADIUS_KM: dict[str, float | None] = {
    "exact": 5.0,
    "near": 25.0,
    "admin2": 60.0,
    "admin1": 250.0,
    "region": 400.0,
    "country": None,
    "unknown": None,
}
# A source that gives the city, not the site, gives the city's point for attacks in its
# suburbs and district too (Pakistan Body Count files the Wah ordnance factory bombing
# under Rawalpindi, 35 km away): its radius is a district's, whatever the precision says.
SOURCE_PRECISION_RADIUS_KM = {"city": 60.0}
# The same, as a precision: a city's point is as good as a district's, whatever the
# importer's label says (risk/reach.py measures distances only from precise points).
SOURCE_PRECISION_AS = {"city": "admin2"}


def point_precision(location_precision: str, source_location_precision: str | None) -> str:
    """The precision a point really has: the label, or coarser for a city's point."""
    coarser = SOURCE_PRECISION_AS.get(source_location_precision or "")
    return coarser if coarser and location_precision in _finer_than(coarser) else location_precision


def point_precision_sql(
    location_precision: sa.ColumnElement[str], source_location_precision: sa.ColumnElement[str]
) -> sa.ColumnElement[str]:
    """``point_precision`` in SQL."""
    whens = [
        (
            sa.and_(
                source_location_precision == source,
                location_precision.in_(_finer_than(coarser)),
            ),
            coarser,
        )
        for source, coarser in SOURCE_PRECISION_AS.items()
    ]
    return sa.case(*whens, else_=location_precision)


def _finer_than(precision: str) -> list[str]:
    limit = RADIUS_KM[precision] or math.inf
    return [p for p, r in RADIUS_KM.items() if r is not None and r < limit]


# Days added on each side of a record's own window (date_start..date_end already spans
# what the source does not know): reports of one attack often differ by a day (night
# attacks, time zones, "yesterday" in a next-day paper), and vaguer dates by more.
DATE_SLACK = {"day": 1, "days": 2, "week": 3, "month": 3, "year": 3, "unknown": 3}
# Tags below this confidence (context cues) say too little about who did it.
MIN_TAG_CONFIDENCE = 0.6
# A word in more than this share of records (killed, police, district) tells records
# apart no better than chance and is dropped; the others weigh by their rarity.
COMMON_WORD_SHARE = 0.2
_WORD = re.compile(r"[^\W\d_]{3,}")
_TEXT_CHARS = 600


@dataclass
class LinkRecords:
    """Column-wise records; index i is the same record in every column."""

    uids: list[str]
    sources: list[str]
    source: np.ndarray  # int16 code into ``source_names``
    source_names: list[str]
    country: np.ndarray  # int32 code, -1 unknown
    start: np.ndarray  # int32 day ordinals
    end: np.ndarray
    slack: np.ndarray  # int16 days
    lat: np.ndarray  # float64, nan unknown
    lon: np.ndarray
    radius: np.ndarray  # float64 km, inf = anywhere in the country
    admin1: np.ndarray  # int32 code, -1 unknown
    admin2: np.ndarray
    deaths_low: np.ndarray  # float64, nan unknown
    deaths_best: np.ndarray
    deaths_high: np.ndarray
    kind: np.ndarray  # int16 code into ``kind_names``, -1 unknown
    kind_names: list[str]
    perpetrators: np.ndarray  # uint64 bit sets, shape (n, words)
    part: np.ndarray  # int32 code: records of one source with one code are parts of one event
    words: list[dict[str, float]]  # informative word -> its weight (inverse document freq.)
    undated: list[str]  # incidents left out: no date to compare

    def __len__(self) -> int:
        return len(self.uids)


def load_records(
    conn: sa.Connection, progress: Callable[[int, int], None] | None = None
) -> LinkRecords:
    """Every incident of the store with what the comparisons need."""
    rows = conn.execute(_record_query()).all()
    extra = _Extras.load(conn)
    if progress:
        progress(0, len(rows))
    return _build(rows, extra, event_kinds())


def _record_query() -> sa.Select[Any]:
    inc, places = schema.incidents, schema.incident_places
    return (
        sa.select(
            inc.c.uid,
            inc.c.source,
            inc.c.country_iso3,
            inc.c.date_start,
            inc.c.date_end,
            inc.c.date_precision,
            inc.c.latitude,
            inc.c.longitude,
            inc.c.location_precision,
            inc.c.source_location_precision,
            places.c.admin1_id,
            places.c.admin2_id,
            inc.c.deaths_low,
            inc.c.deaths_best,
            inc.c.deaths_high,
            inc.c.violence_type,
            inc.c.event_type,
            inc.c.place,
            inc.c.location_text,
            inc.c.description,
        )
        .outerjoin(places, places.c.uid == inc.c.uid)
        .order_by(inc.c.uid)
    )


@dataclass
class _Extras:
    perpetrators: dict[str, set[str]]
    headlines: dict[str, list[str]]
    actors: dict[str, list[str]]
    parts: dict[str, str]

    @classmethod
    def load(cls, conn: sa.Connection) -> _Extras:
        tags, cites = schema.tags, schema.citations
        perpetrators = _grouped(
            conn.execute(
                sa.select(tags.c.incident_uid, tags.c.tag)
                .where(tags.c.role == "perpetrator", tags.c.confidence >= MIN_TAG_CONFIDENCE)
                .distinct()
            )
        )
        headlines = _grouped(
            conn.execute(
                sa.select(cites.c.incident_uid, cites.c.headline).where(
                    sa.func.coalesce(cites.c.headline, "") != ""
                )
            )
        )
        return cls(
            {k: set(v) for k, v in perpetrators.items()},
            headlines,
            _actor_names(conn),
            _parts(conn),
        )


def _actor_names(conn: sa.Connection) -> dict[str, list[str]]:
    # Only the sources whose kind rules read actors: reading every actor is slow at scale.
    sources = {r.source for r in event_kinds().rules if r.field == "actor"}
    if not sources:
        return {}
    ia, actors, inc = schema.incident_actors, schema.actors, schema.incidents
    query = (
        sa.select(ia.c.incident_uid, actors.c.name)
        .join(actors, actors.c.id == ia.c.actor_id)
        .join(inc, inc.c.uid == ia.c.incident_uid)
        .where(inc.c.source.in_(sources))
    )
    return _grouped(conn.execute(query))


# Sources that split one coordinated attack into several records and say so, with the
# raw field that lists the other parts' ids: GTD's "related" ("201503150001, ...").
PART_FIELDS = {"gtd": "related"}


def _parts(conn: sa.Connection) -> dict[str, str]:
    """uid -> the smallest id among the record and the parts it names (one per attack)."""
    inc = schema.incidents
    found: dict[str, str] = {}
    query = sa.select(inc.c.uid, inc.c.source, inc.c.source_id, inc.c.raw).where(
        inc.c.source.in_(PART_FIELDS)
    )
    for uid, source, source_id, raw in conn.execute(query):
        listed = orjson.loads(raw).get(PART_FIELDS[source]) or ""
        ids = {i.strip() for i in str(listed).split(",") if i.strip()}
        if ids:
            found[uid] = f"{source}:{min(ids | {source_id})}"
    return found


def _grouped(rows: Iterable[Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in rows:
        found.setdefault(key, []).append(value)
    return found


def _build(rows: list[Any], extra: _Extras, kinds: EventKinds) -> LinkRecords:
    dated = [r for r in rows if r.date_start is not None]
    undated = [r.uid for r in rows if r.date_start is None]
    codes = _Codes()
    kind_names = sorted({r.kind for r in kinds.rules})
    texts = [_text(r, extra.headlines.get(r.uid, ())) for r in dated]
    return LinkRecords(
        uids=[r.uid for r in dated],
        sources=[r.source for r in dated],
        source=codes.array([r.source for r in dated], np.int16, "source"),
        source_names=codes.names("source"),
        country=codes.array([r.country_iso3 for r in dated], np.int32, "country"),
        start=np.array([r.date_start.toordinal() for r in dated], dtype=np.int32),
        end=np.array([_end(r).toordinal() for r in dated], dtype=np.int32),
        slack=np.array([DATE_SLACK.get(r.date_precision, 3) for r in dated], dtype=np.int16),
        lat=_floats(r.latitude for r in dated),
        lon=_floats(r.longitude for r in dated),
        radius=np.array([_radius(r) for r in dated], dtype=np.float64),
        admin1=codes.array([r.admin1_id for r in dated], np.int32, "unit"),
        admin2=codes.array([r.admin2_id for r in dated], np.int32, "unit"),
        deaths_low=_floats(_low(r) for r in dated),
        deaths_best=_floats(r.deaths_best for r in dated),
        deaths_high=_floats(_high(r) for r in dated),
        kind=_kinds(dated, extra, kinds, kind_names),
        kind_names=kind_names,
        perpetrators=_bitsets([extra.perpetrators.get(r.uid, set()) for r in dated]),
        part=codes.array([extra.parts.get(r.uid) for r in dated], np.int32, "part"),
        words=informative_words(texts),
        undated=undated,
    )


class _Codes:
    """Small integer codes for text values, -1 for none; one code space per name."""

    def __init__(self) -> None:
        self._spaces: dict[str, dict[str, int]] = {}

    def array(self, values: list[str | None], dtype: Any, space: str) -> np.ndarray:
        codes = self._spaces.setdefault(space, {})
        return np.array(
            [-1 if v is None else codes.setdefault(v, len(codes)) for v in values], dtype=dtype
        )

    def names(self, space: str) -> list[str]:
        return list(self._spaces.get(space, {}))


def _end(row: Any) -> date:
    end: date | None = row.date_end
    return end if end is not None and end >= row.date_start else row.date_start


def _radius(row: Any) -> float:
    if row.latitude is None or row.longitude is None:
        return float("inf")
    radius = RADIUS_KM.get(row.location_precision)
    if radius is None:
        return float("inf")
    return max(radius, SOURCE_PRECISION_RADIUS_KM.get(row.source_location_precision, 0.0))


def _low(row: Any) -> int | None:
    return row.deaths_low if row.deaths_low is not None else row.deaths_best


def _high(row: Any) -> int | None:
    return row.deaths_high if row.deaths_high is not None else row.deaths_best


def _floats(values: Iterable[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _kinds(rows: list[Any], extra: _Extras, kinds: EventKinds, names: list[str]) -> np.ndarray:
    index = {name: i for i, name in enumerate(names)}
    seen: dict[tuple[Any, ...], int] = {}  # few distinct inputs: rules run once for each
    found = []
    for r in rows:
        actors = tuple(extra.actors.get(r.uid, ()))
        key = (r.source, r.event_type, r.violence_type, actors)
        if key not in seen:
            values = {
                "event_type": [r.event_type] if r.event_type else [],
                "violence_type": [r.violence_type] if r.violence_type else [],
                "actor": list(actors),
            }
            kind = kinds.kind_of(r.source, values)
            seen[key] = -1 if kind is None else index[kind]
        found.append(seen[key])
    return np.array(found, dtype=np.int16)


def _bitsets(sets: list[set[str]]) -> np.ndarray:
    """Each record's tags as bits of uint64 words (exact: one bit per distinct tag)."""
    bit = {tag: i for i, tag in enumerate(sorted(set().union(*sets)))} if sets else {}
    words = max(1, (len(bit) + 63) // 64)
    out = np.zeros((len(sets), words), dtype=np.uint64)
    for row, tags in enumerate(sets):
        for tag in tags:
            out[row, bit[tag] // 64] |= np.uint64(1) << np.uint64(bit[tag] % 64)
    return out


def _text(row: Any, headlines: Iterable[str]) -> str:
    parts = [row.place, row.location_text, row.description, *headlines]
    return " ".join(p for p in parts if p)[:_TEXT_CHARS]


def informative_words(texts: list[str]) -> list[dict[str, float]]:
    """Each text's words with their weight log(N / records using the word); words in more
    than COMMON_WORD_SHARE of the records are left out."""
    sets = [set(_WORD.findall(t.casefold())) for t in texts]
    counts = Counter(word for words in sets for word in words)
    n = max(len(sets), 1)
    limit = COMMON_WORD_SHARE * n
    weight = {w: math.log(n / c) for w, c in counts.items() if c <= limit}
    return [{w: weight[w] for w in words if w in weight} for words in sets]
