"""Perpetrator reach and route exposure: where the groups of concern attack, and what
lies on the way from the arrival airport to an area.

Distances are great-circle (haversine, mean Earth radius 6,371 km) between the
coordinates the sources give, and only between points precise enough for the distance
asked: the nearest attack takes points of a district or finer (a district's point is
tens of km from the scene at worst), the corridor and the airport only exact or near
points (within 25 km), since a district's point says nothing about a 10 km band. The
route is the straight line from the airport to the area's centre: no road network is
loaded, so a corridor is a band around that line.
"""

from __future__ import annotations

import numpy as np

from gawahi.risk.areas import Area
from gawahi.risk.figures import Figure, figure
from gawahi.risk.frame import PRECISION_RANK, Frame

EARTH_KM = 6371.0088
NEAREST_PRECISION = PRECISION_RANK["admin2"]
ROUTE_PRECISION = PRECISION_RANK["near"]


def haversine_km(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    """Great-circle distance in km from (lat0, lon0) to each point."""
    p1, p2 = np.radians(lat), np.radians(lat0)
    dp, dl = p2 - p1, np.radians(lon0) - np.radians(lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def reach_figures(
    frame: Frame, area: Area, inside: np.ndarray, perpetrator: str, km: np.ndarray | None = None
) -> list[Figure]:
    """The perpetrator's incidents in the area, and its attack nearest the area's centre;
    ``km``: each incident's distance from the centre, when the caller has it already."""
    by_them = frame.tagged(perpetrator, "perpetrator")
    here = by_them & inside
    count = figure(
        area.name, "reach.incidents", perpetrator, value=int(here.sum()), unit="incidents",
        ids=frame.ids(here), detail={"deaths_best": int(np.nansum(frame.best[here]))},
    )  # fmt: skip
    nearest = figure(area.name, "reach.nearest", perpetrator, value=None, unit="km")
    placed = by_them & (frame.precision <= NEAREST_PRECISION)
    if placed.any():
        if km is None:
            km = haversine_km(frame.lat, frame.lon, area.latitude, area.longitude)
        index = int(np.argmin(np.where(placed, km, np.inf)))
        nearest.value = round(float(km[index]), 1)
        nearest.ids = [str(frame.key[index])]
        nearest.detail = {
            "date": str(frame.date[index]),
            "inside_area": bool(inside[index]),
            "precision": _precision_name(int(frame.precision[index])),
            "without_precise_point": int((by_them & ~placed).sum()),
        }
    return [count, nearest]


def _precision_name(rank: int) -> str:
    return next((name for name, r in PRECISION_RANK.items() if r == rank), "none")


def _to_plane(lat: np.ndarray, lon: np.ndarray, lat0: float) -> np.ndarray:
    """Equirectangular km around latitude ``lat0``: exact enough over a city's width."""
    scale = np.radians(1.0) * EARTH_KM
    return np.column_stack([lon * scale * np.cos(np.radians(lat0)), lat * scale])


def segment_km(frame: Frame, start: tuple[float, float], end: tuple[float, float]) -> np.ndarray:
    """Each incident's distance in km to the segment ``start``-``end`` (lat, lon)."""
    lat0 = (start[0] + end[0]) / 2
    points = _to_plane(frame.lat, frame.lon, lat0)
    a = _to_plane(np.array([start[0]]), np.array([start[1]]), lat0)[0]
    b = _to_plane(np.array([end[0]]), np.array([end[1]]), lat0)[0]
    ab = b - a
    length = float(ab @ ab)
    t = np.zeros(len(points)) if length == 0 else np.clip((points - a) @ ab / length, 0, 1)
    return np.linalg.norm(points - (a + t[:, None] * ab), axis=1)


def route_figures(
    frame: Frame, area: Area, airport: dict[str, object], corridor_km: float, airport_km: float
) -> list[Figure]:
    """Incidents (any kind) in the corridor from the airport to the area, and at the airport."""
    start = (float(airport["lat"]), float(airport["lon"]))  # type: ignore[arg-type]
    placed = frame.precision <= ROUTE_PRECISION
    corridor = placed & (segment_km(frame, start, (area.latitude, area.longitude)) <= corridor_km)
    at_airport = placed & (haversine_km(frame.lat, frame.lon, *start) <= airport_km)
    where = {
        "airport": airport["iata"], "name": airport["name"], "at": list(start),
        "points": "exact or near (within 25 km) only",
    }  # fmt: skip
    return [
        figure(
            area.name, "route.corridor", value=int(corridor.sum()), unit="incidents",
            ids=frame.ids(corridor), detail={**where, "width_km": corridor_km,
            "civilian": int((corridor & frame.civilian).sum()),
            "deaths_best": int(np.nansum(frame.best[corridor]))},
        ),
        figure(
            area.name, "route.airport", value=int(at_airport.sum()), unit="incidents",
            ids=frame.ids(at_airport), detail={**where, "radius_km": airport_km,
            "deaths_best": int(np.nansum(frame.best[at_airport]))},
        ),
    ]  # fmt: skip
