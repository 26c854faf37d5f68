"""The Assessment: figures per area for one profile, and the findings drawn from them.

``assess`` resolves the areas, loads every incident of the country and period once
(frame.py; kept between assessments by snapshots.py), and computes each indicator as a
mask over it. Nothing is estimated where the data are silent: a figure without data
carries its reason, and the findings say that the absence of records is not evidence of
safety.
"""

from __future__ import annotations

from collections import Counter
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
from gawahi.risk.frame import Frame, factorize, perpetrators_of
from gawahi.risk.indicators import general_figures, last_incident, profile_figures, trend_figures
from gawahi.risk.reach import haversine_km, reach_figures, route_figures
from gawahi.risk.snapshots import add_tags, load_frame
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
    coverage: dict[str, list[str]] = field(default_factory=dict)  # source -> first, last day
    link_run_id: int | None = None
    id: int | None = None

    def figure(self, key: str) -> Figure:
        for item in self.figures:
            if item.key == key:
                return item
        raise KeyError(key)


def assess(
    conn: sa.Connection,
    spec: AssessmentSpec,
    packs: ProfilePacks | None = None,
    *,
    snapshots: bool = True,
) -> Assessment:
    """Run the assessment ``spec`` on the store; the caller stores it (store.py) if wanted.
    ``snapshots=False`` reads every incident from the tables (snapshots.py)."""
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
    frame = load_frame(
        conn, country, spec.start, spec.end, wanted, spec.min_confidence, use=snapshots
    )
    profile = _all(frame, spec.profile)
    perpetrators, origin = _perpetrators(
        conn, frame, spec, profile & frame.in_units(areas[0].inside)
    )
    add_tags(conn, frame, [(p, "perpetrator") for p in perpetrators], spec.min_confidence)
    windows = coverage(conn, country)
    names = {g.id: (g.id, g.label) for g in packs.groups.values()}
    figures: list[Figure] = []
    for area in areas:
        figures += _area_figures(conn, frame, area, spec, profile, perpetrators, windows, names)
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
        coverage={s: [str(a), str(b)] for s, (a, b) in sorted(windows.items())},
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
    names = spec.areas or tuple(largest_cities(conn, units, country, home.inside))
    areas = [home]
    for name in names:
        area = resolve_area(conn, units, country, name)
        _check_apart(name, area, areas)
        areas.append(area)
    if len(areas) == 1:
        raise ConfigError("no relocation area: give --areas")
    unknown = sorted(set(spec.airports) - {a.name for a in areas})
    if unknown:
        named = ", ".join(a.name for a in areas)
        raise ConfigError(
            f"--airport names {', '.join(unknown)}, not an area of this assessment ({named})"
        )
    return areas


def _check_apart(name: str, area: Area, areas: list[Area]) -> None:
    """Areas may not overlap: the home inside a relocation area would count twice."""
    for other in areas:
        if area.unit_id == other.unit_id:
            raise ConfigError(
                f"{name!r} is {area.label}, which is already an area of this assessment"
            )
        if area.inside & other.inside:
            raise ConfigError(
                f"{name!r} is {area.label}, which overlaps {other.label}, "
                "already an area of this assessment"
            )


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
    names: dict[str, tuple[str, str]],
) -> list[Figure]:
    inside = frame.in_units(area.inside)
    mine = profile & inside
    years = spec.years
    figures = profile_figures(frame, area.name, mine, years)
    figures += general_figures(frame, area.name, mine, (frame.civilian | profile) & inside)
    found = denominators(conn, area, spec.profile, names)
    deaths = np.nan_to_num(frame.best[mine])
    figures.append(rate_figure(area, list(deaths), frame.ids(mine), len(years), found))
    figures += trend_figures(frame, area.name, mine, years, spec.recent_years)
    figures.append(last_incident(frame, area.name, mine, np.datetime64(spec.end)))
    km = haversine_km(frame.lat, frame.lon, area.latitude, area.longitude)
    for perpetrator in perpetrators:
        figures += reach_figures(frame, area, inside, perpetrator, km)
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
    """Each figure's sources: how many of its incidents each source reports. The sets of
    sources are few, so incidents are counted per set and the sets are split once."""
    codes, sets = factorize(frame.sources)
    named = [str(s).split() for s in sets]
    for item in figures:
        per_set = np.bincount(codes[frame.rows(item.ids)], minlength=len(sets))
        counts: Counter[str] = Counter()
        for index in np.flatnonzero(per_set):
            for source in named[index]:
                counts[source] += int(per_set[index])
        item.detail["sources"] = ", ".join(f"{s} {n}" for s, n in sorted(counts.items()))
