"""The vocabulary of the active profile packs: groups, cues, negatives, implications,
armed groups and attribution words, as the pack reader (``pack.py``) builds them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Term:
    """One way of writing a name: its language (``en``, ``ur``, ``fa``, ``ps`` ...) and text."""

    language: str
    text: str


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    kind: str
    label: str
    pack: str
    parent: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    terms: tuple[Term, ...] = ()
    acronyms: tuple[str, ...] = ()
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    not_victim_before: frozenset[str] = frozenset()
    not_victim_after: frozenset[str] = frozenset()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Cue:
    """Words or a place that point to a group without naming it (an imambargah: Shia)."""

    id: str
    group: str
    role: str
    kind: str
    terms: tuple[Term, ...]
    confidence: float
    civilian_target: bool
    pack: str
    within: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Negative:
    """A phrase that contains a group's name but is not the group ("Hazara Division")."""

    id: str
    group: str
    terms: tuple[Term, ...]
    pack: str
    within: tuple[str, ...] = ()
    unless_within: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Relation:
    type: str
    of: str
    since: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Perpetrator:
    id: str
    label: str
    kind: str
    pack: str
    country: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    terms: tuple[Term, ...] = ()
    acronyms: tuple[str, ...] = ()
    weak_terms: tuple[Term, ...] = ()
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    relations: tuple[Relation, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Attribution:
    """Words around a perpetrator's name that say whether the text makes it the attacker.

    ``terms`` in the same sentence make a mention an attribution ("claimed", "killed").
    But "forces kill Taliban militants" and "IS militants killed in a raid" name the
    group as the object: ``object_before`` words just before the name (after ``skip``
    words such as "the" or "suspected"), or ``object_after`` phrases just after it (after
    ``members`` words such as "militants" or "commander"), make it context instead.
    """

    terms: tuple[Term, ...] = ()
    object_before: frozenset[str] = frozenset()
    object_after: tuple[tuple[str, ...], ...] = ()
    skip: frozenset[str] = frozenset()
    members: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Implication:
    """Victims of one group are, in a country, taken to be of another too (Hazara in
    Pakistan are overwhelmingly Shia): a cue-strength tag with its own rule and note."""

    id: str
    source: str  # group id
    implies: str  # group id
    confidence: float
    pack: str
    country: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PackInfo:
    id: str
    title: str
    country: str | None
    path: Path
    sha256: str
    sources: tuple[str, ...] = ()


@dataclass
class ProfilePacks:
    """Every active pack merged: the tagger's whole vocabulary."""

    packs: list[PackInfo] = field(default_factory=list)
    groups: dict[str, Group] = field(default_factory=dict)
    cues: dict[str, Cue] = field(default_factory=dict)
    negatives: dict[str, Negative] = field(default_factory=dict)
    perpetrators: dict[str, Perpetrator] = field(default_factory=dict)
    implications: dict[str, Implication] = field(default_factory=dict)
    attribution: Attribution = field(default_factory=Attribution)

    @property
    def digest(self) -> str:
        """One hash of all active packs: tags computed under another digest are stale."""
        joined = "\n".join(f"{p.id}:{p.sha256}" for p in sorted(self.packs, key=lambda p: p.id))
        return hashlib.sha256(joined.encode()).hexdigest()[:16]

    def tag_ids(self) -> set[str]:
        return set(self.groups) | set(self.perpetrators)

    def ancestors(self, group_id: str) -> list[str]:
        """The broader groups a group belongs to (ismaili -> shia), nearest first."""
        chain, parent = [], self.groups[group_id].parent
        while parent is not None:
            chain.append(parent)
            parent = self.groups[parent].parent
        return chain

    def label(self, tag: str) -> str:
        entry = self.groups.get(tag) or self.perpetrators.get(tag)
        return entry.label if entry else tag
