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
    """A value as printed: '–' for none, shares in per cent, two decimals for ratios."""
    if value is None:
        return "–"
    if unit == "share":
        return f"{value:.1%}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def interval_text(item: Figure) -> str:
    if item.low is None or item.high is None:
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
    if detail.get("sources"):
        parts.append(f"sources: {detail['sources']}")
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
