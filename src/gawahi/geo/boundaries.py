"""Administrative boundaries: importing GeoJSON polygons and finding the unit of a point.

Each feature of an imported file is matched by name to a unit of the pack at the given
level; a file whose features do not all match is refused (or, with ``allow_unmatched``,
kept without those features, which are reported). Points are located with a shapely
STRtree, all points of a batch at once.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import shapely
import sqlalchemy as sa

from gawahi.errors import FormatError, InputError
from gawahi.geo.units import UnitIndex
from gawahi.store import schema

KM_PER_DEGREE = 111.32
SNAP_KM = 5.0
_PARENT_FIELDS = ("NAME_1", "ADM1_EN", "province")


@dataclass
class BoundaryImport:
    """What ``import_boundaries`` did."""

    file_name: str
    level: int
    country: str
    matched: int
    unmatched: list[str] = field(default_factory=list)


def import_boundaries(
    conn: sa.Connection,
    units: UnitIndex,
    path: Path,
    level: int,
    *,
    country: str | None = None,
    name_field: str | None = None,
    citation: str | None = None,
    allow_unmatched: bool = False,
) -> BoundaryImport:
    """Store the polygons of a GeoJSON FeatureCollection as the boundaries of ``level``."""
    data = path.read_bytes()
    features = _features(path, data)
    country = country or _country(path, features)
    if not units.has_country(country):
        raise InputError(path, f"no administrative units are known for country {country!r}")
    name_field = name_field or _name_field(path, features)
    rows, unmatched = [], []
    for number, feature in enumerate(features, start=1):
        name = str((feature.get("properties") or {}).get(name_field) or "")
        unit_id, why = _unit_for(units, country, level, feature, name)
        if unit_id is None:
            unmatched.append(f"feature {number} {name!r}: {why}")
            continue
        rows.append(
            {
                "unit_id": unit_id,
                "feature_name": name,
                "geometry": json.dumps(_geometry(path, number, name, feature)),
            }
        )
    if unmatched and not allow_unmatched:
        raise FormatError(
            path,
            f"{len(unmatched)} feature(s) match no unit at level {level}: "
            + "; ".join(unmatched[:10]),
        )
    _replace(conn, country, level, path, data, citation or _default_citation(features), rows)
    return BoundaryImport(path.name, level, country, len(rows), unmatched)


def _features(path: Path, data: bytes) -> list[dict[str, object]]:
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FormatError(path, f"not GeoJSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise FormatError(path, "not a GeoJSON FeatureCollection")
    return list(doc.get("features") or [])


GEOBOUNDARIES = (
    'Runfola, D. et al. (2020) "geoBoundaries: A global database of political administrative '
    'boundaries", PLoS ONE 15(4): e0231866, https://doi.org/10.1371/journal.pone.0231866. '
    "Boundaries from geoBoundaries (www.geoboundaries.org)."
)


def _default_citation(features: list[dict[str, object]]) -> str | None:
    """geoBoundaries asks every output to cite it; its files say so by their property names."""
    props = (features[0].get("properties") if features else None) or {}
    return GEOBOUNDARIES if {"shapeName", "shapeGroup"} <= set(props) else None  # type: ignore[arg-type]


def _country(path: Path, features: list[dict[str, object]]) -> str:
    props = (features[0].get("properties") if features else None) or {}
    for key in ("shapeGroup", "GID_0", "ISO", "iso3"):
        value = props.get(key)  # type: ignore[union-attr]
        if isinstance(value, str) and len(value) == 3:
            return value.upper()
    raise FormatError(path, "cannot tell the country from the features; give --country")


def _name_field(path: Path, features: list[dict[str, object]]) -> str:
    props = (features[0].get("properties") if features else None) or {}
    if "shapeName" in props:  # type: ignore[operator]
        return "shapeName"
    numbered = sorted(k for k in props if k.startswith("NAME_") and k[5:].isdigit())  # type: ignore[union-attr]
    if numbered:
        return numbered[-1]  # GADM: NAME_3 in the adm3 file
    for key in ("name", "NAME", "Name"):
        if key in props:  # type: ignore[operator]
            return key
    raise FormatError(path, "cannot tell which property holds the unit names; give --name-field")


def _unit_for(
    units: UnitIndex, country: str, level: int, feature: dict[str, object], name: str
) -> tuple[str | None, str]:
    if not name:
        return None, "no name"
    props = feature.get("properties") or {}
    within = None
    for key in _PARENT_FIELDS:
        parent = props.get(key) if level > 1 else None  # type: ignore[union-attr]
        if parent:
            within = units.match(country, str(parent), level=1).unique
            break
    found = units.match(country, name, level=level, within=within)
    if found.unique and found.method != "fuzzy":
        return found.unique, ""
    coarser = (
        units.match(country, name, level=level - 1) if level > 1 and not found.units else found
    )
    if coarser is not found and coarser.unique and coarser.method != "fuzzy":
        # A territory drawn whole at this level (Islamabad, Azad Kashmir in geoBoundaries
        # ADM2): its only unit at this level if it has one, else the territory itself.
        inside = [c for c in units.units[coarser.unique].children if units.units[c].level == level]
        return (inside[0] if len(inside) == 1 else coarser.unique), ""
    if found.units and found.method != "none":
        return None, f"ambiguous or inexact ({', '.join(found.units)})"
    return None, "unknown name"


def _geometry(path: Path, number: int, name: str, feature: dict[str, object]) -> dict[str, object]:
    geometry = feature.get("geometry")
    try:
        shape = shapely.geometry.shape(geometry)
    except (TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as exc:
        raise FormatError(path, f"feature {number} {name!r}: unreadable geometry: {exc}") from None
    if shape.geom_type not in ("Polygon", "MultiPolygon"):
        raise FormatError(path, f"feature {number} {name!r}: a {shape.geom_type} is not an area")
    if not shape.is_valid:
        shape = shapely.make_valid(shape)
    return shapely.geometry.mapping(shape)  # type: ignore[return-value]


def _replace(
    conn: sa.Connection,
    country: str,
    level: int,
    path: Path,
    data: bytes,
    citation: str | None,
    rows: list[dict[str, object]],
) -> None:
    sets = schema.boundary_sets
    conn.execute(sa.delete(sets).where(sets.c.country_iso3 == country, sets.c.level == level))
    set_id = conn.execute(
        sa.insert(sets).values(
            country_iso3=country,
            level=level,
            file_name=path.name,
            sha256=hashlib.sha256(data).hexdigest(),
            citation=citation,
            features=len(rows),
            imported_at=datetime.now(UTC),
        )
    ).inserted_primary_key[0]
    if rows:
        conn.execute(sa.insert(schema.boundaries), [{**r, "set_id": set_id} for r in rows])


class BoundaryIndex:
    """Polygons of one country and level, searchable by point."""

    def __init__(self, unit_ids: list[str], shapes: list[shapely.Geometry]):
        self.unit_ids = unit_ids
        self.shapes = shapes
        shapely.prepare(shapes)  # prepared polygons answer point-in-polygon several times faster
        self.tree = shapely.STRtree(shapes)
        self._by_unit: dict[str, list[int]] = {}
        for index, unit_id in enumerate(unit_ids):
            self._by_unit.setdefault(unit_id, []).append(index)

    @classmethod
    def load_all(cls, conn: sa.Connection) -> dict[tuple[str, int], BoundaryIndex]:
        """Every imported boundary set, keyed by (country, level)."""
        query = sa.select(
            schema.boundary_sets.c.country_iso3,
            schema.boundary_sets.c.level,
            schema.boundaries.c.unit_id,
            schema.boundaries.c.geometry,
        ).join(schema.boundaries, schema.boundaries.c.set_id == schema.boundary_sets.c.id)
        grouped: dict[tuple[str, int], tuple[list[str], list[shapely.Geometry]]] = {}
        for country, level, unit_id, geometry in conn.execute(query):
            ids, shapes = grouped.setdefault((country, level), ([], []))
            ids.append(unit_id)
            shapes.append(shapely.from_geojson(geometry))
        return {key: cls(ids, shapes) for key, (ids, shapes) in grouped.items()}

    def locate(
        self, lons: np.ndarray, lats: np.ndarray, snap_km: float = SNAP_KM
    ) -> list[str | None]:
        """The unit containing each point (None outside every polygon).

        A point just outside every polygon (within ``snap_km``) goes to the nearest one:
        simplified outlines cut off a few kilometres of border and coast.
        """
        found: list[str | None] = [None] * len(lons)
        if not len(lons):
            return found
        points = shapely.points(lons, lats)
        hits = self.tree.query(points, predicate="intersects")
        for point_index, shape_index in zip(hits[0], hits[1], strict=True):
            if found[point_index] is None:
                found[point_index] = self.unit_ids[shape_index]
        missing = np.array([i for i, unit in enumerate(found) if unit is None], dtype=int)
        if len(missing) and snap_km > 0:
            near = self.tree.query_nearest(points[missing], max_distance=snap_km / KM_PER_DEGREE)
            for point_index, shape_index in zip(near[0], near[1], strict=True):
                if found[missing[point_index]] is None:
                    found[missing[point_index]] = self.unit_ids[shape_index]
        return found

    def distance_km(self, unit_id: str, lon: float, lat: float) -> float | None:
        """Roughly how far the point is from the unit's area (0 inside); None if no polygon."""
        indexes = self._by_unit.get(unit_id)
        if not indexes:
            return None
        point = shapely.Point(lon * math.cos(math.radians(lat)), lat)
        best = min(shapely.distance(_squashed(self.shapes[i], lat), point) for i in indexes)
        return float(best) * KM_PER_DEGREE

    def has(self, unit_id: str) -> bool:
        return unit_id in self._by_unit


def _squashed(shape: shapely.Geometry, lat: float) -> shapely.Geometry:
    """The shape with longitudes scaled by cos(latitude), so degrees measure about equally
    both ways near the point (good to a few per cent over a district)."""
    factor = math.cos(math.radians(lat))
    return shapely.transform(shape, lambda xy: xy * np.array([factor, 1.0]))
