"""``gawahi link``, ``clusters``, ``cluster``, ``review`` and ``eval links``: exact
messages and exit codes, on both backends."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gawahi.cli import main
from tests.linkage.conftest import LINKAGE, cluster_of, together

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(hazara: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("GAWAHI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GAWAHI_DATABASE_URL", raising=False)
    url = hazara.url.render_as_string(hide_password=False)

    def invoke(*args: str, input: str | None = None) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, ["--db", url, *map(str, args)], input=input)
        return result.exit_code, result.stdout, result.stderr

    return invoke


@pytest.fixture
def linked(run: Run) -> Run:
    code, out, err = run("link")
    assert code == 0, (out, err)
    return run


def test_link_prints_the_run(run: Run) -> None:
    code, out, err = run("link")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "run 1: 36 records, 33 candidate pairs (0 decoys for u)"
    assert lines[1].startswith("linked ") and lines[1].endswith(" incidents in all")
    assert " clusters of several sources; 16 incidents in all" in lines[1]
    assert lines[2].startswith("for review: ") and lines[2].endswith(
        " kept apart by a constraint (see 'gawahi review')"
    )
    assert lines[3] == "cluster ids: 16 new, 0 retired"
    code, out, _ = run("link")
    assert out.splitlines()[-1] == "cluster ids: 0 new, 0 retired"


def test_link_rejects_a_review_threshold_above_the_link_threshold(run: Run) -> None:
    code, _, err = run("link", "--link-threshold", "0.3", "--review-threshold", "0.6")
    assert (code, err) == (2, "error: thresholds must satisfy 0 < review <= link < 1\n")


def test_clusters_json_lists_the_linked_attack(linked: Run) -> None:
    code, out, err = linked("clusters", "--json", "--min-sources", "3", "--limit", "0")
    assert code == 0, err
    rows = json.loads(out)
    snooker = [r for r in rows if r["date_start"] == "2013-01-10"]
    assert len(snooker) == 1
    row = snooker[0]
    assert (row["sources"], row["size"], row["deaths_best"]) == (
        "pbc-suicide quetta-register ucdp-ged",
        3,
        96,
    )
    assert (row["deaths_low"], row["deaths_high"], row["admin2_id"]) == (51, 105, "PAK.quetta")
    assert all(len(r["sources"].split()) >= 3 for r in rows)


def test_cluster_by_uid_prints_the_ledger(linked: Run, hazara: sa.Engine) -> None:
    cid = cluster_of(hazara)["ucdp-ged:63107"]
    code, out, err = linked("cluster", "ucdp-ged:63107")
    assert code == 0, err
    lines = out.splitlines()
    assert (
        lines[0] == f"cluster {cid} (pbc-suicide quetta-register ucdp-ged): 2013-01-10 PAK.quetta"
    )
    assert lines[1] == (
        "deaths 96 (range 51-105); "
        "ledger-1: median of sources (lower middle), range = lowest low..highest high"
    )
    assert "from quetta-register:QR-05" in out
    code, by_id, _ = linked("cluster", str(cid))
    assert (code, by_id) == (0, out)


def test_cluster_unknown_id_is_an_error(linked: Run) -> None:
    code, out, err = linked("cluster", "999999")
    assert (code, out, err) == (1, "", "error: no cluster 999999\n")
    code, out, err = linked("cluster", "ucdp-ged:1")
    assert (code, err) == (
        1,
        "error: 'ucdp-ged:1' is in no cluster: no such incident, or not linked yet\n",
    )


def test_link_reject_separates_the_pair(linked: Run, hazara: sa.Engine) -> None:
    assert together(cluster_of(hazara), "ucdp-ged:63107", "pbc-suicide:369")
    code, out, err = linked(
        "link", "reject", "ucdp-ged:63107", "pbc-suicide:369", "--reason", "test", "--by", "t"
    )
    assert code == 0, err
    clusters = cluster_of(hazara)
    a, b = clusters["ucdp-ged:63107"], clusters["pbc-suicide:369"]
    assert a != b
    assert (
        out == f"decision 1: reject ucdp-ged:63107 and pbc-suicide:369; now clusters {a} and {b}\n"
    )


def test_link_reject_needs_a_reason(linked: Run) -> None:
    code, _, err = linked("link", "reject", "ucdp-ged:63107", "pbc-suicide:369")
    assert code == 2
    assert "Missing option '--reason'" in err


def test_link_split_message(linked: Run, hazara: sa.Engine) -> None:
    cid = cluster_of(hazara)["ucdp-ged:63107"]
    code, out, err = linked(
        "link", "split", str(cid), "quetta-register:QR-05", "--reason", "test", "--by", "t"
    )
    assert (code, out) == (0, f"decision 1: split quetta-register:QR-05 off cluster {cid}\n"), err
    assert not together(cluster_of(hazara), "quetta-register:QR-05", "ucdp-ged:63107")


def test_eval_links_prints_the_table(linked: Run) -> None:
    gold = LINKAGE / "gold_pairs.csv"
    code, out, err = linked("eval", "links", gold)
    assert code == 0, err
    assert "gold_pairs.csv: clusters against gold pairs" in out
    assert "without split attacks" in out
    assert out.splitlines()[-1].endswith(
        "records of the gold file are not in the store (their pairs left out)"
    )
    code, out, _ = linked("eval", "links", gold, "--json")
    data = json.loads(out)
    assert data["overall"]["pairs"] == 0
    assert "ucdp-ged:63107" not in data["missing_from_store"]


def test_eval_links_bad_gold_file(linked: Run, tmp_path: Path) -> None:
    path = tmp_path / "gold_bad_label_on_line_2.csv"
    path.write_text("uid_a,uid_b,label\na:1,b:1,maybe\n", encoding="utf-8")
    code, _, err = linked("eval", "links", path)
    assert code != 0
    assert "line 2" in err and "'maybe' must be match or non-match" in err


def test_review_quit_decides_nothing(linked: Run, hazara: sa.Engine) -> None:
    before = cluster_of(hazara)
    code, out, err = linked("review", input="q\n")
    assert code == 0, err
    assert out.startswith("\npair 1/")
    assert out.endswith("0 decisions recorded\n")
    assert cluster_of(hazara) == before


def test_review_reject_with_a_reason_records_it(linked: Run, hazara: sa.Engine) -> None:
    code, out, err = linked("review", "--limit", "1", "--by", "tester", input="r\nnot the same\n")
    assert code == 0, err
    assert out.endswith("1 decisions recorded; clusters updated\n")
    from gawahi.store import schema

    d = schema.link_decisions
    with hazara.connect() as conn:
        row = conn.execute(sa.select(d)).one()
    assert (row.action, row.reason, row.decided_by) == ("reject", "not the same", "tester")
    a, b = json.loads(row.uids)
    assert not together(cluster_of(hazara), a, b)


def test_review_with_nothing_to_review(run: Run) -> None:
    assert run("review") == (0, "nothing to review\n", "")


def test_import_after_a_link_run_says_what_is_not_linked(linked: Run) -> None:
    # pbc_drone_totals_row.csv: drone strikes the linked Quetta store does not hold yet
    code, out, _ = linked("import", Path("tests/data/pbc_drone_totals_row.csv"))
    assert code == 0
    waiting = out.splitlines()[-1]
    assert waiting.endswith(" records are not linked yet: run 'gawahi link'")
    assert int(waiting.split()[0]) > 0
    linked("link")
    code, out, _ = linked("import", Path("tests/data/pbc_drone_totals_row.csv"))
    assert "not linked yet" not in out  # the same file again: nothing new


def test_import_into_a_store_never_linked_does_not_mention_linking(run: Run) -> None:
    code, out, _ = run("import", Path("tests/data/pbc_drone_totals_row.csv"))
    assert code == 0 and "link" not in out


def test_profiles_counts_notes_records_not_linked(run: Run) -> None:
    code, _, err = run("profiles", "counts", "--tag", "hazara")
    assert code == 0
    assert err.endswith(" records are not linked yet; run 'gawahi link'\n")
    run("link")
    code, _, err = run("profiles", "counts", "--tag", "hazara")
    assert (code, err) == (0, "")
