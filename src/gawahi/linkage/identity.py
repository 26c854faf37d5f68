"""Stable cluster ids: a cluster keeps its id from one run to the next.

Each new cluster takes the id of the old cluster it shares most records with, largest
overlaps first, each old id going to at most one new cluster (on a tie, the older id,
then the smaller). A cluster that shares nothing with an old one gets a new id. An old
id that no cluster takes is retired, and remembers the cluster that took most of its
records, so that an id cited in a report can always be followed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IdAssignment:
    ids: list[int]  # per new cluster
    new: set[int]  # ids minted in this run
    retired: dict[int, int]  # old id -> the id of the cluster that took most of it


def assign_ids(
    clusters: Sequence[Sequence[str]], previous: dict[str, int], next_id: int
) -> IdAssignment:
    overlaps: list[tuple[int, int, int]] = []  # (-overlap, old id, cluster index)
    for index, members in enumerate(clusters):
        counts = Counter(previous[uid] for uid in members if uid in previous)
        overlaps.extend((-n, old, index) for old, n in counts.items())
    overlaps.sort()
    ids: list[int | None] = [None] * len(clusters)
    taken: set[int] = set()
    for _, old, index in overlaps:
        if ids[index] is None and old not in taken:
            ids[index] = old
            taken.add(old)
    new: set[int] = set()
    for index, value in enumerate(ids):
        if value is None:
            ids[index] = next_id
            new.add(next_id)
            next_id += 1
    final = [int(i) for i in ids if i is not None]
    return IdAssignment(final, new, _retired(clusters, previous, final, taken))


def _retired(
    clusters: Sequence[Sequence[str]], previous: dict[str, int], ids: list[int], taken: set[int]
) -> dict[int, int]:
    heirs: dict[int, Counter[int]] = {}
    for members, cluster_id in zip(clusters, ids, strict=True):
        for uid in members:
            old = previous.get(uid)
            if old is not None and old not in taken:
                heirs.setdefault(old, Counter())[cluster_id] += 1
    return {old: counter.most_common(1)[0][0] for old, counter in heirs.items()}
