"""Time the flagship assessment on N SYNTHETIC incidents, with gawahi and with DuckDB SQL.

    .venv/bin/python benchmarks/assess_bench.py --rows 50000      # quick look
    .venv/bin/python benchmarks/assess_bench.py                   # 1,000,000 incidents
    .venv/bin/python benchmarks/assess_bench.py --write-docs      # also update docs/benchmarks.md
    .venv/bin/python benchmarks/assess_bench.py --peers gawahi-profile

Setup (not timed, cached per --rows, --seed and schema revision under
/tmp/gawahi-bench/assess, so a new migration, an index say, gets a new store): a store made
by ``gawahi init`` (PAK admin units) and ``gawahi geo import-boundaries`` (geoBoundaries
ADM1 and ADM2, for the areas' centres), then N SYNTHETIC records written straight into it
with SQLite bulk inserts. Every uid is ``<source>:SYNTHETIC-<n>``, every raw row says
``"SYNTHETIC": true``, every description says SYNTHETIC and the dataset is named
"SYNTHETIC benchmark data ...". The records:

* districts: level-2 units that have a boundary, drawn with weights (Quetta, Karachi,
  Peshawar, Lahore, ... heavier); 30% of Karachi's records name one of its districts
  (Karachi East, Malir, ...); the point is the district's centroid moved by up to 0.1
  degrees; days uniform over 1989-2021; deaths 0-20;
* clusters: 85% of records alone in a cluster, the rest in clusters of 2-3 records of
  different sources (ucdp-ged, gtd, pbc-suicide) sharing day and place;
* victim tags ``shia`` and ``hazara``: 6% of Quetta's clusters, 0.3% elsewhere, the two
  tags sometimes on different members of one cluster; ``shia`` alone on 1% more;
  perpetrator tags (lej, ttp, bla, jem, is-k) on 15% of records;
* record_targets filled (so the assessment's cache is warm): civilian for 40%.

The store is then ANALYZEd, which gawahi itself never does: SQLite plans the queries with
statistics here, and by its built-in guesses on a store made by ``gawahi import``.

Timed, each in its own process (wall time, peak RSS):

* ``gawahi``: ``assess`` (gawahi.risk.assessment) for shia+hazara, home Quetta, areas
  Karachi, Lahore and Islamabad, 2008-2021, with the frame's snapshot current (an untimed
  first run makes it): the assessment as it runs again on unchanged data, with other
  areas, profiles or perpetrators of the same country and period. Best of 3.
* ``gawahi-first``: the same, the first time after the data changed: snapshots deleted
  (untimed) before each run, so the frame is read from the tables and kept. Best of 2.
* ``gawahi-tables``: the same with ``snapshots=False``, as on PostgreSQL and in ``gawahi
  verify``: read from the tables, nothing kept. Best of 2.

  In all three, scipy and statsmodels are imported before the clock starts: a process
  pays for them once, whatever it assesses.
* ``duckdb``: the tables read from SQLite with Python's sqlite3 into DuckDB (untimed; its
  time is shown apart), then one SQL query (timed): per area (its unit and every unit
  below it, from admin_unit_parents) and year, profile incidents and deaths, incidents
  targeting civilians, incidents by lej and by ttp. Areas hard-coded: Quetta, Karachi and
  Lahore are their districts, Islamabad the capital territory (as gawahi resolves the
  name). Incidents are active clusters only: every SYNTHETIC record is in one.
* ``gawahi-profile`` (not run unless asked): one first ``assess`` under cProfile.

Then: the profile incident counts per area and year of both must agree.
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import json
import os
import pstats
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from harness import SHARED, arguments, measure, run_peer, write_docs
from harness import machine as describe_machine

WORKDIR = Path(os.environ.get("GAWAHI_ASSESS_WORK", "/tmp/gawahi-bench/assess"))
GAWAHI = Path(sys.executable).parent / "gawahi"
BOUNDARIES = SHARED / "boundaries_pakistan_geoboundaries"
BOUNDARY_FILES = (
    (BOUNDARIES / "PAK_ADM1_geoboundaries.geojson", 1),
    (BOUNDARIES / "PAK_ADM2_geoboundaries_simplified.geojson", 2),
)
DATASET_NAME = "SYNTHETIC benchmark data (benchmarks/assess_bench.py)"
SOURCES = ("ucdp-ged", "gtd", "pbc-suicide")
FIRST_DAY, LAST_DAY = date(1989, 1, 1).toordinal(), date(2021, 12, 31).toordinal()
HEAVY = {
    "PAK.quetta": 30.0,
    "PAK.karachi": 30.0,
    "PAK.peshawar": 25.0,
    "PAK.lahore": 10.0,
    "PAK.islamabad": 5.0,
}
PROFILE_SHARE = {"PAK.quetta": 0.06}
PROFILE_ELSEWHERE = 0.003
SHIA_ONLY = 0.01
PERPETRATORS = ("lej", "ttp", "bla", "jem", "is-k")
PERPETRATOR_SHARE = 0.15
CIVILIAN_SHARE = 0.4

HOME, AREAS = "Quetta", ("Karachi", "Lahore", "Islamabad")
START, END = date(2008, 1, 1), date(2021, 12, 31)
# DuckDB's areas, hard-coded: the unit each name means (the query adds every unit below).
AREA_UNITS = {
    "Quetta": "PAK.quetta",
    "Karachi": "PAK.karachi",
    "Lahore": "PAK.lahore",
    "Islamabad": "PAK.islamabad-capital-territory",  # what gawahi resolves "Islamabad" to
}


# --- The SYNTHETIC store ---------------------------------------------------------------


BUILD = 2  # raise when the SYNTHETIC store changes (2: clusters carry their precision)


def _schema() -> str:
    from gawahi.store.engine import head_revision

    return head_revision()


def base_store() -> Path:
    """``gawahi init`` plus the boundaries, made once and copied for every size."""
    base = WORKDIR / f"assess_base_schema{_schema()}.sqlite"
    if base.exists():
        return base
    partial = base.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    url = f"sqlite:///{partial}"
    subprocess.run([str(GAWAHI), "--db", url, "init"], check=True, capture_output=True)
    for path, level in BOUNDARY_FILES:
        subprocess.run(
            [
                str(GAWAHI),
                "--db",
                url,
                "geo",
                "import-boundaries",
                str(path),
                "--level",
                str(level),
            ],
            check=True,
            capture_output=True,
        )
    partial.replace(base)
    return base


def setup(rows: int, seed: int) -> Path:
    WORKDIR.mkdir(parents=True, exist_ok=True)
    db = WORKDIR / f"assess_SYNTHETIC_{rows}_seed{seed}_schema{_schema()}_build{BUILD}.sqlite"
    if db.exists():
        return db
    partial = db.with_suffix(".partial")
    shutil.copyfile(base_store(), partial)
    write_store(partial, rows, seed)
    partial.replace(db)
    return db


def _districts(conn: sqlite3.Connection) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Level-2 units with a boundary and none below them with one (districts, not
    divisions): ids, province ids (the level-1 ancestor), centroid lat and lon."""
    from shapely.geometry import shape

    level = dict(conn.execute("SELECT id, level FROM admin_units WHERE country_iso3 = 'PAK'"))
    parent = dict(
        conn.execute("SELECT unit_id, parent_id FROM admin_unit_parents WHERE valid_to IS NULL")
    )
    rows = conn.execute(
        "SELECT u.id, b.geometry FROM admin_units u JOIN boundaries b ON b.unit_id = u.id "
        "WHERE u.level = 2 AND u.country_iso3 = 'PAK' ORDER BY u.id, b.id"
    ).fetchall()
    # a division is the parent of level-2 units with boundaries of their own; Karachi's
    # districts have none, so Karachi (the city as a whole) stays
    above = {parent.get(u) for u, _ in rows}
    seen: dict[str, tuple[str, float, float]] = {}
    for unit, geometry in rows:
        province = unit
        while province in parent and level.get(province, 0) > 1:
            province = parent[province]
        if unit in above or unit in seen or level.get(province) != 1:
            continue
        point = shape(json.loads(geometry)).centroid
        seen[unit] = (province, point.y, point.x)
    ids = list(seen)
    return (
        ids,
        [seen[u][0] for u in ids],
        np.array([seen[u][1] for u in ids]),
        np.array([seen[u][2] for u in ids]),
    )


def write_store(db: Path, rows: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    ids, parents, lat0, lon0 = _districts(conn)
    karachi_children = [
        r[0]
        for r in conn.execute(
            "SELECT unit_id FROM admin_unit_parents WHERE parent_id = 'PAK.karachi' "
            "AND valid_to IS NULL ORDER BY unit_id"
        )
    ]
    weights = np.array([HEAVY.get(u, 1.0) for u in ids])
    # clusters: sizes 1 (85%), 2 (10%), 3 (5%) until there are ``rows`` records
    sizes = rng.choice([1, 2, 3], size=rows, p=[0.85, 0.10, 0.05])
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), rows)) + 1]
    sizes[-1] -= int(sizes.sum()) - rows
    n_clusters = len(sizes)
    c_unit = rng.choice(len(ids), n_clusters, p=weights / weights.sum())
    c_day = rng.integers(FIRST_DAY, LAST_DAY + 1, n_clusters)
    c_lat = lat0[c_unit] + rng.uniform(-0.1, 0.1, n_clusters)
    c_lon = lon0[c_unit] + rng.uniform(-0.1, 0.1, n_clusters)
    c_deaths = rng.integers(0, 21, n_clusters)
    c_admin2 = np.array(ids, dtype=object)[c_unit]
    c_admin1 = np.array(parents, dtype=object)[c_unit]
    karachi = np.flatnonzero((c_admin2 == "PAK.karachi") & (rng.random(n_clusters) < 0.3))
    if karachi_children:
        c_admin2[karachi] = np.array(karachi_children, dtype=object)[
            rng.integers(0, len(karachi_children), len(karachi))
        ]
    share = np.array([PROFILE_SHARE.get(u, PROFILE_ELSEWHERE) for u in ids])[c_unit]
    c_profile = rng.random(n_clusters) < share
    c_shia_only = ~c_profile & (rng.random(n_clusters) < SHIA_ONLY)
    cluster_of = np.repeat(np.arange(n_clusters), sizes)
    member = np.arange(rows) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    offset = rng.integers(0, len(SOURCES), n_clusters)
    source = np.array(SOURCES, dtype=object)[(offset[cluster_of] + member) % len(SOURCES)]
    civilian = rng.random(rows) < CIVILIAN_SHARE
    perpetrator = np.where(
        rng.random(rows) < PERPETRATOR_SHARE, rng.integers(0, len(PERPETRATORS), rows), -1
    )
    # a cluster's hazara tag goes on its last member: on another member than shia when
    # the cluster has two or three
    last = member == sizes[cluster_of] - 1
    now = datetime.now(UTC).isoformat()
    dataset = conn.execute(
        "INSERT INTO datasets (format, name, file_name, sha256, variant, imported_at, "
        "rows_read, rows_imported, rows_new) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?)",
        ("synthetic", DATASET_NAME, "SYNTHETIC", "0" * 64, now, rows, rows, rows),
    ).lastrowid
    uids = [f"{s}:SYNTHETIC-{i}" for i, s in enumerate(source.tolist())]
    hashes = [f"{i:032x}" for i in range(rows)]
    days = {d: date.fromordinal(d).isoformat() for d in range(FIRST_DAY, LAST_DAY + 1)}
    day_text = [days[d] for d in c_day.tolist()]
    cl = cluster_of.tolist()
    conn.executemany(
        "INSERT INTO incidents (uid, source, source_id, dataset_id, first_dataset_id, "
        "content_hash, date_start, date_end, date_precision, country_iso3, country, latitude, "
        "longitude, location_precision, deaths_best, deaths_low, deaths_high, description, raw) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'day', 'PAK', 'Pakistan', ?, ?, 'exact', ?, ?, ?, "
        "'SYNTHETIC incident', '{\"SYNTHETIC\": true}')",
        (
            (
                uids[i],
                source[i],
                f"SYNTHETIC-{i}",
                dataset,
                dataset,
                hashes[i],
                day_text[c],
                day_text[c],
                float(c_lat[c]),
                float(c_lon[c]),
                int(c_deaths[c]),
                int(c_deaths[c]),
                int(c_deaths[c]),
            )
            for i, c in enumerate(cl)
        ),
    )
    conn.executemany(
        "INSERT INTO incident_places (uid, admin1_id, admin2_id, unit_id, status, method, "
        "confidence, input_hash) VALUES (?, ?, ?, ?, 'resolved', 'SYNTHETIC', 1.0, ?)",
        ((uids[i], c_admin1[c], c_admin2[c], c_admin2[c], hashes[i]) for i, c in enumerate(cl)),
    )
    first_uid = np.repeat(np.cumsum(sizes) - sizes, sizes)
    cluster_sources = [" ".join(sorted(set(source[s : s + z]))) for s, z in _spans(sizes)]
    conn.executemany(
        "INSERT INTO clusters (id, status, created_run, updated_run, size, sources, date_start, "
        "date_end, country_iso3, admin1_id, admin2_id, latitude, longitude, deaths_best, "
        "deaths_low, deaths_high, location_precision) VALUES (?, 'active', 1, 1, ?, ?, ?, ?, "
        "'PAK', ?, ?, ?, ?, ?, ?, ?, 'exact')",
        (
            (
                c + 1,
                int(sizes[c]),
                cluster_sources[c],
                day_text[c],
                day_text[c],
                c_admin1[c],
                c_admin2[c],
                float(c_lat[c]),
                float(c_lon[c]),
                int(c_deaths[c]),
                int(c_deaths[c]),
                int(c_deaths[c]),
            )
            for c in range(n_clusters)
        ),
    )
    conn.executemany(
        "INSERT INTO cluster_members (uid, cluster_id, via) VALUES (?, ?, ?)",
        (
            (uids[i], c + 1, "SYNTHETIC" if first_uid[i] == i else f"SYNTHETIC with {first_uid[i]}")
            for i, c in enumerate(cl)
        ),
    )
    conn.executemany(
        "INSERT INTO tags (incident_uid, position, tag, role, method, rule, field, matched, "
        "confidence) VALUES (?, ?, ?, ?, 'lexicon', 'SYNTHETIC', 'description', 'SYNTHETIC', 0.9)",
        _tag_rows(uids, cl, member, last, c_profile, c_shia_only, perpetrator),
    )
    conn.executemany(
        "INSERT INTO record_targets (uid, content_hash, civilian) VALUES (?, ?, ?)",
        ((uids[i], hashes[i], bool(civilian[i])) for i in range(rows)),
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def _spans(sizes: np.ndarray) -> list[tuple[int, int]]:
    starts = (np.cumsum(sizes) - sizes).tolist()
    return list(zip(starts, sizes.tolist(), strict=True))


def _tag_rows(
    uids: list[str],
    cl: list[int],
    member: np.ndarray,
    last: np.ndarray,
    profile: np.ndarray,
    shia_only: np.ndarray,
    perpetrator: np.ndarray,
) -> Any:
    for i, c in enumerate(cl):
        position = 0
        if (profile[c] or shia_only[c]) and member[i] == 0:
            yield (uids[i], position, "shia", "victim")
            position += 1
        if profile[c] and last[i]:
            yield (uids[i], position, "hazara", "victim")
            position += 1
        if perpetrator[i] >= 0:
            yield (uids[i], position, PERPETRATORS[perpetrator[i]], "perpetrator")


# --- Peers ------------------------------------------------------------------------------


def _spec() -> Any:
    from gawahi.risk.assessment import AssessmentSpec

    return AssessmentSpec(
        country="PAK", profile=("shia", "hazara"), home=HOME, areas=AREAS, start=START, end=END
    )


def _profile_counts(result: Any) -> dict[str, Any]:
    counts = {}
    for area in result.areas:
        fig = result.figure(f"{area['name']}/profile.incidents")
        counts[area["name"]] = {
            "unit": area["unit_id"],
            "total": fig.value,
            "per_year": {int(y): n for y, n in fig.detail["per_year"].items()},
        }
    return counts


def _engine(db: Path) -> Any:
    """The store, with the statistics libraries imported: untimed, since a process pays
    them once (about 1.5 s here), whatever it assesses."""
    import scipy.stats  # noqa: F401
    import statsmodels.api  # noqa: F401

    from gawahi.store.engine import connect

    return connect(f"sqlite:///{db}")


def _assess(engine: Any, snapshots: bool = True) -> tuple[float, Any]:
    from gawahi.risk.assessment import assess

    started = time.perf_counter()
    with engine.begin() as conn:
        result = assess(conn, _spec(), snapshots=snapshots)
    return time.perf_counter() - started, result


def _clear(engine: Any) -> None:
    from gawahi.risk.snapshots import clear

    with engine.begin() as conn:
        clear(conn)


def _summary(runs: list[float], result: Any, **extra: Any) -> dict[str, Any]:
    counts = {"profile": _profile_counts(result), "perpetrators": result.perpetrators[:5]}
    return {"runs": runs, "best": min(runs), "figures": len(result.figures)} | extra | counts


def _gawahi(db: Path) -> dict[str, Any]:
    """Later assessments: the frame's snapshot is current (made by an untimed first run)."""
    engine = _engine(db)
    load, _ = _assess(engine)
    timed = [_assess(engine) for _ in range(3)]
    return _summary([t for t, _ in timed], timed[-1][1], load_seconds=load)


def _gawahi_first(db: Path) -> dict[str, Any]:
    """The first assessment after the data changed: no snapshot, so the frame is read
    from the tables and kept as a snapshot (snapshots deleted untimed before each run)."""
    engine = _engine(db)
    runs, result = [], None
    for _ in range(2):
        _clear(engine)
        seconds, result = _assess(engine)
        runs.append(seconds)
    return _summary(runs, result)


def _gawahi_tables(db: Path) -> dict[str, Any]:
    """Snapshots not used at all, as on PostgreSQL and in ``gawahi verify``."""
    engine = _engine(db)
    timed = [_assess(engine, snapshots=False) for _ in range(2)]
    return _summary([t for t, _ in timed], timed[-1][1])


def _gawahi_profile(db: Path) -> dict[str, Any]:
    """A first assessment (no snapshot) under cProfile: where reading the tables goes."""
    from gawahi.risk.assessment import assess

    engine = _engine(db)
    _clear(engine)
    spec = _spec()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    with engine.begin() as conn:
        result = profiler.runcall(assess, conn, spec)
    seconds = time.perf_counter() - started
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
    return {"runs": [seconds], "best": seconds, "profile_text": out.getvalue()} | {
        "profile": _profile_counts(result),
        "figures": len(result.figures),
    }


DUCK_TABLES = {
    "clusters": "SELECT id, status, country_iso3, date_start, admin1_id, admin2_id, "
    "deaths_best FROM clusters",
    "cluster_members": "SELECT uid, cluster_id FROM cluster_members",
    "tags": "SELECT incident_uid, tag, role, confidence FROM tags",
    "record_targets": "SELECT uid, civilian FROM record_targets",
    "admin_unit_parents": "SELECT unit_id, parent_id, valid_to FROM admin_unit_parents",
}

DUCK_QUERY = """
WITH RECURSIVE inside(area, unit) AS (
    SELECT area, unit FROM areas
    UNION
    SELECT i.area, p.unit_id FROM inside i
    JOIN admin_unit_parents p ON p.parent_id = i.unit AND p.valid_to IS NULL
),
incident AS (
    SELECT id, year(CAST(date_start AS DATE)) AS yr, admin1_id, admin2_id, deaths_best
    FROM clusters
    WHERE status = 'active' AND country_iso3 = 'PAK'
      AND CAST(date_start AS DATE) BETWEEN DATE '{start}' AND DATE '{end}'
),
in_area AS (
    SELECT i.area, k.id FROM incident k JOIN inside i ON i.unit = k.admin2_id
    UNION
    SELECT i.area, k.id FROM incident k JOIN inside i ON i.unit = k.admin1_id
),
flags AS (
    SELECT m.cluster_id AS id,
           bool_or(t.role = 'victim' AND t.tag = 'shia') AS shia,
           bool_or(t.role = 'victim' AND t.tag = 'hazara') AS hazara,
           bool_or(t.role = 'perpetrator' AND t.tag = 'lej') AS lej,
           bool_or(t.role = 'perpetrator' AND t.tag = 'ttp') AS ttp
    FROM tags t JOIN cluster_members m ON m.uid = t.incident_uid
    GROUP BY m.cluster_id
),
civilian AS (
    SELECT DISTINCT m.cluster_id AS id
    FROM record_targets r JOIN cluster_members m ON m.uid = r.uid WHERE r.civilian
)
SELECT a.area, k.yr,
       count(*) FILTER (WHERE f.shia AND f.hazara) AS profile,
       coalesce(sum(k.deaths_best) FILTER (WHERE f.shia AND f.hazara), 0) AS profile_deaths,
       count(*) FILTER (WHERE c.id IS NOT NULL OR (f.shia AND f.hazara)) AS civilian,
       count(*) FILTER (WHERE f.lej) AS lej,
       count(*) FILTER (WHERE f.ttp) AS ttp
FROM in_area a
JOIN incident k ON k.id = a.id
LEFT JOIN flags f ON f.id = k.id
LEFT JOIN civilian c ON c.id = k.id
GROUP BY a.area, k.yr
ORDER BY a.area, k.yr
"""


def _duckdb(db: Path) -> dict[str, Any]:
    import duckdb

    started = time.perf_counter()
    duck = duckdb.connect()
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        for table, query in DUCK_TABLES.items():
            frame = _arrow(conn, query)
            duck.register("staged", frame)
            duck.execute(f"CREATE TABLE {table} AS SELECT * FROM staged")
            duck.unregister("staged")
            del frame
    duck.execute("CREATE TABLE areas (area VARCHAR, unit VARCHAR)")
    duck.executemany("INSERT INTO areas VALUES (?, ?)", list(AREA_UNITS.items()))
    load = time.perf_counter() - started
    started = time.perf_counter()
    rows = duck.execute(DUCK_QUERY.format(start=START, end=END)).fetchall()
    query = time.perf_counter() - started
    profile: dict[str, Any] = {
        a: {"unit": u, "total": 0, "per_year": dict.fromkeys(range(START.year, END.year + 1), 0)}
        for a, u in AREA_UNITS.items()
    }
    totals: dict[str, dict[str, int]] = {}
    for area, year, n, deaths, civ, lej, ttp in rows:
        profile[area]["per_year"][year] = n
        profile[area]["total"] += n
        sums = totals.setdefault(area, dict.fromkeys(("deaths", "civilian", "lej", "ttp"), 0))
        for k, v in zip(("deaths", "civilian", "lej", "ttp"), (deaths, civ, lej, ttp), strict=True):
            sums[k] += int(v)
    return {"runs": [query], "best": query, "load_seconds": load, "profile": profile} | {
        "totals": totals
    }


def _arrow(conn: sqlite3.Connection, query: str) -> Any:
    """A query's rows as an Arrow table (column by column, so the rows do not linger)."""
    import pyarrow as pa

    cursor = conn.execute(query)
    names = [d[0] for d in cursor.description]
    columns: list[list[Any]] = [[] for _ in names]
    while batch := cursor.fetchmany(100_000):
        for j, column in enumerate(zip(*batch, strict=True)):
            columns[j].extend(column)
    return pa.table(dict(zip(names, columns, strict=True)))


PEERS = {
    "gawahi": _gawahi,
    "gawahi-first": _gawahi_first,
    "gawahi-tables": _gawahi_tables,
    "gawahi-profile": _gawahi_profile,
    "duckdb": _duckdb,
}
DEFAULT_PEERS = "gawahi,gawahi-first,gawahi-tables,duckdb"


# --- Report -----------------------------------------------------------------------------


def compare(results: list[dict[str, Any]]) -> list[str]:
    """Differences in profile incidents per area and year between the peers."""
    done = [r for r in results if "error" not in r and "profile" in r]
    problems = []
    for other in done[1:]:
        first = done[0]
        for area, mine in first["profile"].items():
            theirs = other["profile"].get(area)
            if theirs is None:
                problems.append(f"{area}: missing in {other['peer']}")
                continue
            if mine["unit"] != theirs["unit"]:
                problems.append(f"{area}: unit {mine['unit']} vs {theirs['unit']}")
            their_years = {str(y): m for y, m in theirs["per_year"].items()}
            for year, n in mine["per_year"].items():
                m = their_years.get(str(year), 0)
                if n != m:
                    problems.append(
                        f"{area} {year}: {first['peer']} {n}, {other['peer']} {m} profile incidents"
                    )
    return problems


def machine() -> str:
    import duckdb

    return describe_machine(f"duckdb {duckdb.__version__}", f"numpy {np.__version__}")


def table(results: list[dict[str, Any]], rows: int, problems: list[str]) -> str:
    lines = [
        f"Assessing shia+hazara, home {HOME}, areas {', '.join(AREAS)}, "
        f"{START.year}-{END.year}, over {rows:,} SYNTHETIC incident records; one process each:",
        "",
        "| peer | time (s) | runs (s) | load, untimed (s) | peak RSS (MB) | profile incidents |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['peer']} | failed: {' '.join(r['error'])} | | | | |")
            continue
        counts = ", ".join(f"{a} {p['total']}" for a, p in r["profile"].items())
        load = f"{r['load_seconds']:.1f}" if "load_seconds" in r else ""
        runs = " / ".join(f"{s:.2f}" for s in r["runs"])
        lines.append(
            f"| {r['peer']} | {r['best']:.2f} | {runs} | {load} | {r['peak_rss_mb']:.0f} "
            f"| {counts} |"
        )
    lines += [
        "",
        "Profile incident counts per area and year: "
        + ("**the peers agree**." if not problems else f"**{len(problems)} MISMATCHES**."),
    ]
    return "\n".join(lines)


def docs_text(text: str, args: Any) -> str:
    command = f".venv/bin/python benchmarks/assess_bench.py --rows {args.rows} --write-docs"
    if args.seed != 1:
        command += f" --seed {args.seed}"
    if args.peers != DEFAULT_PEERS:
        command += f" --peers {args.peers}"
    return "\n".join(
        [
            f"## Assessment: SYNTHETIC {args.rows:,} incident records, gawahi and DuckDB",
            "",
            "The flagship assessment (`gawahi.risk.assessment.assess`) against the same "
            "per-area, per-year aggregation written as one DuckDB SQL query. "
            "`benchmarks/assess_bench.py`; **all incidents below are SYNTHETIC**.",
            "",
            text,
            "",
            "- **SYNTHETIC data.** Records written straight into a store made by `gawahi init` "
            "and `geo import-boundaries`: districts drawn with weights, days uniform over "
            "1989-2021, 85% of records alone in a cluster and the rest in clusters of 2-3 "
            "sources, shia+hazara victim tags concentrated in Quetta, perpetrator tags on 15% "
            "of records, record_targets filled (civilian 40%). How exactly: the docstring of "
            "`benchmarks/assess_bench.py`.",
            "- gawahi: `assess` computes every figure of the assessment (profile, general, "
            "rate, trend, reach, route, under-reporting, findings), a superset of the DuckDB "
            "query, in three situations, each peer in its own process with scipy and "
            "statsmodels imported before the clock starts (a process pays about 1.5 s for "
            "them once). `gawahi`: the frame's snapshot is current (risk/snapshots.py; an "
            "untimed first run made it, shown as load), as for every assessment of the "
            "same country and period until the data change; best of 3. `gawahi-first`: "
            "the first assessment after a change, which reads the frame from the tables "
            "and keeps it (snapshots deleted, untimed, before each run); best of 2. "
            "`gawahi-tables`: snapshots off, as on PostgreSQL and in `gawahi verify`; "
            "best of 2. DuckDB: the tables are copied from SQLite into DuckDB first (its "
            "sqlite extension cannot be installed offline; the copy is shown as load, "
            "untimed), then only the query is timed. Peak RSS covers the whole process, "
            "copy included.",
            "- The store is ANALYZEd after the bulk insert; gawahi never runs ANALYZE, so on "
            "a store made by `gawahi import` SQLite plans by its built-in guesses.",
            "- Where the time goes without a snapshot (`--peers gawahi-profile` profiles a "
            "first assessment): reading rows through Python's sqlite3, one Python object per "
            "value: every cluster of the period, then the cluster of every record with a "
            "civilian target or a tag asked for. With a snapshot: the figures themselves.",
            f"- Machine: {machine()}.",
            "",
            f"Command: `{command}`",
        ]
    )


def main() -> int:
    args = arguments(__doc__, PEERS, DEFAULT_PEERS)
    if args.worker:
        with contextlib.redirect_stdout(sys.stderr):
            result = measure(PEERS, args.worker, args.db)
        print(json.dumps(result))
        return 0
    if not all(path.exists() for path, _ in BOUNDARY_FILES):
        print(f"SKIP: no boundaries under {BOUNDARIES}")
        return 0
    started = time.perf_counter()
    db = setup(args.rows, args.seed)
    print(f"SYNTHETIC store (setup, not timed): {db}, {time.perf_counter() - started:.0f} s")
    results = []
    for peer in args.peers.split(","):
        results.append(run_peer(__file__, peer, db))
        text = results[-1].pop("profile_text", None)
        if text:
            print(text, file=sys.stderr)
        print(json.dumps(results[-1]), file=sys.stderr)
    problems = compare(results)
    for problem in problems:
        print(f"MISMATCH: {problem}", file=sys.stderr)
    if problems:
        print(f"!!! {len(problems)} MISMATCHES in profile incident counts !!!", file=sys.stderr)
    text = table(results, args.rows, problems)
    print(text)
    if args.write_docs:
        write_docs("assess", docs_text(text, args))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
