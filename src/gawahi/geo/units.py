"""Administrative units in the store: loading packs, and the in-memory index that
answers "which unit is this name?" and "what is this unit today?".

Two frames of reference matter. Analysis uses *today's* units, so a 2010 attack in
Kurram Agency and a 2020 attack in Kurram district are both in Kurram, Khyber
Pakhtunkhwa. The record also keeps the unit *as it was then* (FATA, Frontier Region
Kohat), so a query for FATA finds the attacks that happened there while it existed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa
from rapidfuzz import fuzz, process

from gawahi.geo.names import compact, normalise, strip_designators
from gawahi.geo.pack import Pack, bundled_packs, file_sha256, load_pack
from gawahi.store import schema

FUZZY_CUTOFF = 88.0  # rapidfuzz ratio; "Khyber Pakhtunkwa" ~ 97, "Bolochistan" ~ 91
FUZZY_MARGIN = 4.0  # the best unit must beat the next one by this much


def sync_packs(conn: sa.Connection, packs: Iterable[Pack] | None = None) -> list[str]:
    """Load each pack whose file changed since it was last loaded; returns their countries.

    Unit ids are stable, so incidents, decisions and populations that point at a unit
    keep pointing at it when the pack is reloaded.
    """
    loaded = dict(
        conn.execute(sa.select(schema.geo_packs.c.country_iso3, schema.geo_packs.c.sha256)).all()
    )
    if packs is None:  # the bundled files, read only when their checksum changed
        known = set(loaded.values())
        packs = [load_pack(p) for p in bundled_packs() if file_sha256(p) not in known]
    changed = []
    for pack in packs:
        if loaded.get(pack.country) != pack.sha256:
            _replace_pack(conn, pack)
            changed.append(pack.country)
    return changed


def _replace_pack(conn: sa.Connection, pack: Pack) -> None:
    ids = [pack.unit_id(u.id) for u in pack.units]
    conn.execute(
        sa.delete(schema.admin_unit_names).where(schema.admin_unit_names.c.unit_id.in_(ids))
    )
    conn.execute(
        sa.delete(schema.admin_unit_parents).where(schema.admin_unit_parents.c.unit_id.in_(ids))
    )
    existing = set(
        conn.scalars(
            sa.select(schema.admin_units.c.id).where(
                schema.admin_units.c.country_iso3 == pack.country
            )
        )
    )
    rows = [_unit_row(pack, u) for u in pack.units]
    gone = existing - set(ids)
    if gone:
        conn.execute(sa.delete(schema.admin_units).where(schema.admin_units.c.id.in_(gone)))
    kept = [{"key": r["id"], **r} for r in rows if r["id"] in existing]
    if kept:
        table = schema.admin_units
        conn.execute(sa.update(table).where(table.c.id == sa.bindparam("key")), kept)
    new = [r for r in rows if r["id"] not in existing]
    if new:
        conn.execute(sa.insert(schema.admin_units), new)
    conn.execute(sa.insert(schema.admin_unit_names), list(_name_rows(pack)))
    links = [
        {
            "unit_id": pack.unit_id(u.id),
            "parent_id": pack.unit_id(p.parent),
            "valid_from": p.valid_from,
            "valid_to": p.valid_to,
        }
        for u in pack.units
        for p in u.parents
    ]
    if links:
        conn.execute(sa.insert(schema.admin_unit_parents), links)
    conn.execute(sa.delete(schema.geo_packs).where(schema.geo_packs.c.country_iso3 == pack.country))
    conn.execute(
        sa.insert(schema.geo_packs).values(
            country_iso3=pack.country,
            sha256=pack.sha256,
            file_name=pack.path.rsplit("/", 1)[-1],
            as_of=pack.as_of,
            designators=json.dumps(list(pack.designators)),
            loaded_at=datetime.now(UTC),
        )
    )


def _unit_row(pack: Pack, unit: object) -> dict[str, object]:
    u = unit  # UnitDef
    return {
        "id": pack.unit_id(u.id),
        "country_iso3": pack.country,
        "level": u.level,
        "kind": u.kind,
        "name": u.name,
        "iso_code": u.iso,
        "geonames_code": u.geonames,
        "seat": u.seat,
        "valid_from": u.valid_from,
        "valid_to": u.valid_to,
        "merged_into": pack.unit_id(u.merged_into) if u.merged_into else None,
        "split_from": pack.unit_id(u.split_from) if u.split_from else None,
        "note": u.note,
    }


def _name_rows(pack: Pack) -> Iterable[dict[str, object]]:
    for unit in pack.units:
        uid = pack.unit_id(unit.id)
        yield {
            "unit_id": uid,
            "name": unit.name,
            "norm": normalise(unit.name),
            "lang": None,
            "canonical": True,
            "valid_from": None,
            "valid_to": None,
        }
        if unit.iso:
            yield {
                "unit_id": uid,
                "name": unit.iso,
                "norm": normalise(unit.iso),
                "lang": None,
                "canonical": False,
                "valid_from": None,
                "valid_to": None,
            }
        for alias in unit.aliases:
            yield {
                "unit_id": uid,
                "name": alias.name,
                "norm": normalise(alias.name),
                "lang": alias.lang,
                "canonical": False,
                "valid_from": alias.valid_from,
                "valid_to": alias.valid_to,
            }


@dataclass(slots=True)
class Unit:
    """One unit as the index holds it."""

    id: str
    country: str
    level: int
    kind: str
    name: str
    iso_code: str | None
    geonames_code: str | None
    valid_from: date | None
    valid_to: date | None
    merged_into: str | None
    split_from: str | None = None
    parents: list[tuple[str, date | None, date | None]] = field(default_factory=list)
    children: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NameMatch:
    """The units a name may mean, best first, and how sure the match is (0..1)."""

    units: tuple[str, ...]
    score: float
    method: str  # exact | designator | fuzzy | none

    @property
    def unique(self) -> str | None:
        """The one unit meant, if exactly one matched (suggestions never count)."""
        return self.units[0] if len(self.units) == 1 and self.method != "none" else None


NO_MATCH = NameMatch((), 0.0, "none")


class UnitIndex:
    """All units of the store in memory; built once per resolve run (a few ms)."""

    def __init__(
        self,
        units: dict[str, Unit],
        names: list[tuple[str, str]],
        designators: dict[str, list[str]],
    ):
        self.units = units
        self.designators = designators
        self._exact: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._compact: dict[tuple[str, str], set[str]] = defaultdict(set)
        for unit_id, norm in names:
            country = units[unit_id].country
            self._exact[(country, norm)].add(unit_id)
            self._compact[(country, compact(norm))].add(unit_id)
        self._choices: dict[str, list[str]] = defaultdict(list)
        for country, norm in self._exact:
            self._choices[country].append(norm)
        self._ancestors: dict[str, frozenset[str]] = {}
        self._today_admin: dict[tuple[str, int], str | None] = {}
        self._first_words: dict[str, set[str]] = defaultdict(set)
        for country, norm in self._exact:
            self._first_words[country].add(norm.split()[0] if norm else "")
        for country, words in designators.items():
            self._first_words[country].update(normalise(w).split()[0] for w in words if w.strip())
        self._cache: dict[tuple[str, str, int | None, str | None, bool], NameMatch] = {}

    @classmethod
    def load(cls, conn: sa.Connection) -> UnitIndex:
        """Read every unit, name and nesting link from the store."""
        units = {
            row.id: Unit(
                row.id,
                row.country_iso3,
                row.level,
                row.kind,
                row.name,
                row.iso_code,
                row.geonames_code,
                row.valid_from,
                row.valid_to,
                row.merged_into,
                row.split_from,
            )
            for row in conn.execute(sa.select(schema.admin_units))
        }
        for row in conn.execute(sa.select(schema.admin_unit_parents)):
            units[row.unit_id].parents.append((row.parent_id, row.valid_from, row.valid_to))
            units[row.parent_id].children.append(row.unit_id)
        names = [
            tuple(r)
            for r in conn.execute(
                sa.select(schema.admin_unit_names.c.unit_id, schema.admin_unit_names.c.norm)
            )
        ]
        designators = {
            row.country_iso3: json.loads(row.designators)
            for row in conn.execute(
                sa.select(schema.geo_packs.c.country_iso3, schema.geo_packs.c.designators)
            )
        }
        return cls(units, names, designators)  # type: ignore[arg-type]

    def has_country(self, country: str | None) -> bool:
        return bool(country) and country in self._choices

    # --- names ---------------------------------------------------------------------

    def match(
        self,
        country: str,
        text: str,
        level: int | None = None,
        within: str | None = None,
        fuzzy: bool = True,
    ) -> NameMatch:
        """The units ``text`` may name in ``country`` (at ``level``, inside ``within``)."""
        key = (country, text, level, within, fuzzy)
        if key not in self._cache:
            self._cache[key] = self._match(country, text, level, within, fuzzy)
        return self._cache[key]

    def _match(
        self, country: str, text: str, level: int | None, within: str | None, fuzzy: bool
    ) -> NameMatch:
        norm = normalise(text)
        if not norm:
            return NO_MATCH
        bare = strip_designators(norm, self.designators.get(country, ()))
        for method, score, found in (
            (
                "exact",
                1.0,
                self._exact.get((country, norm), set())
                | self._compact.get((country, compact(norm)), set()),
            ),
            (
                "designator",
                0.98,
                self._exact.get((country, bare), set())
                | self._compact.get((country, compact(bare)), set()),
            ),
        ):
            kept = self._keep(found, level, within)
            if kept:
                return NameMatch(self._rank(kept), score, method)
        return self._fuzzy(country, bare, level, within) if fuzzy else NO_MATCH

    def _fuzzy(self, country: str, norm: str, level: int | None, within: str | None) -> NameMatch:
        hits = process.extract(
            norm,
            self._choices.get(country, []),
            scorer=fuzz.ratio,
            score_cutoff=FUZZY_CUTOFF - 10,
            limit=12,
        )
        scored: dict[str, float] = {}
        for choice, score, _ in hits:
            for unit_id in self._keep(self._exact[(country, choice)], level, within):
                scored[unit_id] = max(score, scored.get(unit_id, 0.0))
        ranked = sorted(scored, key=lambda u: (-scored[u], u))  # stable across runs
        if not ranked or scored[ranked[0]] < FUZZY_CUTOFF:
            return NameMatch(tuple(ranked[:3]), 0.0, "none")  # suggestions only
        best = scored[ranked[0]]
        close = [u for u in ranked if best - scored[u] < FUZZY_MARGIN]
        return NameMatch(tuple(self._rank(set(close))), best / 100 * 0.9, "fuzzy")

    def _keep(self, found: set[str], level: int | None, within: str | None) -> set[str]:
        kept = {u for u in found if level is None or self.units[u].level == level}
        if within:
            kept = {u for u in kept if u == within or within in self.ancestors(u)}
        return self._collapse(kept)

    def _collapse(self, found: set[str]) -> set[str]:
        """One name for a unit and a unit inside it ("Quetta" tehsil in Quetta district)
        means the larger one: the name does not say which smaller part."""
        return {u for u in found if not any(other in self.ancestors(u) for other in found)}

    def _rank(self, found: set[str]) -> tuple[str, ...]:
        return tuple(
            sorted(
                found, key=lambda u: (self.units[u].level, self.units[u].valid_to is not None, u)
            )
        )

    # --- nesting -------------------------------------------------------------------

    def ancestors(self, unit_id: str) -> frozenset[str]:
        """Every unit that ever contained this one, and what those merged into."""
        if unit_id not in self._ancestors:
            seen: set[str] = set()
            todo = [p for p, _, _ in self.units[unit_id].parents]
            merged = self.units[unit_id].merged_into
            todo += [merged] if merged else []
            while todo:
                current = todo.pop()
                if current not in seen:
                    seen.add(current)
                    todo.extend(p for p, _, _ in self.units[current].parents)
                    if self.units[current].merged_into:
                        todo.append(self.units[current].merged_into)
            self._ancestors[unit_id] = frozenset(seen)
        return self._ancestors[unit_id]

    def today(self, unit_id: str) -> str:
        """The unit as it is today: a merged unit becomes the one it merged into."""
        seen = set()
        while self.units[unit_id].merged_into and unit_id not in seen:
            seen.add(unit_id)
            unit_id = self.units[unit_id].merged_into  # type: ignore[assignment]
        return unit_id

    def current_parent(self, unit_id: str) -> str | None:
        """The parent under today's arrangement (the link with no end date, else the latest)."""
        links = self.units[unit_id].parents
        if not links:
            return None
        return max(links, key=lambda link: (link[2] is None, link[2] or date.min))[0]

    def may_start_name(self, country: str, word: str) -> bool:
        """Whether a unit's name (or a designator) can begin with this word."""
        first = normalise(word).split()
        return bool(first) and first[0] in self._first_words.get(country, ())

    def admin1(self, unit_id: str) -> str | None:
        """Today's level-1 unit containing ``unit_id``."""
        key = (unit_id, 1)
        if key not in self._today_admin:
            self._today_admin[key] = self._admin1(unit_id)
        return self._today_admin[key]

    def _admin1(self, unit_id: str) -> str | None:
        current: str | None = self.today(unit_id)
        while current and self.units[current].level > 1:
            parent = self.current_parent(current)
            current = self.today(parent) if parent else None
        return current

    def admin2(self, unit_id: str) -> str | None:
        """Today's level-2 unit for ``unit_id``: itself, or the district a tehsil is in."""
        key = (unit_id, 2)
        if key not in self._today_admin:
            self._today_admin[key] = self._admin2(unit_id)
        return self._today_admin[key]

    def _admin2(self, unit_id: str) -> str | None:
        current: str | None = self.today(unit_id)
        while current and self.units[current].level > 2:
            parent = self.current_parent(current)
            current = self.today(parent) if parent else None
        if current and self.units[current].level == 2:
            return current
        return None

    def is_leaf_district(self, unit_id: str) -> bool:
        """A level-2 unit with no level-2 units inside it (a district, not Karachi as a whole)."""
        return not any(self.units[c].level == 2 for c in self.units[unit_id].children)

    def by_geonames(self, code: str) -> str | None:
        """The unit with this GeoNames admin code ("PK.02")."""
        if not hasattr(self, "_geonames"):
            self._geonames = {u.geonames_code: u.id for u in self.units.values() if u.geonames_code}
        return self._geonames.get(code)

    def label(self, unit_id: str | None) -> str:
        """A unit's name with its kind when that helps ("Quetta (district)")."""
        if not unit_id:
            return ""
        unit = self.units[unit_id]
        return f"{unit.name} ({unit.kind})"
