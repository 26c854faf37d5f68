"""``gawahi tag``, ``why``, ``profiles``, ``eval tags``, ``incidents --tag`` and tagging on
import: exact messages and exit codes, on both backends.

The shipped packs are always active; the fictional pack of tests/data/tagging is added
with GAWAHI_PROFILE_PACKS, and the checks read only its tags (testani, north-testani,
tlf), so that the shipped vocabulary can grow without changing these numbers.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gawahi.cli import main
from gawahi.cli.import_cmd import print_tags
from gawahi.geo import gazetteer
from gawahi.geo.units import sync_packs
from gawahi.profiles.pack import PACKS_ENV, load_packs
from gawahi.profiles.tagging import TagReport
from tests.conftest import count
from tests.profiles.conftest import (
    CLI_PACK,
    GAZETTEER,
    HAZARA_TOWN,
    SIDES,
    TAGGING,
    TESTANI,
)

Run = Callable[..., tuple[int, str, str]]
MINE = {"testani", "north-testani", "tlf"}
GOLD = TAGGING / "gold_testani_for_cli.csv"


@pytest.fixture
def run(engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """gawahi against the test store, with the fictional pack active."""
    monkeypatch.setenv("GAWAHI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GAWAHI_DATABASE_URL", raising=False)
    monkeypatch.setenv(PACKS_ENV, str(CLI_PACK))
    with engine.begin() as conn:
        sync_packs(conn)
        gazetteer.import_geonames(conn, GAZETTEER)
    url = engine.url.render_as_string(hide_password=False)

    def invoke(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, ["--db", url, *map(str, args)])
        return result.exit_code, result.stdout, result.stderr

    return invoke


@pytest.fixture
def imported(run: Run) -> Run:
    code, out, err = run("import", TESTANI)
    assert code == 0, (out, err)
    return run


def mine(rows: list[dict[str, Any]], key: str = "tag") -> list[dict[str, Any]]:
    return [r for r in rows if r[key] in MINE]


def uids(run: Run, *args: str) -> list[str]:
    code, out, err = run("incidents", *args, "--json")
    assert code == 0, err
    return [r["uid"] for r in json.loads(out)]


# --- tagging on import and with `gawahi tag` ------------------------------------------------


def test_import_tags_its_incidents_and_reports_them(run: Run) -> None:
    code, out, _ = run("import", TESTANI, "--json")
    assert code == 0
    (report,) = json.loads(out)
    assert (report["tags"]["examined"], report["tags"]["retagged"]) == (4, 4)
    assert mine(report["tags"]["tags"]) == [
        {"tag": "north-testani", "role": "victim", "incidents": 1},
        {"tag": "testani", "role": "context", "incidents": 1},
        {"tag": "testani", "role": "victim", "incidents": 3},
        {"tag": "tlf", "role": "context", "incidents": 1},
        {"tag": "tlf", "role": "perpetrator", "incidents": 1},
    ]


def test_import_without_tags_then_tag_fills_them_once(run: Run, engine: sa.Engine) -> None:
    code, out, _ = run("import", "--no-tag", TESTANI)
    assert code == 0
    assert "victim tags" not in out
    assert count(engine, "tags") == count(engine, "tag_state") == 0
    code, out, _ = run("tag")
    assert code == 0
    assert out.startswith("examined 4 incidents, re-tagged 4\n")
    assert "incidents per tag" in out
    code, out, _ = run("tag")
    assert (code, out.splitlines()[0]) == (0, "examined 4 incidents, re-tagged 0")
    code, out, _ = run("tag", "--json", "--force", "--dataset", "1")
    report = json.loads(out)
    assert (report["examined"], report["retagged"], report["packs"]) == (4, 4, load_packs().digest)
    assert {"tag": "testani", "role": "victim", "incidents": 3} in report["tags"]


def test_import_prints_the_victim_tags(run: Run) -> None:
    code, out, _ = run("import", TESTANI)
    assert code == 0
    (line,) = [x for x in out.splitlines() if x.startswith("  victim tags: ")]
    # the most frequent first
    assert line == "  victim tags: testani 3, north-testani 1 (see 'gawahi profiles counts')"


def test_the_import_summary_names_eight_victim_tags_and_counts_the_rest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    counts = {f"group-{n:02d}": n for n in range(1, 11)}
    report = TagReport(tags=Counter({(t, "victim"): n for t, n in counts.items()}))
    report.tags[("tlf", "perpetrator")] = 99  # perpetrators are not victims
    print_tags(report)
    assert capsys.readouterr().out == (
        "  victim tags: group-10 10, group-09 9, group-08 8, group-07 7, group-06 6, "
        "group-05 5, group-04 4, group-03 3 and 2 more (see 'gawahi profiles counts')\n"
    )


def test_an_import_whose_packs_are_broken_imports_nothing(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "pack: broken\ngroups:\n  - {id: x1, kind: sect, label: X, colour: red}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(PACKS_ENV, str(broken))
    code, out, err = run("import", TESTANI)
    assert (code, out) == (2, "")
    assert err == (
        f"error: {broken}: group 'x1': unknown key(s) colour; allowed: acronyms, codes, id, "
        "kind, label, labels, not_victim_after, not_victim_before, note, parent, terms\n"
    )
    assert run("datasets", "--json")[:2] == (0, "[]\n")
    # without tagging the packs are not read, and the import goes through
    assert run("import", "--no-tag", TESTANI)[0] == 0


# --- what the packs define ------------------------------------------------------------------


def test_profiles_lists_the_shipped_and_the_extra_packs(run: Run) -> None:
    code, out, _ = run("profiles", "--json")
    assert code == 0
    found = json.loads(out)
    (pack,) = [p for p in found["packs"] if p["id"] == "fixture-cli"]
    assert pack == {
        "id": "fixture-cli",
        "title": "Fixture: fictional groups for the CLI tests",
        "country": None,
        "file": str(CLI_PACK),
        "sha256": load_packs([CLI_PACK]).packs[0].sha256,
    }
    assert {"shia", "hazara", "lej", "ttp", "is"} <= {t["id"] for t in found["tags"]}
    assert mine(found["tags"], "id") == [
        {
            "id": "testani",
            "type": "group",
            "kind": "ethnicity",
            "label": "Testanis (fictional)",
            "pack": "fixture-cli",
            "terms": 2,
            "related": "",
        },
        {
            "id": "north-testani",
            "type": "group",
            "kind": "ethnicity",
            "label": "North Testanis (fictional)",
            "pack": "fixture-cli",
            "terms": 2,
            "related": "part of testani",
        },
        {
            "id": "tlf",
            "type": "perpetrator",
            "kind": "separatist",
            "label": "Testland Liberation Front (fictional)",
            "pack": "fixture-cli",
            "terms": 2,
            "related": "",
        },
    ]
    code, out, _ = run("profiles")
    assert code == 0
    assert out.endswith(", fixture-cli (pack_fictional_groups_for_cli.yaml)\n")


def test_a_broken_extra_pack_is_one_clear_line(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PACKS_ENV, "/nowhere/packs")
    code, out, err = run("profiles")
    assert (code, out, err) == (
        2,
        "",
        "error: GAWAHI_PROFILE_PACKS: /nowhere/packs is neither a pack file nor a folder\n",
    )


# --- counts ---------------------------------------------------------------------------------


def test_profiles_counts_json_checked_by_hand(imported: Run) -> None:
    # 930001 (2012, 3 killed, 3-4) TLF claimed the killing of Testanis; 930002 (2012, 2)
    # North Testanis; 930003 (2013, 5, 4-9) army and TLF fighting, a Testani village
    # shelled; 930004 (2013, 0) anti-Testani leaflets
    code, out, _ = imported("profiles", "counts", "--tag", "testani", "--tag", "tlf", "--json")
    assert code == 0
    assert [tuple(r.values()) for r in json.loads(out)] == [
        ("testani", "victim", 2012, 2, 5, 5, 6, "ucdp-ged 2"),
        ("testani", "victim", 2013, 1, 5, 4, 9, "ucdp-ged 1"),
        ("tlf", "perpetrator", 2012, 1, 3, 3, 4, "ucdp-ged 1"),
    ]


def test_profiles_counts_as_csv_and_filtered(imported: Run) -> None:
    code, out, _ = imported(
        "profiles", "counts", "--tag", "testani", "--tag", "tlf", "--role", "context", "--csv"
    )
    assert code == 0
    assert out.replace("\r\n", "\n") == (
        "tag,role,year,incidents,deaths_best,deaths_low,deaths_high,sources\n"
        "testani,context,2013,1,0,0,0,ucdp-ged 1\n"
        "tlf,context,2013,1,5,4,9,ucdp-ged 1\n"
    )
    code, out, _ = imported("profiles", "counts", "--tag", "north-testani", "--country", "PAK")
    assert code == 0 and "north-testani" in out
    assert imported("profiles", "counts", "--tag", "testani", "--country", "AFG", "--json")[:2] == (
        0,
        "[]\n",
    )
    code, _, err = imported("profiles", "counts", "--country", "PAKI")
    assert code == 2 and "'PAKI' is not a country" in err
    assert imported("profiles", "counts", "--tag", "tlf", "--country", "pakistan", "--json")[0] == 0
    # every Testani victim tag here is a name in a headline (0.8)
    assert imported("profiles", "counts", "--tag", "testani", "--min-confidence", "0.9", "--json")[
        :2
    ] == (0, "[]\n")


# --- incidents --tag ------------------------------------------------------------------------


def test_incidents_filtered_by_tags(imported: Run) -> None:
    assert uids(imported, "--tag", "testani:victim") == [
        "ucdp-ged:930001",
        "ucdp-ged:930002",
        "ucdp-ged:930003",
    ]
    assert uids(imported, "--tag", "testani:victim", "--tag", "tlf:perpetrator") == [
        "ucdp-ged:930001"
    ]
    assert uids(imported, "--tag", "tlf") == ["ucdp-ged:930001"]  # victim or perpetrator
    assert uids(imported, "--tag", "tlf:context") == ["ucdp-ged:930003"]
    assert uids(imported, "--tag", "tlf", "--min-confidence", "0.95") == ["ucdp-ged:930001"]
    assert uids(imported, "--tag", "north-testani", "--min-confidence", "0.9") == []
    assert uids(imported, "--tag", "testani:context", "--from", "2013-01-01") == ["ucdp-ged:930004"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("martian", "--tag 'martian': unknown tag; 'gawahi profiles' lists them"),
        (
            "testani:killer",
            "--tag 'testani:killer': the role must be one of victim, perpetrator, context",
        ),
    ],
)
def test_incidents_with_a_bad_tag(imported: Run, spec: str, message: str) -> None:
    assert imported("incidents", "--tag", spec) == (2, "", f"error: {message}\n")


def test_incidents_by_the_shipped_tags(run: Run) -> None:
    assert run("import", SIDES)[0] == 0
    shia = uids(run, "--tag", "shia:victim")
    assert "ucdp-ged:920101" in shia  # "Gunmen kill two Shiites in Quetta"
    assert "ucdp-ged:920102" not in shia  # soldiers and militants clash
    assert "ucdp-ged:920104" in uids(run, "--tag", "is:perpetrator")  # side_a IS


def test_import_places_the_records_before_it_tags_them(run: Run) -> None:
    # the shipped Hazara Town cue holds only inside Quetta: the import must resolve the
    # places first, in the same transaction
    assert run("import", HAZARA_TOWN)[0] == 0
    hazara = uids(run, "--tag", "hazara:victim")
    assert "ucdp-ged:920001" in hazara  # "Hazara Town, Quetta", one-sided
    assert "ucdp-ged:920002" not in hazara  # Hazara town in Kabal tehsil, Swat


# --- decisions and why ----------------------------------------------------------------------


def test_tag_reject_and_add_then_why_shows_them(imported: Run) -> None:
    uid = "ucdp-ged:930004"
    code, out, _ = imported(
        "tag", "reject", uid, "testani", "--role", "context",
        "--reason", "The leaflets were not about Testanis", "--by", "tester",
    )  # fmt: skip
    assert (code, out) == (0, f"decision 1: reject testani (context) for {uid}\n")
    assert uids(imported, "--tag", "testani:context") == []
    reason = "The leaflets threatened Testani families by name"
    code, out, _ = imported("tag", "add", uid, "testani", "--reason", reason, "--by", "tester")
    assert (code, out) == (0, f"decision 2: add testani (victim) for {uid}\n")
    assert "ucdp-ged:930004" in uids(imported, "--tag", "testani:victim")
    # a later run (even forced) keeps both decisions applied
    assert imported("tag", "--force")[0] == 0
    code, out, _ = imported("why", uid, "--json")
    assert code == 0
    found = json.loads(out)
    assert found["current"] is True
    assert mine(found["tags"]) == [
        {
            "tag": "testani",
            "role": "victim",
            "method": "manual",
            "rule": "decision:2 by tester",
            "field": "decision",
            "matched": reason,
            "confidence": 1.0,
        }
    ]
    assert [(d["id"], d["action"], d["role"], d["decided_by"]) for d in found["decisions"]] == [
        (1, "reject", "context", "tester"),
        (2, "add", "victim", "tester"),
    ]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("ucdp-ged:1", "testani"), 1, "error: no incident 'ucdp-ged:1'\n"),
        (
            ("ucdp-ged:930001", "martian"),
            2,
            "error: unknown tag 'martian': see 'gawahi profiles' for the active tags\n",
        ),
    ],
)
def test_a_decision_that_cannot_be_made(
    imported: Run, engine: sa.Engine, args: tuple[str, ...], code: int, message: str
) -> None:
    found = imported("tag", "add", *args, "--reason", "a reason", "--by", "tester")
    assert found == (code, "", message)
    assert count(engine, "tag_decisions") == 0


def test_a_decision_needs_a_reason(imported: Run) -> None:
    code, _, err = imported("tag", "add", "ucdp-ged:930001", "testani", "--by", "tester")
    assert code == 2
    assert "Missing option '--reason'" in err
    code, _, err = imported("tag", "add", "ucdp-ged:930001", "testani", "--reason", " ")
    assert (code, err) == (2, "error: a decision needs a reason (--reason)\n")


def test_why_as_a_table_and_when_tags_are_stale(
    imported: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = imported("why", "ucdp-ged:930001")
    assert code == 0
    assert out.splitlines()[0].strip() == "tags of ucdp-ged:930001"
    assert "attribution:tlf" in out and "note:" not in out
    changed = tmp_path / CLI_PACK.name
    shutil.copy(CLI_PACK, changed)
    with changed.open("a", encoding="utf-8") as handle:
        handle.write("# edited\n")
    monkeypatch.setenv(PACKS_ENV, str(changed))
    code, out, _ = imported("why", "ucdp-ged:930001")
    assert (code, out.splitlines()[0]) == (
        0,
        "note: the stored tags are out of date; run 'gawahi tag'",
    )
    assert imported("why", "ucdp-ged:1") == (1, "", "error: no incident 'ucdp-ged:1'\n")


def test_why_json_for_one_incident(imported: Run) -> None:
    code, out, _ = imported("why", "ucdp-ged:930002", "--json")
    assert code == 0
    found = json.loads(out)
    headline, parent = "source_headline", "parent:north-testani<-mention:north-testani"
    # the parent tags follow the tags of every field
    assert [
        (t["tag"], t["role"], t["rule"], t["field"], t["matched"]) for t in mine(found["tags"])
    ] == [
        ("north-testani", "victim", "mention:north-testani", headline, "North Testanis"),
        ("testani", "victim", "mention:testani", headline, "Testanis"),
        ("north-testani", "victim", "mention:north-testani", "source_article", "North Testanis"),
        ("testani", "victim", "mention:testani", "source_article", "Testanis"),
        ("testani", "victim", parent, headline, "North Testanis"),
        ("testani", "victim", parent, "source_article", "North Testanis"),
    ]


# --- eval tags ------------------------------------------------------------------------------


def test_eval_tags_scores_the_stored_tags(imported: Run) -> None:
    code, out, _ = imported("eval", "tags", GOLD, "--json")
    assert code == 0
    found = json.loads(out)
    assert (found["evaluated"], found["missing"]) == (4, ["ucdp-ged:930099"])
    table = {
        (s["tag"], s["role"]): (
            s["true_positives"],
            s["false_positive_uids"],
            s["false_negative_uids"],
            s["precision"],
            s["recall"],
        )
        for s in found["scores"]
    }
    # tlf: found in 930001; the gold says TLF shelled the village in 930003 (tagged context)
    # testani: found in 930001/930002, also in 930003 (the gold disagrees), missed in 930004
    assert table == {
        ("tlf", "perpetrator"): (1, [], ["ucdp-ged:930003"], 1.0, 0.5),
        ("north-testani", "victim"): (1, [], [], 1.0, 1.0),
        ("testani", "victim"): (
            2,
            ["ucdp-ged:930003"],
            ["ucdp-ged:930004"],
            pytest.approx(2 / 3),
            pytest.approx(2 / 3),
        ),
    }
    code, out, _ = imported("eval", "tags", GOLD)
    assert code == 0
    assert "gold_testani_for_cli.csv: 4 records" in out
    assert "0.667" in out
    assert out.endswith("1 gold records are not in the store (left out)\n")


def test_eval_tags_with_a_threshold(imported: Run) -> None:
    code, out, _ = imported("eval", "tags", GOLD, "--min-confidence", "0.9", "--json")
    assert code == 0
    table = {(s["tag"], s["role"]): s["true_positives"] for s in json.loads(out)["scores"]}
    assert table == {
        ("tlf", "perpetrator"): 1,
        ("north-testani", "victim"): 0,
        ("testani", "victim"): 0,
    }


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("gold_missing_perpetrators_column.csv", "line 1: missing column(s) perpetrators"),
        (
            "gold_unknown_tag_on_line_3.csv",
            "line 3: field 'victims': 'hazzara' is not an active tag",
        ),
    ],
)
def test_eval_tags_with_a_bad_gold_file(imported: Run, name: str, reason: str) -> None:
    path = TAGGING / name
    assert imported("eval", "tags", path) == (1, "", f"error: {path}, {reason}\n")


def test_eval_tags_with_no_such_file(imported: Run, tmp_path: Path) -> None:
    code, _, err = imported("eval", "tags", tmp_path / "absent.csv")
    assert code == 2
    assert "does not exist" in err
