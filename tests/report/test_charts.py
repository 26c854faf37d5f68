"""Charts and maps as SVG: every year and every point drawn, text kept as text in the
report's fonts and Urdu shaped when outlined for print, the same SVG for the same input,
and boundaries read back from the store."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from gawahi.errors import ConfigError
from gawahi.geo.boundaries import import_boundaries
from gawahi.geo.units import UnitIndex, sync_packs
from gawahi.report import drawing
from gawahi.report.charts import annual_chart
from gawahi.report.maps import area_map, boundaries_near, corridor
from gawahi.report.render_svg_text import TextStyle, outline_rtl_text
from gawahi.report.render_svg_text import _shape as shape_run

SVG = "{http://www.w3.org/2000/svg}"
QUETTA_UR = "کوئٹہ"


def by_id(svg: str) -> dict[str, ET.Element]:
    return {el.get("id"): el for el in ET.fromstring(svg).iter() if el.get("id")}  # type: ignore[misc]


def drawn_shapes(group: ET.Element) -> int:
    """Paths and uses of a group, not counting shared definitions (<defs>)."""
    if group.tag == f"{SVG}defs":
        return 0
    mine = int(group.tag in (f"{SVG}path", f"{SVG}use"))
    return mine + sum(drawn_shapes(child) for child in group)


def square(lon: float, lat: float, side: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


# ------------------------------------------------------------------------- annual chart

PER_YEAR = {"2010": 2, "2012": 5, "2013": 1}
DEATHS = {"2010": 3, "2012": 40, "2014": 0}


def test_every_year_of_the_period_has_a_bar_zeros_too() -> None:
    svg = annual_chart(PER_YEAR, DEATHS, "Quetta: incidents per year")
    ids = by_id(svg)
    bars = sorted(gid for gid in ids if gid.startswith("bar-"))
    assert bars == ["bar-2010", "bar-2011", "bar-2012", "bar-2013", "bar-2014"]
    assert "deaths-line" in ids


def test_only_years_with_incidents_carry_a_count() -> None:
    ids = by_id(annual_chart(PER_YEAR, DEATHS, "Quetta"))
    assert sorted(gid for gid in ids if gid.startswith("count-")) == [
        "count-2010", "count-2012", "count-2013"
    ]  # fmt: skip
    assert [t.text for t in ids["count-2012"].iter(f"{SVG}text")] == ["5"]


def test_a_long_title_is_wrapped_not_cut() -> None:
    title = (
        "Islamabad Capital Territory (territory): incidents with victims of the profile "
        "over the period"
    )
    texts = [
        t.text or ""
        for t in ET.fromstring(annual_chart(PER_YEAR, DEATHS, title)).iter(f"{SVG}text")
    ]
    lines = [t for t in texts if t and t in title]
    assert len(lines) == 2 and " ".join(lines) == title
    assert max(map(len, texts)) <= 80


def test_without_deaths_there_is_no_line() -> None:
    ids = by_id(annual_chart({"2020": 0, "2021": 3}, None, "Karachi"))
    assert "deaths-line" not in ids
    assert {"bar-2020", "bar-2021"} <= set(ids)


def test_the_same_figures_give_the_same_svg_without_a_date() -> None:
    first = annual_chart(PER_YEAR, DEATHS, "Lahore")
    assert first == annual_chart(PER_YEAR, DEATHS, "Lahore")
    assert "<dc:date>" not in first


def test_text_is_text_in_the_report_fonts() -> None:
    svg = annual_chart(PER_YEAR, DEATHS, "Quetta")
    texts = [el for el in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "Quetta" in [el.text for el in texts]
    assert all(
        "font-family: 'Noto Sans', 'Noto Naskh Arabic'" in el.get("style", "") for el in texts
    )
    assert "NotoSans-" not in svg  # no glyph outlines


# ---------------------------------------------------------------------------------- map

BOUNDARIES = [
    {"unit_id": "PAK.area", "name": "Area", "geometry": square(66.8, 30.0, 0.4)},
    {"unit_id": "PAK.north", "name": QUETTA_UR, "geometry": square(66.6, 30.4, 0.8)},
    {"unit_id": "PAK.far", "name": "Far", "geometry": square(60.0, 25.0, 1.0)},
]
POINTS = [
    {"lat": 30.20, "lon": 67.00, "kind": "profile", "deaths": 12},
    {"lat": 30.22, "lon": 67.02, "kind": "profile", "deaths": 0},
    {"lat": 30.18, "lon": 66.98, "kind": "profile", "deaths": 90},
    {"lat": 30.25, "lon": 67.05, "kind": "perpetrator", "deaths": 3},
    {"lat": 30.10, "lon": 66.90, "kind": "perpetrator", "deaths": None},
    {"lat": 30.30, "lon": 67.10, "kind": "other", "deaths": 1},
    {"lat": None, "lon": None, "kind": "profile", "deaths": 5},  # no coordinates: not drawn
]
AIRPORT = {"name": "Quetta International Airport", "iata": "UET", "lat": 30.62, "lon": 66.95}


def draw_map(**changes: Any) -> str:
    options: dict[str, Any] = {
        "boundaries": BOUNDARIES, "outline_unit": "PAK.area", "points": POINTS,
        "airport": AIRPORT, "corridor_km": 10.0, "centre": (30.19, 67.0), "title": "Area",
    }  # fmt: skip
    return area_map(**{**options, **changes})


def test_the_map_draws_each_point_by_kind_and_the_route() -> None:
    ids = by_id(draw_map())
    assert drawn_shapes(ids["points-profile"]) == 3
    assert drawn_shapes(ids["points-perpetrator"]) == 2
    assert drawn_shapes(ids["points-other"]) == 1
    expected = {"area-outline", "unit-PAK.north", "centre", "airport", "route", "corridor"}
    assert expected | {"scale-bar", "north-arrow", "label-PAK.north"} <= set(ids)
    assert "unit-PAK.far" not in ids  # 600 km away: outside the map


def test_without_airport_or_corridor_there_is_no_route() -> None:
    ids = by_id(draw_map(airport=None, corridor_km=None, points=[]))
    assert not {"airport", "route", "corridor", "points-profile"} & set(ids)
    assert by_id(draw_map(corridor_km=None)).keys() >= {"route", "airport"}


def test_the_same_map_gives_the_same_svg() -> None:
    assert draw_map() == draw_map()


def test_an_urdu_name_is_text_for_browsers_and_shaped_outlines_for_print() -> None:
    pytest.importorskip("uharfbuzz", reason="uharfbuzz shapes SVG labels for print")
    svg = draw_map()
    label = by_id(svg)["label-PAK.north"]
    assert [el.text for el in label.iter(f"{SVG}text")] == [QUETTA_UR]  # logical order
    printed = by_id(outline_rtl_text(svg))["label-PAK.north"]
    assert not list(printed.iter(f"{SVG}text"))
    (path,) = printed.iter(f"{SVG}path")
    assert path.get("aria-label") == QUETTA_UR and path.get("d")
    style = TextStyle(0, 0, 12, ("Noto Naskh Arabic",), False, "start", True)
    glyphs, _ = shape_run(QUETTA_UR, True, style)  # what outline_rtl_text draws
    font = FT2Font(drawing.font_file("Noto Naskh Arabic"))
    isolated = {font.get_char_index(ord(c)) for c in QUETTA_UR}
    assert {gid for gid, _, _ in glyphs.ids} - isolated, "isolated letter forms: not shaped"


def test_the_corridor_is_as_wide_in_km_east_west_as_north_south() -> None:
    band = corridor([(67.0, 30.0), (67.0, 31.0)], 10.0)  # a north-south route
    half_width_km = (band.bounds[2] - 67.0) * 111.32 * 0.8616  # cos(30.5°)
    assert half_width_km == pytest.approx(10.0, rel=0.01)


# ------------------------------------------------------------------------------- errors


def test_a_missing_noto_font_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_found(*args: object, **kwargs: object) -> str:
        raise ValueError("Failed to find font")

    monkeypatch.setattr(font_manager.fontManager, "findfont", not_found)
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    with pytest.raises(ConfigError, match="install fonts-noto-core"):
        annual_chart(PER_YEAR, None, "Quetta")


def test_matplotlib_without_text_shaping_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(drawing.ft2font, "__libraqm_version__", "", raising=False)
    with pytest.raises(ConfigError, match=r"matplotlib >= 3\.11"):
        draw_map()


# ------------------------------------------------------------------- boundaries_near


def circle(lon: float, lat: float, radius: float, vertices: int = 400) -> dict[str, Any]:
    import math

    ring = [
        [lon + radius * math.cos(2 * math.pi * i / vertices),
         lat + radius * math.sin(2 * math.pi * i / vertices)]
        for i in range(vertices)
    ]  # fmt: skip
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def feature(name: str, geometry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"shapeName": name}, "geometry": geometry}


@pytest.fixture
def store(engine: sa.Engine, tmp_path: Path) -> sa.Engine:
    """Quetta as a 400-sided circle, Pishin north of it, Mastung south, Gwadar far away."""
    features = [
        feature("Quetta", circle(67.0, 30.2, 0.25)),
        feature("Pishin", square(66.6, 30.45, 0.6)),
        feature("Mastung", square(66.5, 29.3, 0.65)),
        feature("Gwadar", square(62.0, 25.0, 1.0)),
    ]
    path = tmp_path / "four_districts_one_far.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with engine.begin() as conn:
        sync_packs(conn)
        import_boundaries(conn, UnitIndex.load(conn), path, 2, country="PAK")
    return engine


def test_an_area_comes_first_simplified_with_its_neighbours(store: sa.Engine) -> None:
    with store.connect() as conn:
        found = boundaries_near(conn, {"PAK.quetta"}, (66.9, 30.1, 67.1, 30.3))
    assert [b["unit_id"] for b in found] == ["PAK.quetta", "PAK.mastung", "PAK.pishin"]
    assert found[0]["name"] == "Quetta"
    assert 8 < len(found[0]["geometry"]["coordinates"][0]) < 100  # from 401 points


def test_a_division_is_drawn_as_the_union_of_its_districts(store: sa.Engine) -> None:
    with store.connect() as conn:
        found = boundaries_near(conn, {"PAK.quetta-division"}, (66.9, 30.1, 67.1, 30.3))
    assert [b["unit_id"] for b in found] == ["PAK.quetta-division", "PAK.mastung"]
    assert found[0]["name"] == "Quetta Division"


def test_no_imported_boundaries_means_none_near(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        assert boundaries_near(conn, {"PAK.quetta"}, (66.9, 30.1, 67.1, 30.3)) == []
