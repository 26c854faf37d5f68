"""``gawahi init``: create the store or bring its schema up to date."""

from __future__ import annotations

import click

from gawahi.cli.context import Context
from gawahi.geo.units import sync_packs
from gawahi.store.engine import migrate


@click.command()
@click.pass_obj
def init(ctx: Context) -> None:
    """Create the database, or migrate an older one (SQLite files are backed up first).

    \b
    Example:
      gawahi init
      gawahi --db postgresql://127.0.0.1/gawahi init
    """
    engine = ctx.engine(initialised=False)
    before, after, backup = migrate(engine)
    with engine.begin() as conn:
        loaded = sync_packs(conn)
    if before == after:
        click.echo(f"database is up to date (schema {after})")
    elif before is None:
        click.echo(f"created database (schema {after})")
    else:
        click.echo(f"migrated database from schema {before} to {after}")
    if loaded:
        click.echo(f"loaded administrative units for {', '.join(loaded)}")
    if backup is not None:
        click.echo(f"backup of the previous database: {backup}")
