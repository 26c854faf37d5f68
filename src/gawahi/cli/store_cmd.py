"""``gawahi init``: create the store or bring its schema up to date."""

from __future__ import annotations

import click

from gawahi.cli.context import Context
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
    before, after, backup = migrate(ctx.engine(initialised=False))
    if before == after:
        click.echo(f"database is up to date (schema {after})")
    elif before is None:
        click.echo(f"created database (schema {after})")
    else:
        click.echo(f"migrated database from schema {before} to {after}")
    if backup is not None:
        click.echo(f"backup of the previous database: {backup}")
