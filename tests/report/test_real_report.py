"""The flagship report from ../shared/data, built by the README's first command
(``gawahi quickstart``): the PDF holds every dataset's required citation and every
annexed incident's source records; ``gawahi verify`` passes on it and fails, naming the
figure, once a record behind it changed. SQLite; skipped when the data is absent."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gawahi.cli import main
from gawahi.store.engine import connect
from tests.conftest import shared_file

pytestmark = pytest.mark.realdata

EVENTS = (
    ("ucdp_ged_pakistan", "conflict_data_pak.csv"),
    ("pakistan_suicide_attacks", "pakistan_suicide_attacks_v11.csv"),
    ("pakistan_drone_attacks", "PakistanDroneAttacks.csv"),
)
ESTIMATES = ("hazara_shia_population_estimates", "hazara_shia_population_estimates.csv")
CENSUS = ("census_pakistan_2017", "pakistan_census2017_table1_admin_units.csv")
BOUNDARIES = ("PAK_ADM1_geoboundaries.geojson", "PAK_ADM2_geoboundaries_simplified.geojson")


def _gawahi(url: str, *args: str) -> str:
    outcome = CliRunner().invoke(main, ["--db", url, *args], catch_exceptions=False)
    assert outcome.exit_code == 0, outcome.output
    return outcome.output


@pytest.fixture(scope="module")
def flagship(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("flagship")
    url = f"sqlite:///{folder / 'store.sqlite'}"
    args = [f"--from={shared_file(*e)}" for e in EVENTS]
    args += [
        f"--boundaries={shared_file('boundaries_pakistan_geoboundaries', b)}" for b in BOUNDARIES
    ]
    estimates = shared_file(*ESTIMATES)
    args += [f"--estimates={estimates}", f"--census={shared_file(*CENSUS)}"]
    _gawahi(url, "quickstart", *args, "-o", str(folder / "report"))
    yield url, folder / "report"


def _pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def test_quickstart_writes_three_formats_and_the_manifest(flagship: tuple[str, Path]) -> None:
    _, folder = flagship
    names = {p.name for p in folder.iterdir()}
    assert {"flagship.pdf", "flagship.docx", "flagship.html", "flagship.manifest.json"} <= names


def test_the_pdf_holds_every_required_citation(flagship: tuple[str, Path]) -> None:
    url, folder = flagship
    text = _pdf_text(folder / "flagship.pdf")
    engine = connect(url)
    with engine.connect() as conn:
        cited = [c for (c,) in conn.execute(sa.text("SELECT citation FROM datasets")) if c]
        cited += [c for (c,) in conn.execute(sa.text("SELECT citation FROM boundary_sets")) if c]
    engine.dispose()
    assert len(cited) == 5  # UCDP, the two PBC files, the two geoBoundaries levels
    for citation in cited:
        assert " ".join(citation.split()) in text, citation[:80]


def test_every_annexed_incident_shows_its_source_records(flagship: tuple[str, Path]) -> None:
    url, folder = flagship
    manifest = orjson.loads((folder / "flagship.manifest.json").read_bytes())
    annexed = {
        key for f in manifest["figures"]
        if f["indicator"] in ("profile.incidents", "reach.incidents") for key in f["ids"]
    }  # fmt: skip
    clusters = [int(k[1:]) for k in annexed if k.startswith("c")]
    engine = connect(url)
    with engine.connect() as conn:
        query = sa.text("SELECT uid FROM cluster_members WHERE cluster_id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True)
        )
        records = set(conn.execute(query, {"ids": clusters}).scalars())
    engine.dispose()
    records |= {k[1:] for k in annexed if k.startswith("r")}
    text = _pdf_text(folder / "flagship.pdf")
    assert records and all(uid in text for uid in records)


def test_verify_passes_then_names_the_figure_whose_data_changed(
    flagship: tuple[str, Path],
) -> None:
    url, folder = flagship
    manifest = folder / "flagship.manifest.json"
    assert _gawahi(url, "verify", str(manifest)).startswith("verified: ")
    figure = next(
        f for f in orjson.loads(manifest.read_bytes())["figures"]
        if f["key"] == "Quetta/profile.deaths"
    )  # fmt: skip
    cluster = int(next(k for k in figure["ids"] if k.startswith("c"))[1:])
    engine = connect(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE clusters SET deaths_best = deaths_best + 100 WHERE id = :id"),
            {"id": cluster},
        )
    engine.dispose()
    outcome = CliRunner().invoke(main, ["--db", url, "verify", str(manifest), "--no-files"])
    assert outcome.exit_code == 1
    assert "VERIFICATION FAILED" in outcome.output
    assert "Quetta/profile.deaths" in outcome.output
