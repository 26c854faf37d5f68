"""The annex: every incident behind the profile and perpetrator figures, with the tags
that put it there and each source's own record and citations.

The general level and the route counts can run to thousands of incidents; they are
listed by id in the manifest (and by ``gawahi explain``), not annexed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from gawahi.profiles.vocabulary import ProfilePacks
from gawahi.risk.figures import Figure
from gawahi.risk.store import incidents_behind
from gawahi.store import schema

ANNEXED = ("profile.incidents", "reach.incidents", "reach.nearest", "last.incident")
_CHUNK = 500


def annexed_keys(figures: Iterable[Figure]) -> list[str]:
    """The incidents the annex lists, once each, in the order the figures name them."""
    seen: dict[str, None] = {}
    for item in figures:
        if item.indicator in ANNEXED:
            seen.update(dict.fromkeys(item.ids))
    return list(seen)


def annex(conn: sa.Connection, keys: list[str], packs: ProfilePacks) -> list[dict[str, Any]]:
    """One row per incident: date, place, deaths, perpetrators, victims and sources."""
    behind = incidents_behind(conn, keys)
    tags = _tags(conn, [r["uid"] for item in behind for r in item["records"]])
    names = _unit_names(conn, {str(item.get("place")) for item in behind})
    rows = [_row(item, tags, names, packs) for item in behind]
    return sorted(rows, key=lambda r: (r["date"], r["key"]))


def _row(
    item: dict[str, Any], tags: dict[str, set[tuple[str, str]]], names: dict[str, str],
    packs: ProfilePacks,
) -> dict[str, Any]:  # fmt: skip
    records = item["records"]
    own = set().union(*(tags.get(r["uid"], set()) for r in records)) if records else set()
    first = records[0] if records else {}
    place = item.get("place") or first.get("place") or ""
    return {
        "key": item["incident"],
        "date": item.get("date") or first.get("date", ""),
        "place": names.get(place, place),
        "deaths": _deaths(item, records),
        "perpetrators": _labels(own, "perpetrator", packs),
        "victims": _labels(own, "victim", packs),
        "sources": [_source(r) for r in records],
    }


def _deaths(item: dict[str, Any], records: list[dict[str, Any]]) -> str:
    if "deaths" in item:
        best, low, high = item["deaths"]
        return str(best) if low == high == best else f"{best} ({low}–{high})"
    return str(records[0]["deaths_best"]) if records else ""


def _labels(tags: set[tuple[str, str]], role: str, packs: ProfilePacks) -> str:
    return ", ".join(sorted(packs.label(t) for t, r in tags if r == role))


def _source(record: dict[str, Any]) -> dict[str, Any]:
    cited = record["citations"][0] if record["citations"] else {}
    return {
        "uid": record["uid"],
        "publisher": cited.get("publisher", ""),
        "date": cited.get("date", ""),
        "headline": cited.get("headline", ""),
        # Where a source cites nothing (PBC), its own description says what it recorded:
        # shown as the record's words, never dressed as a headline.
        "text": "" if cited.get("headline") else record["text"],
        "url": cited.get("url", ""),
        "more": len(record["citations"]) - 1 if record["citations"] else 0,
    }


def _tags(conn: sa.Connection, uids: list[str]) -> dict[str, set[tuple[str, str]]]:
    t = schema.tags
    found: dict[str, set[tuple[str, str]]] = {}
    for start in range(0, len(uids), _CHUNK):
        query = sa.select(t.c.incident_uid, t.c.tag, t.c.role).where(
            t.c.incident_uid.in_(uids[start : start + _CHUNK]), t.c.role != "context"
        )
        for uid, tag, role in conn.execute(query):
            found.setdefault(uid, set()).add((tag, role))
    return found


def _unit_names(conn: sa.Connection, ids: set[str]) -> dict[str, str]:
    units = schema.admin_units
    wanted = sorted(i for i in ids if i and i != "None")
    query = sa.select(units.c.id, units.c.name).where(units.c.id.in_(wanted))
    return {unit_id: name for unit_id, name in conn.execute(query)}
