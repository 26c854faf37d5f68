"""Scale the real UCDP GED Pakistan file up to a SYNTHETIC file of any size, for benchmarks.

Rows of the real file are resampled with replacement (seeded, so the same arguments give
the same bytes). Only these columns change in each written row:

* ``id``: a new unique id (a shuffled range starting at 90,000,000, far above real GED ids);
* ``relid``: ``SYNTHETIC-<id>``, so every single row says it is not a real event;
* ``latitude``/``longitude`` (and ``geom_wkt`` to match): moved by up to 0.01 degrees;
* ``date_start``/``date_end``: both moved by the same 0-3 days, never out of the event's
  ``year`` (so ``year``, the span and ``date_prec`` stay true).

Everything else (actors, deaths, sources, the multi-line quoted ``source_article``) is the
real row's text. The header and the HDX HXL hashtag row are kept. The output file name
contains ``SYNTHETIC`` and a sidecar ``<file>.README.txt`` says what the file is, how it was
made and whose data it is derived from (UCDP GED, CC BY 4.0).

    python benchmarks/synthetic.py --rows 400000 --seed 1

Output goes under /tmp by default and is refused inside the repository: generated data is
never committed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("GAWAHI_SHARED_DATA", REPO.parent / "shared" / "data"))
SOURCE = SHARED_DATA / "ucdp_ged_pakistan" / "conflict_data_pak.csv"
OUT_DIR = Path("/tmp/gawahi-bench")
ID_BASE = 90_000_000
COORD_JITTER = 0.01  # degrees, about 1 km
DAY_JITTER = 3
GENERATOR = "benchmarks/synthetic.py v1"
SKIP_EXIT = 0  # a missing shared data folder is a skip, not a failure


class Skip(Exception):
    """The real data this script scales is not on this machine."""


@dataclass(frozen=True)
class Original:
    header: list[str]
    hxl: list[str] | None
    rows: list[list[str]]
    sha256: str


def default_output(rows: int, seed: int) -> Path:
    return OUT_DIR / f"ucdp_ged_pak_SYNTHETIC_{rows}rows_seed{seed}.csv"


def read_original(path: Path = SOURCE) -> Original:
    """The real file's header, HXL row (if any) and event rows."""
    if not path.is_file():
        raise Skip(
            f"SKIP: {path} not found (the shared data folder is absent); nothing to scale up"
        )
    with path.open(newline="", encoding="utf-8") as handle:
        records = list(csv.reader(handle))
    header, rest = records[0], records[1:]
    hxl = rest.pop(0) if rest and _is_hxl(header, rest[0]) else None
    return Original(header, hxl, rest, _sha256(path))


def _is_hxl(header: list[str], values: list[str]) -> bool:
    first = dict(zip(header, values, strict=False))
    return not first.get("id") and any(v.startswith("#") for v in values)


class Jitter:
    """Makes one synthetic row from one real row."""

    def __init__(self, header: list[str], rng: random.Random) -> None:
        self.col = {name: i for i, name in enumerate(header)}
        self.rng = rng

    def row(self, real: list[str], new_id: int) -> list[str]:
        out = list(real)
        out[self.col["id"]] = str(new_id)
        out[self.col["relid"]] = f"SYNTHETIC-{new_id}"
        self._move_point(out)
        self._move_dates(out)
        return out

    def _move_point(self, out: list[str]) -> None:
        lat_i, lon_i = self.col["latitude"], self.col["longitude"]
        if not out[lat_i] or not out[lon_i]:
            return
        lat = _clamp(float(out[lat_i]) + self.rng.uniform(-COORD_JITTER, COORD_JITTER), 90)
        lon = _clamp(float(out[lon_i]) + self.rng.uniform(-COORD_JITTER, COORD_JITTER), 180)
        out[lat_i], out[lon_i] = f"{lat:.6f}", f"{lon:.6f}"
        if "geom_wkt" in self.col:
            out[self.col["geom_wkt"]] = f"POINT ({_short(lon)} {_short(lat)})"

    def _move_dates(self, out: list[str]) -> None:
        start_i, end_i = self.col["date_start"], self.col["date_end"]
        start, end = _day(out[start_i]), _day(out[end_i])
        if start is None or end is None:
            return
        year = start.year
        low = max(-DAY_JITTER, (date(year, 1, 1) - start).days)
        high = min(DAY_JITTER, (date(end.year, 12, 31) - end).days)
        shift = timedelta(days=self.rng.randint(low, high) if low <= high else 0)
        out[start_i] = (start + shift).isoformat() + out[start_i][10:]
        out[end_i] = (end + shift).isoformat() + out[end_i][10:]


def _clamp(value: float, bound: float) -> float:
    return max(-bound, min(bound, value))


def _short(value: float) -> str:
    # GED writes WKT coordinates without trailing zeros: POINT (73.89724 34.57173)
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def synthetic_rows(original: Original, rows: int, seed: int) -> Iterator[list[str]]:
    rng = random.Random(seed)
    ids = list(range(ID_BASE, ID_BASE + rows))
    rng.shuffle(ids)
    jitter = Jitter(original.header, rng)
    real = original.rows
    for new_id in ids:
        yield jitter.row(real[rng.randrange(len(real))], new_id)


def write(original: Original, out: Path, rows: int, seed: int) -> str:
    """Write the synthetic CSV and its README sidecar; returns the CSV's sha256."""
    _refuse_inside_repo(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)  # QUOTE_MINIMAL and \r\n, as in the GED file
        writer.writerow(original.header)
        if original.hxl is not None:
            writer.writerow(original.hxl)
        writer.writerows(synthetic_rows(original, rows, seed))
    partial.replace(out)
    sha = _sha256(out)
    sidecar(out).write_text(_readme(out, original, rows, seed, sha), encoding="utf-8")
    return sha


def sidecar(out: Path) -> Path:
    return out.with_name(out.name + ".README.txt")


def _refuse_inside_repo(out: Path) -> None:
    if out.resolve().is_relative_to(REPO):
        raise SystemExit(f"refusing to write generated data inside the repository: {out}")


def _readme(out: Path, original: Original, rows: int, seed: int, sha: str) -> str:
    return f"""SYNTHETIC DATA - NOT REAL EVENTS. Made for gawahi benchmarks only.

File: {out.name}
sha256: {sha}
Rows: {rows:,} synthetic events (plus the header and the HDX HXL hashtag row)
Made by: {GENERATOR} --rows {rows} --seed {seed}
Scaled from: {SOURCE.name} (sha256 {original.sha256}), {len(original.rows):,} real events

How: real rows resampled with replacement. In each row only these columns differ from
the real row it copies: id (new, unique, from {ID_BASE:,} up), relid ("SYNTHETIC-<id>"),
latitude/longitude/geom_wkt (moved by up to {COORD_JITTER} degrees), date_start/date_end
(moved together by up to {DAY_JITTER} days, within the event's year). Actors, deaths,
places and source texts are copied, so the same real event appears many times over.
Do not use this file for any statistic, map or report.

Derived from the UCDP Georeferenced Event Dataset (GED) 22.1, Pakistan extract as
distributed on HDX, (c) Uppsala Conflict Data Program, licensed CC BY 4.0. Cite:
Sundberg & Melander (2013), JPR 50(4); Hogbladh (2022), UCDP GED Codebook 22.1.
"""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def make(rows: int, seed: int, out: Path | None = None, source: Path = SOURCE) -> Path:
    """Write the synthetic file (raises ``Skip`` when the real file is absent)."""
    out = out or default_output(rows, seed)
    write(read_original(source), out, rows, seed)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=400_000, help="events to write (400000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--source", type=Path, default=SOURCE, help="the real GED file")
    parser.add_argument("--out", type=Path, help=f"output CSV (default under {OUT_DIR})")
    args = parser.parse_args(argv)
    if args.source != SOURCE and not args.source.is_file():
        parser.error(f"--source {args.source}: no such file")
    try:
        out = make(args.rows, args.seed, args.out, args.source)
    except Skip as skip:
        print(skip, file=sys.stderr)
        return SKIP_EXIT
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) and {sidecar(out).name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
