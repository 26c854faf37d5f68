"""The outlines a map draws: an area and the units around it, read from
``schema.boundaries`` (GeoJSON text, WGS 84 lon/lat) and simplified for the page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import shapely
import sqlalchemy as sa

from gawahi.store import schema

BBox = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat

_SEARCH_MARGIN = 0.25  # share of the box searched beyond it: what a padded map shows
_SIMPLIFY_SHARE = 1 / 1500  # simplify outlines to this share of the span (~0.1 mm on A4)


@dataclass(frozen=True, slots=True)
class _Outline:
    unit_id: str
    name: str
    level: int
    shape: shapely.Geometry


def boundaries_near(conn: sa.Connection, unit_ids: set[str], bbox: BBox) -> list[dict[str, Any]]:
    """The outlines of ``unit_ids`` and of the units around them, simplified for a map.

    ``bbox``: (min lon, min lat, max lon, max lat). Neighbours are the units of the same
    boundary level whose outline touches ``bbox``, grown to take in the asked units'
    outlines. A unit without an outline of its own (a division whose districts were
    imported) gets the union of its parts' outlines, and the parts are not repeated.
    Returns {"unit_id", "name", "geometry" (GeoJSON dict)}, the asked units first.
    """
    outlines = _stored_outlines(conn)
    if not outlines:
        return []
    own: dict[str, _Outline] = {}
    used: set[str] = set()
    for unit in sorted(unit_ids):
        parts = _parts(conn, outlines, unit)
        if parts:
            own[unit] = _union(conn, unit, parts)
            used |= {part.unit_id for part in parts}
    level = max(o.level for o in own.values()) if own else max(o.level for o in outlines)
    search = _search_box(bbox, [o.shape for o in own.values()])
    near = shapely.box(*search)
    neighbours = [
        o for o in outlines
        if o.level == level and o.unit_id not in used | set(own) and o.shape.intersects(near)
    ]  # fmt: skip
    tolerance = max(search[2] - search[0], search[3] - search[1]) * _SIMPLIFY_SHARE
    return [_as_dict(o, tolerance) for o in [*own.values(), *neighbours]]


def _stored_outlines(conn: sa.Connection) -> list[_Outline]:
    b, sets, units = schema.boundaries, schema.boundary_sets, schema.admin_units
    query = (
        sa.select(b.c.unit_id, units.c.name, b.c.feature_name, sets.c.level, b.c.geometry)
        .join(sets, sets.c.id == b.c.set_id)
        .join(units, units.c.id == b.c.unit_id, isouter=True)
        .order_by(sets.c.level, b.c.unit_id, b.c.id)
    )
    return [
        _Outline(unit_id, name or feature_name, level, shapely.from_geojson(geometry))
        for unit_id, name, feature_name, level, geometry in conn.execute(query)
    ]


def _parts(conn: sa.Connection, outlines: list[_Outline], unit: str) -> list[_Outline]:
    """The unit's own outlines at its finest level, else those of the units inside it."""
    mine = [o for o in outlines if o.unit_id == unit]
    if mine:
        finest = max(o.level for o in mine)
        return [o for o in mine if o.level == finest]
    inside = _descendants(conn, unit)
    found = [o for o in outlines if o.unit_id in inside]
    finest = max((o.level for o in found), default=0)
    return [o for o in found if o.level == finest]


def _descendants(conn: sa.Connection, unit: str) -> set[str]:
    parents = schema.admin_unit_parents
    found: set[str] = set()
    todo = [unit]
    while todo:
        query = sa.select(parents.c.unit_id).where(
            parents.c.parent_id.in_(todo), parents.c.valid_to.is_(None)
        )
        todo = [child for child in conn.scalars(query) if child not in found]
        found.update(todo)
    return found


def _union(conn: sa.Connection, unit: str, parts: list[_Outline]) -> _Outline:
    if len(parts) == 1 and parts[0].unit_id == unit:
        return parts[0]
    units = schema.admin_units
    name = conn.scalar(sa.select(units.c.name).where(units.c.id == unit)) or unit
    return _Outline(unit, name, parts[0].level, shapely.union_all([p.shape for p in parts]))


def _search_box(bbox: BBox, shapes: list[shapely.Geometry]) -> BBox:
    bounds = [bbox, *(shape.bounds for shape in shapes)]
    box = (
        min(b[0] for b in bounds), min(b[1] for b in bounds),
        max(b[2] for b in bounds), max(b[3] for b in bounds),
    )  # fmt: skip
    dx, dy = (box[2] - box[0]) * _SEARCH_MARGIN, (box[3] - box[1]) * _SEARCH_MARGIN
    return (box[0] - dx, box[1] - dy, box[2] + dx, box[3] + dy)


def _as_dict(outline: _Outline, tolerance: float) -> dict[str, Any]:
    simple = shapely.simplify(outline.shape, tolerance, preserve_topology=True)
    return {
        "unit_id": outline.unit_id,
        "name": outline.name,
        "geometry": json.loads(shapely.to_geojson(simple)),
    }
