"""Profile packs: the fixture pack loads as written; every mistake names the file and entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gawahi.errors import ConfigError
from gawahi.profiles.pack import (
    PACKS_ENV,
    Relation,
    Term,
    active_pack_files,
    bundled_pack_files,
    load_packs,
)
from tests.profiles.conftest import CLI_PACK, PACK

HEAD = "pack: tiny\ntitle: Tiny test pack\n"


def pack_file(tmp_path: Path, body: str, name: str = "tiny.yaml", head: str = HEAD) -> Path:
    path = tmp_path / name
    path.write_text(head + body, encoding="utf-8")
    return path


def load_error(*paths: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_packs(list(paths))
    return str(caught.value)


# --- the fixture pack as written ------------------------------------------------------------


def test_the_fixture_pack_loads_with_every_entry() -> None:
    packs = load_packs([PACK])
    (info,) = packs.packs
    assert (info.id, info.country, info.path) == ("fixture-pak", "PAK", PACK)
    assert info.title == "Fixture: sects, cues, negatives and armed groups for the tagging tests"
    assert len(info.sha256) == 64
    assert list(packs.groups) == ["shia", "ismaili", "sunni", "christian", "hazara"]
    assert list(packs.perpetrators) == ["ssp", "lej", "ttp", "is"]
    assert packs.tag_ids() == {"shia", "ismaili", "sunni", "christian", "hazara"} | {
        "ssp",
        "lej",
        "ttp",
        "is",
    }
    shia = packs.groups["shia"]
    assert (shia.kind, shia.label, shia.parent, shia.pack) == (
        "sect",
        "Shia Muslims",
        None,
        "fixture-pak",
    )
    assert Term("ur", "شیعہ") in shia.terms
    assert shia.codes["pbc-suicide"] == ("Shiite", "Shiite/sunni")
    assert (shia.not_victim_before, shia.not_victim_after) == (
        frozenset({"anti"}),
        frozenset({"militants", "militant", "outfit"}),
    )
    assert packs.groups["ismaili"].parent == "shia"


def test_cue_defaults_depend_on_the_kind_of_cue() -> None:
    cues = load_packs([PACK]).cues
    imambargah, town, procession = cues["imambargah"], cues["hazara-town"], cues["procession"]
    # a term cue: victim, 0.6, any target, anywhere
    assert (imambargah.kind, imambargah.role, imambargah.confidence) == ("term", "victim", 0.6)
    assert (imambargah.civilian_target, imambargah.within) == (False, ())
    # a place cue needs a civilian target unless it says otherwise
    assert (town.kind, town.confidence, town.civilian_target) == ("place", 0.7, True)
    assert town.within == ("PAK.quetta",)
    assert (procession.role, procession.confidence, procession.civilian_target) == (
        "context",
        0.4,
        True,
    )


def test_perpetrators_keep_acronyms_weak_terms_codes_and_relations() -> None:
    packs = load_packs([PACK])
    lej, ttp = packs.perpetrators["lej"], packs.perpetrators["ttp"]
    assert lej.acronyms == ("LeJ",)
    assert lej.codes == {
        "ucdp-ged": ("LeJ",),
        "gtd": ("Lashkar-e-Jhangvi",),
        "acled": ("LeJ: Lashkar-e-Jhangvi",),
    }
    assert lej.relations == (Relation("splinter_of", "ssp", "1996"),)
    assert ttp.weak_terms == (Term("en", "taliban"),)
    assert packs.negatives["hazara-town-outside-quetta"].unless_within == ("PAK.quetta",)
    assert Term("en", "claimed") in packs.attribution.terms
    assert Term("ur", "ذمہ داری") in packs.attribution.terms


def test_ancestors_are_listed_nearest_first(tmp_path: Path) -> None:
    path = pack_file(
        tmp_path,
        "groups:\n"
        "  - {id: muslim, kind: religion, label: Muslims}\n"
        "  - {id: shia, kind: sect, label: Shia, parent: muslim}\n"
        "  - {id: ismaili, kind: sect, label: Ismailis, parent: shia}\n",
    )
    packs = load_packs([path])
    assert packs.ancestors("ismaili") == ["shia", "muslim"]
    assert packs.ancestors("muslim") == []
    assert (packs.label("ismaili"), packs.label("unknown-id")) == ("Ismailis", "unknown-id")


def test_the_digest_ignores_pack_order_and_changes_with_any_byte(tmp_path: Path) -> None:
    assert load_packs([PACK, CLI_PACK]).digest == load_packs([CLI_PACK, PACK]).digest
    assert load_packs([PACK]).digest != load_packs([PACK, CLI_PACK]).digest
    copy = tmp_path / PACK.name
    shutil.copy(PACK, copy)
    assert load_packs([copy]).digest == load_packs([PACK]).digest
    copy.write_text(PACK.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    assert load_packs([copy]).digest != load_packs([PACK]).digest


# --- mistakes inside one entry --------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "groups:\n  - {id: shia, kind: sect, label: Shia, term: {en: [shia]}}\n",
            "group 'shia': unknown key(s) term; allowed: acronyms, codes, id, kind, label, "
            "labels, not_victim_after, not_victim_before, note, parent, terms",
        ),
        (
            "groups:\n  - {id: Shia, kind: sect, label: Shia}\n",
            "group 'Shia': 'id' must be a lower-case id such as 'shia' or 'lej', not 'Shia'",
        ),
        (
            "groups:\n  - {id: shia, kind: creed, label: Shia}\n",
            "group 'shia': 'kind' must be one of ethnicity, occupation, other, political, "
            "religion, sect, not 'creed'",
        ),
        (
            "groups:\n  - {id: shia, kind: sect}\n",
            "group 'shia': 'label' is required",
        ),
        (
            "groups:\n  - {id: shia, kind: sect, label: Shia, terms: {english: [shia]}}\n",
            "group 'shia': 'terms': 'english' is not a language code such as en, ur, fa, ps",
        ),
        (
            "groups:\n  - {id: shia, kind: sect, label: Shia, terms: {en: shia}}\n",
            "group 'shia': 'terms.en' must be a list",
        ),
        (
            "groups:\n  - {id: shia, kind: sect, label: Shia, terms: {en: [shia, '']}}\n",
            "group 'shia': 'terms.en' must be a list of non-empty texts",
        ),
        (
            "cues:\n  - {id: town, group: hazara, kind: place, terms: {en: [town]}, "
            "within: [quetta]}\n",
            "cue 'town': 'within': 'quetta' is not an admin unit id such as PAK.quetta",
        ),
        (
            "cues:\n  - {id: town, group: hazara, terms: {en: [town]}, confidence: '1.5'}\n",
            "cue 'town': 'confidence' must be a number in (0, 1], not '1.5'",
        ),
        (
            "cues:\n  - {id: town, group: hazara, terms: {en: [town]}, confidence: high}\n",
            "cue 'town': 'confidence' must be a number in (0, 1], not 'high'",
        ),
        (
            "cues:\n  - {id: town, group: hazara, terms: {en: [town]}, confidence: '0'}\n",
            "cue 'town': 'confidence' must be a number in (0, 1], not '0'",
        ),
        (
            "cues:\n  - {id: town, group: hazara, terms: {en: [town]}, civilian_target: yes}\n",
            "cue 'town': 'civilian_target' must be true or false, not 'yes'",
        ),
        (
            "cues:\n  - {id: town, group: hazara, terms: {en: [town]}, kind: area}\n",
            "cue 'town': 'kind' must be one of place, term, not 'area'",
        ),
        (
            "cues:\n  - {id: town, group: hazara}\n",
            "cue 'town': 'terms' must be a mapping of language to a list of terms",
        ),
        (
            "negatives:\n  - {id: division, group: hazara, terms: {en: [x]}, "
            "unless_within: [PAK/quetta]}\n",
            "negative 'division': 'unless_within': 'PAK/quetta' is not an admin unit id "
            "such as PAK.quetta",
        ),
        (
            "perpetrators:\n  - {id: lej, label: LeJ, kind: sectarian, "
            "relations: [{type: offshoot_of, of: ssp}]}\n",
            "perpetrator 'lej': 'relation type' must be one of allied_with, branch_of, "
            "faction_of, renamed_from, splinter_of, successor_of, not 'offshoot_of'",
        ),
        (
            "perpetrators:\n  - {id: lej, label: LeJ, kind: sectarian, "
            "relations: [{type: splinter_of, of: ssp, when: '1996'}]}\n",
            "perpetrator 'lej': unknown key(s) when; allowed: note, of, since, type",
        ),
        (
            "perpetrators:\n  - {id: lej, label: LeJ, kind: terrorist}\n",
            "perpetrator 'lej': 'kind' must be one of criminal, jihadist, other, political, "
            "sectarian, separatist, state, not 'terrorist'",
        ),
        (
            "attribution:\n  words: {en: [claimed]}\n",
            "attribution: unknown key(s) words; allowed: ",
        ),
    ],
)
def test_a_mistake_in_an_entry_names_the_file_and_the_entry(
    tmp_path: Path, body: str, message: str
) -> None:
    path = pack_file(tmp_path, body)
    found = load_error(path)
    if message.endswith("allowed: "):  # the allowed attribution keys may grow
        assert found.startswith(f"{path}: {message}")
    else:
        assert found == f"{path}: {message}"


def test_an_unknown_top_level_key_lists_the_allowed_ones(tmp_path: Path) -> None:
    path = pack_file(tmp_path, "group:\n  - {id: shia, kind: sect, label: Shia}\n")
    assert load_error(path).startswith(
        f"{path}: the pack: unknown key(s) group; allowed: attribution, country, cues, groups, "
    )


def test_a_pack_without_an_id_or_with_a_bad_country(tmp_path: Path) -> None:
    path = pack_file(tmp_path, "groups: []\n", head="title: No id\n")
    assert load_error(path) == (
        f"{path}: the pack: 'pack' must be a lower-case id such as 'shia' or 'lej', not None"
    )
    path = pack_file(tmp_path, "country: Pakistan\n")
    assert load_error(path) == (
        f"{path}: the pack: 'country' must be an ISO 3166-1 alpha-3 code such as PAK"
    )


def test_a_key_given_twice_and_a_file_that_is_not_yaml(tmp_path: Path) -> None:
    path = pack_file(tmp_path, "groups:\n  - id: shia\n    id: sunni\n")
    found = load_error(path)
    assert found.startswith(f"{path}: cannot read the pack: ")
    assert "the key 'id' is given twice" in found
    path = pack_file(tmp_path, "", head="- just\n- a list\n")
    assert load_error(path) == (
        f"{path}: the pack: a pack is a YAML mapping with 'pack', 'groups', 'perpetrators' ..."
    )


def test_an_entry_that_is_not_a_mapping_is_a_pack_error_not_a_crash(tmp_path: Path) -> None:
    # "groups: [shia, sunni]" is an easy slip; it must be reported, not raise AttributeError
    path = pack_file(tmp_path, "groups: [shia, sunni]\n")
    found = load_error(path)
    assert found.startswith(f"{path}: ")
    assert found.endswith("expected a mapping")
    path = pack_file(tmp_path, "perpetrators:\n  - lej\n")
    assert load_error(path).endswith("expected a mapping")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "perpetrators:\n  - {id: lej, label: LeJ, kind: sectarian, relations: ssp}\n",
            "perpetrator 'lej': 'relations' must be a list",
        ),
        (
            "groups:\n  - {id: shia, kind: sect, label: Shia, not_victim_before: anti}\n",
            "group 'shia': 'not_victim_before' must be a list",
        ),
        (
            "groups:\n  - {id: shia, kind: sect, label: Shia, not_victim_after: militants}\n",
            "group 'shia': 'not_victim_after' must be a list",
        ),
    ],
)
def test_a_list_key_written_as_one_word_names_that_key(
    tmp_path: Path, body: str, message: str
) -> None:
    path = pack_file(tmp_path, body)
    assert load_error(path) == f"{path}: {message}"


def test_a_well_formed_unit_id_that_no_geo_pack_defines_is_refused(tmp_path: Path) -> None:
    # A typo in 'within' would silently switch the cue off everywhere: a lower victim count.
    path = pack_file(
        tmp_path,
        "groups:\n  - {id: hazara, kind: ethnicity, label: Hazaras}\n"
        "cues:\n  - {id: town, group: hazara, kind: place, terms: {en: [hazara town]}, "
        "within: [PAK.queta]}\n",
    )
    with pytest.raises(ConfigError, match=r"cue 'town': 'within': 'PAK\.queta'") as caught:
        load_packs([path])
    assert str(caught.value).startswith(f"{path}: ")


# --- mistakes across entries and packs ------------------------------------------------------


def test_an_id_used_in_two_packs_names_the_second_file(tmp_path: Path) -> None:
    other = pack_file(
        tmp_path, "groups:\n  - {id: shia, kind: sect, label: Shia again}\n", "other.yaml"
    )
    assert load_error(PACK, other) == (
        f"{other}: group 'shia': the id 'shia' is used twice (ids are unique across packs)"
    )


def test_a_perpetrator_cannot_take_a_group_id(tmp_path: Path) -> None:
    path = pack_file(
        tmp_path,
        "groups:\n  - {id: hazara, kind: ethnicity, label: Hazaras}\n"
        "perpetrators:\n  - {id: hazara, label: Hazara militia, kind: other}\n",
    )
    assert load_error(path) == (
        f"{path}: perpetrator 'hazara': the id 'hazara' is used twice (ids are unique across packs)"
    )


def test_the_same_pack_id_twice(tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_text("pack: fixture-pak\n", encoding="utf-8")
    assert load_error(PACK, copy) == (
        f"{copy}: the pack: a pack with id 'fixture-pak' is already active"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "groups:\n  - {id: ismaili, kind: sect, label: Ismailis, parent: shiaa}\n",
            "group 'ismaili': parent 'shiaa' is not defined in any active pack",
        ),
        (
            "cues:\n  - {id: majlis, group: shiaa, terms: {en: [majlis]}}\n",
            "cue 'majlis': group 'shiaa' is not defined in any active pack",
        ),
        (
            "perpetrators:\n  - {id: lej, label: LeJ, kind: sectarian, "
            "relations: [{type: splinter_of, of: sipah}]}\n",
            "perpetrator 'lej': relation 'sipah' is not defined in any active pack",
        ),
        (
            "groups:\n  - {id: a, kind: sect, label: A, parent: b}\n"
            "  - {id: b, kind: sect, label: B, parent: a}\n",
            "group 'a': its parents form a cycle",
        ),
    ],
)
def test_a_reference_to_nothing_or_a_cycle_names_the_file_and_entry(
    tmp_path: Path, body: str, message: str
) -> None:
    # The module promises that "every failure names the file and the entry": with the
    # shipped packs and GAWAHI_PROFILE_PACKS active, the user must know which file to fix.
    path = pack_file(tmp_path, body)
    assert load_error(path) == f"{path}: {message}"


def test_a_reference_may_point_into_another_pack(tmp_path: Path) -> None:
    path = pack_file(
        tmp_path,
        "groups:\n  - {id: bohra, kind: sect, label: Bohras, parent: shia}\n"
        "perpetrators:\n  - {id: lej-al-alami, label: LeJ al-Alami, kind: sectarian, "
        "relations: [{type: faction_of, of: lej}]}\n",
    )
    packs = load_packs([PACK, path])
    assert packs.ancestors("bohra") == ["shia"]
    assert packs.perpetrators["lej-al-alami"].relations[0].of == "lej"


# --- the active packs -----------------------------------------------------------------------


def test_the_shipped_packs_load_and_define_the_ids_the_docs_promise() -> None:
    packs = load_packs(bundled_pack_files())
    assert {"shia", "ismaili", "hazara", "lej", "ttp", "is"} <= packs.tag_ids()
    assert packs.ancestors("ismaili") == ["shia"]


def test_the_environment_adds_pack_files_and_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "packs"
    folder.mkdir()
    shutil.copy(CLI_PACK, folder / CLI_PACK.name)
    (folder / "notes.txt").write_text("not a pack", encoding="utf-8")
    monkeypatch.setenv(PACKS_ENV, str(folder))
    assert active_pack_files() == [*bundled_pack_files(), folder / CLI_PACK.name]
    assert {"testani", "north-testani", "tlf"} <= load_packs().tag_ids()
    monkeypatch.setenv(PACKS_ENV, f"{tmp_path / 'absent'}")
    with pytest.raises(ConfigError) as caught:
        active_pack_files()
    assert str(caught.value) == (
        f"GAWAHI_PROFILE_PACKS: {tmp_path / 'absent'} is neither a pack file nor a folder"
    )


def test_a_broken_extra_pack_stops_loading_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = pack_file(tmp_path, "groups:\n  - {id: x1, kind: sect, label: X, colour: red}\n")
    monkeypatch.setenv(PACKS_ENV, str(path))
    with pytest.raises(ConfigError) as caught:
        load_packs()
    assert str(caught.value) == (
        f"{path}: group 'x1': unknown key(s) colour; allowed: acronyms, codes, id, kind, "
        "label, labels, not_victim_after, not_victim_before, note, parent, terms"
    )
