"""Seeded sampler for the held-out linkage evaluation set (see README.md, "Held-out set").

Usage: python sample_heldout.py /path/to/gawahi.sqlite > heldout_candidates.csv

Reuses the candidate join and stratum rule of sample_candidates.py (phase-1 strata S1/S2/S3 only,
natural candidate distribution, no match-enriched strata) with its own seed, and excludes
  * every pair in gold_pairs.csv (in either order), and
  * every pair drawn by sample_candidates.py phase 1 and 2 (this adds the 14 pairs dropped there
    as undecidable, which are not in gold_pairs.csv).
Opens the store read-only. Prints uid pairs + stratum only (no source text).
"""

import csv
import io
import os
import random
import sqlite3
import sys
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # do not leave __pycache__ next to the data files
import sample_candidates as sc  # noqa: E402

SEED = 20261206
# per source pair, in this order: (S1, S2, S3)
SIZES = [
    (("ucdp-ged", "pbc-suicide"), (12, 6, 4)),
    (("ucdp-ged", "gtd"), (12, 6, 4)),
    (("pbc-suicide", "gtd"), (12, 6, 4)),
    (("ucdp-ged", "pbc-drone"), (10, 5, 3)),
    (("gtd", "pbc-drone"), (4, 2, 1)),
]
STRATA = list(sc.QUOTA)  # S1, S2, S3 names, same as the gold set


def excluded(path):
    ex = set()
    with open(os.path.join(HERE, "gold_pairs.csv"), newline="") as f:
        for r in csv.DictReader(f):
            ex.add((r["uid_a"], r["uid_b"]))
            ex.add((r["uid_b"], r["uid_a"]))
    for phase in ("1", "2"):
        buf = io.StringIO()
        with redirect_stdout(buf):
            sc.main(path, phase)
        for r in csv.DictReader(io.StringIO(buf.getvalue())):
            ex.add((r["uid_a"], r["uid_b"]))
            ex.add((r["uid_b"], r["uid_a"]))
    return ex


def main(path):
    ex = excluded(path)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rng = random.Random(SEED)
    w = csv.writer(sys.stdout)
    w.writerow(["uid_a", "uid_b", "stratum", "days_apart", "km"])
    for (sa, sb), sizes in SIZES:
        strata = {k: [] for k in STRATA}
        for ua, ub, dd, _a1, a2a, _b1, a2b, la, loa, lb, lob in con.execute(
            sc.SQL, {"sa": sa, "sb": sb}
        ):
            if (ua, ub) in ex:
                continue
            s = sc.stratum(dd, a2a, a2b)
            if s:
                strata[s].append((ua, ub, dd, sc.km(la, loa, lb, lob)))
        for s, n in zip(STRATA, sizes, strict=True):
            pool = strata[s]
            for ua, ub, dd, d in rng.sample(pool, min(n, len(pool))):
                w.writerow([ua, ub, s, dd, "" if d is None else round(d, 1)])


if __name__ == "__main__":
    main(sys.argv[1])
