"""Any CSV, JSON or JSON Lines file, read through a YAML mapping that says which column is what.

Community registers (a Hazara organisation's list of killings in Quetta, a rights
group's spreadsheet) each have their own columns. Their keepers write a mapping
(docs/mapping.md); it is checked strictly before a row is read, because a typo
in a mapping must be an error naming the key, never a silently empty field.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from gawahi.errors import FormatError, Problem
from gawahi.incidents.countries import iso3
from gawahi.incidents.dates import (
    DateSpan,
    day_span,
    month_span,
    parse_free_date,
    parse_iso_day,
    weekday_conflict,
    year_span,
)
from gawahi.incidents.record import (
    Actor,
    Citation,
    DatePrecision,
    Incident,
)
from gawahi.sources.base import PROGRESS_EVERY, DatasetInfo, Format, Parsed, ProgressFn, header_key
from gawahi.sources.mapping import FieldSpec, TableMapping, convert, load_mapping
from gawahi.sources.rows import Row
from gawahi.sources.textfile import SourceFile, csv_records, open_text

MAX_ID = 80
TOLL_ORDER = (
    ("deaths_low", "deaths_best"),
    ("deaths_best", "deaths_high"),
    ("deaths_low", "deaths_high"),
)
# Urdu, Arabic and Hindi registers write digits in their own script; strptime reads ASCII only.
_DIGITS = str.maketrans(
    {chr(base + n): str(n) for base in (0x660, 0x6F0, 0x966) for n in range(10)}
)
_RANK = (
    DatePrecision.DAY,
    DatePrecision.DAYS,
    DatePrecision.WEEK,
    DatePrecision.MONTH,
    DatePrecision.YEAR,
    DatePrecision.UNKNOWN,
)  # most to least precise
_SUFFIX_FORMATS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}


class MappedFormat(Format):
    """A CSV, JSON or JSON Lines file read through a mapping; never guessed from a header."""

    name = "tabular"
    title = "CSV or JSON file read through a mapping"

    def __init__(self, mapping: TableMapping) -> None:
        self.mapping = mapping
        self.source = mapping.source
        self.encoding = mapping.encoding
        self.id_field = "+".join(mapping.id_columns)  # the writer names it for duplicate ids

    @classmethod
    def load(cls, path: Path | str) -> MappedFormat:
        """Read and check a mapping file; ConfigError names the file and the key when wrong."""
        return cls(load_mapping(Path(path)))

    def detect(self, source: SourceFile, header: list[str]) -> bool:
        return False

    def dataset_info(self, source: SourceFile, version: str | None = None) -> DatasetInfo:
        info = self.mapping.dataset
        return dataclasses.replace(info, version=version or info.version)

    def read(self, source: SourceFile, progress: ProgressFn) -> Iterator[Parsed]:
        if source.is_xlsx:
            raise FormatError(
                source.path,
                "a mapping reads CSV, JSON or JSON Lines; save the sheet as CSV (UTF-8) first",
            )
        kind = self.mapping.file_format or _SUFFIX_FORMATS.get(
            Path(source.inner_name).suffix.lower(), "csv"
        )
        readers = {"csv": self._read_csv, "json": self._read_json, "jsonl": self._read_lines}
        return readers[kind](source, progress)

    def _read_csv(self, source: SourceFile, progress: ProgressFn) -> Iterator[Parsed]:
        with open_text(source) as (text, position):
            records = csv_records(text)
            try:
                _, header = next(records)
            except StopIteration:
                raise FormatError(source.path, "the file is empty") from None
            columns = [header_key(h) for h in header]
            self._check_header(source, columns, 1)
            for count, (line, values) in enumerate(records):
                if count % PROGRESS_EVERY == 0:
                    progress(position())
                yield self._csv_row(line, header, columns, values)
            progress(position())

    def _csv_row(
        self, line: int, header: list[str], columns: list[str], values: list[str]
    ) -> Parsed:
        if not any(v.strip() for v in values):
            return Parsed(line, skipped="blank row")
        if len(values) != len(columns):
            reason = f"row has {len(values)} fields, the header has {len(columns)}"
            return Parsed(line, problems=[Problem(line, "(row)", "", reason)])
        raw = dict(zip(header, values, strict=True))
        return self._parsed(
            Row(line, dict(zip(columns, values, strict=True)), self.mapping.nulls), raw
        )

    def _read_json(self, source: SourceFile, progress: ProgressFn) -> Iterator[Parsed]:
        progress(0)
        records = self._json_records(source)
        if records:
            keys = {header_key(str(k)) for r in records if isinstance(r, dict) for k in r}
            self._check_header(source, sorted(keys), None)
        for number, record in enumerate(records, start=1):
            yield self._object(number, record)
        progress(source.size)

    def _json_records(self, source: SourceFile) -> list[Any]:
        with open_text(source) as (text, _):
            content = text.read()
        try:
            loaded = orjson.loads(content)
        except orjson.JSONDecodeError as exc:
            raise FormatError(source.path, f"not JSON ({exc})") from None
        for depth, key in enumerate(self.mapping.records_path, start=1):
            if not isinstance(loaded, dict) or key not in loaded:
                wanted = ".".join(self.mapping.records_path[:depth])
                raise FormatError(
                    source.path,
                    f"no {wanted!r} in the file (the records_path "
                    f"of mapping {self.mapping.path.name})",
                )
            loaded = loaded[key]
        if not isinstance(loaded, list):
            raise FormatError(
                source.path,
                "not a list of records; if the list is inside an "
                "object, name it with records_path in the mapping",
            )
        return loaded

    def _read_lines(self, source: SourceFile, progress: ProgressFn) -> Iterator[Parsed]:
        keys: set[str] = set()
        with open_text(source) as (text, position):
            for number, line in enumerate(text, start=1):
                if number % PROGRESS_EVERY == 0:
                    progress(position())
                yield self._json_line(number, line, keys)
        progress(source.size)
        # Streamed, so the columns are known only at the end; raising here still
        # rolls the whole import back.
        if keys:
            self._check_header(source, sorted(keys), None)

    def _json_line(self, number: int, line: str, keys: set[str]) -> Parsed:
        text = line.strip()
        if not text:
            return Parsed(number, skipped="blank line")
        try:
            record = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            return Parsed(
                number, problems=[Problem(number, "(line)", text[:200], f"not JSON ({exc})")]
            )
        if isinstance(record, dict):
            keys.update(header_key(str(k)) for k in record)
        return self._object(number, record)

    def _object(self, number: int, record: Any) -> Parsed:
        if not isinstance(record, dict):
            shown = orjson.dumps(record).decode()[:200]
            return Parsed(
                number, problems=[Problem(number, "(record)", shown, "not a JSON object")]
            )
        values = {header_key(str(k)): _json_text(v) for k, v in record.items()}
        if all(v in ("", []) for v in values.values()):
            return Parsed(number, skipped="empty record")
        return self._parsed(Row(number, values, self.mapping.nulls), record)

    def _check_header(self, source: SourceFile, columns: list[str], line: int | None) -> None:
        doubled = sorted(
            c for c, n in Counter(columns).items() if n > 1 and c in self.mapping.columns()
        )
        if doubled:
            raise FormatError(
                source.path, f"more than one column is called {', '.join(doubled)}", line
            )
        missing = sorted(self.mapping.columns() - set(columns))
        if missing:
            shown = ", ".join(columns[:20]) + (" ..." if len(columns) > 20 else "")
            raise FormatError(
                source.path,
                f"columns named in mapping {self.mapping.path.name} "
                f"are not in the file: {', '.join(missing)} "
                f"(the file has: {shown})",
                line,
            )

    def _parsed(self, row: Row, raw: dict[str, Any]) -> Parsed:
        incident = self.parse(row, raw)
        if row.problems:
            return Parsed(row.line, problems=row.problems)
        return Parsed(row.line, incident=incident, warnings=row.warnings)

    def parse(self, row: Row, raw: dict[str, Any]) -> Incident:
        """One row as an incident; every problem in it goes to ``row.problems``."""
        source_id, when = self._source_id(row), self._when(row)
        values = {name: self._field(row, name, spec) for name, spec in self.mapping.fields.items()}
        self._check_tolls(row, values)
        if "country_iso3" not in values:
            values["country_iso3"] = self._country_code(row, values.get("country"))
        return Incident(
            source=self.source,
            source_id=source_id,
            raw=raw,
            **when,
            **{k: v for k, v in values.items() if v is not None},
            actors=self._actors(row),
            citations=self._citations(row),
        )

    def _field(self, row: Row, name: str, spec: FieldSpec) -> Any:
        text = _text(row, spec.column) if spec.column else None
        if text is not None and spec.map:
            text = spec.map.get(text.casefold(), text)
        if text is None:
            text = spec.default
        return None if text is None else convert(row, name, spec.column or f"fields.{name}", text)

    def _source_id(self, row: Row) -> str:
        parts = [row.required(column) or "" for column in self.mapping.id_columns]
        joined = "-".join(parts)
        if len(joined) > MAX_ID:
            row.problem(self.id_field, joined, f"an id must be at most {MAX_ID} characters")
        return joined

    def _check_tolls(self, row: Row, values: dict[str, Any]) -> None:
        """A low figure above a best or high one is a typing slip: reported, not guessed at."""
        for low, high in TOLL_ORDER:
            if (
                values.get(low) is not None
                and values.get(high) is not None
                and values[low] > values[high]
            ):
                label = self.mapping.fields[low].column or f"fields.{low}"
                other = self.mapping.fields[high].column or f"fields.{high}"
                row.problem(label, values[low], f"greater than {other} ({values[high]})")
                return

    def _country_code(self, row: Row, country: str | None) -> str | None:
        code = iso3(country)
        if country and code is None:
            row.warn(
                self.mapping.fields["country"].column or "fields.country",
                country,
                "not a country name gawahi knows; country_iso3 left empty",
            )
        return code

    def _when(self, row: Row) -> dict[str, Any]:
        spec = self.mapping.date
        if spec.column:
            span, text = self._span(row, spec.column, required=True), _text(row, spec.column)
        else:
            span, text = self._range(row, spec.start_column or "", spec.end_column), None
        if span is not None and spec.precision is not None:
            span = self._register_precision(row, span, spec.precision)
        if span is None:
            return {"date_text": text}
        return {
            "date_start": span.start,
            "date_end": span.end,
            "date_precision": span.precision,
            "date_text": text,
        }

    def _register_precision(self, row: Row, span: DateSpan, spec: FieldSpec) -> DateSpan:
        """The register's own precision widens a date; one narrower than the text is not trusted."""
        precision = self._field(row, "date_precision", spec)
        if not precision:
            return span
        if _RANK.index(precision) < _RANK.index(span.precision):
            row.warn(
                spec.column or "date.precision",
                precision,
                f"narrower than the date as written; {span.precision} kept",
            )
            return span
        return _widen(span, precision)

    def _range(self, row: Row, start_column: str, end_column: str | None) -> DateSpan | None:
        start = self._span(row, start_column, required=True)
        end = self._span(row, end_column, required=False) if end_column else None
        if start is None or end is None:
            return start
        if end.end < start.start:
            row.problem(end_column or "", _text(row, end_column or ""), f"before {start_column}")
            return None
        if (start.start, start.end) == (end.start, end.end):
            return start
        return DateSpan(start.start, end.end, _span_precision(start.start, end.end))

    def _span(self, row: Row, column: str, required: bool) -> DateSpan | None:
        text = row.required(column) if required else _text(row, column)
        if text is None:
            return None
        reason = ""
        for fmt in self.mapping.date.formats:
            try:
                span = _parse_date(text.translate(_DIGITS), fmt)
            except ValueError as exc:
                reason = str(exc)
                continue
            conflict = weekday_conflict(text, span.start)
            if conflict:
                row.warn(column, text, f"{conflict!r} does not match {span.start:%A}; date kept")
            return span
        if len(self.mapping.date.formats) > 1:
            reason = f"not a date in any of the formats {', '.join(self.mapping.date.formats)}"
        row.problem(column, text, reason)
        return None

    def _actors(self, row: Row) -> list[Actor]:
        return [
            Actor(name, spec.role)
            for spec in self.mapping.actors
            for name in _items(row, spec.column, spec.split, spec.map)
        ]

    def _citations(self, row: Row) -> list[Citation]:
        found: list[Citation] = []
        for spec in self.mapping.citations:
            parts = {
                part: _items(row, column, spec.split, {}) for part, column in spec.columns.items()
            }
            lengths = {len(items) for items in parts.values()} - {0, 1}
            if len(lengths) > 1:
                row.problem(
                    " / ".join(spec.columns.values()),
                    "",
                    f"these columns list different numbers of items ({spec.split!r})",
                )
                continue
            for index in range(max(lengths, default=1)):
                # A part with a single item (one publisher, several links) goes with each.
                cited = {
                    part: items[index] if len(items) > 1 else (items or [None])[0]
                    for part, items in parts.items()
                }
                if any(cited.values()):
                    found.append(Citation(**cited))
        return found


def _text(row: Row, column: str) -> str | None:
    """A column's text; a JSON list is shown as its items joined with '; '."""
    value = row.values.get(column)
    if isinstance(value, list):
        items = [item.strip() for item in value if item.strip() not in row.nulls]
        return "; ".join(items) or None
    return row.text(column)


def _items(row: Row, column: str, split: str | None, mapped: dict[str, str]) -> list[str]:
    value = row.values.get(column)
    if isinstance(value, list):
        items = value
    else:
        text = row.text(column)
        items = [] if text is None else text.split(split) if split else [text]
    cleaned = [item.strip() for item in items if item.strip() not in row.nulls]
    return [mapped.get(item.casefold(), item) for item in cleaned]


def _json_text(value: Any) -> Any:
    # Values become text, as a CSV gives them, so one set of converters reads both;
    # a list of plain values stays a list (its items are actors or citations).
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return [_json_text(v) for v in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return str(value)


def _parse_date(text: str, fmt: str) -> DateSpan:
    """One date in one format, as a span as wide as the format is vague."""
    if fmt == "free":
        return parse_free_date(text)
    if fmt == "iso":
        return _iso_span(text)
    try:
        day = datetime.strptime(text, fmt).date()
    except ValueError:
        raise ValueError(f"not a date in the format {fmt!r}") from None
    if "%d" in fmt or "%j" in fmt:
        return day_span(day)
    return month_span(day.year, day.month) if re.search("%[mbB]", fmt) else year_span(day.year)


def _iso_span(text: str) -> DateSpan:
    try:
        if len(text) >= 10:
            return day_span(parse_iso_day(text))
        if len(text) == 7:
            month = datetime.strptime(text, "%Y-%m")
            return month_span(month.year, month.month)
        if len(text) == 4 and text.isdigit():
            return year_span(int(text))
    except ValueError:
        pass
    raise ValueError("not a date (YYYY-MM-DD, YYYY-MM or YYYY)")


def _span_precision(start: Any, end: Any) -> DatePrecision:
    """What a from-to range says about how well the date is known (UCDP's bands)."""
    days = (end - start).days + 1
    for limit, precision in (
        (1, DatePrecision.DAY),
        (6, DatePrecision.DAYS),
        (7, DatePrecision.WEEK),
        (31, DatePrecision.MONTH),
    ):
        if days <= limit:
            return precision
    return DatePrecision.YEAR


def _widen(span: DateSpan, precision: DatePrecision) -> DateSpan:
    """A span labelled ``precision``, widened to the whole month or year when it says so."""
    start, end = span.start, span.end
    wider = {
        DatePrecision.MONTH: month_span(start.year, start.month),
        DatePrecision.YEAR: year_span(start.year),
    }.get(precision)
    if wider is not None:
        start, end = min(start, wider.start), max(end, wider.end)
    return DateSpan(start, end, precision)
