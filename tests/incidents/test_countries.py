"""Country names as sources write them, to ISO3."""

from __future__ import annotations

import pytest

from gawahi.incidents.countries import iso3


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Pakistan", "PAK"),
        ("پاکستان", "PAK"),
        ("Russia (Soviet Union)", "RUS"),
        ("DR Congo (Zaire)", "COD"),
        ("Soviet Union", None),
        ("East Germany (GDR)", None),
        ("Zaire", None),
        ("", None),
        (None, None),
        ("Testville", None),
    ],
)
def test_country_names_to_iso3(name: str | None, code: str | None) -> None:
    assert iso3(name) == code
