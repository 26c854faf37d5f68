"""Under-reporting: how many profile incidents no source recorded, by capture-recapture.

Each source is a list; an incident's capture history says which lists recorded it (the
linkage clusters give the matches). Only sources that can record any kind of attack are
lists (coverage.yaml names those that cannot), and only incidents inside every list's
coverage window (first to last record of the source in the country) enter the estimate.
Two lists: Chapman; three or more: log-linear models chosen by AIC.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import sqlalchemy as sa
import yaml

from gawahi.risk.capture import chapman
from gawahi.risk.figures import Figure, figure
from gawahi.risk.frame import Frame
from gawahi.risk.multiple_systems import log_linear_mse
from gawahi.store import schema
from gawahi.textyaml import TextLoader

ASSUMPTIONS = (
    "closed population over the window; matches between sources are exact (they come from "
    "linkage, so linkage errors bias the estimate); sources independent (two lists) or their "
    "dependence captured by the chosen interactions (three or more); every incident equally "
    "likely to be recorded. Media-based sources are positively dependent, which biases the "
    "estimate downwards: read it as a lower bound."
)


@lru_cache(maxsize=1)
def narrow_sources() -> dict[str, str]:
    text = Path(__file__).with_name("coverage.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=TextLoader)  # TextLoader is a SafeLoader
    return dict(data.get("narrow_scope") or {})


def coverage(conn: sa.Connection, country: str) -> dict[str, tuple[date, date]]:
    """Each source's first and last record date in ``country``.

    Source by source, each value a seek in the (country, source, date) index: a GROUP BY
    reads every record of the country, and SQLite only seeks for a lone min() or max()."""
    inc = schema.incidents
    here = inc.c.country_iso3 == country
    windows: dict[str, tuple[date, date]] = {}
    source = conn.scalar(sa.select(sa.func.min(inc.c.source)).where(here))
    while source is not None:
        this = sa.and_(here, inc.c.source == source)
        first, last = (
            conn.scalar(sa.select(bound(inc.c.date_start)).where(this))
            for bound in (sa.func.min, sa.func.max)
        )
        if first and last:
            windows[source] = (_day(first), _day(last))
        after = sa.and_(here, inc.c.source > source)
        source = conn.scalar(sa.select(sa.func.min(inc.c.source)).where(after))
    return windows


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def underreporting_figure(
    frame: Frame, area: str, mask: np.ndarray, windows: dict[str, tuple[date, date]]
) -> Figure:
    """Capture-recapture estimate of the profile's incidents in the area, or why not."""
    result = figure(area, "underreporting.estimate", value=None, unit="incidents")
    narrow = narrow_sources()
    members = [set(str(s).split()) for s in frame.sources[mask]]
    lists = sorted({s for m in members for s in m} - set(narrow))
    if len(lists) < 2:
        result.detail = {
            "reason": f"fewer than two general sources ({', '.join(lists) or 'none'})",
            "left_out": {s: narrow[s] for s in sorted(set(narrow) & _seen(members))},
            "only_left_out": _only_left_out(members, lists),
        }
        return result
    start = max(windows[s][0] for s in lists)
    end = min(windows[s][1] for s in lists)
    inside = mask & (frame.date >= np.datetime64(start)) & (frame.date <= np.datetime64(end))
    histories = Counter(
        tuple(int(s in set(str(srcs).split())) for s in lists) for srcs in frame.sources[inside]
    )
    histories.pop(tuple(0 for _ in lists), None)
    seen = _seen(members)
    result.ids = frame.ids(inside)
    result.detail = {
        "lists": lists,
        "window": [str(start), str(end)],
        "histories": {"".join(map(str, h)): n for h, n in sorted(histories.items())},
        "left_out": {s: narrow[s] for s in sorted(set(narrow) & seen)},
        "only_left_out": _only_left_out(members, lists),
        "assumptions": ASSUMPTIONS,
    }
    _estimate(result, lists, histories)
    return result


def _seen(members: list[set[str]]) -> set[str]:
    return {s for m in members for s in m}


def _only_left_out(members: list[set[str]], lists: list[str]) -> int:
    """Incidents no list recorded (a narrow source alone): outside any estimate."""
    return sum(1 for m in members if m and not m & set(lists))


def _nested(lists: list[str], n1: int, n2: int) -> str:
    """Why two lists, one inside the other, estimate nothing."""
    small, large = (lists[1], lists[0]) if n2 <= n1 else (lists[0], lists[1])
    return (
        f"every incident {small} recorded is also in {large}, so the lists cannot show "
        "what both missed (Chapman would give the observed count with no uncertainty)"
    )


def _estimate(result: Figure, lists: list[str], histories: Counter[tuple[int, ...]]) -> None:
    if not histories:
        result.detail["reason"] = "no profile incident inside every list's coverage window"
        return
    if len(lists) == 2:
        n1, n2 = (
            sum(n for h, n in histories.items() if h[0]),
            sum(n for h, n in histories.items() if h[1]),
        )
        fit = chapman(n1, n2, histories.get((1, 1), 0))
        result.detail |= {
            "method": "Chapman, Chao log-normal 95% interval",
            "observed": fit.observed,
            "n1": n1,
            "n2": n2,
            "m": fit.m,
        }
        if fit.m == min(n1, n2):
            result.detail["reason"] = _nested(lists, n1, n2)
            return
        result.value, result.low, result.high = fit.estimate, fit.lower, fit.upper
        return
    fit = log_linear_mse(dict(histories))
    result.value, result.low, result.high = fit.estimate, fit.lower, fit.upper
    result.detail |= {
        "method": "log-linear MSE, AIC, parametric bootstrap 95%",
        "observed": fit.observed,
        "model": fit.model.name if fit.model else None,
        "reason": fit.reason,
    }
