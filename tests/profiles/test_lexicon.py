"""Finding pack terms as whole words in any script: normalisation, spans, sentences, acronyms."""

from __future__ import annotations

import pytest

from gawahi.profiles.lexicon import Lexicon, normalise_term, tokenise


def lexicon() -> Lexicon:
    found = Lexicon()
    found.add_all("group", "shia", ["shia", "shiites", "shi'ite", "شیعہ", "اہل تشیع"])
    found.add_all("perpetrator", "lej", ["Lashkar-e-Jhangvi", "لشکر جھنگوی"])
    found.add("perpetrator", "lej", "LeJ", cased=True)
    found.add("perpetrator", "is", "IS", cased=True)
    found.add("perpetrator", "is", "IS-K", cased=True)
    found.add_all("attribution", "attribution", ["claimed", "ذمہ داری"])
    found.add("negative", "hazara-division", "hazara division")
    return found


def ids(text: str) -> list[tuple[str, str, str]]:
    """What was found, in the order of the words (the order of finding is not promised)."""
    found = sorted(lexicon().find(text), key=lambda m: (m.first, m.last))
    return [(m.entry.kind, m.entry.id, m.text) for m in found]


@pytest.mark.parametrize(
    ("term", "key"),
    [
        ("Lashkar-e-Jhangvi", "lashkar e jhangvi"),
        ("Lashkar e  Jhangvi", "lashkar e jhangvi"),
        ("Shi'ite", "shi ite"),
        ("SHIA", "shia"),
        ("Shīa", "shia"),  # Latin accents go
        ("شیعہ", "شیعه"),  # heh goal -> heh
        ("شيعه", "شیعه"),  # Arabic yeh -> Farsi yeh
        ("شـیـعہ", "شیعه"),  # tatweel goes
        ("كوئٹہ", "کویٹه"),  # Arabic kaf, hamza seat
    ],
)
def test_terms_and_text_share_one_normalisation(term: str, key: str) -> None:
    assert normalise_term(term) == key


def test_tokens_keep_their_spans_and_sentences() -> None:
    text = "Bomb in Quetta. LeJ claimed it; two dead\nلشکر جھنگوی۔ ذمہ داری"
    tokens = tokenise(text)
    assert list(zip(tokens.keys, tokens.sentences, strict=True)) == [
        ("bomb", 0),
        ("in", 0),
        ("quetta", 0),
        ("lej", 1),
        ("claimed", 1),
        ("it", 1),
        ("two", 2),
        ("dead", 2),
        ("لشکر", 3),
        ("جهنگوی", 3),
        ("ذمه", 4),
        ("داری", 4),
    ]
    assert (tokens.span(3, 4), tokens.words[3]) == ("LeJ claimed", "LeJ")
    assert tokens.span(8, 9) == "لشکر جھنگوی"


def test_a_term_with_a_full_stop_inside_still_matches() -> None:
    # "punctuation becomes a space": "St. John's Church" is "st john s church", and the
    # full stop of an abbreviation does not end the name
    found = Lexicon()
    found.add("cue", "church", "St. John's Church")
    found.add("perpetrator", "ttp", "T.T.P.", cased=True)
    matches = found.find("Blast at St. John's Church; the T.T.P. claimed it")
    assert [(m.entry.id, m.text) for m in sorted(matches, key=lambda m: m.first)] == [
        ("church", "St. John's Church"),
        ("ttp", "T.T.P"),
    ]


def test_a_term_matches_only_whole_words() -> None:
    assert ids("Bomb kills five in Kashiabad") == []
    assert ids("Shiaism and shias") == []  # neither is a listed form
    assert ids("Two Shiites shot") == [("group", "shia", "Shiites")]
    assert not lexicon().may_match("Bomb kills five in Kashiabad")


def test_hyphens_and_spaces_are_the_same_word_break() -> None:
    assert ids("Lashkar e Jhangvi claimed") == [
        ("perpetrator", "lej", "Lashkar e Jhangvi"),
        ("attribution", "attribution", "claimed"),
    ]
    assert ids("Lashkar-e-Jhangvi claimed") == [
        ("perpetrator", "lej", "Lashkar-e-Jhangvi"),
        ("attribution", "attribution", "claimed"),
    ]
    assert ids("the Shi’ite quarter") == [("group", "shia", "Shi’ite")]  # curly apostrophe


def test_urdu_terms_match_whatever_yeh_and_heh_the_writer_used() -> None:
    assert ids("کوئٹہ میں شیعہ زائرین") == [("group", "shia", "شیعہ")]
    assert ids("کوئٹہ میں شيعه زائرین") == [("group", "shia", "شيعه")]
    assert ids("کوئٹہ میں شيعة زائرین") == [("group", "shia", "شيعة")]  # teh marbuta
    assert ids("اہلِ تشیع پر حملہ") == [("group", "shia", "اہلِ تشیع")]  # with a zer
    assert ids("لشكر جهنگوي نے ذمہ داری قبول کی") == [
        ("perpetrator", "lej", "لشكر جهنگوي"),
        ("attribution", "attribution", "ذمہ داری"),
    ]
    assert ids("شیعہ‌ها") == []  # a Persian plural joined by ZWNJ is one other word


def test_acronyms_match_case_sensitively() -> None:
    assert ids("This is where IS claimed it") == [
        ("perpetrator", "is", "IS"),
        ("attribution", "attribution", "claimed"),
    ]
    assert ids("It is what it is. Is it?") == []
    assert ids("IS-K and ISIS") == [("perpetrator", "is", "IS"), ("perpetrator", "is", "IS-K")]
    assert ids("lej or LEJ") == []
    assert ids("LeJ") == [("perpetrator", "lej", "LeJ")]
    assert lexicon().may_match("IS struck")
    assert not lexicon().may_match("it is struck")


def test_supporting_words_alone_do_not_make_a_text_worth_reading() -> None:
    # attribution words and negatives matter only beside a name: skipped before tokenising
    assert not lexicon().may_match("Someone claimed a blast in Hazara Division")
    assert lexicon().find("Someone claimed a blast in Hazara Division") == []


def test_a_non_ascii_text_is_prefiltered_by_its_normalised_words() -> None:
    assert lexicon().may_match("Attack on Shia mourners in Kārachi")
    assert lexicon().may_match("حملہ شيعه")
    assert not lexicon().may_match("حملہ کوئٹہ")
    assert not lexicon().may_match("shia_killings")  # "_" joins words into one
    assert ids("shia_killings") == []
