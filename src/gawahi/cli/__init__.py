"""The ``gawahi`` command: thin shells over the library, one module per command group."""

from __future__ import annotations

import atexit
import gc
import importlib
import sys
from typing import Any

import click

from gawahi.cli.context import Context
from gawahi.errors import GawahiError

# Each command and the module that defines it, imported when the command runs: importing
# every command module took a second before any work began (the import and fetch
# commands alone load the GTD reader, openpyxl and an HTTP client).
COMMANDS = {
    "init": ("store_cmd", "init"),
    "import": ("import_cmd", "import_"),
    "datasets": ("browse", "datasets"),
    "incidents": ("browse", "incidents"),
    "show": ("browse", "show"),
    "fetch": ("fetch_cmd", "fetch"),
    "geo": ("geo_cmd", "geo"),
    "tag": ("profiles_cmd", "tag"),
    "why": ("profiles_cmd", "why"),
    "profiles": ("profiles_cmd", "profiles"),
    "eval": ("profiles_cmd", "eval_"),
    "link": ("link_cmd", "link"),
    "clusters": ("link_cmd", "clusters"),
    "cluster": ("link_cmd", "cluster"),
    "review": ("link_cmd", "review"),
    "assess": ("assess_cmd", "assess_"),
    "assessments": ("assess_cmd", "assessments"),
    "explain": ("assess_cmd", "explain"),
    "report": ("report_cmd", "report"),
    "verify": ("report_cmd", "verify"),
    "quickstart": ("quickstart_cmd", "quickstart"),
}


class _Gawahi(click.Group):
    """Turns a GawahiError into one clear line and an exit code (traceback with --debug);
    loads each command's module only when that command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(f"gawahi.cli.{module}"), attribute)
        return command

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
    # At exit, skip collecting what the command built: a report's drawings and layout, or
    # an import's rows, are hundreds of thousands of objects, and collecting them took
    # most of a second after the work was done. Files and connections are closed by then.
    atexit.unregister(gc.freeze)  # once, however often main runs in one process (tests)
    atexit.register(gc.freeze)
