"""Administrative-unit packs: one YAML data file per country, shipped in ``geo/packs/``.

A pack says which units a country has (provinces, divisions, districts, tehsils), their
names in every script sources use, how they nest and how that changed over time
(renames, mergers, splits). Countries are data: adding one is adding a file. The format
is documented in docs/geography.md; the reader below checks it strictly, because a
wrong parent is a wrong district in a report.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from gawahi.errors import ConfigError


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML's safe loader (the C one when built), with dates left as text: the unit
    checks read them, so an impossible date is reported with the unit that has it."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_LOADER = _Loader
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_UNIT_KEYS = frozenset(
    {
        "id",
        "level",
        "kind",
        "name",
        "iso",
        "geonames",
        "seat",
        "from",
        "to",
        "parent",
        "parents",
        "merged_into",
        "split_from",
        "aliases",
        "note",
    }
)
_PACK_KEYS = frozenset({"country", "name", "as_of", "designators", "sources", "units"})


@dataclass(frozen=True, slots=True)
class Alias:
    """Another name of a unit; ``valid_to`` marks a name no longer official."""

    name: str
    lang: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class ParentLink:
    """``parent`` contained the unit from ``valid_from`` (inclusive) to ``valid_to`` (exclusive)."""

    parent: str
    valid_from: date | None = None
    valid_to: date | None = None

    def holds_on(self, day: date | None) -> bool:
        """Whether the link held on ``day`` (an unknown day matches every link)."""
        if day is None:
            return True
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_to is None or day < self.valid_to
        )


@dataclass(frozen=True, slots=True)
class UnitDef:
    """One administrative unit as the pack defines it (ids are local to the pack)."""

    id: str
    level: int
    kind: str
    name: str
    iso: str | None = None
    geonames: str | None = None
    seat: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    parents: tuple[ParentLink, ...] = ()
    merged_into: str | None = None
    split_from: str | None = None
    aliases: tuple[Alias, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Pack:
    """A country's units, as read and checked from its pack file."""

    country: str
    name: str
    as_of: date
    designators: tuple[str, ...]
    sources: tuple[str, ...]
    units: tuple[UnitDef, ...]
    sha256: str
    path: str
    by_id: dict[str, UnitDef] = field(repr=False, default_factory=dict)

    def unit_id(self, local_id: str) -> str:
        """The store-wide id of a unit: ``PAK.quetta``."""
        return f"{self.country}.{local_id}"


def bundled_packs() -> list[Path]:
    """The pack files shipped with gawahi, one per country."""
    folder = resources.files("gawahi.geo") / "packs"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml"))


def file_sha256(path: Path) -> str:
    """The checksum that tells whether a pack file changed since it was loaded."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_pack(path: Path) -> Pack:
    """Read and check one pack file; a mistake raises ConfigError naming the unit."""
    data = path.read_bytes()
    try:
        doc = yaml.load(data, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    except ValueError as exc:  # an impossible unquoted date such as 2018-13-01
        raise ConfigError(f"{path}: a value YAML reads as a date is not one: {exc}") from None
    reader = _Reader(path)
    if not isinstance(doc, dict):
        reader.fail("the file must be a mapping with 'country' and 'units'")
    reader.keys(doc, _PACK_KEYS, "the pack")
    units = tuple(reader.unit(raw) for raw in reader.listing(doc, "units"))
    pack = Pack(
        country=reader.country(doc.get("country")),
        name=str(doc.get("name") or doc.get("country")),
        as_of=reader.day(doc.get("as_of"), "as_of") or date.today(),
        designators=tuple(str(d) for d in doc.get("designators") or ()),
        sources=tuple(str(s) for s in doc.get("sources") or ()),
        units=units,
        sha256=hashlib.sha256(data).hexdigest(),
        path=str(path),
    )
    pack.by_id.update(reader.unique(units))
    reader.check_links(pack)
    return pack


class _Reader:
    """Field-by-field checks; every failure names the file and the unit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = "the pack"

    def fail(self, reason: str) -> None:
        raise ConfigError(f"{self.path}: {self.where}: {reason}")

    def keys(self, mapping: dict[str, Any], allowed: frozenset[str], where: str) -> None:
        self.where = where
        unknown = sorted(set(mapping) - allowed)
        if unknown:
            self.fail(f"unknown key(s) {', '.join(unknown)}")

    def listing(self, doc: dict[str, Any], key: str) -> list[Any]:
        value = doc.get(key)
        if not isinstance(value, list) or not value:
            self.fail(f"'{key}' must be a non-empty list")
        return value

    def country(self, value: object) -> str:
        if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{3}", value):
            self.fail("'country' must be an ISO 3166-1 alpha-3 code such as PAK")
        return str(value)

    def day(self, value: object, key: str) -> date | None:
        if value is None or isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"'{key}' must be an ISO date (YYYY-MM-DD), not {value!r}")
        return None

    def unit(self, raw: object) -> UnitDef:
        if not isinstance(raw, dict):
            self.where = "units"
            self.fail(f"each unit must be a mapping, not {raw!r}")
        self.keys(raw, _UNIT_KEYS, f"unit {raw.get('id')!r}")
        for key in ("id", "level", "kind", "name"):
            if raw.get(key) in (None, ""):
                self.fail(f"'{key}' is required")
        if not _ID.match(str(raw["id"])):
            self.fail("'id' must be lowercase letters, digits and hyphens")
        if raw["level"] not in (1, 2, 3):
            self.fail(f"'level' must be 1, 2 or 3, not {raw['level']!r}")
        return UnitDef(
            id=str(raw["id"]),
            level=int(raw["level"]),
            kind=str(raw["kind"]),
            name=str(raw["name"]),
            iso=_opt(raw.get("iso")),
            geonames=_opt(raw.get("geonames")),
            seat=_opt(raw.get("seat")),
            valid_from=self.day(raw.get("from"), "from"),
            valid_to=self.day(raw.get("to"), "to"),
            parents=self.parents(raw),
            merged_into=_opt(raw.get("merged_into")),
            split_from=_opt(raw.get("split_from")),
            aliases=tuple(self.alias(a) for a in raw.get("aliases") or ()),
            note=_opt(raw.get("note")),
        )

    def parents(self, raw: dict[str, Any]) -> tuple[ParentLink, ...]:
        if raw.get("parent") and raw.get("parents"):
            self.fail("give 'parent' or 'parents', not both")
        if raw.get("parent"):
            return (ParentLink(str(raw["parent"])),)
        links = []
        for item in raw.get("parents") or ():
            if not isinstance(item, dict) or "id" not in item:
                self.fail(f"each of 'parents' needs an 'id': {item!r}")
            links.append(
                ParentLink(
                    str(item["id"]),
                    self.day(item.get("from"), "parents.from"),
                    self.day(item.get("to"), "parents.to"),
                )
            )
        return tuple(links)

    def alias(self, raw: object) -> Alias:
        if isinstance(raw, str):
            return Alias(raw)
        if not isinstance(raw, dict) or not raw.get("name"):
            self.fail(f"an alias must be a string or a mapping with 'name': {raw!r}")
        assert isinstance(raw, dict)
        return Alias(
            str(raw["name"]),
            _opt(raw.get("lang")),
            self.day(raw.get("from"), "alias from"),
            self.day(raw.get("to"), "alias to"),
        )

    def unique(self, units: tuple[UnitDef, ...]) -> dict[str, UnitDef]:
        by_id: dict[str, UnitDef] = {}
        for unit in units:
            if unit.id in by_id:
                self.where = f"unit {unit.id!r}"
                self.fail("the id is used twice")
            by_id[unit.id] = unit
        return by_id

    def check_links(self, pack: Pack) -> None:
        for unit in pack.units:
            self.where = f"unit {unit.id!r}"
            refs = [p.parent for p in unit.parents] + [unit.merged_into, unit.split_from]
            for ref in filter(None, refs):
                if ref not in pack.by_id:
                    self.fail(f"refers to unknown unit {ref!r}")
            for link in unit.parents:
                if pack.by_id[link.parent].level > unit.level:
                    self.fail(f"parent {link.parent!r} is at a lower level than the unit")
            if unit.level > 1 and not unit.parents and not unit.merged_into:
                self.fail("a level 2 or 3 unit needs a parent")
            self._no_overlap(unit.parents)
        self._no_cycles(pack)

    def _no_overlap(self, links: tuple[ParentLink, ...]) -> None:
        spans = sorted((p.valid_from or date.min, p.valid_to or date.max) for p in links)
        for (_, end), (start, _) in itertools.pairwise(spans):
            if start < end:
                self.fail("its parents' time spans overlap")

    def _no_cycles(self, pack: Pack) -> None:
        for unit in pack.units:
            seen, todo = {unit.id}, [p.parent for p in unit.parents]
            while todo:
                current = todo.pop()
                if current == unit.id:
                    self.where = f"unit {unit.id!r}"
                    self.fail("is its own ancestor")
                if current not in seen:
                    seen.add(current)
                    todo.extend(p.parent for p in pack.by_id[current].parents)


def _opt(value: object) -> str | None:
    return None if value in (None, "") else str(value)
