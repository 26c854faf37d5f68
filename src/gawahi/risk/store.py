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
    used = sa.select(inc.c.dataset_id).where(inc.c.country_iso3 == country).distinct()
    rows = conn.execute(
        sa.select(
            d.c.id,
            d.c.name,
            d.c.version,
            d.c.publisher,
            d.c.licence,
            d.c.citation,
            d.c.file_name,
            d.c.sha256,
        )
        .where(d.c.id.in_(used))
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
        datasets=orjson.loads(row.datasets),
        link_run_id=row.link_run_id,
        id=row.id,
    )


def listing(conn: sa.Connection) -> list[dict[str, Any]]:
    a = schema.assessments
    rows = conn.execute(sa.select(a.c.id, a.c.created_at, a.c.params).order_by(a.c.id))
    return [{"id": r.id, "created_at": str(r.created_at), **orjson.loads(r.params)} for r in rows]


def incidents_behind(conn: sa.Connection, keys: list[str]) -> list[dict[str, Any]]:
    """Each incident of a figure: date, place, deaths and its source records."""
    cm, inc = schema.cluster_members, schema.incidents
    clusters = [int(k[1:]) for k in keys if k.startswith("c")]
    records: dict[str, list[dict[str, Any]]] = {k: [] for k in keys}
    for start in range(0, len(clusters), _CHUNK):
        part = clusters[start : start + _CHUNK]
        query = (
            sa.select(
                cm.c.cluster_id,
                inc.c.uid,
                inc.c.date_start,
                inc.c.location_text,
                inc.c.deaths_best,
                inc.c.description,
            )
            .join(inc, inc.c.uid == cm.c.uid)
            .where(cm.c.cluster_id.in_(part))
            .order_by(cm.c.cluster_id, inc.c.uid)
        )
        for row in conn.execute(query):
            records[f"c{row.cluster_id}"].append(_record(row))
    heads = _cluster_heads(conn, clusters)
    for key in keys:
        if key.startswith("r"):
            row = conn.execute(
                sa.select(
                    inc.c.uid,
                    inc.c.date_start,
                    inc.c.location_text,
                    inc.c.deaths_best,
                    inc.c.description,
                ).where(inc.c.uid == key[1:])
            ).first()
            records[key] = [_record(row)] if row else []
    return [{"incident": k, **heads.get(k, {}), "records": records[k]} for k in keys]


def _record(row: Any) -> dict[str, Any]:
    text = (row.description or "")[:160]
    return {
        "uid": row.uid,
        "date": str(row.date_start),
        "place": row.location_text,
        "deaths_best": row.deaths_best,
        "text": text,
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
