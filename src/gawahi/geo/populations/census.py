"""The tidy census table: whole populations per province, division and district, by census year."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gawahi.errors import InputError
from gawahi.geo.names import normalise
from gawahi.geo.populations.figures import PopulationImport
from gawahi.geo.populations.matching import resolve_name
from gawahi.geo.populations.storing import TableReader, import_table, population_row
from gawahi.geo.units import UnitIndex

CENSUS_SOURCE = "Pakistan Bureau of Statistics, Population and Housing Census 2017, Table 1"
CENSUS_COLUMNS = ("source_table", "province", "admin_unit", "level", "pop_2017", "pop_1998")


def import_census(
    conn: sa.Connection,
    units: UnitIndex,
    path: Path,
    *,
    country: str,
    allow_unmatched: bool = False,
) -> PopulationImport:
    """Import the tidy 2017 census Table 1 CSV: 2017 and 1998 totals per unit.

    Each ``admin_unit`` is matched to a unit of ``country`` inside its province. A name
    that matches no unit, or several, fails the import with its line, unless
    ``allow_unmatched``: then the row is kept without a unit and listed in ``unmatched``.
    """
    return import_table(
        conn,
        units,
        path,
        country=country,
        columns=CENSUS_COLUMNS,
        reader=_CensusReader,
        allow_unmatched=allow_unmatched,
    )


class _CensusReader(TableReader):
    """Turns census records into ``populations`` rows, one per unit and year."""

    def __init__(
        self, units: UnitIndex, country: str, path: Path, allow: bool, result: PopulationImport
    ) -> None:
        super().__init__(units, country, path, allow, result)
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
        found = resolve_name(self.units, self.country, name, 2, "district", territory)
        if territory is None or found.unit_id is None:
            return []
        self.result.notes.append(
            f"line {line}: {name} is stored for both {territory} and {found.unit_id}"
        )
        return [(found.unit_id, name)]

    def unit(self, line: int, name: str, level: int, kind: str, within: str | None) -> str | None:
        found = resolve_name(self.units, self.country, name, level, kind, within)
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
        return population_row(
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
