"""The Fellegi-Sunter model, its m and u probabilities estimated by EM.

For a candidate pair with comparison levels (g_1 .. g_K), the model says

    P(match | g) = lambda_s * prod_k m_k(g_k) / (lambda_s * prod m + (1 - lambda_s) * prod u)

where m_k(l) is the chance that comparison k is at level l when the two records are the
same incident, u_k(l) the chance when they are not, and lambda_s the share of matches
among the candidate pairs of the source pair s (UCDP and PBC suicide attacks share far
more incidents than UCDP and GTD's many small attacks). Unknown levels are left out of
the product. The weight of a pair is log2(prod m / prod u): the evidence in bits.

EM (Dempster, Laird and Rubin 1977; Winkler 1988 for record linkage) alternates between
the posterior of each pair and m, u, lambda re-estimated from those posteriors, from a
start where agreement is likelier among matches. It assumes, as Fellegi-Sunter does,
that comparisons are independent given the match status; place and text are not quite
(both name the town), which makes weights of pairs agreeing on both somewhat too large.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gawahi.linkage.comparisons import COMPARISONS

SMOOTHING = 0.5  # pseudo-pairs per level, so no level is ever impossible
MAX_ITERATIONS = 200
TOLERANCE = 1e-6
POOLING_STRENGTH = 20.0  # matches' worth of the pooled m in each source pair's m
MIN_DECOYS = 200  # decoy pairs a source pair needs for its own u


@dataclass
class LinkModel:
    m: list[np.ndarray]  # per comparison: (source pairs x levels) among matches
    u: list[np.ndarray]  # per comparison: (source pairs x levels) among non-matches
    prior: np.ndarray  # per source pair: share of matches among its candidates
    pair_kinds: list[str]  # the source pairs, "gtd|ucdp-ged"
    iterations: int = 0

    def weights(self, levels: np.ndarray, pair_kind: np.ndarray) -> np.ndarray:
        """log2 Bayes factor per pair."""
        total = np.zeros(len(levels))
        for k in range(levels.shape[1]):
            column = levels[:, k]
            known = column >= 0
            m = self.m[k][pair_kind[known], column[known]]
            u = self.u[k][pair_kind[known], column[known]]
            total[known] += np.log2(m) - np.log2(u)
        return total

    def probabilities(self, levels: np.ndarray, pair_kind: np.ndarray) -> np.ndarray:
        prior = self.prior[pair_kind]
        logit = np.log2(prior) - np.log2(1 - prior) + self.weights(levels, pair_kind)
        return 1 / (1 + np.exp2(-np.clip(logit, -1000, 1000)))

    def as_dict(self) -> dict[str, Any]:
        return {
            "iterations": self.iterations,
            "prior": {kind: float(self.prior[i]) for i, kind in self._named()},
            "m": self._table(self.m),
            "u": self._table(self.u),
        }

    def _table(self, values: list[np.ndarray]) -> dict[str, Any]:
        return {
            kind: {
                c.name: dict(zip(c.levels, values[k][i].tolist(), strict=True))
                for k, c in enumerate(COMPARISONS)
            }
            for i, kind in self._named()
        }

    def _named(self) -> list[tuple[int, str]]:
        """Each source pair once, with the code in use: "a|b" names both orders of
        sources, and the first (low * n + high) is the one pairs carry."""
        first: dict[str, int] = {}
        for i, kind in enumerate(self.pair_kinds):
            first.setdefault(kind, i)
        return [(i, kind) for kind, i in first.items()]


def estimate_u(
    null_levels: np.ndarray, null_kind: np.ndarray, pair_kinds: list[str]
) -> list[np.ndarray]:
    """u per source pair from decoy pairs (all non-matches: see linkage/decoys.py).

    A source pair with fewer than MIN_DECOYS decoys borrows from all source pairs
    together, and that pooled u is itself shrunk towards a prior under which agreement
    is unlikely among non-matches, worth MIN_DECOYS pairs: a small store (a register and
    a few public records) has almost no decoys, and a flat u would make every candidate
    look like a match, leaving the order of uids to decide between two attacks.
    """
    u = []
    for k, comparison in enumerate(COMPARISONS):
        n = len(comparison.levels)
        column = null_levels[:, k]
        known = column[column >= 0]
        falling = np.arange(n, 0, -1, dtype=float) ** 3
        falling /= falling.sum()
        counts = np.bincount(known, minlength=n).astype(float)
        pooled = (counts + MIN_DECOYS * falling) / (counts.sum() + MIN_DECOYS)
        rows = []
        for i in range(len(pair_kinds)):
            mine = column[(null_kind == i) & (column >= 0)]
            enough = len(mine) >= MIN_DECOYS
            rows.append(_distribution(mine, np.ones(len(mine)), n) if enough else pooled)
        u.append(np.vstack(rows) if rows else np.empty((0, n)))
    return u


def estimate(
    levels: np.ndarray, pair_kind: np.ndarray, pair_kinds: list[str], u: list[np.ndarray]
) -> LinkModel:
    """EM for m and the priors on the candidates' levels, u held fixed."""
    model = _start(u, pair_kinds)
    for iteration in range(1, MAX_ITERATIONS + 1):
        posterior = model.probabilities(levels, pair_kind)
        updated = _maximise(levels, posterior, pair_kind, model)
        updated.iterations = iteration
        change = max(np.abs(a - b).max() for a, b in zip(model.m, updated.m, strict=True))
        change = max(change, float(np.abs(model.prior - updated.prior).max(initial=0)))
        model = updated
        if change < TOLERANCE:
            break
    return model


def _start(u: list[np.ndarray], pair_kinds: list[str]) -> LinkModel:
    m = []
    for comparison in COMPARISONS:
        # Matches mostly agree: the top level gets most of the weight.
        rising = np.arange(1, len(comparison.levels) + 1, dtype=float) ** 3
        m.append(np.tile(rising / rising.sum(), (len(pair_kinds), 1)))
    return LinkModel(m, u, np.full(len(pair_kinds), 0.05), pair_kinds)


def _maximise(
    levels: np.ndarray, posterior: np.ndarray, pair_kind: np.ndarray, model: LinkModel
) -> LinkModel:
    n = len(model.pair_kinds)
    m = [
        _pooled_m(levels[:, k], posterior, pair_kind, n, len(c.levels))
        for k, c in enumerate(COMPARISONS)
    ]
    totals = np.bincount(pair_kind, weights=posterior, minlength=n)
    sizes = np.bincount(pair_kind, minlength=n)
    prior = np.clip((totals + 0.5) / (sizes + 1), 1e-4, 1 - 1e-4)
    return LinkModel(m, model.u, prior, model.pair_kinds)


def _pooled_m(
    column: np.ndarray, posterior: np.ndarray, pair_kind: np.ndarray, kinds: int, n: int
) -> np.ndarray:
    """m per source pair, shrunk towards all source pairs together (partial pooling).

    What a match looks like differs by source pair (PBC's drone file has almost no text to
    share with UCDP's headlines), but a source pair with few matches cannot estimate its
    own m: it starts from the pooled m worth POOLING_STRENGTH matches and moves away from
    it as its own evidence grows.
    """
    known = column >= 0
    pooled = _distribution(column[known], posterior[known], n)
    rows = np.empty((kinds, n))
    for i in range(kinds):
        mine = known & (pair_kind == i)
        counts = np.bincount(column[mine], weights=posterior[mine], minlength=n)
        rows[i] = (counts + POOLING_STRENGTH * pooled) / (counts.sum() + POOLING_STRENGTH)
    return rows


def _distribution(column: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    counts = np.bincount(column, weights=weights, minlength=n) + SMOOTHING
    return counts / counts.sum()
