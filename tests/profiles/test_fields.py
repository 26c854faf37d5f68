"""Each source's reader, end to end: fixture files in the upstream formats are imported,
placed and tagged with the fixture pack, and the stored tags are checked record by record."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from gawahi.profiles.fields import FieldKind, IncidentInput, SourceField, readers, record_view
from gawahi.profiles.pack import ProfilePacks
from gawahi.profiles.tagger import Tagger
from tests.profiles.conftest import (
    ACLED,
    GTD,
    HAZARA_TOWN,
    PBC,
    REGISTER,
    SIDES,
    import_records,
    stored_tags,
    tag_roles,
)

HEADLINE, ARTICLE = "source_headline", "source_article"


@pytest.fixture
def tagged(store: sa.Engine, packs: ProfilePacks, request: pytest.FixtureRequest) -> sa.Engine:
    import_records(store, request.param, packs)
    return store


def parametrised(path: Any) -> Any:
    return pytest.mark.parametrize("tagged", [path], indirect=True, ids=[path.name])


# --- UCDP GED -------------------------------------------------------------------------------


@parametrised(SIDES)
def test_ucdp_one_sided_side_a_is_the_perpetrator(tagged: sa.Engine) -> None:
    assert stored_tags(tagged, "ucdp-ged:920101") == [
        ("lej", "perpetrator", "field", "code:ucdp-ged:side_a", "side_a", "LeJ", 0.95),
        ("shia", "victim", "lexicon", "mention:shia", HEADLINE, "Shiites", 0.8),
        ("lej", "perpetrator", "lexicon", "attribution:lej", HEADLINE, "LeJ", 0.7),
        ("shia", "victim", "lexicon", "mention:shia", ARTICLE, "Shiites", 0.8),
        ("lej", "perpetrator", "lexicon", "attribution:lej", ARTICLE, "LeJ", 0.7),
    ]


@parametrised(SIDES)
def test_ucdp_state_based_sides_are_context(tagged: sa.Engine) -> None:
    assert stored_tags(tagged, "ucdp-ged:920102") == [
        ("ttp", "context", "field", "code:ucdp-ged:side_b", "side_b", "TTP", 0.95)
    ]


@parametrised(SIDES)
def test_ucdp_an_unlisted_side_name_and_a_weak_name_in_the_headline(tagged: sa.Engine) -> None:
    value = "Lashkar-e-Jhangvi al-Alami"
    assert stored_tags(tagged, "ucdp-ged:920103") == [
        ("lej", "perpetrator", "field", "term-in-field:side_a", "side_a", value, 0.9),
        ("hazara", "victim", "lexicon", "mention:hazara", HEADLINE, "Hazara", 0.8),
        ("hazara", "victim", "lexicon", "mention:hazara", ARTICLE, "Hazara", 0.8),
    ]
    # "Death toll is now 12; Taliban claimed the attack", side_a TTP: no "is", weak Taliban
    assert stored_tags(tagged, "ucdp-ged:920105") == [
        ("ttp", "perpetrator", "field", "code:ucdp-ged:side_a", "side_a", "TTP", 0.95),
        ("ttp", "perpetrator", "lexicon", "attribution:weak:ttp", HEADLINE, "Taliban", 0.7),
        ("ttp", "perpetrator", "lexicon", "attribution:weak:ttp", ARTICLE, "Taliban", 0.7),
    ]
    assert tag_roles(tagged, "ucdp-ged:920104") == {("is", "perpetrator"), ("shia", "victim")}
    assert stored_tags(tagged, "ucdp-ged:920106") == []  # "majlis" is no cue of this pack


@parametrised(HAZARA_TOWN)
def test_ucdp_hazara_town_by_the_units_the_record_lies_in(tagged: sa.Engine) -> None:
    # where_description "Hazara Town, Quetta", a one-sided attack in Quetta district
    assert stored_tags(tagged, "ucdp-ged:920001") == [
        ("hazara", "victim", "cue", "cue:hazara-town", "where_description", "Hazara Town", 0.7)
    ]
    # the same words in Kabal tehsil, Swat: a place
    assert stored_tags(tagged, "ucdp-ged:920002") == []
    # Quetta, but fighting between the state and TTP: the target was not civilian
    assert tag_roles(tagged, "ucdp-ged:920003") == {("ttp", "context")}
    # a headline naming Hazara Town in Quetta
    assert tag_roles(tagged, "ucdp-ged:920004") == {("hazara", "victim")}


def ucdp_raw(**values: str) -> dict[str, str]:
    raw = {
        "id": "1",
        "type_of_violence": "1",
        "side_a": "Government of Pakistan",
        "side_b": "TTP",
        "deaths_civilians": "0",
        "deaths_unknown": "0",
        "where_description": "Parachinar town",
    }
    return raw | values


def test_ucdp_fighting_without_civilian_deaths_has_no_group_victim(packs: ProfilePacks) -> None:
    incident = IncidentInput(
        "ucdp-ged:1",
        "ucdp-ged",
        ucdp_raw(source_headline="Troops clash with militants near a Shia shrine"),
        country="PAK",
    )
    result = Tagger(packs).tag(record_view(incident))
    assert {(t.tag, t.role) for t in result.tags} == {("shia", "context"), ("ttp", "context")}
    # the same fighting with civilians killed: the named group may be the victim
    incident.raw = ucdp_raw(source_headline="Shelling kills Shia villagers", deaths_civilians="3")
    result = Tagger(packs).tag(record_view(incident))
    assert {(t.tag, t.role) for t in result.tags} == {("shia", "victim"), ("ttp", "context")}


def test_ucdp_state_based_text_that_says_who_attacked_makes_a_perpetrator(
    packs: ProfilePacks,
) -> None:
    raw = ucdp_raw(source_headline="TTP claimed the attack on a checkpost")
    result = Tagger(packs).tag(record_view(IncidentInput("ucdp-ged:1", "ucdp-ged", raw)))
    assert {(t.tag, t.role, t.confidence) for t in result.tags} == {
        ("ttp", "context", 0.95),
        ("ttp", "perpetrator", 0.7),
    }


# --- GTD ------------------------------------------------------------------------------------


@parametrised(GTD)
def test_gtd_gname_is_the_perpetrator_and_target_words_name_the_victims(
    tagged: sa.Engine,
) -> None:
    assert stored_tags(tagged, "gtd:201303070001") == [
        ("lej", "perpetrator", "field", "code:gtd:gname", "gname", "Lashkar-e-Jhangvi", 0.95),
        ("shia", "victim", "field", "mention:shia", "target1", "Shiite", 0.9),
        ("shia", "victim", "cue", "cue:imambargah", "target1", "imambargah", 0.6),
        ("shia", "victim", "cue", "cue:imambargah", "corp1", "Imambargah", 0.6),
    ]


@parametrised(GTD)
def test_gtd_guncertain_lowers_the_confidence_of_that_group_only(tagged: sa.Engine) -> None:
    ttp = "Tehrik-i-Taliban Pakistan (TTP)"
    assert stored_tags(tagged, "gtd:201303070002") == [
        ("ttp", "perpetrator", "field", "code:gtd:gname", "gname", ttp, 0.85)
    ]
    # gname certain, gname2 uncertain; the target is at Hazara University (a place)
    assert stored_tags(tagged, "gtd:201303070003") == [
        ("lej", "perpetrator", "field", "code:gtd:gname", "gname", "Lashkar-e-Jhangvi", 0.95),
        ("ttp", "perpetrator", "field", "code:gtd:gname2", "gname2", ttp, 0.85),
    ]
    assert stored_tags(tagged, "gtd:201303070004") == [
        (
            "lej",
            "perpetrator",
            "field",
            "term-in-field:gname",
            "gname",
            "Lashkar-e-Jhangvi al-Alami",
            0.8,
        )
    ]


def test_gtd_civilian_target_from_the_target_types() -> None:
    def civilian(*types: str) -> bool | None:
        raw = {f"targtype{n}_txt": t for n, t in enumerate(types, start=1)}
        return record_view(IncidentInput("gtd:1", "gtd", raw)).civilian_target

    assert civilian("Police") is False
    assert civilian("Military", "Police") is False
    assert civilian("Police", "Private Citizens & Property") is True
    assert civilian("Religious Figures/Institutions") is True
    assert civilian("Unknown") is None
    assert civilian() is None


# --- Pakistan Body Count --------------------------------------------------------------------


@parametrised(PBC)
def test_pbc_targeted_sect_codes(tagged: sa.Engine) -> None:
    field = "Targeted Sect if any"
    rule = f"code:pbc-suicide:{field}"
    assert stored_tags(tagged, "pbc-suicide:1") == [
        ("shia", "victim", "field", rule, field, "Shiite", 0.95)
    ]
    assert stored_tags(tagged, "pbc-suicide:2") == [
        ("shia", "victim", "field", rule, field, "Shiite/sunni", 0.95),
        ("sunni", "victim", "field", rule, field, "Shiite/sunni", 0.95),
    ]
    assert stored_tags(tagged, "pbc-suicide:3") == [
        ("christian", "victim", "field", f"term-in-field:{field}", field, "Christian", 0.9)
    ]
    # "None" is no sect; the cp1252 location "Imambargah’s gate" is a cue in the target words
    assert stored_tags(tagged, "pbc-suicide:4") == [
        ("shia", "victim", "cue", "cue:imambargah", "Location", "Imambargah", 0.6)
    ]
    assert stored_tags(tagged, "pbc-suicide:5") == []


def test_pbc_target_types_and_drone_strikes() -> None:
    def view(source: str, **raw: str) -> Any:
        return record_view(IncidentInput(f"{source}:1", source, raw))

    assert view("pbc-suicide", **{"Target Type": "Police & Military"}).civilian_target is False
    assert view("pbc-suicide", **{"Target Type": "Civilian"}).civilian_target is True
    assert view("pbc-suicide", **{"Target Type": "N/A"}).civilian_target is None
    drone = view(
        "pbc-drone",
        **{
            "Special Mention (Site)": "Madrassa",
            "Comments": "Taliban commander",
            "City": "Miranshah",
        },
    )
    assert drone.civilian_target is False
    assert drone.fields == (
        SourceField("Special Mention (Site)", "Madrassa", FieldKind.TEXT),
        SourceField("Comments", "Taliban commander", FieldKind.TEXT),
        SourceField("City", "Miranshah", FieldKind.PLACE),
    )


# --- ACLED ----------------------------------------------------------------------------------


@parametrised(ACLED)
def test_acled_violence_against_civilians_actor1_and_victims_by_side(tagged: sa.Engine) -> None:
    # Violence against civilians: actor1 attacked; actor2's associated actors are the victims
    assert stored_tags(tagged, "acled:PAK910001") == [
        (
            "lej",
            "perpetrator",
            "field",
            "code:acled:actor1",
            "actor1",
            "LeJ: Lashkar-e-Jhangvi",
            0.95,
        ),
        (
            "shia",
            "victim",
            "field",
            "code:acled:assoc_actor_2",
            "assoc_actor_2",
            "Shia Muslim Group (Pakistan)",
            0.95,
        ),
        (
            "hazara",
            "victim",
            "field",
            "code:acled:assoc_actor_2",
            "assoc_actor_2",
            "Hazara Ethnic Group (Pakistan)",
            0.95,
        ),
    ]


@parametrised(ACLED)
def test_acled_battles_and_protests_name_groups_as_context(tagged: sa.Engine) -> None:
    assert stored_tags(tagged, "acled:PAK910002") == [
        (
            "ttp",
            "context",
            "field",
            "code:acled:actor2",
            "actor2",
            "TTP: Tehrik-i-Taliban Pakistan",
            0.95,
        )
    ]
    assert stored_tags(tagged, "acled:PAK910003") == [
        (
            "hazara",
            "context",
            "field",
            "code:acled:assoc_actor_1",
            "assoc_actor_1",
            "Hazara Ethnic Group (Pakistan)",
            0.95,
        )
    ]


# --- mapped registers -----------------------------------------------------------------------


@parametrised(REGISTER)
def test_a_mapped_register_reads_its_actor_and_target_columns(tagged: sa.Engine) -> None:
    assert stored_tags(tagged, "fixture-register:REG-1") == [
        (
            "lej",
            "perpetrator",
            "field",
            "term-in-field:actor:perpetrator",
            "actor:perpetrator",
            "Lashkar-e-Jhangvi",
            0.9,
        ),
        ("hazara", "victim", "field", "mention:hazara", "actor:target", "Hazara", 0.9),
    ]
    # the place "Hazara Town" names no victim, and the register does not say the target
    assert stored_tags(tagged, "fixture-register:REG-2") == []
    # "the Hazara University hostel"
    assert stored_tags(tagged, "fixture-register:REG-3") == []


def test_the_generic_reader_maps_actor_roles_to_field_kinds() -> None:
    incident = IncidentInput(
        "fixture-register:1",
        "fixture-register",
        {},
        description="Two vendors shot",
        location_text="Hazarganji",
        place="Quetta",
        actors=[("LeJ", "perpetrator"), ("Hazara vendors", "target"), ("Police", "associated")],
        headlines=["Vendors shot"],
    )
    view = record_view(incident)
    assert view.civilian_target is True
    assert [(f.name, f.value, f.kind, f.role) for f in view.fields] == [
        ("description", "Two vendors shot", FieldKind.TEXT, "victim"),
        ("citation", "Vendors shot", FieldKind.TEXT, "victim"),
        ("actor:perpetrator", "LeJ", FieldKind.ACTOR, "perpetrator"),
        ("actor:target", "Hazara vendors", FieldKind.TARGET, "victim"),
        ("actor:associated", "Police", FieldKind.ACTOR, "party"),
        ("location_text", "Hazarganji", FieldKind.PLACE, "victim"),
        ("place", "Quetta", FieldKind.PLACE, "victim"),
    ]
    incident.actors = [("LeJ", "perpetrator")]
    assert record_view(incident).civilian_target is None


def test_every_built_in_source_has_a_reader() -> None:
    assert readers() == {
        "ucdp-ged": "ucdp",
        "ucdp-api": "ucdp",
        "gtd": "gtd",
        "pbc-suicide": "pbc_suicide",
        "pbc-drone": "pbc_drone",
        "acled": "acled",
    }
