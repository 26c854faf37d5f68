"""The Incident record: one source record, normalised, with its raw row kept beside it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum
from typing import Any

import orjson


class DatePrecision(StrEnum):
    """How exactly a source knows *when* (``date_start``..``date_end`` spans the doubt)."""

    DAY = "day"
    DAYS = "days"  # a span of 2-6 days (UCDP date_prec 2)
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


class LocationPrecision(StrEnum):
    """How exactly a source knows *where* the coordinates point."""

    EXACT = "exact"  # the named town, village or site
    NEAR = "near"  # within about 25 km of the point
    ADMIN2 = "admin2"  # somewhere in the district; point is its centroid
    ADMIN1 = "admin1"  # somewhere in the province; point is its centroid
    REGION = "region"  # a part of the country larger than a province, or a road or border
    COUNTRY = "country"
    UNKNOWN = "unknown"


class ActorRole(StrEnum):
    PERPETRATOR = "perpetrator"
    TARGET = "target"
    ASSOCIATED = "associated"


@dataclass(slots=True)
class Actor:
    """An actor as the source names it; canonical perpetrators come later (profiles/)."""

    name: str
    role: ActorRole
    source_actor_id: str | None = None


@dataclass(slots=True)
class Citation:
    """A report the source record cites (a news article, an NGO report ...)."""

    publisher: str | None = None
    date: str | None = None
    headline: str | None = None
    url: str | None = None
    text: str | None = None


@dataclass(slots=True)
class Incident:
    """One source record after normalisation. ``raw`` is the row exactly as read."""

    source: str
    source_id: str
    raw: dict[str, Any]
    date_start: date | None = None
    date_end: date | None = None
    date_precision: DatePrecision = DatePrecision.UNKNOWN
    date_text: str | None = None
    country_iso3: str | None = None
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    place: str | None = None
    # The source's own words on where it happened ("Pasni, Gwadar", "a house in
    # Sheikhupura district"): geocoding checks its district against them.
    location_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    location_precision: LocationPrecision = LocationPrecision.UNKNOWN
    source_location_precision: str | None = None
    violence_type: str | None = None
    event_type: str | None = None
    description: str | None = None
    deaths_best: int | None = None
    deaths_low: int | None = None
    deaths_high: int | None = None
    deaths_civilians: int | None = None
    injured: int | None = None
    actors: list[Actor] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)

    def limit_problems(self) -> list[tuple[str, str, str]]:
        """(field, value, reason) for values the store cannot hold as they are.

        PostgreSQL is the strict one: 32-bit integers, no NUL in text, bounded key sizes.
        Checking here makes both backends accept and refuse the same rows, by line.
        """
        found = [
            (name, value, f"longer than {limit} characters")
            for name, limit in _LENGTH_LIMITS
            if (value := getattr(self, name)) is not None and len(value) > limit
        ]
        if self.country_iso3 is not None and not _ISO3.fullmatch(self.country_iso3):
            found.append(("country_iso3", self.country_iso3, "not an ISO 3166 alpha-3 code"))
        found += [
            (name, str(value), "too large to store (above 2,147,483,647)")
            for name in _COUNTS
            if (value := getattr(self, name)) is not None and value > _MAX_INT
        ]
        found += [
            (name, value.replace("\x00", "\\0"), "contains a NUL character")
            for name in _SCALAR_FIELDS
            if isinstance(value := getattr(self, name), str) and "\x00" in value
        ]
        return found + self._actor_problems()

    def _actor_problems(self) -> list[tuple[str, str, str]]:
        found = []
        for actor in self.actors:
            if len(actor.name) > _MAX_ACTOR or "\x00" in actor.name:
                found.append(
                    (
                        "actor",
                        actor.name[:60],
                        "actor names hold at most 1,000 characters and no NUL",
                    )
                )
            if actor.source_actor_id is not None and len(actor.source_actor_id) > 40:
                found.append(("actor id", actor.source_actor_id, "longer than 40 characters"))
        for cited in self.citations:
            texts = (cited.publisher, cited.date, cited.headline, cited.url, cited.text)
            if any(text and "\x00" in text for text in texts):
                found.append(("citation", cited.headline or "", "contains a NUL character"))
        return found

    @property
    def uid(self) -> str:
        """Stable identity across releases: the source's name and its own id."""
        return f"{self.source}:{self.source_id}"

    def content_hash(self, raw_json: bytes | None = None) -> str:
        """Hash of everything we keep, so a re-import can tell changed from unchanged.

        ``raw_json`` is the raw row already serialised for storage (saves a second pass).
        """
        raw = raw_json if raw_json is not None else orjson.dumps(self.raw, default=str)
        digest = hashlib.blake2b(raw, digest_size=16)
        digest.update(orjson.dumps(self.normalised(), default=str))
        return digest.hexdigest()

    def normalised(self) -> list[Any]:
        """Every field but the raw row, as plain values in a fixed order."""
        values: list[Any] = [getattr(self, name) for name in _SCALAR_FIELDS]
        values.append([(a.name, str(a.role), a.source_actor_id) for a in self.actors])
        values.append([(c.publisher, c.date, c.headline, c.url, c.text) for c in self.citations])
        return values


_LENGTH_LIMITS = (("source_id", 80), ("source_location_precision", 20))
_ISO3 = re.compile(r"[A-Z]{3}")
_COUNTS = ("deaths_best", "deaths_low", "deaths_high", "deaths_civilians", "injured")
_MAX_INT = 2**31 - 1
_MAX_ACTOR = 1000
_SCALAR_FIELDS = tuple(
    f.name for f in fields(Incident) if f.name not in ("raw", "actors", "citations")
)
