"""People's decisions about links: confirm a pair, reject a pair, split a cluster.

A decision names who, when and why, and is never edited. Every later ``gawahi link``
applies them: a confirmed pair is joined whatever its score (a person has looked), a
rejected pair never ends in one cluster, even through other records, and a split keeps
the part split off apart from the rest of the cluster as it was. For the same pair the
latest decision wins, and all stay on record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
import sqlalchemy as sa

from gawahi.errors import ConfigError, NotFound
from gawahi.store import schema

ACTIONS = ("confirm", "reject", "split")


@dataclass(frozen=True, slots=True)
class PairVerdicts:
    """The latest decision per unordered pair: True = same incident, False = not."""

    verdicts: dict[tuple[str, str], tuple[bool, int]]  # pair -> (same?, decision id)

    def confirmed(self) -> list[tuple[str, str]]:
        return [pair for pair, (same, _) in self.verdicts.items() if same]

    def rejected(self) -> list[tuple[str, str]]:
        return [pair for pair, (same, _) in self.verdicts.items() if not same]

    def decision_of(self, a: str, b: str) -> int | None:
        found = self.verdicts.get(_pair(a, b))
        return found[1] if found else None


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def load_verdicts(conn: sa.Connection) -> PairVerdicts:
    table = schema.link_decisions
    verdicts: dict[tuple[str, str], tuple[bool, int]] = {}
    for row in conn.execute(sa.select(table).order_by(table.c.id)):
        for a, b, same in _pairs_of(row.action, orjson.loads(row.uids), orjson.loads(row.others)):
            verdicts[_pair(a, b)] = (same, row.id)
    return PairVerdicts(verdicts)


def _pairs_of(action: str, uids: list[str], others: list[str]) -> Iterable[tuple[str, str, bool]]:
    if action == "split":
        return ((a, b, False) for a in uids for b in others)
    return [(uids[0], uids[1], action == "confirm")]


def decide_pair(
    conn: sa.Connection,
    action: str,
    a: str,
    b: str,
    *,
    reason: str,
    by: str,
    now: datetime | None = None,
) -> int:
    """Record that two records are (confirm) or are not (reject) the same incident."""
    if action not in ("confirm", "reject"):
        raise ConfigError(f"action must be confirm or reject, not {action!r}")
    if a == b:
        raise ConfigError(f"a record is always its own incident: {a} given twice")
    _require_incidents(conn, [a, b])
    return _insert(conn, action, [a, b], [], None, reason, by, now)


def split_cluster(
    conn: sa.Connection,
    cluster_id: int,
    part: list[str],
    *,
    reason: str,
    by: str,
    now: datetime | None = None,
) -> int:
    """Keep ``part`` apart from the rest of the cluster as it is now."""
    members = set(
        conn.scalars(
            sa.select(schema.cluster_members.c.uid).where(
                schema.cluster_members.c.cluster_id == cluster_id
            )
        )
    )
    if not members:
        raise NotFound(f"no cluster {cluster_id} (see 'gawahi clusters')")
    outside = sorted(set(part) - members)
    if outside:
        raise ConfigError(f"not in cluster {cluster_id}: {', '.join(outside)}")
    rest = sorted(members - set(part))
    if not part or not rest:
        raise ConfigError("a split needs at least one record on each side")
    return _insert(conn, "split", sorted(part), rest, cluster_id, reason, by, now)


def _insert(
    conn: sa.Connection,
    action: str,
    uids: list[str],
    others: list[str],
    cluster_id: int | None,
    reason: str,
    by: str,
    now: datetime | None,
) -> int:
    if not reason.strip():
        raise ConfigError("a decision needs a reason (--reason)")
    values = {
        "action": action,
        "uids": orjson.dumps(uids).decode(),
        "others": orjson.dumps(others).decode(),
        "cluster_id": cluster_id,
        "reason": reason.strip(),
        "decided_by": by,
        "decided_at": now or datetime.now(UTC),
    }
    result = conn.execute(sa.insert(schema.link_decisions).values(values))
    return int(result.inserted_primary_key[0])


def _require_incidents(conn: sa.Connection, uids: list[str]) -> None:
    inc = schema.incidents
    found = set(conn.scalars(sa.select(inc.c.uid).where(inc.c.uid.in_(uids))))
    missing = [u for u in uids if u not in found]
    if missing:
        raise NotFound(f"no incident {missing[0]!r}")
