"""``gawahi quickstart``: the README's main job in one command, from an empty store to the
flagship report. Each step is the command a user would run, run in turn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import yaml

from gawahi.cli.assess_cmd import assess_
from gawahi.cli.fetch_cmd import ucdp
from gawahi.cli.geo_cmd import import_boundaries_, import_population
from gawahi.cli.import_cmd import import_
from gawahi.cli.link_cmd import link
from gawahi.cli.report_cmd import report
from gawahi.cli.store_cmd import init
from gawahi.errors import ConfigError, InputError
from gawahi.textyaml import TextLoader

PLAN = Path(__file__).resolve().parents[1] / "quickstart.yaml"
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command()
@click.option("--from", "files", multiple=True, type=_FILE, help="Event files to import "
              "instead of fetching the plan's UCDP release.")  # fmt: skip
@click.option("--boundaries", multiple=True, type=_FILE, help="geoBoundaries GeoJSON (ADM1, ADM2).")
@click.option("--estimates", multiple=True, type=_FILE, help="Group population estimates CSV.")
@click.option("--census", multiple=True, type=_FILE, help="Census table CSV.")
@click.option(
    "-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("report"),
    show_default=True, help="Folder for the report files and manifest.",
)  # fmt: skip
@click.option("--plan", type=_FILE, default=PLAN, help="Another plan (YAML) than the flagship's.")
@click.pass_context
def quickstart(
    click_ctx: click.Context, files: tuple[Path, ...], boundaries: tuple[Path, ...],
    estimates: tuple[Path, ...], census: tuple[Path, ...], out: Path, plan: Path,
) -> None:  # fmt: skip
    """Build the store and write the flagship report (PDF, Word, HTML and manifest).

    \b
    Example:
      gawahi quickstart --from conflict_data_pak.csv --boundaries PAK_ADM1.geojson
    """
    steps = _load(plan)
    _step("1/7 store")
    click_ctx.invoke(init)
    _step("2/7 boundaries")
    for path in boundaries:
        click_ctx.invoke(import_boundaries_, path=path, level=_level(path))
    _step("3/7 events: import, place, tag")
    if files:
        click_ctx.invoke(import_, files=files)
    else:
        click_ctx.invoke(ucdp, **steps["data"]["ucdp"])
    _step("4/7 populations")
    for kind, paths in (("estimates", estimates), ("census", census)):
        for path in paths:
            click_ctx.invoke(import_population, path=path, kind=kind)
    _step("5/7 linking")
    click_ctx.invoke(link)
    _step("6/7 assessment")
    asked = _assessment(steps, plan)
    click_ctx.invoke(assess_, **asked)
    _step("7/7 report")
    outputs = tuple(out / f"{steps['name']}{suffix}" for suffix in (".pdf", ".docx", ".html"))
    title = steps.get("report", {}).get("title")
    click_ctx.invoke(report, assessment_id=_latest(click_ctx), outputs=outputs, title=title)


def _latest(click_ctx: click.Context) -> int:
    from gawahi.risk import store

    with click_ctx.obj.engine().connect() as conn:
        return int(store.listing(conn)[-1]["id"])


def _step(text: str) -> None:
    click.secho(f"\n== {text}", bold=True)


def _load(path: Path) -> dict[str, Any]:
    try:
        plan = yaml.load(path.read_text(encoding="utf-8"), Loader=TextLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(path, f"cannot read the plan: {exc}") from None
    for key in ("name", "data", "assessment"):
        if key not in (plan or {}):
            raise InputError(path, f"the plan has no {key!r}")
    return plan


def _assessment(plan: dict[str, Any], path: Path) -> dict[str, Any]:
    """The plan's assessment as the options of 'gawahi assess' (its YAML is all text)."""
    asked = dict(plan["assessment"])
    try:
        asked["start"], asked["end"] = int(asked.pop("from")), int(asked.pop("to"))
    except (KeyError, ValueError):
        raise InputError(path, "the plan's assessment needs 'from' and 'to' years") from None
    asked.setdefault("country", plan.get("country"))
    return asked


def _level(path: Path) -> int:
    """A geoBoundaries file's level from its features' shapeType (ADM1 -> 1)."""
    import orjson

    features = orjson.loads(path.read_bytes()).get("features") or [{}]
    kind = str((features[0].get("properties") or {}).get("shapeType", ""))
    if not kind.upper().startswith("ADM") or not kind[3:].isdigit():
        raise ConfigError(f"{path}: no shapeType ADM1/ADM2; import it with 'gawahi geo "
                          "import-boundaries FILE --level N'")  # fmt: skip
    return int(kind[3:])
