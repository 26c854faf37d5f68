"""Dates as sources give them: exact days, spans, months, years and free text.

Every date becomes a ``DateSpan``: the first and last day it can mean, and how
precise it is. A month-only date spans the whole month, so later steps (linkage,
counts per year) can widen their windows instead of trusting a made-up day.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from dateutil import parser as dateutil_parser

from gawahi.incidents.record import DatePrecision

# A leading weekday, misspelt or not ("Thursay-Aug 27-2015" is in Pakistan Body Count).
_WEEKDAY = re.compile(r"^\s*(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\s*[-,]?\s*", re.IGNORECASE)
_SEPARATORS = re.compile(r"[-,/]+")
_MONTH_NAME = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b", re.IGNORECASE
)
# Two defaults that differ in every part: a part the text lacks shows up as a difference.
_DEFAULT_A = datetime(2001, 1, 1)
_DEFAULT_B = datetime(2002, 2, 2)


@dataclass(frozen=True, slots=True)
class DateSpan:
    start: date
    end: date
    precision: DatePrecision


def day_span(day: date) -> DateSpan:
    return DateSpan(day, day, DatePrecision.DAY)


def month_span(year: int, month: int) -> DateSpan:
    last = calendar.monthrange(year, month)[1]
    return DateSpan(date(year, month, 1), date(year, month, last), DatePrecision.MONTH)


def year_span(year: int) -> DateSpan:
    return DateSpan(date(year, 1, 1), date(year, 12, 31), DatePrecision.YEAR)


def from_parts(year: int, month: int, day: int) -> DateSpan:
    """Year, month and day where 0 means unknown (GTD's convention)."""
    if month == 0:
        return year_span(year)
    if day == 0:
        return month_span(year, month)
    return day_span(date(year, month, day))


def parse_iso_day(text: str) -> date:
    """``2021-12-31``, ``2021-12-31 00:00:00.000`` or ``2021-12-31T00:00:00``."""
    return date.fromisoformat(text.strip()[:10])


def parse_free_date(text: str) -> DateSpan:
    """Free-text dates such as ``Sunday-November 19-1995`` or ``Friday, June 18, 2004``;
    a range of days in one month (``July 5-7-2011``, ``5-7 July 2011``) is a span.

    Raises ``ValueError`` with a reason when the text is not one date.
    """
    cleaned = _SEPARATORS.sub(" ", _WEEKDAY.sub("", text)).strip()
    if not cleaned:
        raise ValueError("empty date")
    numbers = re.findall(r"\d+", cleaned)
    years = [n for n in numbers if len(n) == 4]
    if len(years) != 1:
        raise ValueError("not a date with one four-digit year")
    days = [n for n in numbers if len(n) <= 2]
    if len(days) == 2 and _MONTH_NAME.search(cleaned):
        return _day_range(cleaned, days, years[0])
    if len(days) > 1 and _MONTH_NAME.search(cleaned):
        raise ValueError("several day numbers; give one date or a range of two days")
    try:
        a = dateutil_parser.parse(cleaned, default=_DEFAULT_A)
        b = dateutil_parser.parse(cleaned, default=_DEFAULT_B)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"not a date ({exc})") from None
    if a.year != b.year:
        raise ValueError("no year in the date")
    if a.month != b.month:
        return year_span(a.year)
    if a.day != b.day:
        return month_span(a.year, a.month)
    return day_span(a.date())


def _day_range(cleaned: str, days: list[str], year: str) -> DateSpan:
    named = _MONTH_NAME.search(cleaned)
    month = dateutil_parser.parse(f"{named.group(0) if named else ''} 1 {year}")
    first, last = sorted(int(d) for d in days)
    try:
        start, end = date(int(year), month.month, first), date(int(year), month.month, last)
    except ValueError as exc:
        raise ValueError(f"not a date ({exc})") from None
    return DateSpan(start, end, DatePrecision.DAY if start == end else DatePrecision.DAYS)


def weekday_conflict(text: str, day: date) -> str | None:
    """The weekday a text names, when it disagrees with the date it gives."""
    match = _WEEKDAY.match(text)
    if not match:
        return None
    named = match.group(1).lower()[:3]
    actual = calendar.day_abbr[day.weekday()].lower()
    return None if named == actual else match.group(0).strip(" -,")
