"""``gawahi eval links GOLD``: precision and recall of the clusters against hand labels.

The gold file is a CSV with ``uid_a``, ``uid_b`` and ``label`` (match | non-match), and
optionally ``hard_case`` (see tests/data/linkage/README.md). A pair counts as linked when
both records are in one cluster, which is what every count in gawahi uses, so a pair
joined only through a third record counts as linked too. Pairs naming a record that is
not in the store (GTD is not redistributable) are listed and left out.

Pairs marked ``multi-blast-split`` or ``multi-strike-split`` join one source's record
that lumps several attacks to another's record of one of them; a cluster is one
incident, so such a pair is linked only when the lumping source marks the parts itself.
They are scored with the rest and also reported apart.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gawahi import scores
from gawahi.errors import FormatError, InputError
from gawahi.linkage.store import memberships

LABELS = {"match": True, "non-match": False}
SPLIT_CASES = ("multi-blast-split", "multi-strike-split")


@dataclass(frozen=True, slots=True)
class GoldPair:
    uid_a: str
    uid_b: str
    match: bool
    hard_case: str
    line: int


@dataclass
class Score:
    true_positive: int = 0
    false_positive: list[GoldPair] = field(default_factory=list)
    false_negative: list[GoldPair] = field(default_factory=list)
    true_negative: int = 0

    def add(self, pair: GoldPair, linked: bool) -> None:
        if linked and pair.match:
            self.true_positive += 1
        elif linked:
            self.false_positive.append(pair)
        elif pair.match:
            self.false_negative.append(pair)
        else:
            self.true_negative += 1

    @property
    def precision(self) -> float | None:
        return scores.precision(self.true_positive, len(self.false_positive))

    @property
    def recall(self) -> float | None:
        return scores.recall(self.true_positive, len(self.false_negative))

    def as_dict(self) -> dict[str, Any]:
        return {
            "pairs": self.true_positive
            + len(self.false_positive)
            + len(self.false_negative)
            + self.true_negative,
            "true_positives": self.true_positive,
            "false_positives": len(self.false_positive),
            "false_negatives": len(self.false_negative),
            "precision": self.precision,
            "recall": self.recall,
        }


@dataclass
class LinkEvaluation:
    overall: Score
    by_sources: dict[str, Score]
    without_splits: Score
    missing: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.as_dict(),
            "without_split_attacks": self.without_splits.as_dict(),
            "by_sources": {k: v.as_dict() for k, v in sorted(self.by_sources.items())},
            "false_positives": [_pair(p) for p in self.overall.false_positive],
            "false_negatives": [_pair(p) for p in self.overall.false_negative],
            "missing_from_store": self.missing,
        }


def _pair(pair: GoldPair) -> dict[str, Any]:
    return {
        "line": pair.line,
        "uid_a": pair.uid_a,
        "uid_b": pair.uid_b,
        "hard_case": pair.hard_case,
    }


def read_gold(path: Path) -> list[GoldPair]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(_pairs(path, csv.DictReader(handle)))
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from None


def _pairs(path: Path, reader: csv.DictReader) -> Any:
    missing = {"uid_a", "uid_b", "label"} - set(reader.fieldnames or ())
    if missing:
        raise FormatError(path, f"missing column(s): {', '.join(sorted(missing))}", 1)
    for line, row in enumerate(reader, start=2):
        label = (row["label"] or "").strip()
        if label not in LABELS:
            raise FormatError(path, f"field 'label': {label!r} must be match or non-match", line)
        yield GoldPair(
            row["uid_a"].strip(),
            row["uid_b"].strip(),
            LABELS[label],
            (row.get("hard_case") or "").strip(),
            line,
        )


def evaluate_links(conn: sa.Connection, path: Path) -> LinkEvaluation:
    cluster_of = memberships(conn)
    result = LinkEvaluation(Score(), {}, Score(), [])
    for pair in read_gold(path):
        absent = [u for u in (pair.uid_a, pair.uid_b) if u not in cluster_of]
        if absent:
            result.missing.extend(absent)
            continue
        linked = cluster_of[pair.uid_a] == cluster_of[pair.uid_b]
        result.overall.add(pair, linked)
        key = " / ".join(sorted(u.split(":", 1)[0] for u in (pair.uid_a, pair.uid_b)))
        result.by_sources.setdefault(key, Score()).add(pair, linked)
        if pair.hard_case not in SPLIT_CASES:
            result.without_splits.add(pair, linked)
    result.missing = sorted(set(result.missing))
    return result
