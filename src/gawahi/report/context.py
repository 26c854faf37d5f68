"""What a report says, as plain data: built from a stored assessment and the store,
rendered by the templates into HTML, PDF and Word alike (render.py).

Every number in it is a figure of the assessment, formatted; nothing is computed here
that the manifest does not carry, so ``gawahi verify`` checks the report's figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from typing import Any

import sqlalchemy as sa

from gawahi.profiles.vocabulary import ProfilePacks
from gawahi.report.annex import annex, annexed_keys
from gawahi.report.figures_text import area_rows, comparison, figure_text, nearest_where
from gawahi.report.maps_data import all_drawings
from gawahi.risk.assessment import Assessment
from gawahi.risk.findings import profile_phrase
from gawahi.store import schema

METHOD = (
    "Counts are of incidents: the records of different sources that report the same "
    "attack are linked into one incident, whose deaths follow a stated rule (the median "
    "of the sources' best figures, and the lowest low to the highest high).",
    "Victim groups and perpetrators are tags drawn from each source's own fields and "
    "text, each with its evidence. Places are today's districts and provinces.",
    "Intervals are exact where the statistics allow (Poisson counts, binomial shares) "
    "and allow for deaths coming several to an attack in rates. A figure without data "
    "says why; the absence of records is never read as evidence of safety.",
    "gawahi's methodology (the file docs/methodology.md in its source, for the version "
    "named on the cover) gives every figure's formula, assumptions and limits; 'gawahi "
    "explain' lists the incidents behind any figure of the stored assessment.",
)
AIRPORTS = (
    "Airport locations: airportsdata (MIT licence), compiled from OurAirports (public domain)."
)


@dataclass(frozen=True, slots=True)
class ReportMeta:
    title: str = "Country evidence annex: risk to the profile at home and on relocation"
    case_ref: str = ""
    author: str = ""
    date: str = ""


def build_context(
    conn: sa.Connection, result: Assessment, packs: ProfilePacks, meta: ReportMeta,
    draw: bool = True,
) -> dict[str, Any]:  # fmt: skip
    """The report of ``result`` as a dict the templates read."""
    datasets = _datasets(conn, result)
    return {
        "meta": _meta(meta, result),
        "question": _question(result, packs),
        "summary": _summary(result),
        "datasets": datasets,
        "method": list(METHOD),
        "areas": [
            _area(result, a, svgs)
            for a, svgs in zip(result.areas, all_drawings(conn, result, draw), strict=True)
        ],
        "comparison": comparison(result),
        "limitations": [f["text"] for f in result.findings if f["kind"] == "limit"],
        "annex": annex(conn, annexed_keys(result.figures), packs),
        "citations": _citations(datasets),
    }


def _meta(meta: ReportMeta, result: Assessment) -> dict[str, Any]:
    return {
        "title": meta.title,
        "case_ref": meta.case_ref,
        "author": meta.author,
        "date": meta.date or date.today().isoformat(),
        "gawahi_version": version("gawahi"),
        "assessment_id": result.id,
        "lang": "en",
    }


def _question(result: Assessment, packs: ProfilePacks) -> dict[str, Any]:
    spec = result.spec
    labels = [packs.label(t) for t in spec.profile]
    who = profile_phrase(labels)
    home, *moves = result.areas
    period = f"{spec.start.year}–{spec.end.year}"
    text = (
        f"What do the records show of attacks on people identified as {who} in "
        f"{home['label']}, the home area, and in {', '.join(a['label'] for a in moves)}, "
        f"proposed for relocation, in {period}; and do the groups that attacked them at "
        "home reach those places?"
    )
    return {
        "profile": " and ".join(labels),
        "profile_rule": _profile_rule(spec.profile, who),
        "factors": profile_phrase([packs.label(t) for t in spec.factors]),
        "home": home["label"],
        "relocation": [a["label"] for a in moves],
        "period": period,
        "perpetrators": [{"tag": t, "label": packs.label(t)} for t in result.perpetrators],
        "perpetrators_from": result.perpetrators_from,
        "text": text,
    }


def _profile_rule(tags: tuple[str, ...] | list[str], who: str) -> str:
    """How an incident comes to count for the profile, in words a tribunal can check."""
    named = ", ".join(tags)
    if len(tags) <= 1:
        return f"An incident counts when a source identifies its victims as {who} (tag {named})."
    return (
        f"An incident counts when its victims are identified as {who} (tags {named}); "
        "one of the groups alone is not enough."
    )


def _summary(result: Assessment) -> list[dict[str, Any]]:
    """Each area's opening finding, and the home area's trend, rate and under-reporting."""
    home = result.areas[0]["name"]
    wanted = {f"{a['name']}/profile.incidents" for a in result.areas}
    wanted |= {f"{home}/{i}" for i in ("trend.slope", "rate.per_100k", "underreporting.estimate")}
    return [
        {"text": f["text"], "sources": f.get("sources", [])}
        for f in result.findings
        if f["kind"] == "finding" and wanted & set(f["figures"])
    ]


def _area(result: Assessment, area: dict[str, Any], svgs: tuple[str, str]) -> dict[str, Any]:
    name = area["name"]
    mine = [f for f in result.figures if f.area == name or f.area.startswith(f"{name} (")]
    chart, drawn_map = svgs
    return {
        "name": name,
        "label": area["label"],
        "role": area["role"],
        "figures": area_rows(mine, name),
        "chart_svg": chart,
        "map_svg": drawn_map,
        "reach": _reach(result, name),
        "route": _route(result, name),
        "underreporting": _underreporting(result, name),
        "findings": [
            {"text": f["text"]}
            for f in result.findings
            if any(k.startswith((f"{name}/", f"{name} (")) for k in f["figures"])
        ],
    }


def _reach(result: Assessment, name: str) -> list[dict[str, Any]]:
    rows = []
    for tag in result.perpetrators:
        here = result.figure(f"{name}/reach.incidents:{tag}")
        near = result.figure(f"{name}/reach.nearest:{tag}")
        rows.append({
            "perpetrator": tag,
            "incidents": here.value,
            "nearest_km": figure_text(near.value, near.unit),
            "nearest_where": nearest_where(near.detail),
            "nearest_date": near.detail.get("date", ""),
        })  # fmt: skip
    return rows


def _route(result: Assessment, name: str) -> dict[str, Any]:
    corridor = result.figure(f"{name}/route.corridor")
    port = result.figure(f"{name}/route.airport")
    d = corridor.detail
    return {
        "airport": d["airport"], "name": d["name"], "corridor": corridor.value,
        "civilian": d["civilian"], "at_airport": port.value, "width_km": d["width_km"],
        "radius_km": port.detail["radius_km"],
    }  # fmt: skip


def _underreporting(result: Assessment, name: str) -> dict[str, Any]:
    est = result.figure(f"{name}/underreporting.estimate")
    interval = "" if est.low is None else f"{est.low:.0f}–{est.high:.0f}"
    return {
        "value": figure_text(est.value),
        "interval": interval,
        "reason": est.detail.get("reason", ""),
        "method": est.detail.get("method", ""),
    }


def _datasets(conn: sa.Connection, result: Assessment) -> list[dict[str, Any]]:
    """Every source the report rests on: event datasets, populations and boundaries."""
    found = [dict(d) for d in result.datasets]
    b = schema.boundary_sets
    country = result.spec.country
    for row in conn.execute(sa.select(b).where(b.c.country_iso3 == country)).mappings():
        found.append({
            "kind": "boundaries", "name": f"Boundaries, level {row['level']}",
            "file_name": row["file_name"], "sha256": row["sha256"], "citation": row["citation"],
        })  # fmt: skip
    return found


def _citations(datasets: list[dict[str, Any]]) -> list[str]:
    cited = [d.get("citation") or d.get("source") for d in datasets]
    return [c for c in dict.fromkeys(cited) if c] + [AIRPORTS]
