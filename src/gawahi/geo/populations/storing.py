"""Population tables: reading their records and storing their rows, one transaction."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gawahi.errors import FormatError, InputError
from gawahi.geo.names import normalise
from gawahi.geo.populations.figures import PopulationImport
from gawahi.geo.populations.matching import check_country
from gawahi.geo.units import UnitIndex
from gawahi.sources.textfile import SourceFile, csv_records, inspect, open_text
from gawahi.store import schema

_DELETE_CHUNK = 500


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


def population_row(
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


class TableReader(ABC):
    """Turns one table's records into ``populations`` rows (see census.py, estimates.py)."""

    def __init__(
        self, units: UnitIndex, country: str, path: Path, allow: bool, result: PopulationImport
    ) -> None:
        self.units, self.country, self.path = units, country, path
        self.allow, self.result = allow, result

    @abstractmethod
    def rows(self, line: int, record: dict[str, str]) -> list[dict[str, Any]]:
        """The rows of one record (line ``line`` of the file)."""

    def summarise(self) -> None:
        """Notes on the whole file, once every record is read (none by default)."""
        return None


def import_table(
    conn: sa.Connection,
    units: UnitIndex,
    path: Path,
    *,
    country: str,
    columns: tuple[str, ...],
    reader: type[TableReader],
    allow_unmatched: bool,
) -> PopulationImport:
    """Check every record of ``path``, then store them all (or, on an error, nothing)."""
    path = Path(path)
    check_country(units, country, path)
    source, records = _read(path, columns)
    result = PopulationImport(path.name, file_sha256=source.sha256)
    table = reader(units, country, path, allow_unmatched, result)
    rows = [row for line, record in records for row in table.rows(line, record)]
    table.summarise()
    _store(conn, source, rows, result)
    return result
