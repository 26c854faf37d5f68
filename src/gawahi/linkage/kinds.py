"""Event kinds: one vocabulary for how each source types its events (data in kinds.yaml)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from gawahi.errors import ConfigError
from gawahi.textyaml import TextLoader

FIELDS = ("event_type", "violence_type", "actor")
SAME, COMPATIBLE, DIFFERENT = 2, 1, 0


@dataclass(frozen=True, slots=True)
class KindRule:
    source: str
    field: str
    pattern: re.Pattern[str]
    kind: str

    def matches(self, source: str, values: dict[str, Iterable[str]]) -> bool:
        if self.source not in ("*", source):
            return False
        return any(self.pattern.search(value) for value in values.get(self.field, ()))


@dataclass(frozen=True, slots=True)
class EventKinds:
    rules: tuple[KindRule, ...]
    compatible: frozenset[tuple[str, str]]

    def kind_of(self, source: str, values: dict[str, Iterable[str]]) -> str | None:
        """The kind from the first rule that matches; None when none does."""
        return next((r.kind for r in self.rules if r.matches(source, values)), None)

    def agreement(self, a: str, b: str) -> int:
        if a == b:
            return SAME
        return COMPATIBLE if (a, b) in self.compatible else DIFFERENT


@cache
def event_kinds() -> EventKinds:
    """The packaged kinds, checked: every rule names a known field and kind."""
    name = "kinds.yaml"
    text = resources.files("gawahi.linkage").joinpath(name).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=TextLoader)
    kinds = data.get("kinds") or {}
    pairs: set[tuple[str, str]] = set()
    for kind, entry in kinds.items():
        for other in (entry or {}).get("compatible", []):
            if other not in kinds:
                raise ConfigError(f"{name}: kind {kind!r} lists unknown kind {other!r}")
            pairs |= {(kind, other), (other, kind)}
    rules = tuple(_rule(name, i, r, kinds) for i, r in enumerate(data["rules"]))
    return EventKinds(rules, frozenset(pairs))


def _rule(name: str, index: int, entry: dict[str, str], kinds: dict[str, object]) -> KindRule:
    where = f"{name}: rule {index + 1}"
    if entry.get("field") not in FIELDS:
        raise ConfigError(f"{where}: field must be one of {', '.join(FIELDS)}")
    if entry.get("kind") not in kinds:
        raise ConfigError(f"{where}: unknown kind {entry.get('kind')!r}")
    try:
        pattern = re.compile(entry["pattern"], re.IGNORECASE)
    except (KeyError, re.error) as exc:
        raise ConfigError(f"{where}: bad pattern: {exc}") from None
    return KindRule(entry.get("source", "*"), entry["field"], pattern, entry["kind"])
