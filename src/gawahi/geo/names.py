"""Place-name normalisation that works across scripts.

Sources spell one place many ways: "D.I. Khan", "d.i khan", "Dera Ismail Khan";
"Baluchistan" and "Balochistan"; کوئٹہ typed with an Arabic yeh or kaf instead of the
Urdu letters. Comparison happens on a normalised key:

* Unicode NFKC, then case folding.
* Latin letters lose their diacritics (Kārachi = karachi); other scripts keep theirs
  apart from the Arabic ones below, since in Devanagari or Cyrillic they carry meaning.
* Arabic-script letters that Urdu, Persian and Pashto writers interchange are unified
  (Arabic yeh/alef maksura/Farsi yeh; kaf/keheh; heh goal/heh doachashmee/teh marbuta
  ending) and harakat, tatweel and zero-width joiners disappear.
* Punctuation becomes a space; runs of spaces collapse.

``compact()`` also drops spaces, so "DI Khan" and "D I Khan" meet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_ARABIC_FOLD = str.maketrans(
    {
        "ي": "ی",  # Arabic yeh -> Farsi yeh
        "ى": "ی",  # alef maksura
        "ې": "ی",  # Pashto yeh variants
        "ۍ": "ی",
        "ئ": "ی",  # hamza seat; Urdu writers drop or keep it (کوئٹہ / کویٹہ)
        "ك": "ک",  # Arabic kaf -> keheh
        "ە": "ه",
        "ہ": "ه",  # heh goal
        "ھ": "ه",  # heh doachashmee
        "ة": "ه",  # teh marbuta
        "ۀ": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ۓ": "ے",
    }
)
# Harakat, Quranic marks, tatweel, zero-width (non-)joiners and marks.
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d\u200e\u200f]")
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """The comparison key of a name: case-, diacritic- and punctuation-insensitive."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _ARABIC_MARKS.sub("", folded.translate(_ARABIC_FOLD))
    folded = "".join(_strip_latin_marks(ch) for ch in folded)
    return " ".join(_PUNCT.sub(" ", folded).split())


def compact(key: str) -> str:
    """A normalised key without spaces: "d i khan" and "di khan" are one name."""
    return key.replace(" ", "")


def strip_designators(key: str, designators: Iterable[str]) -> str:
    """The key without generic words such as "district" or "agency" at either end.

    Only leading and trailing designators go: "tehsil kotri" -> "kotri",
    "kurram agency" -> "kurram", "district court road" -> "court road"; a designator
    between other words stays ("dera district road"), and a name that is nothing but
    designators is kept whole.
    """
    words = key.split()
    phrases = sorted((d.split() for d in designators), key=len, reverse=True)
    changed = True
    while changed and words:
        changed = False
        for phrase in phrases:
            n = len(phrase)
            if len(words) > n and words[-n:] == phrase:
                words, changed = words[:-n], True
            elif len(words) > n and words[:n] == phrase:
                words, changed = words[n:], True
    return " ".join(words)


def _strip_latin_marks(ch: str) -> str:
    if ch.isascii() or not ch.isalpha():
        return ch
    decomposed = unicodedata.normalize("NFD", ch)
    base = decomposed[0]
    if base.isascii():
        return base
    return ch
