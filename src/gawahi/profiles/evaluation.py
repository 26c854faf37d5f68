"""``gawahi eval tags GOLD``: precision and recall of the tagger against hand labels.

The gold file is a CSV with at least ``uid``, ``victims`` and ``perpetrators`` (tag ids
separated by spaces; see tests/data/profiles/README.md for how ours was labelled). Each
role is scored on the tags that occur in its gold column: a tag nobody labelled cannot
be scored, so it is left out rather than counted as right. Records of the gold file that
are not in the store (GTD is not redistributable, so it may be absent) are listed and
left out.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gawahi import scores
from gawahi.errors import FormatError, InputError
from gawahi.profiles.vocabulary import ProfilePacks
from gawahi.store import schema

GOLD_ROLES = {"victims": "victim", "perpetrators": "perpetrator"}


@dataclass(frozen=True, slots=True)
class GoldRecord:
    uid: str
    line: int
    labels: frozenset[tuple[str, str]]  # (tag, role)


@dataclass
class TagScore:
    tag: str
    role: str
    true_positive: int = 0
    false_positive: list[str] = field(default_factory=list)
    false_negative: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return scores.precision(self.true_positive, len(self.false_positive))

    @property
    def recall(self) -> float | None:
        return scores.recall(self.true_positive, len(self.false_negative))

    def as_dict(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "role": self.role,
            "true_positives": self.true_positive,
            "false_positives": len(self.false_positive),
            "false_negatives": len(self.false_negative),
            "precision": self.precision,
            "recall": self.recall,
            "false_positive_uids": self.false_positive,
            "false_negative_uids": self.false_negative,
        }


@dataclass
class TagEvaluation:
    gold: Path
    min_confidence: float
    evaluated: int = 0
    missing: list[str] = field(default_factory=list)
    scores: list[TagScore] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "gold": str(self.gold),
            "min_confidence": self.min_confidence,
            "evaluated": self.evaluated,
            "missing": self.missing,
            "scores": [s.as_dict() for s in self.scores],
        }


def read_gold(path: Path, packs: ProfilePacks) -> list[GoldRecord]:
    """The gold records; unknown tag ids and missing columns name the line and field."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = {"uid", *GOLD_ROLES} - set(reader.fieldnames or ())
            if missing:
                raise FormatError(path, f"missing column(s) {', '.join(sorted(missing))}", 1)
            return [_gold_record(path, row, reader.line_num, packs) for row in reader]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read the gold file: {exc}") from exc


def _gold_record(path: Path, row: dict[str, str], line: int, packs: ProfilePacks) -> GoldRecord:
    uid = (row.get("uid") or "").strip()
    if not uid:
        raise FormatError(path, "field 'uid': empty", line)
    labels = set()
    for column, role in GOLD_ROLES.items():
        for tag in (row.get(column) or "").split():
            if tag not in packs.tag_ids():
                raise FormatError(path, f"field '{column}': {tag!r} is not an active tag", line)
            labels.add((tag, role))
    return GoldRecord(uid, line, frozenset(labels))


def evaluate_tags(
    conn: sa.Connection, gold: list[GoldRecord], path: Path, min_confidence: float = 0.0
) -> TagEvaluation:
    """Score the stored tags of the gold records."""
    result = TagEvaluation(path, min_confidence)
    predicted = _predicted(conn, [g.uid for g in gold], min_confidence)
    present = _present(conn, [g.uid for g in gold])
    scored = {label for g in gold for label in g.labels}
    scores = {label: TagScore(*label) for label in sorted(scored, key=lambda x: (x[1], x[0]))}
    for record in gold:
        if record.uid not in present:
            result.missing.append(record.uid)
            continue
        result.evaluated += 1
        _score(record, predicted.get(record.uid, set()) & scored, scores)
    result.scores = list(scores.values())
    return result


def _score(
    record: GoldRecord, found: set[tuple[str, str]], scores: dict[tuple[str, str], TagScore]
) -> None:
    for label in found | record.labels:
        score = scores[label]
        if label in found and label in record.labels:
            score.true_positive += 1
        elif label in found:
            score.false_positive.append(record.uid)
        else:
            score.false_negative.append(record.uid)


def _predicted(
    conn: sa.Connection, uids: list[str], min_confidence: float
) -> dict[str, set[tuple[str, str]]]:
    tags = schema.tags
    found: dict[str, set[tuple[str, str]]] = {}
    for chunk in _chunks(uids):
        query = sa.select(tags.c.incident_uid, tags.c.tag, tags.c.role).where(
            tags.c.incident_uid.in_(chunk), tags.c.confidence >= min_confidence
        )
        for uid, tag, role in conn.execute(query):
            found.setdefault(uid, set()).add((tag, role))
    return found


def _present(conn: sa.Connection, uids: list[str]) -> set[str]:
    inc = schema.incidents
    present: set[str] = set()
    for chunk in _chunks(uids):
        present.update(conn.scalars(sa.select(inc.c.uid).where(inc.c.uid.in_(chunk))))
    return present


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
