"""Place-name keys: case, Latin diacritics, punctuation, Urdu letter variants, designators."""

from __future__ import annotations

import pytest

from gawahi.geo.names import compact, normalise, strip_designators

PAK_DESIGNATORS = ("district", "agency", "tribal agency", "tehsil", "division")


def test_case_and_latin_diacritics_do_not_matter() -> None:
    assert normalise("KARACHI") == normalise("Kārachi") == normalise("karāchī") == "karachi"


def test_punctuation_becomes_space() -> None:
    assert normalise("D.I. Khan") == normalise("d i khan") == "d i khan"
    assert normalise("Dera-Ismail_Khan") == "dera ismail khan"
    assert normalise("  Quetta ,  Balochistan ") == "quetta balochistan"


def test_compact_joins_spaced_initials() -> None:
    assert compact(normalise("DI Khan")) == compact(normalise("D.I. Khan")) == "dikhan"


def test_arabic_yeh_and_kaf_equal_urdu_letters() -> None:
    urdu = "کوئٹہ"  # Urdu keheh, hamza seat, heh goal
    arabic = "\u0643\u0648\u064a\u0679\u0647"  # Arabic kaf and yeh, plain heh: كويٹه
    assert normalise(urdu) == normalise(arabic)
    assert normalise("كراچي") == normalise("کراچی")  # Karachi: Arabic kaf and yeh


@pytest.mark.parametrize(
    "variant",
    ["کوئٹہ", "کویٹہ", "کويٹه", "كوئٹة", "کوئـٹہ", "کوئٹہ\u200c"],
    ids=["urdu", "no-hamza", "arabic-yeh-heh", "arabic-kaf-teh-marbuta", "tatweel", "zwnj"],
)
def test_quetta_spelling_variants_share_one_key(variant: str) -> None:
    assert normalise(variant) == normalise("کوئٹہ")


def test_heh_goal_and_heh_doachashmee_fold_to_heh() -> None:
    assert normalise("ہ") == normalise("ھ") == normalise("ه")
    assert normalise("پشاور") != normalise("پشاوره")  # folding does not add or drop letters


def test_non_arabic_scripts_keep_their_marks() -> None:
    # In Devanagari a vowel sign is a letter; dropping it would merge different names.
    assert normalise("कराची") != normalise("करच")


def test_strip_designators_only_at_the_ends() -> None:
    assert strip_designators("kurram agency", PAK_DESIGNATORS) == "kurram"
    assert strip_designators("tehsil kotri", PAK_DESIGNATORS) == "kotri"
    assert strip_designators("khyber tribal agency", PAK_DESIGNATORS) == "khyber"
    assert strip_designators("new district town", PAK_DESIGNATORS) == "new district town"


def test_strip_designators_takes_a_leading_designator_even_from_a_street() -> None:
    # Documented: only the ends are stripped, so this street loses its first word. The
    # stripped form is tried only after the full name failed, so no unit is lost by it.
    assert strip_designators("district court road", PAK_DESIGNATORS) == "court road"


def test_strip_designators_never_leaves_nothing() -> None:
    assert strip_designators("district", PAK_DESIGNATORS) == "district"
    assert strip_designators("agency district", PAK_DESIGNATORS) == "agency"
