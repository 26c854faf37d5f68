"""``assess`` end to end on a tiny store built with the real pipeline (boundaries, gazetteer,
population import, imports with place resolution and tagging, linkage), on both backends.

The store holds the hand-written rows of tests/data/risk (fictional groups, see its
README.md). Every expected value below is derived by hand from those rows, with the
formula written out here (scipy only for quantiles), never by calling the code under test.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import airportsdata
import numpy as np
import pytest
import sqlalchemy as sa
from scipy import stats

from gawahi.errors import ConfigError, NotFound
from gawahi.geo import gazetteer
from gawahi.geo.boundaries import import_boundaries
from gawahi.geo.populations import import_estimates
from gawahi.geo.resolve import resolve_incidents
from gawahi.geo.units import UnitIndex, sync_packs
from gawahi.linkage.linking import link_incidents
from gawahi.profiles.pack import bundled_pack_files, load_packs
from gawahi.profiles.tagging import tag_incidents
from gawahi.profiles.vocabulary import ProfilePacks
from gawahi.risk.assessment import Assessment, assess
from gawahi.risk.figures import INDICATORS, Figure
from gawahi.risk.findings import HEADLINE_LIMIT, UCDP_LIMIT
from gawahi.risk.spec import AssessmentSpec
from gawahi.sources.importer import ImportOptions, import_file
from gawahi.store import schema
from gawahi.store.engine import connect, migrate
from tests.conftest import DATA, _backends, _postgres_store

RISK = DATA / "risk"
PACK = RISK / "pack_fictional_plenari_orbists.yaml"
GAZETTEER = RISK / "geonames_dump_five_towns_invented_populations.txt"
SQUARES = RISK / "geoboundaries_adm2_squares_quetta_karachi_lahore.geojson"
POPULATIONS = RISK / "estimates_fictional_group_range_for_quetta.csv"
UCDP = RISK / "ucdp_ged_fictional_plenari_orbists_2011_2016.csv"
PBC = RISK / "pbc_suicide_fictional_orbist_sect_code.csv"
REGISTER = RISK / "register_fictional_plenari_orbists.csv"
REGISTER_MAPPING = RISK / "register_fictional_plenari_orbists.yaml"
LATE = RISK / "ucdp_ged_fictional_one_row_after_linking.csv"
LINKED_AT = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)

EARTH_KM = 6371.0088  # mean Earth radius (IUGG), as risk/reach.py documents
Incident = frozenset[str]
IncidentsOf = Callable[[Figure], list[Incident]]


def inc(*uids: str) -> Incident:
    """An incident as the set of its source records."""
    return frozenset(uids)


# The incidents of the fixture (tests/data/risk/README.md), by what they are.
Q_2011 = inc("ucdp-ged:970001")  # before the period
Q_2012 = inc("fixture-register:FR-01", "ucdp-ged:970002")
Q_2013 = inc("fixture-register:FR-02", "ucdp-ged:970003")  # lampwrights
Q_2014_MARKET = inc("pbc-suicide:1", "ucdp-ged:970005")
Q_2014_ROAD = inc("fixture-register:FR-03", "ucdp-ged:970007")  # GBF
Q_2015_UCDP = inc("ucdp-ged:970008")
Q_2015_REGISTER = inc("fixture-register:FR-04")
Q_2016_REGISTER = inc("fixture-register:FR-05")
Q_2016_UCDP = inc("ucdp-ged:970010")
Q_SHOPKEEPERS = inc("ucdp-ged:970004")  # RFL, civilians, not the profile
Q_CLASH = inc("ucdp-ged:970006")  # state-based fighting: not civilian-targeting
Q_TRADER = inc("ucdp-ged:970009")  # GBF, Plenari only (one profile tag of two)
K_AIRPORT = inc("ucdp-ged:970011")  # RFL, 0.6 km from KHI
K_SHOPKEEPERS = inc("ucdp-ged:970012")  # RFL, not the profile
K_GBF = inc("ucdp-ged:970013")
K_HALL = inc("pbc-suicide:2")
M_SHOPKEEPER = inc("ucdp-ged:970014")  # RFL in Multan, the RFL attack nearest Lahore

QUETTA_PROFILE = [  # in date order
    Q_2012,
    Q_2013,
    Q_2014_MARKET,
    Q_2014_ROAD,
    Q_2015_UCDP,
    Q_2015_REGISTER,
    Q_2016_REGISTER,
    Q_2016_UCDP,
]
KARACHI_PROFILE = [K_AIRPORT, K_GBF, K_HALL]
ALL_INCIDENTS = [
    *QUETTA_PROFILE,
    *KARACHI_PROFILE,
    Q_2011,
    Q_SHOPKEEPERS,
    Q_CLASH,
    Q_TRADER,
    K_SHOPKEEPERS,
    M_SHOPKEEPER,
]
# Where the sources place them (lat, lon); a cluster takes its most precise record's point.
# The register rows have no coordinates.
POINTS: dict[Incident, tuple[float, float]] = {
    Q_2011: (30.18, 67.00),
    Q_2012: (30.21, 67.01),
    Q_2013: (30.19, 67.02),
    Q_2014_MARKET: (30.20, 67.00),
    Q_2014_ROAD: (30.16, 67.03),
    Q_2015_UCDP: (30.22, 67.02),
    Q_2016_UCDP: (30.19, 67.00),
    Q_SHOPKEEPERS: (30.17, 66.99),
    Q_CLASH: (30.30, 67.10),
    Q_TRADER: (30.18, 67.01),
    K_AIRPORT: (24.905, 67.155),
    K_SHOPKEEPERS: (24.80, 67.00),
    K_GBF: (24.80, 66.90),
    K_HALL: (24.895, 67.09),
    M_SHOPKEEPER: (30.20, 71.47),
}
# Pakistan Body Count gives the city's point: a district's precision, too coarse for the
# route (risk/reach.py). A cluster with UCDP takes UCDP's exact point instead.
CITY_POINTS = {K_HALL}
# Area centres: the middle of each fixture square, where the fixture gazetteer also puts
# the area's seat (so seat and boundary centroid agree).
CENTRES = {"Quetta": (30.2, 67.0), "Karachi": (24.9, 67.1), "Lahore": (31.5, 74.3)}
START, END = date(2012, 1, 1), date(2016, 12, 31)
SPEC = AssessmentSpec(
    country="PAK",
    profile=("plenari", "orbist"),
    home="Quetta",
    areas=("Karachi", "Lahore"),
    start=START,
    end=END,
    factors=("lampwright",),
    airports={"Karachi": "KHI", "Lahore": "LHE"},
)


# --- the store ---------------------------------------------------------------------------


@cache
def risk_packs() -> ProfilePacks:
    """The shipped packs and the fictional one, as ``gawahi`` loads them with
    GAWAHI_PROFILE_PACKS set to the fixture pack."""
    return load_packs([*bundled_pack_files(), PACK])


def import_records(engine: sa.Engine, path: Path, mapping: Path | None = None) -> None:
    """Import a file as ``gawahi import`` does: places resolved, tagged."""
    packs = risk_packs()

    def finish(conn: sa.Connection, dataset_id: int) -> None:
        resolve_incidents(conn, dataset_id=dataset_id)
        tag_incidents(conn, dataset_id=dataset_id, packs=packs)

    report = import_file(engine, path, ImportOptions(mapping=mapping, finish=finish))
    assert (report.rejected, report.dataset_id is not None) == (0, True), report.problems


def build_store(engine: sa.Engine) -> None:
    """Units, gazetteer, boundary squares, the population rows, the three sources imported
    (places resolved, tagged with the fixture pack) and one link run."""
    with engine.begin() as conn:
        sync_packs(conn)
        gazetteer.import_geonames(conn, GAZETTEER)
        units = UnitIndex.load(conn)
        import_boundaries(conn, units, SQUARES, 2)
        import_estimates(conn, units, POPULATIONS, country="PAK")
    for path, mapping in ((UCDP, None), (PBC, None), (REGISTER, REGISTER_MAPPING)):
        import_records(engine, path, mapping)
    with engine.begin() as conn:
        link_incidents(conn, now=LINKED_AT)


def built_store(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    """A built store on ``backend``, for a module-scoped fixture (one build per module)."""
    if backend == "sqlite":
        engine = connect(f"sqlite:///{tmp_path_factory.mktemp('risk') / 'risk.sqlite'}")
        migrate(engine)
        build_store(engine)
        yield engine
        engine.dispose()
        return
    postgres = _postgres_store()
    engine = next(postgres)
    try:
        build_store(engine)
        yield engine
    finally:
        postgres.close()  # drops the schema


def backends() -> list[Any]:
    return _backends()


def members(engine: sa.Engine) -> dict[str, Incident]:
    """Incident key ("c<cluster id>") -> the records in it, read from the store."""
    cm = schema.cluster_members
    found: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for cluster_id, uid in conn.execute(sa.select(cm.c.cluster_id, cm.c.uid)):
            found.setdefault(f"c{cluster_id}", set()).add(uid)
    return {key: frozenset(uids) for key, uids in found.items()}


def key_of(engine: sa.Engine, incident: Incident) -> str:
    """The figure key ("c<id>") of one designed incident."""
    (key,) = [k for k, v in members(engine).items() if v == incident]
    return key


def assessed(engine: sa.Engine, spec: AssessmentSpec = SPEC) -> Assessment:
    with engine.begin() as conn:
        return assess(conn, spec, risk_packs())


def spec_with(**changes: Any) -> AssessmentSpec:
    values = SPEC.as_dict() | changes
    for name in ("start", "end"):
        if isinstance(values[name], date):
            values[name] = values[name].isoformat()
    return AssessmentSpec.from_dict(values)


@pytest.fixture(scope="module")
def result(store: sa.Engine) -> Assessment:
    return assessed(store)


@pytest.fixture(scope="module")
def incidents_of(store: sa.Engine) -> IncidentsOf:
    """Figure -> its incidents, each as the set of its records, in the figure's order."""
    keys = members(store)

    def incidents(figure: Figure) -> list[Incident]:
        return [keys.get(k, inc(k[1:])) for k in figure.ids]

    return incidents


# --- hand formulas -------------------------------------------------------------------------


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def km_to_line(point: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance to the straight line a-b, by sampling it every few metres (an independent
    check of the corridor, not the projection the code uses)."""
    steps = 2000
    return min(
        haversine_km(point, (a[0] + (b[0] - a[0]) * i / steps, a[1] + (b[1] - a[1]) * i / steps))
        for i in range(steps + 1)
    )


def garwood(count: int) -> tuple[float, float]:
    """Exact Poisson 95% interval: chi2(0.025; 2x)/2 .. chi2(0.975; 2x + 2)/2."""
    lower = 0.0 if count == 0 else stats.chi2.ppf(0.025, 2 * count) / 2
    return float(lower), float(stats.chi2.ppf(0.975, 2 * count + 2) / 2)


def clopper_pearson(k: int, n: int) -> tuple[float, float]:
    lower = 0.0 if k == 0 else stats.beta.ppf(0.025, k, n - k + 1)
    upper = 1.0 if k == n else stats.beta.ppf(0.975, k + 1, n - k)
    return float(lower), float(upper)


def poisson_regression(counts: list[int]) -> dict[str, float]:
    """Poisson GLM of counts on centred year by Newton's method, with Wald 95% limits."""
    y = np.array(counts, dtype=float)
    x = np.arange(len(y)) - (len(y) - 1) / 2
    design = np.column_stack([np.ones_like(x), x])
    beta = np.array([math.log(y.mean()), 0.0])
    for _ in range(50):
        mu = np.exp(design @ beta)
        information = design.T @ (design * mu[:, None])
        beta = beta + np.linalg.solve(information, design.T @ (y - mu))
    mu = np.exp(design @ beta)
    se = math.sqrt(np.linalg.inv(design.T @ (design * mu[:, None]))[1, 1])
    z = stats.norm.ppf(0.975)
    return {
        "ratio": math.exp(beta[1]),
        "lower": math.exp(beta[1] - z * se),
        "upper": math.exp(beta[1] + z * se),
        "p_value": 2 * stats.norm.sf(abs(beta[1] / se)),
        "dispersion": float(((y - mu) ** 2 / mu).sum() / (len(y) - 2)),
    }


def _texts(result: Assessment) -> list[str]:
    return [f["text"] for f in result.findings]


def _about(result: Assessment, *keys: str) -> list[str]:
    """The texts of the findings drawn from exactly these figures."""
    return [f["text"] for f in result.findings if f["figures"] == list(keys)]


def _limits(result: Assessment) -> list[str]:
    return [f["text"] for f in result.findings if f["kind"] == "limit"]


# --- the store as designed -----------------------------------------------------------------


def test_the_fixture_links_into_the_designed_incidents(store: sa.Engine) -> None:
    """Precondition of every figure below: one cluster per designed incident."""
    assert sorted(map(sorted, members(store).values())) == sorted(map(sorted, ALL_INCIDENTS))


def test_areas_are_the_units_asked_for_centred_on_their_seats(result: Assessment) -> None:
    assert [(a["name"], a["unit_id"], a["role"], a["centre_from"]) for a in result.areas] == [
        ("Quetta", "PAK.quetta", "home", "seat"),
        ("Karachi", "PAK.karachi", "relocation", "seat"),
        ("Lahore", "PAK.lahore", "relocation", "seat"),
    ]
    for area in result.areas:
        assert area["centre"] == pytest.approx(CENTRES[area["name"]], abs=1e-9)


def test_every_figure_has_a_unique_key_and_a_documented_indicator(result: Assessment) -> None:
    keys = [f.key for f in result.figures]
    assert len(keys) == len(set(keys))
    assert {f.indicator for f in result.figures} == set(INDICATORS)
    # per area: one figure per indicator, but the two reach ones once per perpetrator (2),
    # and two more (incidents, deaths) for the factor's narrower profile
    assert len(keys) == 3 * (len(INDICATORS) - 2 + 2 * 2 + 2)


# --- profile ------------------------------------------------------------------------------


def test_profile_incidents_per_year_with_the_exact_poisson_interval(
    result: Assessment, incidents_of: IncidentsOf
) -> None:
    quetta = result.figure("Quetta/profile.incidents")
    assert quetta.value == 8
    assert quetta.detail["per_year"] == {"2012": 1, "2013": 1, "2014": 2, "2015": 2, "2016": 2}
    lower, upper = garwood(8)  # (3.4538, 15.7632)
    assert (quetta.low, quetta.high) == (pytest.approx(lower), pytest.approx(upper))
    assert incidents_of(quetta) == QUETTA_PROFILE  # in date order; 2011 and the rest left out
    karachi = result.figure("Karachi/profile.incidents")
    assert (karachi.value, incidents_of(karachi)) == (3, KARACHI_PROFILE)
    assert karachi.detail["per_year"] == {"2012": 0, "2013": 1, "2014": 0, "2015": 1, "2016": 1}
    lahore = result.figure("Lahore/profile.incidents")
    assert (lahore.value, lahore.ids, lahore.low) == (0, [], 0.0)
    assert lahore.high == pytest.approx(-math.log(0.025))  # chi2(0.975; 2)/2 = ln 40


def test_profile_deaths_sum_the_reconciled_best_low_and_high(result: Assessment) -> None:
    quetta = result.figure("Quetta/profile.deaths")
    # best: 3 + 5 + 7 + 2 + 4 + 1 + 2 + 3; low: 3 + 4 + 6 + 2 + 4 + 1 + 2 + 3 (a register
    # row without a range counts its best); high: 4 + 7 + 8 + 2 + 5 + 1 + 2 + 3
    assert (quetta.value, quetta.low, quetta.high) == (27, 25, 32)
    assert quetta.detail["per_year"] == {"2012": 3, "2013": 5, "2014": 9, "2015": 5, "2016": 5}
    karachi = result.figure("Karachi/profile.deaths")
    assert (karachi.value, karachi.low, karachi.high) == (2 + 1 + 5, 2 + 1 + 4, 2 + 1 + 5)


def test_a_factor_counts_the_narrower_profile(
    result: Assessment, incidents_of: IncidentsOf
) -> None:
    count = result.figure("Quetta (lampwright)/profile.incidents")
    assert (count.value, incidents_of(count)) == (1, [Q_2013])
    assert (count.low, count.high) == (pytest.approx(garwood(1)[0]), pytest.approx(garwood(1)[1]))
    deaths = result.figure("Quetta (lampwright)/profile.deaths")
    assert (deaths.value, deaths.low, deaths.high) == (5, 4, 7)
    assert result.figure("Karachi (lampwright)/profile.incidents").value == 0


# --- general level -----------------------------------------------------------------------


def test_general_incidents_are_civilian_targeting_and_the_share_is_exact(
    result: Assessment, incidents_of: IncidentsOf
) -> None:
    general = result.figure("Quetta/general.incidents")
    # the profile's 8, the shopkeepers and the Plenari trader; not the state-based clash
    assert general.value == 10
    assert set(incidents_of(general)) == {*QUETTA_PROFILE, Q_SHOPKEEPERS, Q_TRADER}
    share = result.figure("Quetta/general.share")
    assert share.value == pytest.approx(8 / 10)
    assert (share.low, share.high) == tuple(map(pytest.approx, clopper_pearson(8, 10)))
    assert (share.detail["profile"], share.detail["civilian"]) == (8, 10)
    karachi = result.figure("Karachi/general.share")
    assert result.figure("Karachi/general.incidents").value == 4
    assert karachi.value == pytest.approx(3 / 4)
    assert (karachi.low, karachi.high) == tuple(map(pytest.approx, clopper_pearson(3, 4)))
    assert result.figure("Lahore/general.incidents").value == 0
    assert result.figure("Lahore/general.share").value is None


def test_last_incident_counts_days_to_the_end_of_the_period(
    result: Assessment, incidents_of: IncidentsOf
) -> None:
    quetta = result.figure("Quetta/last.incident")
    assert quetta.value == (END - date(2016, 10, 10)).days == 82
    assert (incidents_of(quetta), quetta.detail["date"]) == ([Q_2016_UCDP], "2016-10-10")
    assert result.figure("Karachi/last.incident").value == (END - date(2016, 3, 3)).days
    lahore = result.figure("Lahore/last.incident")
    assert (lahore.value, lahore.ids) == (None, [])


# --- perpetrators --------------------------------------------------------------------------


def test_perpetrators_default_to_those_of_the_profile_at_home_most_frequent_first(
    result: Assessment,
) -> None:
    # RFL: 6 of the Quetta profile incidents, GBF: 1
    assert (result.perpetrators, result.perpetrators_from) == (["rfl", "gbf"], "home")


def test_reach_counts_the_perpetrators_incidents_whoever_the_victims(
    result: Assessment, incidents_of: IncidentsOf
) -> None:
    rfl = result.figure("Quetta/reach.incidents:rfl")
    quetta_rfl = {Q_2012, Q_2013, Q_2014_MARKET, Q_2015_UCDP, Q_2015_REGISTER, Q_2016_UCDP}
    assert (rfl.value, set(incidents_of(rfl))) == (7, quetta_rfl | {Q_SHOPKEEPERS})
    assert rfl.detail["deaths_best"] == 3 + 5 + 7 + 4 + 1 + 3 + 2
    gbf = result.figure("Quetta/reach.incidents:gbf")
    assert (gbf.value, set(incidents_of(gbf))) == (2, {Q_2014_ROAD, Q_TRADER})
    karachi = result.figure("Karachi/reach.incidents:rfl")
    assert set(incidents_of(karachi)) == {K_AIRPORT, K_SHOPKEEPERS}
    assert result.figure("Karachi/reach.incidents:gbf").value == 1
    assert result.figure("Lahore/reach.incidents:rfl").value == 0


def test_reach_nearest_is_the_great_circle_distance_to_the_nearest_attack(
    result: Assessment, incidents_of: IncidentsOf
) -> None:
    lahore = result.figure("Lahore/reach.nearest:rfl")
    expected = haversine_km(CENTRES["Lahore"], POINTS[M_SHOPKEEPER])  # 306.38 km
    assert lahore.value == round(expected, 1) == 306.4
    assert incidents_of(lahore) == [M_SHOPKEEPER]
    assert lahore.detail == {
        "date": "2016-02-14",
        "inside_area": False,
        "precision": "exact",
        "without_precise_point": 1,  # the register's attack, which has no coordinates
        "sources": "ucdp-ged 1",
    }
    gbf = result.figure("Lahore/reach.nearest:gbf")
    placed_gbf = [Q_2014_ROAD, Q_TRADER, K_GBF]
    nearest = min(placed_gbf, key=lambda i: haversine_km(CENTRES["Lahore"], POINTS[i]))
    assert (incidents_of(gbf), gbf.value) == (
        [nearest],
        round(haversine_km(CENTRES["Lahore"], POINTS[nearest]), 1),
    )
    karachi = result.figure("Karachi/reach.nearest:gbf")
    assert karachi.value == round(haversine_km(CENTRES["Karachi"], POINTS[K_GBF]), 1)
    assert karachi.detail["inside_area"] is True
    quetta = result.figure("Quetta/reach.nearest:rfl")
    assert (quetta.value, incidents_of(quetta)) == (0.0, [Q_2014_MARKET])  # at the centre


# --- route ---------------------------------------------------------------------------------


def _airport(code: str) -> tuple[float, float]:
    found = airportsdata.load("IATA")[code]
    return float(found["lat"]), float(found["lon"])


def _in_period(incident: Incident) -> bool:
    return incident != Q_2011


def test_route_with_a_named_airport_counts_the_corridor_and_the_airport(
    result: Assessment, incidents_of: IncidentsOf
) -> None:
    khi, centre = _airport("KHI"), CENTRES["Karachi"]
    corridor = result.figure("Karachi/route.corridor")
    near_line = {i for i, p in POINTS.items() if _in_period(i) and km_to_line(p, khi, centre) <= 10}
    assert near_line == {K_AIRPORT, K_HALL}  # the others are 15 km or more from the line
    expected = near_line - CITY_POINTS
    assert (corridor.value, set(incidents_of(corridor))) == (1, expected)
    assert corridor.detail["airport"] == "KHI"
    assert corridor.detail["at"] == pytest.approx(list(khi))
    assert (corridor.detail["width_km"], corridor.detail["civilian"]) == (10.0, 1)
    assert corridor.detail["deaths_best"] == 2
    at_airport = result.figure("Karachi/route.airport")
    expected = {i for i, p in POINTS.items() if _in_period(i) and haversine_km(p, khi) <= 5}
    assert expected == {K_AIRPORT}  # 0.6 km; the next is 7.3 km away
    assert (at_airport.value, set(incidents_of(at_airport))) == (1, expected)
    lahore = result.figure("Lahore/route.corridor")
    assert (lahore.value, lahore.detail["airport"]) == (0, "LHE")


def test_route_without_a_named_airport_starts_at_the_nearest_international_one(
    result: Assessment, incidents_of: IncidentsOf
) -> None:
    # Quetta International (UET) is 8 km from the Quetta centre; no other is near.
    uet, centre = _airport("UET"), CENTRES["Quetta"]
    corridor = result.figure("Quetta/route.corridor")
    assert corridor.detail["airport"] == "UET"
    expected = {i for i, p in POINTS.items() if _in_period(i) and km_to_line(p, uet, centre) <= 10}
    # every Quetta point but the clash (14.7 km off the line) and Karachi/Multan
    assert expected == {*QUETTA_PROFILE, Q_SHOPKEEPERS, Q_TRADER} - {
        Q_2015_REGISTER,
        Q_2016_REGISTER,
    }
    assert set(incidents_of(corridor)) == expected
    assert result.figure("Quetta/route.airport").value == 0  # the nearest is 8.3 km away


# --- rates, trends, under-reporting --------------------------------------------------------


def fay_feuer(weights: list[int]) -> tuple[float, float]:
    """The gamma interval for a sum of weighted Poisson events (Fay and Feuer 1997): y =
    sum(w), v = sum(w^2), m = max(w); lower Gamma(0.025; y^2/v, v/y), upper
    Gamma(0.975; (y+m)^2/(v+m^2), (v+m^2)/(y+m))."""
    y, v, m = sum(weights), sum(w * w for w in weights), max(weights)
    lower = stats.gamma.ppf(0.025, y * y / v, scale=v / y)
    upper = stats.gamma.ppf(0.975, (y + m) ** 2 / (v + m * m), scale=(v + m * m) / (y + m))
    return float(lower), float(upper)


def test_rate_per_100k_uses_the_population_row_that_names_the_whole_profile(
    result: Assessment,
) -> None:
    rate = result.figure("Quetta/rate.per_100k")
    person_years = 50_000 * 5  # the midpoint of 40,000-60,000, over 2012-2016
    assert rate.value == pytest.approx(27 / person_years * 100_000) == 10.8
    # deaths come in incidents: each incident is a Poisson event weighted by its deaths
    lower, upper = fay_feuer([3, 5, 7, 2, 4, 1, 2, 3])
    assert rate.low == pytest.approx(lower / person_years * 100_000)
    assert rate.high == pytest.approx(upper / person_years * 100_000)
    assert {k: v for k, v in rate.detail.items() if k not in ("interval", "sources")} == {
        "deaths": 27,
        "years": 5,
        "population": 50_000.0,
        "population_year": 2015,
        "source": "Fixture Population Survey",
        "group": "Plenari Orbists (fictional test group)",  # not "Plenari of every faith"
        "disputed": True,
        "rate_if_largest_population": pytest.approx(27 / (60_000 * 5) * 100_000),  # 9.0
        "rate_if_smallest_population": pytest.approx(27 / (40_000 * 5) * 100_000),  # 13.5
        "file_name": POPULATIONS.name,
        "file_sha256": hashlib.sha256(POPULATIONS.read_bytes()).hexdigest(),
        "line": 2,
    }
    karachi = result.figure("Karachi/rate.per_100k")
    assert (karachi.value, karachi.detail["reason"]) == (
        None,
        "no population figure for this group in this area",
    )


def test_the_rate_lists_the_incidents_whose_deaths_it_counts(result: Assessment) -> None:
    rate = result.figure("Quetta/rate.per_100k")
    assert rate.ids == result.figure("Quetta/profile.deaths").ids
    (finding,) = _about(result, rate.key)
    assert finding.startswith("Against a population of 50,000 (Plenari Orbists")
    assert "10.8 deaths per 100,000 per year" in finding
    assert "the rate runs from 9.0 to 13.5" in finding
    assert finding.endswith(" Sources: fixture-register, pbc-suicide, ucdp-ged.")


def test_trend_slope_is_a_poisson_regression_on_year(result: Assessment) -> None:
    slope = result.figure("Quetta/trend.slope")
    fit = poisson_regression([1, 1, 2, 2, 2])
    assert fit["dispersion"] < 1.5  # so Poisson, not negative binomial
    assert (slope.detail["model"], slope.detail["years"], slope.detail["reason"]) == (
        "poisson",
        5,
        "",
    )
    assert slope.value == pytest.approx(fit["ratio"], rel=1e-6)
    assert (slope.low, slope.high) == (
        pytest.approx(fit["lower"], rel=1e-6),
        pytest.approx(fit["upper"], rel=1e-6),
    )
    assert slope.detail["p_value"] == pytest.approx(fit["p_value"], rel=1e-5)
    assert slope.detail["dispersion"] == pytest.approx(fit["dispersion"], rel=1e-5)
    lahore = result.figure("Lahore/trend.slope")
    assert (lahore.value, lahore.detail["model"], lahore.detail["reason"]) == (
        None,
        "insufficient data",
        "no events in the period",
    )


def test_trend_recent_compares_the_last_three_years_with_the_earlier_ones(
    result: Assessment,
) -> None:
    recent = result.figure("Quetta/trend.recent")
    # 2014-2016: 6 in 3 years; 2012-2013: 2 in 2 years
    assert recent.value == pytest.approx((6 / 3) / (2 / 2))
    p_lower, p_upper = stats.beta.ppf(0.025, 6, 2 + 1), stats.beta.ppf(0.975, 6 + 1, 2)
    assert recent.low == pytest.approx(p_lower / (1 - p_lower) * 2 / 3)
    assert recent.high == pytest.approx(p_upper / (1 - p_upper) * 2 / 3)
    assert (recent.detail["recent"], recent.detail["earlier"]) == (6, 2)
    assert recent.detail["recent_years"] == [2014, 2015, 2016]
    lahore = result.figure("Lahore/trend.recent")
    assert (lahore.value, lahore.detail["reason"]) == (None, "no events in the period")


def test_underreporting_is_chapman_over_the_two_general_sources(
    result: Assessment, incidents_of: IncidentsOf
) -> None:
    est = result.figure("Quetta/underreporting.estimate")
    # window: the register's first record (2012-03-05) to its last (2016-05-01), so the
    # UCDP-only incident of 2016-10-10 is left out; PBC (suicide attacks only) is no list.
    n1, n2, m = 5, 5, 3  # register: 5; UCDP: 5 (2012, 2013, market, road, 2015); both: 3
    chapman = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    observed = n1 + n2 - m
    variance = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    spread = math.exp(
        stats.norm.ppf(0.975) * math.sqrt(math.log(1 + variance / (chapman - observed) ** 2))
    )
    assert est.value == pytest.approx(chapman) == 8.0
    assert est.low == pytest.approx(observed + (chapman - observed) / spread)
    assert est.high == pytest.approx(observed + (chapman - observed) * spread)
    assert {k: est.detail[k] for k in ("lists", "window", "histories", "n1", "n2", "m")} == {
        "lists": ["fixture-register", "ucdp-ged"],
        "window": ["2012-03-05", "2016-05-01"],
        "histories": {"01": 2, "10": 2, "11": 3},
        "n1": n1,
        "n2": n2,
        "m": m,
    }
    assert est.detail["observed"] == observed
    assert est.detail["left_out"] == {"pbc-suicide": "suicide attacks only (Pakistan Body Count)"}
    assert incidents_of(est) == QUETTA_PROFILE[:-1]


def test_underreporting_needs_two_general_sources(result: Assessment) -> None:
    karachi = result.figure("Karachi/underreporting.estimate")
    # UCDP and PBC suicide attacks; PBC covers one kind of attack only
    assert (karachi.value, karachi.detail["reason"]) == (
        None,
        "fewer than two general sources (ucdp-ged)",
    )
    lahore = result.figure("Lahore/underreporting.estimate")
    assert lahore.detail["reason"] == "fewer than two general sources (none)"


# --- findings ------------------------------------------------------------------------------


def test_an_area_without_incidents_is_never_called_safe(result: Assessment) -> None:
    assert _about(result, "Lahore/profile.incidents") == [
        "In Lahore (district), the sources record no incident in 2012–2016 with victims "
        "identified as both Plenari and Orbists. The absence of recorded incidents is not "
        "evidence that no attacks took place."
    ]
    (nearest,) = _about(result, "Lahore/reach.incidents:rfl", "Lahore/reach.nearest:rfl")
    assert nearest.startswith("No incident attributed to ")
    assert "306.4 km from the area's centre (2016-02-14)" in nearest
    assert "is not evidence that no attacks took place" in nearest
    assert nearest.endswith(" Sources: ucdp-ged.")  # the Multan record behind the distance
    for text in _texts(result):
        assert not re.search(r"\bsafe", text, re.IGNORECASE), text


def test_findings_name_their_sources(result: Assessment) -> None:
    (opening,) = _about(result, "Quetta/profile.incidents", "Quetta/profile.deaths")
    assert opening.startswith(
        "In Quetta (district), the sources record 8 incidents in 2012–2016 with victims "
        "identified as both Plenari and Orbists, with 27 deaths (range 25–32)."
    )
    assert opening.endswith(" Sources: fixture-register, pbc-suicide, ucdp-ged.")
    assert result.figure("Quetta/profile.incidents").detail["sources"] == (
        "fixture-register 5, pbc-suicide 1, ucdp-ged 6"
    )
    (last,) = _about(result, "Quetta/last.incident")
    assert "2016-10-10, 82 days before the end of the period" in last
    assert last.endswith(" Sources: ucdp-ged.")
    named = 0
    for finding in result.findings:
        behind = [result.figure(k) for k in finding["figures"]]
        if any(f.ids for f in behind):
            assert finding["text"].endswith(f" Sources: {', '.join(finding['sources'])}.")
            named += 1
    assert named >= 10


def test_findings_state_the_limits_of_the_sources(result: Assessment) -> None:
    limits = _limits(result)
    assert UCDP_LIMIT in limits
    assert HEADLINE_LIMIT in limits  # the period starts before 2013
    # each source's first and last record in the country, where they fall inside 2012-2016
    spans = [t.split(" only;")[0] for t in limits if " holds records from " in t]
    assert spans == [
        "fixture-register holds records from 2012-03-05 to 2016-05-01",
        "pbc-suicide holds records from 2014-01-20 to 2016-03-03",
        "ucdp-ged holds records from 2011-12-20 to 2016-10-10",
    ]


# --- other questions -----------------------------------------------------------------------


def test_one_year_has_no_recent_trend_and_ties_order_perpetrators_by_name(
    store: sa.Engine,
) -> None:
    one = assessed(store, spec_with(start="2014-01-01", end="2014-12-31"))
    assert one.perpetrators == ["gbf", "rfl"]  # one Quetta profile incident each in 2014
    slope = one.figure("Quetta/trend.slope")
    assert (slope.value, slope.detail["reason"]) == (None, "fewer than 3 years")
    with pytest.raises(KeyError):
        one.figure("Quetta/trend.recent")
    assert one.figure("Quetta/profile.incidents").value == 2
    assert UCDP_LIMIT in _limits(one)
    assert HEADLINE_LIMIT not in _limits(one)  # 2014 has UCDP headlines


def test_a_period_without_incidents_gives_zeros_and_absence_everywhere(
    store: sa.Engine,
) -> None:
    empty = assessed(store, spec_with(start="2020-01-01", end="2021-12-31"))
    assert empty.perpetrators == []
    assert [empty.figure(f"{a}/profile.incidents").value for a in CENTRES] == [0, 0, 0]
    openings = [t for t in _texts(empty) if t.startswith("In ")]
    assert len(openings) == 3
    assert all("not evidence that no attacks took place" in t for t in openings)
    assert not [t for t in _texts(empty) if re.search(r"\bsafe", t, re.IGNORECASE)]
    # no profile incident at home, so no perpetrator to follow: said, not hidden
    assert [t for t in _limits(empty) if "--perpetrators" in t] == [
        "No perpetrator is named in the records of the profile's incidents in the home "
        "area, so no perpetrator's reach is shown; name them with --perpetrators."
    ]


def test_relocation_areas_default_to_the_largest_cities(store: sa.Engine) -> None:
    default = assessed(store, spec_with(areas=[], airports={}))
    # the gazetteer's populations: Karachi > Lahore > Multan > Quetta (the home) > Pasni
    assert [a["name"] for a in default.areas] == ["Quetta", "Karachi", "Lahore", "Multan"]
    assert default.figure("Multan/reach.incidents:rfl").value == 1


def test_perpetrators_given_are_used_as_given(store: sa.Engine) -> None:
    given = assessed(store, spec_with(perpetrators=["gbf"]))
    assert (given.perpetrators, given.perpetrators_from) == (["gbf"], "given")
    assert not [f for f in given.figures if f.key.endswith(":rfl")]


def test_the_spec_survives_as_dict_and_from_dict() -> None:
    assert AssessmentSpec.from_dict(SPEC.as_dict()) == SPEC


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": "2017-01-01"}, "--from is after --to"),
        ({"profile": []}, "--profile needs at least one victim tag"),
        ({"corridor_km": 0}, "--corridor-km and --airport-km must be greater than 0"),
        ({"recent_years": 0}, "--recent must be 1 or more"),
    ],
)
def test_a_bad_spec_is_refused_before_any_work(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        spec_with(**changes)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        (
            {"profile": ["plenari", "nosuch"]},
            ConfigError,
            "unknown tag 'nosuch'; 'gawahi profiles' lists them",
        ),
        (
            {"factors": ["nosuch"]},
            ConfigError,
            "unknown tag 'nosuch'; 'gawahi profiles' lists them",
        ),
        ({"home": "Atlantis"}, NotFound, "no unit called 'Atlantis' in PAK"),
        ({"areas": ["Karachi", "Atlantis"]}, NotFound, "no unit called 'Atlantis' in PAK"),
        (
            {"areas": ["Karachi", "Quetta"]},
            ConfigError,
            "'Quetta' is Quetta (district), which is already an area of this assessment",
        ),
        (
            {"areas": ["PAK.quetta"]},
            ConfigError,
            "'PAK.quetta' is Quetta (district), which is already an area of this assessment",
        ),
        (
            {"airports": {"Karachi": "ZZZ"}},
            ConfigError,
            "--airport: no airport with IATA code 'ZZZ'",
        ),
    ],
)
def test_bad_input_fails_with_a_clear_message(
    store: sa.Engine, changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        assessed(store, spec_with(**changes))
    assert type(caught.value) is error
    assert str(caught.value) == message


def test_an_airport_for_no_area_of_the_assessment_is_refused(store: sa.Engine) -> None:
    # "karachi" is not the area name "Karachi": LHE must not be dropped silently
    with pytest.raises(ConfigError) as caught:
        assessed(store, spec_with(airports={"karachi": "LHE"}))
    assert str(caught.value) == (
        "--airport names karachi, not an area of this assessment (Quetta, Karachi, Lahore)"
    )


def test_a_relocation_area_around_the_home_is_refused(store: sa.Engine) -> None:
    # Quetta Division holds the Quetta district: its figures are the home's again (8 = 8)
    with pytest.raises(ConfigError, match="Quetta"):
        assessed(store, spec_with(areas=["Quetta Division", "Karachi"], airports={}))


def test_a_period_of_half_a_year_is_half_a_year_of_exposure(store: sa.Engine) -> None:
    try:
        half = assessed(store, spec_with(start="2016-01-01", end="2016-06-30"))
    except ConfigError:
        return  # refusing a period that is not whole years would be a fix as well
    rate = half.figure("Quetta/rate.per_100k")
    days = (date(2016, 6, 30) - date(2016, 1, 1)).days + 1  # 182 of 366
    # the one Quetta profile incident of those months: the register's, 2 deaths
    assert rate.value == pytest.approx(2 / (50_000 * days / 366) * 100_000)


# --- a record not linked yet (last: it adds to the module's store) -------------------


@pytest.fixture(scope="module")
def late(store: sa.Engine, result: Assessment) -> Assessment:
    """The assessment after one more UCDP record (2016-11-20) was imported but not linked
    yet. It stays in the module's store: ``result`` is computed first, and the tests that
    assess again ask nothing it changes."""
    import_records(store, LATE)
    return assessed(store)


def test_a_record_not_linked_yet_counts_as_an_incident_of_its_own(
    late: Assessment, incidents_of: IncidentsOf
) -> None:
    count = late.figure("Quetta/profile.incidents")
    assert count.value == 9
    assert count.ids[-1] == "rucdp-ged:970015"  # "r<uid>", last by date (2016-11-20)
    assert incidents_of(count) == [*QUETTA_PROFILE, inc("ucdp-ged:970015")]
    last = late.figure("Quetta/last.incident")
    assert (last.value, last.ids) == ((END - date(2016, 11, 20)).days, ["rucdp-ged:970015"])
    assert late.figure("Quetta/reach.incidents:rfl").value == 7 + 1
    assert late.figure("Quetta/profile.deaths").value == 27 + 1
    assert late.figure("Quetta/profile.incidents").detail["sources"] == (
        "fixture-register 5, pbc-suicide 1, ucdp-ged 7"
    )
