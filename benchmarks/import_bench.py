"""Time importing a large UCDP GED CSV: gawahi against sqlite-utils and DuckDB, same run.

    .venv/bin/python benchmarks/import_bench.py                   # 400,000 rows
    .venv/bin/python benchmarks/import_bench.py --rows 20000      # a quick look
    .venv/bin/python benchmarks/import_bench.py --peers gawahi --profile
    .venv/bin/python benchmarks/import_bench.py --repeat 3 --write-docs

The input is a SYNTHETIC file scaled up from the real UCDP GED Pakistan extract by
``synthetic.py`` (under /tmp, never in the repository). Every import runs in a fresh
Python process of its own that times only the import and reports its own peak RSS
(``getrusage(RUSAGE_SELF)``, or ``RUSAGE_CHILDREN`` for the one sqlite-utils process
it starts), so memory figures are per peer and never cumulative. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import hashlib
import importlib.metadata
import io
import json
import os
import platform
import pstats
import resource
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import synthetic

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "benchmarks.md"
DOCS_HEADING = "## Import (issue: incident store)"
TABLE = "events"
PEERS = ("gawahi", "sqlite-utils", "sqlite-utils-text", "duckdb")
GOAL_RATE = 100_000
GOAL_RSS_MB = 500
PROFILE_TOP = 25
LOAD: dict[str, Any] = {}  # the machine's load average around the runs, for the docs


# --------------------------------------------------------------------------- workers
# Each runs in its own process: ``import_bench.py --worker PEER --data F --db D``.
# Imports and setup happen before the clock starts; the JSON report is the last line.


def _rss_now_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _timed(who: int, work: Any) -> dict[str, Any]:
    """Run ``work()``; its wall and CPU time, and the peak RSS of ``who``."""
    baseline = _rss_now_kb()
    cpu0, start = _cpu(who), time.perf_counter()
    details = work() or {}
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "cpu_seconds": _cpu(who) - cpu0,
        "peak_rss_kb": resource.getrusage(who).ru_maxrss,
        "baseline_rss_kb": baseline if who == resource.RUSAGE_SELF else None,
        **details,
    }


def worker_gawahi(data: Path, db: Path, profile_out: Path | None) -> dict[str, Any]:
    from gawahi.sources.importer import import_file
    from gawahi.store.engine import connect, migrate

    engine = connect(f"sqlite:///{db}")
    migrate(engine)
    source = source_fingerprint()
    profiler = cProfile.Profile() if profile_out else None

    def work() -> dict[str, Any]:
        if profiler:
            profiler.enable()
        report = import_file(engine, data)
        if profiler:
            profiler.disable()
        return {
            "report": {
                "rows_read": report.rows_read,
                "new": report.new,
                "rejected": report.rejected,
                "skipped": len(report.skipped),
                "warnings": len(report.warnings),
            }
        }

    result = _timed(resource.RUSAGE_SELF, work)
    engine.dispose()
    after = source_fingerprint()
    result["source"] = source if after == source else f"{source}, CHANGED during it to {after}"
    if profiler and profile_out:
        profiler.dump_stats(profile_out)
    return result


def sqlite_utils_command(data: Path, db: Path, text_only: bool) -> list[str]:
    exe = shutil.which("sqlite-utils", path=str(Path(sys.executable).parent)) or "sqlite-utils"
    command = [exe, "insert", str(db), TABLE, str(data), "--csv"]
    return [*command, "--no-detect-types"] if text_only else command


def worker_sqlite_utils(data: Path, db: Path, text_only: bool) -> dict[str, Any]:
    command = sqlite_utils_command(data, db, text_only)

    def work() -> dict[str, Any]:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"sqlite-utils exited {done.returncode}: {done.stderr.strip()}")
        return {}

    return _timed(resource.RUSAGE_CHILDREN, work)


def duckdb_sql(data: Path) -> str:
    # The HXL hashtag row (line 2) is skipped and the names given, so DuckDB infers real
    # types (BIGINT, DOUBLE, TIMESTAMP) instead of VARCHAR for the tagged columns.
    with data.open(newline="", encoding="utf-8") as handle:
        names = next(csv.reader(handle))
    quoted = ", ".join("'" + name.replace("'", "''") + "'" for name in names)
    path = str(data).replace("'", "''")
    return (
        f"CREATE TABLE {TABLE} AS SELECT * FROM read_csv('{path}', header = false, "
        f"skip = 2, names = [{quoted}])"
    )


def worker_duckdb(data: Path, db: Path) -> dict[str, Any]:
    import duckdb

    connection = duckdb.connect(str(db))
    sql = duckdb_sql(data)

    def work() -> None:
        connection.execute(sql)

    result = _timed(resource.RUSAGE_SELF, work)
    connection.close()
    return result


def stored_counts(peer: str, db: Path) -> dict[str, int]:
    """Rows in every table the peer made (checked after the clock stops)."""
    if peer == "duckdb":
        import duckdb

        with duckdb.connect(str(db), read_only=True) as connection:
            return {TABLE: connection.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]}
    connection = sqlite3.connect(db)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in names
        }
    finally:
        connection.close()


def db_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file())


def run_worker(args: argparse.Namespace) -> int:
    peer, data, db = args.worker, args.data, args.db
    if peer == "gawahi":
        result = worker_gawahi(data, db, args.profile_out)
    elif peer.startswith("sqlite-utils"):
        result = worker_sqlite_utils(data, db, text_only=peer == "sqlite-utils-text")
    else:
        result = worker_duckdb(data, db)
    result["stored"] = stored_counts(peer, db)
    result["db_bytes"] = db_bytes(db)
    print(json.dumps(result))
    return 0


# --------------------------------------------------------------------------- parent


@dataclass
class Outcome:
    peer: str
    runs: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def seconds(self) -> float:
        return statistics.median(r["seconds"] for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r["peak_rss_kb"] for r in self.runs) / 1024

    def rate(self, events: int) -> float:
        return events / self.seconds


def run_peer(
    peer: str, data: Path, workdir: Path, run: int, profile_out: Path | None = None
) -> dict[str, Any]:
    db = workdir / f"{peer}-{run}.{'duckdb' if peer == 'duckdb' else 'sqlite'}"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        peer,
        "--data",
        str(data),
        "--db",
        str(db),
    ]
    if profile_out:
        command += ["--profile-out", str(profile_out)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=workdir)
    process_seconds = time.perf_counter() - start
    _remove_db(db)
    if done.returncode:
        raise PeerFailed(_exception_line(done.stderr, done.returncode), done.stderr)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = process_seconds
    return result


def _exception_line(stderr: str, code: int) -> str:
    """The "SomeError: message" line that ends a traceback (not its ^^^ markers)."""
    lines = stderr.rstrip().splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback")]
    after = lines[starts[-1] + 1 :] if starts else lines
    found = next((line for line in after if line and not line[0].isspace()), None)
    return (found or (lines[-1] if lines else f"exit code {code}")).replace("|", "\\|")


def _remove_db(db: Path) -> None:
    for path in db.parent.glob(db.name + "*"):
        path.unlink()


class PeerFailed(Exception):
    def __init__(self, summary: str, stderr: str) -> None:
        super().__init__(summary)
        self.stderr = stderr


def run_all(peers: list[str], data: Path, workdir: Path, repeat: int) -> list[Outcome]:
    """Each peer ``repeat`` times, round-robin so drift in the machine hits all alike."""
    outcomes = {peer: Outcome(peer) for peer in peers}
    for run in range(1, repeat + 1):
        for peer in peers:
            outcome = outcomes[peer]
            if outcome.error:
                continue
            print(f"  run {run}/{repeat}: {peer} ...", end=" ", flush=True, file=sys.stderr)
            try:
                outcome.runs.append(run_peer(peer, data, workdir, run))
                print(f"{outcome.runs[-1]['seconds']:.1f} s", file=sys.stderr)
            except PeerFailed as failed:
                outcome.error = str(failed)
                print(f"FAILED: {failed}\n{failed.stderr}", file=sys.stderr)
    return list(outcomes.values())


# --------------------------------------------------------------------------- checks


def expected_rows(peer: str, events: int) -> int:
    # sqlite-utils cannot skip the HXL row under the header, so it stores it as a row.
    return events + 1 if peer.startswith("sqlite-utils") else events


def check(outcome: Outcome, events: int) -> list[str]:
    """What is wrong with what the peer stored, if anything."""
    problems = []
    for run in outcome.runs:
        stored = run["stored"].get("incidents" if outcome.peer == "gawahi" else TABLE, 0)
        if stored != expected_rows(outcome.peer, events):
            problems.append(
                f"stored {stored:,} rows, expected {expected_rows(outcome.peer, events):,}"
            )
        report = run.get("report")
        if report and (report["rejected"] or report["rows_read"] != events):
            problems.append(f"read {report['rows_read']:,}, rejected {report['rejected']:,}")
    return sorted(set(problems))


# --------------------------------------------------------------------------- output

NOTES = {
    "gawahi": "parse, validate, normalise; incidents + raw row JSON, actors, citations",
    "sqlite-utils": "`insert --csv`: one table, column types detected (the 4.x default)",
    "sqlite-utils-text": "`insert --csv --no-detect-types`: one table, every column TEXT",
    "duckdb": "`CREATE TABLE AS SELECT * FROM read_csv(...)`: one table, types inferred",
}


def markdown_table(outcomes: list[Outcome], events: int) -> str:
    repeat = max((len(o.runs) for o in outcomes), default=1)
    wall = "import s (median, min-max)" if repeat > 1 else "import s"
    lines = [
        f"| peer | {wall} | rows/s | CPU s | peak RSS MB (at start) | process s | DB MB | stored |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    lines += [_table_row(outcome, events) for outcome in outcomes]
    return "\n".join(lines)


def _table_row(outcome: Outcome, events: int) -> str:
    if outcome.error or not outcome.runs:
        return f"| {outcome.peer} | failed: {outcome.error} | | | | | | |"
    runs = outcome.runs
    wall = f"{outcome.seconds:.1f}"
    if len(runs) > 1:
        wall += f" ({min(r['seconds'] for r in runs):.1f}-{max(r['seconds'] for r in runs):.1f})"
    cpu = statistics.median(r["cpu_seconds"] for r in runs)
    process = statistics.median(r["process_seconds"] for r in runs)
    size = statistics.median(r["db_bytes"] for r in runs) / 1e6
    stored = _stored(outcome.peer, runs[-1]["stored"])
    problems = check(outcome, events)
    if problems:
        stored += " **WRONG: " + "; ".join(problems) + "**"
    return (
        f"| {outcome.peer} | {wall} | {outcome.rate(events):,.0f} | {cpu:.1f} | "
        f"{_memory(outcome)} | {process:.1f} | {size:,.0f} | {stored} |"
    )


def _memory(outcome: Outcome) -> str:
    # RSS before the import began (interpreter, libraries, empty database); not known for
    # the sqlite-utils CLI, whose start-up is inside its own process.
    starts = [r["baseline_rss_kb"] for r in outcome.runs if r.get("baseline_rss_kb")]
    start = f" ({max(starts) / 1024:,.0f})" if starts else ""
    return f"{outcome.peak_mb:,.0f}{start}"


def _stored(peer: str, stored: dict[str, int]) -> str:
    if peer != "gawahi":
        return f"{stored.get(TABLE, 0):,} rows"
    shown = ("incidents", "actors", "incident_actors", "citations")
    return ", ".join(f"{name} {stored[name]:,}" for name in shown if name in stored)


def goals(outcomes: list[Outcome], events: int) -> str:
    by_peer = {o.peer: o for o in outcomes if o.runs and not o.error}
    ours = by_peer.get("gawahi")
    if ours is None:
        return "Goals: not measured (gawahi did not run)."
    lines = [
        f"- gawahi >= {GOAL_RATE:,} rows/s: {_yes(ours.rate(events) >= GOAL_RATE)} "
        f"({ours.rate(events):,.0f} rows/s)",
        f"- gawahi peak memory < {GOAL_RSS_MB} MB: {_yes(ours.peak_mb < GOAL_RSS_MB)} "
        f"({ours.peak_mb:,.0f} MB)",
    ]
    for peer in ("sqlite-utils", "sqlite-utils-text"):
        if peer in by_peer:
            theirs = by_peer[peer].seconds
            lines.append(
                f"- gawahi faster than {peer}: {_yes(theirs > ours.seconds)} "
                f"(gawahi {ours.seconds:.1f} s, {peer} {theirs:.1f} s)"
            )
    return "Goals (issue: incident store):\n\n" + "\n".join(lines)


def _yes(ok: bool) -> str:
    return "**yes**" if ok else "**no**"


def machine() -> dict[str, str]:
    meminfo = Path("/proc/meminfo").read_text(encoding="ascii").split("\n")[0].split()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    return {
        "CPU": f"{cpu}, nproc {len(os.sched_getaffinity(0))}",
        "RAM": f"{int(meminfo[1]) / 1024**2:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite library": sqlite3.sqlite_version,
        "versions": ", ".join(
            f"{name} {_version(name)}"
            for name in ("sqlite-utils", "duckdb", "sqlalchemy", "gawahi")
        ),
        "gawahi source": _measured_source(),
        "databases on": _filesystem(LOAD.get("workdir", Path("/tmp"))),
        "load average (1, 5, 15 min)": "before {}, after {}".format(
            *(", ".join(f"{x:.2f}" for x in LOAD.get(k, ())) for k in ("before", "after"))
        ),
    }


def _measured_source() -> str:
    ran = sorted({run["source"] for run in LOAD.get("gawahi_runs", []) if "source" in run})
    if not ran:
        return f"{source_fingerprint()} (now; gawahi did not run)"
    if len(ran) > 1:
        return "DIFFERENT in each run: " + "; ".join(ran)
    return ran[0]


def _filesystem(path: Path) -> str:
    done = subprocess.run(
        ["df", "--output=fstype,source", str(path)], capture_output=True, text=True, check=False
    )
    kind = " ".join(done.stdout.split()[2:]) if done.returncode == 0 else "unknown"
    return f"{path} ({kind})"


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def source_fingerprint() -> str:
    """gawahi changes while it is being optimised: name the exact code measured."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "src").rglob("*.py")):
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    commit = f"commit {head}" if head else "no commit yet"
    return f"{digest.hexdigest()[:12]} (sha256 of src/**/*.py; {commit}; working tree)"


def command_line() -> str:
    exe = Path(sys.executable)
    if exe.is_relative_to(REPO):
        exe = exe.relative_to(REPO)
    return shlex.join([str(exe), sys.argv[0], *sys.argv[1:]])


def describe_data(data: Path) -> str:
    size = f"{data.stat().st_size / 1e6:,.0f} MB"
    sidecar = synthetic.sidecar(data)
    if not sidecar.is_file():
        return f"the file {data.name} ({size}, given with `--data`)"
    sha = next(
        (
            line.split(":", 1)[1].strip()
            for line in sidecar.read_text(encoding="utf-8").splitlines()
            if line.startswith("sha256:")
        ),
        "unknown",
    )
    return (
        f"a SYNTHETIC file scaled up from the real Pakistan extract by\n"
        f"`benchmarks/synthetic.py` ({data.name}, {size}, sha256 `{sha[:16]}...`), "
        "with the HXL\nhashtag row and multi-line quoted `source_article` fields"
    )


def docs_section(table: str, goal_text: str, data: Path, events: int, peers: list[str]) -> str:
    facts = "\n".join(f"- {key}: {value}" for key, value in machine().items())
    notes = "\n".join(f"- **{peer}**: {NOTES[peer]}" for peer in peers)
    return f"""{DOCS_HEADING}

Importing {events:,} UCDP GED events: {describe_data(data)}.

Each import runs in its own fresh process; "import s" is the import alone, "process s"
adds interpreter start-up and imports, "peak RSS" is that process's high-water mark (in
brackets: its RSS when the import began). rows/s = {events:,} / import s.

{table}

{notes}

{goal_text}

Measured {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")} on:

{facts}

Command (from the repository root):

```
{command_line()}
```

How it is measured and what it does not show: `benchmarks/README.md`.
"""


def write_docs(section: str) -> None:
    """Replace this benchmark's section of docs/benchmarks.md, keeping all others."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == DOCS_HEADING), None)
    if start is None:
        new = text.rstrip("\n") + "\n\n" + section
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        tail = "".join(lines[end:])
        new = "".join(lines[:start]) + section + ("\n" + tail if tail else "")
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(new, encoding="utf-8")


def profile_gawahi(data: Path, workdir: Path) -> None:
    out = synthetic.OUT_DIR / "gawahi-import.prof"  # outlives the work directory
    print("\nprofiling gawahi (cProfile; its times are inflated) ...", file=sys.stderr)
    try:
        result = run_peer("gawahi", data, workdir, 0, profile_out=out)
    except PeerFailed as failed:
        print(f"profile run failed: {failed}", file=sys.stderr)
        return
    print(
        f"\n### gawahi under cProfile ({result['seconds']:.1f} s), "
        f"top {PROFILE_TOP} by cumulative time\n"
    )
    for key in ("cumulative", "tottime"):
        stream = io.StringIO()
        stats = pstats.Stats(str(out), stream=stream)
        stats.strip_dirs().sort_stats(key).print_stats(PROFILE_TOP)
        print(f"```\n# sorted by {key}\n{_stats_body(stream.getvalue())}\n```")
    print(f"\nprofile kept at {out} (e.g. `python -m pstats {out}`)")


def _stats_body(text: str) -> str:
    lines = text.strip("\n").splitlines()
    first = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(lines[first:])


# --------------------------------------------------------------------------- main


def prepare_data(args: argparse.Namespace) -> Path:
    if args.data:
        return args.data
    if not synthetic.SOURCE.is_file():
        return synthetic.make(args.rows, args.seed)  # raises Skip, with the reason
    out = synthetic.default_output(args.rows, args.seed)
    print(f"writing {args.rows:,} synthetic rows to {out} ...", file=sys.stderr)
    return synthetic.make(args.rows, args.seed, out)


def count_events(data: Path) -> int:
    with data.open(newline="", encoding="utf-8") as handle:
        records = csv.reader(handle)
        header = next(records)
        return sum(1 for values in records if not synthetic._is_hxl(header, values))


def warm_cache(data: Path) -> None:
    # Every peer reads a file already in the page cache, not only those that run later.
    with data.open("rb") as handle:
        while handle.read(1 << 24):
            pass


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="example: .venv/bin/python benchmarks/import_bench.py --rows 20000",
    )
    parser.add_argument("--rows", type=int, default=400_000, help="synthetic events (400000)")
    parser.add_argument("--seed", type=int, default=1, help="seed for synthetic.py (1)")
    parser.add_argument("--data", type=Path, help="use this GED CSV instead of generating one")
    parser.add_argument(
        "--peers", default=",".join(PEERS), help=f"comma-separated subset of {','.join(PEERS)}"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per peer; median shown")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also run gawahi once under cProfile and print the top functions",
    )
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help=f"update the '{DOCS_HEADING[3:]}' section of docs/benchmarks.md",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("/tmp"),
        help="where the databases are made (/tmp; /dev/shm takes the disk "
        "and its fsync out of the figures)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--worker", choices=PEERS, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.peer_list = [p.strip() for p in args.peers.split(",") if p.strip()]
    unknown = set(args.peer_list) - set(PEERS)
    if unknown:
        parser.error(f"unknown peers: {', '.join(sorted(unknown))}; known: {', '.join(PEERS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return run_worker(args)
    try:
        data = prepare_data(args)
    except synthetic.Skip as skip:
        print(skip, file=sys.stderr)
        return synthetic.SKIP_EXIT
    events = count_events(data)
    warm_cache(data)
    workdir = Path(tempfile.mkdtemp(prefix="gawahi-import-bench-", dir=args.workdir))
    try:
        return report(args, data, events, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def report(args: argparse.Namespace, data: Path, events: int, workdir: Path) -> int:
    print(f"importing {data} ({events:,} events) with {', '.join(args.peer_list)}", file=sys.stderr)
    load_before = os.getloadavg()
    outcomes = run_all(args.peer_list, data, workdir, args.repeat)
    gawahi_runs = [run for o in outcomes if o.peer == "gawahi" for run in o.runs]
    LOAD.update(
        before=load_before, after=os.getloadavg(), workdir=workdir.parent, gawahi_runs=gawahi_runs
    )
    table, goal_text = markdown_table(outcomes, events), goals(outcomes, events)
    print(f"\n{table}\n\n{goal_text}")
    if "gawahi" in args.peer_list:
        print(f"\ngawahi source: {_measured_source()}")
    failed = any(o.error or check(o, events) for o in outcomes)
    if args.profile:
        profile_gawahi(data, workdir)
    if args.write_docs and failed:
        print(
            "\nnot writing docs/benchmarks.md: a peer failed or stored the wrong rows",
            file=sys.stderr,
        )
    elif args.write_docs:
        write_docs(docs_section(table, goal_text, data, events, args.peer_list))
        print(f"\nupdated {DOCS.relative_to(REPO)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
