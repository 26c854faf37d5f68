"""Trend regression: known slopes, a direct likelihood check, overdispersion, thin data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

from gawahi.errors import ConfigError
from gawahi.risk.poisson import recent_vs_earlier
from gawahi.risk.trend import trend

YEARS = list(range(2010, 2020))


def test_counts_that_exactly_double_give_a_rate_ratio_of_two() -> None:
    # 1, 2, 4, 8, 16: the fitted means equal the counts, so exp(slope) = 2 and the
    # Pearson chi2 is 0 (constructed series, by hand).
    result = trend([2010, 2011, 2012, 2013, 2014], [1, 2, 4, 8, 16])
    assert result.model == "poisson"
    assert result.rate_ratio == pytest.approx(2.0, rel=1e-9)
    assert result.dispersion == pytest.approx(0.0, abs=1e-9)
    assert result.lower < 2.0 < result.upper
    assert (result.years, result.total) == (5, 31)


def test_constant_rate_with_growing_exposure_has_no_trend() -> None:
    # Counts proportional to exposure: the rate per person is flat, so exp(slope) = 1.
    result = trend([2015, 2016, 2017, 2018], [10, 20, 30, 40], exposure=[1e5, 2e5, 3e5, 4e5])
    assert result.rate_ratio == pytest.approx(1.0, abs=1e-9)


def test_poisson_fit_matches_a_direct_maximum_likelihood_computation() -> None:
    years = np.arange(2008, 2018, dtype=float)
    counts = np.array([3, 5, 4, 9, 7, 12, 10, 15, 13, 18], dtype=float)
    exposure = np.linspace(1.0, 1.5, len(years))
    x = years - years.mean()

    def negative_loglik(b: np.ndarray) -> float:
        eta = b[0] + b[1] * x + np.log(exposure)
        return float(np.sum(np.exp(eta) - counts * eta))

    direct = optimize.minimize(negative_loglik, [1.0, 0.0], method="BFGS", options={"gtol": 1e-10})
    mu = np.exp(direct.x[0] + direct.x[1] * x + np.log(exposure))
    design = np.column_stack([np.ones_like(x), x])
    se = math.sqrt(np.linalg.inv(design.T @ (mu[:, None] * design))[1, 1])  # Fisher information
    z = stats.norm.ppf(0.975)

    result = trend(years.astype(int).tolist(), counts.astype(int).tolist(), exposure.tolist())
    assert result.model == "poisson"
    assert result.rate_ratio == pytest.approx(math.exp(direct.x[1]), rel=1e-6)
    assert result.lower == pytest.approx(math.exp(direct.x[1] - z * se), rel=1e-5)
    assert result.upper == pytest.approx(math.exp(direct.x[1] + z * se), rel=1e-5)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(abs(direct.x[1]) / se), rel=1e-4)
    pearson = np.sum((counts - mu) ** 2 / mu) / (len(counts) - 2)
    assert result.dispersion == pytest.approx(pearson, rel=1e-5)


def test_overdispersed_series_selects_negative_binomial() -> None:
    # Seeded NB2 series: mean 30 x 1.05^t, alpha = 0.5 (variance mu + 0.5 mu^2).
    rng = np.random.default_rng(6)
    t = np.arange(20)
    mu = 30 * 1.05**t
    counts = rng.negative_binomial(2, 2 / (2 + mu))
    result = trend(list(range(2000, 2020)), counts.tolist())
    assert result.dispersion > 1.5
    assert result.model == "negative binomial"
    assert result.alpha is not None and result.alpha > 0.1
    assert result.lower < 1.05 < result.upper


def test_poisson_series_stays_poisson() -> None:
    rng = np.random.default_rng(11)
    counts = rng.poisson(20 * 0.9 ** np.arange(12))
    result = trend(list(range(2008, 2020)), counts.tolist())
    assert result.model == "poisson"
    assert result.alpha is None
    assert result.lower < 0.9 < result.upper


@pytest.mark.parametrize(
    ("years", "counts", "reason"),
    [
        ([2019, 2020], [4, 6], "fewer than 3 years"),
        ([2018, 2019, 2020], [0, 0, 0], "no events in the period"),
        ([2018, 2019, 2020], [0, 0, 7], "all events fall in the first or last year"),
        ([2018, 2019, 2020], [7, 0, 0], "all events fall in the first or last year"),
    ],
)
def test_thin_data_is_reported_not_raised(years: list[int], counts: list[int], reason: str) -> None:
    result = trend(years, counts)
    assert result.model == "insufficient data"
    assert result.reason.startswith(reason)
    assert result.rate_ratio is None and result.lower is None and result.p_value is None


def test_trend_rejects_mismatched_inputs() -> None:
    with pytest.raises(ConfigError, match="3 years but 2 counts"):
        trend([2001, 2002, 2003], [1, 2])
    with pytest.raises(ConfigError, match="exposure"):
        trend([2001, 2002, 2003], [1, 2, 3], exposure=[1.0, 0.0, 1.0])


def test_recent_against_earlier_by_hand() -> None:
    # Earlier 2010-2016: 7 years x 2 = 14 events (2/year); recent 2017-2019: 3 x 4 = 12
    # (4/year), so RR = 4 / 2 = 2 (hand computation).
    result = recent_vs_earlier(YEARS, [2] * 7 + [4] * 3)
    assert result.rate_ratio == pytest.approx(2.0)
    assert result.recent_years == (2017, 2018, 2019)
    assert (result.recent_count, result.earlier_count) == (12, 14)
    # The exact conditional limits are where the binomial tail of 12 of 26 events in the
    # recent period, with p = 3 RR / (3 RR + 7), equals 2.5% (definition of the interval).
    p_lower = 3 * result.lower / (3 * result.lower + 7)
    p_upper = 3 * result.upper / (3 * result.upper + 7)
    assert stats.binom.sf(11, 26, p_lower) == pytest.approx(0.025, rel=1e-6)
    assert stats.binom.cdf(12, 26, p_upper) == pytest.approx(0.025, rel=1e-6)
    assert result.p_value == pytest.approx(stats.binomtest(12, 26, 0.3).pvalue)


def test_no_recent_events_has_a_closed_form_upper_limit() -> None:
    # x1 = 0 of n = 3: pU = Beta(0.975; 1, 3) = 1 - 0.025^(1/3) = 0.707598; with equal
    # periods RR_U = pU / (1 - pU) = 2.419956 (hand computation).
    result = recent_vs_earlier([2015, 2014, 2013, 2012, 2011, 2010], [0, 0, 0, 1, 1, 1])
    assert result.recent_years == (2013, 2014, 2015)
    assert result.rate_ratio == 0.0 and result.lower == 0.0
    assert result.upper == pytest.approx(0.707598 / (1 - 0.707598), rel=1e-5)


def test_no_earlier_events_gives_an_infinite_ratio() -> None:
    # x1 = 2, x0 = 0: pL = Beta(0.025; 2, 1) = sqrt(0.025) = 0.158114; RR_L = pL/(1-pL) x 2/2.
    result = recent_vs_earlier([2016, 2017, 2018, 2019], [0, 0, 1, 1], recent=2)
    assert result.rate_ratio == math.inf and result.upper == math.inf
    assert result.lower == pytest.approx(0.158114 / (1 - 0.158114), rel=1e-5)


def test_recent_against_earlier_without_events_or_with_bad_input() -> None:
    empty = recent_vs_earlier(YEARS, [0] * 10)
    assert empty.rate_ratio is None and empty.reason == "no events in the period"
    with pytest.raises(ConfigError, match="each year may appear only once"):
        recent_vs_earlier([2010, 2010, 2011, 2012], [1, 1, 1, 1])
    with pytest.raises(ConfigError, match="recent must be between 1 and 2"):
        recent_vs_earlier([2010, 2011, 2012], [1, 1, 1], recent=3)
