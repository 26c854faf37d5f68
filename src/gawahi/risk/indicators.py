"""Indicators of the profile and of the general level in one area, from the frame."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import scipy

from gawahi.risk.figures import Figure, figure
from gawahi.risk.frame import Frame
from gawahi.risk.poisson import poisson_interval, recent_vs_earlier
from gawahi.risk.trend import trend


def per_year(frame: Frame, mask: np.ndarray, years: Sequence[int]) -> list[int]:
    """Incidents under ``mask`` in each year, 0 for a year without any."""
    counts = np.bincount(frame.year[mask] - years[0], minlength=len(years))
    return [int(c) for c in counts[: len(years)]]


def _sum(values: np.ndarray, fallback: np.ndarray) -> int:
    return int(np.nansum(np.where(np.isnan(values), fallback, values)))


def profile_figures(
    frame: Frame, area: str, mask: np.ndarray, years: Sequence[int]
) -> list[Figure]:
    """Profile incidents (exact Poisson interval of the total) and deaths, per year."""
    counts = per_year(frame, mask, years)
    exact = poisson_interval(sum(counts))
    best = frame.best[mask]
    deaths_by_year = {str(y): int(np.nansum(best[frame.year[mask] == y])) for y in years}
    return [
        figure(
            area, "profile.incidents", value=exact.count, unit="incidents",
            low=exact.lower, high=exact.upper, ids=frame.ids(mask),
            detail={"per_year": dict(zip(map(str, years), counts, strict=True)),
                    "interval": "exact Poisson 95% for the mean count over the period"},
        ),
        figure(
            area, "profile.deaths", value=_sum(best, np.zeros(len(best))), unit="deaths",
            low=_sum(frame.low[mask], np.nan_to_num(best)),
            high=_sum(frame.high[mask], np.nan_to_num(best)),
            ids=frame.ids(mask), detail={"per_year": deaths_by_year,
                                         "interval": "sum of the sources' low and high"},
        ),
    ]  # fmt: skip


def general_figures(
    frame: Frame, area: str, profile: np.ndarray, general: np.ndarray
) -> list[Figure]:
    """Incidents targeting civilians, and the profile's share with an exact binomial CI."""
    n, k = int(general.sum()), int((profile & general).sum())
    share = figure(
        area, "general.share", value=None, unit="share", ids=frame.ids(profile & general)
    )
    if n:
        ci = scipy.stats.binomtest(k, n).proportion_ci(method="exact")
        share.value, share.low, share.high = k / n, float(ci.low), float(ci.high)
        share.detail = {"profile": k, "civilian": n, "interval": "Clopper-Pearson 95%"}
    count = figure(area, "general.incidents", value=n, unit="incidents", ids=frame.ids(general))
    return [count, share]


def trend_figures(
    frame: Frame, area: str, mask: np.ndarray, years: Sequence[int], recent: int
) -> list[Figure]:
    """The regression slope and the last ``recent`` years against the earlier ones."""
    counts = per_year(frame, mask, years)
    slope = trend(years, counts)
    first = figure(
        area,
        "trend.slope",
        value=slope.rate_ratio,
        unit="rate ratio per year",
        low=slope.lower,
        high=slope.upper,
        ids=frame.ids(mask),
        detail={
            "model": slope.model,
            "p_value": slope.p_value,
            "dispersion": slope.dispersion,
            "alpha": slope.alpha,
            "reason": slope.reason,
            "years": len(years),
        },
    )
    figures = [first]
    if len(years) > recent:
        ratio = recent_vs_earlier(years, counts, recent)
        finite = ratio.rate_ratio is not None and math.isfinite(ratio.rate_ratio)
        reason = ratio.reason or ("" if finite else "no incident in the earlier years: no ratio")
        figures.append(figure(
            area, "trend.recent", value=ratio.rate_ratio if finite else None, unit="rate ratio",
            low=ratio.lower if finite else None,
            high=ratio.upper if finite and math.isfinite(ratio.upper or 0) else None,
            ids=frame.ids(mask),
            detail={"recent_years": list(ratio.recent_years), "recent": ratio.recent_count,
                    "earlier": ratio.earlier_count, "p_value": ratio.p_value,
                    "reason": reason},
        ))  # fmt: skip
    return figures


def last_incident(frame: Frame, area: str, mask: np.ndarray, end: np.datetime64) -> Figure:
    """Days from the last profile incident to the end of the period (None: none at all)."""
    found = figure(area, "last.incident", value=None, unit="days")
    if mask.any():
        last = int(np.argmax(np.where(mask, frame.date, np.datetime64("0001-01-01"))))
        found.value = int((end - frame.date[last]).astype(int))
        found.ids = [str(frame.key[last])]
        found.detail = {"date": str(frame.date[last])}
    return found
