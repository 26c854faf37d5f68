"""``gawahi assess``, ``gawahi assessments`` and ``gawahi explain``: output, exact messages
and exit codes, on both backends.

The store is the one of tests/risk/test_assessment.py (tests/data/risk, fictional groups),
built once per backend; the fictional pack is made active with GAWAHI_PROFILE_PACKS, as a
user adds a pack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from gawahi.profiles.pack import PACKS_ENV
from tests.risk.test_assessment import (
    Q_2016_UCDP,
    QUETTA_PROFILE,
    garwood,
    key_of,
    members,
)

Run = Callable[..., tuple[int, str, str]]
ASSESS = (
    "assess",
    "--profile",
    "plenari,orbist",
    "--home",
    "Quetta",
    "--areas",
    "Karachi,Lahore",
    "--from",
    "2012",
    "--to",
    "2016",
    "--airport",
    "Karachi=KHI",
    "--airport",
    "Lahore=LHE",
)


@pytest.fixture(scope="module")
def assessed(run: Run) -> dict[str, Any]:
    """One stored assessment, as ``gawahi assess --json`` prints it."""
    code, out, err = run(*ASSESS, "--json")
    assert (code, err) == (0, ""), err
    return json.loads(out)


def rows(table: str, bar: str = "│") -> list[list[str]]:
    """The body rows of a printed table, cell by cell (``bar="┃"``: its header)."""
    return [
        [cell.strip() for cell in line.split(bar)[1:-1]]
        for line in table.splitlines()
        if line.startswith(bar)
    ]


def section(out: str, title: str) -> str:
    """The table titled ``title`` (up to the next table's end)."""
    start = out.index(title)
    return out[start : out.index("└", start)]


# --- gawahi assess ---------------------------------------------------------------------------


def test_assess_json_carries_the_parameters_figures_and_findings(assessed: dict[str, Any]) -> None:
    assert isinstance(assessed["id"], int)
    params = assessed["params"]
    assert (params["country"], params["profile"], params["home"], params["areas"]) == (
        "PAK",
        ["plenari", "orbist"],
        "Quetta",
        ["Karachi", "Lahore"],
    )
    assert (params["start"], params["end"]) == ("2012-01-01", "2016-12-31")  # whole years
    assert params["airports"] == {"Karachi": "KHI", "Lahore": "LHE"}
    assert [a["name"] for a in assessed["areas"]] == ["Quetta", "Karachi", "Lahore"]
    figures = {f["key"]: f for f in assessed["figures"]}
    quetta = figures["Quetta/profile.incidents"]
    assert (quetta["value"], len(quetta["ids"])) == (8, 8)
    assert (quetta["low"], quetta["high"]) == tuple(map(pytest.approx, garwood(8)))
    assert figures["Quetta/underreporting.estimate"]["value"] == pytest.approx(8.0)
    assert figures["Karachi/route.airport"]["detail"]["airport"] == "KHI"
    assert figures["Lahore/profile.incidents"]["value"] == 0
    texts = [f["text"] for f in assessed["findings"]]
    assert any(t.startswith("In Lahore (district), the sources record no incident") for t in texts)
    assert {d["file_name"] for d in assessed["datasets"] if d["kind"] == "incidents"} == {
        "ucdp_ged_fictional_plenari_orbists_2011_2016.csv",
        "pbc_suicide_fictional_orbist_sect_code.csv",
        "register_fictional_plenari_orbists.csv",
    }
    assert assessed["link_run_id"] == 1


def test_assess_prints_a_table_per_area_the_findings_and_the_id(run: Run) -> None:
    code, out, err = run(*ASSESS)
    assert (code, err) == (0, "")
    quetta = section(out, "Quetta (district) (home)")
    assert rows(quetta, "┃") == [["figure", "value", "95% / range", "unit", "incidents"]]
    body = {row[0]: row[1:] for row in rows(quetta)}
    lower, upper = garwood(8)
    assert body["profile.incidents"] == ["8", f"{lower:.2f}–{upper:.2f}", "incidents", "8"]
    assert body["profile.deaths"] == ["27", "25–32", "deaths", "8"]
    assert body["general.share"][0] == "0.80"
    assert body["last.incident"] == ["82", "", "days", "1"]
    assert body["reach.incidents:rfl"] == ["7", "", "incidents", "7"]
    lahore = {row[0]: row[1:] for row in rows(section(out, "Lahore (district) (relocation)"))}
    assert lahore["profile.incidents"][0] == "0"
    assert lahore["general.share"] == ["-", "", "share", "0"]
    assert "Karachi (division) (relocation)" in out
    findings = out[out.index("\nFindings:\n") :].splitlines()[2:]
    assert findings[0].startswith(
        "- In Quetta (district), the sources record 8 incidents in 2012–2016 with victims "
        "identified as both Plenari and Orbists"
    )
    assert (
        "- In Lahore (district), the sources record no incident in 2012–2016 with victims "
        "identified as both Plenari and Orbists. The absence of recorded incidents is not "
        "evidence that no attacks took place."
    ) in findings
    (number,) = re.findall(r"^assessment (\d+) stored", out, re.MULTILINE)
    assert out.endswith(
        f"\nassessment {number} stored; 'gawahi explain {number} FIGURE' lists\n"
        "the incidents and sources behind a figure\n"
    )


def test_assess_shows_the_factor_figures(run: Run) -> None:
    code, out, _ = run(*ASSESS, "--factor", "lampwright")
    assert code == 0
    assert "lampwright" in out.lower()


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"--profile": "plenari,nosuch"}, 2, "unknown tag 'nosuch'; 'gawahi profiles' lists them"),
        ({"--home": "Atlantis"}, 1, "no unit called 'Atlantis' in PAK"),
        ({"--from": "2017"}, 2, "--from is after --to"),
        (
            {"--areas": "Karachi,Quetta"},
            2,
            "'Quetta' is Quetta (district), which is already an area of this assessment",
        ),
    ],
)
def test_assess_refuses_bad_input_with_one_line_and_an_exit_code(
    run: Run, changes: dict[str, str], code: int, message: str
) -> None:
    args = list(ASSESS)
    for option, value in changes.items():
        args[args.index(option) + 1] = value
    assert run(*args) == (code, "", f"error: {message}\n")


@pytest.mark.parametrize(
    ("airport", "message"),
    [
        ("KHI", "--airport 'KHI': give AREA=IATA, e.g. Karachi=KHI"),
        ("Karachi=", "--airport 'Karachi=': give AREA=IATA, e.g. Karachi=KHI"),
        ("Karachi=ZZZ", "--airport: no airport with IATA code 'ZZZ'"),
    ],
)
def test_assess_refuses_a_bad_airport(run: Run, airport: str, message: str) -> None:
    args = [*ASSESS[: ASSESS.index("--airport")], "--airport", airport]
    assert run(*args) == (2, "", f"error: {message}\n")


def test_a_refused_assessment_is_not_stored(run: Run, assessed: dict[str, Any]) -> None:
    before = run("assessments", "--json")
    assert run(*ASSESS[:-2], "--airport", "Karachi=ZZZ")[0] == 2
    assert run("assessments", "--json") == before


# --- gawahi assessments -------------------------------------------------------------------


def test_assessments_lists_the_stored_one(run: Run, assessed: dict[str, Any]) -> None:
    code, out, _ = run("assessments", "--json")
    assert code == 0
    listed = {r["id"]: r for r in json.loads(out)}
    row = listed[assessed["id"]]
    assert (row["profile"], row["home"], row["areas"], row["start"], row["end"]) == (
        ["plenari", "orbist"],
        "Quetta",
        ["Karachi", "Lahore"],
        "2012-01-01",
        "2016-12-31",
    )
    code, out, _ = run("assessments")
    assert code == 0
    table = {r[0]: r for r in rows(out)}
    assert table[str(assessed["id"])][2:] == [
        "plenari,orbist",
        "Quetta",
        "Karachi,Lahore",
        "2012-01-01",
        "2016-12-31",
    ]


# --- gawahi explain -----------------------------------------------------------------------


def test_explain_lists_the_incidents_and_sources_behind_a_figure(
    run: Run, store: sa.Engine, assessed: dict[str, Any]
) -> None:
    number = assessed["id"]
    code, out, err = run("explain", number, "Quetta/last.incident")
    key = key_of(store, Q_2016_UCDP)
    assert (code, err) == (0, "")
    assert out == (
        "Quetta/last.incident: 82 days "
        "(days from the last profile incident to the end of the period)\n"
        "  date: 2016-10-10\n"
        "  sources: ucdp-ged 1\n"
        f"{key}  2016-10-10  PAK.quetta  deaths [3, 3, 3]  [ucdp-ged]\n"
        "    ucdp-ged:970010  2016-10-10  Quetta city  3  \n"
        "      - Fixture Wire, 2016-10-10: RFL gunmen kill three Plenari Orbists in Quetta\n"
    )


def test_explain_json_gives_every_record_of_every_incident(
    run: Run, store: sa.Engine, assessed: dict[str, Any]
) -> None:
    code, out, _ = run("explain", assessed["id"], "Quetta/profile.incidents", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["figure"]["key"], data["figure"]["value"]) == ("Quetta/profile.incidents", 8)
    assert data["figure"]["detail"]["sources"] == "fixture-register 5, pbc-suicide 1, ucdp-ged 6"
    keys = members(store)
    assert [keys[i["incident"]] for i in data["incidents"]] == QUETTA_PROFILE
    assert [frozenset(r["uid"] for r in i["records"]) for i in data["incidents"]] == QUETTA_PROFILE
    assert [i["sources"] for i in data["incidents"]][:3] == [
        "fixture-register ucdp-ged",
        "fixture-register ucdp-ged",
        "pbc-suicide ucdp-ged",
    ]


def test_explain_without_a_figure_lists_the_figures(run: Run, assessed: dict[str, Any]) -> None:
    code, out, _ = run("explain", assessed["id"])
    assert code == 0
    assert rows(out, "┃") == [["figure", "value", "incidents"]]
    listed = {r[0]: r[1:] for r in rows(out)}
    assert set(listed) == {f["key"] for f in assessed["figures"]}
    assert listed["Quetta/profile.incidents"] == ["8", "8"]
    assert listed["Lahore/reach.nearest:rfl"][1] == "1"


def test_explain_an_unknown_figure_or_assessment_fails_clearly(
    run: Run, assessed: dict[str, Any]
) -> None:
    number = assessed["id"]
    assert run("explain", number, "NOSUCH") == (
        2,
        "",
        f"error: assessment {number} has no figure 'NOSUCH'; "
        f"'gawahi explain {number}' lists them\n",
    )
    assert run("explain", 999_999, "Quetta/profile.incidents") == (
        1,
        "",
        "error: no assessment 999999; 'gawahi assessments' lists them\n",
    )


def test_the_fixture_pack_is_what_makes_the_tags_known(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without GAWAHI_PROFILE_PACKS the fictional tags are unknown: the CLI reads the
    active packs, not the tags in the store."""
    monkeypatch.delenv(PACKS_ENV)
    assert run(*ASSESS) == (2, "", "error: unknown tag 'plenari'; 'gawahi profiles' lists them\n")
