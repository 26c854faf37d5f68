"""``gawahi datasets``, ``gawahi incidents`` and ``gawahi show``: reading the store."""

from __future__ import annotations

from datetime import date

import click
import sqlalchemy as sa

from gawahi.cli.context import Context
from gawahi.cli.output import emit, emit_json, emit_table
from gawahi.store.queries import (
    LIST_COLUMNS,
    IncidentFilter,
    dataset_problems,
    find_incidents,
    get_incident,
    list_datasets,
)

DATASET_COLUMNS = (
    "id",
    "format",
    "name",
    "version",
    "file_name",
    "sha256",
    "imported_at",
    "rows_read",
    "rows_imported",
    "rows_rejected",
    "rows_skipped",
)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def datasets(ctx: Context, as_json: bool) -> None:
    """Every imported file with its publisher, version, licence, checksum and row counts.

    \b
    Example:
      gawahi datasets --json
    """
    rows = list_datasets(ctx.engine())
    if as_json:
        emit_json([row | {"problems": dataset_problems(ctx.engine(), row["id"])} for row in rows])
        return
    shown = [
        row | {"sha256": row["sha256"][:12], "imported_at": f"{row['imported_at']:%Y-%m-%d %H:%M}"}
        for row in rows
    ]
    emit_table(shown, DATASET_COLUMNS, title="datasets")


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.command()
@click.option("--country", help="ISO3 code or country name.")
@click.option("--admin1", help="Province/state as the source writes it.")
@click.option("--admin2", help="District as the source writes it.")
@click.option("--place", help="Part of the place name.")
@click.option(
    "--unit",
    help="In this unit today: 'Quetta', 'Karachi' (all its districts), 'Balochistan'; "
    "a former unit ('FATA') means while it existed.",
)
@click.option("--from", "date_from", callback=_day, help="Incidents on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", callback=_day, help="Incidents on or before (YYYY-MM-DD).")
@click.option("--actor", help="Part of an actor's name (perpetrator, target or associated).")
@click.option("--source", help="Only this source, e.g. ucdp-ged, gtd, pbc-suicide.")
@click.option("--text", help="Words in the description, place or cited headlines.")
@click.option(
    "--tag",
    "tags",
    multiple=True,
    help="Carries this tag (repeatable: all must hold): 'shia' (victim or perpetrator), "
    "'hazara:victim', 'lej:perpetrator'. See 'gawahi profiles'.",
)
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="With --tag: only tags at least this sure (0.95 coded, 0.8 named, 0.6 cue).",
)
@click.option("--limit", type=click.IntRange(min=1), help="At most this many.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.pass_obj
def incidents(ctx: Context, as_json: bool, as_csv: bool, **filters: object) -> None:
    """List incidents, oldest first, filtered by place, period, actor and text.

    \b
    Example:
      gawahi incidents --country PAK --admin1 Balochistan --from 2012-01-01 --to 2013-12-31
      gawahi incidents --actor "Lashkar-e-Jhangvi" --json
      gawahi incidents --unit Quetta --tag shia:victim --tag hazara:victim
    """
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    if filters["date_from"] and filters["date_to"] and filters["date_from"] > filters["date_to"]:
        raise click.UsageError("--from is after --to")
    unit = filters.pop("unit")
    where = (_in_unit(ctx, str(unit), filters["country"]),) if unit else ()  # type: ignore[arg-type]
    where += _tagged(filters.pop("tags"), filters.pop("min_confidence"))  # type: ignore[arg-type]
    wanted = IncidentFilter(**filters, where=where)  # type: ignore[arg-type]
    emit(find_incidents(ctx.engine(), wanted), LIST_COLUMNS, as_json, as_csv)


def _in_unit(ctx: Context, name: str, country: str | None) -> sa.ColumnElement[bool]:
    from gawahi.geo.lookup import choose_country, resolve_unit, unit_condition
    from gawahi.geo.units import UnitIndex

    with ctx.engine().connect() as conn:
        units = UnitIndex.load(conn)
    code = choose_country(units, country)
    return unit_condition(units, resolve_unit(units, code, name))


def _tagged(specs: tuple[str, ...], min_confidence: float) -> tuple[sa.ColumnElement[bool], ...]:
    from gawahi.profiles.pack import load_packs
    from gawahi.profiles.queries import TagSpec, tag_condition

    packs = load_packs() if specs else None
    return tuple(tag_condition(TagSpec.parse(s, packs), min_confidence) for s in specs)


@click.command()
@click.argument("uid")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def show(ctx: Context, uid: str, as_json: bool) -> None:
    """Everything about one incident: fields, actors, citations, dataset, raw row, changes.

    \b
    Example:
      gawahi show ucdp-ged:59553
    """
    record = get_incident(ctx.engine(), uid)
    if as_json:
        emit_json(record)
        return
    _print_record(record)


def _print_record(record: dict[str, object]) -> None:
    skip = {"raw", "actors", "citations", "dataset", "changes", "content_hash"}
    for key, value in record.items():
        if key not in skip and value is not None:
            click.echo(f"{key:>26}: {value}")
    dataset = record["dataset"]
    assert isinstance(dataset, dict)
    click.echo(
        f"\ndataset {dataset.get('id')}: {dataset.get('name')}, version "
        f"{dataset.get('version') or 'not stated'}, {dataset.get('licence')}"
    )
    click.echo(f"  cite: {dataset.get('citation')}")
    _print_list("actors", record["actors"], ("role", "name"))
    _print_list("citations", record["citations"], ("publisher", "date", "headline", "url", "text"))
    click.echo("\nraw row:")
    raw = record["raw"]
    assert isinstance(raw, dict)
    for key, value in raw.items():
        click.echo(f"{key:>26}: {value}")
    for change in record["changes"]:  # type: ignore[attr-defined]
        click.echo(f"\nchanged by dataset {change['dataset_id']}: {change['changes']}")


def _print_list(title: str, items: object, keys: tuple[str, ...]) -> None:
    click.echo(f"\n{title}:" if items else f"\n{title}: none")
    for item in items:  # type: ignore[attr-defined]
        click.echo("  - " + "; ".join(f"{k}: {item[k]}" for k in keys if item.get(k)))
