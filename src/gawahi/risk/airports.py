"""Arrival airports from the ``airportsdata`` package (OurAirports-derived, MIT licence).

Which airport a returnee arrives at is a fact of the case, so ``--airport AREA=IATA``
names it; by default it is the nearest airport of the country whose name says
"International", else the nearest one with an IATA code.
"""

from __future__ import annotations

from functools import lru_cache

import airportsdata
import numpy as np
import pycountry

from gawahi.errors import ConfigError
from gawahi.risk.reach import haversine_km

CITATION = "Airport locations: airportsdata (Mike Borsetti, MIT licence), from OurAirports."


@lru_cache(maxsize=1)
def _airports() -> dict[str, dict[str, object]]:
    return airportsdata.load("IATA")  # type: ignore[no-any-return]


def airport(code: str) -> dict[str, object]:
    """The airport with this IATA code."""
    found = _airports().get(code.upper())
    if found is None:
        raise ConfigError(f"--airport: no airport with IATA code {code!r}")
    return dict(found)


def nearest_airport(country: str, lat: float, lon: float) -> dict[str, object]:
    """The nearest international airport of ``country`` (ISO3), else the nearest at all."""
    alpha2 = pycountry.countries.get(alpha_3=country)
    found = [a for a in _airports().values() if alpha2 and a["country"] == alpha2.alpha_2]
    if not found:
        raise ConfigError(f"no airport known in {country}; give --airport AREA=IATA")
    international = [a for a in found if "international" in str(a["name"]).casefold()]
    pool = international or found
    km = haversine_km(
        np.array([a["lat"] for a in pool]), np.array([a["lon"] for a in pool]), lat, lon
    )
    return dict(pool[int(np.argmin(km))])
