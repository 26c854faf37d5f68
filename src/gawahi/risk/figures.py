"""A figure of an assessment: one number of one indicator for one area, with its
interval, its unit and the incidents behind it, so ``gawahi explain`` can list them.

``INDICATORS`` names every indicator; docs/methodology.md documents each one (a test
fails when one is missing there).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

INDICATORS: dict[str, str] = {
    "profile.incidents": "incidents with victims of the profile over the period",
    "profile.deaths": "deaths in those incidents (best, low, high) over the period",
    "general.incidents": "incidents targeting civilians, whoever they were",
    "general.share": "the profile's share of the incidents targeting civilians",
    "rate.per_100k": "profile deaths per 100,000 of the group per year",
    "trend.slope": "annual rate ratio of profile incidents (Poisson or negative binomial)",
    "trend.recent": "profile incidents per year, last years against the earlier ones",
    "last.incident": "days from the last profile incident to the end of the period",
    "reach.incidents": "incidents by a perpetrator of concern in the area, any victims",
    "reach.nearest": "distance from the area's centre to that perpetrator's nearest attack",
    "route.corridor": "incidents within the corridor from the arrival airport to the area",
    "route.airport": "incidents within the radius around the arrival airport",
    "underreporting.estimate": "capture-recapture estimate of profile incidents",
}


@dataclass(slots=True)
class Figure:
    """``key`` is "<area>/<indicator>[:<qualifier>]", unique in its assessment."""

    key: str
    area: str
    indicator: str
    label: str
    value: float | int | None
    unit: str
    low: float | None = None
    high: float | None = None
    ids: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Figure:
        return cls(**data)


def figure(area: str, indicator: str, qualifier: str = "", **values: Any) -> Figure:
    """A figure of a known indicator; its key and label follow from the names."""
    if indicator not in INDICATORS:
        raise KeyError(f"undocumented indicator {indicator!r}")
    key = f"{area}/{indicator}" + (f":{qualifier}" if qualifier else "")
    label = INDICATORS[indicator] + (f" ({qualifier})" if qualifier else "")
    return Figure(key=key, area=area, indicator=indicator, label=label, **values)
