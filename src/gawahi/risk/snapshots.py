"""Frame snapshots: an assessment's frame kept in the store between assessments.

Reading a million-record store's frame takes seconds, because SQLite's rows become Python
values one at a time; the same frame kept as columns loads in a twentieth of that. A
snapshot is kept only while it is current: triggers on every table a frame reads
(migration 0009) delete all snapshots in the same transaction as any insert, update or
delete, whether gawahi or another program makes it. So a snapshot that exists was read
from the tables as they are now, and a transaction that rolls back takes its snapshots,
and its deletions, with it. ``code`` ties a snapshot to the code that read it and to the
schema: after an upgrade of either, frames are read afresh.

SQLite only. On PostgreSQL the deleting statement would hold its row locks until its
transaction ends, so concurrent imports would wait for each other; PostgreSQL stores read
their frame every time. Snapshots are also skipped when any trigger is missing (a table
rebuilt by a later migration loses its triggers), and ``gawahi verify`` never uses them:
it recomputes from the tables themselves.

Payloads are numpy ``.npz`` archives read with ``allow_pickle=False``: a store file that
came from elsewhere cannot make gawahi run code.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import sys
import zipfile
from collections.abc import Iterable
from datetime import date
from functools import cache
from types import ModuleType

import numpy as np
import sqlalchemy as sa

from gawahi.risk import frame as frames
from gawahi.risk.frame import Frame
from gawahi.store import schema

# The tables a frame reads; migration 0009 puts the triggers on them. A test compares
# this list with the tables named by the SQL that loading a frame runs.
WATCHED = (
    "incidents", "incident_places", "clusters", "cluster_members", "tags", "record_targets",
)  # fmt: skip
OPERATIONS = ("insert", "update", "delete")
LARGEST = 512 * 1024 * 1024  # bytes; SQLite refuses values over 1e9 by default


def expected_triggers() -> dict[str, tuple[str, str]]:
    """Trigger name -> (its table, its SQL), as migration 0009 creates them."""
    return {
        f"trg_{table}_{op}_frame_snapshots": (
            table,
            f"CREATE TRIGGER trg_{table}_{op}_frame_snapshots AFTER {op.upper()} ON {table} "
            "WHEN EXISTS (SELECT 1 FROM frame_snapshots) "
            "BEGIN DELETE FROM frame_snapshots; END",
        )
        for table in WATCHED
        for op in OPERATIONS
    }


def load_frame(
    conn: sa.Connection,
    country: str,
    start: date,
    end: date,
    tags: Iterable[tuple[str, str]],
    min_confidence: float = 0.0,
    *,
    use: bool = True,
) -> Frame:
    """``frames.load_frame``, from a snapshot when a current one exists (and kept as one
    when not); ``use=False`` reads the tables and leaves snapshots alone."""
    key = f"{country}|{start}|{end}" if use and usable(conn) else None
    frame = _decoded(_read(conn, f"{key}|frame")) if key else None
    if frame is None:
        frame = frames.load_frame(conn, country, start, end, ())
        if key:
            _write(conn, f"{key}|frame", encode(frame))
    frame.snapshot = key
    add_tags(conn, frame, tags, min_confidence)
    return frame


def add_tags(
    conn: sa.Connection, frame: Frame, tags: Iterable[tuple[str, str]], min_confidence: float = 0.0
) -> None:
    """``frames.add_tags``, each mask from the frame's snapshot when it has one."""
    for tag, role in sorted(set(tags) - set(frame.tags)):
        if frame.snapshot is None:
            frames.add_tags(conn, frame, [(tag, role)], min_confidence)
            continue
        key = f"{frame.snapshot}|tag|{tag}|{role}|{min_confidence!r}"
        mask = _mask(_read(conn, key), len(frame))
        if mask is None:
            frames.add_tags(conn, frame, [(tag, role)], min_confidence)
            _write(conn, key, _mask_bytes(frame.tags[(tag, role)]))
        else:
            frame.tags[(tag, role)] = mask


def usable(conn: sa.Connection) -> bool:
    """SQLite, with every trigger that keeps snapshots current in place."""
    if conn.dialect.name != "sqlite" or code_version() is None:
        return False
    rows = conn.exec_driver_sql(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
    )
    found = {name: (table, sql) for name, table, sql in rows}
    # the table too: a table renamed away takes its triggers along, names unchanged
    return all(found.get(name) == want for name, want in expected_triggers().items())


def clear(conn: sa.Connection) -> int:
    """Delete every snapshot; how many there were."""
    return conn.execute(schema.frame_snapshots.delete()).rowcount


# The modules whose code shapes a frame: a change to any of them makes every snapshot
# stale. A test checks that every gawahi module frame.py imports is here (the schema
# changes only with a migration, which changes the head revision).
def frame_code() -> tuple[ModuleType, ...]:
    from gawahi.linkage import records

    return (frames, sys.modules[__name__], records)


@cache
def code_version() -> str | None:
    """What snapshots are read with: the schema's revision and the source of the modules
    that shape a frame. None when that source cannot be read (an install without .py
    files): then no snapshot is trusted, since a change of code could not be told."""
    from gawahi.store.engine import head_revision

    digest = hashlib.sha256(head_revision().encode())
    try:
        for module in frame_code():
            digest.update(inspect.getsource(module).encode())
    except (OSError, TypeError):
        return None
    return digest.hexdigest()


def _read(conn: sa.Connection, key: str) -> bytes | None:
    s = schema.frame_snapshots
    query = sa.select(s.c.payload).where(s.c.key == key, s.c.code == code_version())
    return conn.scalar(query)


def _write(conn: sa.Connection, key: str, payload: bytes) -> None:
    s = schema.frame_snapshots
    conn.execute(s.delete().where(s.c.key == key))
    if len(payload) <= LARGEST:
        conn.execute(s.insert().values(key=key, code=code_version(), payload=payload))


# --- The frame as arrays -----------------------------------------------------------------


def encode(frame: Frame) -> bytes:
    """The frame's columns as an .npz archive; object columns become codes and text."""
    unlinked = frame.cluster < 0
    source_codes, source_sets = frames.factorize(frame.sources)
    arrays = {
        "cluster": frame.cluster,
        "records": _text(frame.record[unlinked]),
        "date": frame.date,
        "unit_codes": frame.unit_codes,
        "unit_names": _text(frame.unit_names),
        "unit_known": np.array([n is not None for n in frame.unit_names], dtype=bool),
        "lat": frame.lat, "lon": frame.lon,
        "best": frame.best, "low": frame.low, "high": frame.high,
        "source_codes": source_codes, "source_sets": _text(source_sets),
        "civilian": frame.civilian,
        "precision": frame.precision,
        "all_linked": np.array(frame.all_linked),
    }  # fmt: skip
    out = io.BytesIO()
    np.savez(out, allow_pickle=False, **arrays)
    return out.getvalue()


def _decoded(payload: bytes | None) -> Frame | None:
    """The frame in ``payload``, or None when there is none or it is not one (the caller
    reads the tables instead): never an error, since the tables are always there."""
    if payload is None:
        return None
    try:
        return decode(payload)
    except (ValueError, KeyError, IndexError, OSError, zipfile.BadZipFile):
        return None


def decode(payload: bytes) -> Frame:
    """The frame ``encode`` wrote; ValueError for a payload holding Python objects or
    columns that do not fit together."""
    with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
        a = {name: archive[name] for name in archive.files}
    _check(a)
    record = np.full(len(a["cluster"]), None, dtype=object)
    record[a["cluster"] < 0] = a["records"].tolist()
    known = zip(a["unit_names"].tolist(), a["unit_known"].tolist(), strict=True)
    names = [name if is_known else None for name, is_known in known]
    return Frame(
        cluster=a["cluster"], record=record, date=a["date"],
        year=a["date"].astype("datetime64[Y]").astype(int) + 1970,
        unit_codes=a["unit_codes"], unit_names=names,
        lat=a["lat"], lon=a["lon"], best=a["best"], low=a["low"], high=a["high"],
        sources=np.array(a["source_sets"].tolist(), dtype=object)[a["source_codes"]],
        civilian=a["civilian"], precision=a["precision"], all_linked=bool(a["all_linked"]),
    )  # fmt: skip


def _check(a: dict[str, np.ndarray]) -> None:
    """Every column as long as the frame, and every code pointing into its list."""
    n = len(a["cluster"])
    for name in ("date", "lat", "lon", "best", "low", "high", "source_codes", "civilian",
                 "precision"):  # fmt: skip
        if a[name].shape != (n,):
            raise ValueError(f"snapshot column {name} has shape {a[name].shape}, not ({n},)")
    if a["unit_codes"].shape != (2, n) or len(a["records"]) != int((a["cluster"] < 0).sum()):
        raise ValueError("snapshot units or records do not fit its rows")
    for codes, values in (("unit_codes", "unit_names"), ("source_codes", "source_sets")):
        if n and not 0 <= a[codes].min() <= a[codes].max() < len(a[values]):
            raise ValueError(f"snapshot {codes} point outside {values}")


def _text(values: Iterable[object]) -> np.ndarray:
    """Text as a fixed-width unicode array; None becomes "" (the caller keeps which)."""
    items = ["" if v is None else str(v) for v in values]
    return np.array(items, dtype=str) if items else np.array([], dtype="U1")


def _mask_bytes(mask: np.ndarray) -> bytes:
    """A tag mask as its length (8 bytes, little-endian) and its bits."""
    return len(mask).to_bytes(8, "little") + np.packbits(mask).tobytes()


def _mask(payload: bytes | None, length: int) -> np.ndarray | None:
    """A tag mask kept by ``_mask_bytes``, or None when there is none or it is not one
    for ``length`` rows."""
    if payload is None or len(payload) != 8 + (length + 7) // 8:
        return None
    if int.from_bytes(payload[:8], "little") != length:
        return None
    bits = np.frombuffer(payload, dtype=np.uint8, offset=8)
    return np.unpackbits(bits, count=length).astype(bool)
