"""``gawahi tag``, ``gawahi why``, ``gawahi profiles`` and ``gawahi eval tags``."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import click

from gawahi.cli import link_cmd
from gawahi.cli.context import Context
from gawahi.cli.output import emit, emit_json, emit_table, progress_bar
from gawahi.incidents.countries import iso3
from gawahi.linkage import counting
from gawahi.profiles import decisions, evaluation, queries
from gawahi.profiles.pack import load_packs
from gawahi.profiles.tagging import TagReport, tag_incidents
from gawahi.profiles.vocabulary import ProfilePacks

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group(invoke_without_command=True)
@click.option("--dataset", type=int, help="Only this dataset's incidents (see 'gawahi datasets').")
@click.option("--force", is_flag=True, help="Re-tag every incident, not only changed ones.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def tag(click_ctx: click.Context, dataset: int | None, force: bool, as_json: bool) -> None:
    """Tag incidents with victim groups and perpetrators, each with its evidence.

    Only incidents whose record, places, packs or decisions changed are re-tagged; a
    second run changes nothing. Imports tag their own incidents already.

    \b
    Example:
      gawahi tag
      gawahi tag --dataset 3
      gawahi tag add ucdp-ged:63811 hazara --role victim --reason "HRW 2014 names the victims"
    """
    if click_ctx.invoked_subcommand is not None:
        return
    ctx: Context = click_ctx.obj
    with progress_bar("tagging") as progress, ctx.engine().begin() as conn:
        report = tag_incidents(conn, dataset_id=dataset, force=force, progress=progress)
    if as_json:
        emit_json(report.as_dict())
        return
    print_tag_report(report)


def print_tag_report(report: TagReport) -> None:
    click.echo(f"examined {report.examined} incidents, re-tagged {report.changed}")
    rows = report.as_dict()["tags"]
    emit_table(rows, ("tag", "role", "incidents"), title="incidents per tag")


def _decide(ctx: Context, action: str, uid: str, tag_id: str, **options: Any) -> None:
    packs = load_packs()
    with ctx.engine().begin() as conn:
        number = decisions.decide(conn, packs, uid=uid, tag=tag_id, action=action, **options)
        tag_incidents(conn, packs=packs)
    click.echo(f"decision {number}: {action} {tag_id} ({options['role']}) for {uid}")


_DECISION_OPTIONS = (
    click.option(
        "--role",
        type=click.Choice(decisions.ROLES),
        default="victim",
        show_default=True,
        help="The tag's role.",
    ),
    click.option("--reason", required=True, help="Why: the evidence, in a sentence."),
    click.option("--by", default=getpass.getuser, help="Who decides [default: your login]."),
)


def _with_decision_options(command: Any) -> Any:
    for option in reversed(_DECISION_OPTIONS):
        command = option(command)
    return command


@tag.command("add")
@click.argument("uid")
@click.argument("tag_id", metavar="TAG")
@_with_decision_options
@click.pass_obj
def tag_add(ctx: Context, uid: str, tag_id: str, role: str, reason: str, by: str) -> None:
    """Add a tag the rules missed, with the reason as its evidence.

    \b
    Example:
      gawahi tag add ucdp-ged:60198 shia --reason "Al-Quds rally of Shia organisations"
    """
    _decide(ctx, "add", uid, tag_id, role=role, reason=reason, by=by)


@tag.command("reject")
@click.argument("uid")
@click.argument("tag_id", metavar="TAG")
@_with_decision_options
@click.pass_obj
def tag_reject(ctx: Context, uid: str, tag_id: str, role: str, reason: str, by: str) -> None:
    """Reject a wrong tag; it stays off on every later run.

    \b
    Example:
      gawahi tag reject gtd:201201010001 hazara --reason "Hazara here is the division"
    """
    _decide(ctx, "reject", uid, tag_id, role=role, reason=reason, by=by)


@click.command()
@click.argument("uid")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def why(ctx: Context, uid: str, as_json: bool) -> None:
    """Every tag of one incident with its evidence, and what was set aside and why.

    \b
    Example:
      gawahi why ucdp-ged:149701
    """
    with ctx.engine().connect() as conn:
        found = queries.why(conn, load_packs(), uid)
    if as_json:
        emit_json(found)
        return
    if not found["current"]:
        click.echo("note: the stored tags are out of date; run 'gawahi tag'")
    columns = ("tag", "role", "confidence", "method", "rule", "field", "matched")
    emit_table(found["tags"], columns, title=f"tags of {uid}")
    if found["set_aside"]:
        emit_table(found["set_aside"], ("tag", "field", "matched", "reason"), title="set aside")
    if found["decisions"]:
        columns = ("id", "action", "tag", "role", "reason", "decided_by", "decided_at")
        emit_table(found["decisions"], columns, title="decisions")


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def profiles(click_ctx: click.Context, as_json: bool) -> None:
    """The groups and perpetrators of the active packs (shipped and GAWAHI_PROFILE_PACKS).

    \b
    Example:
      gawahi profiles
      gawahi profiles counts --country PAK --tag shia --tag hazara
    """
    if click_ctx.invoked_subcommand is not None:
        return
    packs = load_packs()
    rows = pack_rows(packs)
    if as_json:
        emit_json({"packs": [_pack_dict(p) for p in packs.packs], "tags": rows})
        return
    emit_table(rows, ("id", "type", "kind", "label", "pack", "terms", "related"))
    names = ", ".join(f"{p.id} ({p.path.name})" for p in packs.packs)
    click.echo(f"{len(packs.cues)} cues, {len(packs.negatives)} negative contexts; packs: {names}")


def pack_rows(packs: ProfilePacks) -> list[dict[str, Any]]:
    rows = [
        {
            "id": g.id,
            "type": "group",
            "kind": g.kind,
            "label": g.label,
            "pack": g.pack,
            "terms": len(g.terms) + len(g.acronyms),
            "related": f"part of {g.parent}" if g.parent else "",
        }
        for g in packs.groups.values()
    ]
    rows += [
        {
            "id": p.id,
            "type": "perpetrator",
            "kind": p.kind,
            "label": p.label,
            "pack": p.pack,
            "terms": len(p.terms) + len(p.acronyms),
            "related": "; ".join(f"{r.type} {r.of}" for r in p.relations),
        }
        for p in packs.perpetrators.values()
    ]
    return rows


def _pack_dict(info: Any) -> dict[str, Any]:
    return {
        "id": info.id,
        "title": info.title,
        "country": info.country,
        "file": str(info.path),
        "sha256": info.sha256,
    }


@profiles.command("counts")
@click.option("--country", help="ISO3 code or country name, e.g. PAK.")
@click.option("--tag", "tags", multiple=True, help="Only this tag (repeatable).")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(decisions.ROLES),
    help="Only this role (repeatable) [default: victim and perpetrator].",
)
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.pass_obj
def counts(
    ctx: Context,
    country: str | None,
    tags: tuple[str, ...],
    roles: tuple[str, ...],
    min_confidence: float,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Incidents and deaths per tag, role and year, each incident counted once.

    Records that 'gawahi link' joined into one cluster are one incident, with the
    ledger's deaths and the tags of all its records; "sources" says how many of the
    incidents each source reports. Records not linked yet count as incidents of their own.

    \b
    Example:
      gawahi profiles counts --country PAK --tag hazara --role victim --json
    """
    code = iso3(country) if country else None
    if country and code is None:
        raise click.BadParameter(
            f"{country!r} is not a country: give an ISO3 code such as PAK or a name",
            param_hint="--country",
        )
    with ctx.engine().connect() as conn:
        rows = queries.tag_year_counts(
            conn,
            country=code,
            roles=roles or queries.DEFAULT_ROLES,
            tags=tags,
            min_confidence=min_confidence,
        )
        unlinked = counting.unlinked_records(conn)
    columns = (
        "tag",
        "role",
        "year",
        "incidents",
        "deaths_best",
        "deaths_low",
        "deaths_high",
        "sources",
    )
    emit(rows, columns, as_json, as_csv)
    if unlinked:
        click.echo(f"note: {unlinked} records are not linked yet; run 'gawahi link'", err=True)


@click.group("eval")
def eval_() -> None:
    """Measure gawahi against hand-labelled gold files.

    \b
    Example:
      gawahi eval tags tests/data/profiles/gold_tags.csv
      gawahi eval links tests/data/linkage/gold_pairs.csv
    """


@eval_.command("tags")
@click.argument("gold", type=_FILE)
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with the uids of misses).")
@click.pass_obj
def eval_tags(ctx: Context, gold: Path, min_confidence: float, as_json: bool) -> None:
    """Precision and recall per tag and role of the stored tags against GOLD (CSV).

    GOLD has the columns uid, victims and perpetrators (tag ids separated by spaces).
    Records not in the store are left out and counted.
    """
    records = evaluation.read_gold(gold, load_packs())
    with ctx.engine().connect() as conn:
        result = evaluation.evaluate_tags(conn, records, gold, min_confidence)
    if as_json:
        emit_json(result.as_dict())
        return
    rows = [_score_row(s) for s in result.scores]
    columns = ("tag", "role", "labelled", "found", "true_pos", "precision", "recall")
    emit_table(rows, columns, title=f"{gold.name}: {result.evaluated} records")
    if result.missing:
        click.echo(f"{len(result.missing)} gold records are not in the store (left out)")


@eval_.command("links")
@click.argument("gold", type=_FILE)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with the misses).")
@click.pass_obj
def eval_links(ctx: Context, gold: Path, as_json: bool) -> None:
    """Precision and recall of the clusters against hand-labelled pairs (GOLD, CSV).

    GOLD has the columns uid_a, uid_b and label (match or non-match). A pair counts as
    linked when both records are in one cluster.

    \b
    Example:
      gawahi eval links tests/data/linkage/gold_pairs.csv
    """
    link_cmd.eval_links(ctx, gold, as_json)


def _score_row(score: evaluation.TagScore) -> dict[str, Any]:
    def share(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    return {
        "tag": score.tag,
        "role": score.role,
        "labelled": score.true_positive + len(score.false_negative),
        "found": score.true_positive + len(score.false_positive),
        "true_pos": score.true_positive,
        "precision": share(score.precision),
        "recall": share(score.recall),
    }
