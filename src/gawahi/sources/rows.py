"""One source row being read: typed access to its fields that collects problems.

Converters never raise on bad values: they record a ``Problem`` naming the line,
field and value, and return ``None``, so every problem in a row is reported at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from gawahi.errors import Problem
from gawahi.incidents.dates import DateSpan, parse_free_date, parse_iso_day, weekday_conflict

T = TypeVar("T")
DEFAULT_NULLS = frozenset({""})


class Row:
    """A row's values by column name, its line number, and the problems found so far."""

    __slots__ = ("line", "nulls", "problems", "raw", "values", "warnings")

    def __init__(
        self,
        line: int,
        values: Mapping[str, Any],
        nulls: frozenset[str] = DEFAULT_NULLS,
        raw: dict[str, Any] | None = None,
    ):
        self.line = line
        self.values = values
        self.raw = dict(values) if raw is None else raw  # the row as the file has it
        self.nulls = nulls
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def problem(self, field: str, value: object, reason: str) -> None:
        self.problems.append(Problem(self.line, field, "" if value is None else str(value), reason))

    def warn(self, field: str, value: object, reason: str) -> None:
        """Something odd that does not stop the row: kept in the import report."""
        self.warnings.append(Problem(self.line, field, "" if value is None else str(value), reason))

    def text(self, field: str) -> str | None:
        """The stripped text of a field, or None when it is empty or a null marker."""
        value = self.values.get(field)
        if not value:
            return None
        text = value.strip() if isinstance(value, str) else str(value).strip()
        return None if not text or text in self.nulls else text

    def required(self, field: str) -> str | None:
        text = self.text(field)
        if text is None:
            self.problem(field, self.values.get(field), "required value is missing")
        return text

    def integer(
        self,
        field: str,
        minimum: int | None = 0,
        unknown: tuple[int, ...] = (),
        strict: bool = True,
    ) -> int | None:
        """An integer (``12``, ``12.0``); values in ``unknown`` (such as GTD's -99) mean None.

        ``strict=False`` is for secondary figures (injured, civilians among the dead):
        a bad value there becomes unknown with a warning instead of rejecting the row,
        and "40+" is read as 40 (a lower bound), also with a warning.
        """
        if not strict:
            return self._lenient_integer(field, minimum)
        number = self._convert(field, _to_int, "not a whole number")
        if number is None or number in unknown:
            return None
        if minimum is not None and number < minimum:
            self.problem(field, number, f"must be at least {minimum}")
            return None
        return number

    def _lenient_integer(self, field: str, minimum: int | None) -> int | None:
        text = self.text(field)
        if text is None:
            return None
        if text.endswith("+") and text[:-1].strip().isdigit():
            self.warn(field, text, f"read as {text[:-1].strip()} (a lower bound)")
            return int(text[:-1])
        try:
            number = _to_int(text)
        except (ValueError, OverflowError):
            self.warn(field, text, "not a whole number; taken as unknown")
            return None
        if minimum is not None and number < minimum:
            self.warn(field, text, f"below {minimum}; taken as unknown")
            return None
        return number

    def decimal(self, field: str, low: float, high: float) -> float | None:
        number = self._convert(field, _to_float, "not a number")
        if number is not None and not low <= number <= high:
            self.problem(field, self.text(field), f"must be between {low:g} and {high:g}")
            return None
        return number

    def coded(self, field: str, codes: Mapping[str, T], codebook: str) -> T | None:
        """A required code from a codebook (``3`` or ``3.0``), or a problem naming the choices."""
        text = self.required(field)
        if text is None:
            return None
        key = text[:-2] if text.endswith(".0") else text
        if key not in codes:
            self.problem(field, text, f"not a {codebook} code (expected one of {', '.join(codes)})")
            return None
        return codes[key]

    def iso_day(self, field: str, required: bool = True) -> date | None:
        text = self.required(field) if required else self.text(field)
        return (
            None if text is None else self._convert(field, parse_iso_day, "not a date (YYYY-MM-DD)")
        )

    def free_date(self, field: str) -> DateSpan | None:
        """A free-text date; a weekday that disagrees with the date is noted, not fatal."""
        text = self.required(field)
        if text is None:
            return None
        try:
            span = parse_free_date(text)
        except ValueError as exc:
            self.problem(field, text, str(exc))
            return None
        conflict = weekday_conflict(text, span.start)
        if conflict:
            self.warn(field, text, f"{conflict!r} does not match {span.start:%A}; date kept")
        return span

    def death_range(
        self, low_field: str, high_field: str, strict: bool = True
    ) -> tuple[int | None, int | None]:
        """A min/max pair; one figure alone is both; a reversed pair is put in order and noted."""
        low = self.integer(low_field, strict=strict)
        high = self.integer(high_field, strict=strict)
        low, high = (high, high) if low is None else (low, low if high is None else high)
        if low is not None and high is not None and low > high:
            self.warn(low_field, low, f"greater than {high_field} {high}; the two were swapped")
            low, high = high, low
        return low, high

    def _convert(self, field: str, convert: Callable[[str], T], reason: str) -> T | None:
        text = self.text(field)
        if text is None:
            return None
        try:
            return convert(text)
        except (ValueError, OverflowError):
            self.problem(field, text, reason)
            return None


def _to_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():
            raise
        return int(number)


def _to_float(text: str) -> float:
    number = float(text)
    if math.isnan(number) or math.isinf(number):
        raise ValueError(text)
    return number
