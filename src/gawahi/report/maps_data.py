"""The data of an area's chart and map: per-year figures, the incidents' points, the
boundaries around the area, the airport and the route line, all from the store."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from gawahi.risk.assessment import Assessment
from gawahi.store import schema

_CHUNK = 500
_MARGIN = 0.25  # degrees around what the map must show


def all_drawings(conn: sa.Connection, result: Assessment, draw: bool) -> list[tuple[str, str]]:
    """The annual chart and the map of each area, as SVG ('' when not drawn), in the
    order of ``result.areas``."""
    return [_area_drawings(conn, result, area) if draw else ("", "") for area in result.areas]


def _area_drawings(
    conn: sa.Connection, result: Assessment, area: dict[str, Any]
) -> tuple[str, str]:
    from gawahi.report.charts import annual_chart
    from gawahi.report.maps import area_map, boundaries_near

    name = area["name"]
    count = result.figure(f"{name}/profile.incidents")
    deaths = result.figure(f"{name}/profile.deaths")
    chart = annual_chart(
        count.detail["per_year"], deaths.detail["per_year"], f"{area['label']}: {count.label}"
    )
    points = _points(conn, result, name)
    route = result.figure(f"{name}/route.corridor").detail
    seen = [(p["lat"], p["lon"]) for p in points]
    box = _bbox([*seen, tuple(area["centre"]), tuple(route["at"])])
    drawn = area_map(
        boundaries_near(conn, {area["unit_id"]}, box), area["unit_id"], points,
        {"iata": route["airport"], "name": route["name"], "lat": route["at"][0],
         "lon": route["at"][1]},
        result.spec.corridor_km, tuple(area["centre"]), area["label"],
    )  # fmt: skip
    return chart, drawn


def _points(conn: sa.Connection, result: Assessment, name: str) -> list[dict[str, Any]]:
    """The profile's incidents in the area, and the perpetrators' there, once each."""
    kinds: dict[str, str] = {}
    for tag in result.perpetrators:
        theirs = result.figure(f"{name}/reach.incidents:{tag}").ids
        kinds.update(dict.fromkeys(theirs, "perpetrator"))
    kinds.update(dict.fromkeys(result.figure(f"{name}/profile.incidents").ids, "profile"))
    where = _coordinates(conn, list(kinds))
    return [
        {"lat": lat, "lon": lon, "deaths": deaths or 0, "kind": kinds[key]}
        for key, (lat, lon, deaths) in where.items()
    ]


def _coordinates(conn: sa.Connection, keys: list[str]) -> dict[str, tuple[float, float, int]]:
    c, inc = schema.clusters, schema.incidents
    clusters = [int(k[1:]) for k in keys if k.startswith("c")]
    records = [k[1:] for k in keys if k.startswith("r")]
    found: dict[str, tuple[float, float, int]] = {}
    for start in range(0, max(len(clusters), len(records)), _CHUNK):
        part = clusters[start : start + _CHUNK]
        query = sa.select(c.c.id, c.c.latitude, c.c.longitude, c.c.deaths_best)
        for i, lat, lon, deaths in conn.execute(query.where(c.c.id.in_(part))):
            if lat is not None:
                found[f"c{i}"] = (lat, lon, deaths)
        part_r = records[start : start + _CHUNK]
        query_r = sa.select(inc.c.uid, inc.c.latitude, inc.c.longitude, inc.c.deaths_best)
        for uid, lat, lon, deaths in conn.execute(query_r.where(inc.c.uid.in_(part_r))):
            if lat is not None:
                found[f"r{uid}"] = (lat, lon, deaths)
    return found


def _bbox(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) around the points, with a margin."""
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    return (
        min(lons) - _MARGIN, min(lats) - _MARGIN, max(lons) + _MARGIN, max(lats) + _MARGIN
    )  # fmt: skip
