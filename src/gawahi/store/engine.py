"""Opening the database and keeping its schema current (Alembic)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from gawahi.errors import SchemaError, StoreError

MIGRATIONS = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3, the driver gawahi installs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


MMAP_BYTES = 1 << 30  # SQLite caps it at its compile-time limit (2 GiB by default)


def connect(url: str) -> sa.Engine:
    """An engine for ``url``; SQLite files get foreign keys and write-ahead logging."""
    try:
        engine = sa.create_engine(normalise_url(url))
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot use database URL {_safe(url)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # Rollback journal (SQLite's default), not WAL: an import appends hundreds of MB,
    # which WAL would write twice (log, then checkpoint). Teams that need concurrent
    # writers use PostgreSQL.
    # SQLite's own lower() folds ASCII only; queries fold Urdu-, Persian- and Latin-script
    # names alike on both backends, so Python's lower() replaces it.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)  # type: ignore[attr-defined]
    # The driver's own transaction handling leaves DDL outside transactions, so a
    # failed migration could stop half-way; gawahi says BEGIN itself (_sqlite_begin).
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB keeps index pages of big imports hot
    # Reads through memory-mapped pages: an assessment walks a date index and fetches its
    # rows out of order, and through read() each page costs a system call and a copy
    # (0.9 s against 0.35 s for a million-incident store's clusters). Pages are the OS's
    # file cache, shared and dropped under pressure, so this reserves address space only.
    cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    conn.exec_driver_sql("BEGIN")


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _safe(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True) if "://" in url else url


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head() or ""


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: sa.Engine, target: str = "head") -> tuple[str | None, str, Path | None]:
    """Create or upgrade the schema. Returns (old revision, new revision, backup file).

    A SQLite file that holds data is copied aside before an upgrade, so a failed or
    unwanted migration can be undone by putting the copy back.
    """
    before = _checked_revision(engine)
    head = head_revision() if target == "head" else target
    backup = None
    if before != head and before is not None:
        backup = _backup_sqlite(engine, before)
    try:
        with engine.begin() as conn:
            command.upgrade(_config(conn), target)
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"migration failed, database left at {before}: {exc}") from None
    return before, head, backup


def _checked_revision(engine: sa.Engine) -> str | None:
    try:
        before = current_revision(engine)
        tables = set(sa.inspect(engine).get_table_names())
    except sa.exc.OperationalError as exc:
        raise StoreError(f"cannot open database {_safe(str(engine.url))}: {exc.orig}") from None
    if before is None and tables - {"alembic_version"}:
        raise SchemaError(
            f"database {_safe(str(engine.url))} has tables but no gawahi schema version; "
            "it was not made by gawahi"
        )
    script = ScriptDirectory.from_config(_config())
    if before is not None and before not in {rev.revision for rev in script.walk_revisions()}:
        raise SchemaError(f"database schema {before} is newer than this gawahi; upgrade gawahi")
    return before


def _backup_sqlite(engine: sa.Engine, revision: str) -> Path | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    backup = Path(f"{database}.{revision}.{stamp}.bak")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy2(database, backup)
    return backup


def require_current(engine: sa.Engine) -> None:
    """Refuse to work on a database that ``gawahi init`` has not created or upgraded."""
    revision = _checked_revision(engine)
    if revision is None:
        raise StoreError(f"database {_safe(str(engine.url))} is not initialised; run: gawahi init")
    if revision != head_revision():
        raise StoreError(
            f"database {_safe(str(engine.url))} has an older schema ({revision}); run: gawahi init"
        )
