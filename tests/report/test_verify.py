"""``verify`` (report/verify.py): a fresh manifest passes; after the data behind a figure
change, it fails naming that figure and only that one; a changed dataset always fails,
naming it with both hashes; a file that is not a manifest is an InputError naming it.
On both backends.

Every change to the store is made in a transaction that is rolled back, so the module's
store stays as built. The figures a change touches are derived by hand from the fixture
(tests/data/risk/README.md).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from gawahi.errors import FormatError, InputError
from gawahi.report.manifest import build_manifest, write_manifest
from gawahi.report.verify import (
    FigureDifference,
    Verification,
    read_manifest,
    verify,
    verify_file,
)
from gawahi.store import schema
from tests.risk.test_assessment import (
    PBC,
    POPULATIONS,
    REGISTER,
    assessed,
    risk_packs,
)

HALL = "pbc-suicide:2"  # Karachi, 2016-03-03, 5 deaths (4-5), no perpetrator, a city point
K_GBF = "ucdp-ged:970013"  # Karachi, 2015-05-05, GBF, the GBF attack nearest Karachi


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def manifest(store: sa.Engine) -> dict[str, Any]:
    return build_manifest(assessed(store), clock=lambda: datetime(2026, 12, 6, tzinfo=UTC))


@contextmanager
def changed(store: sa.Engine, *statements: Any) -> Iterator[sa.Connection]:
    """A connection that sees ``statements`` applied; all undone afterwards."""
    with store.connect() as conn:
        transaction = conn.begin()
        try:
            for statement in statements:
                conn.execute(statement)
            yield conn
        finally:
            transaction.rollback()


def verified(store: sa.Engine, manifest: dict[str, Any], *statements: Any) -> Verification:
    with changed(store, *statements) as conn:
        return verify(conn, manifest, packs=risk_packs())


def by_field(result: Verification) -> dict[tuple[str, str], tuple[Any, Any]]:
    return {(d.key, d.field): (d.expected, d.actual) for d in result.figure_differences}


def dataset_id(store: sa.Engine, path: Path) -> int:
    d = schema.datasets
    with store.connect() as conn:
        return int(conn.scalar(sa.select(d.c.id).where(d.c.file_name == path.name)))


# --- a fresh manifest ------------------------------------------------------------------------


def test_a_fresh_manifest_verifies(store: sa.Engine, manifest: dict[str, Any]) -> None:
    result = verified(store, manifest)
    assert result.ok, result.lines()
    assert result.lines() == [
        f"verified: {len(manifest['figures'])} figures recomputed as in the manifest, "
        "4 datasets unchanged"  # three files of incidents and one of population
    ]
    # per area: 11 figures, 2 for each of the 2 perpetrators, 2 for the factor; 3 areas
    assert len(manifest["figures"]) == 51
    assert (result.problems(), result.notes, result.differing_figures()) == ([], [], [])


def test_a_manifest_read_from_its_file_verifies_with_its_report_files(
    store: sa.Engine, manifest: dict[str, Any], tmp_path: Path
) -> None:
    report = tmp_path / "report.html"
    report.write_text("<h1>fixture report</h1>", encoding="utf-8")
    path = tmp_path / "report.manifest.json"
    write_manifest({**manifest, "reports": [_entry(report)]}, path)
    with store.connect() as conn:
        assert verify_file(conn, path, packs=risk_packs()).ok

    report.write_text("<h1>fixture report, edited</h1>", encoding="utf-8")
    with store.connect() as conn:
        result = verify_file(conn, path, packs=risk_packs())
    assert result.file_mismatches == [
        f"report.html: sha256 {hashlib.sha256(b'<h1>fixture report</h1>').hexdigest()} "
        f"in the manifest, {sha256(report)} of the file"
    ]
    assert result.lines()[0] == "VERIFICATION FAILED: 1 report file(s) changed"

    report.unlink()
    with store.connect() as conn:
        result = verify_file(conn, path, packs=risk_packs())
        unchecked = verify_file(conn, path, check_files=False, packs=risk_packs())
    assert result.file_mismatches == [f"report.html is not beside the manifest in {tmp_path}"]
    assert unchecked.ok


def _entry(path: Path) -> dict[str, str]:
    return {"file_name": path.name, "format": "html", "sha256": sha256(path)}


# --- the data behind a figure changed ----------------------------------------------------------


def test_changed_deaths_of_one_record_name_the_one_figure_built_on_them(
    store: sa.Engine, manifest: dict[str, Any]
) -> None:
    """The Karachi hall bombing (5, range 4-5) said to have killed 50 (40-50). It has no
    perpetrator and only a city's point, so no reach or route figure counts it: only
    Karachi's profile deaths change, 2+1+5 = 8 (7-8) becoming 2+1+50 = 53 (43-53)."""
    inc, cm, c = schema.incidents, schema.cluster_members, schema.clusters
    deaths = {"deaths_best": 50, "deaths_low": 40, "deaths_high": 50}
    own_cluster = sa.select(cm.c.cluster_id).where(cm.c.uid == HALL).scalar_subquery()
    result = verified(
        store,
        manifest,
        inc.update().where(inc.c.uid == HALL).values(**deaths),
        c.update().where(c.c.id == own_cluster).values(**deaths),  # if it is a cluster
    )
    assert not result.ok
    assert result.differing_figures() == ["Karachi/profile.deaths"]
    assert by_field(result) == {
        ("Karachi/profile.deaths", "value"): (8, 53),
        ("Karachi/profile.deaths", "low"): (7, 43),
        ("Karachi/profile.deaths", "high"): (8, 53),
        ("Karachi/profile.deaths", "detail.per_year.2016"): (5, 50),
    }
    assert (result.dataset_changes, result.missing_figures, result.extra_figures) == ([], [], [])
    assert result.lines()[:2] == [
        "VERIFICATION FAILED: 1 figure(s) differ (Karachi/profile.deaths); 2 finding(s) differ",
        "figure differs: Karachi/profile.deaths: value 8 in the manifest, 53 now",
    ]
    assert [line.split(":")[0] for line in result.finding_differences] == [
        "finding no longer drawn",
        "finding new",
    ]
    assert "with 53 deaths (range 43–53)" in result.finding_differences[1]


def test_a_deleted_perpetrator_tag_names_the_reach_figures_of_that_perpetrator(
    store: sa.Engine, manifest: dict[str, Any]
) -> None:
    """Without its GBF tag, the Karachi GBF attack (23 km from the centre) leaves
    Karachi's GBF reach: 1 incident becomes 0, and the nearest GBF attack is now one in
    Quetta, hundreds of km away. Lahore's nearest GBF attack was already in Quetta."""
    t = schema.tags
    untag = t.delete().where(t.c.incident_uid == K_GBF, t.c.tag == "gbf", t.c.role == "perpetrator")
    result = verified(store, manifest, untag)
    assert result.differing_figures() == [
        "Karachi/reach.incidents:gbf",
        "Karachi/reach.nearest:gbf",
    ]
    fields = by_field(result)
    assert fields[("Karachi/reach.incidents:gbf", "value")] == (1, 0)
    was, now = fields[("Karachi/reach.nearest:gbf", "value")]
    assert was == 23.0
    assert now > 500
    (ids,) = [d for d in result.figure_differences if d.field == "ids" and "incidents" in d.key]
    assert (len(ids.expected), ids.actual) == (1, [])
    assert ids.describe().startswith("Karachi/reach.incidents:gbf: incidents 1 in the manifest")
    assert ids.describe().endswith("; gained none")
    assert result.dataset_changes == []


def test_a_figure_altered_in_the_manifest_is_named(
    store: sa.Engine, manifest: dict[str, Any]
) -> None:
    altered = copy.deepcopy(manifest)
    figures = {f["key"]: f for f in altered["figures"]}
    figures["Quetta/profile.incidents"]["value"] = 9
    dropped = figures["Quetta/general.incidents"]["ids"].pop()
    share = figures["Quetta/general.share"]
    share["low"] *= 1 + 1e-12  # within the tolerance
    share["high"] *= 1 + 1e-6  # outside it
    figures["Quetta/route.corridor"]["ids"].reverse()  # order does not matter
    altered["figures"].append({**figures["Lahore/route.airport"], "key": "Lahore/invented"})
    altered["figures"].remove(figures["Lahore/last.incident"])
    result = verified(store, altered)
    assert result.differing_figures() == [
        "Quetta/profile.incidents",
        "Quetta/general.incidents",
        "Quetta/general.share",
    ]
    assert [(d.key, d.field) for d in result.figure_differences] == [
        ("Quetta/profile.incidents", "value"),
        ("Quetta/general.incidents", "ids"),
        ("Quetta/general.share", "high"),
    ]
    ids = result.figure_differences[1]
    assert ids.describe() == (
        f"Quetta/general.incidents: incidents 9 in the manifest, 10 now; lost none; "
        f"gained {dropped}"
    )
    assert (result.missing_figures, result.extra_figures) == (
        ["Lahore/invented"],
        ["Lahore/last.incident"],
    )


def test_another_version_or_link_run_is_a_note_not_a_failure(
    store: sa.Engine, manifest: dict[str, Any]
) -> None:
    older = {**manifest, "gawahi_version": "0.0.1", "link_run_id": None}
    result = verified(store, older)
    assert result.ok
    assert result.notes[0].startswith("the manifest was made with gawahi 0.0.1, verified with ")
    assert result.notes[1] == (
        "the manifest saw link run None, the store's latest is 1: clusters may have "
        "changed (see the figures' incidents)"
    )
    assert result.lines()[1:] == [f"note: {note}" for note in result.notes]


# --- datasets ------------------------------------------------------------------------------


def test_a_changed_dataset_hash_fails_loudly_naming_the_dataset_and_both_hashes(
    store: sa.Engine, manifest: dict[str, Any]
) -> None:
    d = schema.datasets
    register = dataset_id(store, REGISTER)
    result = verified(store, manifest, d.update().where(d.c.id == register).values(sha256="0" * 64))
    assert not result.ok
    assert result.figure_differences == []  # the figures agree: the data still fail
    assert result.dataset_changes == [
        f"dataset {register} 'Fixture register of fictional Plenari Orbists (test data)' "
        f"({REGISTER.name}): sha256 {sha256(REGISTER)} in the manifest, {'0' * 64} in the store"
    ]
    assert result.lines() == [
        "VERIFICATION FAILED: 1 dataset change(s)",
        f"DATASET CHANGED: {result.dataset_changes[0]}",
    ]


def test_a_new_release_replacing_a_dataset_names_both(
    store: sa.Engine, manifest: dict[str, Any]
) -> None:
    """Pakistan Body Count's records moved to a new file, as a new release's import does;
    a new dataset of the country the manifest did not have is a change by itself."""
    d, inc = schema.datasets, schema.incidents
    old = dataset_id(store, PBC)
    new_id = 90
    release = d.insert().values(
        id=new_id,
        format="pbc-suicide",
        name="Pakistan Body Count, a later release",
        file_name="pbc_suicide_next_release.csv",
        sha256="a" * 64,
        imported_at=datetime(2027, 1, 1, tzinfo=UTC),
    )
    move = inc.update().where(inc.c.dataset_id == old).values(dataset_id=new_id)
    result = verified(store, manifest, release, move)
    assert result.dataset_changes == [
        f"dataset {old} 'Pakistan Body Count: Pakistan Suicide Bombing Attacks' ({PBC.name}), "
        f"sha256 {sha256(PBC)}, no longer holds records of PAK in the store",
        f"dataset {new_id} 'Pakistan Body Count, a later release' "
        f"(pbc_suicide_next_release.csv), sha256 {'a' * 64}, holds records of PAK in the "
        "store; the manifest does not list it",
    ]
    assert result.figure_differences == []


def test_a_deleted_dataset_is_named(store: sa.Engine, manifest: dict[str, Any]) -> None:
    """The store keeps no dataset without its records; a manifest can still name one the
    store never had (another store, or an id edited)."""
    altered = copy.deepcopy(manifest)
    ghost = {**altered["datasets"][0], "id": 999, "sha256": "b" * 64}
    altered["datasets"].append(ghost)
    result = verified(store, altered)
    assert result.dataset_changes == [
        f"dataset 999 {ghost['name']!r} ({ghost['file_name']}), sha256 {'b' * 64} in the "
        "manifest, is no longer in the store"
    ]


def test_a_changed_population_file_is_a_dataset_change_and_names_the_rate(
    store: sa.Engine, manifest: dict[str, Any]
) -> None:
    p = schema.populations
    result = verified(store, manifest, p.update().values(file_sha256="c" * 64))
    assert result.dataset_changes == [
        f"population figures of Fixture Population Survey (2015) from {POPULATIONS.name} "
        f"(sha256 {sha256(POPULATIONS)}) in the manifest, now {POPULATIONS.name} "
        f"(sha256 {'c' * 64})"
    ]
    assert result.figure_differences == [
        FigureDifference(
            "Quetta/rate.per_100k", "detail.file_sha256", sha256(POPULATIONS), "c" * 64
        )
    ]


# --- not a manifest -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"format": "gawahi-manifest/1",', "not a gawahi manifest: not JSON ("),
        ("[1, 2]", "not a gawahi manifest: it holds a JSON list, not an object"),
        (
            '{"format": "datapackage/1"}',
            "not a gawahi manifest: its format is 'datapackage/1', not 'gawahi-manifest/1'",
        ),
        (
            '{"format": "gawahi-manifest/1", "params": {}, "datasets": []}',
            "not a gawahi manifest: 'figures' is missing or not a list",
        ),
        (
            '{"format": "gawahi-manifest/1", "params": {}, "datasets": [], '
            '"figures": [{"key": "Quetta/profile.incidents"}]}',
            "not a gawahi manifest: figure 'Quetta/profile.incidents' has no list of incident ids",
        ),
        (
            '{"format": "gawahi-manifest/1", "params": {}, "figures": [], '
            '"datasets": [{"kind": "incidents", "id": "1"}]}',
            "not a gawahi manifest: an incidents dataset without an integer id",
        ),
    ],
    ids=["truncated", "list", "other_format", "no_figures", "figure_without_ids", "string_id"],
)
def test_a_file_that_is_not_a_manifest_is_an_input_error_naming_it(
    tmp_path: Path, text: str, reason: str
) -> None:
    path = tmp_path / "report.manifest.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        read_manifest(path)
    assert isinstance(caught.value, InputError)
    assert caught.value.path == path
    assert str(caught.value).startswith(f"{path}: {reason}")


def test_a_missing_manifest_is_named(tmp_path: Path) -> None:
    path = tmp_path / "never_written.json"
    with pytest.raises(InputError) as caught:
        read_manifest(path)
    assert str(caught.value) == f"{path}: cannot read: No such file or directory"


def test_params_that_are_not_an_assessment_name_the_manifest(
    store: sa.Engine, manifest: dict[str, Any]
) -> None:
    broken = {**manifest, "params": {**manifest["params"], "start": "2012-02-01"}}
    with store.connect() as conn, pytest.raises(InputError) as caught:
        verify(conn, broken, path="case_17/report.manifest.json", packs=risk_packs())
    assert str(caught.value) == (
        "case_17/report.manifest.json: its params are not an assessment's: the period "
        "2012-02-01..2016-12-31 is not whole calendar years: start on 1 January and end on "
        "31 December"
    )


def test_a_manifest_given_as_data_is_checked_too(store: sa.Engine) -> None:
    with store.connect() as conn, pytest.raises(InputError) as caught:
        verify(conn, orjson.loads(b'{"format": "gawahi-manifest/1"}'))
    assert (
        str(caught.value) == "manifest: not a gawahi manifest: 'params' is missing or not an object"
    )
