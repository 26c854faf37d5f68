"""The ``gawahi`` command: thin shells over the library, one module per command group."""

from __future__ import annotations

import sys
from typing import Any

import click

from gawahi.cli.context import Context
from gawahi.errors import GawahiError


class _Gawahi(click.Group):
    """Turns a GawahiError into one clear line and an exit code (traceback with --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GawahiError as exc:
            if ctx.obj is not None and ctx.obj.debug:
                raise
            click.echo(f"error: {exc}", err=True)
            for line in getattr(exc, "details", lambda: [])():
                click.echo(f"  {line}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_Gawahi, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", metavar="URL", help="Database URL or SQLite file [env GAWAHI_DATABASE_URL].")
@click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
@click.version_option(package_name="gawahi")
@click.pass_context
def main(ctx: click.Context, db: str | None, debug: bool) -> None:
    """gawahi (گواہی, "testimony"): evidence workbench for asylum risk assessment.

    \b
    Example:
      gawahi init
      gawahi import conflict_data_pak.csv
      gawahi incidents --country PAK --from 2008-01-01 --to 2014-12-31 --text hazara
    """
    ctx.obj = Context(db, debug)


def _register() -> None:
    from gawahi.cli import (
        assess_cmd,
        browse,
        fetch_cmd,
        geo_cmd,
        import_cmd,
        link_cmd,
        profiles_cmd,
        quickstart_cmd,
        report_cmd,
        store_cmd,
    )

    for command in (
        store_cmd.init,
        import_cmd.import_,
        browse.datasets,
        browse.incidents,
        browse.show,
        fetch_cmd.fetch,
        geo_cmd.geo,
        profiles_cmd.tag,
        profiles_cmd.why,
        profiles_cmd.profiles,
        profiles_cmd.eval_,
        link_cmd.link,
        link_cmd.clusters,
        link_cmd.cluster,
        link_cmd.review,
        assess_cmd.assess_,
        assess_cmd.assessments,
        assess_cmd.explain,
        report_cmd.report,
        report_cmd.verify,
        quickstart_cmd.quickstart,
    ):
        main.add_command(command)


_register()
