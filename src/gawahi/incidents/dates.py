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
    """Free-text dates such as ``Sunday-November 19-1995`` or ``Friday, June 18, 2004``.

    Raises ``ValueError`` with a reason when the text is not a date.
    """
    cleaned = _SEPARATORS.sub(" ", _WEEKDAY.sub("", text)).strip()
    if not cleaned:
        raise ValueError("empty date")
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


def weekday_conflict(text: str, day: date) -> str | None:
    """The weekday a text names, when it disagrees with the date it gives."""
    match = _WEEKDAY.match(text)
    if not match:
        return None
    named = match.group(1).lower()[:3]
    actual = calendar.day_abbr[day.weekday()].lower()
    return None if named == actual else match.group(0).strip(" -,")
