"""Importing one file: all rows or none, the same file twice changes nothing.

The rows stream through in batches inside one transaction. Rejected rows are
collected (line, field, value, reason) and, unless the caller accepts them, roll
the whole import back, so a failed import leaves the database as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from gawahi.errors import ImportRejected, Problem, StoreError
from gawahi.incidents.record import Incident
from gawahi.sources import registry
from gawahi.sources.base import DatasetInfo, Format, Parsed
from gawahi.sources.textfile import SourceFile, inspect
from gawahi.store import schema
from gawahi.store.writer import IncidentWriter

if TYPE_CHECKING:
    from gawahi.sources.tabular import MappedFormat

BATCH = 2000
KEEP_PROBLEMS = 1000  # every rejected row is counted; the first thousand are itemised


@dataclass
class ImportReport:
    """What an import did, row by row where rows were rejected or skipped."""

    path: Path
    format: str
    sha256: str
    encoding: str | None
    dataset_id: int | None = None
    already_imported: bool = False
    rows_read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # the first 1,000
    skipped_rows: int = 0
    warnings: list[Problem] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.new + self.updated + self.unchanged


@dataclass(frozen=True)
class ImportOptions:
    format: str | None = None
    mapping: Path | None = None
    version: str | None = None
    encoding: str | None = None
    allow_rejects: bool = False
    origin: str | None = None
    # Runs inside the import's transaction once the rows are written (the CLI resolves
    # places here), so a failure there leaves the database as it was too.
    finish: Callable[[sa.Connection, int], None] | None = None


Progress = Callable[[int, int], None]  # (bytes done, bytes total)


def import_file(
    engine: sa.Engine,
    path: Path | str,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``path`` into the store behind ``engine`` and report on every row."""
    options = options or ImportOptions()
    mapped = _mapped_format(options.mapping)
    # A mapping may name the file's encoding, so it is read before the file is inspected.
    source = inspect(path, options.encoding or (mapped.encoding if mapped else None))
    fmt = mapped or registry.choose(source, options.format)
    report = ImportReport(source.path, fmt.name, source.sha256, source.encoding)
    variant = _file_sha(options.mapping) if options.mapping else ""
    previous = _same_dataset(engine, source.sha256, fmt.name, variant)
    if previous is not None:
        report.already_imported, report.dataset_id = True, previous
        return report
    info = fmt.dataset_info(source, options.version)
    try:
        with engine.begin() as conn:
            report.dataset_id = _add_dataset(conn, source, fmt, info, options.origin)
            _set_variant(conn, report.dataset_id, variant)
            _Run(conn, report, fmt, progress).run(source)
            if report.rejected and not options.allow_rejects:
                raise ImportRejected(source.path, report.problems, report.rejected)
            _finish_dataset(conn, report)
            if options.finish:
                options.finish(conn, report.dataset_id)
    except sa.exc.SQLAlchemyError as exc:  # rolled back: the database is as it was
        reason = getattr(exc, "orig", None) or exc
        raise StoreError(f"{source.path}: the database refused the import: {reason}") from exc
    return report


def _mapped_format(mapping: Path | None) -> MappedFormat | None:
    if mapping is None:
        return None
    from gawahi.sources.tabular import MappedFormat

    return MappedFormat.load(mapping)


def _same_dataset(engine: sa.Engine, sha256: str, format_name: str, variant: str) -> int | None:
    """The dataset already made from these bytes, read as this format through this mapping."""
    table = schema.datasets
    query = sa.select(table.c.id).where(
        table.c.sha256 == sha256, table.c.format == format_name, table.c.variant == variant
    )
    with engine.connect() as conn:
        return conn.execute(query).scalar()


def _set_variant(conn: sa.Connection, dataset_id: int, variant: str) -> None:
    if variant:
        table = schema.datasets
        conn.execute(table.update().where(table.c.id == dataset_id).values(variant=variant))


def _file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _add_dataset(
    conn: sa.Connection, source: SourceFile, fmt: Format, info: DatasetInfo, origin: str | None
) -> int:
    values = {
        "format": fmt.name,
        "name": info.name,
        "publisher": info.publisher,
        "version": info.version,
        "licence": info.licence,
        "citation": info.citation,
        "url": info.url,
        "file_name": source.path.name,
        "sha256": source.sha256,
        "encoding": source.encoding,
        "origin": origin,
        "imported_at": datetime.now(UTC),
    }
    table = schema.datasets
    return int(conn.execute(table.insert().values(values).returning(table.c.id)).scalar_one())


class _Run:
    """One pass over the rows: batching, counting, collecting problems."""

    def __init__(
        self, conn: sa.Connection, report: ImportReport, fmt: Format, progress: Progress | None
    ) -> None:
        self.report = report
        self.fmt = fmt
        self.writer = IncidentWriter(conn, report.dataset_id or 0, getattr(fmt, "id_field", "id"))
        self.progress = progress
        self.batch: list[tuple[int, Incident]] = []

    def run(self, source: SourceFile) -> None:
        total = source.size
        for parsed in self.fmt.read(source, lambda done: self._progress(done, total)):
            self._take(parsed)
        self._flush()
        self.report.new = self.writer.counts["new"]
        self.report.updated = self.writer.counts["updated"]
        self.report.unchanged = self.writer.counts["unchanged"]

    def _progress(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)

    def _take(self, parsed: Parsed) -> None:
        if parsed.skipped:
            self.report.skipped_rows += 1
            if len(self.report.skipped) < KEEP_PROBLEMS:
                self.report.skipped.append((parsed.line, parsed.skipped))
            return
        self.report.rows_read += 1
        self.report.warnings.extend(
            parsed.warnings[: max(KEEP_PROBLEMS - len(self.report.warnings), 0)]
        )
        if parsed.problems:
            self._reject(parsed.problems)
        elif parsed.incident is not None:
            too_big = parsed.incident.limit_problems()
            if too_big:
                self._reject([Problem(parsed.line, f, v, r) for f, v, r in too_big])
                return
            self.batch.append((parsed.line, parsed.incident))
            if len(self.batch) >= BATCH:
                self._flush()

    def _reject(self, problems: list[Problem]) -> None:
        self.report.rejected += 1
        room = KEEP_PROBLEMS - len(self.report.problems)
        self.report.problems.extend(problems[: max(room, 0)])

    def _flush(self) -> None:
        if self.batch:
            for problem in self.writer.write(self.batch):
                self._reject([problem])
            self.batch = []


def _finish_dataset(conn: sa.Connection, report: ImportReport) -> None:
    table = schema.datasets
    conn.execute(
        table.update()
        .where(table.c.id == report.dataset_id)
        .values(
            rows_read=report.rows_read,
            rows_imported=report.imported,
            rows_new=report.new,
            rows_updated=report.updated,
            rows_unchanged=report.unchanged,
            rows_rejected=report.rejected,
            rows_skipped=report.skipped_rows,
        )
    )
    skipped = [Problem(line, "", "", reason) for line, reason in report.skipped]
    problems = [
        {
            "dataset_id": report.dataset_id,
            "kind": kind,
            "line": p.line,
            "field": p.field or None,
            "value": p.value or None,
            "reason": p.reason,
        }
        for kind, listed in (
            ("rejected", report.problems),
            ("warning", report.warnings),
            ("skipped", skipped),
        )
        for p in listed
    ]
    if problems:
        conn.execute(schema.import_problems.insert(), problems)
