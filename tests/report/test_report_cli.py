"""``gawahi report`` and ``gawahi verify`` end to end on the fixture store of
tests/risk/test_assessment.py (fictional groups): every format written with its manifest,
verify passing on a fresh report and failing, naming the figure, once the data behind it
changed; clear errors for bad input. SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from docx import Document

from tests.cli.test_assess_cli import ASSESS

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def written(run: Run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report in the three formats, from the assessment options (no stored id)."""
    folder = tmp_path_factory.mktemp("report")
    outputs = [f"-o{folder / name}" for name in ("case.pdf", "case.docx", "case.html")]
    code, out, err = run("report", *ASSESS[1:], *outputs, "--case-ref", "FIX/0001")
    assert (code, err) == (0, ""), out + err
    assert f"verify it with: gawahi verify {folder / 'case.manifest.json'}" in out
    return folder


def test_every_format_and_the_manifest_are_written(written: Path) -> None:
    manifest = orjson.loads((written / "case.manifest.json").read_bytes())
    assert {r["file_name"] for r in manifest["reports"]} == {"case.pdf", "case.docx", "case.html"}
    html = (written / "case.html").read_text(encoding="utf-8")
    assert "FIX/0001" in html and "Quetta" in html
    words = " ".join(p.text for p in Document(str(written / "case.docx")).paragraphs)
    assert "Quetta" in words


def test_the_pdf_cites_every_dataset_and_every_annexed_source(written: Path) -> None:
    text = subprocess.run(
        ["pdftotext", "-layout", str(written / "case.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    manifest = orjson.loads((written / "case.manifest.json").read_bytes())
    flat = " ".join(text.split())
    for dataset in manifest["datasets"]:
        if dataset.get("citation"):
            assert " ".join(dataset["citation"].split())[:60] in flat
    assert "ucdp-ged:970002" in flat and "fixture-register:FR-01" in flat


def test_verify_passes_on_a_fresh_report(run: Run, written: Path) -> None:
    code, out, _ = run("verify", written / "case.manifest.json")
    assert code == 0, out
    assert out.startswith("verified: ")


def test_verify_fails_naming_the_figure_after_the_data_changed(
    run: Run, written: Path, store: sa.Engine
) -> None:
    with store.begin() as conn:
        conn.execute(sa.text("UPDATE incidents SET deaths_best = 40 WHERE uid = 'ucdp-ged:970010'"))
        conn.execute(sa.text(
            "UPDATE clusters SET deaths_best = 40 WHERE id IN "
            "(SELECT cluster_id FROM cluster_members WHERE uid = 'ucdp-ged:970010')"
        ))  # fmt: skip
    try:
        code, out, _ = run("verify", written / "case.manifest.json", "--no-files")
        assert code == 1
        assert "VERIFICATION FAILED" in out and "Quetta/profile.deaths" in out
    finally:
        with store.begin() as conn:
            conn.execute(
                sa.text("UPDATE incidents SET deaths_best = 3 WHERE uid = 'ucdp-ged:970010'")
            )
            conn.execute(sa.text(
                "UPDATE clusters SET deaths_best = 3 WHERE id IN "
                "(SELECT cluster_id FROM cluster_members WHERE uid = 'ucdp-ged:970010')"
            ))  # fmt: skip


def test_a_report_needs_an_assessment_or_its_options(run: Run, tmp_path: Path) -> None:
    code, _, err = run("report", "-o", tmp_path / "x.pdf")
    assert code == 2
    assert "give an assessment id, or the assessment's options" in err


def test_a_report_format_gawahi_cannot_write_is_refused(run: Run, tmp_path: Path) -> None:
    code, _, err = run("report", *ASSESS[1:], "-o", tmp_path / "x.odt")
    assert code == 2
    assert "a report is .html, .pdf or .docx" in err
    assert not (tmp_path / "x.manifest.json").exists()
