"""Creating, checking and migrating the store."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from gawahi.errors import SchemaError, StoreError
from gawahi.sources.importer import import_file
from gawahi.store.engine import (
    MMAP_BYTES,
    connect,
    current_revision,
    head_revision,
    migrate,
    require_current,
)
from gawahi.store.schema import metadata
from tests.conftest import DATA, count


def test_migrations_build_exactly_the_declared_schema(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
    assert current_revision(engine) == head_revision()


def test_init_twice_keeps_the_data(engine: sa.Engine) -> None:
    import_file(engine, DATA / "ged_release_no_iso3.csv")
    before, after, backup = migrate(engine)
    assert (before, after, backup) == (head_revision(), head_revision(), None)
    assert count(engine, "incidents") == 2


def test_an_older_sqlite_store_is_backed_up_then_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    store = connect(f"sqlite:///{path}")
    migrate(store, target="0001")  # the first schema: no change history, no import problems
    with store.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO datasets (id, format, name, file_name, sha256, imported_at) "
            "VALUES (1, 'ucdp-ged', 'old', 'old.csv', 'abc', '2024-01-01 00:00:00')"
        )
    before, after, backup = migrate(store)
    assert (before, after) == ("0001", head_revision())
    assert backup is not None and backup.name.startswith("old.sqlite.0001.")
    assert count(store, "datasets") == 1
    assert count(connect(f"sqlite:///{backup}"), "datasets") == 1
    import_file(store, DATA / "ged_release_no_iso3.csv")
    assert count(store, "incidents") == 2


def test_a_store_from_a_newer_gawahi_is_refused(tmp_path: Path) -> None:
    store = connect(f"sqlite:///{tmp_path / 'new.sqlite'}")
    migrate(store)
    with store.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(SchemaError, match="schema 9999 is newer than this gawahi"):
        migrate(store)


def test_a_database_from_another_program_is_refused(tmp_path: Path) -> None:
    store = connect(f"sqlite:///{tmp_path / 'other.sqlite'}")
    with store.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(SchemaError, match="has tables but no gawahi schema version"):
        migrate(store)


def test_commands_refuse_a_store_that_is_not_initialised(tmp_path: Path) -> None:
    store = connect(f"sqlite:///{tmp_path / 'new.sqlite'}")
    with pytest.raises(StoreError, match="is not initialised; run: gawahi init"):
        require_current(store)


def test_an_unreachable_server_is_one_clear_error() -> None:
    store = connect("postgresql://nobody@127.0.0.1:9/none")
    with pytest.raises(StoreError, match="cannot open database"):
        migrate(store)


def test_a_database_that_refuses_writes_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite"
    migrate(connect(f"sqlite:///{path}"))
    read_only = connect(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(StoreError, match="the database refused the import: attempt to write a"):
        import_file(read_only, DATA / "ged_release_no_iso3.csv")
    assert count(read_only, "datasets") == 0


def test_schema_changes_roll_back_with_their_transaction(engine: sa.Engine) -> None:
    # What makes a failed migration leave the database as it was, on SQLite too.
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE half_done (id INTEGER)")
        conn.exec_driver_sql("ALTER TABLE datasets ADD COLUMN half_done INTEGER")
        raise RuntimeError("a migration step failed")
    names = set(sa.inspect(engine).get_table_names())
    columns = {c["name"] for c in sa.inspect(engine).get_columns("datasets")}
    assert "half_done" not in names and "half_done" not in columns


def test_upgrading_to_places_fills_location_text_from_the_raw_rows(tmp_path: Path) -> None:
    # Incidents imported before schema 0003 get the source's location words without a
    # re-import: the migration reads them from the raw row, by format.
    store = connect(f"sqlite:///{tmp_path / 'old.sqlite'}")
    migrate(store, target="0002")
    with store.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO datasets (id, format, name, file_name, sha256, imported_at) "
            "VALUES (1, 'ucdp-ged', 'old', 'old.csv', 'abc', '2024-01-01 00:00:00')"
        )
        for uid, source, raw in (
            ("ucdp-ged:1", "ucdp-ged", '{"where_description": " Fixture market "}'),
            ("pbc-suicide:1", "pbc-suicide", '{"Location": "N/A"}'),
            ("acled:1", "acled", '{"location": "Fixture town"}'),
        ):
            conn.exec_driver_sql(
                "INSERT INTO incidents (uid, source, source_id, dataset_id, first_dataset_id, "
                "content_hash, date_precision, location_precision, raw) "
                f"VALUES ('{uid}', '{source}', '1', 1, 1, 'h', 'day', 'exact', '{raw}')"
            )
    migrate(store)
    with store.connect() as conn:
        texts = dict(conn.exec_driver_sql("SELECT uid, location_text FROM incidents").all())
    # ACLED keeps its location as the place, not as location text; "N/A" is no text.
    assert texts == {"ucdp-ged:1": "Fixture market", "pbc-suicide:1": None, "acled:1": None}


def test_sqlite_connections_read_through_memory_mapped_pages(tmp_path: Path) -> None:
    """engine.py maps the file (the assessment's clusters are read out of rowid order);
    SQLite reports the size it granted, capped at its compile-time limit."""
    engine = connect(f"sqlite:///{tmp_path / 'mapped.sqlite'}")
    with engine.connect() as conn:
        granted = conn.exec_driver_sql("PRAGMA mmap_size").scalar()
        assert granted == MMAP_BYTES
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
