"""What the report says (report/context.py, figures_text.py, annex.py), read off the
fixture store of tests/risk/test_assessment.py (fictional groups), on both backends:
values printed to the precision the data can bear, the profile spelled out as "both",
where each nearest attack was, each dataset with the short name the notes cite it by, and
a source that cites nothing shown by its own words, not as a headline."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from gawahi.report.context import ReportMeta, build_context
from gawahi.report.figures_text import figure_text, interval_text, nearest_note, nearest_where
from gawahi.risk.figures import Figure
from gawahi.risk.findings import profile_phrase
from tests.risk.test_assessment import assessed, risk_packs


@pytest.fixture(scope="module")
def context(store: sa.Engine) -> dict[str, Any]:
    result = assessed(store)
    with store.connect() as conn:
        return build_context(conn, result, risk_packs(), ReportMeta(), draw=False)


@pytest.mark.parametrize(
    ("value", "unit", "printed"),
    [
        (None, "incidents", "–"),
        (8, "incidents", "8"),
        (3.4469, "incidents", "3.4"),  # a Poisson bound: one decimal
        (0.0253, "incidents", "0.025"),  # below 0.1: two significant digits
        (1234.0, "deaths", "1,234"),
        (0.2, "km", "0.2"),
        (585.43, "km", "585"),  # beyond 10 km a tenth is noise
        (0.118, "share", "11.8%"),
        (3.3912, "per 100,000 per year", "3.4"),
        (0.9712, "rate ratio per year", "0.97"),
    ],
)
def test_values_are_printed_to_the_precision_the_data_bears(
    value: float | None, unit: str, printed: str
) -> None:
    assert figure_text(value, unit) == printed


def test_an_interval_without_width_is_not_printed() -> None:
    agreed = Figure("A/profile.deaths", "A", "profile.deaths", "Deaths", 6, "deaths", 6, 6)
    spread = Figure("A/profile.deaths", "A", "profile.deaths", "Deaths", 6, "deaths", 4, 9)
    assert (interval_text(agreed), interval_text(spread)) == ("", "4–9")


def test_a_nearest_attack_says_where_it_was_and_how_well_it_is_placed() -> None:
    detail = {"inside_area": True, "precision": "admin2", "without_precise_point": 3}
    note = nearest_note(detail)
    assert note.startswith("in the area; its place is recorded only as a city or district")
    assert note.endswith("3 of the perpetrator's incidents have no place precise enough to measure")
    assert nearest_note({"inside_area": False, "precision": "exact"}) == "outside the area"
    assert nearest_where(detail) == "in the area, at a city or district point"
    assert nearest_where({"inside_area": False, "precision": "exact"}) == "outside"
    assert nearest_where({}) == ""  # no attack with a point: nothing to say


@pytest.mark.parametrize(
    ("labels", "phrase"),
    [
        (["Hazara"], "Hazara"),
        (["Shia Muslims", "Hazara"], "both Shia Muslims and Hazara"),
        (["Shia Muslims", "Hazara", "Women"], "all of Shia Muslims, Hazara and Women"),
    ],
)
def test_a_profile_of_several_groups_never_reads_as_either(labels: list[str], phrase: str) -> None:
    assert profile_phrase(labels) == phrase


def test_the_profile_is_spelled_out_as_both_groups(context: dict[str, Any]) -> None:
    question = context["question"]
    assert "people identified as both Plenari and Orbists in Quetta" in question["text"]
    assert "one of the groups alone is not enough" in question["profile_rule"]
    assert "(tags plenari, orbist)" in question["profile_rule"]


def test_reach_rows_say_where_the_nearest_attack_was(context: dict[str, Any]) -> None:
    lahore = next(a for a in context["areas"] if a["name"] == "Lahore")
    rfl = next(r for r in lahore["reach"] if r["perpetrator"] == "rfl")
    # the Multan record, 306.4 km from Lahore's centre (test_assessment.py)
    assert (rfl["nearest_km"], rfl["nearest_where"]) == ("306", "outside")
    quetta = next(a for a in context["areas"] if a["name"] == "Quetta")
    assert {r["nearest_where"].split(",")[0] for r in quetta["reach"]} <= {"in the area", ""}


def test_each_dataset_carries_the_short_name_the_notes_use(context: dict[str, Any]) -> None:
    events = [d for d in context["datasets"] if d["kind"] == "incidents"]
    assert {d["cited_as"] for d in events} == {"ucdp-ged", "pbc-suicide", "fixture-register"}
    register = next(d for d in events if d["cited_as"] == "fixture-register")
    assert register["format"] == "tabular"  # a mapped import: cited by the mapping's name
    ucdp = next(d for d in events if d["cited_as"] == "ucdp-ged")
    assert ucdp["url"].startswith("https://ucdp.uu.se/")


def test_a_source_that_cites_nothing_shows_its_own_words(context: dict[str, Any]) -> None:
    sources = [s for row in context["annex"] for s in row["sources"]]
    pbc = [s for s in sources if s["uid"].startswith("pbc-suicide:")]
    assert pbc and all(s["headline"] == "" and s["text"] for s in pbc)
    assert any("Plenari" in s["text"] for s in pbc)  # "Market in the Plenari quarter", ...
    cited = [s for s in sources if s["uid"].startswith("ucdp-ged:") and s["headline"]]
    assert cited and all(s["text"] == "" for s in cited)
