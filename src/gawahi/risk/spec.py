"""What an assessment is asked: the profile, the home area, the relocation areas, the
period, the perpetrators of concern and the route settings. Stored with every result."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from gawahi.errors import ConfigError

CORRIDOR_KM = 10.0
AIRPORT_KM = 5.0
RECENT_YEARS = 3


@dataclass(frozen=True, slots=True)
class AssessmentSpec:
    """``profile``: victim tags, all required (shia + hazara); ``factors``: personal
    factors as further victim tags (activist), counted as a narrower profile; empty
    ``areas``: the country's largest cities; empty ``perpetrators``: those tagged as
    perpetrators of profile incidents in the home area; ``airports``: area -> IATA."""

    country: str
    profile: tuple[str, ...]
    home: str
    start: date
    end: date
    areas: tuple[str, ...] = ()
    factors: tuple[str, ...] = ()
    perpetrators: tuple[str, ...] = ()
    airports: dict[str, str] = field(default_factory=dict)
    corridor_km: float = CORRIDOR_KM
    airport_km: float = AIRPORT_KM
    recent_years: int = RECENT_YEARS
    min_confidence: float = 0.0

    def __post_init__(self) -> None:
        if not self.profile:
            raise ConfigError("--profile needs at least one victim tag")
        if self.start > self.end:
            raise ConfigError("--from is after --to")
        # Rates and trends are per calendar year: a part year would count as a whole one.
        if (self.start.month, self.start.day, self.end.month, self.end.day) != (1, 1, 12, 31):
            raise ConfigError(
                f"the period {self.start}..{self.end} is not whole calendar years: "
                "start on 1 January and end on 31 December"
            )
        if self.corridor_km <= 0 or self.airport_km <= 0:
            raise ConfigError("--corridor-km and --airport-km must be greater than 0")
        if self.recent_years < 1:
            raise ConfigError("--recent must be 1 or more")

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AssessmentSpec:
        values = dict(data)
        for name in ("profile", "areas", "factors", "perpetrators"):
            values[name] = tuple(values.get(name) or ())
        values["start"] = date.fromisoformat(values["start"])
        values["end"] = date.fromisoformat(values["end"])
        return cls(**values)
