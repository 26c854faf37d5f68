"""``gawahi report`` and ``gawahi verify``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from gawahi.cli.assess_cmd import assess_options, run_assessment
from gawahi.cli.context import Context
from gawahi.errors import ConfigError

_NEEDED = ("profile", "home", "start", "end")


@click.command()
@click.argument("assessment_id", type=int, required=False)
@assess_options(required=False)
@click.option(
    "-o", "--output", "outputs", multiple=True, required=True, type=click.Path(path_type=Path),
    help="A report file: .pdf, .docx or .html (repeat for several).",
)  # fmt: skip
@click.option("--title", help="The report's title.")
@click.option("--case-ref", default="", help="The case reference on the cover and every page.")
@click.option("--author", default="", help="The author named on the cover.")
@click.option("--date", "on", default="", help="The report's date (default: today).")
@click.pass_obj
def report(
    ctx: Context, assessment_id: int | None, outputs: tuple[Path, ...], title: str | None,
    case_ref: str, author: str, on: str, **options: Any,
) -> None:  # fmt: skip
    """Write the evidence report of a stored assessment (or of a new one, from the same
    options as 'gawahi assess') as PDF, Word or HTML, with a manifest beside it.

    \b
    Example:
      gawahi report 1 -o quetta.pdf -o quetta.docx --case-ref "PA/01234/2026"
      gawahi report --profile shia,hazara --home Quetta --areas Karachi,Lahore \\
        --from 2008 --to 2021 -o quetta.html
    """
    from gawahi.profiles.pack import load_packs
    from gawahi.report.context import ReportMeta
    from gawahi.report.writer import write_reports
    from gawahi.risk import store

    meta = ReportMeta(case_ref=case_ref, author=author, date=on)
    if title:
        meta = ReportMeta(title=title, case_ref=case_ref, author=author, date=on)
    with ctx.engine().begin() as conn:
        if assessment_id is None:
            _check_asked(options)
            result = run_assessment(conn, options)
            click.echo(f"assessment {result.id} stored")
        else:
            result = store.load(conn, assessment_id)
        manifest = write_reports(conn, result, load_packs(), meta, list(outputs), click.echo)
    click.echo(f"verify it with: gawahi verify {manifest}")


def _check_asked(options: dict[str, Any]) -> None:
    missing = [f"--{'from' if n == 'start' else 'to' if n == 'end' else n}" for n in _NEEDED
               if options.get(n) is None]  # fmt: skip
    if missing:
        raise ConfigError(
            f"give an assessment id, or the assessment's options: {', '.join(missing)} missing"
        )


@click.command()
@click.argument("manifest", type=click.Path(path_type=Path))
@click.option("--no-files", is_flag=True, help="Do not check the report files' hashes.")
@click.pass_obj
def verify(ctx: Context, manifest: Path, no_files: bool) -> None:
    """Recompute every figure of a report from the store and compare it with its manifest;
    fail, naming them, on any figure that differs or any dataset that changed.

    \b
    Example:
      gawahi verify quetta.manifest.json
    """
    from gawahi.report.verify import verify_file

    with ctx.engine().begin() as conn:
        checked = verify_file(conn, manifest, check_files=not no_files)
    for line in checked.lines():
        click.echo(line)
    if not checked.ok:
        raise click.exceptions.Exit(1)
