"""Tagging the store: idempotent, incremental, re-run on pack changes, the same in worker
processes, and people's decisions kept across every later run."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from gawahi.errors import ConfigError, NotFound
from gawahi.profiles import tagging
from gawahi.profiles.decisions import decide
from gawahi.profiles.pack import ProfilePacks, load_packs
from gawahi.profiles.tagging import TagReport, tag_incidents
from gawahi.store import schema
from tests.conftest import count
from tests.profiles.conftest import (
    ALL_RECORDS,
    HAZARA_TOWN,
    PACK,
    SIDES,
    all_tags,
    import_records,
    stored_tags,
    tag_roles,
)

NOW = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
TOTAL = 4 + 6 + 4 + 5 + 3 + 3  # incidents in ALL_RECORDS


def tag(engine: sa.Engine, packs: ProfilePacks, **options: object) -> TagReport:
    with engine.begin() as conn:
        return tag_incidents(conn, packs=packs, **options)  # type: ignore[arg-type]


@pytest.fixture
def everything(store: sa.Engine, packs: ProfilePacks) -> sa.Engine:
    """Every fixture file imported and tagged with the fixture pack as it was imported."""
    for path in ALL_RECORDS:
        import_records(store, path, packs)
    return store


def test_a_second_run_retags_nothing_and_changes_nothing(
    everything: sa.Engine, packs: ProfilePacks
) -> None:
    before = all_tags(everything)
    report = tag(everything, packs)
    assert (report.examined, report.changed, report.packs_digest) == (TOTAL, 0, packs.digest)
    assert all_tags(everything) == before
    assert count(everything, "tag_state") == TOTAL


def test_the_report_counts_incidents_per_tag_and_role(
    everything: sa.Engine, packs: ProfilePacks
) -> None:
    report = tag(everything, packs)
    # by hand from the fixture files (see test_fields.py for each record's tags)
    assert report.tags[("ttp", "context")] == 2 + 1  # UCDP 920003/920102, ACLED battle
    assert report.tags[("ttp", "perpetrator")] == 1 + 2  # UCDP 920105, GTD 002/003
    assert report.tags[("is", "perpetrator")] == 1  # UCDP 920104
    assert report.tags[("sunni", "victim")] == 1  # PBC 2 "Shiite/sunni"
    assert report.tags[("shia", "victim")] >= 2 + 1 + 3  # UCDP 920101/920104, GTD, PBC 1/2/4
    assert report.as_dict()["tags"][0] == {"tag": "christian", "role": "victim", "incidents": 1}
    assert report.as_dict()["retagged"] == 0


def test_an_import_without_tags_then_a_run_fills_them(
    store: sa.Engine, packs: ProfilePacks
) -> None:
    import_records(store, SIDES, None)
    assert count(store, "tags") == 0
    seen: list[tuple[int, int]] = []
    report = tag(store, packs, progress=lambda done, total: seen.append((done, total)))
    assert (report.examined, report.changed) == (6, 6)
    assert seen[-1] == (6, 6)
    assert stored_tags(store, "ucdp-ged:920102") == [
        ("ttp", "context", "field", "code:ucdp-ged:side_b", "side_b", "TTP", 0.95)
    ]


def test_one_more_import_tags_only_its_own_incidents(store: sa.Engine, packs: ProfilePacks) -> None:
    reports: list[TagReport] = []
    import_records(store, SIDES, packs, reports)
    import_records(store, HAZARA_TOWN, packs, reports)
    assert [(r.examined, r.changed) for r in reports] == [(6, 6), (4, 4)]
    assert (tag(store, packs).examined, tag(store, packs).changed) == (10, 0)


def test_a_new_release_retags_only_the_records_that_changed(
    store: sa.Engine, packs: ProfilePacks, tmp_path: Path
) -> None:
    reports: list[TagReport] = []
    import_records(store, SIDES, packs, reports)
    revised = tmp_path / "ucdp_one_sided_and_state_based_sides_revised.csv"
    revised.write_text(
        SIDES.read_text(encoding="utf-8").replace(
            "Bomb hits Hazara vegetable market", "Bomb hits Shia vegetable market"
        ),
        encoding="utf-8",
    )
    import_records(store, revised, packs, reports, version="2")
    assert [(r.examined, r.changed) for r in reports] == [(6, 6), (6, 1)]
    assert tag_roles(store, "ucdp-ged:920103") == {("lej", "perpetrator"), ("shia", "victim")}


def test_a_changed_pack_retags_everything(
    everything: sa.Engine, packs: ProfilePacks, tmp_path: Path
) -> None:
    before = all_tags(everything)
    copy = tmp_path / PACK.name
    shutil.copy(PACK, copy)
    with copy.open("a", encoding="utf-8") as handle:
        handle.write("# a comment changes the digest, not the tags\n")
    report = tag(everything, load_packs([copy]))
    assert (report.examined, report.changed) == (TOTAL, TOTAL)
    assert all_tags(everything) == before
    # and a pack that drops the Hazara Town cue drops its tags
    text = PACK.read_text(encoding="utf-8")
    start = text.index("  - id: hazara-town\n")
    copy.write_text(text[:start] + text[text.index("  - id: procession\n") :], encoding="utf-8")
    report = tag(everything, load_packs([copy]))
    assert (report.examined, report.changed) == (TOTAL, TOTAL)
    assert stored_tags(everything, "ucdp-ged:920001") == []
    assert tag_roles(everything, "ucdp-ged:920004") == {("hazara", "victim")}  # named in text


def test_a_record_placed_elsewhere_by_a_geo_decision_is_retagged(
    everything: sa.Engine, packs: ProfilePacks
) -> None:
    from gawahi.geo.decisions import Decision, record_decision
    from gawahi.geo.resolve import resolve_incidents

    assert tag_roles(everything, "ucdp-ged:920001") == {("hazara", "victim")}
    with everything.begin() as conn:
        wrong = "The Hazara Town of this report is a Karachi neighbourhood"
        record_decision(
            conn, Decision("PAK", "Karachi", wrong, "tester", incident_uid="ucdp-ged:920001")
        )
        resolve_incidents(conn)
    report = tag(everything, packs)
    assert (report.examined, report.changed) == (TOTAL, 1)
    assert stored_tags(everything, "ucdp-ged:920001") == []


def test_force_retags_every_incident_of_the_dataset_asked_for(
    everything: sa.Engine, packs: ProfilePacks
) -> None:
    report = tag(everything, packs, force=True, dataset_id=2)
    assert (report.examined, report.changed) == (6, 6)
    assert report.tags == {
        ("hazara", "victim"): 1,
        ("is", "perpetrator"): 1,
        ("lej", "perpetrator"): 2,
        ("shia", "victim"): 2,
        ("ttp", "context"): 1,
        ("ttp", "perpetrator"): 1,
    }


def test_worker_processes_give_exactly_the_tags_of_one_process(
    everything: sa.Engine, packs: ProfilePacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_process = all_tags(everything)
    # small pages, so that several pages are in flight and must come back in order
    monkeypatch.setattr(tagging, "BATCH", 4)
    seen: list[int] = []
    report = tag(
        everything, packs, force=True, workers=2, progress=lambda done, _: seen.append(done)
    )
    assert (report.examined, report.changed) == (TOTAL, TOTAL)
    assert seen == [4, 8, 12, 16, 20, 24, 25]
    assert all_tags(everything) == one_process
    assert len(one_process) > 40


# --- decisions ------------------------------------------------------------------------------


def decision(engine: sa.Engine, packs: ProfilePacks, **values: str) -> TagReport:
    with engine.begin() as conn:
        decide(conn, packs, now=NOW, **values)
        return tag_incidents(conn, packs=packs)


def test_a_rejected_tag_stays_off_on_every_later_run(
    everything: sa.Engine, packs: ProfilePacks, tmp_path: Path
) -> None:
    report = decision(
        everything,
        packs,
        uid="ucdp-ged:920004",
        tag="hazara",
        role="victim",
        action="reject",
        reason="The shopkeeper was a Pashtun from Pishin",
        by="tester",
    )
    assert report.changed == 1
    assert stored_tags(everything, "ucdp-ged:920004") == []
    assert tag(everything, packs, force=True).changed == TOTAL
    copy = tmp_path / PACK.name
    copy.write_text(PACK.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
    tag(everything, load_packs([copy]))
    assert stored_tags(everything, "ucdp-ged:920004") == []
    assert tag_roles(everything, "ucdp-ged:920001") == {("hazara", "victim")}  # only that one


def test_an_added_tag_carries_the_reason_as_its_evidence(
    everything: sa.Engine, packs: ProfilePacks
) -> None:
    reason = "A majlis is a Shia gathering (HRW report, p. 12)"
    decision(
        everything,
        packs,
        uid="ucdp-ged:920106",
        tag="shia",
        role="victim",
        action="add",
        reason=reason,
        by="tester",
    )
    (number,) = _decision_ids(everything)
    expected = [
        ("shia", "victim", "manual", f"decision:{number} by tester", "decision", reason, 1.0)
    ]
    assert stored_tags(everything, "ucdp-ged:920106") == expected
    tag(everything, packs, force=True)
    assert stored_tags(everything, "ucdp-ged:920106") == expected


def test_the_latest_decision_for_a_tag_and_role_wins_and_both_stay(
    everything: sa.Engine, packs: ProfilePacks
) -> None:
    common = {"uid": "ucdp-ged:920101", "tag": "lej", "role": "perpetrator", "by": "tester"}
    decision(everything, packs, action="reject", reason="The claim was retracted", **common)
    assert tag_roles(everything, "ucdp-ged:920101") == {("shia", "victim")}
    decision(everything, packs, action="add", reason="Court judgment names LeJ", **common)
    assert tag_roles(everything, "ucdp-ged:920101") == {
        ("shia", "victim"),
        ("lej", "perpetrator"),
    }
    assert [t[2] for t in stored_tags(everything, "ucdp-ged:920101") if t[0] == "lej"] == ["manual"]
    assert count(everything, "tag_decisions") == 2


def test_a_decision_about_another_role_leaves_this_one(
    everything: sa.Engine, packs: ProfilePacks
) -> None:
    decision(
        everything,
        packs,
        uid="ucdp-ged:920003",
        tag="ttp",
        role="perpetrator",
        action="reject",
        reason="Nobody says who attacked",
        by="tester",
    )
    assert tag_roles(everything, "ucdp-ged:920003") == {("ttp", "context")}


def ismailis_in_920106(tmp_path: Path) -> Path:
    """The sides fixture with 920106's majlis turned into a group named in the headline."""
    path = tmp_path / "ucdp_one_sided_ismailis_named.csv"
    text = SIDES.read_text(encoding="utf-8")
    path.write_text(text.replace("on a majlis in Karachi", "on Ismailis in Karachi"), "utf-8")
    return path


def test_rejecting_a_child_group_also_drops_the_parent_tag_derived_from_it(
    store: sa.Engine, packs: ProfilePacks, tmp_path: Path
) -> None:
    import_records(store, ismailis_in_920106(tmp_path), packs)
    assert tag_roles(store, "ucdp-ged:920106") == {("ismaili", "victim"), ("shia", "victim")}
    decision(
        store,
        packs,
        uid="ucdp-ged:920106",
        tag="ismaili",
        role="victim",
        action="reject",
        reason="The victims were Bohras, not Ismailis",
        by="tester",
    )
    # "parent:ismaili<-mention:ismaili" rests only on the rejected evidence
    assert stored_tags(store, "ucdp-ged:920106") == []


def test_adding_a_child_group_by_hand_implies_its_parent_too(
    everything: sa.Engine, packs: ProfilePacks
) -> None:
    # tag semantics: "Ismailis are also Shia: label both", whoever labels them
    decision(
        everything,
        packs,
        uid="ucdp-ged:920106",
        tag="ismaili",
        role="victim",
        action="add",
        reason="The majlis was held at an Ismaili jamatkhana (Dawn, next day)",
        by="tester",
    )
    assert tag_roles(everything, "ucdp-ged:920106") == {
        ("ismaili", "victim"),
        ("shia", "victim"),
    }


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        ({"uid": "ucdp-ged:1"}, NotFound, "no incident 'ucdp-ged:1'"),
        (
            {"tag": "martian"},
            ConfigError,
            "unknown tag 'martian': see 'gawahi profiles' for the active tags",
        ),
        (
            {"role": "killer"},
            ConfigError,
            "role must be one of victim, perpetrator, context; action add or reject",
        ),
        ({"reason": "   "}, ConfigError, "a decision needs a reason (--reason)"),
    ],
)
def test_a_decision_that_cannot_be_recorded(
    everything: sa.Engine,
    packs: ProfilePacks,
    values: dict[str, str],
    error: type[Exception],
    message: str,
) -> None:
    wanted = {
        "uid": "ucdp-ged:920101",
        "tag": "shia",
        "role": "victim",
        "action": "reject",
        "reason": "a reason",
        "by": "tester",
    }
    with pytest.raises(error) as caught, everything.begin() as conn:
        decide(conn, packs, now=NOW, **(wanted | values))
    assert str(caught.value) == message
    assert count(everything, "tag_decisions") == 0


def _decision_ids(engine: sa.Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.scalars(sa.select(schema.tag_decisions.c.id)))


# --- atomic imports -------------------------------------------------------------------------


def test_an_import_whose_finishing_step_fails_leaves_no_incident_or_tag(
    store: sa.Engine, packs: ProfilePacks
) -> None:
    from gawahi.sources.importer import ImportOptions, import_file

    def finish(conn: sa.Connection, dataset_id: int) -> None:
        report = tag_incidents(conn, dataset_id=dataset_id, packs=packs)
        assert report.changed == 6
        raise RuntimeError("the disk filled up")

    with pytest.raises(RuntimeError):
        import_file(store, SIDES, ImportOptions(finish=finish))
    assert [count(store, t) for t in ("datasets", "incidents", "tags", "tag_state")] == [0] * 4
