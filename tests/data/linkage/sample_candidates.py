"""Seeded candidate-pair sampler for the linkage gold set (see README.md).

Usage: python sample_candidates.py /path/to/gawahi.sqlite [1|2] > candidates.csv
  phase 1 (default): stratified pairs for all five source combinations
  phase 2: match-enriched supplement for UCDP-GTD and PBC suicide-GTD
Opens the store read-only. Prints uid pairs + stratum only (no source text).
"""

import csv
import math
import random
import sqlite3
import sys

SEED = 20261205
PAIRS = [
    ("ucdp-ged", "pbc-suicide"),
    ("ucdp-ged", "gtd"),
    ("pbc-suicide", "gtd"),
    ("ucdp-ged", "pbc-drone"),
    ("gtd", "pbc-drone"),
]
# stratum -> sample size per source pair
QUOTA = {
    "S1_same_day_same_adm2": 30,
    "S2_1to3_days_same_adm2": 18,
    "S3_same_day_other_adm2_same_adm1": 12,
}

SQL = """
SELECT a.uid, b.uid,
       CAST(julianday(b.date_start) - julianday(a.date_start) AS INTEGER) AS dd,
       pa.admin1_id, pa.admin2_id, pb.admin1_id, pb.admin2_id,
       a.latitude, a.longitude, b.latitude, b.longitude
FROM incidents a JOIN incident_places pa ON pa.uid = a.uid
JOIN incidents b ON b.source = :sb
     AND b.date_start BETWEEN date(a.date_start, '-3 day') AND date(a.date_start, '+3 day')
JOIN incident_places pb ON pb.uid = b.uid
WHERE a.source = :sa AND a.country_iso3 = 'PAK' AND b.country_iso3 = 'PAK'
  AND a.date_start BETWEEN '2008-01-01' AND '2017-12-31'
  AND pa.admin1_id IS NOT NULL AND pa.admin1_id = pb.admin1_id
ORDER BY a.uid, b.uid
"""


def km(la1, lo1, la2, lo2):
    if None in (la1, lo1, la2, lo2):
        return None
    p = math.pi / 180
    h = (
        math.sin((la2 - la1) * p / 2) ** 2
        + math.cos(la1 * p) * math.cos(la2 * p) * math.sin((lo2 - lo1) * p / 2) ** 2
    )
    return 12742 * math.asin(math.sqrt(h))


def stratum(dd, a2a, a2b):
    same2 = a2a is not None and a2a == a2b
    if dd == 0 and same2:
        return "S1_same_day_same_adm2"
    if 1 <= abs(dd) <= 3 and same2:
        return "S2_1to3_days_same_adm2"
    if dd == 0 and not same2:
        return "S3_same_day_other_adm2_same_adm1"
    return None


# Phase 2 (added after phase-1 labelling showed too few matches for the GTD pairs):
# match-enriched strata, same join, both tolls >= 1 and within a factor of 2.
QUOTA2 = {
    ("ucdp-ged", "gtd"): {
        "S4_same_day_same_adm2_toll_close": 22,
        "S5_1to2_days_same_adm2_toll_close": 8,
    },
    ("pbc-suicide", "gtd"): {
        "S4_same_day_same_adm2_toll_close": 22,
        "S5_1to2_days_same_adm2_toll_close": 8,
    },
}


def phase2(con, w, exclude):
    rng = random.Random(SEED + 2)
    for (sa, sb), quota in QUOTA2.items():
        strata = {k: [] for k in quota}
        q = SQL.replace(
            "ORDER BY",
            "AND a.deaths_best >= 1 AND b.deaths_best >= 1 "
            "AND b.deaths_best <= 2 * a.deaths_best "
            "AND a.deaths_best <= 2 * b.deaths_best ORDER BY",
        )
        for ua, ub, dd, _a1, a2a, _b1, a2b, la, loa, lb, lob in con.execute(
            q, {"sa": sa, "sb": sb}
        ):
            if (ua, ub) in exclude or a2a is None or a2a != a2b:
                continue
            s = (
                "S4_same_day_same_adm2_toll_close"
                if dd == 0
                else ("S5_1to2_days_same_adm2_toll_close" if abs(dd) <= 2 else None)
            )
            if s:
                strata[s].append((ua, ub, dd, km(la, loa, lb, lob)))
        for s, n in quota.items():
            for ua, ub, dd, d in rng.sample(strata[s], min(n, len(strata[s]))):
                w.writerow([ua, ub, s, dd, "" if d is None else round(d, 1)])


def main(path, phase="1"):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rng = random.Random(SEED)
    w = csv.writer(sys.stdout)
    w.writerow(["uid_a", "uid_b", "stratum", "days_apart", "km"])
    if phase == "2":
        # exclude phase-1 pairs by re-running phase 1 into a throwaway writer
        import io

        buf = io.StringIO()
        sys.stdout, old = buf, sys.stdout
        try:
            main(path, "1")
        finally:
            sys.stdout = old
        exclude = {(r[0], r[1]) for r in csv.reader(io.StringIO(buf.getvalue()))}
        phase2(con, w, exclude)
        return
    for sa, sb in PAIRS:
        strata = {k: [] for k in QUOTA}
        for ua, ub, dd, _a1, a2a, _b1, a2b, la, loa, lb, lob in con.execute(
            SQL, {"sa": sa, "sb": sb}
        ):
            s = stratum(dd, a2a, a2b)
            if s:
                strata[s].append((ua, ub, dd, km(la, loa, lb, lob)))
        for s, n in QUOTA.items():
            pool = strata[s]
            for ua, ub, dd, d in rng.sample(pool, min(n, len(pool))):
                w.writerow([ua, ub, s, dd, "" if d is None else round(d, 1)])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "1")
