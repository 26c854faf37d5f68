"""``gawahi import``: one or more files into the store, all or nothing per file."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa

from gawahi.cli.context import Context
from gawahi.cli.output import emit_json, progress_bar
from gawahi.geo.resolve import ResolveReport, resolve_incidents
from gawahi.sources.importer import ImportOptions, ImportReport, import_file
from gawahi.sources.registry import formats

SHOW_PROBLEMS = 20


@click.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(sorted(formats())),
    help="Skip detection and read the file as this format.",
)
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML mapping for a generic CSV/JSON file (see docs/mapping.md).",
)
@click.option("--version", "version", help="Release of the dataset, e.g. 22.1.")
@click.option("--encoding", help="Text encoding, when detection cannot decide.")
@click.option(
    "--allow-rejects",
    is_flag=True,
    help="Import the good rows even when some are rejected (they are listed).",
)
@click.option(
    "--no-resolve",
    is_flag=True,
    help="Do not resolve places now (run 'gawahi geo resolve' later).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
@click.pass_obj
def import_(
    ctx: Context,
    files: tuple[Path, ...],
    format_: str | None,
    mapping: Path | None,
    version: str | None,
    encoding: str | None,
    allow_rejects: bool,
    no_resolve: bool,
    as_json: bool,
) -> None:
    """Import event files (UCDP GED, ACLED, GTD, Pakistan Body Count, mapped CSV/JSON).

    The format is recognised from the header. Each file is imported whole or not at
    all; importing the same file again changes nothing; a new release updates the
    records that changed and keeps what changed.

    \b
    Example:
      gawahi import conflict_data_pak.csv --version 22.1
      gawahi import register.csv --mapping register.yaml
    """
    engine = ctx.engine()
    places: dict[int, ResolveReport] = {}

    def resolve_places(conn: sa.Connection, dataset_id: int) -> None:
        places[dataset_id] = resolve_incidents(conn, dataset_id=dataset_id)

    finish = None if no_resolve else resolve_places
    options = ImportOptions(format_, mapping, version, encoding, allow_rejects, finish=finish)
    reports = []
    try:
        for path in files:
            with progress_bar(f"importing {path.name}") as progress:
                reports.append(import_file(engine, path, options, progress))
            if not as_json:
                print_report(reports[-1], places.get(reports[-1].dataset_id))
    finally:  # files imported before a failing one stay imported: say so
        if as_json:
            emit_json([_with_places(report_dict(r), places.get(r.dataset_id)) for r in reports])


def _with_places(report: dict[str, object], places: ResolveReport | None) -> dict[str, object]:
    return report | {"places": places.as_dict() if places else None}


def print_report(report: ImportReport, places: ResolveReport | None = None) -> None:
    if report.already_imported:
        click.echo(
            f"{report.path.name}: already imported as dataset {report.dataset_id}; nothing changed"
        )
        return
    click.echo(
        f"{report.path.name}: dataset {report.dataset_id} ({report.format}), "
        f"{report.rows_read} rows read: {report.new} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.rejected} rejected, "
        f"{report.skipped_rows} skipped"
    )
    if places is not None:
        status = ", ".join(f"{n} {s}" for s, n in sorted(places.status.items()))
        click.echo(f"  places: {status} (see 'gawahi geo unresolved')")
    for line, reason in report.skipped[:SHOW_PROBLEMS]:
        click.echo(f"  skipped line {line}: {reason}")
    for kind, problems in (("rejected", report.problems), ("warning", report.warnings)):
        for problem in problems[:SHOW_PROBLEMS]:
            click.echo(f"  {kind}: {problem.describe()}")
        if len(problems) > SHOW_PROBLEMS:
            click.echo(f"  ... {len(problems) - SHOW_PROBLEMS} more ({kind}); see --json")


def report_dict(report: ImportReport) -> dict[str, object]:
    return {
        "file": str(report.path),
        "format": report.format,
        "dataset_id": report.dataset_id,
        "sha256": report.sha256,
        "encoding": report.encoding,
        "already_imported": report.already_imported,
        "rows_read": report.rows_read,
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected,
        "skipped_rows": report.skipped_rows,
        "problems": [_problem(p) for p in report.problems],
        "warnings": [_problem(p) for p in report.warnings],
        "skipped": [{"line": line, "reason": reason} for line, reason in report.skipped],
    }


def _problem(problem: object) -> dict[str, object]:
    return {name: getattr(problem, name) for name in ("line", "field", "value", "reason")}
