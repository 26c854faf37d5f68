"""What every importer is: a named format that turns a file into parsed rows.

An importer yields one ``Parsed`` per data row: an ``Incident``, or the problems
that reject the row, or the reason it is not a record at all (a blank line, an
HXL hashtag row, a totals row) and is skipped, reported, never silently dropped.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from gawahi.errors import FormatError, Problem
from gawahi.incidents.record import Incident
from gawahi.sources.rows import DEFAULT_NULLS, Row
from gawahi.sources.textfile import SourceFile, csv_records, open_text

ProgressFn = Callable[[int], None]
PROGRESS_EVERY = 512


@dataclass(slots=True)
class Parsed:
    line: int
    incident: Incident | None = None
    problems: list[Problem] = field(default_factory=list)
    skipped: str | None = None
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    """What a dataset row records about where the data comes from and how to cite it."""

    name: str
    publisher: str | None = None
    version: str | None = None
    licence: str | None = None
    citation: str | None = None
    url: str | None = None


class Format(ABC):
    """One source format. Subclasses name themselves and say how to cite the publisher."""

    name: ClassVar[str]
    title: ClassVar[str]
    publisher: ClassVar[str | None] = None
    licence: ClassVar[str | None] = None
    citation: ClassVar[str | None] = None
    url: ClassVar[str | None] = None

    @abstractmethod
    def detect(self, source: SourceFile, header: list[str]) -> bool:
        """True when a file with this header (first row, or top-level keys) is this format."""

    @abstractmethod
    def read(self, source: SourceFile, progress: ProgressFn) -> Iterator[Parsed]:
        """Every data row of the file, parsed, in file order."""

    def dataset_info(self, source: SourceFile, version: str | None = None) -> DatasetInfo:
        return DatasetInfo(
            name=self.title,
            publisher=self.publisher,
            version=version or self.version_of(source),
            licence=self.licence,
            citation=self.citation,
            url=self.url,
        )

    def version_of(self, source: SourceFile) -> str | None:
        """The release, when the file itself tells it (its name, a column)."""
        return None


def is_hxl_row(values: dict[str, str]) -> bool:
    """An HXL hashtag row (HDX files put one under the header): every filled cell is a tag."""
    filled = [v.strip() for v in values.values() if v.strip()]
    return bool(filled) and all(v.startswith("#") for v in filled)


def header_key(name: str) -> str:
    """Column names compared loosely: BOM and R's ``ï..`` artefact, case and spaces ignored."""
    cleaned = name.replace("\ufeff", "").strip()
    if cleaned.startswith("ï.."):
        cleaned = cleaned[3:]
    if cleaned.startswith("ï»¿"):
        cleaned = cleaned[3:]
    return cleaned.lower()


class CsvFormat(Format):
    """A format that is a CSV file with a header row."""

    required: ClassVar[frozenset[str]] = frozenset()
    nulls: ClassVar[frozenset[str]] = DEFAULT_NULLS

    def detect(self, source: SourceFile, header: list[str]) -> bool:
        return self.required <= {header_key(h) for h in header}

    def read(self, source: SourceFile, progress: ProgressFn) -> Iterator[Parsed]:
        with open_text(source) as (text, position):
            records = csv_records(text)
            header = self._header(source, records)
            columns = [header_key(h) for h in header]
            for count, (line, values) in enumerate(records):
                if count % PROGRESS_EVERY == 0:
                    progress(position())
                yield self._parse_record(line, header, columns, values)
            progress(position())

    def _header(self, source: SourceFile, records: Iterator[tuple[int, list[str]]]) -> list[str]:
        try:
            _, header = next(records)
        except StopIteration:
            raise FormatError(source.path, "the file is empty") from None
        columns = [header_key(h) for h in header]
        missing = sorted(self.required - set(columns))
        if missing:
            raise FormatError(source.path, f"not a {self.title} file: missing columns {missing}", 1)
        repeated = sorted({c for c in columns if columns.count(c) > 1})
        if repeated:
            raise FormatError(source.path, f"repeated column names {repeated}", 1)
        return header

    def _parse_record(
        self, line: int, header: list[str], columns: list[str], values: list[str]
    ) -> Parsed:
        if not any(v.strip() for v in values):
            return Parsed(line, skipped="blank row")
        if len(values) != len(columns):
            reason = f"row has {len(values)} fields, the header has {len(columns)}"
            return Parsed(line, problems=[Problem(line, "(row)", "", reason)])
        mapping = dict(zip(columns, values, strict=True))
        skip = self.skip_reason(mapping)
        if skip:
            return Parsed(line, skipped=skip)
        # The raw row keeps the file's own column names; most files need no second dict.
        raw = mapping if header == columns else dict(zip(header, values, strict=True))
        row = Row(line, mapping, self.nulls, raw)
        incident = self.parse(row)
        if row.problems:  # reported in the file's column order
            order = {name: index for index, name in enumerate(columns)}
            row.problems.sort(key=lambda p: order.get(p.field, len(order)))
            return Parsed(line, problems=row.problems)
        return Parsed(line, incident=incident, warnings=row.warnings)

    def skip_reason(self, values: dict[str, str]) -> str | None:
        """Why a row that is not a record (a hashtag row, a totals row) is skipped."""
        return None

    @abstractmethod
    def parse(self, row: Row) -> Incident:
        """Normalise one row; problems go to ``row.problems``."""
