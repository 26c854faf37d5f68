"""Population denominators for a profile in an area, with their source and year.

A stored figure (``populations``) is a denominator for a profile when it counts persons
in a unit of the area and its group is the profile's: the name before any parenthesis
names only profile groups, and the whole name names every one of them. "Hazara (ethnic,
mostly Shia)" is the denominator of shia + hazara and of hazara, but not of shia alone:
Hazara are a small part of Pakistan's Shia, and a rate per Hazara would overstate the
risk to a Shia who is not Hazara. Several such figures, or a low and a high, make the
denominator disputed, and the rate is given for each end.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from gawahi.risk.areas import Area
from gawahi.risk.figures import Figure, figure
from gawahi.risk.poisson import weighted_interval
from gawahi.store import schema


def denominators(
    conn: sa.Connection, area: Area, profile: Sequence[str], names: Mapping[str, Sequence[str]]
) -> list[dict[str, Any]]:
    """Stored populations (persons) of the area whose group is the ``profile``'s; ``names``
    gives every victim group's names (its id and label: "shia", "Shia Muslims")."""
    p = schema.populations
    rows = conn.execute(
        sa.select(p)
        .where(p.c.unit_id.in_(sorted(area.inside)), p.c.measure == "persons")
        .where(p.c.group_name.is_not(None))
        .order_by(p.c.year.desc(), p.c.id)
    ).mappings()
    words = {
        group: re.compile("|".join(rf"\b{re.escape(n)}\b" for n in said), re.IGNORECASE)
        for group, said in names.items()
    }
    return [dict(r) for r in rows if _is_profile(r["group_name"], set(profile), words)]


def _is_profile(group_name: str, profile: set[str], words: Mapping[str, re.Pattern[str]]) -> bool:
    head = group_name.split("(", 1)[0]
    named = {g for g, w in words.items() if w.search(group_name)}
    in_head = {g for g, w in words.items() if w.search(head)}
    return bool(in_head) and in_head <= profile <= named


def rate_figure(
    area: Area, deaths: Sequence[float], ids: list[str], years: int, found: list[dict[str, Any]]
) -> Figure:
    """Profile deaths per 100,000 of the group per year; ``deaths`` holds each incident's.

    The interval is Fay and Feuer's for deaths that come in incidents (poisson.py), on
    the first population figure; the others give the rate at each end of the dispute.
    """
    result = figure(area.name, "rate.per_100k", value=None, unit="per 100,000 per year", ids=ids)
    if not found:
        result.detail = {"reason": "no population figure for this group in this area"}
        return result
    chosen = found[0]
    total, lower, upper = weighted_interval(deaths)
    scale = 100_000 / (chosen["value"] * years)
    lows = [r["value_low"] or r["value"] for r in found]
    highs = [r["value_high"] or r["value"] for r in found]
    result.value, result.low, result.high = total * scale, lower * scale, upper * scale
    result.detail = {
        "deaths": int(total),
        "years": years,
        "population": chosen["value"],
        "population_year": chosen["year"],
        "source": chosen["source"],
        "group": chosen["group_name"],
        "file_name": chosen["file_name"],
        "file_sha256": chosen["file_sha256"],
        "line": chosen["line"],
        "disputed": len(found) > 1 or min(lows) != max(highs),
        "rate_if_largest_population": total * 100_000 / (max(highs) * years),
        "rate_if_smallest_population": total * 100_000 / (min(lows) * years),
        "interval": "Fay-Feuer gamma 95% for deaths in incidents; the population taken as exact",
    }
    return result
