"""Cited group estimates (Hazara, Shia, ...): a range, a source and a reliability note."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gawahi.errors import InputError
from gawahi.geo.populations.figures import PopulationImport
from gawahi.geo.populations.matching import resolve_name
from gawahi.geo.populations.storing import TableReader, import_table, population_row
from gawahi.geo.units import UnitIndex

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
_DELETE_CHUNK = 500


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
    return import_table(
        conn,
        units,
        path,
        country=country,
        columns=ESTIMATE_COLUMNS,
        reader=_EstimateReader,
        allow_unmatched=allow_unmatched,
    )


class _EstimateReader(TableReader):
    """Turns estimate records into ``populations`` rows, one per record."""

    def rows(self, line: int, record: dict[str, str]) -> list[dict[str, Any]]:
        return [self.row(line, record)]

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
        return population_row(
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
        found = resolve_name(self.units, self.country, place, SCOPE_LEVELS[scope], kind, None)
        if found.unit_id is None and scope == "city":
            found = resolve_name(self.units, self.country, place, None, "any", None)
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
