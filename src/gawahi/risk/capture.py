"""Two-list capture-recapture: Chapman's estimate with Seber's variance and Chao's interval."""

from __future__ import annotations

import math
from dataclasses import dataclass

import scipy

from gawahi.errors import ConfigError
from gawahi.risk.checks import check_count as _check_count
from gawahi.risk.checks import check_level as _check_level


@dataclass(frozen=True, slots=True)
class Chapman:
    """Two-list population estimate; ``lower``/``upper`` are the log-normal (Chao) interval."""

    n1: int
    n2: int
    m: int
    observed: int
    estimate: float
    variance: float
    lower: float
    upper: float
    normal_lower: float
    normal_upper: float
    level: float


def chapman(n1: int, n2: int, m: int, level: float = 0.95) -> Chapman:
    """Chapman's estimate of a population seen by two lists, with two intervals.

    Formulas: N = (n1 + 1)(n2 + 1) / (m + 1) - 1 (Chapman 1951), with the variance
    var = (n1 + 1)(n2 + 1)(n1 - m)(n2 - m) / ((m + 1)^2 (m + 2)) (Seber 1970).
    Normal interval: N +/- z sqrt(var), its lower end raised to the observed union r = n1 + n2 - m.
    Log-normal interval (Chao 1987), preferred and never below r: with f0 = N - r and
    C = exp(z sqrt(log(1 + var / f0^2))), [r + f0 / C, r + f0 C].
    Assumptions: a closed population (no one enters or leaves between the lists); the two
    lists are independent (being on one does not change the chance of being on the other);
    every person has the same chance of being on a given list (homogeneous capture); matches
    between the lists are exact. Positive dependence or heterogeneity biases N downwards.
    References: Chapman D.G. (1951), Univ. Calif. Publ. Statist. 1:131-160; Seber G.A.F. (1970),
    Biometrics 26:13-22; Chao A. (1987), Biometrics 43:783-791.
    """
    n1, n2, m = (_check_count(v, name) for v, name in ((n1, "n1"), (n2, "n2"), (m, "m")))
    if m > min(n1, n2):
        raise ConfigError(f"m ({m}) cannot exceed n1 ({n1}) or n2 ({n2})")
    z = float(scipy.stats.norm.ppf(1 - _check_level(level) / 2))
    observed = n1 + n2 - m
    estimate = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    variance = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    f0 = estimate - observed
    spread = math.exp(z * math.sqrt(math.log1p(variance / f0**2))) if f0 > 0 else 1.0
    half = z * math.sqrt(variance)
    return Chapman(
        n1=n1,
        n2=n2,
        m=m,
        observed=observed,
        estimate=estimate,
        variance=variance,
        lower=observed + f0 / spread,
        upper=observed + f0 * spread,
        normal_lower=max(estimate - half, float(observed)),
        normal_upper=estimate + half,
        level=level,
    )
