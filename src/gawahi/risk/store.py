"""Storing assessments with their parameters and the hashes of the data they saw, and
listing the incidents behind one figure (``gawahi explain``)."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

import orjson
import sqlalchemy as sa

from gawahi.errors import NotFound
from gawahi.risk.figures import Figure
from gawahi.store import schema

_CHUNK = 500


def latest_link_run(conn: sa.Connection) -> int | None:
    return conn.scalar(sa.select(sa.func.max(schema.link_runs.c.id)))


def datasets_used(conn: sa.Connection, country: str, figures: list[Figure]) -> list[dict[str, Any]]:
    """Every dataset with records in ``country``, and the population files the rates used."""
    d, inc = schema.datasets, schema.incidents
    # EXISTS per dataset: a seek each, where DISTINCT over the records reads them all.
    used = sa.exists().where(inc.c.dataset_id == d.c.id, inc.c.country_iso3 == country)
    # The source name the figures' notes cite ("fixture-register"); for a mapped import it
    # is the mapping's, not the format's ("tabular"). One per dataset: a seek each.
    cited_as = sa.select(inc.c.source).where(inc.c.dataset_id == d.c.id).limit(1).scalar_subquery()
    rows = conn.execute(
        sa.select(
            d.c.id,
            d.c.format,
            d.c.name,
            d.c.version,
            d.c.publisher,
            d.c.licence,
            d.c.citation,
            d.c.file_name,
            d.c.sha256,
            d.c.url,
            cited_as.label("cited_as"),
        )
        .where(used)
        .order_by(d.c.id)
    ).mappings()
    found = [{"kind": "incidents", **{str(k): v for k, v in r.items()}} for r in rows]
    for item in figures:
        if item.indicator == "rate.per_100k" and item.value is not None:
            found.append(
                {
                    "kind": "population",
                    "source": item.detail["source"],
                    "year": item.detail["population_year"],
                    "file_name": item.detail.get("file_name"),
                    "sha256": item.detail.get("file_sha256"),
                }
            )
    return found


def save(conn: sa.Connection, assessment: Any) -> int:
    """Store an assessment; returns its id."""
    result = {
        "areas": assessment.areas,
        "perpetrators": assessment.perpetrators,
        "perpetrators_from": assessment.perpetrators_from,
        "figures": [f.as_dict() for f in assessment.figures],
        "findings": assessment.findings,
        "coverage": assessment.coverage,
    }
    row = conn.execute(
        schema.assessments.insert().values(
            created_at=datetime.now(UTC),
            gawahi_version=version("gawahi"),
            params=orjson.dumps(assessment.spec.as_dict()).decode(),
            datasets=orjson.dumps(assessment.datasets, default=str).decode(),
            link_run_id=assessment.link_run_id,
            result=orjson.dumps(result, option=orjson.OPT_SERIALIZE_NUMPY).decode(),
        )
    )
    assessment.id = int(row.inserted_primary_key[0])
    return assessment.id


def load(conn: sa.Connection, assessment_id: int) -> Any:
    """A stored assessment, as it was computed."""
    from gawahi.risk.assessment import Assessment
    from gawahi.risk.spec import AssessmentSpec

    a = schema.assessments
    row = conn.execute(sa.select(a).where(a.c.id == assessment_id)).first()
    if row is None:
        raise NotFound(f"no assessment {assessment_id}; 'gawahi assessments' lists them")
    result = orjson.loads(row.result)
    return Assessment(
        spec=AssessmentSpec.from_dict(orjson.loads(row.params)),
        areas=result["areas"],
        perpetrators=result["perpetrators"],
        perpetrators_from=result["perpetrators_from"],
        figures=[Figure.from_dict(f) for f in result["figures"]],
        findings=result["findings"],
        coverage=result.get("coverage", {}),
        datasets=orjson.loads(row.datasets),
        link_run_id=row.link_run_id,
        id=row.id,
    )


def listing(conn: sa.Connection) -> list[dict[str, Any]]:
    a = schema.assessments
    rows = conn.execute(sa.select(a.c.id, a.c.created_at, a.c.params, a.c.result).order_by(a.c.id))
    return [{"id": r.id, "created_at": str(r.created_at), **_asked(r)} for r in rows]


def _asked(row: Any) -> dict[str, Any]:
    """The parameters, with the relocation areas assessed (the default ones too)."""
    areas = orjson.loads(row.result)["areas"][1:]
    return {**orjson.loads(row.params), "areas": [a["name"] for a in areas]}


def incidents_behind(conn: sa.Connection, keys: list[str]) -> list[dict[str, Any]]:
    """Each incident of a figure: date, place, deaths and its source records, each
    with the citations its source gives (publisher, date, headline, URL)."""
    clusters = [int(k[1:]) for k in keys if k.startswith("c")]
    members = _members(conn, clusters)
    uids = [u for k in keys for u in (members.get(k, []) if k[0] == "c" else [k[1:]])]
    records = _records(conn, uids)
    heads = _cluster_heads(conn, clusters)
    found = []
    for key in keys:
        own = members.get(key, []) if key.startswith("c") else [key[1:]]
        rows = [records[u] for u in own if u in records]
        found.append({"incident": key, **heads.get(key, {}), "records": rows})
    return found


def _members(conn: sa.Connection, clusters: list[int]) -> dict[str, list[str]]:
    cm = schema.cluster_members
    members: dict[str, list[str]] = {}
    for start in range(0, len(clusters), _CHUNK):
        query = (
            sa.select(cm.c.cluster_id, cm.c.uid)
            .where(cm.c.cluster_id.in_(clusters[start : start + _CHUNK]))
            .order_by(cm.c.cluster_id, cm.c.uid)
        )
        for cluster_id, uid in conn.execute(query):
            members.setdefault(f"c{cluster_id}", []).append(uid)
    return members


def _records(conn: sa.Connection, uids: list[str]) -> dict[str, dict[str, Any]]:
    inc, cit = schema.incidents, schema.citations
    place = sa.func.coalesce(inc.c.location_text, inc.c.place, inc.c.admin2, inc.c.admin1)
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(uids), _CHUNK):
        part = uids[start : start + _CHUNK]
        query = sa.select(
            inc.c.uid, inc.c.date_start, place.label("place"), inc.c.deaths_best,
            inc.c.description,
        ).where(inc.c.uid.in_(part))  # fmt: skip
        found |= {row.uid: _record(row) for row in conn.execute(query)}
        cited = sa.select(cit).where(cit.c.incident_uid.in_(part)).order_by(cit.c.position)
        for row in conn.execute(cited).mappings():
            said = {k: row[k] for k in ("publisher", "date", "headline", "url") if row[k]}
            if said:
                found[row["incident_uid"]]["citations"].append(said)
    return found


def _record(row: Any) -> dict[str, Any]:
    return {
        "uid": row.uid,
        "date": str(row.date_start),
        "place": row.place,
        "deaths_best": row.deaths_best,
        "text": (row.description or "")[:160],
        "citations": [],
    }


def _cluster_heads(conn: sa.Connection, ids: list[int]) -> dict[str, dict[str, Any]]:
    c = schema.clusters
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), _CHUNK):
        query = sa.select(
            c.c.id,
            c.c.date_start,
            c.c.admin2_id,
            c.c.deaths_best,
            c.c.deaths_low,
            c.c.deaths_high,
            c.c.sources,
        ).where(c.c.id.in_(ids[start : start + _CHUNK]))
        for r in conn.execute(query):
            found[f"c{r.id}"] = {
                "date": str(r.date_start),
                "place": r.admin2_id,
                "deaths": [r.deaths_best, r.deaths_low, r.deaths_high],
                "sources": r.sources,
            }
    return found
