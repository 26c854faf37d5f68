"""Figures as a reader sees them: values and intervals as text, a note where a figure
has no value, and the home area against each relocation area."""

from __future__ import annotations

from typing import Any

from gawahi.risk.figures import Figure

# The figures compared across areas, in the order the comparison table gives them.
COMPARED = (
    "profile.incidents", "profile.deaths", "general.incidents", "general.share",
    "rate.per_100k", "trend.slope", "last.incident", "route.corridor", "route.airport",
)  # fmt: skip


def figure_text(value: float | int | None, unit: str = "") -> str:
    """A value as printed, to the precision the data can bear: '–' for none, shares in
    per cent, distances in whole km beyond 10 km, counts whole, their Poisson bounds and
    rates to one decimal (as the findings give them), ratios to two."""
    if value is None:
        return "–"
    if unit == "share":
        return f"{value:.1%}"
    if isinstance(value, int) or float(value).is_integer():
        return f"{value:,.0f}"
    if unit == "km":
        return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"
    if unit in ("incidents", "deaths", "days") or unit.startswith("per 100,000"):
        return f"{value:,.1f}" if abs(value) >= 0.1 else f"{value:.2g}"
    return f"{value:,.2f}"


def interval_text(item: Figure) -> str:
    """The interval as printed; none where it has no width (all sources gave one figure)."""
    if item.low is None or item.high is None or item.low == item.high:
        return ""
    return f"{figure_text(item.low, item.unit)}–{figure_text(item.high, item.unit)}"


def note(item: Figure) -> str:
    """What the reader must know to read the figure: why it is empty, how it was bounded."""
    detail = item.detail
    parts = [str(detail[k]) for k in ("reason", "interval") if detail.get(k)]
    if item.indicator == "rate.per_100k" and item.value is not None:
        parts.append(
            f"population {detail['population']:,.0f} ({detail['group']}; {detail['source']}, "
            f"{detail['population_year']})"
        )
    if item.indicator == "reach.nearest" and item.value is not None:
        parts.append(nearest_note(detail))
    if detail.get("sources"):
        parts.append(f"sources: {detail['sources']}")
    return "; ".join(p for p in parts if p)


# How far a nearest attack's recorded place can be trusted, by its precision.
_PLACED = {
    "near": "its place is approximate (within a few km)",
    "admin2": "its place is recorded only as a city or district, so the distance is to that "
    "place's centre point",
}


def nearest_where(detail: dict[str, Any]) -> str:
    """The same in a word or two, for the reach table: "in the area", "outside", and
    whether the point stands for a city or district."""
    if "inside_area" not in detail:
        return ""
    where = "in the area" if detail["inside_area"] else "outside"
    return where + (", at a city or district point" if detail.get("precision") == "admin2" else "")


def nearest_note(detail: dict[str, Any]) -> str:
    """Where the nearest attack was and how well its place is known: an attack recorded
    at a city's centre point is not known to have happened at the centre."""
    parts = ["in the area" if detail.get("inside_area") else "outside the area"]
    if detail.get("precision") in _PLACED:
        parts.append(_PLACED[detail["precision"]])
    unplaced = detail.get("without_precise_point") or 0
    if unplaced:
        parts.append(
            f"{unplaced:,} of the perpetrator's incidents have no place precise enough to measure"
        )
    return "; ".join(parts)


def area_rows(figures: list[Figure], area: str) -> list[dict[str, Any]]:
    """The table of one area's figures (a personal factor's figures say so)."""
    return [
        {
            "key": item.key,
            "indicator": item.indicator,
            "label": _label(item, area),
            "value": figure_text(item.value, item.unit),
            "interval": interval_text(item),
            "unit": "" if item.unit == "share" else item.unit,
            "incidents": len(item.ids),
            "note": note(item),
        }
        for item in figures
    ]


def _label(item: Figure, area: str) -> str:
    extra = item.area[len(area) :].strip()
    return f"{item.label} {extra}".strip()


def comparison(result: Any) -> dict[str, Any]:
    """Rows of figures, one column per area, home first."""
    columns = [a["label"] for a in result.areas]
    keys = [*COMPARED, *(f"reach.incidents:{p}" for p in result.perpetrators)]
    rows = []
    for key in keys:
        cells = [_cell(result.figure(f"{a['name']}/{key}")) for a in result.areas]
        label = result.figure(f"{result.areas[0]['name']}/{key}").label
        rows.append({"label": label, "cells": cells})
    return {"columns": columns, "rows": rows}


def _cell(item: Figure) -> str:
    interval = interval_text(item)
    value = figure_text(item.value, item.unit)
    return f"{value} ({interval})" if interval and item.value is not None else value
