"""The areas of an assessment: a home area and relocation areas, as admin units.

An area is a unit of the geo pack (a district, a division, a city as a whole) with every
unit that was ever inside it, so an incident counts in Karachi whether a source placed it
in Karachi or in Karachi East. Its centre, for distances, is its seat in the gazetteer
(the city), else the centroid of its imported boundary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from shapely.geometry import shape

from gawahi.errors import NotFound
from gawahi.geo.lookup import _descendants_today, resolve_unit
from gawahi.geo.units import UnitIndex
from gawahi.store import schema

DEFAULT_AREAS = 3  # relocation areas when none are named: the country's largest cities


@dataclass(frozen=True, slots=True)
class Area:
    """One area: its name as asked, its unit, every unit inside it and its centre."""

    name: str
    unit_id: str
    label: str
    inside: frozenset[str]
    latitude: float
    longitude: float
    centre_from: str  # "boundary" | "seat"

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "unit_id": self.unit_id,
            "label": self.label,
            "centre": [self.latitude, self.longitude],
            "centre_from": self.centre_from,
        }


def resolve_area(conn: sa.Connection, units: UnitIndex, country: str, name: str) -> Area:
    """The area a name (or unit id) means, with its centre; NotFound explains otherwise."""
    unit_id = resolve_unit(units, country, name)
    lat_lon, origin = _centre(conn, unit_id)
    return Area(
        name=name,
        unit_id=unit_id,
        label=units.label(unit_id),
        inside=frozenset(_descendants_today(units, unit_id)),
        latitude=lat_lon[0],
        longitude=lat_lon[1],
        centre_from=origin,
    )


def largest_cities(
    conn: sa.Connection,
    units: UnitIndex,
    country: str,
    skip: frozenset[str],
    count: int = DEFAULT_AREAS,
) -> list[str]:
    """Names of the ``count`` most populous gazetteer places that are units, leaving out
    the units in ``skip`` (the home area's)."""
    places = schema.places
    query = (
        sa.select(places.c.name)
        .where(places.c.country_iso3 == country, places.c.population.is_not(None))
        .order_by(places.c.population.desc())
        .limit(200)
    )
    chosen: dict[str, str] = {}
    for name in conn.scalars(query):
        match = units.match(country, name, fuzzy=False)
        unit_id = match.unique if match.method != "none" else None
        if unit_id and unit_id not in skip and unit_id not in chosen.values():
            chosen[name] = unit_id
        if len(chosen) == count:
            break
    return list(chosen)


def _centre(conn: sa.Connection, unit_id: str) -> tuple[tuple[float, float], str]:
    # The seat first: people live in the city, and a district's centroid can lie 20 km
    # out in the hills (Quetta's), which would measure distances from nowhere.
    seat = _seat(conn, unit_id)
    if seat is not None:
        return seat, "seat"
    b = schema.boundaries
    geometry = conn.scalar(sa.select(b.c.geometry).where(b.c.unit_id == unit_id).limit(1))
    if geometry is None:
        raise NotFound(f"{unit_id} has no seat in the gazetteer and no boundary: no centre")
    point = shape(json.loads(geometry)).centroid
    return (point.y, point.x), "boundary"


def _seat(conn: sa.Connection, unit_id: str) -> tuple[float, float] | None:
    units, places = schema.admin_units, schema.places
    unit = conn.execute(
        sa.select(units.c.seat, units.c.country_iso3).where(units.c.id == unit_id)
    ).first()
    if unit is None or not unit.seat:
        return None
    row = conn.execute(
        sa.select(places.c.latitude, places.c.longitude)
        .where(sa.func.lower(places.c.name) == unit.seat.lower())
        .where(places.c.country_iso3 == unit.country_iso3)
        .order_by(places.c.population.desc().nulls_last())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None
