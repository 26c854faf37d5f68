"""``gawahi link``: score, cluster and store, keeping ids and people's decisions.

A run reads every incident, scores the candidate pairs (scoring.py), joins pairs at or
above ``link_threshold`` into clusters under the constraints of clustering.py, gives
the clusters their stable ids (identity.py), reconciles their figures (ledger.py) and
stores links, clusters and memberships in one transaction: a failed run leaves the
store as it was. Pairs between ``review_threshold`` and ``link_threshold``, and pairs
above it kept apart by a constraint, are stored for ``gawahi review``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import orjson
import sqlalchemy as sa

from gawahi.errors import ConfigError
from gawahi.linkage import clustering, store
from gawahi.linkage.comparisons import level_labels
from gawahi.linkage.decisions import PairVerdicts, load_verdicts
from gawahi.linkage.identity import assign_ids
from gawahi.linkage.records import LinkRecords, load_records
from gawahi.linkage.scoring import ScoredPairs, score_pairs

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class LinkSettings:
    link_threshold: float = 0.5  # probability at which a pair is linked
    review_threshold: float = 0.2  # below the link threshold, down to here: for review
    # Every two records of different sources in a cluster need at least this probability
    # as a pair (clustering.py), so that chains cannot join what no pair supports.
    floor: float = 0.05
    duplicates: frozenset[str] = frozenset()  # sources that may repeat within a cluster

    def check(self) -> None:
        if not 0 < self.review_threshold <= self.link_threshold < 1:
            raise ConfigError("thresholds must satisfy 0 < review <= link < 1")
        if not 0 <= self.floor <= self.link_threshold:
            raise ConfigError("the floor must lie between 0 and the link threshold")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"duplicates": sorted(self.duplicates)}


@dataclass
class LinkReport:
    run_id: int
    records: int
    undated: int
    candidates: int
    decoys: int
    linked_pairs: int
    review_pairs: int
    conflicts: int
    clusters: int
    multi_source_clusters: int
    new_ids: int
    retired_ids: int
    model: dict[str, Any] = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def link_incidents(
    conn: sa.Connection,
    settings: LinkSettings | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> LinkReport:
    """Link every incident of the store; see the module docstring."""
    settings = settings or LinkSettings()
    settings.check()
    started = now or datetime.now(UTC)
    _step(progress, 0)
    records = load_records(conn)
    _step(progress, 1)
    scored = score_pairs(records, settings.duplicates)
    _step(progress, 2)
    verdicts = load_verdicts(conn)
    result = _cluster(records, scored, verdicts, settings)
    _step(progress, 3)
    run_id = store.start_run(conn, started, settings.as_dict(), scored, records)
    previous = store.memberships(conn)
    members = [[records.uids[i] for i in part] for part in result.components()]
    members += [[uid] for uid in records.undated]
    ids = assign_ids(members, previous, store.next_cluster_id(conn))
    links = _link_rows(records, scored, result, verdicts, settings)
    store.write_links(conn, run_id, links)
    store.write_clusters(conn, run_id, members, ids, result.via)
    review = sum(1 for row in links if row["status"] == "review")
    report = _report(run_id, records, scored, result, members, ids, review)
    store.finish_run(conn, run_id, datetime.now(UTC) if now is None else now, report)
    _step(progress, 4)
    return report


STEPS = 4


def _step(progress: Progress | None, done: int) -> None:
    if progress:
        progress(done, STEPS)


@dataclass
class _Result:
    clustering: clustering.Clustering
    edges: list[int]  # pair indexes in the order they were offered
    via: dict[str, str]  # uid -> why it is in its cluster

    def components(self) -> list[np.ndarray]:
        return self.clustering.components()


def _cluster(
    records: LinkRecords, scored: ScoredPairs, verdicts: PairVerdicts, settings: LinkSettings
) -> _Result:
    index = {uid: i for i, uid in enumerate(records.uids)}
    confirmed = [(index[a], index[b]) for a, b in verdicts.confirmed() if a in index and b in index]
    cannot: dict[int, set[int]] = {}
    for a, b in verdicts.rejected():
        if a in index and b in index:
            cannot.setdefault(index[a], set()).add(index[b])
            cannot.setdefault(index[b], set()).add(index[a])
    rejected = {(min(i, j), max(i, j)) for i in cannot for j in cannot[i]}
    order = np.argsort(-scored.probability, kind="stable")
    strong = order[scored.probability[order] >= settings.link_threshold]
    edges = [int(k) for k in strong if (int(scored.a[k]), int(scored.b[k])) not in rejected]
    offered = [(a, b, True) for a, b in confirmed]
    offered += [(int(scored.a[k]), int(scored.b[k]), False) for k in edges]
    scores = clustering.PairScores.of(scored.a, scored.b, scored.probability, len(records))
    result = clustering.cluster(
        records.sources,
        records.part,
        offered,
        cannot,
        scores,
        settings.floor,
        settings.duplicates,
    )
    via = _via(records, scored, confirmed, edges, result, verdicts)
    return _Result(result, edges, via)


def _via(
    records: LinkRecords,
    scored: ScoredPairs,
    confirmed: list[tuple[int, int]],
    edges: list[int],
    result: clustering.Clustering,
    verdicts: PairVerdicts,
) -> dict[str, str]:
    """For each record that joined a cluster, the first pair that brought it in."""
    via: dict[str, str] = {}
    outcomes = iter(result.outcome)
    for a, b in confirmed:
        if next(outcomes) == clustering.LINKED:
            decision = verdicts.decision_of(records.uids[a], records.uids[b])
            _note(via, records, a, b, f"confirmed (decision {decision})")
    for k in edges:
        if next(outcomes) == clustering.LINKED:
            a, b = int(scored.a[k]), int(scored.b[k])
            _note(via, records, a, b, f"auto p={scored.probability[k]:.3f}")
    return via


def _note(via: dict[str, str], records: LinkRecords, a: int, b: int, how: str) -> None:
    ua, ub = records.uids[a], records.uids[b]
    via.setdefault(ua, f"{how} with {ub}")
    via.setdefault(ub, f"{how} with {ua}")


def _link_rows(
    records: LinkRecords,
    scored: ScoredPairs,
    result: _Result,
    verdicts: PairVerdicts,
    settings: LinkSettings,
) -> list[dict[str, Any]]:
    status = _edge_status(scored, result)
    rows = []
    for k in np.flatnonzero(scored.probability >= settings.review_threshold).tolist():
        a, b = records.uids[scored.a[k]], records.uids[scored.b[k]]
        rows.append(_row(a, b, scored, k, status.get(k, "review"), verdicts))
    return rows


def _edge_status(scored: ScoredPairs, result: _Result) -> dict[int, str]:
    outcomes = result.clustering.outcome[-len(result.edges) :] if result.edges else []
    status = {}
    for k, outcome in zip(result.edges, outcomes, strict=True):
        status[k] = "linked" if outcome == clustering.LINKED else "conflict"
    return status


def _row(
    a: str, b: str, scored: ScoredPairs, k: int, status: str, verdicts: PairVerdicts
) -> dict[str, Any]:
    decided = verdicts.verdicts.get((a, b) if a <= b else (b, a))
    if decided is not None:
        status = "confirmed" if decided[0] else "rejected"
    return {
        "uid_a": a,
        "uid_b": b,
        "probability": float(scored.probability[k]),
        "weight": float(scored.weight[k]),
        "levels": orjson.dumps(level_labels(scored.levels[k])).decode(),
        "status": status,
    }


def _report(
    run_id: int,
    records: LinkRecords,
    scored: ScoredPairs,
    result: _Result,
    members: list[list[str]],
    ids: Any,
    review: int,
) -> LinkReport:
    outcomes = result.clustering.outcome
    source_of = dict(zip(records.uids, records.sources, strict=True))
    sources = [len({source_of.get(uid) for uid in m}) for m in members]
    return LinkReport(
        run_id=run_id,
        records=len(records),
        undated=len(records.undated),
        candidates=len(scored),
        decoys=scored.decoys,
        linked_pairs=outcomes.count(clustering.LINKED),
        review_pairs=review,
        conflicts=len(outcomes) - outcomes.count(clustering.LINKED),
        clusters=len(members),
        multi_source_clusters=sum(1 for n in sources if n > 1),
        new_ids=len(ids.new),
        retired_ids=len(ids.retired),
        model=scored.model.as_dict(),
    )
