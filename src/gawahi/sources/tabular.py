"""Any CSV, JSON or JSON Lines file, read through a YAML mapping that says which column is what.

Community registers (a Hazara organisation's list of killings in Quetta, a rights
group's spreadsheet) each have their own columns. Their keepers write a mapping
(docs/mapping.md); it is checked strictly before a row is read, because a typo
in a mapping must be an error naming the key, never a silently empty field.
"""

from __future__ import annotations

import codecs
import dataclasses
import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn

import orjson
import yaml

from gawahi.errors import ConfigError, FormatError, Problem
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
    ActorRole,
    Citation,
    DatePrecision,
    Incident,
    LocationPrecision,
)
from gawahi.sources import registry
from gawahi.sources.base import PROGRESS_EVERY, DatasetInfo, Format, Parsed, ProgressFn, header_key
from gawahi.sources.rows import DEFAULT_NULLS, Row
from gawahi.sources.textfile import SourceFile, csv_records, open_text

TOP_KEYS = ("dataset", "source", "format", "records_path", "id", "encoding", "date", "fields",
            "actors", "citations", "nulls")
DATASET_KEYS = ("name", "publisher", "version", "licence", "citation", "url")
DATE_KEYS = ("column", "start_column", "end_column", "format", "precision")
FIELD_KEYS = ("column", "default", "map")
ACTOR_KEYS = ("column", "role", "split", "map")
CITATION_PARTS = ("url", "publisher", "date", "headline", "text")
FILE_FORMATS = ("csv", "json", "jsonl")
SOURCE_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SOURCE = 39  # the store's uid is source ":" id in 120 characters; ids get 80
# A mapped source must never share a name with a built-in one (every registry format,
# and these): its rows would overwrite that publisher's records of the same id.
RESERVED = frozenset({"tabular", "manual"})
NOT_MAPPED = {
    "source": "set by 'source' at the top of the mapping",
    "source_id": "set by 'id' at the top of the mapping",
    "raw": "the row as read is always kept",
    **dict.fromkeys(("date_start", "date_end", "date_precision", "date_text"),
                    "dates are read as the 'date' block says"),
    "actors": "list actors under 'actors'",
    "citations": "list citations under 'citations'",
}
FIELDS = tuple(f.name for f in dataclasses.fields(Incident) if f.name not in NOT_MAPPED)
INTEGERS = frozenset({"deaths_best", "deaths_low", "deaths_high", "deaths_civilians", "injured"})
BOUNDS = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}
ENUMS: dict[str, type[StrEnum]] = {"location_precision": LocationPrecision,
                                   "date_precision": DatePrecision}


class _TextLoader(yaml.SafeLoader):
    """YAML where every scalar stays text as written, and a key given twice is an error.

    Plain YAML reads ``no`` as false, ``1.10`` as 1.1 and ``2013-03-12`` as a date;
    in a mapping these are null markers, versions and map keys, so they stay text.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key_node.value!r} is given twice",
                        key_node.start_mark)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


_KEEP_TAGS = ("tag:yaml.org,2002:null", "tag:yaml.org,2002:merge")
_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag in _KEEP_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """Where one value comes from: a column, translated through ``map``, else ``default``."""

    column: str | None = None
    default: str | None = None
    map: dict[str, str] = field(default_factory=dict)  # keys casefolded


@dataclass(frozen=True, slots=True)
class DateSpec:
    column: str | None
    start_column: str | None
    end_column: str | None
    formats: tuple[str, ...]
    precision: FieldSpec | None


@dataclass(frozen=True, slots=True)
class ActorSpec:
    column: str
    role: ActorRole
    split: str | None
    map: dict[str, str]


@dataclass(frozen=True, slots=True)
class CitationSpec:
    columns: dict[str, str]  # Citation part -> column
    split: str | None


@dataclass(frozen=True, slots=True)
class TableMapping:
    """A checked mapping file; column names are compared as ``header_key`` compares them."""

    path: Path
    source: str
    dataset: DatasetInfo
    file_format: str | None
    records_path: tuple[str, ...]
    id_columns: tuple[str, ...]
    encoding: str | None
    date: DateSpec
    fields: dict[str, FieldSpec]
    actors: tuple[ActorSpec, ...]
    citations: tuple[CitationSpec, ...]
    nulls: frozenset[str]

    def columns(self) -> set[str]:
        """Every column the mapping reads: each must be in the file."""
        specs = [*self.fields.values(), self.date.precision]
        named = {*self.id_columns, *(s.column for s in specs if s is not None)}
        named |= {self.date.column, self.date.start_column, self.date.end_column}
        named |= {a.column for a in self.actors}
        named |= {c for cited in self.citations for c in cited.columns.values()}
        return {c for c in named if c}


class _MappingReader:
    """Reads a mapping file key by key; the first wrong key is a ConfigError naming it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, reason: str) -> NoReturn:
        raise ConfigError(f"{self.path}: {key}: {reason}" if key else f"{self.path}: {reason}")

    def read(self) -> TableMapping:
        top = self.block(self._yaml(), "", TOP_KEYS, ("dataset", "source", "id", "date"))
        file_format = self.choice(top.get("format"), "format", FILE_FORMATS)
        return TableMapping(
            path=self.path, source=self._source(top["source"]),
            dataset=self._dataset(top["dataset"]), file_format=file_format,
            records_path=self._records_path(top.get("records_path"), file_format),
            id_columns=tuple(self.column(c, "id") or "" for c in self.texts(top["id"], "id")),
            encoding=self._encoding(top.get("encoding")), date=self._date(top["date"]),
            fields=self._fields(top.get("fields")),
            actors=tuple(self.items(top.get("actors"), "actors", self._actor)),
            citations=tuple(self.items(top.get("citations"), "citations", self._citation)),
            nulls=DEFAULT_NULLS | frozenset(self._nulls(top.get("nulls"))),
        )

    def _yaml(self) -> Any:
        try:
            text = self.path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise ConfigError(f"{self.path}: no such mapping file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{self.path}: cannot read the mapping file ({exc})") from None
        try:
            loaded = yaml.load(text, Loader=_TextLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f", line {mark.line + 1}" if mark is not None else ""
            reason = getattr(exc, "problem", None) or str(exc)
            raise ConfigError(f"{self.path}{where}: not valid YAML ({reason})") from None
        if loaded is None:
            self.fail("", "the mapping file is empty")
        return loaded

    def block(self, value: Any, key: str, allowed: tuple[str, ...],
              required: tuple[str, ...] = ()) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key, "must be a block of 'name: value' lines")
        prefix = f"{key}." if key else ""
        for name in value:
            if name not in allowed:
                close = difflib.get_close_matches(str(name), allowed, n=1)
                hint = (f"did you mean {prefix + close[0]!r}?" if close
                        else f"known keys: {', '.join(allowed)}")
                raise ConfigError(f"{self.path}: unknown key {prefix + str(name)!r} ({hint})")
        for name in required:
            if value.get(name) is None:
                raise ConfigError(f"{self.path}: missing key {prefix + name!r}")
        return value

    def text(self, value: Any, key: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "must be a text value")
        return value.strip()

    def texts(self, value: Any, key: str) -> list[str]:
        """One text value, or a list of them."""
        items = value if isinstance(value, list) else [value]
        if not items:
            self.fail(key, "must not be an empty list")
        return [self.text(item, key) or "" for item in items]

    def column(self, value: Any, key: str) -> str | None:
        text = self.text(value, key)
        return None if text is None else header_key(text)

    def choice(self, value: Any, key: str, choices: tuple[str, ...]) -> str | None:
        text = self.text(value, key)
        if text is not None and text not in choices:
            self.fail(key, f"{text!r} is not one of {', '.join(choices)}")
        return text

    def items(self, value: Any, key: str, build: Callable[[Any, str], Any]) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(key, "must be a list (one '- ' line per item)")
        return [build(item, f"{key}.{number}") for number, item in enumerate(value, start=1)]

    def _source(self, value: Any) -> str:
        text = self.text(value, "source") or ""
        if not SOURCE_NAME.fullmatch(text) or len(text) > MAX_SOURCE:
            self.fail("source", f"{text!r} must be lowercase letters, digits and single hyphens, "
                                f"at most {MAX_SOURCE} characters")
        if text in RESERVED or text in registry.formats():
            self.fail("source", f"{text!r} is a built-in source; choose a name of your own")
        return text

    def _dataset(self, value: Any) -> DatasetInfo:
        block = self.block(value, "dataset", DATASET_KEYS, ("name",))
        parts = {name: self.text(block.get(name), f"dataset.{name}") for name in DATASET_KEYS}
        return DatasetInfo(name=parts.pop("name") or "", **parts)

    def _records_path(self, value: Any, file_format: str | None) -> tuple[str, ...]:
        text = self.text(value, "records_path")
        if text is None:
            return ()
        if file_format not in (None, "json"):
            self.fail("records_path", "only a 'json' file has a records path")
        return tuple(text.split("."))

    def _encoding(self, value: Any) -> str | None:
        text = self.text(value, "encoding")
        if text is not None:
            try:
                codecs.lookup(text)
            except LookupError:
                self.fail("encoding", f"unknown encoding {text!r}")
        return text

    def _nulls(self, value: Any) -> list[str]:
        items = value if isinstance(value, list) else [value] if value is not None else []
        if not all(isinstance(item, str) for item in items):
            self.fail("nulls", "must be a list of text values")
        return [item.strip() for item in items]

    def _date(self, value: Any) -> DateSpec:
        block = self.block(value, "date", DATE_KEYS)
        column, start, end = (self.column(block.get(k), f"date.{k}")
                              for k in ("column", "start_column", "end_column"))
        if (column is None) == (start is None) or (end is not None and start is None):
            self.fail("date", "give either 'column', or 'start_column' and maybe 'end_column'")
        formats = self.texts(block.get("format") or "iso", "date.format")
        precision = block.get("precision")
        return DateSpec(column, start, end, tuple(self._date_format(f) for f in formats),
                        None if precision is None
                        else self._spec(precision, "date.precision", "date_precision"))

    def _date_format(self, text: str) -> str:
        if text in ("iso", "free"):
            return text
        if "%Y" not in text and "%y" not in text:
            self.fail("date.format", f"{text!r} has no year (%Y or %y)")
        try:  # a format that cannot read back what it writes is misspelt
            datetime.strptime(datetime(2001, 2, 3).strftime(text), text)
        except ValueError as exc:
            self.fail("date.format", f"{text!r} is not a strptime format ({exc})")
        return text

    def _fields(self, value: Any) -> dict[str, FieldSpec]:
        for name in value or {}:
            if name in NOT_MAPPED:
                self.fail(f"fields.{name}", NOT_MAPPED[name])
        block = self.block(value or {}, "fields", FIELDS)
        specs = {name: self._spec(spec, f"fields.{name}", name) for name, spec in block.items()}
        for one, other in (("latitude", "longitude"), ("longitude", "latitude")):
            if one in specs and other not in specs:
                self.fail(f"fields.{one}", f"map 'fields.{other}' too")
        country = specs.get("country")
        if country and country.default and "country_iso3" not in specs and not iso3(
                country.default):
            self.fail("fields.country.default", f"{country.default!r} is not a country name "
                                                "gawahi knows; give fields.country_iso3 too")
        return specs

    def _spec(self, value: Any, key: str, name: str) -> FieldSpec:
        if not isinstance(value, dict):
            return FieldSpec(column=self.column(value, key))
        block = self.block(value, key, FIELD_KEYS)
        column = self.column(block.get("column"), f"{key}.column")
        default = self.text(block.get("default"), f"{key}.default")
        if column is None and default is None:
            self.fail(key, "give a 'column', a 'default', or both")
        mapped = self._map(block.get("map"), f"{key}.map")
        if mapped and column is None:
            self.fail(f"{key}.map", "needs a 'column' whose values it translates")
        for label, text in [(f"{key}.default", default),
                            *((f"{key}.map", v) for v in mapped.values())]:
            self._check_value(label, name, text)
        return FieldSpec(column, default, mapped)

    def _check_value(self, key: str, name: str, text: str | None) -> None:
        """A default or map value must be one the field can hold, or no row could."""
        if text is None:
            return
        row = Row(0, {})
        convert(row, name, key, text)
        if row.problems:
            self.fail(key, f"{text!r}: {row.problems[0].reason}")

    def _map(self, value: Any, key: str) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(key, "must be a block of 'value in the file: value to store' lines")
        return {(self.text(k, key) or "").casefold(): self.text(v, f"{key}.{k}") or ""
                for k, v in value.items()}

    def _split(self, value: Any, key: str) -> str | None:
        if value is not None and (not isinstance(value, str) or not value):
            self.fail(key, "must be the text that separates the items, such as ';'")
        return value

    def _actor(self, value: Any, key: str) -> ActorSpec:
        block = self.block(value, key, ACTOR_KEYS, ("column", "role"))
        role = self.choice(block["role"], f"{key}.role", tuple(r.value for r in ActorRole))
        return ActorSpec(self.column(block["column"], f"{key}.column") or "", ActorRole(role),
                         self._split(block.get("split"), f"{key}.split"),
                         self._map(block.get("map"), f"{key}.map"))

    def _citation(self, value: Any, key: str) -> CitationSpec:
        block = self.block(value, key, (*CITATION_PARTS, "split"))
        columns = {part: self.column(block.get(part), f"{key}.{part}") or ""
                   for part in CITATION_PARTS if block.get(part) is not None}
        if not columns:
            self.fail(key, f"name at least one column: {', '.join(CITATION_PARTS)}")
        return CitationSpec(columns, self._split(block.get("split"), f"{key}.split"))


def convert(row: Row, name: str, label: str, text: str) -> Any:
    """``text`` as the incident field ``name`` holds it; problems go to ``row`` under ``label``."""
    scratch = Row(row.line, {label: text}, row.nulls)
    if name in INTEGERS:
        value: Any = scratch.integer(label)
    elif name in BOUNDS:
        value = scratch.decimal(label, *BOUNDS[name])
    elif name in ENUMS:
        value = _enum(scratch, label, ENUMS[name])
    elif name == "country_iso3":
        value = _iso3_code(scratch, label)
    else:
        value = scratch.text(label)
    row.problems.extend(scratch.problems)
    row.warnings.extend(scratch.warnings)
    return value


def _enum(row: Row, label: str, kind: type[StrEnum]) -> StrEnum | None:
    text = row.text(label)
    if text is None:
        return None
    if text.lower() not in {member.value for member in kind}:
        row.problem(label, text, f"not one of {', '.join(member.value for member in kind)}")
        return None
    return kind(text.lower())


def _iso3_code(row: Row, label: str) -> str | None:
    text = row.text(label)
    if text is not None and not re.fullmatch(r"[A-Za-z]{3}", text):
        row.problem(label, text, "not an ISO 3166 three-letter country code")
        return None
    return text.upper() if text else None


# --- reading rows through a mapping -----------------------------------------------------------

MAX_ID = 80
TOLL_ORDER = (("deaths_low", "deaths_best"), ("deaths_best", "deaths_high"),
              ("deaths_low", "deaths_high"))
# Urdu, Arabic and Hindi registers write digits in their own script; strptime reads ASCII only.
_DIGITS = str.maketrans({chr(base + n): str(n) for base in (0x660, 0x6F0, 0x966)
                         for n in range(10)})
_RANK = (DatePrecision.DAY, DatePrecision.DAYS, DatePrecision.WEEK, DatePrecision.MONTH,
         DatePrecision.YEAR, DatePrecision.UNKNOWN)  # most to least precise
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
        return cls(_MappingReader(Path(path)).read())

    def detect(self, source: SourceFile, header: list[str]) -> bool:
        return False

    def dataset_info(self, source: SourceFile, version: str | None = None) -> DatasetInfo:
        info = self.mapping.dataset
        return dataclasses.replace(info, version=version or info.version)

    def read(self, source: SourceFile, progress: ProgressFn) -> Iterator[Parsed]:
        if source.is_xlsx:
            raise FormatError(source.path, "a mapping reads CSV, JSON or JSON Lines; "
                                           "save the sheet as CSV (UTF-8) first")
        kind = self.mapping.file_format or _SUFFIX_FORMATS.get(
            Path(source.inner_name).suffix.lower(), "csv")
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

    def _csv_row(self, line: int, header: list[str], columns: list[str],
                 values: list[str]) -> Parsed:
        if not any(v.strip() for v in values):
            return Parsed(line, skipped="blank row")
        if len(values) != len(columns):
            reason = f"row has {len(values)} fields, the header has {len(columns)}"
            return Parsed(line, problems=[Problem(line, "(row)", "", reason)])
        raw = dict(zip(header, values, strict=True))
        return self._parsed(Row(line, dict(zip(columns, values, strict=True)), self.mapping.nulls),
                            raw)

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
                raise FormatError(source.path, f"no {wanted!r} in the file (the records_path "
                                               f"of mapping {self.mapping.path.name})")
            loaded = loaded[key]
        if not isinstance(loaded, list):
            raise FormatError(source.path, "not a list of records; if the list is inside an "
                                           "object, name it with records_path in the mapping")
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
            return Parsed(number, problems=[Problem(number, "(line)", text[:200],
                                                    f"not JSON ({exc})")])
        if isinstance(record, dict):
            keys.update(header_key(str(k)) for k in record)
        return self._object(number, record)

    def _object(self, number: int, record: Any) -> Parsed:
        if not isinstance(record, dict):
            shown = orjson.dumps(record).decode()[:200]
            return Parsed(number, problems=[Problem(number, "(record)", shown,
                                                    "not a JSON object")])
        values = {header_key(str(k)): _json_text(v) for k, v in record.items()}
        if all(v in ("", []) for v in values.values()):
            return Parsed(number, skipped="empty record")
        return self._parsed(Row(number, values, self.mapping.nulls), record)

    def _check_header(self, source: SourceFile, columns: list[str], line: int | None) -> None:
        doubled = sorted(c for c, n in Counter(columns).items() if n > 1 and c in
                         self.mapping.columns())
        if doubled:
            raise FormatError(source.path, f"more than one column is called {', '.join(doubled)}",
                              line)
        missing = sorted(self.mapping.columns() - set(columns))
        if missing:
            shown = ", ".join(columns[:20]) + (" ..." if len(columns) > 20 else "")
            raise FormatError(source.path, f"columns named in mapping {self.mapping.path.name} "
                                           f"are not in the file: {', '.join(missing)} "
                                           f"(the file has: {shown})", line)

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
            source=self.source, source_id=source_id, raw=raw, **when,
            **{k: v for k, v in values.items() if v is not None},
            actors=self._actors(row), citations=self._citations(row),
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
            if values.get(low) is not None and values.get(high) is not None \
                    and values[low] > values[high]:
                label = self.mapping.fields[low].column or f"fields.{low}"
                other = self.mapping.fields[high].column or f"fields.{high}"
                row.problem(label, values[low], f"greater than {other} ({values[high]})")
                return

    def _country_code(self, row: Row, country: str | None) -> str | None:
        code = iso3(country)
        if country and code is None:
            row.warn(self.mapping.fields["country"].column or "fields.country", country,
                     "not a country name gawahi knows; country_iso3 left empty")
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
        return {"date_start": span.start, "date_end": span.end,
                "date_precision": span.precision, "date_text": text}

    def _register_precision(self, row: Row, span: DateSpan, spec: FieldSpec) -> DateSpan:
        """The register's own precision widens a date; one narrower than the text is not trusted."""
        precision = self._field(row, "date_precision", spec)
        if not precision:
            return span
        if _RANK.index(precision) < _RANK.index(span.precision):
            row.warn(spec.column or "date.precision", precision,
                     f"narrower than the date as written; {span.precision} kept")
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
        return [Actor(name, spec.role) for spec in self.mapping.actors
                for name in _items(row, spec.column, spec.split, spec.map)]

    def _citations(self, row: Row) -> list[Citation]:
        found: list[Citation] = []
        for spec in self.mapping.citations:
            parts = {part: _items(row, column, spec.split, {})
                     for part, column in spec.columns.items()}
            lengths = {len(items) for items in parts.values()} - {0, 1}
            if len(lengths) > 1:
                row.problem(" / ".join(spec.columns.values()), "",
                            f"these columns list different numbers of items ({spec.split!r})")
                continue
            for index in range(max(lengths, default=1)):
                # A part with a single item (one publisher, several links) goes with each.
                cited = {part: items[index] if len(items) > 1 else (items or [None])[0]
                         for part, items in parts.items()}
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
    for limit, precision in ((1, DatePrecision.DAY), (6, DatePrecision.DAYS),
                             (7, DatePrecision.WEEK), (31, DatePrecision.MONTH)):
        if days <= limit:
            return precision
    return DatePrecision.YEAR


def _widen(span: DateSpan, precision: DatePrecision) -> DateSpan:
    """A span labelled ``precision``, widened to the whole month or year when it says so."""
    start, end = span.start, span.end
    wider = {DatePrecision.MONTH: month_span(start.year, start.month),
             DatePrecision.YEAR: year_span(start.year)}.get(precision)
    if wider is not None:
        start, end = min(start, wider.start), max(end, wider.end)
    return DateSpan(start, end, precision)
