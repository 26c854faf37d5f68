"""Reading tags back: one incident's evidence (why), filters by tag, counts per tag and year."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from gawahi.errors import ConfigError, NotFound
from gawahi.profiles.decisions import decide
from gawahi.profiles.pack import ProfilePacks, load_packs
from gawahi.profiles.queries import TagSpec, tag_condition, tag_year_counts, why
from gawahi.profiles.tagging import tag_incidents
from gawahi.store.queries import IncidentFilter, find_incidents
from tests.profiles.conftest import ALL_RECORDS, PACK, import_records

NOW = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def everything(store: sa.Engine, packs: ProfilePacks) -> sa.Engine:
    for path in ALL_RECORDS:
        import_records(store, path, packs)
    return store


def explain(engine: sa.Engine, packs: ProfilePacks, uid: str) -> dict[str, object]:
    with engine.connect() as conn:
        return why(conn, packs, uid)


# --- why ------------------------------------------------------------------------------------


def test_why_shows_the_tags_and_the_near_misses(everything: sa.Engine, packs: ProfilePacks) -> None:
    found = explain(everything, packs, "ucdp-ged:920001")
    assert found == {
        "uid": "ucdp-ged:920001",
        "current": True,
        "tags": [
            {
                "tag": "hazara",
                "role": "victim",
                "method": "cue",
                "rule": "cue:hazara-town",
                "field": "where_description",
                "matched": "Hazara Town",
                "confidence": 0.7,
            }
        ],
        "set_aside": [
            {
                "tag": "hazara",
                "field": "where_description",
                "matched": "Hazara",
                "reason": "a place-name field",
            }
        ],
        "decisions": [],
    }


def test_why_explains_a_record_without_tags(everything: sa.Engine, packs: ProfilePacks) -> None:
    found = explain(everything, packs, "ucdp-ged:920002")  # Hazara town, Swat
    assert found["tags"] == []
    reason = "negative:hazara-town-outside-quetta"
    assert {(s["field"], s["matched"], s["reason"]) for s in found["set_aside"]} == {  # type: ignore[attr-defined]
        ("source_headline", "Hazara", reason),
        ("source_headline", "Hazara town", reason),
        ("source_article", "Hazara", reason),
        ("source_article", "Hazara town", reason),
        ("where_description", "Hazara", reason),
        ("where_description", "Hazara town", reason),
    }


def test_why_for_a_mapped_register_record_reads_its_actors(
    everything: sa.Engine, packs: ProfilePacks
) -> None:
    found = explain(everything, packs, "fixture-register:REG-2")
    assert found["tags"] == []
    assert found["set_aside"] == [
        {
            "tag": "hazara",
            "field": "place",
            "matched": "Hazara",
            "reason": "a place-name field",
        },
        {
            "tag": "hazara",
            "field": "place",
            "matched": "Hazara Town",
            "reason": "cue:hazara-town: the record does not say the target was civilian",
        },
    ]


def test_why_lists_decisions_and_says_when_tags_are_stale(
    everything: sa.Engine, packs: ProfilePacks, tmp_path: Path
) -> None:
    with everything.begin() as conn:
        decide(
            conn,
            packs,
            uid="ucdp-ged:920004",
            tag="hazara",
            role="victim",
            action="reject",
            reason="The shopkeeper was a Pashtun from Pishin",
            by="tester",
            now=NOW,
        )
    found = explain(everything, packs, "ucdp-ged:920004")
    assert found["current"] is False  # decided, not yet re-tagged
    assert len(found["tags"]) == 4  # type: ignore[arg-type]
    (decided,) = found["decisions"]  # type: ignore[misc]
    assert {k: v for k, v in decided.items() if k not in ("id", "decided_at")} == {
        "incident_uid": "ucdp-ged:920004",
        "tag": "hazara",
        "role": "victim",
        "action": "reject",
        "reason": "The shopkeeper was a Pashtun from Pishin",
        "decided_by": "tester",
    }
    at = decided["decided_at"]
    assert (at if at.tzinfo else at.replace(tzinfo=UTC)) == NOW  # SQLite keeps no zone
    with everything.begin() as conn:
        tag_incidents(conn, packs=packs)
    found = explain(everything, packs, "ucdp-ged:920004")
    assert (found["current"], found["tags"]) == (True, [])
    # another pack: every stored tag is stale until the next run
    copy = tmp_path / PACK.name
    shutil.copy(PACK, copy)
    with copy.open("a", encoding="utf-8") as handle:
        handle.write("# changed\n")
    assert explain(everything, load_packs([copy]), "ucdp-ged:920001")["current"] is False


def test_why_an_unknown_incident(everything: sa.Engine, packs: ProfilePacks) -> None:
    with pytest.raises(NotFound) as caught:
        explain(everything, packs, "ucdp-ged:1")
    assert str(caught.value) == "no incident 'ucdp-ged:1'"


# --- tag specs and filters ------------------------------------------------------------------


def test_tag_specs(packs: ProfilePacks) -> None:
    assert TagSpec.parse("shia") == TagSpec("shia", ("victim", "perpetrator"))
    assert TagSpec.parse(" hazara:victim ", packs) == TagSpec("hazara", ("victim",))
    assert TagSpec.parse("ttp:context", packs) == TagSpec("ttp", ("context",))
    with pytest.raises(ConfigError) as caught:
        TagSpec.parse("shia:killer", packs)
    assert str(caught.value) == (
        "--tag 'shia:killer': the role must be one of victim, perpetrator, context"
    )
    with pytest.raises(ConfigError) as caught:
        TagSpec.parse("martian", packs)
    assert str(caught.value) == "--tag 'martian': unknown tag; 'gawahi profiles' lists them"


def uids(engine: sa.Engine, *conditions: sa.ColumnElement[bool]) -> list[str]:
    found = find_incidents(engine, IncidentFilter(where=conditions))
    return sorted(r["uid"] for r in found)


def test_filtering_incidents_by_tag_role_and_confidence(everything: sa.Engine) -> None:
    assert uids(everything, tag_condition(TagSpec.parse("ttp"))) == [
        "gtd:201303070002",
        "gtd:201303070003",
        "ucdp-ged:920105",
    ]
    assert uids(everything, tag_condition(TagSpec.parse("ttp:context"))) == [
        "acled:PAK910002",
        "ucdp-ged:920003",
        "ucdp-ged:920102",
    ]
    assert uids(everything, tag_condition(TagSpec.parse("ttp:perpetrator"), 0.9)) == [
        "ucdp-ged:920105"
    ]
    both = (
        tag_condition(TagSpec.parse("shia:victim")),
        tag_condition(TagSpec.parse("is:perpetrator")),
    )
    assert uids(everything, *both) == ["ucdp-ged:920104"]
    assert uids(everything, tag_condition(TagSpec.parse("christian:perpetrator"))) == []


# --- counts per tag, role, year and source --------------------------------------------------


def test_counts_per_year_say_which_sources_report_them(everything: sa.Engine) -> None:
    # Nothing is linked here, so each record is an incident of its own.
    with everything.connect() as conn:
        rows = tag_year_counts(conn, tags=["ttp"])
        context = tag_year_counts(conn, tags=["ttp"], roles=["context"], country="pak")
        sure = tag_year_counts(conn, tags=["ttp"], min_confidence=0.9)
        elsewhere = tag_year_counts(conn, country="AFG")
    # ttp perpetrator: GTD 201303070002 (2 killed) and 003 (3); UCDP 920105 (12)
    assert rows == [
        {
            "tag": "ttp",
            "role": "perpetrator",
            "year": 2013,
            "incidents": 2,
            "deaths_best": 5,
            "deaths_low": 5,
            "deaths_high": 5,
            "sources": "gtd 2",
        },
        {
            "tag": "ttp",
            "role": "perpetrator",
            "year": 2014,
            "incidents": 1,
            "deaths_best": 12,
            "deaths_low": 12,
            "deaths_high": 12,
            "sources": "ucdp-ged 1",
        },
    ]
    # ttp context: UCDP 920003 (4; 4-4) and 920102 (6; 5-8) in 2013, the ACLED battle (3) in 2014
    assert [tuple(r.values()) for r in context] == [
        ("ttp", "context", 2013, 2, 10, 9, 12, "ucdp-ged 2"),
        ("ttp", "context", 2014, 1, 3, 3, 3, "acled 1"),
    ]
    assert [(r["sources"], r["incidents"]) for r in sure] == [("ucdp-ged 1", 1)]  # GTD is 0.85
    assert elsewhere == []


def test_an_incident_with_the_same_tag_from_several_fields_counts_once(
    everything: sa.Engine,
) -> None:
    # GTD 201303070001 has three shia victim rows (target1 mention, two imambargah cues)
    with everything.connect() as conn:
        rows = tag_year_counts(conn, tags=["shia"], roles=["victim"])
    (year_2013,) = [r for r in rows if r["year"] == 2013]
    assert "gtd 1" in year_2013["sources"].split(", ")
