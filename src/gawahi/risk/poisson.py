"""Exact Poisson intervals, rates per 100,000 and recent years against earlier ones.

Pure functions over plain numbers. Each returns a frozen dataclass that carries the inputs
it used, so a report can print the figure with its interval and ``gawahi verify`` can
recompute it. Invalid arguments raise ``ConfigError``; thin data give a ``reason``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import scipy

from gawahi.errors import ConfigError
from gawahi.risk.checks import check_count as _check_count
from gawahi.risk.checks import check_level as _check_level


@dataclass(frozen=True, slots=True)
class PoissonInterval:
    """An observed count with its exact confidence interval for the Poisson mean."""

    count: int
    lower: float
    upper: float
    level: float


def poisson_interval(count: int, level: float = 0.95) -> PoissonInterval:
    """Exact (Garwood 1936) interval for the mean of a Poisson count.

    Formula: lower = chi2(a/2; 2x) / 2 and upper = chi2(1 - a/2; 2x + 2) / 2, where chi2(p; df)
    is the chi-square quantile and a = 1 - level; for x = 0 the lower limit is 0.
    Assumptions: events occur independently at a constant rate (a Poisson count).
    The interval is conservative: its coverage is at least ``level`` for every mean.
    Reference: Garwood F. (1936), Biometrika 28:437-442; the same as R's ``poisson.test``.
    """
    x = _check_count(count)
    alpha = _check_level(level)
    lower = 0.0 if x == 0 else float(scipy.stats.chi2.ppf(alpha / 2, 2 * x) / 2)
    upper = float(scipy.stats.chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2)
    return PoissonInterval(count=x, lower=lower, upper=upper, level=level)


@dataclass(frozen=True, slots=True)
class Rate:
    """A rate per ``per`` people with its exact Poisson interval."""

    count: int
    population: float
    per: int
    rate: float
    lower: float
    upper: float
    level: float


def rate_per_100k(count: int, population: float, level: float = 0.95) -> Rate:
    """Rate per 100,000 people: count / population x 100,000, with an exact Poisson interval.

    Formula: the Garwood limits of ``poisson_interval`` times 100,000 / population.
    Assumptions: the count is Poisson and the population is known without error; a
    disputed or estimated denominator widens the real uncertainty beyond this interval.
    Reference: Breslow N.E. and Day N.E. (1987), Statistical Methods in Cancer Research II, ch. 2.
    """
    if not population > 0:
        raise ConfigError(f"population must be greater than 0, not {population!r}")
    per = 100_000
    exact = poisson_interval(count, level)
    scale = per / population
    return Rate(
        count=exact.count,
        population=population,
        per=per,
        rate=exact.count * scale,
        lower=exact.lower * scale,
        upper=exact.upper * scale,
        level=level,
    )


def weighted_interval(weights: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Sum of weighted Poisson events, with the Fay-Feuer gamma interval for its mean.

    Deaths come in incidents: 60 deaths in two bombings are far less certain than 60
    deaths in 60 shootings, so deaths are the incidents (the Poisson events) weighted by
    their deaths. Formula, with y = sum(w), v = sum(w^2), m = max(w): lower = Gamma^-1(a/2;
    shape y^2/v, scale v/y), upper = Gamma^-1(1 - a/2; shape (y+m)^2/(v+m^2), scale
    (v+m^2)/(y+m)). With every weight 1 it is the exact Garwood interval. Without any
    event there is no weight to scale by, and deaths are taken as Poisson themselves.
    Reference: Fay M.P. and Feuer E.J. (1997), Statistics in Medicine 16:791-801.
    """
    alpha = _check_level(level)
    w = [float(x) for x in weights if x and x > 0]
    if not w:
        exact = poisson_interval(0, level)
        return 0.0, exact.lower, exact.upper
    y, v, m = sum(w), sum(x * x for x in w), max(w)
    lower = float(scipy.stats.gamma.ppf(alpha / 2, y * y / v, scale=v / y))
    upper = float(
        scipy.stats.gamma.ppf(
            1 - alpha / 2, (y + m) ** 2 / (v + m * m), scale=(v + m * m) / (y + m)
        )
    )
    return y, lower, upper


@dataclass(frozen=True, slots=True)
class RateRatio:
    """Events per year in the recent years over events per year in the earlier ones.

    ``rate_ratio`` is ``math.inf`` when the earlier years have no events, and None (with a
    ``reason``) when no year has any.
    """

    recent_years: tuple[int, ...]
    earlier_years: tuple[int, ...]
    recent_count: int
    earlier_count: int
    rate_ratio: float | None
    lower: float | None
    upper: float | None
    p_value: float | None
    level: float
    reason: str = ""


def _split(years: Sequence[int], counts: Sequence[int], recent: int) -> tuple[list, list]:
    if len(years) != len(counts):
        raise ConfigError(f"{len(years)} years but {len(counts)} counts")
    if len(set(years)) != len(years):
        raise ConfigError("each year may appear only once")
    if not 0 < recent < len(years):
        raise ConfigError(f"recent must be between 1 and {len(years) - 1}, not {recent!r}")
    pairs = sorted(zip(years, (_check_count(c) for c in counts), strict=True))
    return pairs[:-recent], pairs[-recent:]


def _odds(p: float, scale: float) -> float:
    return math.inf if p >= 1 else float(p / (1 - p) * scale)


def recent_vs_earlier(
    years: Sequence[int], counts: Sequence[int], recent: int = 3, level: float = 0.95
) -> RateRatio:
    """Rate ratio of the last ``recent`` years against the earlier years, with an exact CI.

    Formula: RR = (x1 / t1) / (x0 / t0), x = events and t = number of years listed in each
    period. Conditional on n = x1 + x0, x1 is Binomial(n, p) with p = t1 RR / (t1 RR + t0);
    the Clopper-Pearson limits pL = Beta(a/2; x1, x0 + 1) and pU = Beta(1 - a/2; x1 + 1, x0)
    give RR limits p / (1 - p) x t0 / t1. The p-value is the exact two-sided binomial test
    of RR = 1. Assumptions: Poisson counts; every year of the period is listed, with 0 for
    years without events. Reference: Breslow and Day (1987), Statistical Methods in Cancer
    Research II, section 2.2; the same as R's ``poisson.test(c(x1, x0), c(t1, t0))``.
    """
    alpha = _check_level(level)
    earlier, latest = _split(years, counts, recent)
    x1, x0 = sum(c for _, c in latest), sum(c for _, c in earlier)
    t1, t0 = len(latest), len(earlier)
    base = {
        "recent_years": tuple(y for y, _ in latest),
        "earlier_years": tuple(y for y, _ in earlier),
        "recent_count": x1,
        "earlier_count": x0,
        "level": level,
    }
    if x1 + x0 == 0:
        none = {"rate_ratio": None, "lower": None, "upper": None, "p_value": None}
        return RateRatio(**none, **base, reason="no events in the period")
    p_lower = 0.0 if x1 == 0 else scipy.stats.beta.ppf(alpha / 2, x1, x0 + 1)
    p_upper = 1.0 if x0 == 0 else scipy.stats.beta.ppf(1 - alpha / 2, x1 + 1, x0)
    test = scipy.stats.binomtest(x1, x1 + x0, t1 / (t1 + t0))
    return RateRatio(
        rate_ratio=_odds(x1 / (x1 + x0), t0 / t1),
        lower=_odds(p_lower, t0 / t1),
        upper=_odds(p_upper, t0 / t1),
        p_value=float(test.pvalue),
        **base,
    )
