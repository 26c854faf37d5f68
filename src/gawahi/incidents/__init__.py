"""The incident record shared by every importer, the store and the analysis."""

from gawahi.incidents.dates import DateSpan, parse_free_date
from gawahi.incidents.record import (
    Actor,
    ActorRole,
    Citation,
    DatePrecision,
    Incident,
    LocationPrecision,
)

__all__ = [
    "Actor",
    "ActorRole",
    "Citation",
    "DatePrecision",
    "DateSpan",
    "Incident",
    "LocationPrecision",
    "parse_free_date",
]
