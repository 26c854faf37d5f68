"""Per-source field rules: which of a record's fields say what about victims and perpetrators.

Every source codes victims and perpetrators differently, so each gets a small reader
that turns its raw row into :class:`SourceField` values of five kinds:

* ``actor``  a coded armed actor (UCDP side_a/side_b, GTD gname, ACLED actor1/2), with
  the role the source gives it: ``perpetrator``, ``party`` (a side in fighting where the
  source does not say who attacked whom) or ``target``;
* ``code``   a coded victim group (PBC "Targeted Sect if any", ACLED associated actors);
* ``target`` words that describe who or what was attacked (GTD target/corp, PBC Location);
* ``text``   narrative (UCDP headlines and article list, GTD summary and motive, notes);
* ``place``  where it happened (UCDP where_*, GTD location/city, PBC City): only place cues
  and negative contexts are read here, since "Hazara, Swat district" names a place.

Each reader also says whether the record's target was civilian (``None``: the record
does not say), which place cues require: a clash with the army in Parachinar is not an
attack on Shia civilians.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any, NamedTuple

from gawahi.sources import acled


class FieldKind(StrEnum):
    ACTOR = "actor"
    CODE = "code"
    TARGET = "target"
    TEXT = "text"
    PLACE = "place"


class SourceField(NamedTuple):
    name: str  # the source's own field name, for provenance
    value: str
    kind: FieldKind
    role: str = "victim"  # actor: perpetrator | party | target; code: victim | context
    suspected: bool = False  # the source marks the attribution as uncertain


@dataclass(frozen=True, slots=True)
class RecordView:
    """What the tagger reads of one incident."""

    uid: str
    source: str
    fields: tuple[SourceField, ...]
    civilian_target: bool | None = None
    # False when the source says no civilian was harmed (UCDP fighting with no civilian
    # or unknown deaths): a group named in its text is not this event's victim.
    civilians_harmed: bool | None = None
    country: str | None = None


@dataclass(slots=True)
class IncidentInput:
    """The stored incident the readers start from (raw row plus normalised fields)."""

    uid: str
    source: str
    raw: dict[str, Any]
    description: str | None = None
    location_text: str | None = None
    place: str | None = None
    actors: list[tuple[str, str]] = field(default_factory=list)  # (name, role)
    headlines: list[str] = field(default_factory=list)
    country: str | None = None


class _Raw:
    """Case- and space-insensitive access to a raw row ("Women/Children  ", 'ï..eventid')."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.keys = _key_map(tuple(raw))

    def get(self, name: str) -> str | None:
        value = self.raw.get(self.keys.get(name.casefold(), name))
        text = "" if value is None else str(value).strip()
        return text if text and text.casefold() not in _NULLS else None


@lru_cache(maxsize=64)
def _key_map(keys: tuple[str, ...]) -> dict[str, str]:
    """casefolded, stripped key -> the key as the file has it (one map per header)."""
    return {str(k).strip().casefold(): k for k in keys}


_NULLS = frozenset({"na", "n/a", "none", "null", "nan", "unknown", "-"})
_UCDP_ONE_SIDED = "3"
# Target types that are armed or state security forces; every other kind is civilian.
_ARMED_TARGETS = frozenset(
    {
        "military",
        "police",
        "army",
        "rangers",
        "frontier corps",
        "anti-militants",
        "terrorists/non-state militia",
        "violent political party",
        "security forces",
    }
)


def record_view(incident: IncidentInput) -> RecordView:
    """The source's fields as the tagger reads them."""
    reader = _READERS.get(incident.source, _generic)
    fields, civilian, *harmed = reader(incident)
    kept = tuple(f for f in fields if f.value)
    return RecordView(
        incident.uid,
        incident.source,
        kept,
        civilian,
        harmed[0] if harmed else None,
        incident.country,
    )


def _ucdp_civilians_harmed(raw: _Raw) -> bool | None:
    if raw.get("type_of_violence") == _UCDP_ONE_SIDED:
        return True
    counts = [raw.get("deaths_civilians"), raw.get("deaths_unknown")]
    if any(c is None or not c.isdigit() for c in counts):
        return None
    return any(int(c) > 0 for c in counts)


# A reader returns the fields, whether the target was civilian, and optionally whether
# the source says civilians were harmed at all.
Reader = Callable[[IncidentInput], tuple[Any, ...]]


def _ucdp(incident: IncidentInput) -> tuple[list[SourceField], bool | None, bool | None]:
    raw = _Raw(incident.raw)
    one_sided = raw.get("type_of_violence") == _UCDP_ONE_SIDED
    fields = [
        _actor("side_a", raw.get("side_a"), "perpetrator" if one_sided else "party"),
        _actor("side_b", raw.get("side_b"), "target" if one_sided else "party"),
        *_texts(raw, FieldKind.TEXT, "source_headline", "source_article"),
        *_texts(raw, FieldKind.PLACE, "where_coordinates", "where_description"),
    ]
    return [f for f in fields if f is not None], one_sided, _ucdp_civilians_harmed(raw)


def _gtd(incident: IncidentInput) -> tuple[list[SourceField], bool | None]:
    raw = _Raw(incident.raw)
    fields: list[SourceField] = []
    for n, suffix in ((1, ""), (2, "2"), (3, "3")):
        suspected = raw.get(f"guncertain{n}") == "1"
        for name in (f"gname{suffix}", f"gsubname{suffix}"):
            value = raw.get(name)
            if value:
                fields.append(SourceField(name, value, FieldKind.ACTOR, "perpetrator", suspected))
        fields += _texts(raw, FieldKind.TARGET, f"targsubtype{n}_txt", f"target{n}", f"corp{n}")
    fields += _texts(raw, FieldKind.TEXT, "summary", "motive", "addnotes")
    fields += _texts(raw, FieldKind.PLACE, "location", "city")
    types = [raw.get(f"targtype{n}_txt") for n in (1, 2, 3)]
    return fields, _civilian([t for t in types if t])


def _pbc_suicide(incident: IncidentInput) -> tuple[list[SourceField], bool | None]:
    raw = _Raw(incident.raw)
    fields = [
        *_texts(raw, FieldKind.CODE, "Targeted Sect if any"),
        *_texts(raw, FieldKind.TARGET, "Location", "Target Type"),
        *_texts(raw, FieldKind.TEXT, "Influencing Event/Event"),
        *_texts(raw, FieldKind.PLACE, "City"),
    ]
    target = raw.get("Target Type")
    return fields, _civilian(target.replace("&", "/").split("/") if target else [])


def _pbc_drone(incident: IncidentInput) -> tuple[list[SourceField], bool | None]:
    raw = _Raw(incident.raw)
    fields = [
        *_texts(raw, FieldKind.TEXT, "Special Mention (Site)", "Comments"),
        *_texts(raw, FieldKind.PLACE, "Location", "City"),
    ]
    return fields, False  # strikes aimed at militants, whoever else died


def _acled(incident: IncidentInput) -> tuple[list[SourceField], bool | None]:
    raw = _Raw(incident.raw)
    one_sided = acled.one_sided(raw.get)
    fields = [
        _actor("actor1", raw.get("actor1"), "perpetrator" if one_sided else "party"),
        _actor("actor2", raw.get("actor2"), "target" if one_sided else "party"),
        *_listed(raw, "assoc_actor_1", "context"),
        *_listed(raw, "assoc_actor_2", "victim" if one_sided else "context"),
        *_texts(raw, FieldKind.TEXT, "notes"),
        *_texts(raw, FieldKind.PLACE, "location", "admin3"),
    ]
    return [f for f in fields if f is not None], one_sided


def _generic(incident: IncidentInput) -> tuple[list[SourceField], bool | None]:
    """Mapped and other sources: the normalised fields and the mapped actors."""
    fields = [SourceField("description", incident.description or "", FieldKind.TEXT)]
    fields += [SourceField("citation", h, FieldKind.TEXT) for h in incident.headlines]
    for name, role in incident.actors:
        if role == "target":
            fields.append(SourceField("actor:target", name, FieldKind.TARGET))
        else:
            actor_role = "perpetrator" if role == "perpetrator" else "party"
            fields.append(SourceField(f"actor:{role}", name, FieldKind.ACTOR, actor_role))
    fields.append(SourceField("location_text", incident.location_text or "", FieldKind.PLACE))
    fields.append(SourceField("place", incident.place or "", FieldKind.PLACE))
    has_target = any(role == "target" for _, role in incident.actors)
    return fields, True if has_target else None


def _actor(name: str, value: str | None, role: str) -> SourceField | None:
    return SourceField(name, value, FieldKind.ACTOR, role) if value else None


def _texts(raw: _Raw, kind: FieldKind, *names: str) -> Iterator[SourceField]:
    for name in names:
        value = raw.get(name)
        if value:
            yield SourceField(name, value, kind)


def _listed(raw: _Raw, name: str, role: str) -> Iterator[SourceField]:
    """ACLED's "; "-separated associated actors: each a coded group (or armed actor)."""
    for part in (raw.get(name) or "").split(";"):
        if part.strip():
            yield SourceField(name, part.strip(), FieldKind.CODE, role)
            yield SourceField(name, part.strip(), FieldKind.ACTOR, "party")


def _civilian(target_types: list[str]) -> bool | None:
    """Civilian unless every named target type is armed; None when none is named."""
    named = [t.strip().casefold() for t in target_types if t.strip()]
    if not named:
        return None
    return not all(t in _ARMED_TARGETS for t in named)


_READERS: dict[str, Reader] = {
    "ucdp-ged": _ucdp,
    "ucdp-api": _ucdp,
    "gtd": _gtd,
    "pbc-suicide": _pbc_suicide,
    "pbc-drone": _pbc_drone,
    "acled": _acled,
}


def readers() -> dict[str, str]:
    """Source name -> reader, for the docs and ``gawahi profiles``."""
    return {source: reader.__name__.lstrip("_") for source, reader in _READERS.items()}
