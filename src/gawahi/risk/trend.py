"""Trend of annual counts: Poisson or negative-binomial regression on year."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import scipy

from gawahi.errors import ConfigError
from gawahi.risk.checks import check_count as _check_count

DISPERSION_LIMIT = 1.5
"""Pearson chi2/df of the Poisson fit above which ``trend`` switches to negative binomial."""


@cache
def _sm() -> Any:
    """statsmodels, imported on the first fit: it takes a second or more to import, and
    a report or a look at a stored assessment fits no model."""
    import statsmodels.api

    return statsmodels.api


def _quiet_glm(y: np.ndarray, design: np.ndarray, family: object, offset: object = None) -> object:
    """Fit a GLM by IRLS with statsmodels' separation and overflow warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return _sm().GLM(y, design, family=family, offset=offset).fit()


@dataclass(frozen=True, slots=True)
class Trend:
    """Annual rate ratio from a count regression on year; ``model`` says which one was used.

    ``model`` is ``"poisson"``, ``"negative binomial"`` or ``"insufficient data"`` (then the
    figures are None and ``reason`` says why). ``dispersion`` is the Pearson chi2/df of the
    Poisson fit; ``alpha`` the negative-binomial variance parameter (var = mu + alpha mu^2).
    """

    model: str
    years: int
    total: int
    rate_ratio: float | None = None
    lower: float | None = None
    upper: float | None = None
    p_value: float | None = None
    dispersion: float | None = None
    alpha: float | None = None
    reason: str = ""


def _series(
    years: Sequence[int], counts: Sequence[int], exposure: Sequence[float] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    if len(years) != len(counts):
        raise ConfigError(f"{len(years)} years but {len(counts)} counts")
    y = np.array([_check_count(c) for c in counts], dtype=float)
    x = np.asarray(years, dtype=float)
    if exposure is None:
        return x, y, None
    e = np.asarray(exposure, dtype=float)
    if len(e) != len(y) or not np.all(e > 0):
        raise ConfigError("exposure needs one value greater than 0 for each year")
    return x, y, np.log(e)


MIN_EVENTS = 5
"""Fewer events than this give no trend: a slope through one or two attacks says nothing."""


def _why_insufficient(x: np.ndarray, y: np.ndarray) -> str:
    if len(np.unique(x)) < 3:
        return "fewer than 3 years"
    if y.sum() == 0:
        return "no events in the period"
    if y.sum() < MIN_EVENTS:
        return f"fewer than {MIN_EVENTS} events in the period, too few for a trend"
    busy = x[y > 0]
    if busy.min() == busy.max() and busy[0] in (x.min(), x.max()):
        return "all events fall in the first or last year, so the slope has no finite estimate"
    return ""


def _nb_alpha(design: np.ndarray, y: np.ndarray, offset: np.ndarray | None) -> float | None:
    """Maximum-likelihood alpha by profiling the GLM likelihood; None when it goes to 0."""

    def negative_llf(log_alpha: float) -> float:
        family = _sm().families.NegativeBinomial(alpha=math.exp(log_alpha))
        return -float(_quiet_glm(y, design, family, offset).llf)

    best = scipy.optimize.minimize_scalar(negative_llf, bounds=(-10.0, 5.0), method="bounded")
    return None if best.x < -9.5 else math.exp(best.x)


def _trend_from(fit: object, model: str, base: dict[str, object]) -> Trend:
    lower, upper = np.exp(fit.conf_int(0.05)[1])
    return Trend(
        model=model,
        rate_ratio=math.exp(fit.params[1]),
        lower=float(lower),
        upper=float(upper),
        p_value=float(fit.pvalues[1]),
        **base,
    )


def trend(
    years: Sequence[int], counts: Sequence[int], exposure: Sequence[float] | None = None
) -> Trend:
    """Annual rate ratio exp(slope) of a log-linear count regression on year, with a 95% CI.

    Model: log E[count_t] = b0 + b1 (year_t - mean year) + log(exposure_t), fitted by maximum
    likelihood (statsmodels GLM, IRLS). The Poisson model is used unless its Pearson chi2/df
    exceeds ``DISPERSION_LIMIT`` (1.5); then a negative binomial (NB2, var = mu + alpha mu^2)
    is fitted, with alpha the profile-likelihood maximum, unless alpha goes to 0.
    Interval and p-value are Wald (b1 +/- 1.96 se; z test of b1 = 0), conditional on alpha.
    Assumptions: counts independent given the rate; the log rate changes linearly with time.
    Years with no events must be included with count 0; leaving them out biases the slope.
    Fewer than 3 years, no events, or all events in the first or last year (no finite MLE)
    give model "insufficient data".
    References: McCullagh P. and Nelder J.A. (1989), Generalized Linear Models, 2nd ed., ch. 6;
    Cameron A.C. and Trivedi P.K. (2013), Regression Analysis of Count Data, 2nd ed., ch. 3.
    """
    x, y, offset = _series(years, counts, exposure)
    base: dict[str, object] = {"years": len(y), "total": int(y.sum())}
    reason = _why_insufficient(x, y)
    if reason:
        return Trend(model="insufficient data", reason=reason, **base)
    design = _sm().add_constant(x - x.mean())
    poisson = _quiet_glm(y, design, _sm().families.Poisson(), offset)
    base["dispersion"] = float(poisson.pearson_chi2 / poisson.df_resid)
    if base["dispersion"] > DISPERSION_LIMIT:
        alpha = _nb_alpha(design, y, offset)
        if alpha is not None:
            family = _sm().families.NegativeBinomial(alpha=alpha)
            fit = _quiet_glm(y, design, family, offset)
            return _trend_from(fit, "negative binomial", {**base, "alpha": alpha})
    return _trend_from(poisson, "poisson", base)
