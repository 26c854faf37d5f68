"""People's decisions about tags: add one the rules missed, or reject one they got wrong.

A decision names the incident, the tag and the role, who decided, when and why. It is
kept in ``tag_decisions`` and applied on every later run: a rejected tag does not come
back when the packs change, and an added tag carries the reason as its evidence
(method ``manual``). Decisions are never edited; a later decision for the same tag and
role overrides an earlier one, and both stay on record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from gawahi.errors import ConfigError, NotFound
from gawahi.profiles.tagger import Tag, Tagger
from gawahi.profiles.vocabulary import ProfilePacks
from gawahi.store import schema

ROLES = ("victim", "perpetrator", "context")
ACTIONS = ("add", "reject")


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    incident_uid: str
    tag: str
    role: str
    action: str
    reason: str
    decided_by: str
    decided_at: datetime

    def key(self) -> tuple[object, ...]:
        return (self.id, self.tag, self.role, self.action)


def load_decisions(conn: sa.Connection, uid: str | None = None) -> dict[str, list[Decision]]:
    """Decisions per incident, oldest first."""
    table = schema.tag_decisions
    query = sa.select(table).order_by(table.c.id)
    if uid is not None:
        query = query.where(table.c.incident_uid == uid)
    found: dict[str, list[Decision]] = {}
    for row in conn.execute(query):
        found.setdefault(row.incident_uid, []).append(Decision(*row))
    return found


def apply_decisions(
    tags: list[Tag], decisions: Sequence[Decision], tagger: Tagger, country: str | None
) -> list[Tag]:
    """The tags once the latest decision per (tag, role) is applied.

    What follows from a decided tag follows again: adding "ismaili" adds its parent
    "shia", rejecting it drops the "shia" derived from it, and a rejected tag stays
    rejected even where another tag would imply it.
    """
    if not decisions:
        return tags
    latest = {(d.tag, d.role): d for d in decisions}
    kept = [t for t in tags if (t.tag, t.role) not in latest]
    for decision in latest.values():
        if decision.action == "add":
            rule = f"decision:{decision.id} by {decision.decided_by}"
            kept.append(
                Tag(decision.tag, decision.role, "manual", rule, "decision", decision.reason, 1.0)
            )
    rejected = {key for key, d in latest.items() if d.action == "reject"}
    return [t for t in tagger.derive(kept, country) if (t.tag, t.role) not in rejected]


def decide(
    conn: sa.Connection,
    packs: ProfilePacks,
    *,
    uid: str,
    tag: str,
    role: str,
    action: str,
    reason: str,
    by: str,
    now: datetime | None = None,
) -> int:
    """Record one decision; the caller re-tags the incident. Returns the decision id."""
    _check(conn, packs, uid, tag, role, action, reason)
    values = {
        "incident_uid": uid,
        "tag": tag,
        "role": role,
        "action": action,
        "reason": reason.strip(),
        "decided_by": by,
        "decided_at": now or datetime.now(UTC),
    }
    return int(conn.execute(sa.insert(schema.tag_decisions).values(values)).inserted_primary_key[0])


def _check(
    conn: sa.Connection,
    packs: ProfilePacks,
    uid: str,
    tag: str,
    role: str,
    action: str,
    reason: str,
) -> None:
    if conn.scalar(sa.select(schema.incidents.c.uid).where(schema.incidents.c.uid == uid)) is None:
        raise NotFound(f"no incident {uid!r}")
    if tag not in packs.tag_ids():
        raise ConfigError(f"unknown tag {tag!r}: see 'gawahi profiles' for the active tags")
    if role not in ROLES or action not in ACTIONS:
        raise ConfigError(f"role must be one of {', '.join(ROLES)}; action add or reject")
    if not reason.strip():
        raise ConfigError("a decision needs a reason (--reason)")
