"""Clusters: connected components of the linked pairs, under constraints.

Pairs are taken strongest first (people's confirmations before everything else), and a
pair joins two clusters only if

* no person has said that any record of the one is a different incident from any record
  of the other (a rejected pair, or a split), and
* the joined cluster holds at most one record per source, unless the source has
  duplicates of its own or splits one incident into several records (``duplicates``);
* every two records of different sources in the joined cluster are plausibly the same
  incident on their own: a candidate pair with a probability of at least ``floor``.
  Without this, chains join what no single pair supports: a GTD shooting linked to a
  UCDP row that is linked to a drone strike makes the shooting a drone strike.

A pair refused by the second rule is a *conflict*: a record of that source already
belongs to the cluster through a stronger pair, which is the usual way a second attack
on the same day in the same town is kept apart. Confirmed pairs pass the source rule (a
person has looked) but not a rejection.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

LINKED, CONFLICT, REFUSED, IMPLAUSIBLE = "linked", "conflict", "refused", "implausible"


@dataclass(frozen=True)
class PairScores:
    """Probabilities of the candidate pairs, looked up by record indexes."""

    keys: np.ndarray  # sorted a * n + b, a < b
    probability: np.ndarray
    n: int

    @classmethod
    def of(cls, a: np.ndarray, b: np.ndarray, probability: np.ndarray, n: int) -> PairScores:
        keys = np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b)
        order = np.argsort(keys)
        return cls(keys[order], probability[order], n)

    def get(self, a: int, b: int) -> float:
        key = min(a, b) * self.n + max(a, b)
        at = int(np.searchsorted(self.keys, key))
        found = at < len(self.keys) and self.keys[at] == key
        return float(self.probability[at]) if found else 0.0


@dataclass
class _Component:
    members: list[int]
    sources: Counter[str] = field(default_factory=Counter)
    parts: dict[str, set[int]] = field(default_factory=dict)  # source -> part codes

    def absorb(self, other: _Component) -> None:
        self.members.extend(other.members)
        self.sources.update(other.sources)
        for source, codes in other.parts.items():
            self.parts.setdefault(source, set()).update(codes)

    def clashes(self, other: _Component, duplicates: frozenset[str]) -> bool:
        """Would the union hold two records of one source that are not parts of one
        attack as the source itself marks them (``part``; -1 = unmarked)?"""
        for source in other.sources:
            if source not in self.sources or source in duplicates:
                continue
            codes = self.parts[source] | other.parts[source]
            if len(codes) > 1 or -1 in codes:
                return True
        return False


@dataclass
class Clustering:
    root: np.ndarray  # per record: index of its cluster's first member
    outcome: list[str]  # per edge given: linked | conflict | refused

    def components(self) -> list[np.ndarray]:
        order = np.argsort(self.root, kind="stable")
        bounds = np.flatnonzero(np.diff(self.root[order])) + 1
        return [part for part in np.split(order, bounds) if len(part)]


def cluster(
    sources: Sequence[str],
    parts: np.ndarray,
    edges: Iterable[tuple[int, int, bool]],
    cannot: dict[int, set[int]],
    scores: PairScores,
    floor: float,
    duplicates: frozenset[str] = frozenset(),
) -> Clustering:
    """Greedy constrained union of ``edges`` (a, b, confirmed), taken in the order given."""
    parent = list(range(len(sources)))
    comps: dict[int, _Component] = {}  # made when a record first meets an edge
    outcome = []

    def component(root: int) -> _Component:
        if root not in comps:
            source = sources[root]
            comps[root] = _Component([root], Counter([source]), {source: {int(parts[root])}})
        return comps[root]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b, confirmed in edges:
        ra, rb = find(a), find(b)
        if ra == rb:
            outcome.append(LINKED)
            continue
        ca, cb = component(ra), component(rb)
        big, small = (ra, rb) if len(ca.members) >= len(cb.members) else (rb, ra)
        verdict = _allowed(comps[big], comps[small], cannot, duplicates, confirmed)
        if verdict == LINKED and not confirmed:
            verdict = _plausible(comps[big], comps[small], sources, scores, floor)
        outcome.append(verdict)
        if verdict == LINKED:
            parent[small] = big
            comps[big].absorb(comps.pop(small))
    root = np.array([find(i) for i in range(len(sources))], dtype=np.int64)
    return Clustering(root, outcome)


def _allowed(
    big: _Component,
    small: _Component,
    cannot: dict[int, set[int]],
    duplicates: frozenset[str],
    confirmed: bool,
) -> str:
    if cannot:
        others = set(big.members)
        if any(cannot.get(m, set()) & others for m in small.members):
            return REFUSED
    if confirmed:
        return LINKED
    return CONFLICT if big.clashes(small, duplicates) else LINKED


def _plausible(
    big: _Component, small: _Component, sources: Sequence[str], scores: PairScores, floor: float
) -> str:
    for x in small.members:
        for y in big.members:
            if sources[x] != sources[y] and scores.get(x, y) < floor:
                return IMPLAUSIBLE
    return LINKED
