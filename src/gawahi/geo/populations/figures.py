"""Population figures as they are shown: with source, year and any dispute; and reading them."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from gawahi.geo.names import normalise
from gawahi.store import schema

# estimates.py keeps the year as the source wrote it ("c.2020") in the note.
_YEAR_GIVEN = re.compile(r"reference year as given: ([^|]+?)(?: \||$)")


@dataclass
class PopulationImport:
    """What an import stored: rows written, names that matched no unit, and notes."""

    file_name: str
    rows: int = 0
    unmatched: list[str] = field(default_factory=list)  # "line N: NAME"
    notes: list[str] = field(default_factory=list)
    replaced: int = 0  # rows of earlier imports this one replaced
    file_sha256: str = ""


@dataclass(frozen=True)
class Denominator:
    """One population figure with its source and year, ready to be shown beside a rate."""

    unit_id: str | None
    place_name: str
    group: str | None  # None: the whole population
    year: int
    value: float  # the midpoint of low and high
    low: float
    high: float
    measure: str  # persons | percent
    source: str
    source_url: str | None
    note: str | None
    country: str = ""
    file_name: str = ""
    line: int = 0
    sources_disagree: bool = False  # another source gives another figure for it

    @property
    def disputed(self) -> bool:
        """A range rather than one figure, or several sources that disagree."""
        return self.low != self.high or self.sources_disagree

    @property
    def year_label(self) -> str:
        """The reference year as the source gave it ("c.2020", "1998-2020s") or the year."""
        found = _YEAR_GIVEN.search(self.note or "")
        return found.group(1).strip() if found else str(self.year)

    def figure(self) -> str:
        """The figure alone: "2,269,473 persons", "650,000–900,000 persons", "10–15%"."""
        amount = _amount(self.low, self.measure)
        if self.low != self.high:
            amount = f"{amount}–{_amount(self.high, self.measure)}"
        return f"{amount}%" if self.measure == "percent" else f"{amount} {self.measure}"

    def describe(self) -> str:
        """The figure with its source and year, and why it is disputed when it is."""
        parts = [self.source, self.year_label]
        if self.low != self.high:
            parts.append("disputed range")
        if self.sources_disagree:
            parts.append("other sources give other figures")
        return f"{self.figure()} ({'; '.join(parts)})"


def _amount(value: float, measure: str) -> str:
    if measure == "persons":
        return f"{value:,.0f}"
    return f"{value:,g}"


def denominators(
    conn: sa.Connection,
    unit_id: str | None,
    group: str | None = None,
    year: int | None = None,
    *,
    place: str | None = None,
    country: str | None = None,
) -> list[Denominator]:
    """The figures for a unit and group (None: the whole population), nearest year first.

    With ``unit_id`` None the figures without a unit are searched: a country as a whole
    (``place="Pakistan"``) or a neighbourhood (``place="Quetta - Hazara Town"``). Groups
    and places compare case- and punctuation-insensitively. Without ``year`` the latest
    comes first. Each figure says whether other sources disagree about it.

    ``group`` names a group exactly (compared without case and punctuation); when no
    figure has exactly that group, the groups whose name begins with it are returned.
    """
    table = schema.populations
    query = sa.select(table).where(
        table.c.unit_id == unit_id if unit_id else table.c.unit_id.is_(None)
    )
    query = query.where(table.c.group_name.is_(None)) if group is None else query
    query = query.where(table.c.country_iso3 == country) if country else query
    found = [_denominator(row) for row in conn.execute(query)]
    if group is not None:
        found = _in_group(found, group)
    if place is not None:
        found = [d for d in found if normalise(d.place_name) == normalise(place)]
    return sorted(_mark_disagreements(found), key=lambda d: _order(d, year))


def _in_group(found: list[Denominator], group: str) -> list[Denominator]:
    """The figures for exactly ``group``; failing that, for groups whose name starts with it
    ("Hazara" finds "Hazara (ethnic, mostly Shia)" and any other Hazara group)."""
    wanted = normalise(group)
    exact = [d for d in found if d.group and normalise(d.group) == wanted]
    if exact:
        return exact
    return [d for d in found if d.group and f"{normalise(d.group)} ".startswith(f"{wanted} ")]


def _denominator(row: Any) -> Denominator:
    return Denominator(
        unit_id=row.unit_id,
        place_name=row.place_name,
        group=row.group_name,
        year=row.year,
        value=row.value,
        low=_or(row.value_low, row.value),
        high=_or(row.value_high, row.value),
        measure=row.measure,
        source=row.source,
        source_url=row.source_url,
        note=row.note,
        country=row.country_iso3,
        file_name=row.file_name,
        line=row.line,
    )


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _mark_disagreements(found: list[Denominator]) -> list[Denominator]:
    """Flag figures for one place, group, year and measure that sources give differently."""
    by_subject: dict[tuple[Any, ...], list[Denominator]] = defaultdict(list)
    for item in found:
        where = item.unit_id or normalise(item.place_name)
        group = normalise(item.group) if item.group else None
        by_subject[(where, group, item.year, item.measure)].append(item)
    marked = []
    for items in by_subject.values():
        differ = len({(d.low, d.high) for d in items}) > 1 and len({d.source for d in items}) > 1
        marked += [_with_disagreement(d) for d in items] if differ else items
    return marked


def _with_disagreement(item: Denominator) -> Denominator:
    return replace(item, sources_disagree=True)


def _order(item: Denominator, year: int | None) -> tuple[Any, ...]:
    distance = abs(item.year - year) if year is not None else 0
    return (distance, -item.year, item.source, item.line)
