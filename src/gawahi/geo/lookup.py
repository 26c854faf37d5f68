"""Answering "where is NAME?" and "which incidents are in UNIT?".

A query for a unit today ("Khyber Pakhtunkhwa", "Karachi") finds every incident whose
today's province or district is that unit or lies inside it, so Karachi means all its
districts and Khyber Pakhtunkhwa includes the former tribal areas. A query for a unit
that no longer exists ("FATA", "FR Kohat") finds what happened inside it while it
existed: the incidents resolved to it, and those in its member districts dated before
they left it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from gawahi.errors import ConfigError, NotFound
from gawahi.geo.gazetteer import Gazetteer
from gawahi.geo.units import UnitIndex
from gawahi.incidents.countries import iso3
from gawahi.store import schema


@dataclass(frozen=True)
class Candidate:
    """One thing a name may mean."""

    kind: str  # unit | place
    id: str
    name: str
    detail: str  # "district in Quetta Division, Balochistan" / "town, pop. 1,565,546"
    admin1_id: str | None
    admin2_id: str | None
    confidence: float
    method: str
    latitude: float | None = None
    longitude: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def lookup(
    conn: sa.Connection, name: str, country: str, within: str | None = None
) -> list[Candidate]:
    """Units, then gazetteer places, that ``name`` may mean in ``country``, best first."""
    units = UnitIndex.load(conn)
    if not units.has_country(country):
        raise NotFound(f"no administrative units are loaded for {country!r}; run 'gawahi init'")
    context = resolve_unit(units, country, within) if within else None
    found = units.match(country, name, within=context)
    results = [_unit_candidate(units, u, found.score, found.method) for u in found.units]
    gazetteer = Gazetteer.load(conn, [country])
    for place in sorted(gazetteer.named(country, name), key=lambda p: -(p.population or 0))[:10]:
        unit = units.by_geonames(place.admin2_code) if place.admin2_code else None
        a1 = units.by_geonames(place.admin1_code) if place.admin1_code else None
        population = f", pop. {place.population:,}" if place.population else ""
        results.append(
            Candidate(
                "place",
                str(place.id),
                place.name,
                f"gazetteer place{population}",
                units.admin1(a1) if a1 else None,
                units.admin2(unit) if unit else None,
                0.85,
                "gazetteer",
                place.latitude,
                place.longitude,
            )
        )
    if context:
        results = [
            c for c in results if c.kind == "unit" or c.admin1_id in (None, units.admin1(context))
        ]
    return results


def _unit_candidate(units: UnitIndex, unit_id: str, score: float, method: str) -> Candidate:
    unit = units.units[unit_id]
    chain = []
    parent = units.current_parent(unit_id)
    while parent:
        chain.append(units.units[parent].name)
        parent = units.current_parent(parent)
    detail = unit.kind + (f" in {', '.join(chain)}" if chain else "")
    if unit.valid_to:
        detail += (
            f" (until {unit.valid_to.isoformat()}; today {units.units[units.today(unit_id)].name})"
        )
    return Candidate(
        "unit",
        unit_id,
        unit.name,
        detail,
        units.admin1(unit_id),
        units.admin2(unit_id),
        round(score, 3),
        method,
    )


def choose_country(units: UnitIndex, given: str | None) -> str:
    """The country a command means: ``given`` (ISO3 or a name), else the only one loaded.

    No country is a default in the code: with packs for several countries, say which.
    """
    if given:
        code = given.upper() if len(given) == 3 else iso3(given)
        if not code:
            raise ConfigError(f"{given!r} is not a country gawahi knows; give its ISO3 code")
        return code
    loaded = sorted({unit.country for unit in units.units.values()})
    if len(loaded) != 1:
        raise ConfigError(
            f"units are loaded for {', '.join(loaded) or 'no country'}; give --country"
        )
    return loaded[0]


def resolve_unit(units: UnitIndex, country: str, name: str) -> str:
    """The one unit ``name`` means (a unit id is accepted too); NotFound explains otherwise."""
    if name in units.units:
        return name
    if f"{country}.{name}" in units.units:
        return f"{country}.{name}"
    found = units.match(country, name)
    if found.unique and found.method != "none":
        return found.unique
    if found.units and found.method != "none":
        raise NotFound(
            f"{name!r} could be several units: {', '.join(found.units)}; give one of these ids"
        )
    hint = f"; did you mean {', '.join(found.units)}?" if found.units else ""
    raise NotFound(f"no unit called {name!r} in {country}{hint}")


def unit_condition(units: UnitIndex, unit_id: str) -> sa.ColumnElement[bool]:
    """A WHERE clause on incidents (joined to incident_places) for incidents in ``unit_id``."""
    places = schema.incident_places
    unit = units.units[unit_id]
    if unit.valid_to is None:
        inside = _descendants_today(units, unit_id)
        return sa.or_(
            places.c.admin1_id.in_(inside),
            places.c.admin2_id.in_(inside),
            places.c.unit_id.in_(inside),
        )
    # Only while it existed: a 2020 record that still says "FATA" is not in FATA.
    clauses = [_during(places.c.unit_id == unit_id, unit.valid_from, unit.valid_to)]
    for member, start, end in _members_then(units, unit_id):
        if units.units[member].merged_into:
            # Gone too (FR Kohat): only what was resolved to it is known to be in it.
            clauses.append(_during(places.c.unit_id == member, start, end))
        else:
            clauses.append(_during(places.c.admin2_id == member, start, end))
    return sa.or_(*clauses)


def _during(
    condition: sa.ColumnElement[bool], start: date | None, end: date | None
) -> sa.ColumnElement[bool]:
    dated = schema.incidents.c.date_start
    window = [condition]
    if start:
        window.append(dated >= start)
    if end:
        window.append(dated < end)
    return sa.and_(*window)


def _descendants_today(units: UnitIndex, unit_id: str) -> set[str]:
    """The unit, every unit ever inside it, and what merged into any of them."""
    found = {unit_id}
    todo = [unit_id]
    merged: dict[str, list[str]] = {}
    for other in units.units.values():
        if other.merged_into:
            merged.setdefault(other.merged_into, []).append(other.id)
    while todo:
        current = todo.pop()
        for child in units.units[current].children + merged.get(current, []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _members_then(units: UnitIndex, unit_id: str) -> list[tuple[str, date | None, date | None]]:
    """Units inside a former unit, with the time they were inside it."""
    members = []
    for child in units.units[unit_id].children:
        for parent, start, end in units.units[child].parents:
            if parent == unit_id:
                members.append((child, start, end or units.units[unit_id].valid_to))
    return members
