"""Link 400k x 400k SYNTHETIC records with gawahi and with splink (DuckDB): time and F1.

    .venv/bin/python benchmarks/linkage_bench.py --rows 20000    # quick look
    .venv/bin/python benchmarks/linkage_bench.py                 # 400,000 records a side
    .venv/bin/python benchmarks/linkage_bench.py --write-docs    # also update docs/benchmarks.md
    .venv/bin/python benchmarks/linkage_bench.py --rows 100000 --peers gawahi-profile

Setup (not timed). Two SYNTHETIC sources, ``synthetic-a`` and ``synthetic-b``, of N records
each are made from templates: the real UCDP GED and Pakistan Body Count (suicide attacks,
drone strikes) records of a gawahi store (``$GAWAHI_REAL_STORE``, default
/tmp/gdev/gawahi.sqlite; without it one is built from ../shared/data: import, places,
tags). GTD records are never read. Each record copies a template's date precision and span,
place (point, precision, province and district), toll, event type, text (place, location
text, description, headlines) and perpetrator tags, and gets

* a day drawn uniformly from 1989-2024 and one of C SYNTHETIC countries ``S01``, ``S02``,
  ... (each a copy of the templates' geography, moved 17 degrees of longitude further
  east than the one before); C is chosen so that there are about 3 records a day in each
  country, both sources together, as in the real data's busy years; exact and near points
  move by up to 1 km;
* no twin: two records with one template in one country within a week are redrawn, as
  they would be indistinguishable.

40% of synthetic-b are copies of distinct synthetic-a records, the true matches: date moved
by -1/0/+1 day (20/60/20%), point moved by up to 5 km (precision kept), toll kept (50%),
moved by up to a quarter (30%), by up to a factor of 2 (12%) or unknown (8%); text, event
type and tags those of the real record of the other real source for the same incident
when the template has one (a UCDP record and a PBC record within a day of each other and
in one district or 25 km, each used once), else the template's, edited (fields dropped,
words dropped). The other 60% of synthetic-b are drawn like synthetic-a. Records are
written straight into a fresh store (``migrate``, then SQLite bulk inserts), and into a
DuckDB file for splink. The gold pairs stay in a temporary file, deleted with the stores.
Every uid is ``synthetic-X:SYNTHETIC-<n>``, every raw row says ``"SYNTHETIC": true`` and the
dataset is named "SYNTHETIC benchmark data ...".

Timed, each in its own process (wall time, peak RSS):

* ``gawahi``: ``link_incidents`` on the store: read every record, block, compare, decoys
  for u, EM for m and the prior, constrained clustering, stable ids, write links,
  clusters and memberships in one transaction.
* ``splink``: splink with its DuckDB backend, from the DuckDB file: words of the same text
  (minus the words in over 20% of records, as gawahi), ``link_only`` with blocking on the
  same country, day +/-1 and district (or province, or country, when a record has none);
  comparisons of date, distance, deaths (gawahi's thresholds) and shared words; the
  prior from a deterministic rule (same day, district and toll; recall guessed at 0.4),
  u by random sampling (1e7 pairs), m by EM (two sessions: same country and day; same
  country, district, week and toll), ``predict`` at 0.5 and
  ``cluster_pairwise_predictions_at_threshold`` at 0.5.
* ``gawahi-profile`` (not run unless asked): ``link_incidents`` under cProfile.

Then, untimed: pairwise precision, recall and F1 of each tool's clusters against the gold
pairs. A pair is predicted when both records are in one cluster; every pair of a cluster
counts, so a chain a1-b1-a2 predicts three pairs of which at most one is true.
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import json
import math
import os
import pstats
import random
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from harness import REAL_FILES, arguments, measure, run_peer, write_docs
from harness import machine as describe_machine

REAL_STORE = Path(os.environ.get("GAWAHI_REAL_STORE", "/tmp/gdev/gawahi.sqlite"))
WORKDIR = Path("/tmp/gawahi-bench")
SOURCES = ("ucdp-ged", "pbc-suicide", "pbc-drone")
DATASET_NAME = "SYNTHETIC benchmark data (benchmarks/linkage_bench.py)"
SIDES = (("synthetic-a", "A"), ("synthetic-b", "B"))

FIRST_DAY = date(1989, 1, 1).toordinal()
DAYS = date(2024, 12, 31).toordinal() - FIRST_DAY + 1
EPOCH = date(1970, 1, 1).toordinal()
DENSITY = 3.0  # records a day in one synthetic country, both sources together
COUNTRY_SHIFT = 17.0  # degrees of longitude between two synthetic countries
MATCH_SHARE = 0.4  # of synthetic-b: copies of synthetic-a records
SPREAD_KM = 1.0  # exact and near points of every record move by up to this
JITTER_KM = 5.0  # a copy's point moves by up to this from its original
DAY_SHIFTS, DAY_SHIFT_ODDS = (-1, 0, 1), (0.2, 0.6, 0.2)
KEEP_FIELD = {"place": 0.85, "location_text": 0.6, "description": 0.6}
DROP_WORD, KEEP_HEADLINE, KEEP_TAGS = 0.15, 0.5, 0.7
COUNTERPART_KM = 25.0
TEXT_CHARS = 600  # as gawahi's linkage/records.py

# splink's settings (see the module docstring)
U_PAIRS = 1e7
PRIOR_RECALL = 0.4
PRIOR_RULE = (
    "l.country = r.country AND l.date_start = r.date_start AND l.admin2 = r.admin2 "
    "AND l.deaths = r.deaths"
)

TEXT_COLUMNS = ("place", "location_text", "description")
RECORD_COLUMNS = (
    "date_precision",
    "span",
    "location_precision",
    "admin1",
    "admin2",
    "best",
    "low",
    "high",
    "violence_type",
    "event_type",
    *TEXT_COLUMNS,
    "headlines",
    "perpetrators",
)
Columns = dict[str, np.ndarray]


# --- Templates: the real UCDP and PBC records ----------------------------------------


def template_store() -> Path | None:
    """The real store to read templates from, built from ../shared/data if need be."""
    if REAL_STORE.exists():
        return REAL_STORE
    built = WORKDIR / "linkage_templates.sqlite"
    if built.exists():
        return built
    if not all(p.exists() for p in REAL_FILES):
        return None
    from gawahi.geo.resolve import resolve_incidents
    from gawahi.profiles.tagging import tag_incidents
    from gawahi.sources.importer import ImportOptions, import_file
    from gawahi.store.engine import connect, migrate

    engine = connect(f"sqlite:///{built}")
    migrate(engine)
    for path in REAL_FILES:
        import_file(engine, path, ImportOptions(finish=None))
    with engine.begin() as conn:
        resolve_incidents(conn)
        tag_incidents(conn)
    return built


TEMPLATE_QUERY = """
SELECT i.uid, i.source, i.date_start, i.date_end, i.date_precision, i.latitude, i.longitude,
       i.location_precision, p.admin1_id, p.admin2_id, i.deaths_best, i.deaths_low,
       i.deaths_high, i.violence_type, i.event_type, i.place, i.location_text, i.description
FROM incidents i LEFT JOIN incident_places p ON p.uid = i.uid
WHERE i.source IN (?, ?, ?) AND i.date_start IS NOT NULL
ORDER BY i.uid
"""
HEADLINE_QUERY = """
SELECT c.incident_uid, c.headline FROM citations c JOIN incidents i ON i.uid = c.incident_uid
WHERE i.source IN (?, ?, ?) AND coalesce(c.headline, '') != ''
ORDER BY c.incident_uid, c.position
"""
TAG_QUERY = """
SELECT t.incident_uid, t.tag, t.method, t.rule, t.field, t.matched, t.confidence
FROM tags t JOIN incidents i ON i.uid = t.incident_uid
WHERE i.source IN (?, ?, ?) AND t.role = 'perpetrator'
ORDER BY t.incident_uid, t.position
"""


def load_templates(path: Path) -> Columns:
    """The real records as columns (object arrays for text, float with nan for numbers)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        rows = conn.execute(TEMPLATE_QUERY, SOURCES).fetchall()
        headlines = _grouped(conn.execute(HEADLINE_QUERY, SOURCES))
        tags = _grouped((r[0], r[1:]) for r in conn.execute(TAG_QUERY, SOURCES))
    uids = [r[0] for r in rows]
    start = np.array([date.fromisoformat(r[2]).toordinal() for r in rows])
    end = np.array([date.fromisoformat(r[3] or r[2]).toordinal() for r in rows])
    t: Columns = {
        "uid": _objects(uids),
        "source": _objects(r[1] for r in rows),
        "start": start,
        "span": np.maximum(end - start, 0),
        "date_precision": _objects(r[4] for r in rows),
        "lat": _floats(r[5] for r in rows),
        "lon": _floats(r[6] for r in rows),
        "location_precision": _objects(r[7] for r in rows),
        "admin1": _objects(_unit(r[8]) for r in rows),
        "admin2": _objects(_unit(r[9]) for r in rows),
        "best": _floats(r[10] for r in rows),
        "low": _floats(r[11] for r in rows),
        "high": _floats(r[12] for r in rows),
        "violence_type": _objects(r[13] for r in rows),
        "event_type": _objects(r[14] for r in rows),
        "place": _objects(r[15] for r in rows),
        "location_text": _objects(r[16] for r in rows),
        "description": _objects(r[17] for r in rows),
        "headlines": _objects(headlines.get(u, []) for u in uids),
        "perpetrators": _objects(tags.get(u, []) for u in uids),
    }
    t["counterpart"] = counterparts(t)
    return t


def counterparts(t: Columns) -> np.ndarray:
    """Each template's record of the other real source (UCDP / PBC) for the same incident,
    by a plain rule: within a day, in one district or within 25 km, closest first, each
    record used once; -1 for none."""
    ucdp_by_day: dict[int, list[int]] = {}
    for i in np.flatnonzero(t["source"] == "ucdp-ged").tolist():
        ucdp_by_day.setdefault(int(t["start"][i]), []).append(i)
    found = []
    for p in np.flatnonzero(t["source"] != "ucdp-ged").tolist():
        for shift in DAY_SHIFTS:
            for u in ucdp_by_day.get(int(t["start"][p]) + shift, []):
                km = float(_km(t["lat"][p], t["lon"][p], t["lat"][u], t["lon"][u]))
                district = t["admin2"][p] is not None and t["admin2"][p] == t["admin2"][u]
                if district or km <= COUNTERPART_KM:
                    found.append((abs(shift), km if km == km else 1e9, p, u))
    other = np.full(len(t["uid"]), -1)
    for _, _, p, u in sorted(found):
        if other[p] < 0 and other[u] < 0:
            other[p], other[u] = u, p
    return other


def _grouped(rows: Iterable[tuple[Any, Any]]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for key, value in rows:
        found.setdefault(key, []).append(value)
    return found


def _objects(values: Iterable[Any]) -> np.ndarray:
    items = list(values)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _floats(values: Iterable[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _unit(unit_id: str | None) -> str | None:
    """PAK.quetta -> quetta: the synthetic country's code replaces the real one."""
    return unit_id.split(".", 1)[1] if unit_id and "." in unit_id else unit_id


def _km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


# --- The SYNTHETIC records and the gold pairs -----------------------------------------


def countries_for(rows: int) -> int:
    return max(1, round(2 * rows / (DAYS * DENSITY)))


def synthesize(t: Columns, rows: int, seed: int) -> tuple[Columns, Columns, np.ndarray]:
    """synthetic-a, synthetic-b (as columns) and the gold pairs (a index, b index)."""
    rng, prng = np.random.default_rng(seed), random.Random(seed)
    countries = countries_for(rows)
    copies = round(MATCH_SHARE * rows)
    n = len(t["uid"])
    template = rng.integers(0, n, 2 * rows - copies)
    country = rng.integers(0, countries, len(template))
    start = FIRST_DAY + rng.integers(0, DAYS, len(template))
    _redraw_twins(template, country, start, rng)
    a = _fresh(t, template[:rows], country[:rows], start[:rows], rng)
    independent = _fresh(t, template[rows:], country[rows:], start[rows:], rng)
    originals = rng.choice(rows, copies, replace=False)
    copied = _copies(t, a, originals, rng, prng)
    order = rng.permutation(rows)  # copies and independent records mixed
    b = {k: np.concatenate([copied[k], independent[k]])[order] for k in a}
    gold = np.column_stack([originals, np.argsort(order)[:copies]])
    return a, b, gold


def _redraw_twins(template: np.ndarray, country: np.ndarray, start: np.ndarray, rng: Any) -> None:
    """New days for records with the template and country of another within a week."""
    for _ in range(50):
        twins = np.zeros(len(start), dtype=bool)
        for offset in (0, 3):
            week = (start - FIRST_DAY + offset) // 7
            key = (template.astype(np.int64) * 1000 + country) * 10_000 + week
            _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
            twins |= first[inverse] != np.arange(len(key))
        if not twins.any():
            return
        start[twins] = FIRST_DAY + rng.integers(0, DAYS, int(twins.sum()))


def _fresh(
    t: Columns, template: np.ndarray, country: np.ndarray, start: np.ndarray, rng: Any
) -> Columns:
    """Independent records: a template's fields at a new day in a synthetic country."""
    cols = {k: t[k][template] for k in RECORD_COLUMNS}
    cols |= {"template": template, "country": country, "start": start}
    lon = (t["lon"][template] + COUNTRY_SHIFT * country + 180) % 360 - 180
    precise = np.isin(cols["location_precision"], ["exact", "near"])
    cols["lat"], cols["lon"] = _jitter(
        t["lat"][template], lon, np.where(precise, SPREAD_KM, 0), rng
    )
    cols["text_of"] = template
    return cols


def _copies(t: Columns, a: Columns, originals: np.ndarray, rng: Any, prng: Any) -> Columns:
    """synthetic-b's true matches: perturbed copies of the synthetic-a records given."""
    cols = {k: v[originals] for k, v in a.items()}
    n = len(originals)
    cols["start"] = cols["start"] + rng.choice(DAY_SHIFTS, size=n, p=DAY_SHIFT_ODDS)
    cols["lat"], cols["lon"] = _jitter(cols["lat"], cols["lon"], np.full(n, JITTER_KM), rng)
    cols["best"], cols["low"], cols["high"] = _perturb_deaths(cols, rng)
    other = t["counterpart"][cols["template"]]
    own = other < 0
    for k in ("violence_type", "event_type", *TEXT_COLUMNS, "headlines", "perpetrators"):
        cols[k] = np.where(own, cols[k], t[k][np.maximum(other, 0)])
    cols["text_of"] = np.where(own, cols["template"], other)
    for i in np.flatnonzero(own).tolist():
        for k in TEXT_COLUMNS:
            cols[k][i] = _edited(cols[k][i], KEEP_FIELD[k], prng)
        cols["headlines"][i] = [h for h in cols["headlines"][i] if prng.random() < KEEP_HEADLINE]
        if prng.random() >= KEEP_TAGS:
            cols["perpetrators"][i] = []
    return cols


def _edited(text: str | None, keep: float, prng: Any) -> str | None:
    if not text or prng.random() >= keep:
        return None
    words = text.split()
    return " ".join([w for w in words if prng.random() >= DROP_WORD] or words[:1])


def _perturb_deaths(cols: Columns, rng: Any) -> tuple[np.ndarray, ...]:
    best, n = cols["best"], len(cols["best"])
    draw = rng.random(n)
    reach = np.maximum(1, np.rint(0.25 * np.nan_to_num(best))).astype(np.int64)
    step = rng.integers(1, reach + 1) * rng.choice([-1, 1], n)
    factor = np.exp(rng.uniform(-math.log(2), math.log(2), n))
    new = best.copy()
    near, far, gone = draw < 0.8, draw < 0.92, draw >= 0.92
    new = np.where(near & (draw >= 0.5), np.maximum(0, best + step), new)
    new = np.where(far & ~near, np.rint(best * factor), new)
    new[gone] = np.nan
    changed = draw >= 0.5
    return new, np.where(changed, new, cols["low"]), np.where(changed, new, cols["high"])


def _jitter(lat: np.ndarray, lon: np.ndarray, km: np.ndarray, rng: Any) -> tuple[np.ndarray, ...]:
    """Points moved in a random direction by up to ``km`` (uniform over the disc)."""
    angle = rng.uniform(0, 2 * math.pi, len(lat))
    reach = km * np.sqrt(rng.random(len(lat)))
    new_lat = lat + reach / 111.195 * np.cos(angle)
    new_lon = lon + reach * np.sin(angle) / (111.195 * np.cos(np.radians(lat)))
    return new_lat, (new_lon + 180) % 360 - 180


def country_code(k: int) -> str:
    return f"S{k + 1:02d}"


def uid(side: int, i: int) -> str:
    name, letter = SIDES[side]
    return f"{name}:SYNTHETIC-{letter}{i}"


def record_text(cols: Columns, i: int) -> str:
    """What gawahi's linkage reads as a record's text (place, location, description,
    headlines), for splink's words."""
    parts = [cols[k][i] for k in TEXT_COLUMNS] + list(cols["headlines"][i])
    return " ".join(p for p in parts if p)[:TEXT_CHARS]


# --- Writing the store and the DuckDB file -------------------------------------------

INCIDENT_COLUMNS = (
    "uid, source, source_id, dataset_id, first_dataset_id, content_hash, date_start, date_end, "
    "date_precision, country_iso3, country, latitude, longitude, location_precision, "
    "violence_type, event_type, place, location_text, description, deaths_best, deaths_low, "
    "deaths_high, raw"
)


def write_store(db: Path, sides: list[Columns], t: Columns, rows: int, seed: int) -> None:
    """A fresh gawahi store (schema by ``migrate``) with the SYNTHETIC records."""
    from gawahi.store.engine import connect, migrate

    db.unlink(missing_ok=True)
    engine = connect(f"sqlite:///{db}")
    migrate(engine)
    engine.dispose()
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        dataset = conn.execute(
            "INSERT INTO datasets (format, name, file_name, sha256, imported_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                "synthetic-linkage",
                f"{DATASET_NAME}: {rows} records a side, seed {seed}",
                "(generated by benchmarks/linkage_bench.py)",
                f"synthetic-linkage-{rows}-{seed}",
                datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
            ),
        ).lastrowid
        marks = ", ".join("?" * len(INCIDENT_COLUMNS.split(",")))
        for side, cols in enumerate(sides):
            conn.executemany(
                f"INSERT INTO incidents ({INCIDENT_COLUMNS}) VALUES ({marks})",
                _incident_rows(side, cols, t, dataset),
            )
            conn.executemany(
                "INSERT INTO incident_places (uid, admin1_id, admin2_id, unit_id, status, "
                "method, confidence, input_hash) VALUES (?, ?, ?, ?, ?, 'synthetic', 1.0, "
                "'synthetic')",
                _place_rows(side, cols),
            )
            conn.executemany(
                "INSERT INTO tags (incident_uid, position, tag, role, method, rule, field, "
                "matched, confidence) VALUES (?, ?, ?, 'perpetrator', ?, ?, ?, ?, ?)",
                (
                    (uid(side, i), n, *tag)
                    for i, tags in enumerate(cols["perpetrators"])
                    for n, tag in enumerate(tags)
                ),
            )
            conn.executemany(
                "INSERT INTO citations (incident_uid, position, headline) VALUES (?, ?, ?)",
                (
                    (uid(side, i), n, h)
                    for i, heads in enumerate(cols["headlines"])
                    for n, h in enumerate(heads)
                ),
            )
        conn.commit()


def _incident_rows(side: int, cols: Columns, t: Columns, dataset: int) -> Iterator[tuple]:
    name, letter = SIDES[side]
    for i in range(len(cols["start"])):
        start = int(cols["start"][i])
        code = country_code(int(cols["country"][i]))
        raw = {"SYNTHETIC": True, "dataset": DATASET_NAME, "template": t["uid"][cols["text_of"][i]]}
        yield (
            uid(side, i),
            name,
            f"SYNTHETIC-{letter}{i}",
            dataset,
            dataset,
            f"{letter}{i:031d}",
            date.fromordinal(start).isoformat(),
            date.fromordinal(start + int(cols["span"][i])).isoformat(),
            cols["date_precision"][i],
            code,
            f"SYNTHETIC country {code}",
            _number(cols["lat"][i]),
            _number(cols["lon"][i]),
            cols["location_precision"][i],
            cols["violence_type"][i],
            cols["event_type"][i],
            *(cols[k][i] for k in TEXT_COLUMNS),
            *(_integer(cols[k][i]) for k in ("best", "low", "high")),
            json.dumps(raw),
        )


def _place_rows(side: int, cols: Columns) -> Iterator[tuple]:
    for i in range(len(cols["start"])):
        admin1, admin2 = _synthetic_units(cols, i)
        status = "resolved" if admin2 else "partial" if admin1 else "unresolved"
        yield uid(side, i), admin1, admin2, admin2 or admin1, status


def _synthetic_units(cols: Columns, i: int) -> tuple[str | None, str | None]:
    code = country_code(int(cols["country"][i]))
    units = (cols["admin1"][i], cols["admin2"][i])
    return tuple(f"{code}.{u}" if u else None for u in units)  # type: ignore[return-value]


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _integer(value: float) -> int | None:
    return None if math.isnan(value) else int(value)


def write_duckdb(path: Path, sides: list[Columns], rows: int) -> None:
    """The same records for splink: one table, ``unique_id`` a: 0..N-1, b: N..2N-1."""
    import duckdb
    import pandas as pd

    frames = []
    for side, cols in enumerate(sides):
        units = [_synthetic_units(cols, i) for i in range(len(cols["start"]))]
        best, middle = cols["best"], (cols["low"] + cols["high"]) / 2
        frames.append(
            pd.DataFrame(
                {
                    "side": "ab"[side],
                    "unique_id": np.arange(len(cols["start"])) + side * rows,
                    "country": [country_code(int(k)) for k in cols["country"]],
                    "date_start": (cols["start"] - EPOCH).astype("datetime64[D]"),
                    "lat": cols["lat"],
                    "lon": cols["lon"],
                    "admin1": [u[0] for u in units],
                    "admin2": [u[1] for u in units],
                    "deaths": np.where(np.isnan(best), middle, best),
                    "text": [record_text(cols, i) for i in range(len(cols["start"]))],
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    path.unlink(missing_ok=True)
    with contextlib.closing(duckdb.connect(str(path))) as con:
        con.register("frame", frame)
        con.execute(
            "CREATE TABLE records AS SELECT side, unique_id, country, "
            "CAST(date_start AS DATE) AS date_start, lat, lon, admin1, admin2, "
            "deaths, text FROM frame"
        )


# --- The peers (in their own processes) ----------------------------------------------

_LAST: dict[str, Any] = {}  # what a peer leaves for the untimed scoring after it


def _gawahi(db: Path) -> dict[str, Any]:
    from gawahi.linkage.linking import link_incidents
    from gawahi.store.engine import connect

    with connect(f"sqlite:///{db}").begin() as conn:
        report = link_incidents(conn)
    return {
        "records": report.records,
        "pairs_scored": report.candidates,
        "decoys": report.decoys,
        "linked_pairs": report.linked_pairs,
        "conflicts": report.conflicts,
        "clusters": report.clusters,
    }


def _gawahi_profile(db: Path) -> dict[str, Any]:
    profile = cProfile.Profile()
    details = profile.runcall(_gawahi, db)
    profile.dump_stats(db.parent / "gawahi-link.prof")
    out = []
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats(order).print_stats(25)
        out.append(text.getvalue())
    return details | {"profile": out}


def _splink(db: Path) -> dict[str, Any]:
    import logging

    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"ATTACH '{duck_path(db)}' AS src (READ_ONLY)")
    _splink_tables(con)
    db_api = DuckDBAPI(connection=con)
    tables = [db_api.register(f"records_{s}", dataset_display_name=f"synthetic_{s}") for s in "ab"]
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=_splink_comparisons(),
        blocking_rules_to_generate_predictions=splink_blocking_rules(),
        retain_matching_columns=False,
    )
    linker = Linker(tables, settings, log_level=logging.WARNING)
    training = linker.training
    training.estimate_probability_two_random_records_match([PRIOR_RULE], recall=PRIOR_RECALL)
    training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=1)
    training.estimate_parameters_using_expectation_maximisation(block_on("country", "date_start"))
    training.estimate_parameters_using_expectation_maximisation(
        block_on("country", "admin2", "week", "deaths")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.5)
    found = con.execute(f"SELECT unique_id, cluster_id FROM {clusters.physical_name}").fetchnumpy()
    linked = con.execute(f"SELECT count(*) FROM {predictions.physical_name}").fetchall()[0][0]
    _LAST.update(ids=found["unique_id"], clusters=found["cluster_id"], tables=tables)
    return {"records": len(found["unique_id"]), "linked_pairs": int(linked)}


def duck_path(db: Path) -> Path:
    return db.with_suffix(".duckdb")


def _splink_tables(con: Any) -> None:
    """records_a and records_b with each record's informative words (as gawahi: letters
    only, three or more, lower case, none used by over 20% of the records)."""
    con.execute(
        r"""
        CREATE TABLE words AS
        WITH each AS (
            SELECT unique_id, unnest(list_distinct(regexp_extract_all(lower(text), '\pL{3,}')))
                AS word
            FROM src.records
        ),
        common AS (
            SELECT word FROM each GROUP BY word
            HAVING count(*) > 0.2 * (SELECT count(*) FROM src.records)
        )
        SELECT unique_id, list(word ORDER BY word) AS tokens FROM each
        WHERE word NOT IN (SELECT word FROM common) GROUP BY unique_id
        """
    )
    for side in "ab":
        con.execute(
            f"CREATE TABLE records_{side} AS SELECT r.unique_id, r.country, r.date_start, "
            "datediff('day', DATE '1970-01-05', r.date_start) // 7 AS week, "
            "r.lat, r.lon, r.admin1, r.admin2, r.deaths, w.tokens "
            "FROM src.records r LEFT JOIN words w ON w.unique_id = r.unique_id "
            f"WHERE r.side = '{side}'"
        )


def _splink_comparisons() -> list[Any]:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    close = "abs(deaths_l - deaths_r) <= greatest(2, 0.25 * greatest(deaths_l, deaths_r))"
    factor = "greatest(deaths_l, deaths_r) <= 3 * least(deaths_l, deaths_r) + 3"
    deaths = cl.CustomComparison(
        [
            cll.NullLevel("deaths"),
            cll.ExactMatchLevel("deaths"),
            cll.CustomLevel(close, "close (2 or a quarter)"),
            cll.CustomLevel(factor, "within a factor of 3"),
            cll.ElseLevel(),
        ],
        output_column_name="deaths",
    )
    return [
        cl.AbsoluteDateDifferenceAtThresholds(
            "date_start", input_is_string=False, metrics=["day"], thresholds=[1]
        ),
        cl.DistanceInKMAtThresholds("lat", "lon", [5, 25, 60]),
        deaths,
        cl.ArrayIntersectAtSizes("tokens", [3, 2, 1]),
    ]


def splink_blocking_rules() -> list[str]:
    """Same country, day +/-1, and the same district; or the same province when either
    has no district; or anywhere in the country when either has no province."""
    rules = []
    for shift in ("", " + 1", " - 1"):
        same = f"l.country = r.country AND l.date_start = r.date_start{shift}"
        rules += [
            f"{same} AND l.admin2 = r.admin2",
            f"{same} AND l.admin1 = r.admin1 AND (l.admin2 IS NULL OR r.admin2 IS NULL)",
            f"{same} AND (l.admin1 IS NULL OR r.admin1 IS NULL)",
        ]
    return rules


PEERS = {"gawahi": _gawahi, "gawahi-profile": _gawahi_profile, "splink": _splink}


# --- Scoring (untimed) ---------------------------------------------------------------


def labels_path(db: Path) -> Path:
    return db.with_suffix(".gold.npz")


def quality(peer: str, db: Path) -> dict[str, Any]:
    """Pairwise precision, recall and F1 of the peer's clusters against the gold pairs."""
    gold = np.load(labels_path(db))
    rows = int(gold["rows"])
    if peer.startswith("gawahi"):
        with contextlib.closing(sqlite3.connect(db)) as conn:
            found = conn.execute("SELECT uid, cluster_id FROM cluster_members").fetchall()
        ids = np.array([_index(u, rows) for u, _ in found])
        clusters = np.array([c for _, c in found])
        extra: dict[str, Any] = {}
    else:
        ids, clusters = _LAST["ids"], _LAST["clusters"]
        extra = {"pairs_scored": _splink_pairs(_LAST["tables"])}
    label = np.full(2 * rows, -1, dtype=np.int64)
    label[ids] = np.unique(clusters, return_inverse=True)[1]
    return extra | scores(label, gold["a"], gold["b"] + rows)


def _index(record_uid: str, rows: int) -> int:
    source, rest = record_uid.split(":SYNTHETIC-")
    return int(rest[1:]) + (rows if source == SIDES[1][0] else 0)


def _splink_pairs(tables: list[Any]) -> int:
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    counts = count_comparisons_from_blocking_rules(
        tables,
        blocking_rules=splink_blocking_rules(),
        link_type="link_only",
        unique_id_column_name="unique_id",
        record_sample_proportion=1.0,
    )
    return int(counts[-1]["cumulative_comparison_count"])


def scores(label: np.ndarray, a: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    """Every pair within a cluster is predicted; records without a cluster (-1) alone."""
    _, sizes = np.unique(label[label >= 0], return_counts=True)
    predicted = int((sizes * (sizes - 1) // 2).sum())
    hits = int(((label[a] == label[b]) & (label[a] >= 0)).sum())
    precision = hits / predicted if predicted else 0.0
    recall = hits / len(a) if len(a) else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {
        "predicted_pairs": predicted,
        "true_pairs": hits,
        "gold_pairs": len(a),
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


# --- The run -------------------------------------------------------------------------


def setup(db: Path, rows: int, seed: int, store: Path) -> dict[str, Any]:
    """The store, the DuckDB file and the gold pairs; facts about the data for the docs."""
    t = load_templates(store)
    a, b, gold = synthesize(t, rows, seed)
    write_store(db, [a, b], t, rows, seed)
    write_duckdb(duck_path(db), [a, b], rows)
    np.savez(labels_path(db), a=gold[:, 0], b=gold[:, 1], rows=rows)
    ga, gb = gold[:, 0], gold[:, 1]
    rule = (
        (a["start"][ga] == b["start"][gb])
        & (a["admin2"][ga] == b["admin2"][gb])
        & (a["best"][ga] == b["best"][gb])
    )
    return {
        "templates": len(t["uid"]),
        "counterparts": int((t["counterpart"] >= 0).sum()),
        "countries": countries_for(rows),
        "gold": len(gold),
        "prior_rule_recall": float(rule.mean()),
        "own_text_copies": float((b["text_of"][gb] == b["template"][gb]).mean()),
    }


def _forget_links(db: Path) -> None:
    """Before a gawahi run: no clusters from an earlier run on this store."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        for table in ("cluster_members", "links", "clusters", "link_runs"):
            conn.execute(f"DELETE FROM {table}")
        conn.commit()


def machine() -> str:
    import duckdb
    import splink

    return describe_machine(
        f"splink {splink.__version__}", f"duckdb {duckdb.__version__}", f"numpy {np.__version__}"
    )


def table(results: list[dict[str, Any]], rows: int, facts: dict[str, Any]) -> str:
    lines = [
        f"Linking {rows:,} x {rows:,} SYNTHETIC records ({facts['countries']} SYNTHETIC "
        f"countries, {facts['gold']:,} true matches; resampled from the real UCDP GED and "
        "Pakistan Body Count records), one process each:",
        "",
        "| tool | time (s) | peak RSS (MB) | pairs scored | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['peer']} | failed: {' '.join(r['error'])} | | | | | |")
            continue
        lines.append(
            f"| {r['peer']} | {r['seconds']:.1f} | {r['peak_rss_mb']:.0f} | "
            f"{r['pairs_scored']:,} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} |"
        )
    return "\n".join(lines)


def docs_text(text: str, results: list[dict[str, Any]], args: Any, facts: dict[str, Any]) -> str:
    gawahi = next((r for r in results if r["peer"] == "gawahi" and "error" not in r), None)
    goal = (
        f"- Goal: gawahi links {args.rows:,} x {args.rows:,} records in under 2 minutes: "
        + ("**yes**" if gawahi["seconds"] < 120 else "**no**")
        + f" ({gawahi['seconds']:.0f} s)."
        if gawahi
        else "- Goal: not measured."
    )
    command = f".venv/bin/python benchmarks/linkage_bench.py --rows {args.rows} --write-docs"
    if args.seed != 1:
        command += f" --seed {args.seed}"
    return "\n".join(
        [
            f"## Linkage: SYNTHETIC {args.rows:,} x {args.rows:,} records, gawahi and splink",
            "",
            "Goal (issue: linkage): 400k x 400k records (scaled, labelled synthetic) under 2 "
            "minutes, with splink (DuckDB backend) on the same data and gold pairs. "
            "`benchmarks/linkage_bench.py`; **all records below are SYNTHETIC**.",
            "",
            text,
            "",
            goal,
            "- **SYNTHETIC data.** Each record copies a real UCDP GED or PBC record (its "
            "text, place, precision, toll, tags) at a random day of 1989-2024 in one of "
            f"{facts['countries']} synthetic countries (copies of Pakistan's geography, "
            "about 3 records a day each); 40% of synthetic-b are perturbed copies of "
            "synthetic-a records (day +/-1, point within 5 km, toll varied, text of the "
            "other real source's record of the same incident for "
            f"{1 - facts['own_text_copies']:.0%} of them, else edited): the true matches. "
            "How exactly: the docstring of `benchmarks/linkage_bench.py`.",
            "- Time: the whole run in a fresh process, from reading the records to the "
            "clusters. gawahi reads the SQLite store and writes links, clusters and "
            "memberships back to it; splink reads a DuckDB file of the same records (written "
            "untimed) and keeps its results in DuckDB. gawahi runs in one process on one "
            "core; DuckDB uses both cores. Pairs scored: candidate pairs (gawahi scores "
            f"{gawahi['decoys']:,} decoy pairs for u on top); splink: pairs its blocking "
            "rules make."
            if gawahi
            else "",
            "- Precision, recall and F1 count record pairs in one cluster against the true "
            "matches. splink: u by random sampling (1e7 pairs), m by EM (blocks: same "
            "country and day; same country, district, week and toll), the prior from the rule "
            f"same day, district and toll with a guessed recall of {PRIOR_RECALL} (its recall "
            f"on these data: {facts['prior_rule_recall']:.2f}), threshold 0.5 for "
            "`predict` and for `cluster_pairwise_predictions_at_threshold` (connected "
            "components: a chain a1-b1-a2 joins two synthetic-a records); gawahi's clusters "
            "hold at most one record per source.",
            f"- Machine: {machine()}.",
            "",
            f"Command: `{command}`",
        ]
    )


def main() -> int:
    args = arguments(__doc__, PEERS, "gawahi,splink", rows=400_000)
    if args.worker:
        with contextlib.redirect_stdout(sys.stderr):
            result = measure(PEERS, args.worker, args.db)
            result |= quality(args.worker, args.db)
        print(json.dumps(result))
        return 0
    store = template_store()
    if store is None:
        print(f"SKIP: no store at {REAL_STORE} and no {REAL_FILES[0]}")
        return 0
    WORKDIR.mkdir(parents=True, exist_ok=True)
    db = WORKDIR / f"linkage_SYNTHETIC_{args.rows}.sqlite"
    started = time.perf_counter()
    facts = setup(db, args.rows, args.seed, store)
    print(f"setup (not timed): {time.perf_counter() - started:.0f} s {facts}", file=sys.stderr)
    results = []
    for peer in args.peers.split(","):
        if peer.startswith("gawahi"):
            _forget_links(db)
        results.append(run_peer(__file__, peer, db))
        for text in results[-1].pop("profile", []):
            print(text, file=sys.stderr)
        print(json.dumps(results[-1]), file=sys.stderr)
    if not os.environ.get("GAWAHI_BENCH_KEEP"):
        for path in (db, duck_path(db), labels_path(db)):
            path.unlink(missing_ok=True)
    text = table(results, args.rows, facts)
    print(text)
    if args.write_docs:
        write_docs("linkage", docs_text(text, results, args, facts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
