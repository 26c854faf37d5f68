"""Scoring the candidate pairs: levels, the model fitted to them, and probabilities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gawahi.linkage.blocking import candidate_pairs
from gawahi.linkage.comparisons import compare
from gawahi.linkage.decoys import decoy_pairs
from gawahi.linkage.model import LinkModel, estimate, estimate_u
from gawahi.linkage.records import LinkRecords


@dataclass
class ScoredPairs:
    a: np.ndarray
    b: np.ndarray
    levels: np.ndarray
    probability: np.ndarray
    weight: np.ndarray
    model: LinkModel
    decoys: int

    def __len__(self) -> int:
        return len(self.a)


def pair_kinds(records: LinkRecords, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Each pair's source pair as a code, and the names "gtd|ucdp-ged" of the codes."""
    n = len(records.source_names)
    low = np.minimum(records.source[a], records.source[b]).astype(np.int64)
    high = np.maximum(records.source[a], records.source[b]).astype(np.int64)
    names = [
        "|".join(sorted((records.source_names[i], records.source_names[j])))
        for i in range(n)
        for j in range(n)
    ]
    return low * n + high, names


def score_pairs(records: LinkRecords, duplicates: frozenset[str] = frozenset()) -> ScoredPairs:
    a, b = candidate_pairs(records, duplicates)
    levels = compare(records, a, b)
    kind, names = pair_kinds(records, a, b)
    shifted, da, db = decoy_pairs(records)
    decoy_kind, _ = pair_kinds(shifted, da, db)
    u = estimate_u(compare(shifted, da, db), decoy_kind, names)
    model = estimate(levels, kind, names, u)
    return ScoredPairs(
        a,
        b,
        levels,
        model.probabilities(levels, kind),
        model.weights(levels, kind),
        model,
        len(da),
    )
