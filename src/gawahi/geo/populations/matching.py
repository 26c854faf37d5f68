"""Matching the place names of population tables to administrative units."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gawahi.errors import InputError
from gawahi.geo.names import normalise, strip_designators
from gawahi.geo.units import UnitIndex


@dataclass(frozen=True)
class _Resolved:
    unit_id: str | None
    method: str
    reason: str = ""


def resolve_name(
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


def check_country(units: UnitIndex, country: str, path: Path) -> None:
    if not units.has_country(country):
        raise InputError(path, f"no administrative units are loaded for country {country!r}")
