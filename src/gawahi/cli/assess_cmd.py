"""``gawahi assess``, ``gawahi assessments`` and ``gawahi explain``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import click

from gawahi.cli.context import Context
from gawahi.cli.output import emit_json, emit_table
from gawahi.errors import ConfigError
from gawahi.risk.spec import AIRPORT_KM, CORRIDOR_KM, RECENT_YEARS, AssessmentSpec

# The risk modules load scipy and statsmodels (seconds): imported inside the commands,
# so that every other command starts fast.


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split(",") if p.strip())


def _airports(values: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for value in values:
        area, sep, code = value.partition("=")
        if not sep or not area.strip() or not code.strip():
            raise ConfigError(f"--airport {value!r}: give AREA=IATA, e.g. Karachi=KHI")
        found[area.strip()] = code.strip()
    return found


def assess_options(required: bool = True) -> Callable[[Any], Any]:
    """The options that say what to assess (``gawahi assess``, ``gawahi report``)."""
    options = [
        click.option(
            "--profile", required=required, help="Victim tags, all required: shia,hazara."
        ),
        click.option("--home", required=required, help="The home area: a unit name or id."),
        click.option(
            "--areas", help="Relocation areas, comma-separated [default: largest cities]."
        ),
        click.option("--from", "start", type=int, required=required, help="First year."),
        click.option("--to", "end", type=int, required=required, help="Last year."),
        click.option("--factor", "factors", help="Personal factors as victim tags: activist."),
        click.option(
            "--perpetrators", help="Perpetrator tags [default: who attacked the profile at home]."
        ),
        click.option(
            "--airport", "airports", multiple=True, metavar="AREA=IATA", help="Arrival airport."
        ),
        click.option("--corridor-km", type=float, default=CORRIDOR_KM, show_default=True),
        click.option("--airport-km", type=float, default=AIRPORT_KM, show_default=True),
        click.option(
            "--recent", type=int, default=RECENT_YEARS, show_default=True, help="Recent years."
        ),
        click.option(
            "--min-confidence",
            type=click.FloatRange(0, 1),
            default=0.0,
            show_default=True,
            help="Count only tags of at least this confidence ('gawahi why' shows them).",
        ),
        click.option("--country", help="ISO3 [default: the only country loaded]."),
    ]

    def apply(command: Any) -> Any:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


def run_assessment(conn: Any, options: dict[str, Any]) -> Any:
    """Assess as the options ask, and store the assessment."""
    from gawahi.risk import store
    from gawahi.risk.assessment import assess

    result = assess(conn, _spec(conn, options))
    store.save(conn, result)
    return result


@click.command("assess")
@assess_options()
@click.option("--json", "as_json", is_flag=True, help="Print the whole assessment as JSON.")
@click.pass_obj
def assess_(ctx: Context, **options: Any) -> None:
    """Assess the risk for a profile at home and in relocation areas; store the result.

    Every figure carries the incidents behind it ('gawahi explain ID FIGURE').

    \b
    Example:
      gawahi assess --profile shia,hazara --home Quetta \\
        --areas Karachi,Lahore,Islamabad --from 2008 --to 2021
    """
    as_json = options.pop("as_json")
    with ctx.engine().begin() as conn:
        result = run_assessment(conn, options)
    if as_json:
        emit_json(as_dict(result))
        return
    _print(result)


def _spec(conn: Any, o: dict[str, Any]) -> AssessmentSpec:
    from gawahi.geo.lookup import choose_country
    from gawahi.geo.units import UnitIndex

    return AssessmentSpec(
        country=choose_country(UnitIndex.load(conn), o["country"]),
        profile=_names(o["profile"]),
        home=o["home"],
        areas=_names(o["areas"]),
        start=date(o["start"], 1, 1),
        end=date(o["end"], 12, 31),
        factors=_names(o["factors"]),
        perpetrators=_names(o["perpetrators"]),
        airports=_airports(o["airports"]),
        corridor_km=o["corridor_km"],
        airport_km=o["airport_km"],
        recent_years=o["recent"],
        min_confidence=o["min_confidence"],
    )


def as_dict(result: Any) -> dict[str, Any]:
    return {
        "id": result.id,
        "params": result.spec.as_dict(),
        "areas": result.areas,
        "perpetrators": result.perpetrators,
        "perpetrators_from": result.perpetrators_from,
        "figures": [f.as_dict() for f in result.figures],
        "findings": result.findings,
        "datasets": result.datasets,
        "coverage": result.coverage,
        "link_run_id": result.link_run_id,
    }


def _value(v: Any) -> str:
    if v is None:
        return "-"
    return f"{v:,.2f}" if isinstance(v, float) and not float(v).is_integer() else f"{v:,.0f}"


def _figure_name(figure: Any, area: str) -> str:
    """The figure's key within its area; a personal factor's figure names the factor."""
    name = figure.key.split("/", 1)[1]
    return name if figure.area == area else f"{name} {figure.area[len(area) :].strip()}"


def _print(result: Any) -> None:
    for area in result.areas:
        rows = [
            {
                "figure": _figure_name(f, area["name"]),
                "value": _value(f.value),
                "95% / range": "" if f.low is None else f"{_value(f.low)}–{_value(f.high)}",
                "unit": f.unit,
                "incidents": len(f.ids),
            }
            for f in result.figures
            if f.area == area["name"] or f.area.startswith(f"{area['name']} (")
        ]
        emit_table(
            rows,
            ("figure", "value", "95% / range", "unit", "incidents"),
            f"{area['label']} ({area['role']})",
        )
    click.echo("\nFindings:")
    for item in result.findings:
        click.echo(f"- {item['text']}")
    click.echo(f"\nassessment {result.id} stored; 'gawahi explain {result.id} FIGURE' lists")
    click.echo("the incidents and sources behind a figure")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def assessments(ctx: Context, as_json: bool) -> None:
    """Stored assessments with their parameters."""
    from gawahi.risk import store

    with ctx.engine().connect() as conn:
        rows = store.listing(conn)
    if as_json:
        emit_json(rows)
        return
    emit_table(
        [{**r, "profile": ",".join(r["profile"]), "areas": ",".join(r["areas"])} for r in rows],
        ("id", "created_at", "profile", "home", "areas", "start", "end"),
    )


@click.command()
@click.argument("assessment_id", type=int)
@click.argument("figure", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def explain(ctx: Context, assessment_id: int, figure: str | None, as_json: bool) -> None:
    """The incidents and sources behind one FIGURE of a stored assessment (or its figures).

    \b
    Example:
      gawahi explain 1 Quetta/profile.incidents
    """
    from gawahi.risk import store

    with ctx.engine().connect() as conn:
        result = store.load(conn, assessment_id)
        if figure is None:
            emit_table(
                [
                    {"figure": f.key, "value": _value(f.value), "incidents": len(f.ids)}
                    for f in result.figures
                ],
                ("figure", "value", "incidents"),
            )
            return
        try:
            chosen = result.figure(figure)
        except KeyError:
            hint = f"'gawahi explain {assessment_id}' lists them"
            raise ConfigError(
                f"assessment {assessment_id} has no figure {figure!r}; {hint}"
            ) from None
        behind = store.incidents_behind(conn, chosen.ids)
    if as_json:
        emit_json({"figure": chosen.as_dict(), "incidents": behind})
        return
    click.echo(f"{chosen.key}: {_value(chosen.value)} {chosen.unit} ({chosen.label})")
    for key, value in chosen.detail.items():
        click.echo(f"  {key}: {value}")
    for item in behind:
        head = (item["incident"], item.get("date", ""), item.get("place") or "")
        click.echo("  ".join(head) + f"  deaths {item.get('deaths')}  [{item.get('sources', '')}]")
        for r in item["records"]:
            line = (r["uid"], r["date"], r["place"] or "", str(r["deaths_best"]), r["text"])
            click.echo("    " + "  ".join(line))
            for c in r["citations"]:
                said = ", ".join(c.get(k, "") for k in ("publisher", "date") if c.get(k))
                click.echo(f"      - {said}: {c.get('headline', '')} {c.get('url', '')}".rstrip())
