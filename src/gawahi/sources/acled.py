"""ACLED (Armed Conflict Location & Event Data) CSV exports, current and older layouts.

Codebook facts used here (ACLED Codebook; the 2023 column changes guide):

``time_precision`` 1: the sources give the actual date. 2: the event happened some time
during a week (or weekend, or a similar short period) and ``event_date`` is the middle of
that period, so the event lies within 3 days either side: date -3..+3 days, precision
"week". 3: only the month is known and ``event_date`` is a day in it (ACLED takes the
mid-point): the whole calendar month, precision "month".

``geo_precision`` 1: the named town, with its own coordinates ("exact"). 2: near a town
or in a small part of a region, coded to a town standing for that area ("near").
3: only a larger region is known and the point is a natural feature in it (a border
area, a forest) or, failing that, the provincial capital. ACLED still fills ``admin1``
for these events, so they are "admin1": counted for the province, never for the town
whose coordinates they borrow.

``actor1`` and ``actor2`` "do not imply directionality" (codebook), so ``actor1`` is
recorded as a perpetrator and ``actor2`` as a perpetrator too (the other side of a
battle or clash), except in one-sided events, where ``actor2`` is the target: violence
against civilians, events flagged ``civilian_targeting``, an ``inter2`` of civilians
(code 7), and excessive force against protesters. ``assoc_actor_1``/``assoc_actor_2``
("; "-separated) are associated actors, listed after their main actor; which side they
stand with stays readable in the raw row.

Older exports (before March 2023) have ``data_id``, ``event_id_no_cnty`` and ``iso3``,
no ``disorder_type``, ``civilian_targeting`` or ``tags``, and dates like "15 January 2023".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, ClassVar

import pycountry

from gawahi.incidents.countries import iso3
from gawahi.incidents.dates import DateSpan, day_span, month_span, parse_iso_day
from gawahi.incidents.record import (
    Actor,
    ActorRole,
    Citation,
    DatePrecision,
    Incident,
    LocationPrecision,
)
from gawahi.sources.base import CsvFormat, is_hxl_row
from gawahi.sources.rows import Row

SOURCE = "acled"
TIME_PRECISION = {"1": DatePrecision.DAY, "2": DatePrecision.WEEK, "3": DatePrecision.MONTH}
GEO_PRECISION = {
    "1": LocationPrecision.EXACT,
    "2": LocationPrecision.NEAR,
    "3": LocationPrecision.ADMIN1,
}
WEEK_HALF = timedelta(days=3)
REQUIRED = frozenset(
    {
        "event_id_cnty",
        "event_date",
        "time_precision",
        "event_type",
        "actor1",
        "country",
        "latitude",
        "longitude",
        "geo_precision",
        "fatalities",
    }
)
# English month names, not calendar.month_name, which follows the process locale.
_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTHS = (
    {name: number for number, name in enumerate(_MONTHS, start=1)}
    | {name[:3]: number for number, name in enumerate(_MONTHS, start=1)}
    | {"sept": 9}
)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_NAMED_DAY = re.compile(r"(\d{1,2})[\s/-]+([A-Za-z]+)\.?[\s/,-]+(\d{4})")
_NUMERIC_DAY = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
# A coordinate written with a decimal comma (semicolon-separated files from European Excel).
_DECIMAL_COMMA = re.compile(r"-?\d{1,3},\d+")
_ISO3 = re.compile(r"[A-Za-z]{3}")
_ONE_SIDED_EVENTS = frozenset({"violence against civilians"})
_ONE_SIDED_SUB_EVENTS = frozenset({"excessive force against protesters"})
_CIVILIANS = frozenset({"7", "civilians"})  # inter2: numeric code, or the label newer exports use


class AcledCsv(CsvFormat):
    name = SOURCE
    title = "Armed Conflict Location & Event Data (ACLED)"
    publisher = "Armed Conflict Location & Event Data Project (ACLED)"
    licence = "ACLED Terms of Use: attribution required; redistribution of the data restricted"
    citation = (
        "Raleigh, Clionadh, Roudabeh Kishi and Andrew Linke (2023). Political instability "
        "patterns are obscured by conflict dataset scope conditions, sources, and coding "
        "choices. Humanities and Social Sciences Communications 10, 74. "
        "Armed Conflict Location & Event Data Project (ACLED), www.acleddata.com."
    )
    url = "https://acleddata.com/"
    required: ClassVar[frozenset[str]] = REQUIRED
    id_field = "event_id_cnty"

    def skip_reason(self, values: dict[str, str]) -> str | None:
        # HDX copies of ACLED carry an HXL hashtag row (#event+code ...) under the header.
        if is_hxl_row(values):
            return "HXL hashtag row (HDX), not an event"
        return None

    def parse(self, row: Row) -> Incident:
        return Incident(
            source=SOURCE,
            source_id=row.required("event_id_cnty") or "",
            raw=row.raw,  # as the file has it (its own column names)
            **_when(row),
            **_where(row),
            violence_type=row.text("disorder_type"),
            event_type=_event_type(row),
            description=row.text("notes"),
            # ACLED gives one figure, a conservative estimate: no range to report.
            deaths_best=row.integer("fatalities"),
            actors=_actors(row),
            citations=[Citation(publisher=name) for name in _names(row.text("source"))],
        )


def parse_acled_date(text: str) -> date:
    """``2023-01-15`` (current exports) or ``15 January 2023`` / ``15-January-2023`` (older).

    All-numeric dates such as ``05/01/2023`` are refused: ACLED never writes them, and a
    file re-saved by a spreadsheet may have turned day and month around.
    """
    text = text.strip()
    try:
        if _ISO_DAY.fullmatch(text):
            return parse_iso_day(text)
        named = _NAMED_DAY.fullmatch(text)
        if named and named.group(2).lower() in MONTHS:
            day, month, year = named.groups()
            return date(int(year), MONTHS[month.lower()], int(day))
    except ValueError as exc:  # a well-formed date that does not exist (31 February)
        raise ValueError(f"not a date ({exc})") from None
    if _NUMERIC_DAY.fullmatch(text):
        raise ValueError(
            "all-numeric date: day and month order unknown "
            "(ACLED writes YYYY-MM-DD or '15 January 2023')"
        )
    raise ValueError("not a date (expected YYYY-MM-DD or '15 January 2023')")


def _when(row: Row) -> dict[str, Any]:
    day = _event_day(row)
    precision = row.coded("time_precision", TIME_PRECISION, "ACLED")
    span = _span(day, precision) if day is not None and precision is not None else None
    return {
        "date_start": span.start if span else None,
        "date_end": span.end if span else None,
        "date_precision": span.precision if span else DatePrecision.UNKNOWN,
        "date_text": None,  # the date is exact; its doubt is in the span and precision
    }


def _event_day(row: Row) -> date | None:
    text = row.required("event_date")
    if text is None:
        return None
    try:
        day = parse_acled_date(text)
    except ValueError as exc:
        row.problem("event_date", text, str(exc))
        return None
    year = row.integer("year", minimum=None)
    # The year column is ACLED's own; disagreeing, it shows a misread or damaged date.
    if year is not None and year != day.year:
        row.problem("event_date", text, f"is in {day.year} but the year column says {year}")
    return day


def _span(day: date, precision: DatePrecision) -> DateSpan:
    if precision is DatePrecision.WEEK:
        return DateSpan(day - WEEK_HALF, day + WEEK_HALF, DatePrecision.WEEK)
    if precision is DatePrecision.MONTH:
        return month_span(day.year, day.month)
    return day_span(day)


def _where(row: Row) -> dict[str, Any]:
    country = row.text("country")
    return {
        "country": country,
        "country_iso3": _country_iso3(row, country),
        "admin1": row.text("admin1"),
        "admin2": row.text("admin2"),
        "admin3": row.text("admin3"),
        "place": row.text("location"),
        "latitude": _coordinate(row, "latitude", 90),
        "longitude": _coordinate(row, "longitude", 180),
        "location_precision": row.coded("geo_precision", GEO_PRECISION, "ACLED")
        or LocationPrecision.UNKNOWN,
        "source_location_precision": row.text("geo_precision"),
    }


def _country_iso3(row: Row, country: str | None) -> str | None:
    """Older exports' own ``iso3``; else the numeric ``iso`` (exact); else the name."""
    given = row.text("iso3")
    if given and _ISO3.fullmatch(given):
        return given.upper()
    if given:
        row.warn("iso3", given, "not an ISO 3166 alpha-3 code; ignored")
    numeric = _numeric_iso3(row)
    named = iso3(country)
    if numeric and named and numeric != named:
        row.warn(
            "iso",
            row.text("iso"),
            f"is {numeric}, but country {country!r} reads as {named}; {numeric} kept",
        )
    code = numeric or named
    if code is None:
        row.warn("country", country, "no ISO 3166 code found; country_iso3 left empty")
    return code


def _numeric_iso3(row: Row) -> str | None:
    text = row.text("iso")
    if text is None:
        return None
    number = text[:-2] if text.endswith(".0") else text
    if not number.isdigit():
        row.warn("iso", text, "not a numeric ISO 3166 code; ignored")
        return None
    # ACLED writes 0 where ISO has no code (Kosovo): the name decides then.
    return numeric_to_alpha3(int(number))


@lru_cache(maxsize=512)
def numeric_to_alpha3(number: int) -> str | None:
    """ISO 3166-1 numeric (586) to alpha-3 (PAK), from pycountry's copy of the standard."""
    found = pycountry.countries.get(numeric=f"{number:03d}")
    return found.alpha_3 if found is not None else None


def _coordinate(row: Row, field: str, limit: int) -> float | None:
    text = row.text(field)
    if text is not None and _DECIMAL_COMMA.fullmatch(text):
        number: float | None = float(text.replace(",", "."))
    else:
        number = row.decimal(field, -math.inf, math.inf)
    # Checked here, not by Row.decimal, so the problem shows the value as the file has it.
    if number is not None and abs(number) > limit:
        row.problem(field, text, f"must be between {-limit} and {limit}")
        return None
    return number


def _event_type(row: Row) -> str | None:
    kind, sub = row.text("event_type"), row.text("sub_event_type")
    if kind and sub:
        return f"{kind}: {sub}"
    return kind or sub


def _actors(row: Row) -> list[Actor]:
    actors: list[Actor] = []
    sides = (
        ("actor1", "assoc_actor_1", ActorRole.PERPETRATOR),
        ("actor2", "assoc_actor_2", _actor2_role(row)),
    )
    for main, associated, role in sides:
        name = row.text(main)
        if name:
            actors.append(Actor(name, role))
        actors.extend(Actor(other, ActorRole.ASSOCIATED) for other in _names(row.text(associated)))
    return actors


def _actor2_role(row: Row) -> ActorRole:
    return ActorRole.TARGET if one_sided(row.text) else ActorRole.PERPETRATOR


def one_sided(text: Callable[[str], str | None]) -> bool:
    """Whether actor2 was attacked rather than fought (``text`` reads a column)."""
    return (
        (text("event_type") or "").lower() in _ONE_SIDED_EVENTS
        or (text("sub_event_type") or "").lower() in _ONE_SIDED_SUB_EVENTS
        or (text("inter2") or "").lower() in _CIVILIANS
        or text("civilian_targeting") is not None
    )


def _names(text: str | None) -> list[str]:
    """ACLED's ``"; "``-separated lists (associated actors, sources)."""
    return [part.strip() for part in text.split(";") if part.strip()] if text else []
