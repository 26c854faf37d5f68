"""Dates as the sources write them."""

from __future__ import annotations

from datetime import date

import pytest

from gawahi.incidents.dates import from_parts, parse_free_date, weekday_conflict
from gawahi.incidents.record import DatePrecision


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Sunday-November 19-1995", date(1995, 11, 19)),
        ("Thursday-Oct-22-2015", date(2015, 10, 22)),
        ("Thursay-Aug 27-2015", date(2015, 8, 27)),
        ("Wednesday-April-05-2017", date(2017, 4, 5)),
        ("Friday, June 18, 2004", date(2004, 6, 18)),
        ("15 January 2023", date(2023, 1, 15)),
    ],
)
def test_free_text_days(text: str, day: date) -> None:
    span = parse_free_date(text)
    assert (span.start, span.end, span.precision) == (day, day, DatePrecision.DAY)


def test_month_and_year_only_dates_span_their_period() -> None:
    month = parse_free_date("November 1995")
    assert (month.start, month.end, month.precision) == (
        date(1995, 11, 1),
        date(1995, 11, 30),
        DatePrecision.MONTH,
    )
    year = parse_free_date("2016")
    assert (year.start, year.end, year.precision) == (
        date(2016, 1, 1),
        date(2016, 12, 31),
        DatePrecision.YEAR,
    )


@pytest.mark.parametrize("text", ["", "Someday", "November"])
def test_not_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_free_date(text)


def test_gtd_style_parts_with_zero_for_unknown() -> None:
    assert from_parts(2012, 2, 0).end == date(2012, 2, 29)
    assert from_parts(2012, 0, 0).precision == DatePrecision.YEAR
    assert from_parts(2012, 2, 17).precision == DatePrecision.DAY


def test_weekday_conflicts_are_named() -> None:
    assert weekday_conflict("Saturday-Mar 07-2016", date(2016, 3, 7)) == "Saturday"
    assert weekday_conflict("Monday-Mar 07-2016", date(2016, 3, 7)) is None


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("Tuesday-July 5-7-2011", date(2011, 7, 5), date(2011, 7, 7)),
        ("Nov 2-3 2010", date(2010, 11, 2), date(2010, 11, 3)),
        ("5-7 July 2011", date(2011, 7, 5), date(2011, 7, 7)),
    ],
)
def test_a_range_of_days_is_a_span_in_the_right_year(text: str, first: date, last: date) -> None:
    span = parse_free_date(text)
    assert (span.start, span.end, span.precision) == (first, last, DatePrecision.DAYS)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1 2 3 July 2011", "several day numbers"),
        ("July 2010 or 2011", "one four-digit year"),
        ("31-32 July 2011", "not a date"),
    ],
)
def test_ambiguous_free_dates_are_refused(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_free_date(text)
