"""The mapping file: its YAML shape, its strict checks, and turning text into field values.

A mapping says which column of a community register (or any CSV/JSON file) holds which
incident field (docs/mapping.md). It is checked whole before a row is read: a typo in a
mapping must be an error naming the file and the key, never a silently empty field.
"""

from __future__ import annotations

import codecs
import dataclasses
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn

import yaml

from gawahi.errors import ConfigError
from gawahi.incidents.countries import iso3
from gawahi.incidents.record import (
    ActorRole,
    DatePrecision,
    Incident,
    LocationPrecision,
)
from gawahi.sources import registry
from gawahi.sources.base import DatasetInfo, header_key
from gawahi.sources.rows import DEFAULT_NULLS, Row
from gawahi.textyaml import TextLoader

TOP_KEYS = (
    "dataset",
    "source",
    "format",
    "records_path",
    "id",
    "encoding",
    "date",
    "fields",
    "actors",
    "citations",
    "nulls",
)
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
    **dict.fromkeys(
        ("date_start", "date_end", "date_precision", "date_text"),
        "dates are read as the 'date' block says",
    ),
    "actors": "list actors under 'actors'",
    "citations": "list citations under 'citations'",
}
FIELDS = tuple(f.name for f in dataclasses.fields(Incident) if f.name not in NOT_MAPPED)
INTEGERS = frozenset({"deaths_best", "deaths_low", "deaths_high", "deaths_civilians", "injured"})
BOUNDS = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}
ENUMS: dict[str, type[StrEnum]] = {
    "location_precision": LocationPrecision,
    "date_precision": DatePrecision,
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
            path=self.path,
            source=self._source(top["source"]),
            dataset=self._dataset(top["dataset"]),
            file_format=file_format,
            records_path=self._records_path(top.get("records_path"), file_format),
            id_columns=tuple(self.column(c, "id") or "" for c in self.texts(top["id"], "id")),
            encoding=self._encoding(top.get("encoding")),
            date=self._date(top["date"]),
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
            loaded = yaml.load(text, Loader=TextLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f", line {mark.line + 1}" if mark is not None else ""
            reason = getattr(exc, "problem", None) or str(exc)
            raise ConfigError(f"{self.path}{where}: not valid YAML ({reason})") from None
        if loaded is None:
            self.fail("", "the mapping file is empty")
        return loaded

    def block(
        self, value: Any, key: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key, "must be a block of 'name: value' lines")
        prefix = f"{key}." if key else ""
        for name in value:
            if name not in allowed:
                close = difflib.get_close_matches(str(name), allowed, n=1)
                hint = (
                    f"did you mean {prefix + close[0]!r}?"
                    if close
                    else f"known keys: {', '.join(allowed)}"
                )
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
            self.fail(
                "source",
                f"{text!r} must be lowercase letters, digits and single hyphens, "
                f"at most {MAX_SOURCE} characters",
            )
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
        column, start, end = (
            self.column(block.get(k), f"date.{k}") for k in ("column", "start_column", "end_column")
        )
        if (column is None) == (start is None) or (end is not None and start is None):
            self.fail("date", "give either 'column', or 'start_column' and maybe 'end_column'")
        formats = self.texts(block.get("format") or "iso", "date.format")
        precision = block.get("precision")
        return DateSpec(
            column,
            start,
            end,
            tuple(self._date_format(f) for f in formats),
            None
            if precision is None
            else self._spec(precision, "date.precision", "date_precision"),
        )

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
        if (
            country
            and country.default
            and "country_iso3" not in specs
            and not iso3(country.default)
        ):
            self.fail(
                "fields.country.default",
                f"{country.default!r} is not a country name "
                "gawahi knows; give fields.country_iso3 too",
            )
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
        for label, text in [
            (f"{key}.default", default),
            *((f"{key}.map", v) for v in mapped.values()),
        ]:
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
        return {
            (self.text(k, key) or "").casefold(): self.text(v, f"{key}.{k}") or ""
            for k, v in value.items()
        }

    def _split(self, value: Any, key: str) -> str | None:
        if value is not None and (not isinstance(value, str) or not value):
            self.fail(key, "must be the text that separates the items, such as ';'")
        return value

    def _actor(self, value: Any, key: str) -> ActorSpec:
        block = self.block(value, key, ACTOR_KEYS, ("column", "role"))
        role = self.choice(block["role"], f"{key}.role", tuple(r.value for r in ActorRole))
        return ActorSpec(
            self.column(block["column"], f"{key}.column") or "",
            ActorRole(role),
            self._split(block.get("split"), f"{key}.split"),
            self._map(block.get("map"), f"{key}.map"),
        )

    def _citation(self, value: Any, key: str) -> CitationSpec:
        block = self.block(value, key, (*CITATION_PARTS, "split"))
        columns = {
            part: self.column(block.get(part), f"{key}.{part}") or ""
            for part in CITATION_PARTS
            if block.get(part) is not None
        }
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


def load_mapping(path: Path) -> TableMapping:
    """Read and check a mapping file; ConfigError names the file and the key when wrong."""
    return _MappingReader(path).read()
