"""``gawahi geo``: administrative units, gazetteer, boundaries, populations, resolving."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from gawahi.cli.context import Context
from gawahi.cli.output import emit, emit_json, emit_table, progress_bar
from gawahi.geo import coverage, decisions, gazetteer, lookup, populations
from gawahi.geo.boundaries import import_boundaries
from gawahi.geo.resolve import resolve_incidents
from gawahi.geo.units import UnitIndex, sync_packs

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def geo() -> None:
    """Places: units, gazetteer, boundaries, population figures; resolving incidents.

    \b
    Example:
      gawahi geo import-boundaries PAK_ADM2_geoboundaries_simplified.geojson --level 2
      gawahi geo resolve
      gawahi geo unresolved
      gawahi geo lookup "d.i khan"
    """


@geo.command()
@click.option("--force", is_flag=True, help="Recompute every incident, not only changed ones.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def resolve(ctx: Context, force: bool, as_json: bool) -> None:
    """Give every incident today's province and district, or the reason it has none.

    Only incidents whose location, or whose units, boundaries, gazetteer or manual
    decisions changed are recomputed; a second run changes nothing.
    """
    with progress_bar("resolving places") as progress, ctx.engine().begin() as conn:
        report = resolve_incidents(conn, force=force, progress=progress)
        shares = [c.as_dict() for c in coverage.coverage(conn)]
    if as_json:
        emit_json(report.as_dict() | {"coverage": shares})
        return
    click.echo(f"examined {report.examined} incidents, {report.changed} changed")
    if report.gazetteer_loaded:
        click.echo(
            f"loaded {report.gazetteer_loaded} gazetteer places ({gazetteer.default_source()})"
        )
    _coverage_table(shares)


def _coverage_table(shares: list[dict[str, object]]) -> None:
    rows = [
        s
        | {
            k: f"{float(s[k]) * 100:.1f}%"
            for k in ("admin1_share", "admin2_share", "district_share")
        }  # type: ignore[arg-type]
        for s in shares
    ]
    emit_table(
        rows,
        ("source", "incidents", "admin1_share", "admin2_share", "district_share"),
        title="resolved to a province (admin1) and a district (admin2)",
    )


@geo.command()
@click.option(
    "--level",
    type=click.IntRange(1, 2),
    default=2,
    show_default=True,
    help="2: incidents without a district; 1: without a province.",
)
@click.option("--source", help="Only this source.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many groups.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def unresolved(
    ctx: Context, level: int, source: str | None, limit: int | None, as_json: bool
) -> None:
    """Incidents without a district (or province), grouped by place and reason.

    \b
    Example:
      gawahi geo unresolved --source gtd --limit 20
    """
    with ctx.engine().connect() as conn:
        groups = coverage.unresolved(conn, level=level, source=source, limit=limit)
    records = [
        g.as_dict() | {"candidates": ", ".join(g.candidates), "example": g.examples[0]}
        for g in groups
    ]
    if as_json:
        emit_json([g.as_dict() for g in groups])
    else:
        emit_table(
            records,
            ("count", "source", "admin1", "admin2", "place", "reason", "candidates", "example"),
        )


@geo.command(name="lookup")
@click.argument("name")
@click.option("--country", help="ISO3 code (default: the only country whose units are loaded).")
@click.option("--within", help="Only inside this unit (e.g. a province).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def lookup_(
    ctx: Context, name: str, country: str | None, within: str | None, as_json: bool
) -> None:
    """What NAME may mean: units and gazetteer places, with confidence.

    \b
    Example:
      gawahi geo lookup "kuram agency"
      gawahi geo lookup کوئٹہ --json
    """
    with ctx.engine().begin() as conn:
        sync_packs(conn)
        country = lookup.choose_country(UnitIndex.load(conn), country)
        gazetteer.ensure_default(conn, [country])
        found = lookup.lookup(conn, name, country, within)
    if as_json:
        emit_json([c.as_dict() for c in found])
        return
    if not found:
        click.echo(f"nothing called {name!r} in {country}")
        return
    emit_table(
        [c.as_dict() for c in found],
        ("kind", "id", "name", "detail", "admin1_id", "admin2_id", "confidence", "method"),
    )


@geo.command()
@click.argument("country")
@click.option("--level", type=click.IntRange(1, 3), help="Only this level.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.pass_obj
def units(ctx: Context, country: str, level: int | None, as_json: bool, as_csv: bool) -> None:
    """The administrative units of COUNTRY (ISO3), with their parents and validity.

    \b
    Example:
      gawahi geo units PAK --level 1
    """
    with ctx.engine().begin() as conn:
        sync_packs(conn)
        index = UnitIndex.load(conn)
    rows = [
        {
            "id": u.id,
            "level": u.level,
            "kind": u.kind,
            "name": u.name,
            "iso": u.iso_code,
            "parent": index.current_parent(u.id),
            "from": u.valid_from,
            "to": u.valid_to,
            "today": index.today(u.id),
        }
        for u in sorted(index.units.values(), key=lambda u: (u.level, u.id))
        if u.country == country.upper() and (level is None or u.level == level)
    ]
    emit(
        rows,
        ("id", "level", "kind", "name", "iso", "parent", "from", "to", "today"),
        as_json,
        as_csv,
    )


@geo.command(name="set")
@click.argument("words", nargs=-1, required=True, metavar="[NAME] UNIT")
@click.option("--incident", "incident_uid", help="Decide for this one incident instead of a name.")
@click.option("--within", help="The province the name is used in (else: anywhere in the country).")
@click.option("--country", help="ISO3 code (default: the only country whose units are loaded).")
@click.option("--reason", required=True, help="Why: shown to whoever checks the decision.")
@click.option(
    "--by", "decided_by", default=getpass.getuser, show_default="your login", help="Who decides."
)
@click.pass_obj
def set_(
    ctx: Context,
    words: tuple[str, ...],
    incident_uid: str | None,
    within: str | None,
    country: str | None,
    reason: str,
    decided_by: str,
) -> None:
    """Decide by hand that NAME (or --incident UID) is in UNIT; later resolves reuse it.

    \b
    Example:
      gawahi geo set "Spin Tangi" kohat --within KP --reason "FR Kohat village"
      gawahi geo set --incident gtd:201108180006 khyber --reason "Tirah, Khyber side"
    """
    if len(words) != (1 if incident_uid else 2):
        raise click.UsageError("give NAME UNIT, or --incident UID with UNIT alone")
    name, unit = (None, words[0]) if incident_uid else words
    with ctx.engine().begin() as conn:
        sync_packs(conn)
        decision_id = decisions.record_decision(
            conn,
            decisions.Decision(
                lookup.choose_country(UnitIndex.load(conn), country),
                unit,
                reason,
                decided_by,
                name,
                within,
                incident_uid,
            ),
        )
        report = resolve_incidents(conn)
    click.echo(f"decision {decision_id} stored; {report.changed} incident(s) changed")


@geo.command(name="import-geonames")
@click.argument("path", type=_FILE)
@click.pass_obj
def import_geonames(ctx: Context, path: Path) -> None:
    """Add a GeoNames dump (cities500.txt, PK.txt, or a CSV with GeoNames columns)."""
    with ctx.engine().begin() as conn:
        count = gazetteer.import_geonames(conn, path)
    click.echo(f"imported {count} places from {path.name}; run 'gawahi geo resolve' to use them")


@geo.command(name="import-boundaries")
@click.argument("path", type=_FILE)
@click.option(
    "--level", type=click.IntRange(1, 3), required=True, help="The unit level of the features."
)
@click.option("--country", help="ISO3 code, when the file does not say.")
@click.option(
    "--name-field", help="The property with unit names (default: shapeName, NAME_n, name)."
)
@click.option("--citation", help="How the boundaries must be cited.")
@click.option(
    "--allow-unmatched", is_flag=True, help="Keep the features that match a unit; list the rest."
)
@click.pass_obj
def import_boundaries_(
    ctx: Context,
    path: Path,
    level: int,
    country: str | None,
    name_field: str | None,
    citation: str | None,
    allow_unmatched: bool,
) -> None:
    """Import GeoJSON polygons of one unit level; resolving then uses them for points.

    \b
    Example:
      gawahi geo import-boundaries PAK_ADM1_geoboundaries.geojson --level 1
    """
    with ctx.engine().begin() as conn:
        sync_packs(conn)
        done = import_boundaries(
            conn,
            UnitIndex.load(conn),
            path,
            level,
            country=country,
            name_field=name_field,
            citation=citation,
            allow_unmatched=allow_unmatched,
        )
    click.echo(
        f"imported {done.matched} level-{level} boundaries for {done.country} from {done.file_name}"
    )
    for line in done.unmatched:
        click.echo(f"  not imported: {line}", err=True)


@geo.command(name="import-population")
@click.argument("path", type=_FILE)
@click.option(
    "--kind",
    type=click.Choice(["census", "estimates"]),
    required=True,
    help="census: the tidy census table; estimates: a cited group-estimates CSV.",
)
@click.option("--country", help="ISO3 code (default: the only country whose units are loaded).")
@click.option("--allow-unmatched", is_flag=True, help="Keep rows whose place is not a unit.")
@click.pass_obj
def import_population(
    ctx: Context, path: Path, kind: str, country: str | None, allow_unmatched: bool
) -> None:
    """Import population figures: census totals or cited estimates for a group."""
    with ctx.engine().begin() as conn:
        sync_packs(conn)
        index = UnitIndex.load(conn)
        if kind == "census":
            done = populations.import_census(
                conn,
                index,
                path,
                country=lookup.choose_country(index, country),
                allow_unmatched=allow_unmatched,
            )
        else:
            done = populations.import_estimates(
                conn,
                index,
                path,
                country=lookup.choose_country(index, country),
                allow_unmatched=allow_unmatched,
            )
    click.echo(f"imported {done.rows} population figures from {done.file_name}")
    for line in [*done.unmatched, *done.notes]:
        click.echo(f"  {line}", err=True)


@geo.command(name="populations")
@click.argument("unit", required=False)
@click.option("--group", help="Only figures for this group (e.g. 'Hazara').")
@click.option("--country", help="ISO3 code (default: the only country whose units are loaded).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def populations_(
    ctx: Context, unit: str | None, group: str | None, country: str | None, as_json: bool
) -> None:
    """Population figures for UNIT (or the country), each with its source and year."""
    with ctx.engine().connect() as conn:
        index = UnitIndex.load(conn)
        code = lookup.choose_country(index, country)
        unit_id = lookup.resolve_unit(index, code, unit) if unit else None
        found = populations.denominators(conn, unit_id, group, country=code)
    rows = [d.__dict__ | {"figure": d.describe()} for d in found]
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ("unit_id", "place_name", "group", "year", "figure"))
