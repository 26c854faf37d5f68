"""Population denominators for a profile in an area, with their source and year.

A stored figure (``populations``) is a denominator for a profile when it counts persons
in a unit of the area and its group name names every tag of the profile ("Hazara
(ethnic, mostly Shia)" for shia + hazara). Several such figures, or a low and a high,
make the denominator disputed, and the rate is given for each end.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from gawahi.risk.areas import Area
from gawahi.risk.figures import Figure, figure
from gawahi.risk.poisson import rate_per_100k
from gawahi.store import schema


def denominators(
    conn: sa.Connection, area: Area, names: Sequence[Sequence[str]]
) -> list[dict[str, Any]]:
    """Stored group populations (persons) of the area whose group names every profile
    tag, by one of its names (its id or label: "shia" or "Shia Muslims")."""
    p = schema.populations
    rows = conn.execute(
        sa.select(p)
        .where(p.c.unit_id.in_(sorted(area.inside)), p.c.measure == "persons")
        .where(p.c.group_name.is_not(None))
        .order_by(p.c.year.desc(), p.c.id)
    ).mappings()
    words = [
        re.compile("|".join(rf"\b{re.escape(n)}\b" for n in tag), re.IGNORECASE) for tag in names
    ]
    return [dict(r) for r in rows if all(w.search(r["group_name"]) for w in words)]


def rate_figure(area: Area, deaths: int, years: int, found: list[dict[str, Any]]) -> Figure:
    """Profile deaths per 100,000 of the group per year, with an exact Poisson interval."""
    result = figure(area.name, "rate.per_100k", value=None, unit="per 100,000 per year")
    if not found:
        result.detail = {"reason": "no population figure for this group in this area"}
        return result
    chosen = found[0]
    central = rate_per_100k(deaths, chosen["value"] * years)
    lows = [r["value_low"] or r["value"] for r in found]
    highs = [r["value_high"] or r["value"] for r in found]
    result.value, result.low, result.high = central.rate, central.lower, central.upper
    result.detail = {
        "deaths": deaths,
        "years": years,
        "population": chosen["value"],
        "population_year": chosen["year"],
        "source": chosen["source"],
        "group": chosen["group_name"],
        "disputed": len(found) > 1 or min(lows) != max(highs),
        "rate_if_largest_population": rate_per_100k(deaths, max(highs) * years).rate,
        "rate_if_smallest_population": rate_per_100k(deaths, min(lows) * years).rate,
        "interval": "exact Poisson 95% on the death count; the population taken as exact",
    }
    return result
