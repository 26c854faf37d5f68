"""The tagger's rules on hand-made record views: what each kind of field can say, with which
confidence and evidence, and what is set aside and why."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from gawahi.profiles.fields import FieldKind, RecordView, SourceField
from gawahi.profiles.pack import ProfilePacks
from gawahi.profiles.tagger import Tag, Tagger, TagResult

QUETTA = ("PAK.balochistan", "PAK.quetta-division", "PAK.quetta")
SWAT = ("PAK.khyber-pakhtunkhwa", "PAK.malakand-division", "PAK.swat", "PAK.swat--kabal")


def text(value: str, name: str = "source_headline") -> SourceField:
    return SourceField(name, value, FieldKind.TEXT)


def place(value: str, name: str = "where_description") -> SourceField:
    return SourceField(name, value, FieldKind.PLACE)


def target(value: str, name: str = "target1") -> SourceField:
    return SourceField(name, value, FieldKind.TARGET)


def actor(value: str, role: str, name: str = "side_a", suspected: bool = False) -> SourceField:
    return SourceField(name, value, FieldKind.ACTOR, role, suspected)


def code(value: str, role: str = "victim", name: str = "Targeted Sect if any") -> SourceField:
    return SourceField(name, value, FieldKind.CODE, role)


def run(
    packs: ProfilePacks,
    *fields: SourceField,
    units: Iterable[str] = (),
    civilian: bool | None = None,
    source: str = "ucdp-ged",
) -> TagResult:
    view = RecordView("test:1", source, tuple(fields), civilian_target=civilian)
    return Tagger(packs).tag(view, units)


def tags(result: TagResult) -> list[tuple[object, ...]]:
    return [(*t[:6], round(t.confidence, 4)) for t in result.tags]


def roles(result: TagResult) -> set[tuple[str, str]]:
    return {(t.tag, t.role) for t in result.tags}


def set_aside(result: TagResult) -> list[tuple[str, ...]]:
    return [tuple(s) for s in result.set_aside]


# --- names in narrative text ----------------------------------------------------------------


def test_a_group_named_in_a_headline_is_the_victim(packs: ProfilePacks) -> None:
    result = run(packs, text("Gunmen kill two Shiites in Quetta"))
    assert tags(result) == [
        ("shia", "victim", "lexicon", "mention:shia", "source_headline", "Shiites", 0.8)
    ]
    assert result.set_aside == []


def test_a_name_inside_a_longer_word_is_not_a_mention(packs: ProfilePacks) -> None:
    assert run(packs, text("Bomb kills five in Kashiabad")).tags == []
    assert run(packs, text("Shopkeepers of Hazarganji protest")).tags == []
    assert run(packs, text("Two men of the Christianabad colony")).tags == []


def test_urdu_text_matches_whichever_yeh_and_heh_the_writer_typed(packs: ProfilePacks) -> None:
    for written in ("شیعہ", "شيعه", "شیعه", "شـیعہ"):
        result = run(packs, text(f"کوئٹہ میں {written} زائرین پر فائرنگ"))
        assert tags(result) == [
            ("shia", "victim", "lexicon", "mention:shia", "source_headline", written, 0.8)
        ]


def test_words_around_a_group_name_make_it_context(packs: ProfilePacks) -> None:
    result = run(packs, text("Anti-Shia slogans painted. Shia militants attacked a post."))
    assert tags(result) == [
        ("shia", "context", "lexicon", "not-victim:anti", "source_headline", "Shia", 0.5),
        ("shia", "context", "lexicon", "not-victim:militants", "source_headline", "Shia", 0.5),
    ]
    assert run(packs, text("Shia outfit banned")).tags[0].rule == "not-victim:outfit"
    # the words must be next to the name
    assert roles(run(packs, text("Militants shot two Shia pilgrims"))) == {("shia", "victim")}


def test_a_target_field_naming_a_group_is_stronger_than_text(packs: ProfilePacks) -> None:
    result = run(packs, target("Shiite worshippers at a mosque"), source="gtd")
    assert tags(result) == [("shia", "victim", "field", "mention:shia", "target1", "Shiite", 0.9)]


# --- negatives, places and cues -------------------------------------------------------------


def test_hazara_division_and_university_are_places_not_the_people(packs: ProfilePacks) -> None:
    result = run(packs, text("Blast in Hazara Division; students of Hazara University hurt"))
    assert result.tags == []
    assert set_aside(result) == [
        ("hazara", "source_headline", "Hazara", "negative:hazara-division"),
        ("hazara", "source_headline", "Hazara", "negative:hazara-division"),
    ]
    # the Hazara people named beside the place still count
    result = run(packs, text("Hazaras from Hazara Division attacked"))
    assert roles(result) == {("hazara", "victim")}
    assert [t.matched for t in result.tags] == ["Hazaras"]


def test_hazara_town_in_swat_is_a_place_but_in_quetta_the_hazara_quarter(
    packs: ProfilePacks,
) -> None:
    headline = text("Shopkeeper shot dead in Hazara town")
    swat = run(packs, headline, units=SWAT, civilian=True)
    assert swat.tags == []
    assert ("hazara", "source_headline", "Hazara", "negative:hazara-town-outside-quetta") in (
        set_aside(swat)
    )
    quetta = run(packs, headline, units=QUETTA, civilian=True)
    assert roles(quetta) == {("hazara", "victim")}


def test_the_hazara_town_place_cue_holds_only_inside_quetta_and_for_civilians(
    packs: ProfilePacks,
) -> None:
    where = place("Hazara Town, Quetta")
    inside = run(packs, where, units=QUETTA, civilian=True)
    assert tags(inside) == [
        ("hazara", "victim", "cue", "cue:hazara-town", "where_description", "Hazara Town", 0.7)
    ]
    assert set_aside(inside) == [
        ("hazara", "where_description", "Hazara", "a place-name field"),
    ]
    elsewhere = run(packs, where, units=("PAK.sindh", "PAK.karachi"), civilian=True)
    assert elsewhere.tags == []
    assert ("hazara", "where_description", "Hazara", "negative:hazara-town-outside-quetta") in (
        set_aside(elsewhere)
    )
    army = run(packs, where, units=QUETTA, civilian=False)
    assert army.tags == []
    assert set_aside(army)[-1] == (
        "hazara",
        "where_description",
        "Hazara Town",
        "cue:hazara-town: the target was not civilian",
    )
    unknown = run(packs, where, units=QUETTA, civilian=None)
    assert unknown.tags == []
    assert set_aside(unknown)[-1][3] == (
        "cue:hazara-town: the record does not say the target was civilian"
    )


def test_a_cue_with_units_but_no_negative_is_set_aside_outside_them(
    packs: ProfilePacks,
) -> None:
    # without the Swat negative (a pack with only the cue), the cue says where it holds
    only_cue = ProfilePacks(
        packs=packs.packs,
        groups=packs.groups,
        cues={"hazara-town": packs.cues["hazara-town"]},
        perpetrators=packs.perpetrators,
        attribution=packs.attribution,
    )
    result = run(only_cue, place("Hazara Town"), units=SWAT, civilian=True)
    assert result.tags == []
    assert set_aside(result) == [
        ("hazara", "where_description", "Hazara", "a place-name field"),
        ("hazara", "where_description", "Hazara Town", "cue:hazara-town: outside PAK.quetta"),
    ]


def test_place_fields_never_make_a_victim_from_a_group_name(packs: ProfilePacks) -> None:
    result = run(
        packs,
        place("Shia Mohalla, Christian Colony, Ismaili Jamatkhana road"),
        place("LeJ hideout", "where_coordinates"),
        units=QUETTA,
        civilian=True,
    )
    assert result.tags == []
    assert set_aside(result) == [
        ("shia", "where_description", "Shia", "a place-name field"),
        ("christian", "where_description", "Christian", "a place-name field"),
        ("ismaili", "where_description", "Ismaili", "a place-name field"),
    ]


def test_term_cues_read_text_and_targets_but_not_place_names(packs: ProfilePacks) -> None:
    result = run(packs, text("Blast near an imambargah"))
    assert tags(result) == [
        ("shia", "victim", "cue", "cue:imambargah", "source_headline", "imambargah", 0.6)
    ]
    result = run(packs, place("Imambargah Road"), civilian=True)
    assert result.tags == []
    assert set_aside(result) == [
        (
            "shia",
            "where_description",
            "Imambargah",
            "cue:imambargah: a place-name field (term cues read only text)",
        )
    ]


def test_a_context_cue_that_needs_a_civilian_target(packs: ProfilePacks) -> None:
    headline = text("Attack on a Muharram procession")
    assert run(packs, headline, civilian=None).tags == []
    assert tags(run(packs, headline, civilian=True)) == [
        ("shia", "context", "cue", "cue:procession", "source_headline", "Muharram procession", 0.4)
    ]


# --- perpetrators ---------------------------------------------------------------------------


def test_a_perpetrator_in_an_attributing_sentence_is_the_perpetrator(
    packs: ProfilePacks,
) -> None:
    result = run(packs, text("Lashkar-e-Jhangvi claimed the attack on Shia pilgrims"))
    assert tags(result) == [
        (
            "lej",
            "perpetrator",
            "lexicon",
            "attribution:lej",
            "source_headline",
            "Lashkar-e-Jhangvi",
            0.7,
        ),
        ("shia", "victim", "lexicon", "mention:shia", "source_headline", "Shia", 0.8),
    ]


def test_a_perpetrator_merely_named_is_context(packs: ProfilePacks) -> None:
    result = run(packs, text("Talks with LeJ stalled. Two shopkeepers were killed."))
    assert tags(result) == [
        ("lej", "context", "lexicon", "mention:lej", "source_headline", "LeJ", 0.5)
    ]
    # the attribution word must be in the same sentence, also in Urdu (۔ ends a sentence)
    urdu = run(packs, text("لشکر جھنگوی پر پابندی۔ کسی نے ذمہ داری قبول نہیں کی"))
    assert roles(urdu) == {("lej", "context")}
    urdu = run(packs, text("کوئٹہ میں دھماکہ۔ لشکر جھنگوی نے ذمہ داری قبول کر لی"))
    assert roles(urdu) == {("lej", "perpetrator")}


def test_attribution_words_count_only_in_narrative_text(packs: ProfilePacks) -> None:
    result = run(packs, target("LeJ commander claimed by police to be hiding"), source="gtd")
    assert roles(result) == {("lej", "context")}


def test_the_acronym_is_is_never_the_english_verb(packs: ProfilePacks) -> None:
    assert run(packs, text("Death toll is now 12; gunmen claimed the attack")).tags == []
    assert run(packs, text("It is claimed that this is revenge")).tags == []
    result = run(packs, text("IS claimed the bombing; the toll is 12"))
    assert tags(result) == [
        ("is", "perpetrator", "lexicon", "attribution:is", "source_headline", "IS", 0.7)
    ]


def test_a_weak_name_counts_only_with_a_coded_actor_of_that_group(packs: ProfilePacks) -> None:
    headline = text("Taliban claimed the attack")
    alone = run(packs, headline)
    assert alone.tags == []
    assert set_aside(alone) == [
        (
            "ttp",
            "source_headline",
            "Taliban",
            "an ambiguous name, and no coded actor of the record is this group",
        )
    ]
    coded = run(packs, actor("TTP", "perpetrator"), headline)
    assert tags(coded) == [
        ("ttp", "perpetrator", "field", "code:ucdp-ged:side_a", "side_a", "TTP", 0.95),
        (
            "ttp",
            "perpetrator",
            "lexicon",
            "attribution:weak:ttp",
            "source_headline",
            "Taliban",
            0.7,
        ),
    ]
    # another group's coded actor does not make "Taliban" TTP
    other = run(packs, actor("LeJ", "perpetrator"), headline)
    assert roles(other) == {("lej", "perpetrator")}
    # a weak name without an attributing word adds nothing, even with the coded actor
    assert roles(run(packs, actor("TTP", "perpetrator"), text("Taliban talks"))) == {
        ("ttp", "perpetrator")
    }


def test_a_weak_word_inside_a_full_name_that_matched_is_not_a_near_miss(
    packs: ProfilePacks,
) -> None:
    # "gawahi why" would otherwise show TTP both tagged and set aside as ambiguous
    result = run(packs, text("Tehrik-i-Taliban Pakistan claimed the attack"))
    assert roles(result) == {("ttp", "perpetrator")}
    assert result.set_aside == []


# --- coded fields ---------------------------------------------------------------------------


def test_coded_actors_by_role(packs: ProfilePacks) -> None:
    one_sided = run(packs, actor("LeJ", "perpetrator"), actor("Civilians", "target", "side_b"))
    assert tags(one_sided) == [
        ("lej", "perpetrator", "field", "code:ucdp-ged:side_a", "side_a", "LeJ", 0.95)
    ]
    fighting = run(packs, actor("Government of Pakistan", "party"), actor("TTP", "party", "side_b"))
    assert tags(fighting) == [
        ("ttp", "context", "field", "code:ucdp-ged:side_b", "side_b", "TTP", 0.95)
    ]


def test_codes_are_case_and_punctuation_insensitive_whole_values(packs: ProfilePacks) -> None:
    result = run(packs, actor("lashkar-e-jhangvi", "perpetrator", "gname"), source="gtd")
    assert tags(result) == [
        ("lej", "perpetrator", "field", "code:gtd:gname", "gname", "lashkar-e-jhangvi", 0.95)
    ]


def test_a_known_name_inside_an_unlisted_coded_value_counts_a_little_less(
    packs: ProfilePacks,
) -> None:
    result = run(packs, actor("Lashkar-e-Jhangvi al-Alami", "perpetrator"))
    assert tags(result) == [
        (
            "lej",
            "perpetrator",
            "field",
            "term-in-field:side_a",
            "side_a",
            "Lashkar-e-Jhangvi al-Alami",
            0.9,
        )
    ]
    suspected = run(
        packs, actor("Lashkar-e-Jhangvi al-Alami", "perpetrator", "gname", True), source="gtd"
    )
    assert tags(suspected)[0][3:] == (
        "term-in-field:gname",
        "gname",
        "Lashkar-e-Jhangvi al-Alami",
        0.8,
    )


def test_a_suspected_coded_perpetrator_is_less_sure(packs: ProfilePacks) -> None:
    result = run(packs, actor("Lashkar-e-Jhangvi", "perpetrator", "gname", True), source="gtd")
    assert tags(result) == [
        ("lej", "perpetrator", "field", "code:gtd:gname", "gname", "Lashkar-e-Jhangvi", 0.85)
    ]


def test_coded_victim_groups_and_their_roles(packs: ProfilePacks) -> None:
    result = run(packs, code("Shiite/sunni"), source="pbc-suicide")
    rule = "code:pbc-suicide:Targeted Sect if any"
    assert tags(result) == [
        ("shia", "victim", "field", rule, "Targeted Sect if any", "Shiite/sunni", 0.95),
        ("sunni", "victim", "field", rule, "Targeted Sect if any", "Shiite/sunni", 0.95),
    ]
    unlisted = run(packs, code("Christian"), source="pbc-suicide")
    assert tags(unlisted) == [
        (
            "christian",
            "victim",
            "field",
            "term-in-field:Targeted Sect if any",
            "Targeted Sect if any",
            "Christian",
            0.9,
        )
    ]
    context = run(
        packs, code("Shia Muslim Group (Pakistan)", "context", "assoc_actor_1"), source="acled"
    )
    assert roles(context) == {("shia", "context")}


# --- implied tags ---------------------------------------------------------------------------


def test_a_child_group_implies_its_parent_with_the_same_evidence(packs: ProfilePacks) -> None:
    result = run(packs, text("Ismailis attacked in Karachi"))
    assert tags(result) == [
        ("ismaili", "victim", "lexicon", "mention:ismaili", "source_headline", "Ismailis", 0.8),
        (
            "shia",
            "victim",
            "lexicon",
            "parent:ismaili<-mention:ismaili",
            "source_headline",
            "Ismailis",
            0.8,
        ),
    ]
    assert roles(run(packs, text("An anti-Ismaili rally"))) == {
        ("ismaili", "context"),
        ("shia", "context"),
    }


def test_the_same_evidence_twice_is_one_tag(packs: ProfilePacks) -> None:
    result = run(packs, text("Shia pilgrims and Shia traders attacked"))
    assert result.tags == [
        Tag("shia", "victim", "lexicon", "mention:shia", "source_headline", "Shia", 0.8)
    ]


@pytest.mark.parametrize(
    "headline",
    [
        "Blast at a market",
        "It is what it is",
        "Anti-terror court hears case",
        "",
    ],
)
def test_texts_without_any_name_give_nothing(packs: ProfilePacks, headline: str) -> None:
    result = run(packs, text(headline))
    assert (result.tags, result.set_aside) == ([], [])
