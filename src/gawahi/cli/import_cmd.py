"""``gawahi import``: one or more files into the store, all or nothing per file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa

from gawahi.cli.context import Context
from gawahi.cli.output import emit_json, progress_bar
from gawahi.geo.resolve import ResolveReport, resolve_incidents
from gawahi.linkage.counting import unlinked_records
from gawahi.linkage.store import last_run
from gawahi.profiles.tagging import TagReport, tag_incidents
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
@click.option(
    "--no-tag",
    is_flag=True,
    help="Do not tag victim groups and perpetrators now (run 'gawahi tag' later).",
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
    no_tag: bool,
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
    after = AfterImport(resolve=not no_resolve, tag=not no_tag)
    options = ImportOptions(format_, mapping, version, encoding, allow_rejects, finish=after)
    extra = {"places": after.places, "tags": after.tags}
    reports = []
    try:
        for path in files:
            with progress_bar(f"importing {path.name}") as progress:
                reports.append(import_file(engine, path, options, progress))
            if not as_json:
                dataset_id = reports[-1].dataset_id
                print_report(reports[-1], *after.reports(dataset_id))
    finally:  # files imported before a failing one stay imported: say so
        if as_json:
            emit_json([_with_extra(report_dict(r), extra, r.dataset_id) for r in reports])
    if not as_json:
        _remind_to_link(engine)


def _remind_to_link(engine: sa.Engine) -> None:
    """Once a store is linked, new records count alone until the next link run."""
    with engine.connect() as conn:
        if last_run(conn) is None:
            return
        waiting = unlinked_records(conn)
    if waiting:
        click.echo(f"{waiting} records are not linked yet: run 'gawahi link'")


class AfterImport:
    """What runs in an import's transaction once its rows are in: placing, then tagging
    (tags read the places: a cue such as Hazara Town holds only in Quetta)."""

    def __init__(self, resolve: bool = True, tag: bool = True) -> None:
        self.resolve, self.tag = resolve, tag
        self.places: dict[int, ResolveReport] = {}
        self.tags: dict[int, TagReport] = {}

    def __call__(self, conn: sa.Connection, dataset_id: int) -> None:
        if self.resolve:
            self.places[dataset_id] = resolve_incidents(conn, dataset_id=dataset_id)
        if self.tag:
            self.tags[dataset_id] = tag_incidents(conn, dataset_id=dataset_id)

    def reports(self, dataset_id: int | None) -> tuple[ResolveReport | None, TagReport | None]:
        if dataset_id is None:
            return None, None
        return self.places.get(dataset_id), self.tags.get(dataset_id)


def _with_extra(
    report: dict[str, object], extra: dict[str, dict[int, Any]], dataset_id: int | None
) -> dict[str, object]:
    found = {key: reports.get(dataset_id) for key, reports in extra.items()}  # type: ignore[arg-type]
    return report | {key: r.as_dict() if r else None for key, r in found.items()}


def print_tags(report: TagReport | None) -> None:
    if report is not None:
        # the most frequent first: an alphabetical cut would hide "shia" behind "activist"
        victims = sorted(
            ((t, n) for (t, role), n in report.tags.items() if role == "victim"),
            key=lambda item: (-item[1], item[0]),
        )
        shown = ", ".join(f"{t} {n}" for t, n in victims[:8]) or "none"
        more = f" and {len(victims) - 8} more" if len(victims) > 8 else ""
        click.echo(f"  victim tags: {shown}{more} (see 'gawahi profiles counts')")


def print_report(
    report: ImportReport, places: ResolveReport | None = None, tags: TagReport | None = None
) -> None:
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
    print_tags(tags)
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
