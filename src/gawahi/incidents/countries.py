"""Country names as sources write them ("DR Congo (Zaire)", پاکستان) to ISO 3166 alpha-3."""

from __future__ import annotations

from functools import lru_cache

import countrynames


@lru_cache(maxsize=4096)
def iso3(name: str | None) -> str | None:
    """The ISO3 code for a country name, or None when the name is not recognised.

    UCDP writes former names in brackets ("Russia (Soviet Union)"); the current
    name before the bracket is tried when the whole name is unknown.
    """
    if not name or not name.strip():
        return None
    code = _lookup(name.strip())
    if code is None and "(" in name:
        code = _lookup(name.split("(", 1)[0].strip())
    return code


def _lookup(name: str) -> str | None:
    # countrynames knows former states by their 4-letter ISO 3166-3 codes (SUHH, YUCS)
    # and raises KeyError for a few ("East Germany (GDR)"); neither is a current ISO3.
    try:
        code = countrynames.to_code_3(name)
    except KeyError:
        return None
    return code if code is not None and len(code) == 3 else None
