"""``gawahi fetch``: download a public release from its publisher and import it."""

from __future__ import annotations

import os

import click

from gawahi.cli.context import Context
from gawahi.cli.import_cmd import AfterImport, print_report
from gawahi.cli.output import progress_bar
from gawahi.settings import cache_dir
from gawahi.sources.fetch import UCDP_DOWNLOADS, fetch_ucdp

UCDP_BASE_ENV = "GAWAHI_UCDP_DOWNLOAD_URL"


@click.group()
def fetch() -> None:
    """Download public datasets from their publishers (cached with checksums) and import them."""


@fetch.command()
@click.option("--version", "version", required=True, help="GED release, e.g. 22.1 or 24.1.")
@click.option("--country", help="Keep only this country (name or ISO3), e.g. Pakistan.")
@click.pass_obj
def ucdp(ctx: Context, version: str, country: str | None) -> None:
    """UCDP GED: the global CSV release, optionally cut to one country.

    The download address can be changed with GAWAHI_UCDP_DOWNLOAD_URL (a mirror).

    \b
    Example:
      gawahi fetch ucdp --version 22.1 --country Pakistan
    """
    engine = ctx.engine()
    base = os.environ.get(UCDP_BASE_ENV, UCDP_DOWNLOADS)
    with progress_bar(f"UCDP GED {version}") as progress:
        after = AfterImport()
        report = fetch_ucdp(
            engine,
            version,
            cache_dir(),
            country=country,
            base_url=base,
            progress=progress,
            finish=after,
        )
    print_report(report, *after.reports(report.dataset_id))
