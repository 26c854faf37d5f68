"""What the per-peer benchmarks share: running each peer in its own process, measuring
it, and writing the result table into docs/benchmarks.md."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GAWAHI_SHARED_DATA", REPO.parent / "shared" / "data"))
# The public development files every benchmark resamples from (README command 1).
REAL_FILES = (
    SHARED / "ucdp_ged_pakistan" / "conflict_data_pak.csv",
    SHARED / "pakistan_suicide_attacks" / "pakistan_suicide_attacks_v11.csv",
    SHARED / "pakistan_drone_attacks" / "PakistanDroneAttacks.csv",
)

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
Peer = Callable[[Path], dict[str, Any]]


def peak_rss_mb() -> float:
    """This process's own peak RSS in MB.

    Not ``ru_maxrss``: Linux carries it over from the parent at fork, so a worker started
    by a benchmark that had just built a large store would report the parent's memory.
    ``VmHWM`` belongs to the process's own address space, which exec starts afresh.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(peers: dict[str, Peer], peer: str, db: Path) -> dict[str, Any]:
    """Inside the worker process: run one peer, with its wall time and peak memory."""
    start = time.perf_counter()
    details = peers[peer](db)
    return {
        "peer": peer,
        "seconds": time.perf_counter() - start,
        "peak_rss_mb": peak_rss_mb(),
        **details,
    }


def run_peer(script: str, peer: str, db: Path) -> dict[str, Any]:
    """One peer in a fresh process (``script --worker PEER --db DB``), or its error."""
    done = subprocess.run(
        [sys.executable, script, "--worker", peer, "--db", str(db)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        return {"peer": peer, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout)


def write_docs(name: str, text: str) -> None:
    """Replace (or append) the ``<!-- NAME-bench:begin/end -->`` block of the docs."""
    begin, end = f"<!-- {name}-bench:begin -->", f"<!-- {name}-bench:end -->"
    doc = DOC.read_text(encoding="utf-8")
    block = f"{begin}\n{text}\n{end}"
    if begin in doc:
        doc = doc[: doc.index(begin)] + block + doc[doc.index(end) + len(end) :]
    else:
        doc += "\n" + block + "\n"
    DOC.write_text(doc, encoding="utf-8")


def arguments(
    doc: str, peers: dict[str, Peer], default_peers: str, rows: int = 1_000_000
) -> argparse.Namespace:
    """The options every per-peer benchmark takes (``--worker`` is for its own processes)."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--rows", type=int, default=rows)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--peers", default=default_peers)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--worker", choices=sorted(peers))
    parser.add_argument("--db", type=Path)
    return parser.parse_args()


def machine(*versions: str) -> str:
    """CPU, cores, RAM, Linux, Python and SQLite, the peers' ``versions`` and the time."""
    import sqlite3

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    ram = next(
        int(line.split()[1]) / 1024**2
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return (
        f"{cpu}, {os.cpu_count()} cores, {ram:.1f} GiB RAM, Linux {platform.release()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{', '.join(versions)}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
