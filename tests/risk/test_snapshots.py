"""Frame snapshots (risk/snapshots.py): kept only while current, equal to the tables'
frame, never trusted when they cannot be read, and never on PostgreSQL.

The store is the risk fixture (tests/data/risk) built with the real pipeline; every test
that changes it does so inside a transaction it rolls back, except the last, which builds
its own store.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import io
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from alembic import command

from gawahi.risk import frame as frames
from gawahi.risk import snapshots, targets
from gawahi.risk.frame import Frame
from gawahi.store import schema
from gawahi.store.engine import _config
from tests.conftest import POSTGRES_URL
from tests.risk.test_assessment import (
    ALL_INCIDENTS,
    END,
    KARACHI_PROFILE,
    LATE,
    QUETTA_PROFILE,
    SPEC,
    START,
    assessed,
    built_store,
    import_records,
)

TAGS = [("plenari", "victim"), ("orbist", "victim"), ("rfl", "perpetrator")]
FRAME_KEY = f"PAK|{START}|{END}|frame"
UNLINKED_UID = "ucdp-ged:970002"  # a record in a cluster of two: the cluster stays


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    yield from built_store("sqlite", tmp_path_factory)


@pytest.fixture
def conn(sqlite_store: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction on the store, rolled back at the end; snapshots cleared first."""
    with sqlite_store.connect() as connection:
        transaction = connection.begin()
        snapshots.clear(connection)
        yield connection
        transaction.rollback()


def kept(conn: sa.Connection) -> list[str]:
    return list(conn.scalars(sa.select(schema.frame_snapshots.c.key).order_by("key")))


def load(conn: sa.Connection, **options: Any) -> Frame:
    return snapshots.load_frame(conn, "PAK", START, END, TAGS, **options)


def assert_same_frame(got: Frame, want: Frame) -> None:
    for name in ("cluster", "date", "year", "unit_codes", "precision", "civilian"):
        assert np.array_equal(getattr(got, name), getattr(want, name)), name
    for name in ("lat", "lon", "best", "low", "high"):
        assert np.array_equal(getattr(got, name), getattr(want, name), equal_nan=True), name
    assert got.record.tolist() == want.record.tolist()
    assert got.sources.tolist() == want.sources.tolist()
    assert got.unit_names == want.unit_names
    assert got.all_linked == want.all_linked
    assert sorted(got.tags) == sorted(want.tags)
    for key, mask in want.tags.items():
        assert np.array_equal(got.tags[key], mask), key


def test_a_second_load_comes_from_the_snapshot_equal_to_the_tables(
    conn: sa.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = frames.load_frame(conn, "PAK", START, END, TAGS)
    first = load(conn)
    assert kept(conn) == sorted(
        [FRAME_KEY] + [f"PAK|{START}|{END}|tag|{t}|{r}|0.0" for t, r in TAGS]
    )

    def no_tables(*_: object, **__: object) -> None:
        raise AssertionError("read the tables although a current snapshot exists")

    monkeypatch.setattr(frames, "load_frame", no_tables)
    monkeypatch.setattr(frames, "add_tags", no_tables)
    again = load(conn)
    assert_same_frame(first, fresh)
    assert_same_frame(again, fresh)
    assert len(again) == len(ALL_INCIDENTS) - 1  # all but Q_2011, before the period
    profile = again.tags[("plenari", "victim")] & again.tags[("orbist", "victim")]
    assert profile.sum() == len(QUETTA_PROFILE) + len(KARACHI_PROFILE)


def test_an_empty_frame_survives_a_snapshot() -> None:
    frame = frames._frame([], [])
    again = snapshots.decode(snapshots.encode(frame))
    assert len(again) == 0 and again.unit_codes.shape == (2, 0)
    assert_same_frame(again, frame)


def test_records_not_linked_and_places_not_known_survive_a_snapshot() -> None:
    linked = [(7, "2014-03-02", "PAK.a", None, 30.2, 67.0, 5, 4, None, "gtd ucdp-ged", "exact")]
    unlinked = [
        ("pbc:9", "2014-03-01", None, None, None, None, None, None, None, "pbc", None),
        ("acled:3", "2014-03-02", "PAK.a", "PAK.a.b", 1.0, 2.0, 0, 0, 0, "acled", "near"),
    ]
    frame = frames._frame(linked, unlinked)
    frame.all_linked = False
    again = snapshots.decode(snapshots.encode(frame))
    assert again.record.tolist() == ["pbc:9", None, "acled:3"]
    assert again.unit_names == frame.unit_names and None in again.unit_names
    assert_same_frame(again, frame)


@pytest.mark.parametrize("table", snapshots.WATCHED)
def test_every_write_to_a_table_a_frame_reads_deletes_every_snapshot(
    conn: sa.Connection, table: str
) -> None:
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # the row goes and comes back
    targets.refresh(conn, "PAK")  # record_targets is filled by the first assessment
    target = schema.metadata.tables[table]
    row = conn.execute(sa.select(target).limit(1)).mappings().one()
    same = sa.and_(*(column == row[column.name] for column in target.primary_key))
    column = next(c for c in target.columns if not c.primary_key)
    for change in (
        target.delete().where(same),
        target.insert().values(**row),
        target.update().where(same).values({column.name: row[column.name]}),  # unchanged
    ):
        load(conn)
        assert kept(conn)
        conn.execute(change)
        assert kept(conn) == [], f"{change} on {table} kept the snapshots"


def test_writes_to_other_tables_keep_the_snapshots(conn: sa.Connection) -> None:
    load(conn)
    before = kept(conn)
    conn.execute(schema.datasets.update().values(version="22.1"))
    conn.execute(
        schema.assessments.insert().values(
            created_at=date(2026, 12, 5), gawahi_version="0", params="{}", datasets="[]",
            result="{}",
        )
    )  # fmt: skip
    assert kept(conn) == before


def test_a_frame_reads_only_tables_that_keep_snapshots_current(conn: sa.Connection) -> None:
    """Every table named by the SQL of loading a frame, with one record left unlinked
    so that the query of records not linked yet runs too."""
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    conn.execute(
        schema.cluster_members.delete().where(schema.cluster_members.c.uid == UNLINKED_UID)
    )
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    sa.event.listen(conn, "before_cursor_execute", seen)
    try:
        frame = frames.load_frame(conn, "PAK", START, END, TAGS)
    finally:
        sa.event.remove(conn, "before_cursor_execute", seen)
    assert not frame.all_linked
    named = {
        table
        for table in schema.metadata.tables
        for statement in statements
        if re.search(rf"\b{table}\b", statement)
    }
    assert named == set(snapshots.WATCHED)


def test_snapshots_are_off_when_a_trigger_is_missing(conn: sa.Connection) -> None:
    assert snapshots.usable(conn)
    conn.exec_driver_sql("DROP TRIGGER trg_tags_update_frame_snapshots")
    assert not snapshots.usable(conn)
    frame = load(conn)
    assert kept(conn) == [] and frame.snapshot is None


def test_snapshots_are_off_when_a_table_was_renamed_away_from_its_triggers(
    conn: sa.Connection,
) -> None:
    """SQLite moves triggers with a renamed table, names unchanged: the table a trigger
    is on counts, not only its name."""
    conn.exec_driver_sql("ALTER TABLE record_targets RENAME TO record_targets_old")
    conn.exec_driver_sql("CREATE TABLE record_targets AS SELECT * FROM record_targets_old")
    assert not snapshots.usable(conn)


def test_the_code_version_covers_every_gawahi_module_the_frame_imports() -> None:
    tree = ast.parse(inspect.getsource(frames))
    imported = {
        _module_of(node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gawahi")
        for alias in node.names
    }
    hashed = {module.__name__ for module in snapshots.frame_code()}
    # the schema changes only with a migration, and the head revision is hashed too
    assert imported - {"gawahi.store.schema"} <= hashed
    assert "gawahi.risk.frame" in hashed and "gawahi.risk.snapshots" in hashed


def _module_of(module: str, name: str) -> str:
    """``from module import name``: the module ``name`` is, or else ``module``."""
    if not hasattr(importlib.import_module(module), "__path__"):
        return module  # a module, not a package: ``name`` is inside it
    full = f"{module}.{name}"
    return full if importlib.util.find_spec(full) is not None else module


def test_snapshots_are_off_when_the_frame_code_cannot_be_read(
    conn: sa.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the source (an install of .pyc files only) a change of code could not be
    told from the snapshot's ``code``."""
    assert snapshots.code_version() is not None
    monkeypatch.setattr(snapshots, "code_version", lambda: None)
    assert not snapshots.usable(conn)
    load(conn)
    assert kept(conn) == []


def test_assessing_without_snapshots_neither_reads_nor_keeps_one(conn: sa.Connection) -> None:
    load(conn, use=False)
    assert kept(conn) == []


def test_a_rolled_back_transaction_keeps_no_snapshot(sqlite_store: sa.Engine) -> None:
    with sqlite_store.connect() as connection:
        with connection.begin() as transaction:
            snapshots.clear(connection)
            load(connection)
            assert kept(connection)
            transaction.rollback()
        assert kept(connection) == []


def pickled_frame() -> bytes:
    out = io.BytesIO()
    np.savez(out, cluster=np.array([object()], dtype=object), allow_pickle=True)
    return out.getvalue()


def frame_with(change: str) -> bytes:
    """A snapshot of two rows with one column broken."""
    frame = frames._frame(
        [(1, "2014-01-01", "PAK.a", None, 1.0, 2.0, 0, 0, 0, "gtd", "exact")] * 2, []
    )
    with np.load(io.BytesIO(snapshots.encode(frame))) as archive:
        arrays = {name: archive[name] for name in archive.files}
    if change == "short":
        arrays["lat"] = arrays["lat"][:1]
    else:
        arrays["source_codes"] = arrays["source_codes"] + 5
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


@pytest.mark.parametrize(
    "code, payload",
    [
        ("other code", None),  # the current frame, written by other code
        (None, b"not a frame"),
        (None, pickled_frame()),  # must never be unpickled: a store can come from anyone
        (None, frame_with("short")),  # a column shorter than the others
        (None, frame_with("codes")),  # codes pointing past their list
    ],
)
def test_a_snapshot_of_other_code_or_not_a_frame_is_read_afresh(
    conn: sa.Connection, code: str | None, payload: bytes | None
) -> None:
    fresh = load(conn)
    row = schema.frame_snapshots.c.key == FRAME_KEY
    stored = conn.scalar(sa.select(schema.frame_snapshots.c.payload).where(row))
    conn.execute(
        schema.frame_snapshots.update()
        .where(row)
        .values(code=code or snapshots.code_version(), payload=payload or stored)
    )
    again = load(conn)
    assert_same_frame(again, fresh)
    assert conn.execute(
        sa.select(schema.frame_snapshots.c.code, schema.frame_snapshots.c.payload).where(row)
    ).one() == (snapshots.code_version(), stored)


def test_a_tag_mask_for_another_number_of_rows_is_read_afresh(conn: sa.Connection) -> None:
    fresh = load(conn)
    key = f"PAK|{START}|{END}|tag|rfl|perpetrator|0.0"
    row = schema.frame_snapshots.c.key == key
    wrong = snapshots._mask_bytes(np.ones(len(fresh) + 1, dtype=bool))  # same bytes, 1 more
    conn.execute(schema.frame_snapshots.update().where(row).values(payload=wrong))
    again = load(conn)
    assert np.array_equal(again.tags[("rfl", "perpetrator")], fresh.tags[("rfl", "perpetrator")])


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="GAWAHI_TEST_POSTGRES_URL is not set")
def test_postgresql_reads_the_tables_every_time(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    stores = built_store("postgresql", tmp_path_factory)
    engine = next(stores)
    try:
        with engine.begin() as connection:
            assert not snapshots.usable(connection)
            frame = load(connection)
            assert kept(connection) == [] and frame.snapshot is None
            assert_same_frame(frame, frames.load_frame(connection, "PAK", START, END, TAGS))
    finally:
        stores.close()


def test_the_migration_adds_and_removes_table_and_triggers(sqlite_store: sa.Engine) -> None:
    def triggers(connection: sa.Connection) -> dict[str, tuple[str, str]]:
        found = connection.exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type='trigger'"
        )
        return {name: (table, sql) for name, table, sql in found}

    with sqlite_store.connect() as connection:
        transaction = connection.begin()
        assert triggers(connection) == snapshots.expected_triggers()
        command.downgrade(_config(connection), "0008")
        assert triggers(connection) == {}
        assert "frame_snapshots" not in sa.inspect(connection).get_table_names()
        command.upgrade(_config(connection), "head")
        assert triggers(connection) == snapshots.expected_triggers()
        transaction.rollback()


def test_an_import_after_an_assessment_is_in_the_next_one(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """End to end: assess (a snapshot is kept), import one more record, assess again."""
    stores = built_store("sqlite", tmp_path_factory)
    engine = next(stores)
    try:
        before = assessed(engine)
        with engine.connect() as connection:
            assert FRAME_KEY.replace(str(START), str(SPEC.start)) in kept(connection)
        import_records(engine, LATE)
        after = assessed(engine)
        with engine.begin() as connection:
            from gawahi.risk.assessment import assess
            from tests.risk.test_assessment import risk_packs

            tables = assess(connection, SPEC, risk_packs(), snapshots=False)
        count = "Quetta/profile.incidents"
        assert after.figure(count).value == before.figure(count).value + 1
        assert [f.as_dict() for f in after.figures] == [f.as_dict() for f in tables.figures]
    finally:
        stores.close()
