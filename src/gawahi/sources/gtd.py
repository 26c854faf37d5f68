"""Global Terrorism Database (GTD, START, University of Maryland): CSV (optionally gzip) and XLSX.

START's column layout (``eventid, iyear, imonth, iday, ... INT_ANY, related``) is read
from CSV exports, including R re-exports whose first column is an unnamed row index
and whose eventid header is spelt ``ï..eventid``, and from START's own .xlsx workbook.
Both paths turn every cell into text and share one parser, so the same release gives
the same records whichever file it came in.

Codebook facts and the choices made here:

- Dates: ``iday`` 0 means the day is unknown (the record spans the month), ``imonth`` 0
  the month (it spans the year). ``approxdate`` is GTD's own wording and is kept as
  ``date_text``. An ``extended`` (1) incident lasted more than 24 hours; ``resolution``
  (``M/D/YYYY``, or a date cell in XLSX) is the day it ended and becomes ``date_end``.
  The precision stays that of the start: both ends are known to the day, so the span
  is the incident's duration, not doubt about when it began. Without a resolution
  (ongoing, or not recorded) the end is that of the start span. A resolution before
  the start is a data-entry slip: it is noted and not used.
- ``specificity`` (codebook, "geocoding specificity"): 1 the incident was in a
  city/village/town and the point is that place; 2 it was in a city/village/town with
  no coordinates found, so the point is the centroid of the smallest subnational
  region identified; 3 it was not in a city/village/town, the point is that region's
  centroid; 4 no second-order region could be identified, the point is the centre of
  the first-order region (province); 5 not even that is known, coordinates are empty.
  ``vicinity`` 1 means "in the immediate vicinity of the city", not in it: with
  specificity 1 the point is then near, not exact. The raw code is kept.
- ``nkill`` is every death, perpetrators included (``nkillter`` counts those); an
  empty value is unknown, and -9/-99, GTD's unknown codes in numeric fields, are read
  as unknown too. GTD gives one figure, no range, so deaths low/high stay empty. Where
  sources gave a total for a series of related attacks, GTD splits it evenly
  (``nkill`` 3.75, see ``related``/``addnotes``): the share is rounded to the nearest
  whole number (half to even) with a warning, and the exact value stays in the raw row.
- Actors: ``gname``, ``gname2``, ``gname3`` are perpetrators. "Unknown" is GTD's code for
  "not attributed", not a group: it stays in the raw row and makes no actor (else it
  would be counted as the most active group). For each target slot 1-3 the attacked
  entity (``corp``) and GTD's words for the target (``target``) become target actors,
  so later tagging (profiles/) finds victim groups such as "Shiite pilgrims" there,
  even in the many older records without a summary. "Unknown", "Unk" and "Not
  Applicable" are skipped. The target category (``targtype1_txt``) stays in the raw row.
- Citations: ``scite1``-``scite3`` are full references; each is kept whole as text with
  its first URL, if any. ``dbsource`` names the legacy database a record came from, not
  a publisher of what it cites, so it stays in the raw row.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Any, ClassVar

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from gawahi.errors import FormatError
from gawahi.incidents.countries import iso3
from gawahi.incidents.dates import DateSpan, from_parts, parse_iso_day
from gawahi.incidents.record import (
    Actor,
    ActorRole,
    Citation,
    DatePrecision,
    Incident,
    LocationPrecision,
)
from gawahi.sources.base import PROGRESS_EVERY, CsvFormat, Parsed, ProgressFn, header_key
from gawahi.sources.rows import Row
from gawahi.sources.textfile import SourceFile, open_bytes

SOURCE = "gtd"
# R writes NA for a missing value; older GTD releases leave "." in empty *_txt fields.
NULLS = frozenset({"", "NA", "."})
UNKNOWN_NUMBER = (-9.0, -99.0)
NOT_A_NAME = frozenset({"unknown", "unk", "unk.", "not applicable", "n/a"})
REQUIRED = frozenset(
    {
        "eventid",
        "iyear",
        "imonth",
        "iday",
        "country_txt",
        "provstate",
        "city",
        "specificity",
        "gname",
        "nkill",
    }
)
SPECIFICITY = {
    "1": LocationPrecision.EXACT,
    # The smallest subnational region identified: a district (admin 2) in practice;
    # when it is only a province GTD codes 4, so admin2 never claims too much.
    "2": LocationPrecision.ADMIN2,
    "3": LocationPrecision.ADMIN2,
    "4": LocationPrecision.ADMIN1,
    "5": LocationPrecision.COUNTRY,  # no province known: only the country is
}
_EVENT_ID = re.compile(r"(\d+)(?:\.0+)?")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_URL = re.compile(r"https?://[^\s\"“”<>]+")
# START names releases by month and year: globalterrorismdb_0718dist, ..._2021Jan-June_1222dist.
_RELEASE_IN_NAME = re.compile(r"(\d{4}dist)", re.IGNORECASE)


class _GtdFormat(CsvFormat):
    """One parser for both file kinds; the subclasses differ only in what they detect."""

    title = "Global Terrorism Database (GTD)"
    publisher = (
        "National Consortium for the Study of Terrorism and Responses to Terrorism "
        "(START), University of Maryland"
    )
    licence = (
        "START GTD Terms of Use: non-commercial use with citation; no redistribution "
        "without START's written permission"
    )
    citation = (
        "National Consortium for the Study of Terrorism and Responses to Terrorism "
        "(START), University of Maryland. Global Terrorism Database (GTD) [data file]. "
        "https://www.start.umd.edu/gtd"
    )
    url = "https://www.start.umd.edu/gtd"
    required: ClassVar[frozenset[str]] = REQUIRED
    nulls: ClassVar[frozenset[str]] = NULLS
    id_field = "eventid"

    def read(self, source: SourceFile, progress: ProgressFn) -> Iterator[Parsed]:
        # Asked for by name, either class reads either kind of file.
        if source.is_xlsx:
            yield from self._read_sheet(source, progress)
        else:
            yield from super().read(source, progress)

    def _read_sheet(self, source: SourceFile, progress: ProgressFn) -> Iterator[Parsed]:
        with _sheet_records(source) as records:
            header = self._header(source, records)
            columns = [header_key(h) for h in header]
            for count, (line, values) in enumerate(records):
                if count % PROGRESS_EVERY == 0:
                    progress(records.position())
                yield self._parse_record(line, header, columns, _fit(values, len(columns)))
        progress(source.size)

    def parse(self, row: Row) -> Incident:
        return Incident(
            source=SOURCE,
            source_id=_event_id(row),
            raw=row.raw,
            **_when(row),
            **_where(row),
            event_type=row.text("attacktype1_txt"),
            description=row.text("summary"),
            deaths_best=_count(row, "nkill"),
            injured=_count(row, "nwound"),
            actors=_actors(row),
            citations=_citations(row),
        )

    def version_of(self, source: SourceFile) -> str | None:
        match = _RELEASE_IN_NAME.search(source.path.name)
        return match.group(1) if match else None


class GtdCsv(_GtdFormat):
    name = "gtd"

    def detect(self, source: SourceFile, header: list[str]) -> bool:
        return not source.is_xlsx and super().detect(source, header)


class GtdXlsx(_GtdFormat):
    name = "gtd-xlsx"

    def detect(self, source: SourceFile, header: list[str]) -> bool:
        return source.is_xlsx and super().detect(source, header)


def _event_id(row: Row) -> str:
    text = row.required("eventid")
    match = _EVENT_ID.fullmatch(text or "")
    if text is not None and match is None:
        # 1.97E+11 (a spreadsheet's rounding) would merge distinct incidents.
        row.problem("eventid", text, "not a GTD event id (digits, YYYYMMDDNNNN)")
    return match.group(1) if match else text or ""


def _when(row: Row) -> dict[str, Any]:
    span = _start(row)
    return {
        "date_start": span.start if span else None,
        "date_end": _end(row, span) if span else None,
        "date_precision": span.precision if span else DatePrecision.UNKNOWN,
        "date_text": row.text("approxdate"),
    }


def _start(row: Row) -> DateSpan | None:
    year, month, day = (
        _date_part(row, field, high)
        for field, high in (("iyear", 9999), ("imonth", 12), ("iday", 31))
    )
    if year is None or month is None or day is None:
        return None
    try:
        return from_parts(year, month, day)
    except ValueError as exc:
        row.problem("iday", f"{year}-{month}-{day}", f"not a date ({exc})")
        return None


def _date_part(row: Row, field: str, high: int) -> int | None:
    if row.required(field) is None:
        return None
    number = row.integer(field, minimum=1 if field == "iyear" else 0)
    if number is not None and number > high:
        row.problem(field, number, f"must be at most {high}")
        return None
    return number


def _end(row: Row, span: DateSpan) -> date:
    text = row.text("resolution")
    extended = row.text("extended") in ("1", "1.0")
    if text is None or not extended:
        if text is not None:
            row.warn("resolution", text, "given but extended is not 1; not used")
        return span.end
    end = _resolution_day(text)
    if end is None:
        row.warn("resolution", text, "not a date (M/D/YYYY); the end date is not known")
        return span.end
    if end < span.start:
        row.warn("resolution", text, f"before the start {span.start}; not used")
        return span.end
    return end


def _resolution_day(text: str) -> date | None:
    """``2/3/1974`` (month/day/year, START's CSV) or ``1974-02-03`` (a workbook date cell)."""
    match = _US_DATE.fullmatch(text)
    try:
        if match:
            month, day, year = (int(part) for part in match.groups())
            return date(year, month, day)
        return parse_iso_day(text)
    except ValueError:
        return None


def _where(row: Row) -> dict[str, Any]:
    country = row.text("country_txt")
    return {
        "country": country,
        "country_iso3": _country_code(row, country),
        "admin1": _named(row, "provstate"),
        "place": _named(row, "city"),
        "location_text": row.text("location"),
        "latitude": row.decimal("latitude", -90, 90),
        "longitude": row.decimal("longitude", -180, 180),
        "location_precision": _location_precision(row),
        "source_location_precision": _code(row.text("specificity")),
    }


def _country_code(row: Row, country: str | None) -> str | None:
    if country is None:
        return None
    try:
        code = iso3(country)
    except KeyError:  # countrynames fails on some retired codes (East Germany, Zaire)
        code = None
    # Former states come back as 4-letter ISO 3166-3 codes (SUHH, YUCS): no ISO3 fits.
    if code is not None and len(code) == 3:
        return code
    row.warn(
        "country_txt",
        country,
        "no current ISO 3166 alpha-3 code (a former state or "
        "not a country); country_iso3 left empty",
    )
    return None


def _named(row: Row, field: str) -> str | None:
    """A place name; GTD's "Unknown" is not one, so geocoding never looks it up."""
    text = row.text(field)
    return None if text is None or text.lower() in NOT_A_NAME else text


def _code(text: str | None) -> str | None:
    return text[:-2] if text and text.endswith(".0") else text


def _location_precision(row: Row) -> LocationPrecision:
    code = _code(row.text("specificity"))
    if code is None:
        return LocationPrecision.UNKNOWN
    precision = SPECIFICITY.get(code)
    if precision is None:
        row.problem("specificity", code, "not a GTD specificity code (expected 1 to 5)")
        return LocationPrecision.UNKNOWN
    if precision is LocationPrecision.EXACT and _code(row.text("vicinity")) == "1":
        return LocationPrecision.NEAR
    return precision


def _count(row: Row, field: str) -> int | None:
    """A casualty count: unknown codes read as None, an even share of a series rounded."""
    number = row.decimal(field, -99, 10_000_000)
    if number is None or number in UNKNOWN_NUMBER:
        return None
    if number < 0:
        row.problem(field, row.text(field), "below 0 (GTD writes -9 or -99 for unknown)")
        return None
    if number.is_integer():
        return int(number)
    rounded = round(number)
    row.warn(
        field,
        row.text(field),
        f"a share of a total split across related incidents; "
        f"read as {rounded}, the exact value stays in the raw row",
    )
    return rounded


def _actors(row: Row) -> list[Actor]:
    groups = _names(row, ("gname", "gname2", "gname3"))
    targets = _names(row, [f"{kind}{n}" for n in (1, 2, 3) for kind in ("corp", "target")])
    return [Actor(name, ActorRole.PERPETRATOR) for name in groups] + [
        Actor(name, ActorRole.TARGET) for name in targets
    ]


def _names(row: Row, fields: Iterable[str]) -> list[str]:
    """The fields' names in order, each once, without GTD's "Unknown"/"Not Applicable"."""
    names = (_named(row, field) for field in fields)
    return list(dict.fromkeys(name for name in names if name))


def _citations(row: Row) -> list[Citation]:
    cited = (row.text(field) for field in ("scite1", "scite2", "scite3"))
    return [Citation(url=_first_url(text), text=text) for text in cited if text]


def _first_url(text: str) -> str | None:
    match = _URL.search(text)
    if match is None:
        return None
    url = match.group(0).rstrip(".,;:'’")
    # "(see http://x.org/a)" closes a bracket the URL did not open.
    return url[:-1] if url.endswith(")") and url.count("(") < url.count(")") else url


def _fit(values: list[str], width: int) -> list[str]:
    """A sheet row to the header's width: Excel stores no trailing empty cells."""
    if len(values) < width:
        return values + [""] * (width - len(values))
    if len(values) > width and not any(v.strip() for v in values[width:]):
        return values[:width]
    return values


class _SheetRecords:
    """The first worksheet's rows as text, numbered as the spreadsheet numbers them.

    One pass only, like a CSV reader: the header is taken with ``next`` and the loop
    carries on from the second row.
    """

    def __init__(self, rows: Iterable[tuple[Any, ...]], declared_rows: int, size: int) -> None:
        self._rows = enumerate(rows, start=1)
        self._declared = declared_rows
        self._size = size
        self._line = 0

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return self

    def __next__(self) -> tuple[int, list[str]]:
        line, cells = next(self._rows)
        self._line = line
        values = [cell_text(cell) for cell in cells]
        return line, _trim(values) if line == 1 else values

    def position(self) -> int:
        # A workbook is compressed XML: bytes read say little, so rows stand in for them.
        if not self._declared:
            return 0
        return min(self._size, self._size * self._line // self._declared)


def _trim(values: list[str]) -> list[str]:
    while values and not values[-1].strip():
        values.pop()
    return values


@contextmanager
def _sheet_records(source: SourceFile) -> Iterator[_SheetRecords]:
    workbook = _open_workbook(source)
    try:
        sheet = workbook.worksheets[0]
        declared = sheet.max_row or 0
        # A wrong <dimension> in the file would cut rows off unseen in read-only mode.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        yield _SheetRecords(_rows_or_format_error(source, rows), declared, source.size)
    finally:
        workbook.close()


def _rows_or_format_error(
    source: SourceFile,
    rows: Iterable[tuple[Any, ...]],
) -> Iterator[tuple[Any, ...]]:
    try:
        yield from rows
    except (KeyError, ValueError, SyntaxError) as exc:  # a damaged sheet XML part
        raise FormatError(source.path, f"damaged Excel worksheet ({exc})") from None


def _open_workbook(source: SourceFile) -> Any:
    try:
        if source.compression is None:
            return openpyxl.load_workbook(source.path, read_only=True, data_only=True)
        # openpyxl needs to seek in the zip that an .xlsx is; a .gz or zip member cannot.
        with open_bytes(source) as (data, _):
            content = io.BytesIO(data.read())
        return openpyxl.load_workbook(content, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise FormatError(source.path, f"not a readable Excel workbook ({exc})") from None


def cell_text(value: Any) -> str:
    """A cell as the CSV export writes it: 1970 not 1970.0, full float precision, None ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def xlsx_header(source: SourceFile) -> list[str]:
    """The first row of the first worksheet, as text (for format detection)."""
    with _sheet_records(source) as records:
        for _, values in records:
            return values
    return []
