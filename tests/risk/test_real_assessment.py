"""The flagship assessment on the real data, with figures recomputed from the raw files.

SQLite, one store for the module, built with the README's own commands: the
geoBoundaries provinces and districts, UCDP GED Pakistan and the Pakistan Body Count
suicide attacks, imported (placed and tagged) but not linked, so that every record is
an incident of its own and each figure can be recomputed row by row. The checks read
the source files with the csv module and take from the store only what the assessment
takes as given: each record's place (tested in tests/geo) and, for the profile, the
records tagged (tested in tests/test_real_tags.py). Dates, deaths, target types,
coordinates, distances and the airport are recomputed here. GTD joins when its
restricted file is on this machine. Skipped when ../shared/data is absent.
"""

from __future__ import annotations

import csv
import gzip
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import airportsdata
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from dateutil import parser
from scipy import stats

from gawahi.cli import main
from gawahi.geo.units import UnitIndex
from gawahi.risk import frame
from gawahi.risk.areas import resolve_area
from gawahi.risk.assessment import Assessment, assess
from gawahi.risk.spec import AssessmentSpec
from gawahi.store import schema
from gawahi.store.engine import connect
from tests.conftest import SHARED, shared_file

pytestmark = pytest.mark.realdata

BOUNDARIES = "boundaries_pakistan_geoboundaries"
UCDP = ("ucdp_ged_pakistan", "conflict_data_pak.csv")
SUICIDE = ("pakistan_suicide_attacks", "pakistan_suicide_attacks_v11.csv")
ESTIMATES = ("hazara_shia_population_estimates", "hazara_shia_population_estimates.csv")
GTD = ("gtd_pakistan_RESTRICTED", "globalterrorismdbPak_1970-2015.csv.gz")
START, END = date(2008, 1, 1), date(2021, 12, 31)
# Pakistan Body Count target types that are armed or state forces (docs/profiles.md).
ARMED = {
    "military", "police", "army", "rangers", "frontier corps", "anti-militants",
    "terrorists/non-state militia", "violent political party", "security forces",
}  # fmt: skip
SPEC = AssessmentSpec(
    country="PAK", profile=("shia",), home="Quetta", areas=("Karachi", "Lahore"),
    start=START, end=END, perpetrators=("lej",),
)  # fmt: skip


@dataclass
class Flagship:
    engine: sa.Engine
    result: Assessment
    places: dict[str, tuple[str | None, str | None]]  # uid -> (admin1, admin2)
    raw: dict[str, dict[str, object]]  # "r<uid>" -> the row recomputed from the file


@pytest.fixture(scope="module")
def flagship(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flagship]:
    files = [shared_file(*UCDP), shared_file(*SUICIDE)]
    url = f"sqlite:///{tmp_path_factory.mktemp('assess') / 'real.sqlite'}"
    _cli(url, "init")
    for level, name in ((1, "PAK_ADM1_geoboundaries"), (2, "PAK_ADM2_geoboundaries_simplified")):
        path = shared_file(BOUNDARIES, f"{name}.geojson")
        _cli(url, "geo", "import-boundaries", str(path), "--level", str(level))
    _cli(url, "import", *map(str, files))
    _cli(url, "geo", "import-population", "--kind", "estimates", str(shared_file(*ESTIMATES)))
    engine = connect(url)
    with engine.begin() as conn:
        result = assess(conn, SPEC)
        places = {
            uid: (a1, a2)
            for uid, a1, a2 in conn.execute(
                sa.select(schema.incident_places.c["uid", "admin1_id", "admin2_id"])
            )
        }
    raw = {**_ucdp_rows(files[0]), **_suicide_rows(files[1])}
    yield Flagship(engine, result, places, raw)
    engine.dispose()


def _cli(url: str, *args: str) -> None:
    outcome = CliRunner().invoke(main, ["--db", url, *args], catch_exceptions=False)
    assert outcome.exit_code == 0, outcome.output


def _ucdp_rows(path: Path) -> dict[str, dict[str, object]]:
    rows = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if not row["id"].isdigit():
                continue  # the HXL hashtag row
            rows[f"rucdp-ged:{row['id']}"] = {
                "date": date.fromisoformat(row["date_start"][:10]),
                "best": int(row["best"]), "low": int(row["low"]), "high": int(row["high"]),
                "lat": float(row["latitude"]), "lon": float(row["longitude"]),
                "civilian": row["type_of_violence"] == "3", "perpetrator": row["side_a"],
                "precise": row["where_prec"] in ("1", "2"), "where_prec": row["where_prec"],
            }  # fmt: skip
    return rows


def _suicide_rows(path: Path) -> dict[str, dict[str, object]]:
    rows = {}
    with path.open(newline="", encoding="cp1252") as handle:
        for row in csv.DictReader(handle):
            killed = [int(v) for v in (row["Killed Min"], row["Killed Max"]) if v.strip()]
            targets = [
                t.strip().casefold() for t in row["Target Type"].replace("&", "/").split("/")
            ]
            rows[f"rpbc-suicide:{row['S#']}"] = {
                "date": _pbc_date(row["Date"]),
                "best": max(killed, default=0), "low": min(killed, default=0),
                "high": max(killed, default=0),
                "lat": _float(row["Latitude"]), "lon": _float(row["Longitude"]),
                "civilian": not all(t in ARMED for t in targets if t),
                "sect": row["Targeted Sect if any"].strip(), "perpetrator": "",
                "precise": False,  # the city's point: a district's precision
            }  # fmt: skip
    return rows


def _float(text: str) -> float:
    return float(text) if text.strip() else math.nan


def _pbc_date(text: str) -> date:
    """'Sunday-November 19-1995' and its variants, read by dateutil, not our importer."""
    return parser.parse(text.replace("-", " "), fuzzy=True).date()


def _inside(flagship: Flagship, area: str) -> set[str]:
    """Keys of the records placed in the area and dated in the period."""
    units = _units(flagship, area)
    keys = set()
    for key, row in flagship.raw.items():
        a1, a2 = flagship.places.get(key[1:], (None, None))
        if (a1 in units or a2 in units) and START <= row["date"] <= END:  # type: ignore[operator]
            keys.add(key)
    return keys


def _units(flagship: Flagship, area: str) -> frozenset[str]:
    """The area's units as the assessment resolves them (tested in tests/geo)."""
    with flagship.engine.connect() as conn:
        return resolve_area(conn, UnitIndex.load(conn), "PAK", area).inside


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def test_general_level_is_every_civilian_targeting_record_in_the_area(flagship: Flagship) -> None:
    for area in ("Quetta", "Karachi", "Lahore"):
        expected = {k for k in _inside(flagship, area) if flagship.raw[k]["civilian"]}
        general = flagship.result.figure(f"{area}/general.incidents")
        # Profile incidents count in the general level even when the source does not code
        # the target as civilian (an attack on Shia pilgrims' police escort).
        profile = set(flagship.result.figure(f"{area}/profile.incidents").ids)
        assert set(general.ids) == expected | profile
        assert general.value == len(expected | profile)


def test_every_pbc_attack_on_shia_in_quetta_is_a_profile_incident(flagship: Flagship) -> None:
    coded = {
        k for k in _inside(flagship, "Quetta")
        if k.startswith("rpbc") and flagship.raw[k]["sect"] == "Shiite"
    }  # fmt: skip
    profile = flagship.result.figure("Quetta/profile.incidents")
    assert coded, "the suicide-attack file codes Shia targets in Quetta"
    assert coded <= set(profile.ids)


def test_profile_deaths_and_years_add_up_from_the_files(flagship: Flagship) -> None:
    count = flagship.result.figure("Quetta/profile.incidents")
    deaths = flagship.result.figure("Quetta/profile.deaths")
    rows = [flagship.raw[k] for k in count.ids]
    assert deaths.value == sum(r["best"] for r in rows)  # type: ignore[misc]
    assert deaths.low == sum(r["low"] for r in rows)  # type: ignore[misc]
    assert deaths.high == sum(r["high"] for r in rows)  # type: ignore[misc]
    years = {str(y): 0 for y in range(START.year, END.year + 1)}
    for row in rows:
        years[str(row["date"].year)] += 1  # type: ignore[attr-defined]
    assert count.detail["per_year"] == years
    lower = stats.chi2.ppf(0.025, 2 * len(rows)) / 2
    assert count.low == pytest.approx(lower, rel=1e-9)


def test_lej_reach_and_nearest_attack_from_the_ucdp_actor(flagship: Flagship) -> None:
    lej = {k for k, r in flagship.raw.items() if r["perpetrator"] == "LeJ"}
    for area, centre in ((a["name"], a["centre"]) for a in flagship.result.areas):
        reach = flagship.result.figure(f"{area}/reach.incidents:lej")
        assert {k for k in reach.ids if k.startswith("rucdp")} == lej & _inside(flagship, area)
        nearest = flagship.result.figure(f"{area}/reach.nearest:lej")
        in_period = [
            flagship.raw[k]
            for k in lej
            if START <= flagship.raw[k]["date"] <= END and flagship.raw[k]["where_prec"] <= "3"  # type: ignore[operator]
        ]
        closest = min(_km(*centre, r["lat"], r["lon"]) for r in in_period)  # type: ignore[arg-type]
        assert nearest.value <= round(closest, 1)  # other sources may name LeJ nearer


def test_incidents_at_quetta_airport_within_five_km(flagship: Flagship) -> None:
    airport = flagship.result.figure("Quetta/route.airport")
    where = airportsdata.load("IATA")[airport.detail["airport"]]
    expected = {
        k for k, r in flagship.raw.items()
        if START <= r["date"] <= END  # type: ignore[operator]
        and r["precise"]
        and _km(where["lat"], where["lon"], r["lat"], r["lon"]) <= 5  # type: ignore[arg-type]
    }  # fmt: skip
    assert set(airport.ids) == expected


def test_rate_takes_the_profile_s_own_population(flagship: Flagship) -> None:
    # The estimates name Hazara (mostly Shia) in Quetta, not Shia: no rate for Shia alone.
    alone = flagship.result.figure("Quetta/rate.per_100k")
    assert alone.value is None and "no population figure" in alone.detail["reason"]
    spec = AssessmentSpec(
        country="PAK", profile=("shia", "hazara"), home="Quetta", areas=("Karachi",),
        start=START, end=END, perpetrators=("lej",),
    )  # fmt: skip
    with flagship.engine.begin() as conn:
        result = assess(conn, spec)
    rate = result.figure("Quetta/rate.per_100k")
    with shared_file(*ESTIMATES).open(newline="", encoding="utf-8") as handle:
        quetta = [
            r for r in csv.DictReader(handle) if (r["scope"], r["place"]) == ("city", "Quetta")
        ]
    assert [float(r["estimate_low"]) for r in quetta] == [rate.detail["population"]]
    deaths = [flagship.raw[k]["best"] for k in result.figure("Quetta/profile.deaths").ids]
    scale = 100_000 / ((END.year - START.year + 1) * rate.detail["population"])
    assert rate.value == pytest.approx(sum(deaths) * scale)  # type: ignore[arg-type]
    # Fay and Feuer (1997): deaths are incidents weighted by their deaths.
    w = [float(d) for d in deaths if d]  # type: ignore[arg-type]
    y, v, m = sum(w), sum(d * d for d in w), max(w)
    lower = stats.gamma.ppf(0.025, y * y / v, scale=v / y)
    upper = stats.gamma.ppf(0.975, (y + m) ** 2 / (v + m * m), scale=(v + m * m) / (y + m))
    assert (rate.low, rate.high) == pytest.approx((lower * scale, upper * scale))


def test_findings_name_their_sources_and_never_call_an_area_safe(flagship: Flagship) -> None:
    texts = [f["text"] for f in flagship.result.findings]
    assert any("Sources: " in t and "pbc-suicide" in t for t in texts)
    assert not any(" safe" in t.casefold() for t in texts)


@pytest.mark.skipif(not SHARED.joinpath(*GTD).exists(), reason="GTD is restricted: local only")
def test_gtd_lej_attacks_join_the_reach(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gtd.sqlite'}"
    _cli(url, "init")
    _cli(url, "import", str(SHARED.joinpath(*GTD)))
    spec = AssessmentSpec(
        country="PAK", profile=("shia",), home="Quetta", areas=("Karachi",),
        start=START, end=END, perpetrators=("lej",),
    )  # fmt: skip
    engine = connect(url)
    with engine.begin() as conn:
        result = assess(conn, spec)
    engine.dispose()
    with gzip.open(SHARED.joinpath(*GTD), "rt", encoding="latin-1", newline="") as handle:
        named = [
            r for r in csv.DictReader(handle)
            if "Lashkar-e-Jhangvi" in " ".join(r[f] for f in ("gname", "gname2", "gname3"))
            and START.year <= int(r["iyear"]) <= END.year and r["provstate"] == "Sindh"
        ]  # fmt: skip
    reach = result.figure("Karachi/reach.incidents:lej")
    karachi = [r for r in named if r["city"].strip().casefold() == "karachi"]
    assert karachi and reach.value >= len(karachi)


def test_the_assessment_again_from_its_snapshot_equals_the_tables(
    flagship: Flagship, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second assessment reads the frame kept by the first (risk/snapshots.py); both
    must give exactly what reading the tables gives."""
    with flagship.engine.begin() as conn:
        with monkeypatch.context() as patch:
            patch.setattr(frame, "load_frame", _no_tables)
            patch.setattr(frame, "add_tags", _no_tables)
            again = assess(conn, SPEC)
        tables = assess(conn, SPEC, snapshots=False)
    for result in (again, flagship.result):
        assert [f.as_dict() for f in result.figures] == [f.as_dict() for f in tables.figures]
        assert result.findings == tables.findings


def _no_tables(*_: object, **__: object) -> None:
    raise AssertionError("read the tables although a current snapshot exists")
