"""Stored assessments (risk/store.py): save and load, the listing, the datasets an
assessment used with their hashes, and the incidents behind a figure, on both backends.

The store is the one of test_assessment.py (tests/data/risk, fictional groups).
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from gawahi.errors import NotFound
from gawahi.risk import store as stored
from gawahi.risk.assessment import Assessment
from tests.risk.test_assessment import (
    PBC,
    POPULATIONS,
    Q_2011,
    Q_2012,
    Q_2014_MARKET,
    Q_2015_REGISTER,
    QUETTA_PROFILE,
    REGISTER,
    SPEC,
    UCDP,
    assessed,
    key_of,
)


@pytest.fixture(scope="module")
def saved(store: sa.Engine) -> Assessment:
    result = assessed(store)
    with store.begin() as conn:
        stored.save(conn, result)
    return result


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_save_gives_an_id_and_load_returns_the_assessment_as_computed(
    store: sa.Engine, saved: Assessment
) -> None:
    assert isinstance(saved.id, int)
    with store.connect() as conn:
        loaded = stored.load(conn, saved.id)
    assert loaded.id == saved.id
    assert loaded.spec == SPEC
    assert [f.as_dict() for f in loaded.figures] == [f.as_dict() for f in saved.figures]
    for field in fields(Assessment):  # every other part, whatever the dataclass grows
        if field.name not in ("spec", "figures"):
            assert getattr(loaded, field.name) == getattr(saved, field.name), field.name
    assert loaded.link_run_id == 1  # the one link run of the store
    # what explain reads: a figure by key, with its incidents
    assert (
        loaded.figure("Quetta/profile.incidents").ids
        == saved.figure("Quetta/profile.incidents").ids
    )


def test_the_listing_shows_the_parameters(store: sa.Engine, saved: Assessment) -> None:
    with store.connect() as conn:
        rows = {r["id"]: r for r in stored.listing(conn)}
    row = rows[saved.id]  # type: ignore[index]
    assert (row["profile"], row["home"], row["areas"]) == (
        ["plenari", "orbist"],
        "Quetta",
        ["Karachi", "Lahore"],
    )
    assert (row["start"], row["end"], row["airports"]) == (
        "2012-01-01",
        "2016-12-31",
        {"Karachi": "KHI", "Lahore": "LHE"},
    )
    assert row["created_at"][:2] == "20"


def test_an_unknown_assessment_is_not_found(store: sa.Engine) -> None:
    with store.connect() as conn, pytest.raises(NotFound) as caught:
        stored.load(conn, 999_999)
    assert str(caught.value) == "no assessment 999999; 'gawahi assessments' lists them"


def test_the_datasets_used_carry_the_hashes_of_the_imported_files(saved: Assessment) -> None:
    files = {d["file_name"]: d for d in saved.datasets if d["kind"] == "incidents"}
    assert {name: d["sha256"] for name, d in files.items()} == {
        p.name: sha256(p) for p in (UCDP, PBC, REGISTER)
    }
    register = files[REGISTER.name]
    assert (register["name"], register["publisher"], register["licence"]) == (
        "Fixture register of fictional Plenari Orbists (test data)",
        "Fixture Documentation Group",
        "CC BY 4.0",
    )
    assert "UCDP" in files[UCDP.name]["name"]
    # the population behind the Quetta rate, and nothing for the areas without one
    assert [d for d in saved.datasets if d["kind"] == "population"] == [
        {
            "kind": "population",
            "source": "Fixture Population Survey",
            "year": 2015,
            "file_name": POPULATIONS.name,
            "sha256": sha256(POPULATIONS),
        }
    ]


def test_the_incidents_behind_a_figure_are_its_clusters_with_their_records(
    store: sa.Engine, saved: Assessment
) -> None:
    figure = saved.figure("Quetta/profile.incidents")
    with store.connect() as conn:
        behind = stored.incidents_behind(conn, figure.ids)
    assert [item["incident"] for item in behind] == figure.ids
    assert [frozenset(r["uid"] for r in item["records"]) for item in behind] == QUETTA_PROFILE
    first = behind[0]  # FR-01 and UCDP 970002, 2012-03-05
    assert first["incident"] == key_of(store, Q_2012)
    assert (first["date"], first["place"], first["deaths"], first["sources"]) == (
        "2012-03-05",
        "PAK.quetta",
        [3, 3, 4],  # the ledger: median best, lowest low, highest high
        "fixture-register ucdp-ged",
    )
    register, ucdp = first["records"]
    assert {k: v for k, v in register.items() if k != "place"} == {
        "uid": "fixture-register:FR-01",
        "date": "2012-03-05",
        "deaths_best": 3,
        "text": "Three Plenari Orbists were shot at a bus stop.",
        "citations": [{"headline": "Fixture Weekly"}],
    }
    assert ucdp == {
        "uid": "ucdp-ged:970002",
        "date": "2012-03-05",
        "place": "Quetta city",
        "deaths_best": 3,
        "text": "",
        "citations": [
            {
                "publisher": "Fixture Wire",
                "date": "2012-03-05",
                "headline": "RFL gunmen kill three Plenari Orbists at a bus stop",
            }
        ],
    }
    market = behind[QUETTA_PROFILE.index(Q_2014_MARKET)]
    assert (market["deaths"], market["sources"]) == ([7, 6, 8], "pbc-suicide ucdp-ged")
    register_only = behind[QUETTA_PROFILE.index(Q_2015_REGISTER)]
    assert [r["uid"] for r in register_only["records"]] == ["fixture-register:FR-04"]
    assert register_only["date"] == str(date(2015, 11, 11))


def test_a_register_record_behind_a_figure_shows_its_place(
    store: sa.Engine, saved: Assessment
) -> None:
    with store.connect() as conn:
        (item,) = stored.incidents_behind(conn, [key_of(store, Q_2015_REGISTER)])
    assert item["records"][0]["place"] == "Hill quarter"


def test_the_incidents_behind_unlinked_records_and_unknown_keys(store: sa.Engine) -> None:
    (uid,) = Q_2011
    with store.connect() as conn:
        behind = stored.incidents_behind(conn, [f"r{uid}", "rnosuch:1"])
    assert behind == [
        {
            "incident": f"r{uid}",
            "records": [
                {
                    "uid": uid,
                    "date": "2011-12-20",
                    "place": "Quetta city",
                    "deaths_best": 2,
                    "text": "",
                    "citations": [
                        {
                            "publisher": "Fixture Wire",
                            "date": "2011-12-20",
                            "headline": "RFL gunmen kill two Plenari Orbists in Quetta",
                        }
                    ],
                }
            ],
        },
        {"incident": "rnosuch:1", "records": []},
    ]


def test_nothing_behind_a_figure_without_incidents(store: sa.Engine, saved: Assessment) -> None:
    figure = saved.figure("Lahore/profile.incidents")
    with store.connect() as conn:
        assert stored.incidents_behind(conn, figure.ids) == []
