"""Filters behave the same on SQLite and PostgreSQL, whatever the script or the characters."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from gawahi.sources.importer import ImportOptions, import_file
from gawahi.store.queries import IncidentFilter, find_incidents
from tests.conftest import DATA, count


def _uids(engine: sa.Engine, **wanted: object) -> list[str]:
    return [r["uid"] for r in find_incidents(engine, IncidentFilter(**wanted))]  # type: ignore[arg-type]


@pytest.fixture
def odd_names(engine: sa.Engine, tmp_path: Path) -> sa.Engine:
    """The HDX fixture with places renamed to test case folding and LIKE wildcards."""
    text = (DATA / "ucdp_hdx_hxl_tag_row.csv").read_text(encoding="utf-8")
    text = text.replace("Testville town", "Ürümqi_Test%town", 1)
    text = text.replace("Fixture province", "Ünited Province", 1)
    path = tmp_path / "odd_names.csv"
    path.write_text(text, encoding="utf-8")
    import_file(engine, path)
    return engine


def test_user_wildcards_are_literal(odd_names: sa.Engine) -> None:
    assert _uids(odd_names, place="%") == ["ucdp-ged:900001"]
    assert _uids(odd_names, place="i_test%t") == ["ucdp-ged:900001"]
    assert _uids(odd_names, place="iXtest") == []
    assert _uids(odd_names, text="_") == ["ucdp-ged:900001"]


def test_case_is_folded_beyond_ascii_on_both_backends(odd_names: sa.Engine) -> None:
    assert _uids(odd_names, place="ürümqi") == ["ucdp-ged:900001"]
    assert _uids(odd_names, admin1="ünited province") == ["ucdp-ged:900001"]
    assert _uids(odd_names, admin1="Ünited Province") == ["ucdp-ged:900001"]
    assert _uids(odd_names, actor="FIXTURE GROUP A") == ["ucdp-ged:900001"]


def test_the_same_file_through_another_mapping_is_another_dataset(
    engine: sa.Engine, tmp_path: Path
) -> None:
    mapping = DATA / "tabular_register_mapping.yaml"
    register = DATA / "tabular_urdu_places_multiline.csv"
    first = import_file(engine, register, ImportOptions(mapping=mapping))
    again = import_file(engine, register, ImportOptions(mapping=mapping))
    assert (first.new > 0, again.already_imported) == (True, True)
    other = tmp_path / "other_source.yaml"
    other.write_text(
        mapping.read_text().replace("source: fixture-register", "source: fixture-register-two")
    )
    second = import_file(engine, register, ImportOptions(mapping=other))
    assert (second.already_imported, second.new) == (False, first.new)
    assert count(engine, "datasets") == 2
