"""Charts of the report, drawn as SVG from our own figures.

``annual_chart`` draws incidents per year as grey bars (every year of the period, zeros
too; each year with incidents labelled with its count) and deaths as a line in the accent
colour on a second axis. Every element a test or a reader may look for carries an SVG
id: ``bar-YEAR``, ``count-YEAR`` (years with incidents), ``deaths-line``. Maps are in
``gawahi.report.maps`` (re-exported here).
"""

from __future__ import annotations

import textwrap

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from gawahi.report.drawing import A4_WIDTH_IN, ACCENT, GREY, INK, drawing, to_svg
from gawahi.report.maps import area_map, boundaries_near

__all__ = ["annual_chart", "area_map", "boundaries_near"]

_LABELLED_BARS = 24  # more years than this: no count above each bar (they would touch)
_UPRIGHT_YEARS = 20  # more years than this: year labels turned vertical
_TITLE_CHARS = 80  # a title line's width at the chart's title size, on A4


def annual_chart(per_year: dict[str, int], deaths: dict[str, int] | None, title: str) -> str:
    """Incidents per year as bars, deaths per year as a line on a second axis, as SVG.

    Keys are years ("2013"); every year from the first to the last key of either mapping
    is drawn, a missing year as 0.
    """
    years = _period(per_year, deaths or {})
    with drawing():
        fig = Figure(figsize=(A4_WIDTH_IN, 3.0), layout="constrained")
        ax = fig.add_subplot()
        handles = [_bars(ax, years, per_year)]
        if deaths is not None:
            handles.append(_deaths_line(ax, years, deaths))
        _year_axis(ax, years)
        # Wrapped: a long area name would otherwise run off the drawing.
        ax.set_title(textwrap.fill(title, _TITLE_CHARS))
        if years:
            ax.legend(handles=handles, loc="upper left", ncols=2, bbox_to_anchor=(0, 1.0))
        else:
            ax.text(0.5, 0.5, "No incidents in the period", transform=ax.transAxes, ha="center")
        return to_svg(fig)


def _period(*series: dict[str, int]) -> list[int]:
    years = {int(year) for values in series for year in values}
    return list(range(min(years), max(years) + 1)) if years else []


def _count(values: dict[str, int], year: int) -> int:
    return int(values.get(str(year), values.get(year, 0)))  # type: ignore[call-overload]


def _bars(ax: Axes, years: list[int], per_year: dict[str, int]) -> object:
    counts = [_count(per_year, year) for year in years]
    bars = ax.bar(years, counts, width=0.7, color=GREY, label="Incidents (bars, left axis)")
    for rect, year in zip(bars.patches, years, strict=True):
        rect.set_gid(f"bar-{year}")
    if len(years) <= _LABELLED_BARS:
        # Zero years stay unlabelled: a row of 0s reads as data where there is none.
        labels = [str(c) if c else "" for c in counts]
        drawn = ax.bar_label(bars, labels=labels, padding=1.5, fontsize=6.5, color=INK)
        for text, year in zip(drawn, years, strict=True):
            text.set_gid(f"count-{year}")
    ax.set_ylabel("Incidents")
    ax.set_ylim(0, max([*counts, 1]) * 1.25)  # room for the counts and the legend
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.spines["right"].set_visible(False)
    return bars


def _deaths_line(ax: Axes, years: list[int], deaths: dict[str, int]) -> object:
    counts = [_count(deaths, year) for year in years]
    twin = ax.twinx()
    (line,) = twin.plot(
        years, counts, color=ACCENT, linewidth=1.4, marker="o", markersize=3,
        label="Deaths (line, right axis)",
    )  # fmt: skip
    line.set_gid("deaths-line")
    twin.set_ylabel("Deaths", color=ACCENT)
    twin.tick_params(axis="y", colors=ACCENT)
    twin.spines["right"].set_color(ACCENT)
    twin.spines["top"].set_visible(False)
    twin.set_ylim(0, max([*counts, 1]) * 1.25)
    twin.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    return line


def _year_axis(ax: Axes, years: list[int]) -> None:
    ax.set_xticks(
        years, [str(y) for y in years], rotation=0 if len(years) <= _UPRIGHT_YEARS else 90
    )
    ax.tick_params(axis="x", length=0)
    if years:
        ax.set_xlim(years[0] - 0.6, years[-1] + 0.6)
    ax.set_xlabel("Year")
