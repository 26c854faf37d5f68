"""Reading tags back: one incident's evidence, filters by tag, counts per tag and year."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from gawahi.errors import ConfigError, NotFound
from gawahi.linkage import counting
from gawahi.profiles.decisions import ROLES
from gawahi.profiles.tagging import TaggingRun, page_query
from gawahi.profiles.vocabulary import ProfilePacks
from gawahi.store import schema

DEFAULT_ROLES = ("victim", "perpetrator")


@dataclass(frozen=True, slots=True)
class TagSpec:
    """``shia`` (victim or perpetrator), ``shia:victim``, ``lej:perpetrator``."""

    tag: str
    roles: tuple[str, ...]

    @classmethod
    def parse(cls, text: str, packs: ProfilePacks | None = None) -> TagSpec:
        tag, _, role = text.strip().partition(":")
        if role and role not in ROLES:
            raise ConfigError(f"--tag {text!r}: the role must be one of {', '.join(ROLES)}")
        if packs is not None and tag not in packs.tag_ids():
            raise ConfigError(f"--tag {text!r}: unknown tag; 'gawahi profiles' lists them")
        return cls(tag, (role,) if role else DEFAULT_ROLES)


def tag_condition(spec: TagSpec, min_confidence: float = 0.0) -> sa.ColumnElement[bool]:
    """Incidents that carry the tag in one of the roles."""
    tags = schema.tags
    return sa.exists().where(
        tags.c.incident_uid == schema.incidents.c.uid,
        tags.c.tag == spec.tag,
        tags.c.role.in_(spec.roles),
        tags.c.confidence >= min_confidence,
    )


def why(conn: sa.Connection, packs: ProfilePacks, uid: str) -> dict[str, Any]:
    """Every stored tag of an incident with its evidence, what was set aside and why,
    and the decisions about it. The set-aside list is recomputed with the active packs."""
    row = conn.execute(page_query().where(schema.incidents.c.uid == uid)).first()
    if row is None:
        raise NotFound(f"no incident {uid!r}")
    tags = schema.tags
    stored = conn.execute(
        sa.select(tags).where(tags.c.incident_uid == uid).order_by(tags.c.position)
    ).all()
    run = TaggingRun.load(conn, packs, uid)
    result = run.result_of(row)
    return {
        "uid": uid,
        "current": row.input_hash == run.input_hash(row),
        "tags": [_tag_dict(t) for t in stored],
        "set_aside": [vars_of(s) for s in result.set_aside],
        "decisions": [vars_of(d) for d in run.decisions.get(uid, [])],
    }


def vars_of(item: Any) -> dict[str, Any]:
    if hasattr(item, "_asdict"):
        return dict(item._asdict())
    return {name: getattr(item, name) for name in item.__slots__}


def _tag_dict(row: sa.Row[Any]) -> dict[str, Any]:
    names = ("tag", "role", "method", "rule", "field", "matched", "confidence")
    return {name: getattr(row, name) for name in names}


def tag_year_counts(
    conn: sa.Connection,
    *,
    country: str | None = None,
    roles: Sequence[str] = DEFAULT_ROLES,
    tags: Sequence[str] = (),
    min_confidence: float = 0.0,
) -> list[dict[str, Any]]:
    """Incidents and deaths per tag, role and year, counted per incident.

    An incident is a cluster of linked records (linkage/counting.py): an attack that
    UCDP, GTD and PBC all report counts once, with the ledger's deaths, and carries the
    tags of all its records. ``sources`` says how many of the incidents each source
    reports, and ``records`` how many source records lie behind them.
    """
    units = counting.incident_units()
    tag_table = schema.tags
    tagged = (
        sa.select(
            tag_table.c.tag,
            tag_table.c.role,
            units.c.unit,
            units.c.date_start,
            units.c.deaths_best,
            units.c.deaths_low,
            units.c.deaths_high,
        )
        .join(units, units.c.uid == tag_table.c.incident_uid)
        .where(tag_table.c.role.in_(roles), tag_table.c.confidence >= min_confidence)
        .distinct()
    )
    if tags:
        tagged = tagged.where(tag_table.c.tag.in_(tags))
    if country:
        tagged = tagged.where(units.c.country_iso3 == country.upper())
    sub = tagged.subquery()
    year = sa.func.substr(sa.cast(sub.c.date_start, sa.String), 1, 4)
    query = (
        sa.select(
            sub.c.tag,
            sub.c.role,
            year.label("year"),
            sa.func.count().label("incidents"),
            sa.func.sum(sub.c.deaths_best).label("deaths_best"),
            sa.func.sum(sa.func.coalesce(sub.c.deaths_low, sub.c.deaths_best)).label("deaths_low"),
            sa.func.sum(sa.func.coalesce(sub.c.deaths_high, sub.c.deaths_best)).label(
                "deaths_high"
            ),
        )
        .group_by(sub.c.tag, sub.c.role, year)
        .order_by(sub.c.tag, sub.c.role, year)
    )
    rows = [{str(k): v for k, v in row.items()} for row in conn.execute(query).mappings()]
    sources = _sources_per_year(conn, sub)
    for row in rows:
        row["sources"] = sources.get((row["tag"], row["role"], row["year"]), "")
        row["year"] = _year(row["year"])
    return rows


def _sources_per_year(conn: sa.Connection, sub: sa.Subquery) -> dict[tuple[Any, ...], str]:
    """'gtd 3, ucdp-ged 5' per (tag, role, year): the incidents each source reports."""
    units = counting.incident_units()
    inc = schema.incidents
    year = sa.func.substr(sa.cast(sub.c.date_start, sa.String), 1, 4)
    query = (
        sa.select(sub.c.tag, sub.c.role, year, inc.c.source, sa.func.count(sa.distinct(sub.c.unit)))
        .join(units, units.c.unit == sub.c.unit)
        .join(inc, inc.c.uid == units.c.uid)
        .group_by(sub.c.tag, sub.c.role, year, inc.c.source)
        .order_by(inc.c.source)
    )
    found: dict[tuple[Any, ...], list[str]] = {}
    for tag, role, y, source, n in conn.execute(query):
        found.setdefault((tag, role, y), []).append(f"{source} {n}")
    return {key: ", ".join(parts) for key, parts in found.items()}


def _year(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None
