"""The reconciliation ledger: each source's own figures for a cluster, and the cluster's.

The rule for the cluster's figures, applied the same way to every cluster:

1. Per source: a source has one record in a cluster, or several that it marks itself as
   parts of one attack (GTD's related incidents); its figure is then the sum of the
   parts' deaths (best, low, high) and the span of their dates.
2. Deaths: *best* is the median of the sources' best figures, the lower of the two
   middle ones when their number is even, so that it is always a figure some source
   reported and never above what half of the sources say; *low* is the lowest low and
   *high* the highest high of any source (a source without a range counts its best as
   both). Sources without a figure are left out; a cluster where none has one has none.
3. Date: the start date that most day-precise sources give (the earliest on a tie); when
   no source knows the day, the widest span of all.
4. Place: that of the record whose location is most precise (the smallest radius of
   doubt; on a tie, the first source by name), with its province and district.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from gawahi.linkage.records import RADIUS_KM, point_precision

RULE = "ledger-1: median of sources (lower middle), range = lowest low..highest high"


@dataclass(frozen=True, slots=True)
class Member:
    uid: str
    source: str
    date_start: date | None
    date_end: date | None
    date_precision: str
    location_precision: str
    latitude: float | None
    longitude: float | None
    country_iso3: str | None
    admin1_id: str | None
    admin2_id: str | None
    deaths_best: int | None
    deaths_low: int | None
    deaths_high: int | None
    source_location_precision: str | None = None


@dataclass(frozen=True, slots=True)
class SourceFigure:
    source: str
    uids: tuple[str, ...]
    date_start: date | None
    date_end: date | None
    day_precise: bool
    best: int | None
    low: int | None
    high: int | None


@dataclass(frozen=True, slots=True)
class Reconciled:
    date_start: date | None
    date_end: date | None
    country_iso3: str | None
    admin1_id: str | None
    admin2_id: str | None
    latitude: float | None
    longitude: float | None
    deaths_best: int | None
    deaths_low: int | None
    deaths_high: int | None
    location_precision: str | None

    def as_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def source_figures(members: Sequence[Member]) -> list[SourceFigure]:
    by_source: dict[str, list[Member]] = {}
    for member in members:
        by_source.setdefault(member.source, []).append(member)
    return [_figure(source, parts) for source, parts in sorted(by_source.items())]


def _figure(source: str, parts: list[Member]) -> SourceFigure:
    starts = [p.date_start for p in parts if p.date_start]
    ends = [p.date_end or p.date_start for p in parts if p.date_start]
    return SourceFigure(
        source,
        tuple(p.uid for p in parts),
        min(starts, default=None),
        max(ends, default=None),  # type: ignore[type-var]
        all(p.date_precision == "day" for p in parts),
        _sum(p.deaths_best for p in parts),
        _sum(p.deaths_low if p.deaths_low is not None else p.deaths_best for p in parts),
        _sum(p.deaths_high if p.deaths_high is not None else p.deaths_best for p in parts),
    )


def _sum(values: Any) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def reconcile(members: Sequence[Member]) -> Reconciled:
    """The cluster's figures by the rule in this module's docstring."""
    figures = source_figures(members)
    start, end = _dates(figures)
    place = min(members, key=lambda m: (_radius(m), m.source, m.uid))
    bests = sorted(f.best for f in figures if f.best is not None)
    lows = [f.low for f in figures if f.low is not None]
    highs = [f.high for f in figures if f.high is not None]
    return Reconciled(
        start,
        end,
        place.country_iso3 or _most_common(m.country_iso3 for m in members),
        place.admin1_id,
        place.admin2_id,
        place.latitude,
        place.longitude,
        bests[(len(bests) - 1) // 2] if bests else None,
        min(lows) if lows else None,
        max(highs) if highs else None,
        _precision(place),
    )


def _dates(figures: list[SourceFigure]) -> tuple[date | None, date | None]:
    days = Counter(f.date_start for f in figures if f.day_precise and f.date_start)
    if days:
        top = max(days.values())
        day = min(d for d, n in days.items() if n == top)
        return day, day
    starts = [f.date_start for f in figures if f.date_start]
    ends = [f.date_end for f in figures if f.date_end]
    return min(starts, default=None), max(ends, default=None)


def _precision(place: Member) -> str | None:
    if place.latitude is None:
        return None
    return point_precision(place.location_precision, place.source_location_precision)


def _radius(member: Member) -> float:
    if member.latitude is None:
        return float("inf")
    radius = RADIUS_KM.get(member.location_precision)
    return float("inf") if radius is None else radius


def _most_common(values: Any) -> Any:
    counted = Counter(v for v in values if v is not None)
    return counted.most_common(1)[0][0] if counted else None
