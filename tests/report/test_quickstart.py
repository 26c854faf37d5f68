"""``gawahi quickstart`` from an empty store to a verified report: with no --from files it
fetches the plan's UCDP release, here from a local HTTP server serving a release zip made
of the fictional rows of tests/data/risk (the network is the only thing faked)."""

from __future__ import annotations

import http.server
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from gawahi.cli import main
from gawahi.cli.fetch_cmd import UCDP_BASE_ENV
from gawahi.profiles.pack import PACKS_ENV
from tests.risk.test_assessment import PACK, RISK

PLAN = """\
name: fixture
country: PAK
data:
  ucdp:
    version: "22.1"
    country: Pakistan
assessment:
  profile: plenari,orbist
  home: Quetta
  areas: Karachi,Lahore
  from: 2012
  to: 2016
report:
  title: Fictional Plenari Orbists (test data)
"""


@pytest.fixture
def release(tmp_path: Path) -> Iterator[str]:
    """A local server holding ged221-csv.zip with the fictional UCDP rows."""
    root = tmp_path / "www" / "downloads" / "ged"
    root.mkdir(parents=True)
    rows = (RISK / "ucdp_ged_fictional_plenari_orbists_2011_2016.csv").read_bytes()
    with zipfile.ZipFile(root / "ged221-csv.zip", "w") as archive:
        archive.writestr("GEDEvent_v22_1.csv", rows)

    def handler(*args: object) -> http.server.SimpleHTTPRequestHandler:
        quiet = type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": _quiet})
        return quiet(*args, directory=str(tmp_path / "www"))  # type: ignore[arg-type]

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # type: ignore[arg-type]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/downloads/ged/"
    httpd.shutdown()
    httpd.server_close()


def _quiet(*_: object) -> None:
    pass


@pytest.fixture
def env(tmp_path: Path, release: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(UCDP_BASE_ENV, release)
    monkeypatch.setenv(PACKS_ENV, str(PACK))
    monkeypatch.setenv("GAWAHI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GAWAHI_DATABASE_URL", raising=False)
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    return plan


def _run(tmp_path: Path, *args: str) -> tuple[int, str]:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    outcome = CliRunner().invoke(main, ["--db", url, *args])
    return outcome.exit_code, outcome.output


def test_quickstart_fetches_assesses_and_writes_a_verified_report(
    env: Path, tmp_path: Path
) -> None:
    squares = RISK / "geoboundaries_adm2_squares_quetta_karachi_lahore.geojson"
    out = tmp_path / "out"
    code, output = _run(tmp_path, "quickstart", "--plan", str(env), "--boundaries",
                        str(squares), "-o", str(out))  # fmt: skip
    assert code == 0, output
    for step in ("1/7 store", "3/7 events", "5/7 linking", "6/7 assessment", "7/7 report"):
        assert f"== {step}" in output
    assert "imported 3 level-2 boundaries" in output
    assert {p.name for p in out.iterdir()} == {
        "fixture.pdf", "fixture.docx", "fixture.html", "fixture.manifest.json"
    }  # fmt: skip
    code, output = _run(tmp_path, "verify", str(out / "fixture.manifest.json"))
    assert (code, output.split(":")[0]) == (0, "verified")


def test_a_plan_without_an_assessment_is_refused_naming_the_file(env: Path, tmp_path: Path) -> None:
    env.write_text(PLAN.split("assessment:")[0], encoding="utf-8")
    code, output = _run(tmp_path, "quickstart", "--plan", str(env))
    assert code == 1
    assert f"{env}: the plan has no 'assessment'" in output
