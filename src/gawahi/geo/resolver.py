"""Deciding the province and district of an incident, or saying why not.

Evidence, strongest first:

1. a manual decision for the incident, or for the name in its province;
2. the names the source codes itself (province, district, tehsil), matched in the
   record's country and within the province it names;
3. the place name, as a unit's name or a gazetteer place whose district is known;
4. the coordinates, when their precision is a district or finer: the imported polygon
   containing them or, without polygons, the nearest gazetteer place within the
   precision's radius.

Names and coordinates are compared. When they disagree by more than the tolerance of
the record's precision, a district named by the source's own coded field is kept with
lower confidence and the disagreement stated; a district inferred from a place name is
not kept: the record stays unresolved with both candidates. Nothing is guessed: a name
that fits several districts equally, or none, leaves the district empty with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import shapely

from gawahi.geo.boundaries import BoundaryIndex
from gawahi.geo.gazetteer import Gazetteer, Place
from gawahi.geo.names import normalise
from gawahi.geo.units import NameMatch, UnitIndex

# Coordinates of this precision can place a record in a district; cruder ones cannot.
POINT_PRECISIONS = frozenset({"exact", "near", "admin2"})
# How far (km) a point may fall outside the named district and still agree with it:
# polygons are simplified (towns such as Bara and Hangu fall a few km into the
# neighbouring district) and "near" means within about 25 km.
TOLERANCE_KM = {"exact": 10.0, "near": 25.0, "admin2": 10.0}
# Radius for the nearest gazetteer place when no polygons were imported.
NEAREST_KM = {"exact": 5.0, "near": 25.0}
KM_PER_DEGREE = 111.32
# A location text this short is a place phrase ("Pasni, Gawadar"), not a sentence.
SHORT_TEXT_WORDS = 6


@dataclass(frozen=True, slots=True)
class Location:
    """What a record says about where it happened."""

    uid: str
    country: str | None
    admin1: str | None
    admin2: str | None
    admin3: str | None
    place: str | None
    latitude: float | None
    longitude: float | None
    precision: str
    day: date | None
    location_text: str | None = None


@dataclass(slots=True)
class Resolution:
    """Where a record is, in today's units, and how that was decided."""

    admin1_id: str | None = None
    admin2_id: str | None = None
    unit_id: str | None = None
    place_id: int | None = None
    method: list[str] = field(default_factory=list)
    confidence: float = 0.0
    reasons: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.admin2_id:
            return "resolved"
        return "partial" if self.admin1_id else "unresolved"


@dataclass(frozen=True, slots=True)
class _Named:
    """A unit found from a name, with where the name came from."""

    unit_id: str
    field: str  # admin2 | admin3 | place | gazetteer | manual | elsewhere
    confidence: float


class Resolver:
    """Resolves locations against units, boundaries, the gazetteer and decisions."""

    def __init__(
        self,
        units: UnitIndex,
        boundaries: dict[tuple[str, int], BoundaryIndex],
        gazetteer: Gazetteer,
        name_decisions: dict[tuple[str, str, str | None], str],
        incident_decisions: dict[str, str],
    ):
        self.units = units
        self.boundaries = boundaries
        self.gazetteer = gazetteer
        self.name_decisions = name_decisions
        self.incident_decisions = incident_decisions
        self._place_units: dict[int, str | None] = {}
        self._place_trees: dict[str, tuple[list[Place], shapely.STRtree]] = {}
        self._text_cache: dict[tuple[str, str], tuple[set[str], list[str]]] = {}
        self._scene_cache: dict[tuple[str, str, str], tuple[set[str], list[str]]] = {}
        self._name_cache: dict[
            tuple[str | None, ...], tuple[str | None, _Named | None, Resolution]
        ] = {}

    # --- batch entry ---------------------------------------------------------------

    def resolve_many(self, locations: list[Location]) -> list[Resolution]:
        """Resolve a batch; polygon lookups for all its points happen at once."""
        points = self._locate_points(locations)
        return [self.resolve(loc, points.get(i, (None, None))) for i, loc in enumerate(locations)]

    def _locate_points(self, locations: list[Location]) -> dict[int, tuple[str | None, str | None]]:
        found: dict[int, tuple[str | None, str | None]] = {}
        by_country: dict[str, list[int]] = {}
        for i, loc in enumerate(locations):
            if loc.country and loc.latitude is not None and loc.longitude is not None:
                by_country.setdefault(loc.country, []).append(i)
        for country, indexes in by_country.items():
            lons = np.array([locations[i].longitude for i in indexes], dtype=float)
            lats = np.array([locations[i].latitude for i in indexes], dtype=float)
            level1: list[str | None] = [None] * len(indexes)  # looked up when needed
            level2 = self._locate(country, 2, lons, lats)
            for j, i in enumerate(indexes):
                found[i] = (level1[j], level2[j])
        return found

    def _locate(
        self, country: str, level: int, lons: np.ndarray, lats: np.ndarray
    ) -> list[str | None]:
        index = self.boundaries.get((country, level))
        return index.locate(lons, lats) if index else [None] * len(lons)

    # --- one record ----------------------------------------------------------------

    def resolve(
        self, loc: Location, point_units: tuple[str | None, str | None] = (None, None)
    ) -> Resolution:
        """Resolve one record; ``point_units`` are the polygons its point falls in."""
        result = Resolution()
        if loc.uid in self.incident_decisions:
            return self._manual(result, self.incident_decisions[loc.uid])
        if not self.units.has_country(loc.country):
            result.reasons.append(f"no administrative units for country {loc.country or '(none)'}")
            return result
        country: str = loc.country  # type: ignore[assignment]
        a1, named = self._names(country, loc, result)
        pointed = self._pointed(country, loc, a1, point_units[1], result)
        chosen = self._reconcile(country, loc, named, pointed, a1, result)
        if loc.location_text:
            chosen = self._check_text(country, loc.location_text, a1, chosen, result)
        # The point's province matters only when nothing else gives one.
        point_a1 = None if chosen or a1 else self._point_province(country, loc, point_units)
        self._settle(result, a1, chosen, point_a1)
        return result

    def _names(
        self, country: str, loc: Location, result: Resolution
    ) -> tuple[str | None, _Named | None]:
        """What the record's names say, computed once per distinct set of names."""
        key = (country, loc.admin1, loc.admin2, loc.admin3, loc.place)
        if key not in self._name_cache:
            if len(self._name_cache) > 200_000:
                self._name_cache.clear()
            scratch = Resolution()
            a1 = self._admin1(country, loc, scratch)
            named = self._named_unit(country, loc, a1, scratch)
            self._name_cache[key] = (a1, named, scratch)
        a1, named, scratch = self._name_cache[key]
        result.method += scratch.method
        result.reasons += scratch.reasons
        result.candidates += scratch.candidates
        result.place_id = scratch.place_id
        return a1, named

    def _point_province(
        self, country: str, loc: Location, point_units: tuple[str | None, str | None]
    ) -> str | None:
        """The province a point of admin1 precision or finer lies in (None otherwise)."""
        if loc.latitude is None or loc.longitude is None:
            return None
        if loc.precision not in POINT_PRECISIONS | {"admin1"}:
            return None
        if point_units[0]:
            return point_units[0]
        index = self.boundaries.get((country, 1))
        if index is None:
            return self.units.admin1(point_units[1]) if point_units[1] else None
        lon, lat = np.array([loc.longitude]), np.array([loc.latitude])
        return index.locate(lon, lat)[0]

    def _manual(self, result: Resolution, unit_id: str) -> Resolution:
        self._assign(result, unit_id)
        result.method.append("manual")
        result.confidence = 1.0
        return result

    def _admin1(self, country: str, loc: Location, result: Resolution) -> str | None:
        if not loc.admin1:
            return None
        decided = self.name_decisions.get((country, self._norm(loc.admin1), None))
        if decided:
            result.method.append("manual:admin1")
            return decided
        found = self.units.match(country, loc.admin1, level=1)
        if found.unique and found.method != "none":
            result.method.append(f"admin1:{found.method}")
            return found.unique
        self._explain(result, "province", loc.admin1, found)
        return None

    def _named_unit(
        self, country: str, loc: Location, a1: str | None, result: Resolution
    ) -> _Named | None:
        for fieldname, text, levels in (
            ("admin2", loc.admin2, (2, 3)),
            ("admin3", loc.admin3, (3, 2)),
            ("place", loc.place, (2, 3)),
        ):
            if not text:
                continue
            # Decisions are kept under today's province (FATA's are under Khyber Pakhtunkhwa).
            today = self.units.admin1(a1) if a1 else None
            decided = self.name_decisions.get(
                (country, self._norm(text), today)
            ) or self.name_decisions.get((country, self._norm(text), None))
            if decided:
                return _Named(decided, "manual", 1.0)
            named = self._unit_by_name(country, text, levels, a1, fieldname, result)
            if named:
                return named
        if loc.place:
            found = self._gazetteer_unit(country, loc, a1, result)
            if found:
                return found
        return self._named_elsewhere(country, loc, a1)

    def _named_elsewhere(self, country: str, loc: Location, a1: str | None) -> _Named | None:
        """A district the source names outside the province it gives ("D.G Khan", KPK).

        Only a hint: it counts when the point lies in that district (see _reconcile).
        """
        if a1 is None:
            return None
        for text in (loc.admin2, loc.admin3, loc.place):
            found = self.units.match(country, text, level=2) if text else None
            if found and found.unique and found.method in ("exact", "designator"):
                return _Named(found.unique, "elsewhere", 0.7)
        return None

    def _unit_by_name(
        self,
        country: str,
        text: str,
        levels: tuple[int, ...],
        a1: str | None,
        fieldname: str,
        result: Resolution,
    ) -> _Named | None:
        for level in levels:
            found = self.units.match(country, text, level=level, within=a1)
            if fieldname == "place" and found.method == "fuzzy":
                continue  # town names are too alike ("Jandol", "Jandola") to guess at
            if found.unique and found.method != "none":
                return _Named(found.unique, fieldname, found.score)
            if len(found.units) > 1 and found.method != "none":
                self._explain(result, fieldname, text, found)
                return None
        if fieldname != "place":
            self._explain(
                result, fieldname, text, self.units.match(country, text, level=levels[0], within=a1)
            )
        return None

    def _gazetteer_unit(
        self, country: str, loc: Location, a1: str | None, result: Resolution
    ) -> _Named | None:
        places = self._places_within(country, loc.place or "", a1)
        districts = {self.place_unit(p) for p in places}
        if not places:
            if not result.candidates:  # else the place was already named as ambiguous
                result.reasons.append(f"place {loc.place!r} is neither a unit nor in the gazetteer")
            return None
        if len(districts) == 1 and None not in districts:
            result.place_id = places[0].id
            return _Named(districts.pop(), "gazetteer", 0.85)  # type: ignore[arg-type]
        if None in districts and len(districts) == 1:
            result.place_id = places[0].id
            result.reasons.append(
                f"place {loc.place!r} is in the gazetteer but its district is unknown"
            )
        else:
            options = sorted(d for d in districts if d)
            result.candidates += options
            result.reasons.append(
                f"place {loc.place!r} is in several districts: {', '.join(options)}"
            )
        return None

    def _places_within(self, country: str, name: str, a1: str | None) -> list[Place]:
        places = self.gazetteer.named(country, name)
        by_id = {p.geonameid: p for p in sorted(places, key=lambda p: p.admin2_code is None)}
        kept = list(by_id.values())
        if a1:
            kept = [p for p in kept if self._place_admin1(p) in (None, a1)]
        return kept

    def _place_admin1(self, place: Place) -> str | None:
        unit = self.place_unit(place)
        if unit:
            return self.units.admin1(unit)
        code = self.units.by_geonames(place.admin1_code) if place.admin1_code else None
        return self.units.today(code) if code else None

    def place_unit(self, place: Place) -> str | None:
        """The level-2 unit a gazetteer place lies in (GeoNames admin2 code, else polygon)."""
        if place.id not in self._place_units:
            unit = self.units.by_geonames(place.admin2_code) if place.admin2_code else None
            if unit is None:
                index = self.boundaries.get((place.country, 2))
                if index:
                    unit = index.locate(np.array([place.longitude]), np.array([place.latitude]))[0]
            self._place_units[place.id] = self.units.admin2(unit) if unit else None
        return self._place_units[place.id]

    def _pointed(
        self,
        country: str,
        loc: Location,
        a1: str | None,
        polygon_unit: str | None,
        result: Resolution,
    ) -> str | None:
        if loc.latitude is None or loc.longitude is None:
            return None
        if loc.precision not in POINT_PRECISIONS:
            result.reasons.append(f"coordinates are only of {loc.precision} precision")
            return None
        if (country, 2) in self.boundaries:
            if polygon_unit is None:
                result.reasons.append("coordinates fall outside every imported district polygon")
                return None
            district = self.units.admin2(polygon_unit)
            if district is None:
                result.reasons.append(
                    f"coordinates fall in {self.units.label(polygon_unit)}, drawn without districts"
                )
            return district
        place = self._nearest(country, loc)
        if place is None:
            return None
        result.place_id = result.place_id or place.id
        return self.place_unit(place)

    def _nearest(self, country: str, loc: Location) -> Place | None:
        radius = NEAREST_KM.get(loc.precision)
        if radius is None:
            return None
        if country not in self._place_trees:
            points = [p for p in self.gazetteer.places.values() if p.country == country]
            shapes = shapely.points([p.longitude for p in points], [p.latitude for p in points])
            self._place_trees[country] = (points, shapely.STRtree(shapes))
        points, tree = self._place_trees[country]
        if not points:
            return None
        # Degrees of longitude shrink with latitude; search wide, then measure properly.
        wide = radius / KM_PER_DEGREE / max(0.2, np.cos(np.radians(loc.latitude)))
        hit = tree.query_nearest(shapely.Point(loc.longitude, loc.latitude), max_distance=wide)
        if not len(hit):
            return None
        place = points[int(hit[0])]
        km = _km(loc.latitude, loc.longitude, place.latitude, place.longitude)  # type: ignore[arg-type]
        return place if km <= radius else None

    def _reconcile(
        self,
        country: str,
        loc: Location,
        named: _Named | None,
        pointed: str | None,
        a1: str | None,
        result: Resolution,
    ) -> _Named | None:
        if named and named.field == "elsewhere":
            if pointed and self.units.admin2(named.unit_id) == pointed:
                result.reasons.append(
                    f"the source's province {self.units.label(a1)} does not hold "
                    f"{self.units.label(pointed)}, but its place name and point both do"
                )
                return _Named(pointed, "name+point", 0.7)
            named = None
        if named and pointed:
            return self._compare(country, loc, named, pointed, a1, result)
        if named:
            return named
        if pointed and a1 and self.units.admin1(pointed) != self.units.admin1(a1):
            result.reasons.append(
                f"the point lies in {self.units.label(pointed)}, outside the source's province "
                f"{self.units.label(a1)}"
            )
            result.candidates.append(pointed)
            return None
        if pointed:
            return _Named(pointed, "point", 0.8 if loc.precision != "exact" else 0.9)
        return None

    def _compare(
        self,
        country: str,
        loc: Location,
        named: _Named,
        pointed: str,
        a1: str | None,
        result: Resolution,
    ) -> _Named | None:
        named_2 = self.units.admin2(named.unit_id)
        if named_2 is None or named_2 == pointed or self._nested(named_2, pointed):
            return self._agree(named, named_2, pointed)
        unjudged = self._polygons_cannot_judge(country, named.unit_id, named_2)
        if unjudged:
            result.reasons.append(unjudged)
            return _Named(named.unit_id, named.field, 0.8)
        distance = self._distance(country, named_2, loc)
        if distance is not None and distance <= TOLERANCE_KM.get(loc.precision, 0.0):
            result.reasons.append(
                f"the point lies {distance:.1f} km outside {self.units.label(named_2)}, "
                "within the tolerance"
            )
            return named
        where = f"{distance:.0f} km away" if distance is not None else "no polygon to measure"
        result.reasons.append(
            f"the source names {self.units.label(named_2)} but its point lies in "
            f"{self.units.label(pointed)} ({where})"
        )
        if self._name_outweighs(named, a1, named_2, pointed):
            return _Named(named.unit_id, named.field, 0.6)
        result.candidates += [named_2, pointed]
        return None

    def _agree(self, named: _Named, named_2: str | None, pointed: str) -> _Named:
        """Name and point agree; the finer of the two wins (Karachi East over Karachi)."""
        if named_2 is None or named_2 == pointed or pointed in self.units.ancestors(named_2):
            return _Named(named.unit_id, named.field + "+point", min(0.99, named.confidence + 0.05))
        return _Named(pointed, "point+" + named.field, 0.9)

    def _polygons_cannot_judge(self, country: str, unit_id: str, named_2: str) -> str:
        """Why the polygons cannot test this name, or "" when they can.

        A unit that no longer exists (a Frontier Region), or that was split off after the
        polygons were drawn (Chaman from Killa Abdullah), has no polygon of its own.
        """
        index = self.boundaries.get((country, 2))
        if index is None:
            return ""
        if self.units.units[unit_id].merged_into and not index.has(unit_id):
            return f"{self.units.label(unit_id)} has no polygon of its own; the name decides"
        if not index.has(named_2):
            return (
                f"{self.units.label(named_2)} has no polygon in the imported set; the name decides"
            )
        return ""

    def _name_outweighs(self, named: _Named, a1: str | None, named_2: str, pointed: str) -> bool:
        """Whether a name beats a point that contradicts it.

        A district the source codes itself, or whose name (not a town's) it writes as the
        place, beats a point: sources reuse one point for many places (Pakistan Body
        Count puts several agencies at Miranshah). So does any name when the point lies
        outside the source's own province. A town name found as a tehsil or in the
        gazetteer does not: many towns share names.
        """
        if named.field in ("admin2", "admin3", "manual"):
            return True
        if named.field == "place" and self.units.units[named.unit_id].level == 2:
            return True
        return self._province_backs(a1, named_2, pointed)

    def _province_backs(self, a1: str | None, named_2: str, pointed: str) -> bool:
        """The source's own province holds the named district but not the point."""
        if a1 is None:
            return False
        province = self.units.admin1(a1)
        return self.units.admin1(named_2) == province != self.units.admin1(pointed)

    def _check_text(
        self, country: str, text: str, a1: str | None, chosen: _Named | None, result: Resolution
    ) -> _Named | None:
        """Test the district against the source's own words on the location.

        Words that name a district other than the one chosen ("Pasni, Gawadar" on a
        record coded to Quetta) unsettle it: a district named with its designator
        ("a house in Sheikhupura district") replaces a district taken from a town name;
        otherwise the record stays without a district, with both as candidates.
        """
        mentioned, designated = self._scene_units(country, text, a1)
        if not mentioned:
            return chosen
        if chosen is None:
            inside = [m for m in designated if a1 is None or a1 in self.units.ancestors(m)]
            if len(set(inside)) == 1:
                result.reasons.append(f"the location text names {self.units.label(inside[0])}")
                return _Named(inside[0], "location-text", 0.75)
            return None
        chosen_2 = self.units.admin2(chosen.unit_id)
        if chosen_2 is None or chosen.field == "manual":
            return chosen
        if any(m == chosen_2 or self._nested(m, chosen_2) for m in mentioned):
            return chosen
        names = ", ".join(self.units.label(m) for m in sorted(mentioned))
        result.reasons.append(f"the location text names {names}, not {self.units.label(chosen_2)}")
        if len(set(designated)) == 1 and chosen.field.startswith(("place", "gazetteer", "point")):
            return _Named(designated[0], "location-text", 0.7)
        result.candidates += [chosen_2, *sorted(mentioned)]
        return None

    def _scene_units(self, country: str, text: str, a1: str | None) -> tuple[set[str], list[str]]:
        """The districts a location text names as the scene (cached per text and province)."""
        key = (country, text, a1 or "")
        if key in self._scene_cache:
            return self._scene_cache[key]
        mentioned, designated = self.units_in_text(country, text)
        if a1:  # a place in another province is a reference point, not the scene
            province = self.units.admin1(a1)
            mentioned = {m for m in mentioned if self.units.admin1(m) == province}
            designated = [m for m in designated if m in mentioned]
        if len(text.split()) > SHORT_TEXT_WORDS:
            # A sentence ("on the pipeline that supplies Quetta") names places that are
            # not the scene; only a district named as a district counts there.
            mentioned = set(designated)
        if len(self._scene_cache) > 100_000:
            self._scene_cache.clear()
        self._scene_cache[key] = (mentioned, designated)
        return mentioned, designated

    def units_in_text(self, country: str, text: str) -> tuple[set[str], list[str]]:
        """Level-2 units named in free text (cached: texts repeat across records)."""
        key = (country, text)
        if key not in self._text_cache:
            if len(self._text_cache) > 100_000:
                self._text_cache.clear()
            self._text_cache[key] = self._units_in_text(country, text)
        mentioned, designated = self._text_cache[key]
        return set(mentioned), list(designated)

    def _units_in_text(self, country: str, text: str) -> tuple[set[str], list[str]]:
        """Level-2 units named in free text, and those named with a designator.

        Longest phrases first, so "Khyber Pakhtunkhwa" is a province and not the Khyber
        district; only capitalised words count, so "a water tank" is not Tank district.
        """
        words = text.replace(",", " , ").split()
        mentioned: set[str] = set()
        designated: list[str] = []
        i = 0
        while i < len(words):
            step = 1
            if not words[i][:1].isupper() or not self.units.may_start_name(country, words[i]):
                i += 1
                continue
            for n in (4, 3, 2, 1):
                phrase = " ".join(words[i : i + n])
                if len(words) - i < n:
                    continue
                found = self.units.match(country, phrase, fuzzy=False)
                if found.unique:
                    step = n
                    unit = found.unique
                    if self.units.units[unit].level == 2:
                        mentioned.add(self.units.admin2(unit) or unit)
                        if found.method == "designator":
                            designated.append(self.units.admin2(unit) or unit)
                    break
            i += step
        return mentioned, designated

    def _nested(self, a: str, b: str) -> bool:
        return a in self.units.ancestors(b) or b in self.units.ancestors(a)

    def _distance(self, country: str, unit_id: str, loc: Location) -> float | None:
        index = self.boundaries.get((country, 2))
        if index is None or not index.has(unit_id):
            return None
        return index.distance_km(unit_id, loc.longitude, loc.latitude)  # type: ignore[arg-type]

    def _settle(
        self, result: Resolution, a1: str | None, chosen: _Named | None, point_a1: str | None
    ) -> None:
        if chosen:
            self._assign(result, chosen.unit_id)
            result.method.append(chosen.field)
            result.confidence = chosen.confidence
            if (
                a1
                and result.admin1_id != self.units.admin1(a1)
                and a1 not in self.units.ancestors(chosen.unit_id)
            ):
                result.reasons.append(
                    f"the source's province {self.units.label(a1)} does not contain "
                    f"{self.units.label(chosen.unit_id)}"
                )
                result.confidence = min(result.confidence, 0.6)
            return
        if a1:
            result.unit_id, result.admin1_id = a1, self.units.admin1(a1)
            result.confidence = 0.95
        elif point_a1:
            result.unit_id = result.admin1_id = point_a1
            result.method.append("point:admin1")
            result.confidence = 0.8
        if result.admin1_id and not result.reasons:
            result.reasons.append(
                "the source names no district and its coordinates are missing or too coarse"
            )
        elif not result.reasons:
            result.reasons.append("the source gives no province, place or usable coordinates")

    def _assign(self, result: Resolution, unit_id: str) -> None:
        result.unit_id = unit_id
        result.admin2_id = self.units.admin2(unit_id)
        result.admin1_id = self.units.admin1(unit_id)

    def _explain(self, result: Resolution, what: str, text: str, found: NameMatch) -> None:
        if found.units and found.method != "none":
            result.candidates += list(found.units)
            result.reasons.append(f"{what} {text!r} could be {', '.join(found.units)}")
        elif found.units:
            result.reasons.append(
                f"{what} {text!r} is not known; did you mean {', '.join(found.units)}?"
            )
        else:
            result.reasons.append(f"{what} {text!r} is not known")

    @staticmethod
    def _norm(text: str) -> str:
        return normalise(text)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: exact enough for a few tens of kilometres."""
    x = np.radians(lon2 - lon1) * np.cos(np.radians((lat1 + lat2) / 2))
    y = np.radians(lat2 - lat1)
    return float(np.hypot(x, y) * 6371.0)
