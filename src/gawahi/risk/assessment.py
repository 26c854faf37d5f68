"""The Assessment: figures per area for one profile, and the findings drawn from them.

``assess`` resolves the areas, loads every incident of the country and period once
(frame.py), and computes each indicator as a mask over it. Nothing is estimated where the
data are silent: a figure without data carries its reason, and the findings say that
the absence of records is not evidence of safety.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa

from gawahi.errors import ConfigError
from gawahi.geo.lookup import choose_country
from gawahi.geo.units import UnitIndex
from gawahi.profiles.pack import load_packs
from gawahi.profiles.vocabulary import ProfilePacks
from gawahi.risk import targets
from gawahi.risk.airports import airport, nearest_airport
from gawahi.risk.areas import Area, largest_cities, resolve_area
from gawahi.risk.denominators import denominators, rate_figure
from gawahi.risk.figures import Figure
from gawahi.risk.frame import Frame, add_tags, load_frame, perpetrators_of
from gawahi.risk.indicators import general_figures, last_incident, profile_figures, trend_figures
from gawahi.risk.reach import reach_figures, route_figures
from gawahi.risk.spec import AssessmentSpec
from gawahi.risk.underreporting import coverage, underreporting_figure


@dataclass(slots=True)
class Assessment:
    """Parameters, areas, figures and findings; ``id`` once stored."""

    spec: AssessmentSpec
    areas: list[dict[str, Any]]
    perpetrators: list[str]
    perpetrators_from: str
    figures: list[Figure]
    findings: list[dict[str, Any]] = field(default_factory=list)
    datasets: list[dict[str, Any]] = field(default_factory=list)
    link_run_id: int | None = None
    id: int | None = None

    def figure(self, key: str) -> Figure:
        for item in self.figures:
            if item.key == key:
                return item
        raise KeyError(key)


def assess(
    conn: sa.Connection, spec: AssessmentSpec, packs: ProfilePacks | None = None
) -> Assessment:
    """Run the assessment ``spec`` on the store; the caller stores it (store.py) if wanted."""
    from gawahi.risk.findings import findings
    from gawahi.risk.store import datasets_used, latest_link_run

    packs = packs or load_packs()
    _check_tags(packs, spec)
    units = UnitIndex.load(conn)
    country = choose_country(units, spec.country)
    targets.refresh(conn, country)
    areas = _areas(conn, units, country, spec)
    wanted = [(t, "victim") for t in (*spec.profile, *spec.factors)]
    wanted += [(t, "perpetrator") for t in spec.perpetrators]
    frame = load_frame(conn, country, spec.start, spec.end, wanted, spec.min_confidence)
    profile = _all(frame, spec.profile)
    perpetrators, origin = _perpetrators(
        conn, frame, spec, profile & frame.in_units(areas[0].inside)
    )
    add_tags(conn, frame, [(p, "perpetrator") for p in perpetrators], spec.min_confidence)
    windows = coverage(conn, country)
    labels = [(t, packs.label(t)) for t in spec.profile]
    figures: list[Figure] = []
    for area in areas:
        figures += _area_figures(conn, frame, area, spec, profile, perpetrators, windows, labels)
    _name_sources(frame, figures)
    result = Assessment(
        spec=spec,
        areas=[
            {**a.as_dict(), "role": "home" if i == 0 else "relocation"} for i, a in enumerate(areas)
        ],
        perpetrators=perpetrators,
        perpetrators_from=origin,
        figures=figures,
        datasets=datasets_used(conn, country, figures),
        link_run_id=latest_link_run(conn),
    )
    result.findings = findings(result, packs)
    return result


def _check_tags(packs: ProfilePacks, spec: AssessmentSpec) -> None:
    known = packs.tag_ids()
    for tag in (*spec.profile, *spec.factors, *spec.perpetrators):
        if tag not in known:
            raise ConfigError(f"unknown tag {tag!r}; 'gawahi profiles' lists them")


def _areas(conn: sa.Connection, units: UnitIndex, country: str, spec: AssessmentSpec) -> list[Area]:
    home = resolve_area(conn, units, country, spec.home)
    names = spec.areas or tuple(largest_cities(conn, units, country, home.unit_id))
    areas = [home]
    for name in names:
        area = resolve_area(conn, units, country, name)
        if area.unit_id in {a.unit_id for a in areas}:
            raise ConfigError(
                f"{name!r} is {area.label}, which is already an area of this assessment"
            )
        areas.append(area)
    if len(areas) == 1:
        raise ConfigError("no relocation area: give --areas")
    return areas


def _all(frame: Frame, tags: tuple[str, ...]) -> np.ndarray:
    mask = np.ones(len(frame), dtype=bool)
    for tag in tags:
        mask &= frame.tagged(tag, "victim")
    return mask


def _perpetrators(
    conn: sa.Connection, frame: Frame, spec: AssessmentSpec, at_home: np.ndarray
) -> tuple[list[str], str]:
    if spec.perpetrators:
        return list(spec.perpetrators), "given"
    return perpetrators_of(conn, frame.ids(at_home), spec.min_confidence), "home"


def _area_figures(
    conn: sa.Connection,
    frame: Frame,
    area: Area,
    spec: AssessmentSpec,
    profile: np.ndarray,
    perpetrators: list[str],
    windows: dict[str, Any],
    labels: list[tuple[str, str]],
) -> list[Figure]:
    inside = frame.in_units(area.inside)
    mine = profile & inside
    years = spec.years
    figures = profile_figures(frame, area.name, mine, years)
    figures += general_figures(frame, area.name, mine, (frame.civilian | profile) & inside)
    deaths = int(np.nansum(frame.best[mine]))
    figures.append(rate_figure(area, deaths, len(years), denominators(conn, area, labels)))
    figures += trend_figures(frame, area.name, mine, years, spec.recent_years)
    figures.append(last_incident(frame, area.name, mine, np.datetime64(spec.end)))
    for perpetrator in perpetrators:
        figures += reach_figures(frame, area, inside, perpetrator)
    code = spec.airports.get(area.name)
    port = airport(code) if code else nearest_airport(spec.country, area.latitude, area.longitude)
    figures += route_figures(frame, area, port, spec.corridor_km, spec.airport_km)
    figures.append(underreporting_figure(frame, area.name, mine, windows))
    if spec.factors:
        figures += _factor_figures(frame, area, mine, spec)
    return figures


def _factor_figures(
    frame: Frame, area: Area, mine: np.ndarray, spec: AssessmentSpec
) -> list[Figure]:
    narrower = mine & _all(frame, spec.factors)
    name = f"{area.name} ({' + '.join(spec.factors)})"
    return profile_figures(frame, name, narrower, spec.years)


def _name_sources(frame: Frame, figures: list[Figure]) -> None:
    """Each figure's sources: how many of its incidents each source reports."""
    position = {k: i for i, k in enumerate(frame.key)}
    for item in figures:
        counts: dict[str, int] = {}
        for key in item.ids:
            for source in str(frame.sources[position[key]]).split():
                counts[source] = counts.get(source, 0) + 1
        item.detail["sources"] = ", ".join(f"{s} {n}" for s, n in sorted(counts.items()))
