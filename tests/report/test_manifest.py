"""The manifest beside a report (report/manifest.py): what it holds, its order, its file,
on both backends.

The store is the one of tests/risk/test_assessment.py (tests/data/risk, fictional groups).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from gawahi.errors import InputError
from gawahi.report import manifest as manifests
from gawahi.report.manifest import build_manifest, write_manifest
from gawahi.risk import store as stored
from gawahi.risk.assessment import Assessment
from tests.risk.test_assessment import (
    PBC,
    POPULATIONS,
    REGISTER,
    UCDP,
    assessed,
)

MADE_AT = datetime(2026, 12, 6, 9, 30, 15, 123456, tzinfo=UTC)


def fixed_clock() -> datetime:
    return MADE_AT


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def result(store: sa.Engine) -> Assessment:
    return assessed(store)


def build(result: Assessment, reports: list[Path] | None = None) -> Any:
    return build_manifest(result, reports, clock=fixed_clock)


def test_the_manifest_names_its_format_version_time_and_parameters(
    store: sa.Engine, result: Assessment
) -> None:
    manifest = build(result)
    assert list(manifest) == [
        "format",
        "gawahi_version",
        "created_at",
        "assessment_id",
        "params",
        "link_run_id",
        "areas",
        "perpetrators",
        "perpetrators_from",
        "coverage",
        "datasets",
        "figures",
        "findings",
        "reports",
    ]
    assert manifest["format"] == "gawahi-manifest/1"
    assert manifest["gawahi_version"] == version("gawahi")
    assert manifest["created_at"] == "2026-12-06T09:30:15+00:00"
    assert manifest["assessment_id"] is None  # computed, not stored
    assert manifest["params"] == {
        "country": "PAK",
        "profile": ["plenari", "orbist"],
        "home": "Quetta",
        "start": "2012-01-01",
        "end": "2016-12-31",
        "areas": ["Karachi", "Lahore"],
        "factors": ["lampwright"],
        "perpetrators": [],
        "airports": {"Karachi": "KHI", "Lahore": "LHE"},
        "corridor_km": 10.0,
        "airport_km": 5.0,
        "recent_years": 3,
        "min_confidence": 0.0,
    }
    assert manifest["link_run_id"] == 1  # the store's one link run
    assert [a["name"] for a in manifest["areas"]] == ["Quetta", "Karachi", "Lahore"]
    assert (manifest["perpetrators"], manifest["perpetrators_from"]) == (["rfl", "gbf"], "home")
    assert manifest["reports"] == []


def test_a_stored_assessment_gives_the_manifest_of_the_computed_one(
    store: sa.Engine, result: Assessment
) -> None:
    """Reports are written from stored assessments: loading must lose nothing."""
    computed = assessed(store)
    with store.begin() as conn:
        stored.save(conn, computed)
    with store.connect() as conn:
        loaded = stored.load(conn, computed.id)  # type: ignore[arg-type]
    from_store = build(loaded)
    assert from_store["assessment_id"] == computed.id
    assert {**from_store, "assessment_id": None} == build(result)


def test_a_clock_in_another_zone_is_written_in_utc(store: sa.Engine, result: Assessment) -> None:
    karachi = datetime(2026, 12, 6, 14, 30, tzinfo=timezone(timedelta(hours=5)))
    manifest = build_manifest(result, clock=lambda: karachi)
    assert manifest["created_at"] == "2026-12-06T09:30:00+00:00"


def test_the_default_clock_is_the_module_function(
    store: sa.Engine, result: Assessment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(manifests, "utc_now", fixed_clock)
    assert build_manifest(result)["created_at"] == "2026-12-06T09:30:15+00:00"


def test_every_figure_is_there_with_its_value_interval_and_incidents(
    store: sa.Engine, result: Assessment
) -> None:
    figures = build(result)["figures"]
    assert [f["key"] for f in figures] == [f.key for f in result.figures]
    for entry, figure in zip(figures, result.figures, strict=True):
        assert list(entry) == [
            "key",
            "area",
            "indicator",
            "label",
            "value",
            "low",
            "high",
            "unit",
            "ids",
            "detail",
        ]
        assert (entry["area"], entry["indicator"], entry["unit"]) == (
            figure.area,
            figure.indicator,
            figure.unit,
        )
        assert (entry["value"], entry["low"], entry["high"]) == (
            figure.value,
            figure.low,
            figure.high,
        ), figure.key
        assert entry["ids"] == figure.ids  # in the figure's own (date) order
        assert list(entry["detail"]) == sorted(figure.detail), figure.key
    quetta = next(f for f in figures if f["key"] == "Quetta/profile.incidents")
    assert (quetta["value"], len(quetta["ids"])) == (8, 8)  # the eight designed incidents
    assert quetta["detail"]["per_year"] == {
        "2012": 1,
        "2013": 1,
        "2014": 2,
        "2015": 2,
        "2016": 2,
    }


def test_the_datasets_carry_their_hashes_and_format(store: sa.Engine, result: Assessment) -> None:
    datasets = build(result)["datasets"]
    files = {d["file_name"]: d for d in datasets if d["kind"] == "incidents"}
    assert {name: d["sha256"] for name, d in files.items()} == {
        p.name: sha256(p) for p in (UCDP, PBC, REGISTER)
    }
    assert {name: d["format"] for name, d in files.items()} == {
        UCDP.name: "ucdp-ged",
        PBC.name: "pbc-suicide",
        REGISTER.name: "tabular",
    }
    register = files[REGISTER.name]
    assert (register["licence"], register["citation"]) == (
        "CC BY 4.0",
        "Fixture Documentation Group, Fixture register of fictional Plenari Orbists "
        "(test data), version 2024-05.",
    )
    assert [d for d in datasets if d["kind"] == "population"] == [
        {
            "kind": "population",
            "source": "Fixture Population Survey",
            "year": 2015,
            "file_name": POPULATIONS.name,
            "sha256": sha256(POPULATIONS),
        }
    ]


def test_the_findings_are_there_as_drawn(store: sa.Engine, result: Assessment) -> None:
    findings = build(result)["findings"]
    assert [f["text"] for f in findings] == [f["text"] for f in result.findings]
    assert findings[0]["figures"] == ["Quetta/profile.incidents", "Quetta/profile.deaths"]


def test_each_report_file_is_named_with_its_format_and_hash(
    store: sa.Engine, result: Assessment, tmp_path: Path
) -> None:
    pdf, docx = tmp_path / "report.PDF", tmp_path / "report.docx"
    pdf.write_bytes(b"%PDF-1.7 fixture")
    docx.write_bytes(b"PK fixture")
    reports = build(result, [pdf, docx])["reports"]
    assert reports == [
        {
            "file_name": "report.PDF",
            "format": "pdf",
            "sha256": hashlib.sha256(b"%PDF-1.7 fixture").hexdigest(),
        },
        {
            "file_name": "report.docx",
            "format": "docx",
            "sha256": hashlib.sha256(b"PK fixture").hexdigest(),
        },
    ]


def test_a_report_file_that_cannot_be_read_is_named(
    store: sa.Engine, result: Assessment, tmp_path: Path
) -> None:
    missing = tmp_path / "never_written.html"
    with pytest.raises(InputError) as caught:
        build(result, [missing])
    assert str(caught.value) == f"{missing}: cannot read: No such file or directory"


def test_the_written_file_reads_back_as_the_manifest_indented(
    store: sa.Engine, result: Assessment, tmp_path: Path
) -> None:
    manifest = build(result)
    path = tmp_path / "report.manifest.json"
    write_manifest(manifest, path)
    text = path.read_text(encoding="utf-8")
    assert orjson.loads(text) == manifest
    assert text.startswith('{\n  "format": "gawahi-manifest/1",\n  "gawahi_version": ')
    assert text.endswith("}\n")
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no partial file left


def test_the_same_assessment_gives_the_same_bytes(
    store: sa.Engine, result: Assessment, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    write_manifest(build(result), first)
    write_manifest(build(assessed(store)), second)
    assert first.read_bytes() == second.read_bytes()


def test_floats_are_written_as_computed(store: sa.Engine, result: Assessment) -> None:
    share = result.figure("Quetta/general.share")
    entry = next(f for f in build(result)["figures"] if f["key"] == share.key)
    text = orjson.dumps(entry)
    assert f'"low":{share.low!r}'.encode() in text  # shortest repr, not rounded
    assert orjson.loads(text)["high"] == share.high


def test_a_manifest_that_cannot_be_written_is_named(
    store: sa.Engine, result: Assessment, tmp_path: Path
) -> None:
    path = tmp_path / "no_such_folder" / "report.manifest.json"
    with pytest.raises(InputError) as caught:
        write_manifest(build(result), path)
    assert str(caught.value) == f"{path}: cannot write: No such file or directory"
