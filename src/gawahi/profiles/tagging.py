"""Tagging the incidents in the store: ``gawahi tag`` and every import.

Idempotent and incremental: each incident's ``tag_state`` row holds a hash of what its
tags depend on (the record's content hash, the units it was placed in, the packs'
digest, the tagger's version and the decisions about it). A run recomputes only the
incidents whose hash changed, replaces their tags, and leaves the rest alone, so a
second run, or a run after importing one more file, is quick; a changed pack re-tags
everything, which takes seconds for the real data (docs/benchmarks.md).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa

from gawahi.geo.units import UnitIndex
from gawahi.profiles.decisions import Decision, apply_decisions, load_decisions
from gawahi.profiles.fields import IncidentInput, readers, record_view
from gawahi.profiles.pack import load_packs
from gawahi.profiles.parallel import Pending, TagPool, default_workers
from gawahi.profiles.tagger import TAGGER_VERSION, Tag, Tagger, TagResult
from gawahi.profiles.vocabulary import ProfilePacks
from gawahi.store import schema
from gawahi.store.writer import BulkInsert

BATCH = 5000
TAG_COLUMNS = (
    "incident_uid",
    "position",
    "tag",
    "role",
    "method",
    "rule",
    "field",
    "matched",
    "confidence",
)
Progress = Callable[[int, int], None]


@dataclass
class TagReport:
    examined: int = 0
    changed: int = 0
    tags: Counter[tuple[str, str]] = field(default_factory=Counter)  # (tag, role) -> incidents
    packs_digest: str = ""

    def as_dict(self) -> dict[str, Any]:
        counts = [
            {"tag": tag, "role": role, "incidents": n}
            for (tag, role), n in sorted(self.tags.items())
        ]
        return {
            "examined": self.examined,
            "retagged": self.changed,
            "packs": self.packs_digest,
            "tags": counts,
        }


def tag_incidents(
    conn: sa.Connection,
    *,
    dataset_id: int | None = None,
    force: bool = False,
    packs: ProfilePacks | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> TagReport:
    """Tag the store's incidents (or one dataset's) inside the caller's transaction.

    Large runs tag pages in worker processes (``workers``; default: one per core when
    there are at least PARALLEL_MIN incidents) while this process reads and writes.
    """
    packs = packs or load_packs()
    run = TaggingRun.load(conn, packs)
    report = TagReport(packs_digest=packs.digest)
    total = _count(conn, dataset_id)
    with TagPool(packs, workers if workers is not None else default_workers(total)) as pool:
        for pending in pool.run(run.prepare(page, force) for page in _batches(conn, dataset_id)):
            report.changed += run.finish(pending)
            report.examined += pending.examined
            if progress:
                progress(report.examined, total)
    report.tags.update(tag_counts(conn, dataset_id))
    return report


class TaggingRun:
    """One tagging run: the tagger, the units index and the writers."""

    def __init__(
        self,
        conn: sa.Connection,
        tagger: Tagger,
        units: UnitIndex,
        decisions: dict[str, list[Decision]],
        digest: str,
    ) -> None:
        self.conn, self.tagger, self.units, self.decisions = conn, tagger, units, decisions
        self.state = f"{TAGGER_VERSION}:{digest}"
        self._units_cache: dict[tuple[str | None, ...], frozenset[str]] = {}
        self.insert_tags = BulkInsert(conn, schema.tags, TAG_COLUMNS)
        self.insert_state = BulkInsert(conn, schema.tag_state, ("input_hash", "incident_uid"))
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self.update_state = f"UPDATE tag_state SET input_hash = {mark} WHERE incident_uid = {mark}"
        self.delete_tags = f"DELETE FROM tags WHERE incident_uid = {mark}"

    @classmethod
    def load(cls, conn: sa.Connection, packs: ProfilePacks, uid: str | None = None) -> TaggingRun:
        """A run over the store (or, for ``gawahi why``, one incident's decisions only)."""
        decisions = load_decisions(conn, uid)
        return cls(conn, Tagger(packs), UnitIndex.load(conn), decisions, packs.digest)

    def prepare(self, rows: Sequence[sa.Row[Any]], force: bool) -> Pending:
        """The page's incidents whose inputs changed, ready for a tagger (here or a worker)."""
        pending = Pending(len(rows))
        todo = []
        for row in rows:
            input_hash = self.input_hash(row)
            if force or row.input_hash != input_hash:
                todo.append(row)
                (pending.old_state if row.input_hash else pending.new_state).append(
                    (input_hash, row.uid)
                )
        extras = generic_inputs(self.conn, [r.uid for r in todo if r.source not in readers()])
        pending.work = [
            (extras.get(row.uid) or _lazy_input(row), self.units_of(row)) for row in todo
        ]
        return pending

    def finish(self, pending: Pending) -> int:
        """Apply decisions to the tagger's answers and write them."""
        tag_rows: list[tuple[Any, ...]] = []
        for (incident, _), tags in zip(pending.work, pending.results, strict=True):
            decided = self.decisions.get(incident.uid, [])
            kept = apply_decisions(tags, decided, self.tagger, incident.country)
            tag_rows += [(incident.uid, i, *_values(t)) for i, t in enumerate(kept)]
        self._write(tag_rows, pending.new_state, pending.old_state)
        return len(pending.work)

    def result_of(self, row: sa.Row[Any], extra: IncidentInput | None = None) -> TagResult:
        """The tagger's answer for one stored incident, before decisions."""
        if extra is None and row.source not in readers():
            extra = generic_inputs(self.conn, [row.uid]).get(row.uid)
        return self.tagger.tag(record_view(extra or incident_input(row)), self.units_of(row))

    def units_of(self, row: sa.Row[Any]) -> frozenset[str]:
        key = (row.admin1_id, row.admin2_id, row.unit_id)
        if key not in self._units_cache:
            units = {u for u in key if u}
            if row.unit_id and row.unit_id in self.units.units:
                units |= self.units.ancestors(row.unit_id)
            self._units_cache[key] = frozenset(units)
        return self._units_cache[key]

    def input_hash(self, row: sa.Row[Any]) -> str:
        decided = [d.key() for d in self.decisions.get(row.uid, [])]
        text = repr((row.content_hash, row.admin1_id, row.admin2_id, row.unit_id, decided))
        digest = hashlib.blake2b(f"{self.state}|{text}".encode(), digest_size=16)
        return digest.hexdigest()

    def _write(self, tag_rows: list[Any], new_state: list[Any], old_state: list[Any]) -> None:
        if old_state:
            self.conn.exec_driver_sql(self.delete_tags, [(uid,) for _, uid in old_state])
            self.conn.exec_driver_sql(self.update_state, old_state)  # type: ignore[arg-type]
        self.insert_state.run(new_state)
        self.insert_tags.run(tag_rows)


def _values(tag: Tag) -> tuple[Any, ...]:
    return (tag.tag, tag.role, tag.method, tag.rule, tag.field, tag.matched, tag.confidence)


def _lazy_input(row: sa.Row[Any]) -> IncidentInput:
    """The raw row stays JSON text until the tagger (perhaps in a worker) reads it."""
    return IncidentInput(
        row.uid,
        row.source,
        row.raw,
        row.description,
        row.location_text,
        row.place,
        country=row.country_iso3,
    )


def incident_input(row: sa.Row[Any]) -> IncidentInput:
    return IncidentInput(
        row.uid,
        row.source,
        orjson.loads(row.raw),
        row.description,
        row.location_text,
        row.place,
        country=row.country_iso3,
    )


def generic_inputs(conn: sa.Connection, uids: list[str]) -> dict[str, IncidentInput]:
    """Mapped sources are read through their normalised fields, actors and headlines."""
    if not uids:
        return {}
    inc, ia, actors, cit = (
        schema.incidents,
        schema.incident_actors,
        schema.actors,
        schema.citations,
    )
    found = {
        r.uid: IncidentInput(
            r.uid, r.source, {}, r.description, r.location_text, r.place, country=r.country_iso3
        )
        for r in conn.execute(sa.select(inc).where(inc.c.uid.in_(uids)))
    }
    query = (
        sa.select(ia.c.incident_uid, actors.c.name, ia.c.role)
        .join(actors, actors.c.id == ia.c.actor_id)
        .where(ia.c.incident_uid.in_(uids))
        .order_by(ia.c.incident_uid, ia.c.position)
    )
    for uid, name, role in conn.execute(query):
        found[uid].actors.append((name, role))
    query = sa.select(cit.c.incident_uid, cit.c.headline).where(cit.c.incident_uid.in_(uids))
    for uid, headline in conn.execute(query.order_by(cit.c.incident_uid, cit.c.position)):
        if headline:
            found[uid].headlines.append(headline)
    return found


def page_query(dataset_id: int | None = None) -> sa.Select[Any]:
    """Incidents with their places and tag state, in key order."""
    inc, places, state = schema.incidents, schema.incident_places, schema.tag_state
    query = (
        sa.select(
            inc.c.uid,
            inc.c.source,
            inc.c.raw,
            inc.c.description,
            inc.c.location_text,
            inc.c.place,
            inc.c.country_iso3,
            inc.c.content_hash,
            places.c.admin1_id,
            places.c.admin2_id,
            places.c.unit_id,
            state.c.input_hash,
        )
        .outerjoin(places, places.c.uid == inc.c.uid)
        .outerjoin(state, state.c.incident_uid == inc.c.uid)
        .order_by(inc.c.uid)
    )
    if dataset_id is not None:
        query = query.where(inc.c.dataset_id == dataset_id)
    return query


def _batches(conn: sa.Connection, dataset_id: int | None) -> Iterator[list[sa.Row[Any]]]:
    # One page at a time by key, read whole before it is written (as geo resolve does).
    query, last = page_query(dataset_id).limit(BATCH), ""
    while True:
        rows = conn.execute(query.where(schema.incidents.c.uid > last)).all()
        if not rows:
            return
        last = rows[-1].uid
        yield rows


def _count(conn: sa.Connection, dataset_id: int | None) -> int:
    query = sa.select(sa.func.count()).select_from(schema.incidents)
    if dataset_id is not None:
        query = query.where(schema.incidents.c.dataset_id == dataset_id)
    return int(conn.scalar(query) or 0)


def tag_counts(conn: sa.Connection, dataset_id: int | None = None) -> Counter[tuple[str, str]]:
    """Incidents per (tag, role)."""
    tags, inc = schema.tags, schema.incidents
    query = sa.select(
        tags.c.tag, tags.c.role, sa.func.count(sa.distinct(tags.c.incident_uid))
    ).group_by(tags.c.tag, tags.c.role)
    if dataset_id is not None:
        query = query.join(inc, inc.c.uid == tags.c.incident_uid).where(
            inc.c.dataset_id == dataset_id
        )
    return Counter({(tag, role): n for tag, role, n in conn.execute(query)})
