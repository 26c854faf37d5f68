"""Population denominators: census totals and cited group estimates, with source and year.

A rate is only as good as its denominator, so every denominator keeps where it came from.
Two kinds of file are imported into ``populations``:

* the tidy table of the Pakistan 2017 census, Table 1 (one row per country, province,
  division and district, with the 2017 and the 1998 population): whole populations,
  ``group_name`` NULL, in persons;
* a hand-compiled table of cited group estimates (Hazara, Shia): claims with a low and a
  high figure, in persons or percent, each with its source, URL and a reliability note.

A disputed estimate keeps its range: ``value_low`` and ``value_high`` are stored as the
source gives them, and ``Denominator.describe()`` shows the range whenever they differ.
``value`` (the store needs one central figure) is the midpoint of the range: it favours
neither end of a dispute, and it is never shown without the range beside it.

Both imports check every row before writing anything, run inside the caller's
transaction, and replace what an earlier import of the same file (or of the same source's
figure for the same place, group and year) stored, so importing twice changes nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gawahi.errors import FormatError, InputError
from gawahi.geo.names import normalise, strip_designators
from gawahi.geo.units import UnitIndex
from gawahi.sources.textfile import SourceFile, csv_records, inspect, open_text
from gawahi.store import schema

CENSUS_SOURCE = "Pakistan Bureau of Statistics, Population and Housing Census 2017, Table 1"
CENSUS_COLUMNS = ("source_table", "province", "admin_unit", "level", "pop_2017", "pop_1998")
# fmt: off
ESTIMATE_COLUMNS = (
    "scope", "place", "group", "estimate_low", "estimate_high", "unit", "reference_year",
    "claim_paraphrase", "source_title", "source_url", "source_kind", "reliability_note",
)
MEASURES = ("persons", "percent")
# Estimate scopes and the unit level each names; None: any level.
SCOPE_LEVELS: dict[str, int | None] = {
    "country": None, "province": 1, "division": 2, "district": 2, "city": None,
    "tehsil": 3, "neighbourhood": None, "neighborhood": None,
}
# fmt: on
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_YEAR_GIVEN = re.compile(r"reference year as given: ([^|]+?)(?: \||$)")
_DELETE_CHUNK = 500


@dataclass
class PopulationImport:
    """What an import stored: rows written, names that matched no unit, and notes."""

    file_name: str
    rows: int = 0
    unmatched: list[str] = field(default_factory=list)  # "line N: NAME"
    notes: list[str] = field(default_factory=list)
    replaced: int = 0  # rows of earlier imports this one replaced
    file_sha256: str = ""


@dataclass(frozen=True)
class Denominator:
    """One population figure with its source and year, ready to be shown beside a rate."""

    unit_id: str | None
    place_name: str
    group: str | None  # None: the whole population
    year: int
    value: float  # the midpoint of low and high
    low: float
    high: float
    measure: str  # persons | percent
    source: str
    source_url: str | None
    note: str | None
    country: str = ""
    file_name: str = ""
    line: int = 0
    sources_disagree: bool = False  # another source gives another figure for it

    @property
    def disputed(self) -> bool:
        """A range rather than one figure, or several sources that disagree."""
        return self.low != self.high or self.sources_disagree

    @property
    def year_label(self) -> str:
        """The reference year as the source gave it ("c.2020", "1998-2020s") or the year."""
        found = _YEAR_GIVEN.search(self.note or "")
        return found.group(1).strip() if found else str(self.year)

    def figure(self) -> str:
        """The figure alone: "2,269,473 persons", "650,000–900,000 persons", "10–15%"."""
        amount = _amount(self.low, self.measure)
        if self.low != self.high:
            amount = f"{amount}–{_amount(self.high, self.measure)}"
        return f"{amount}%" if self.measure == "percent" else f"{amount} {self.measure}"

    def describe(self) -> str:
        """The figure with its source and year, and why it is disputed when it is."""
        parts = [self.source, self.year_label]
        if self.low != self.high:
            parts.append("disputed range")
        if self.sources_disagree:
            parts.append("other sources give other figures")
        return f"{self.figure()} ({'; '.join(parts)})"


def _amount(value: float, measure: str) -> str:
    if measure == "persons":
        return f"{value:,.0f}"
    return f"{value:,g}"


# --- the census ----------------------------------------------------------------------


def import_census(
    conn: sa.Connection,
    units: UnitIndex,
    path: Path,
    *,
    country: str = "PAK",
    allow_unmatched: bool = False,
) -> PopulationImport:
    """Import the tidy 2017 census Table 1 CSV: 2017 and 1998 totals per unit.

    Each ``admin_unit`` is matched to a unit of ``country`` inside its province. A name
    that matches no unit, or several, fails the import with its line, unless
    ``allow_unmatched``: then the row is kept without a unit and listed in ``unmatched``.
    """
    path = Path(path)
    _check_country(units, country, path)
    source, records = _read(path, CENSUS_COLUMNS)
    result = PopulationImport(path.name, file_sha256=source.sha256)
    reader = _CensusReader(units, country, path, allow_unmatched, result)
    rows = [row for line, record in records for row in reader.rows(line, record)]
    reader.summarise()
    _store(conn, source, rows, result)
    return result


class _CensusReader:
    """Turns census records into ``populations`` rows, one per unit and year."""

    def __init__(
        self, units: UnitIndex, country: str, path: Path, allow: bool, result: PopulationImport
    ) -> None:
        self.units, self.country, self.path = units, country, path
        self.allow, self.result = allow, result
        self.seen: dict[tuple[str, int], tuple[int, float]] = {}
        self.repeats = 0

    def rows(self, line: int, record: dict[str, str]) -> list[dict[str, Any]]:
        values = {
            2017: _count(self.path, line, "pop_2017", record["pop_2017"], required=True),
            1998: _count(self.path, line, "pop_1998", record["pop_1998"], required=False),
        }
        rows = []
        for unit_id, place in self.places(line, record):
            for year, value in values.items():
                if value is not None and self.first(line, unit_id, place, year, value):
                    rows.append(self.row(line, record, unit_id, place, year, value))
        return rows

    def places(self, line: int, record: dict[str, str]) -> list[tuple[str | None, str]]:
        name, level = record["admin_unit"].strip(), record["level"].strip().lower()
        if not name:
            raise InputError(self.path, "field 'admin_unit': empty", line)
        if level == "country":
            return [(None, name.title())]
        province = self.units.match(self.country, record["province"], level=1).unique
        if level in ("province", "province_and_district"):
            places = [(self.unit(line, name, 1, "any", None), name)]
            if level == "province_and_district":
                places += self.capital_district(line, name, places[0][0])
            return places
        if level in ("division", "district"):
            return [(self.unit(line, name, 2, level, province), name)]
        raise InputError(
            self.path,
            f"field 'level': {level!r} is not one of country, province, "
            "province_and_district, division, district",
            line,
        )

    def capital_district(
        self, line: int, name: str, territory: str | None
    ) -> list[tuple[str | None, str]]:
        """Islamabad is a territory and its one district: the row counts for both."""
        found = _resolve(self.units, self.country, name, 2, "district", territory)
        if territory is None or found.unit_id is None:
            return []
        self.result.notes.append(
            f"line {line}: {name} is stored for both {territory} and {found.unit_id}"
        )
        return [(found.unit_id, name)]

    def unit(self, line: int, name: str, level: int, kind: str, within: str | None) -> str | None:
        found = _resolve(self.units, self.country, name, level, kind, within)
        if found.unit_id is None:
            return self.unmatched(line, name, found.reason)
        if found.method == "fuzzy":
            self.result.notes.append(
                f"line {line}: {name} matched {found.unit_id} only by spelling; "
                "the pack could list it as an alias"
            )
        return found.unit_id

    def unmatched(self, line: int, name: str, reason: str) -> None:
        if not self.allow:
            raise InputError(self.path, f"field 'admin_unit': {name!r} {reason}", line)
        self.result.unmatched.append(f"line {line}: {name}")

    def first(self, line: int, unit_id: str | None, place: str, year: int, value: float) -> bool:
        """Whether this is the first figure for the unit and year (tables repeat provinces)."""
        key = (unit_id or f"place:{normalise(place)}", year)
        if key not in self.seen:
            self.seen[key] = (line, value)
            return True
        earlier, kept = self.seen[key]
        if kept != value:
            raise InputError(
                self.path,
                f"field 'pop_{year}': {value:,.0f} for {unit_id or place} differs from "
                f"{kept:,.0f} on line {earlier}",
                line,
            )
        self.repeats += 1
        return False

    def row(
        self,
        line: int,
        record: dict[str, str],
        unit_id: str | None,
        place: str,
        year: int,
        value: float,
    ) -> dict[str, Any]:
        table = record["source_table"].strip()
        note = f"table {table}" if table else None
        if year != 2017:
            note = f"{year} census figure as reprinted in the 2017 Table 1" + (
                f"; {note}" if note else ""
            )
        return _population(
            self.country,
            line,
            unit_id,
            place,
            year,
            (value, value),
            "persons",
            CENSUS_SOURCE,
            note=note,
        )

    def summarise(self) -> None:
        if self.repeats:
            self.result.notes.append(
                f"{self.repeats} figure(s) repeated in another table of the file "
                "(provinces appear in the Pakistan table and their own): kept once"
            )


def _count(path: Path, line: int, column: str, text: str, *, required: bool) -> float | None:
    """A head count: digits, optionally with thousands commas or a ".0"."""
    text = text.strip()
    if not text:
        if required:
            raise InputError(path, f"field {column!r}: empty", line)
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        value = -1.0
    if value < 0 or not value.is_integer():
        raise InputError(path, f"field {column!r}: {text!r} is not a head count", line)
    return value


# --- group estimates -----------------------------------------------------------------


def import_estimates(
    conn: sa.Connection,
    units: UnitIndex,
    path: Path,
    *,
    country: str,
    allow_unmatched: bool = False,
) -> PopulationImport:
    """Import a cited group-estimates CSV: each claim with its range, source and reliability.

    ``place`` is matched to a unit of ``country`` at the level its ``scope`` names. A
    country-wide figure has no unit; a neighbourhood that is no unit (Mari Abad, Hazara
    Town) is kept with its name and no unit, and said so in ``notes``. A province, division,
    district or city that matches no unit fails the import, unless ``allow_unmatched``.
    """
    path = Path(path)
    _check_country(units, country, path)
    source, records = _read(path, ESTIMATE_COLUMNS)
    result = PopulationImport(path.name, file_sha256=source.sha256)
    reader = _EstimateReader(units, country, path, allow_unmatched, result)
    rows = [reader.row(line, record) for line, record in records]
    _store(conn, source, rows, result)
    return result


class _EstimateReader:
    """Turns estimate records into ``populations`` rows."""

    def __init__(
        self, units: UnitIndex, country: str, path: Path, allow: bool, result: PopulationImport
    ) -> None:
        self.units, self.country, self.path = units, country, path
        self.allow, self.result = allow, result

    def row(self, line: int, record: dict[str, str]) -> dict[str, Any]:
        measure = self.measure(line, record["unit"])
        low, high = self.range(line, record, measure)
        year, given = self.year(line, record["reference_year"])
        source = record["source_title"].strip()
        if not source:
            raise InputError(
                self.path, "field 'source_title': empty; every estimate needs its source", line
            )
        unit_id, place = self.place(line, record)
        note = _estimate_note(record, given if given != str(year) else None)
        return _population(
            self.country,
            line,
            unit_id,
            place,
            year,
            (low, high),
            measure,
            source,
            group=record["group"].strip() or None,
            url=record["source_url"].strip() or None,
            note=note,
        )

    def measure(self, line: int, text: str) -> str:
        measure = text.strip().lower()
        if measure not in MEASURES:
            raise InputError(self.path, f"field 'unit': {text!r} is not persons or percent", line)
        return measure

    def range(self, line: int, record: dict[str, str], measure: str) -> tuple[float, float]:
        low = self.number(line, "estimate_low", record["estimate_low"])
        high = self.number(line, "estimate_high", record["estimate_high"])
        if low is None and high is None:
            raise InputError(
                self.path, "field 'estimate_low': empty, and so is estimate_high", line
            )
        low, high = (high, high) if low is None else (low, low) if high is None else (low, high)
        if low > high:
            raise InputError(
                self.path, f"field 'estimate_high': {high:g} is below estimate_low {low:g}", line
            )
        if measure == "percent" and high > 100:
            raise InputError(
                self.path, f"field 'estimate_high': {high:g} is more than 100 percent", line
            )
        return low, high

    def number(self, line: int, column: str, text: str) -> float | None:
        text = text.strip().replace(",", "")
        if not text:
            return None
        try:
            value = float(text.rstrip("%"))
        except ValueError:
            value = -1.0
        if value < 0 or value != value or value in (float("inf"), float("-inf")):
            raise InputError(self.path, f"field {column!r}: {text!r} is not a number", line)
        return value

    def year(self, line: int, text: str) -> tuple[int, str]:
        """The latest year named ("c.2020" -> 2020, "1998-2020s" -> 2020) and the text."""
        years = [int(y) for y in _YEAR.findall(text)]
        if not years:
            raise InputError(self.path, f"field 'reference_year': {text!r} names no year", line)
        return max(years), text.strip()

    def place(self, line: int, record: dict[str, str]) -> tuple[str | None, str]:
        scope, place = record["scope"].strip().lower(), record["place"].strip()
        if scope not in SCOPE_LEVELS:
            allowed = ", ".join(SCOPE_LEVELS)
            raise InputError(self.path, f"field 'scope': {scope!r} is not one of {allowed}", line)
        if not place:
            raise InputError(self.path, "field 'place': empty", line)
        if scope == "country":
            return None, place
        if scope.startswith("neighbo"):
            return self.neighbourhood(line, place), place
        return self.unit(line, scope, place), place

    def neighbourhood(self, line: int, place: str) -> str | None:
        """A neighbourhood is a unit only when a unit has exactly its name."""
        found = self.units.match(self.country, place)
        if found.unique and found.method in ("exact", "designator"):
            return found.unique
        self.result.notes.append(
            f"line {line}: {place} is a neighbourhood, not an administrative unit: "
            "stored under its name, without a unit"
        )
        return None

    def unit(self, line: int, scope: str, place: str) -> str | None:
        kind = (
            "district" if scope == "city" else scope if scope in ("division", "district") else "any"
        )
        found = _resolve(self.units, self.country, place, SCOPE_LEVELS[scope], kind, None)
        if found.unit_id is None and scope == "city":
            found = _resolve(self.units, self.country, place, None, "any", None)
        if found.unit_id is not None:
            return found.unit_id
        if not self.allow:
            raise InputError(self.path, f"field 'place': {place!r} {found.reason}", line)
        self.result.unmatched.append(f"line {line}: {place}")
        return None


def _estimate_note(record: dict[str, str], year_given: str | None) -> str | None:
    parts = [
        ("reliability", record["reliability_note"]),
        ("claim", record["claim_paraphrase"]),
        ("source kind", record["source_kind"]),
        ("reference year as given", year_given or ""),
    ]
    shown = [f"{label}: {' '.join(text.split())}" for label, text in parts if text.strip()]
    return " | ".join(shown) or None


# --- matching names to units ---------------------------------------------------------


@dataclass(frozen=True)
class _Resolved:
    unit_id: str | None
    method: str
    reason: str = ""


def _resolve(
    units: UnitIndex, country: str, name: str, level: int | None, kind: str, within: str | None
) -> _Resolved:
    """The one unit ``name`` names at ``level``, of ``kind`` ("division", "district", "any").

    ``UnitIndex.match`` prefers the larger of two nested units with one name (a division
    over its district); a census row that says "district" wants the district, so a
    division found for it is replaced by its same-named district inside it.
    """
    found = units.match(country, name, level=level, within=within)
    if found.method == "none":
        hint = f" (closest: {', '.join(found.units)})" if found.units else ""
        return _Resolved(None, "none", f"matches no unit{_where(level, within)}{hint}")
    fitting = sorted(set(_fitting(units, country, name, found.units, kind)))
    if len(fitting) == 1:
        return _Resolved(fitting[0], found.method)
    if fitting:
        return _Resolved(None, found.method, f"matches several units: {', '.join(fitting)}")
    return _Resolved(None, found.method, f"matches {', '.join(found.units)}, not a {kind}")


def _where(level: int | None, within: str | None) -> str:
    return (f" at level {level}" if level else "") + (f" in {within}" if within else "")


def _fitting(
    units: UnitIndex, country: str, name: str, found: Iterable[str], kind: str
) -> Iterable[str]:
    bare = _bare(units, country, name)
    for unit_id in found:
        if _kind_fits(units, unit_id, kind):
            yield unit_id
        else:  # a division found for a district: its district of the same name
            yield from _namesakes_inside(units, country, unit_id, bare, kind)


def _namesakes_inside(
    units: UnitIndex, country: str, unit_id: str, bare: str, kind: str
) -> Iterable[str]:
    level = units.units[unit_id].level
    for child in units.units[unit_id].children:
        unit = units.units[child]
        fits = unit.level == level and _kind_fits(units, child, kind)
        if fits and _bare(units, country, unit.name) == bare:
            yield child


def _kind_fits(units: UnitIndex, unit_id: str, kind: str) -> bool:
    is_division = units.units[unit_id].kind == "division"
    return kind == "any" or (kind == "division") == is_division


def _bare(units: UnitIndex, country: str, name: str) -> str:
    return strip_designators(normalise(name), units.designators.get(country, ()))


def _check_country(units: UnitIndex, country: str, path: Path) -> None:
    if not units.has_country(country):
        raise InputError(path, f"no administrative units are loaded for country {country!r}")


# --- reading and storing -------------------------------------------------------------


def _read(
    path: Path, required: tuple[str, ...]
) -> tuple[SourceFile, list[tuple[int, dict[str, str]]]]:
    """The file's identity and its non-blank records as dicts, each with its line."""
    source = inspect(path)
    with open_text(source) as (text, _):
        records = csv_records(text)
        _, header = next(records, (1, []))
        names = [name.strip().lstrip("\ufeff") for name in header]
        missing = [column for column in required if column not in names]
        if missing:
            raise FormatError(path, f"missing column(s): {', '.join(missing)}")
        rows = []
        for line, record in records:
            if not any(value.strip() for value in record):
                continue
            if len(record) != len(names):
                raise InputError(
                    path, f"{len(record)} fields where the header has {len(names)}", line
                )
            rows.append((line, dict(zip(names, record, strict=True))))
    return source, rows


def _population(
    country: str,
    line: int,
    unit_id: str | None,
    place: str,
    year: int,
    bounds: tuple[float, float],
    measure: str,
    source: str,
    **optional: str | None,
) -> dict[str, Any]:
    """A ``populations`` row; ``optional`` holds group, url and note."""
    low, high = bounds
    return {
        "unit_id": unit_id,
        "country_iso3": country,
        "place_name": place,
        "group_name": optional.get("group"),
        "year": year,
        "value": (low + high) / 2,
        "value_low": low,
        "value_high": high,
        "measure": measure,
        "source": source,
        "source_url": optional.get("url"),
        "note": optional.get("note"),
        "line": line,
    }


def _store(
    conn: sa.Connection, source: SourceFile, rows: list[dict[str, Any]], result: PopulationImport
) -> None:
    """Replace earlier rows of this file or of the same figures, then insert ``rows``."""
    table = schema.populations
    stale = _stale_ids(conn, source.sha256, rows)
    for start in range(0, len(stale), _DELETE_CHUNK):
        chunk = stale[start : start + _DELETE_CHUNK]
        conn.execute(sa.delete(table).where(table.c.id.in_(chunk)))
    if rows:
        extra = {"file_name": source.path.name, "file_sha256": source.sha256}
        conn.execute(sa.insert(table), [{**row, **extra} for row in rows])
    result.rows, result.replaced = len(rows), len(stale)


def _stale_ids(conn: sa.Connection, sha256: str, rows: list[dict[str, Any]]) -> list[int]:
    table = schema.populations
    keys = {_figure_key(row) for row in rows}
    sources = sorted({row["source"] for row in rows})
    query = sa.select(
        table.c.id,
        table.c.file_sha256,
        table.c.source,
        table.c.country_iso3,
        table.c.unit_id,
        table.c.place_name,
        table.c.group_name,
        table.c.year,
    ).where(sa.or_(table.c.file_sha256 == sha256, table.c.source.in_(sources)))
    return sorted(
        row.id
        for row in conn.execute(query)
        if row.file_sha256 == sha256 or _figure_key(row._mapping) in keys
    )


def _figure_key(row: Any) -> tuple[Any, ...]:
    """What one figure is about: source, country, unit (or place), group and year."""
    where = row["unit_id"] or f"place:{normalise(row['place_name'])}"
    group = normalise(row["group_name"]) if row["group_name"] else None
    return (row["source"], row["country_iso3"], where, group, row["year"])


# --- reading denominators ------------------------------------------------------------


def denominators(
    conn: sa.Connection,
    unit_id: str | None,
    group: str | None = None,
    year: int | None = None,
    *,
    place: str | None = None,
    country: str | None = None,
) -> list[Denominator]:
    """The figures for a unit and group (None: the whole population), nearest year first.

    With ``unit_id`` None the figures without a unit are searched: a country as a whole
    (``place="Pakistan"``) or a neighbourhood (``place="Quetta - Hazara Town"``). Groups
    and places compare case- and punctuation-insensitively. Without ``year`` the latest
    comes first. Each figure says whether other sources disagree about it.

    ``group`` names a group exactly (compared without case and punctuation); when no
    figure has exactly that group, the groups whose name begins with it are returned.
    """
    table = schema.populations
    query = sa.select(table).where(
        table.c.unit_id == unit_id if unit_id else table.c.unit_id.is_(None)
    )
    query = query.where(table.c.group_name.is_(None)) if group is None else query
    query = query.where(table.c.country_iso3 == country) if country else query
    found = [_denominator(row) for row in conn.execute(query)]
    if group is not None:
        found = _in_group(found, group)
    if place is not None:
        found = [d for d in found if normalise(d.place_name) == normalise(place)]
    return sorted(_mark_disagreements(found), key=lambda d: _order(d, year))


def _in_group(found: list[Denominator], group: str) -> list[Denominator]:
    """The figures for exactly ``group``; failing that, for groups whose name starts with it
    ("Hazara" finds "Hazara (ethnic, mostly Shia)" and any other Hazara group)."""
    wanted = normalise(group)
    exact = [d for d in found if d.group and normalise(d.group) == wanted]
    if exact:
        return exact
    return [d for d in found if d.group and f"{normalise(d.group)} ".startswith(f"{wanted} ")]


def _denominator(row: Any) -> Denominator:
    return Denominator(
        unit_id=row.unit_id,
        place_name=row.place_name,
        group=row.group_name,
        year=row.year,
        value=row.value,
        low=_or(row.value_low, row.value),
        high=_or(row.value_high, row.value),
        measure=row.measure,
        source=row.source,
        source_url=row.source_url,
        note=row.note,
        country=row.country_iso3,
        file_name=row.file_name,
        line=row.line,
    )


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _mark_disagreements(found: list[Denominator]) -> list[Denominator]:
    """Flag figures for one place, group, year and measure that sources give differently."""
    by_subject: dict[tuple[Any, ...], list[Denominator]] = defaultdict(list)
    for item in found:
        where = item.unit_id or normalise(item.place_name)
        group = normalise(item.group) if item.group else None
        by_subject[(where, group, item.year, item.measure)].append(item)
    marked = []
    for items in by_subject.values():
        differ = len({(d.low, d.high) for d in items}) > 1 and len({d.source for d in items}) > 1
        marked += [_with_disagreement(d) for d in items] if differ else items
    return marked


def _with_disagreement(item: Denominator) -> Denominator:
    return replace(item, sources_disagree=True)


def _order(item: Denominator, year: int | None) -> tuple[Any, ...]:
    distance = abs(item.year - year) if year is not None else 0
    return (distance, -item.year, item.source, item.line)
