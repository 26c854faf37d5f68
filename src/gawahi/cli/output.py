"""Printing results: a readable table, JSON or CSV; and progress bars on stderr."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table


def emit_json(data: Any) -> None:
    # non-str keys: SQLAlchemy labels are str subclasses, which orjson refuses otherwise
    options = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
    click.echo(orjson.dumps(data, default=str, option=options).decode())


def emit_csv(records: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow(record)


def emit_table(
    records: Iterable[dict[str, Any]], columns: Sequence[str], title: str | None = None
) -> int:
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    shown = 0
    for record in records:
        table.add_row(*("" if record.get(c) is None else str(record.get(c)) for c in columns))
        shown += 1
    Console(width=200 if not sys.stdout.isatty() else None).print(table)
    return shown


def emit(
    records: Iterable[dict[str, Any]], columns: Sequence[str], as_json: bool, as_csv: bool
) -> None:
    """Records in the format asked for: --json, --csv, or a table."""
    if as_json:
        emit_json(list(records))
    elif as_csv:
        emit_csv(records, columns)
    else:
        emit_table(records, columns)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A callback (done, total) drawing a bar on stderr when it is a terminal."""
    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
    )
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total or None)

        yield update
