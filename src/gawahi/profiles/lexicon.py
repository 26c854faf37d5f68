"""Finding pack terms in text of any script, as whole words.

Text is cut into word tokens (letters and digits of any script, with the Arabic marks
and zero-width joiners that live inside words), and each token is normalised the way
place names are (geo.names.normalise: case, Latin accents, the Arabic-script letters
Urdu, Persian and Pashto writers interchange). A term is a sequence of such tokens, so
matching is word-bounded by construction: "shia" never matches inside "Kashiabad", and
"Lashkar-e-Jhangvi" equals "Lashkar e Jhangvi". Acronyms ("LeJ", "IS") match the token's
case exactly, so the English verb "is" is never the Islamic State.

Each token keeps its character span in the original text, so a match reports the words
as the source wrote them, and the sentence it is in (for attribution: "claimed").
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from gawahi.geo.names import normalise

# Letters/digits plus the marks that sit inside words (Latin combining accents, Arabic
# harakat, superscript alef, Quranic marks, tatweel, ZWNJ/ZWJ).
_WORD = re.compile(r"[\w\u0300-\u036f\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d]+")
# Sentence ends: Latin and Urdu full stops (۔), question marks, semicolons (UCDP joins
# headlines with ";") and line breaks.
_SENTENCE_END = re.compile(r"[.!?;\n\u06d4\u061f]")


class Tokens:
    """A text's word tokens as parallel lists (normalised key, word as written, sentence).

    Lists rather than one object per word: a long UCDP article list has hundreds of words
    and only a few ever match, so character spans are worked out only when asked for.
    """

    __slots__ = ("_spans", "keys", "sentences", "text", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        self.words: list[str] = []
        self.keys: list[str] = []
        self.sentences: list[int] = []
        self._spans: list[tuple[int, int]] | None = None
        for number, sentence in enumerate(_SENTENCE_END.split(text)):
            words = _WORD.findall(sentence)
            keys = [_token_key(w) for w in words]
            if "" in keys:  # a word of marks only: not a token
                words = [w for w, k in zip(words, keys, strict=True) if k]
                keys = [k for k in keys if k]
            self.words += words
            self.keys += keys
            self.sentences += [number] * len(keys)

    def __len__(self) -> int:
        return len(self.keys)

    def span(self, first: int, last: int) -> str:
        """The source's own characters from token ``first`` to token ``last``."""
        if self._spans is None:
            self._spans = [m.span() for m in _WORD.finditer(self.text) if _token_key(m.group())]
        return self.text[self._spans[first][0] : self._spans[last][1]]


@dataclass(frozen=True, slots=True)
class Entry:
    """One pack term: what it stands for (kind and id) and its normalised words."""

    kind: str  # group | cue | negative | perpetrator | weak | attribution
    id: str
    words: tuple[str, ...]
    cased: bool = False
    # word positions k after which the term itself has a full stop ("St. John's",
    # "T.T.P."): the text may "end a sentence" there without breaking the name
    breaks: frozenset[int] = frozenset()


class Match(NamedTuple):
    entry: Entry
    first: int  # token index
    last: int  # token index, inclusive
    sentence: int
    tokens: Tokens

    @property
    def text(self) -> str:
        """The words as the source wrote them (worked out only when asked)."""
        return self.tokens.span(self.first, self.last)

    def overlaps(self, other: Match) -> bool:
        return self.first <= other.last and other.first <= self.last


@lru_cache(maxsize=8192)
def normalise_term(text: str) -> str:
    """A pack term's key: the same normalisation as text tokens, words joined by spaces."""
    return " ".join(_token_key(word) for word in _WORD.findall(text) if _token_key(word))


@lru_cache(maxsize=262144)
def _token_key(word: str) -> str:
    return normalise(word).replace(" ", "")


@lru_cache(maxsize=65536)
def _cased(word: str) -> str:
    return unicodedata.normalize("NFKC", word)


def tokenise(text: str) -> Tokens:
    """The word tokens of ``text`` with their sentence numbers."""
    return Tokens(text)


class Lexicon:
    """Pack terms indexed by their first word, for one pass over a text's tokens."""

    # Kinds that matter only beside another match (attribution words such as "killed",
    # negative contexts): a text without any other entry's first word is skipped
    # before the costlier tokenising, which is what keeps tagging fast.
    SUPPORTING = frozenset({"attribution", "negative"})

    def __init__(self) -> None:
        # first word -> (one-word entries, {second word: longer entries})
        self._plain: dict[str, tuple[list[Entry], dict[str, list[Entry]]]] = {}
        self._cased: dict[str, list[Entry]] = defaultdict(list)
        self._triggers: set[str] = set()
        self._cased_triggers: set[str] = set()

    def add(self, kind: str, entry_id: str, text: str, cased: bool = False) -> None:
        plain = tuple(normalise_term(text).split())
        words = tuple(_WORD.findall(_cased(text))) if cased else plain
        if words:
            entry = Entry(kind, entry_id, words, cased, _breaks(text))
            if cased:
                self._cased[words[0]].append(entry)
            else:
                single, longer = self._plain.setdefault(words[0], ([], {}))
                if len(words) == 1:
                    single.append(entry)
                else:
                    longer.setdefault(words[1], []).append(entry)
            if kind not in self.SUPPORTING:
                (self._cased_triggers if cased else self._triggers).add(words[0])

    def add_all(self, kind: str, entry_id: str, texts: Iterable[str], cased: bool = False) -> None:
        for text in texts:
            self.add(kind, entry_id, text, cased)

    def find(self, text: str, tokens: Tokens | None = None) -> list[Match]:
        """Every entry found in ``text`` (overlapping matches included)."""
        if tokens is None:
            if not self.may_match(text):
                return []
            tokens = tokenise(text)
        matches = []
        plain, cased, keys = self._plain, self._cased, tokens.keys
        for i, key in enumerate(keys):
            if key in plain:
                single, longer = plain[key]
                matches += [_match(tokens, e, i) for e in single]
                if longer and i + 1 < len(keys) and keys[i + 1] in longer:
                    found = longer[keys[i + 1]]
                    matches += [_match(tokens, e, i) for e in found if _follows(tokens, i, e)]
        if cased:
            for i, word in enumerate(tokens.words):
                if word in cased:
                    matches += [_match(tokens, e, i) for e in cased[word] if _follows(tokens, i, e)]
        return matches

    def may_match(self, text: str) -> bool:
        """False when no word of ``text`` can start a (non-supporting) entry.

        Most texts name no group at all, so this runs on every field and stays in C
        for ASCII text, where a token's key is just its lower case without "_".
        """
        words = _WORD.findall(text)
        if not self._cased_triggers.isdisjoint(words):
            return True
        if text.isascii() and "_" not in text:
            return not self._triggers.isdisjoint(_WORD.findall(text.lower()))
        return any(_token_key(w) in self._triggers for w in words)


def _follows(tokens: Tokens, i: int, entry: Entry) -> bool:
    n = len(entry.words)
    if n == 1:
        return True
    last = i + n - 1
    if last >= len(tokens.keys):
        return False
    if tokens.sentences[last] != tokens.sentences[i] and not _bridged(tokens, i, entry):
        return False  # a name never runs across "Pakistan;Taliban"
    found = tokens.words[i : last + 1] if entry.cased else tokens.keys[i : last + 1]
    return tuple(found) == entry.words


def _match(tokens: Tokens, entry: Entry, i: int) -> Match:
    last = i + len(entry.words) - 1
    return Match(entry, i, last, tokens.sentences[i], tokens)


def _breaks(text: str) -> frozenset[int]:
    """Positions after which a term's own punctuation would end a sentence."""
    breaks, count = set(), 0
    for part in _SENTENCE_END.split(text)[:-1]:
        count += len([w for w in _WORD.findall(part) if _token_key(w)])
        if count:
            breaks.add(count - 1)
    return frozenset(breaks)


def _bridged(tokens: Tokens, i: int, entry: Entry) -> bool:
    """Every sentence change inside the match sits where the term has its own full stop."""
    sentences = tokens.sentences
    return all(
        k in entry.breaks
        for k in range(len(entry.words) - 1)
        if sentences[i + k + 1] != sentences[i + k]
    )
