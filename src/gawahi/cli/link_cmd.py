"""``gawahi link``, ``gawahi clusters``, ``gawahi cluster``, ``gawahi review``, ``eval links``."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Any

import click

from gawahi.cli.context import Context
from gawahi.cli.output import emit, emit_json, emit_table, progress_bar
from gawahi.linkage import decisions, queries
from gawahi.linkage.evaluation import evaluate_links
from gawahi.linkage.linking import LinkReport, LinkSettings, link_incidents

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_REASON = click.option("--reason", required=True, help="Why: the evidence, in a sentence.")
_BY = click.option("--by", default=getpass.getuser, help="Who decides [default: your login].")


@click.group(invoke_without_command=True)
@click.option(
    "--link-threshold",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=LinkSettings.link_threshold,
    show_default=True,
    help="Match probability at which a pair is linked.",
)
@click.option(
    "--review-threshold",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=LinkSettings.review_threshold,
    show_default=True,
    help="Pairs from here up to the link threshold go to 'gawahi review'.",
)
@click.option(
    "--duplicates",
    multiple=True,
    metavar="SOURCE",
    help="A source whose records may repeat within one incident (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with the fitted model).")
@click.pass_context
def link(
    click_ctx: click.Context,
    link_threshold: float,
    review_threshold: float,
    duplicates: tuple[str, ...],
    as_json: bool,
) -> None:
    """Link records of different sources that report the same incident into clusters.

    Scores candidate pairs (close in time and place) with a Fellegi-Sunter model fitted
    by EM, joins pairs above the link threshold under constraints, keeps cluster ids
    stable across runs and applies every decision people made. Counts in gawahi are
    counts of clusters.

    \b
    Example:
      gawahi link
      gawahi link confirm ucdp-ged:63107 pbc-suicide:369 --reason "same snooker hall bombing"
      gawahi link reject ucdp-ged:63006 pbc-suicide:369 --reason "BLA bombing, other site"
    """
    if click_ctx.invoked_subcommand is not None:
        return
    ctx: Context = click_ctx.obj
    settings = LinkSettings(link_threshold, review_threshold, duplicates=frozenset(duplicates))
    with progress_bar("linking") as progress, ctx.engine().begin() as conn:
        report = link_incidents(conn, settings, progress=progress)
    if as_json:
        emit_json(report.as_dict())
        return
    print_link_report(report)


def print_link_report(report: LinkReport) -> None:
    click.echo(
        f"run {report.run_id}: {report.records} records, {report.candidates} candidate pairs "
        f"({report.decoys} decoys for u)"
    )
    click.echo(
        f"linked {report.linked_pairs} pairs into {report.multi_source_clusters} clusters of "
        f"several sources; {report.clusters} incidents in all"
    )
    click.echo(
        f"for review: {report.review_pairs} grey-zone pairs, {report.conflicts} kept apart by "
        "a constraint (see 'gawahi review')"
    )
    if report.undated:
        click.echo(f"{report.undated} records have no date and stay alone")
    click.echo(f"cluster ids: {report.new_ids} new, {report.retired_ids} retired")


def _decide(ctx: Context, action: str, a: str, b: str, reason: str, by: str) -> None:
    with ctx.engine().begin() as conn:
        number = decisions.decide_pair(conn, action, a, b, reason=reason, by=by)
        link_incidents(conn)
        cluster_a = queries.resolve_cluster_id(conn, a)
        cluster_b = queries.resolve_cluster_id(conn, b)
    where = (
        f"both in cluster {cluster_a}"
        if cluster_a == cluster_b
        else (f"clusters {cluster_a} and {cluster_b}")
    )
    click.echo(f"decision {number}: {action} {a} and {b}; now {where}")


@link.command("confirm")
@click.argument("uid_a")
@click.argument("uid_b")
@_REASON
@_BY
@click.pass_obj
def link_confirm(ctx: Context, uid_a: str, uid_b: str, reason: str, by: str) -> None:
    """Say that two records are the same incident (kept on every later run)."""
    _decide(ctx, "confirm", uid_a, uid_b, reason, by)


@link.command("reject")
@click.argument("uid_a")
@click.argument("uid_b")
@_REASON
@_BY
@click.pass_obj
def link_reject(ctx: Context, uid_a: str, uid_b: str, reason: str, by: str) -> None:
    """Say that two records are different incidents: never in one cluster again."""
    _decide(ctx, "reject", uid_a, uid_b, reason, by)


@link.command("split")
@click.argument("cluster_id", metavar="CLUSTER")
@click.argument("uids", nargs=-1, required=True)
@_REASON
@_BY
@click.pass_obj
def link_split(ctx: Context, cluster_id: str, uids: tuple[str, ...], reason: str, by: str) -> None:
    """Split the records UIDS off CLUSTER: kept apart from the rest from now on.

    \b
    Example:
      gawahi link split 812 gtd:201306150005 --reason "the hospital attack, a second site"
    """
    with ctx.engine().begin() as conn:
        number_id = queries.resolve_cluster_id(conn, cluster_id)
        number = decisions.split_cluster(conn, number_id, list(uids), reason=reason, by=by)
        link_incidents(conn)
    click.echo(f"decision {number}: split {', '.join(uids)} off cluster {number_id}")


@click.command()
@click.option("--country", help="ISO3 code, e.g. PAK.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="From this date.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="To this date.")
@click.option("--source", help="Only clusters with a record of this source.")
@click.option(
    "--min-sources",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Only clusters reported by at least this many sources.",
)
@click.option("--tag", help="Only clusters with this tag (tag or tag:role) on any member.")
@click.option(
    "--limit",
    type=click.IntRange(0),
    default=100,
    show_default=True,
    help="At most this many (0: all).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.pass_obj
def clusters(
    ctx: Context, start: Any, end: Any, limit: int, as_json: bool, as_csv: bool, **filters: Any
) -> None:
    """List incidents as linked across sources (clusters), newest first.

    \b
    Example:
      gawahi clusters --country PAK --min-sources 2 --tag hazara:victim
    """
    with ctx.engine().connect() as conn:
        rows = queries.list_clusters(
            conn, start=_day(start), end=_day(end), limit=limit or None, **filters
        )
    columns = (
        "id",
        "date_start",
        "admin2_id",
        "sources",
        "size",
        "deaths_best",
        "deaths_low",
        "deaths_high",
    )
    emit(rows, columns, as_json, as_csv)


def _day(value: Any) -> date | None:
    return value.date() if value is not None else None


@click.command()
@click.argument("key", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def cluster(ctx: Context, key: str, as_json: bool) -> None:
    """The reconciliation ledger of one cluster (its id, or any member's uid).

    Each source's own date, place and deaths side by side, the cluster's figures and
    the rule behind them, the pairs that joined it, its tags with the record each
    comes from, and the decisions about it.

    \b
    Example:
      gawahi cluster ucdp-ged:63107
    """
    with ctx.engine().connect() as conn:
        data = queries.ledger(conn, key)
    if as_json:
        emit_json(data)
        return
    _print_ledger(data)


def _print_ledger(data: dict[str, Any]) -> None:
    c = data["cluster"]
    click.echo(f"cluster {c['id']} ({c['sources']}): {c['date_start']} {c['admin2_id'] or ''}")
    click.echo(
        f"deaths {c['deaths_best']} (range {c['deaths_low']}-{c['deaths_high']}); {data['rule']}"
    )
    emit_table(
        data["members"],
        (
            "uid",
            "date_start",
            "place",
            "admin2_id",
            "deaths_best",
            "deaths_low",
            "deaths_high",
            "via",
        ),
        title="members",
    )
    emit_table(
        data["sources"],
        ("source", "date_start", "best", "low", "high"),
        title="each source's figure",
    )
    emit_table(data["tags"], ("tag", "role", "confidence", "provenance"), title="tags")
    links = [dict(row, levels=_levels(row["levels"])) for row in data["links"]]
    emit_table(links, ("uid_a", "uid_b", "probability", "status", "levels"), title="pairs")
    for decision in data["decisions"]:
        click.echo(
            f"decision {decision['id']}: {decision['action']} {decision['uids']} by "
            f"{decision['decided_by']} at {decision['decided_at']}: {decision['reason']}"
        )


def _levels(levels: dict[str, str]) -> str:
    return "; ".join(f"{name}: {label}" for name, label in levels.items())


@click.command()
@click.option("--limit", type=click.IntRange(1), help="Stop after this many pairs.")
@_BY
@click.pass_obj
def review(ctx: Context, limit: int | None, by: str) -> None:
    """Decide grey-zone pairs one by one: [c]onfirm, [r]eject, [s]kip or [q]uit.

    Pairs come closest call first: those between the review and link thresholds, and
    those above it that a constraint kept apart. Decisions are applied by a new link
    run at the end.

    \b
    Example:
      gawahi review --limit 20
    """
    with ctx.engine().connect() as conn:
        queue = queries.review_queue(conn, limit)
    if not queue:
        click.echo("nothing to review")
        return
    decided = 0
    for number, pair in enumerate(queue, start=1):
        with ctx.engine().connect() as conn:
            _show_pair(conn, pair, number, len(queue))
        choice = click.prompt(
            "[c]onfirm, [r]eject, [s]kip, [q]uit",
            type=click.Choice(["c", "r", "s", "q"]),
            default="s",
        )
        if choice == "q":
            break
        if choice == "s":
            continue
        reason = click.prompt("reason", default="compared both records side by side")
        action = "confirm" if choice == "c" else "reject"
        with ctx.engine().begin() as conn:
            decisions.decide_pair(conn, action, pair["uid_a"], pair["uid_b"], reason=reason, by=by)
        decided += 1
    if decided:
        with ctx.engine().begin() as conn:
            link_incidents(conn)
    click.echo(f"{decided} decisions recorded" + ("; clusters updated" if decided else ""))


def _show_pair(conn: Any, pair: dict[str, Any], number: int, total: int) -> None:
    click.echo(f"\npair {number}/{total}: p={pair['probability']:.3f} ({pair['status']})")
    members = [queries.ledger_member(conn, uid) for uid in (pair["uid_a"], pair["uid_b"])]
    emit_table(
        members,
        ("uid", "date_start", "place", "admin2_id", "deaths_best", "event_type", "headlines"),
    )
    click.echo(_levels(pair["levels"]))


def eval_links(ctx: Context, gold: Path, as_json: bool) -> None:
    """Precision and recall of the clusters against hand-labelled pairs (GOLD, CSV)."""
    with ctx.engine().connect() as conn:
        result = evaluate_links(conn, gold)
    data = result.as_dict()
    if as_json:
        emit_json(data)
        return
    rows = [
        {"subset": "all"} | data["overall"],
        {"subset": "without split attacks"} | data["without_split_attacks"],
    ]
    rows += [{"subset": k} | v for k, v in data["by_sources"].items()]
    for row in rows:
        for key in ("precision", "recall"):
            row[key] = "-" if row[key] is None else f"{row[key]:.3f}"
    emit_table(
        rows,
        (
            "subset",
            "pairs",
            "true_positives",
            "false_positives",
            "false_negatives",
            "precision",
            "recall",
        ),
        title=f"{gold.name}: clusters against gold pairs",
    )
    if data["missing_from_store"]:
        click.echo(
            f"{len(data['missing_from_store'])} records of the gold file are not in the "
            "store (their pairs left out)"
        )
