"""Maps of the report: an area and its neighbours from the imported boundaries, the
incidents in it, its centre, the arrival airport and the route with its corridor, as SVG.

No tiles and no network: only the polygons of ``schema.boundaries``. The projection is
equirectangular, with x stretched by 1/cos(middle latitude) so that a km measures the
same both ways; over a district or a city that is exact to a few per cent, and the scale
bar is drawn for the middle latitude. The corridor band is the route line buffered by
``corridor_km`` in the same squashed plane. SVG ids: ``area-outline``, ``unit-ID``,
``label-ID``, ``points-KIND``, ``centre``, ``airport``, ``route``, ``corridor``,
``scale-bar``, ``north-arrow``. The outlines come from ``boundaries_near``
(``gawahi.report.map_boundaries``, re-exported here).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter, MaxNLocator
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
from shapely.ops import polylabel

from gawahi.report.drawing import A4_WIDTH_IN, ACCENT, GREY, INK, LIGHT, drawing, to_svg
from gawahi.report.map_boundaries import BBox, boundaries_near

KM_PER_DEGREE = 111.32
__all__ = ["area_map", "boundaries_near", "corridor"]

_PAD = 0.08  # share of the map's span left around what it must show
_MIN_SPAN = 0.2  # degrees: a map at least about 20 km across
_LABEL_SHARE = 0.03  # a neighbour is named when this share of the view is its own
_KINDS = {  # drawing order: the profile's incidents on top
    "other": {"color": LIGHT, "edgecolors": GREY, "linewidths": 0.3, "label": "Other incidents"},
    "perpetrator": {
        "color": "none", "edgecolors": INK, "linewidths": 0.8,
        "label": "Incidents by the perpetrators",
    },
    "profile": {
        "color": ACCENT, "edgecolors": "white", "linewidths": 0.4, "alpha": 0.8,
        "label": "Incidents against the profile",
    },
}  # fmt: skip
_SIZE_KEY = (1, 10, 50)  # deaths shown in the legend of symbol sizes
_HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]


def area_map(
    boundaries: list[dict[str, Any]],
    outline_unit: str,
    points: list[dict[str, Any]],
    airport: dict[str, Any] | None,
    corridor_km: float | None,
    centre: tuple[float, float],
    title: str,
) -> str:
    """The map of one area as SVG.

    ``boundaries``: {"unit_id", "name", "geometry" (GeoJSON)}, the area's among them;
    ``points``: {"lat", "lon", "kind" (profile|perpetrator|other), "deaths"};
    ``airport``: {"name", "iata", "lat", "lon"}; ``centre``: (lat, lon).
    """
    shapes = [
        (b["unit_id"], str(b["name"]), shapely.geometry.shape(b["geometry"])) for b in boundaries
    ]
    area = [shape for unit, _, shape in shapes if unit == outline_unit]
    placed = [p for p in points if p.get("lat") is not None and p.get("lon") is not None]
    view = _view(area, placed, airport, centre)
    with drawing():
        fig = Figure(figsize=(A4_WIDTH_IN, A4_WIDTH_IN + 0.5), layout="constrained")
        ax = fig.add_subplot()
        _frame(ax, view)
        _polygons(ax, shapes, outline_unit, view, _avoid(view, placed, airport, centre))
        handles = _route(ax, airport, centre, corridor_km) if airport else []
        handles = _points(ax, placed) + _centre(ax, centre) + _airport(ax, airport) + handles
        _scale_bar(ax, view)
        _north_arrow(ax)
        if placed:
            _size_key(ax)
        ax.set_title(title)
        fig.legend(handles=handles, loc="outside lower center", ncols=2)
        return to_svg(fig)


def _view(
    area: list[shapely.Geometry],
    points: list[dict[str, Any]],
    airport: dict[str, Any] | None,
    centre: tuple[float, float],
) -> BBox:
    """What the map must show, padded and widened to a square on the page."""
    xs = [centre[1]] + [float(p["lon"]) for p in points]
    ys = [centre[0]] + [float(p["lat"]) for p in points]
    if airport:
        xs.append(float(airport["lon"]))
        ys.append(float(airport["lat"]))
    for shape in area:
        x0, y0, x1, y1 = shape.bounds
        xs += [x0, x1]
        ys += [y0, y1]
    cos = math.cos(math.radians((min(ys) + max(ys)) / 2))
    half_h = max((max(ys) - min(ys)) / 2, (max(xs) - min(xs)) * cos / 2, _MIN_SPAN / 2)
    half_h *= 1 + 2 * _PAD
    mid_x, mid_y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return (mid_x - half_h / cos, mid_y - half_h, mid_x + half_h / cos, mid_y + half_h)


def _cos_mid(view: BBox) -> float:
    return math.cos(math.radians((view[1] + view[3]) / 2))


def _frame(ax: Axes, view: BBox) -> None:
    ax.set_facecolor("#f7f7f7")  # outside the imported boundaries: abroad, the sea
    ax.set_xlim(view[0], view[2])
    ax.set_ylim(view[1], view[3])
    ax.set_aspect(1 / _cos_mid(view))
    for spine in ax.spines.values():
        spine.set_visible(True)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    places = 1 if view[3] - view[1] >= 1 else 2
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _degrees(v, places, "E", "W")))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _degrees(v, places, "N", "S")))


def _degrees(value: float, places: int, positive: str, negative: str) -> str:
    return f"{abs(value):.{places}f}°{positive if value >= 0 else negative}"


def _avoid(
    view: BBox,
    points: list[dict[str, Any]],
    airport: dict[str, Any] | None,
    centre: tuple[float, float],
) -> shapely.Geometry:
    """Where names must not go: near the symbols, the route and the map's furniture."""
    spots = [(float(p["lon"]), float(p["lat"])) for p in points] + [(centre[1], centre[0])]
    if airport:
        spots.append((float(airport["lon"]), float(airport["lat"])))
    drawn = shapely.LineString(spots[-2:]) if airport else shapely.MultiPoint(spots)
    busy = shapely.union(shapely.MultiPoint(spots), drawn)
    return shapely.union(busy.buffer((view[3] - view[1]) * 0.05), _furniture(view))


def _polygons(
    ax: Axes,
    shapes: list[tuple[str, str, shapely.Geometry]],
    outline_unit: str,
    view: BBox,
    avoid: shapely.Geometry,
) -> None:
    grown = _grow(view, 0.02)
    for unit, name, shape in shapes:
        shown = shapely.clip_by_rect(shape, *grown)
        if shown.is_empty:
            continue
        mine = unit == outline_unit
        patch = PathPatch(
            _path(shown), facecolor="white" if mine else "#e8e8e8",
            edgecolor=INK if mine else "#b0b0b0", linewidth=1.6 if mine else 0.5,
            zorder=1.5 if mine else 1, gid="area-outline" if mine else f"unit-{unit}",
        )  # fmt: skip
        ax.add_patch(patch)
        _label(ax, unit, name, shown, view, avoid, mine)


def _label(
    ax: Axes,
    unit: str,
    name: str,
    shown: shapely.Geometry,
    view: BBox,
    avoid: shapely.Geometry,
    mine: bool,
) -> None:
    """The unit's name inside it, where it is widest once ``avoid`` is cut out; a
    neighbour's only where enough of it is left."""
    box = shapely.box(*view)
    inside = shapely.intersection(shown, box)
    if inside.is_empty:
        return
    span = view[3] - view[1]
    parts = sorted(_polygons_of(shapely.difference(inside, avoid)), key=lambda p: p.area)
    if not mine and (not parts or parts[-1].area < _LABEL_SHARE * box.area):
        return
    spot = polylabel(parts[-1], tolerance=span / 500) if parts else inside.representative_point()
    ax.text(
        spot.x, spot.y, name, ha="center", va="center", zorder=1.8 if mine else 1.2,
        fontsize=8.5 if mine else 6.5, color=INK if mine else "#7a7a7a",
        fontweight="bold" if mine else "normal", gid=f"label-{unit}",
        path_effects=_HALO if mine else None, clip_on=True,
    )  # fmt: skip


def _furniture(view: BBox) -> shapely.Geometry:
    """Where the scale bar, the key of sizes and the north arrow sit, in degrees."""
    x0, y0, x1, y1 = view
    w, h = x1 - x0, y1 - y0
    corners = [(0, 0, 0.28, 0.12), (0.8, 0, 1, 0.26), (0.88, 0.78, 1, 1)]
    return shapely.union_all(
        [shapely.box(x0 + a * w, y0 + b * h, x0 + c * w, y0 + d * h) for a, b, c, d in corners]
    )


def _path(shape: shapely.Geometry) -> Path:
    """A matplotlib path of the polygons in ``shape`` (holes wound the other way)."""
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for polygon in _polygons_of(shape):
        oriented = shapely.orient_polygons(polygon)
        for ring in [oriented.exterior, *oriented.interiors]:
            xy = np.asarray(ring.coords)
            ring_codes = np.full(len(xy), Path.LINETO, dtype=Path.code_type)
            ring_codes[0], ring_codes[-1] = Path.MOVETO, Path.CLOSEPOLY
            vertices.append(xy)
            codes.append(ring_codes)
    if not vertices:
        return Path(np.empty((0, 2)))
    return Path(np.concatenate(vertices), np.concatenate(codes))


def _polygons_of(shape: shapely.Geometry) -> Iterable[shapely.Polygon]:
    if isinstance(shape, shapely.Polygon):
        yield shape
    elif hasattr(shape, "geoms"):
        for part in shape.geoms:
            yield from _polygons_of(part)


def _route(
    ax: Axes, airport: dict[str, Any], centre: tuple[float, float], corridor_km: float | None
) -> list[Any]:
    ends = [(float(airport["lon"]), float(airport["lat"])), (centre[1], centre[0])]
    (line,) = ax.plot(*zip(*ends, strict=True), color=INK, linewidth=0.9, linestyle=(0, (4, 2)))
    line.set(gid="route", zorder=3, label="Route from the airport (straight line)")
    if not corridor_km:
        return [line]
    band = PathPatch(
        _path(corridor(ends, corridor_km)), facecolor=ACCENT, alpha=0.12, edgecolor="none",
        zorder=2, gid="corridor", label=f"Corridor, {corridor_km:g} km either side",
    )  # fmt: skip
    ax.add_patch(band)
    return [line, band]


def corridor(ends: Sequence[tuple[float, float]], km: float) -> shapely.Geometry:
    """The band within ``km`` of the straight line between two (lon, lat) points, in
    degrees: buffered where longitudes are squashed by cos(middle latitude)."""
    cos = math.cos(math.radians((ends[0][1] + ends[1][1]) / 2))
    scale = np.array([cos, 1.0])
    line = shapely.LineString(np.asarray(ends) * scale)
    return shapely.transform(line.buffer(km / KM_PER_DEGREE), lambda xy: xy / scale)


def _points(ax: Axes, points: list[dict[str, Any]]) -> list[Any]:
    handles: list[Any] = []
    for kind, style in _KINDS.items():
        mine = [p for p in points if _kind(p) == kind]
        if not mine:
            continue
        mine.sort(key=lambda p: -_deaths(p))  # the big ones below, the small ones seen
        drawn = ax.scatter(
            [float(p["lon"]) for p in mine], [float(p["lat"]) for p in mine],
            s=[_size(_deaths(p)) for p in mine], zorder=4, **style,  # type: ignore[arg-type]
        )  # fmt: skip
        drawn.set_gid(f"points-{kind}")
        handles.append(_proxy(style))
    return handles


def _proxy(style: dict[str, Any]) -> Line2D:
    """A legend entry of a moderate size for a kind of point."""
    return Line2D(
        [], [], linestyle="none", marker="o", markersize=6, label=style["label"],
        markerfacecolor=style["color"], markeredgecolor=style["edgecolors"],
        markeredgewidth=style["linewidths"], alpha=style.get("alpha"),
    )  # fmt: skip


def _kind(point: dict[str, Any]) -> str:
    kind = str(point.get("kind") or "other")
    return kind if kind in _KINDS else "other"


def _deaths(point: dict[str, Any]) -> int:
    return int(point.get("deaths") or 0)


def _size(deaths: int) -> float:
    """Symbol area in pt², proportional to deaths (capped at 150)."""
    return 10.0 + 4.0 * min(deaths, 150)


def _size_key(ax: Axes) -> None:
    """A key of symbol sizes in the lower right corner of the map."""
    marks = [
        Line2D(
            [], [], linestyle="none", marker="o", markersize=math.sqrt(_size(n)),
            markerfacecolor="none", markeredgecolor=GREY, markeredgewidth=0.6, label=f"{n}",
        )
        for n in _SIZE_KEY
    ]  # fmt: skip
    key = ax.legend(
        handles=marks, title="Deaths", loc="lower right", frameon=True, labelspacing=1.1,
        borderpad=0.7, handletextpad=0.8, fontsize=7, title_fontsize=7,
    )  # fmt: skip
    key.get_frame().set(facecolor="white", alpha=0.85, edgecolor="none")
    key.set_gid("size-key")
    key.set_zorder(6)


def _centre(ax: Axes, centre: tuple[float, float]) -> list[Any]:
    (mark,) = ax.plot(
        centre[1], centre[0], marker="P", markersize=8, color=INK,
        markeredgecolor="white", markeredgewidth=0.6, linestyle="none", zorder=5,
    )  # fmt: skip
    mark.set(gid="centre", label="Centre of the area")
    return [mark]


def _airport(ax: Axes, airport: dict[str, Any] | None) -> list[Any]:
    if not airport:
        return []
    lon, lat = float(airport["lon"]), float(airport["lat"])
    (mark,) = ax.plot(
        lon, lat, marker="^", markersize=8, color="white", markeredgecolor=INK,
        markeredgewidth=1.2, linestyle="none", zorder=5,
    )  # fmt: skip
    code = f" ({airport['iata']})" if airport.get("iata") else ""
    mark.set(gid="airport", label=f"Arrival airport: {airport.get('name', '')}{code}")
    ax.annotate(
        str(airport.get("iata") or airport.get("name", "")), (lon, lat), xytext=(6, -3),
        textcoords="offset points", fontsize=7, fontweight="bold", path_effects=_HALO,
        zorder=5, gid="airport-label", annotation_clip=True,
    )  # fmt: skip
    return [mark]


def _scale_bar(ax: Axes, view: BBox) -> None:
    km_across = (view[2] - view[0]) * KM_PER_DEGREE * _cos_mid(view)
    km = _nice(km_across / 5)
    bar = AnchoredSizeBar(
        ax.transData, km / (KM_PER_DEGREE * _cos_mid(view)), f"{km:g} km", "lower left",
        pad=0.4, borderpad=0.6, sep=3, size_vertical=(view[3] - view[1]) / 150, color=INK,
        frameon=True,
    )  # fmt: skip
    bar.patch.set(facecolor="white", alpha=0.85, edgecolor="none")
    bar.size_bar.get_children()[0].set_gid("scale-bar")  # the box itself writes no group
    bar.set_zorder(6)
    ax.add_artist(bar)


def _nice(km: float) -> float:
    """The largest of 1, 2 or 5 times a power of ten not above ``km``."""
    power = 10 ** math.floor(math.log10(km))
    return max(step * power for step in (1, 2, 5) if step * power <= km)


def _north_arrow(ax: Axes) -> None:
    arrow = ax.annotate(
        "N", xy=(0.95, 0.97), xytext=(0.95, 0.86), xycoords="axes fraction",
        ha="center", va="top", fontsize=8, fontweight="bold", zorder=6, gid="north-arrow",
        arrowprops={"arrowstyle": "-|>", "color": INK, "linewidth": 1.0, "shrinkA": 9},
        path_effects=_HALO,
    )  # fmt: skip
    arrow.arrow_patch.set_gid("north-arrow-head")  # type: ignore[union-attr]


def _grow(box: BBox, share: float) -> BBox:
    dx, dy = (box[2] - box[0]) * share, (box[3] - box[1]) * share
    return (box[0] - dx, box[1] - dy, box[2] + dx, box[3] + dy)
