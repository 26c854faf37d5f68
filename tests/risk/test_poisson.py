"""Exact Poisson intervals and rates against published values."""

from __future__ import annotations

import pytest

from gawahi.errors import ConfigError
from gawahi.risk.poisson import poisson_interval, rate_per_100k, weighted_interval


@pytest.mark.parametrize(
    ("count", "lower", "upper"),
    [
        # Exact (Garwood 1936) 95% limits, as tabulated for the Poisson mean and as printed by
        # R's poisson.test(x)$conf.int: x = 0 gives 0.000000 3.688879, x = 1 gives
        # 0.02531781 5.57164339, x = 5 gives 1.623486 11.668332, x = 10 gives 4.795389 18.390356.
        (0, 0.0, 3.688879),
        (1, 0.02531781, 5.57164339),
        (5, 1.623486, 11.668332),
        (10, 4.795389, 18.390356),
    ],
)
def test_garwood_limits_match_published_values(count: int, lower: float, upper: float) -> None:
    interval = poisson_interval(count)
    assert interval.count == count
    assert interval.lower == pytest.approx(lower, abs=1e-6)
    assert interval.upper == pytest.approx(upper, abs=1e-6)


def test_zero_has_the_closed_form_upper_limit() -> None:
    # For x = 0 the upper limit solves exp(-mu) = 0.025, so mu = -ln(0.025) = 3.68888 (by hand).
    assert poisson_interval(0).upper == pytest.approx(3.6888794541, rel=1e-9)
    # And at the 90% level exp(-mu) = 0.05: mu = -ln(0.05) = 2.99573.
    assert poisson_interval(0, level=0.90).upper == pytest.approx(2.9957322736, rel=1e-9)


def test_rate_scales_the_exact_interval_by_population() -> None:
    # 10 events among 2,000,000 people: 0.5 per 100,000; limits are the x = 10 limits above
    # divided by 20 (hand computation).
    rate = rate_per_100k(10, 2_000_000)
    assert rate.rate == pytest.approx(0.5)
    assert rate.lower == pytest.approx(4.795389 / 20, abs=1e-7)
    assert rate.upper == pytest.approx(18.390356 / 20, abs=1e-7)
    assert (rate.per, rate.population, rate.level) == (100_000, 2_000_000, 0.95)


@pytest.mark.parametrize("population", [0, -5, float("nan")])
def test_rate_rejects_a_population_that_is_not_positive(population: float) -> None:
    with pytest.raises(ConfigError, match="population must be greater than 0"):
        rate_per_100k(3, population)


@pytest.mark.parametrize("count", [-1, 2.5, True])
def test_counts_must_be_whole_and_not_negative(count: int) -> None:
    with pytest.raises(ConfigError, match="count must be a whole number"):
        poisson_interval(count)


@pytest.mark.parametrize("level", [0, 1, 95])
def test_level_must_be_a_proportion(level: float) -> None:
    with pytest.raises(ConfigError, match="confidence level"):
        poisson_interval(4, level=level)


@pytest.mark.parametrize("count", [1, 2, 10, 76])
def test_weighted_interval_with_unit_weights_is_garwood(count: int) -> None:
    exact = poisson_interval(count)
    assert weighted_interval([1] * count) == pytest.approx((count, exact.lower, exact.upper))


@pytest.mark.parametrize(("count", "deaths"), [(1, 96), (8, 12), (30, 3)])
def test_weighted_interval_with_equal_weights_scales_garwood(count: int, deaths: int) -> None:
    # Fay-Feuer with every weight c is c times the Garwood interval of the event count.
    exact = poisson_interval(count)
    expected = (count * deaths, exact.lower * deaths, exact.upper * deaths)
    assert weighted_interval([deaths] * count) == pytest.approx(expected)


def test_weighted_interval_is_wider_for_deaths_in_few_attacks() -> None:
    _, few_low, few_high = weighted_interval([100, 137])
    _, many_low, many_high = weighted_interval([1] * 237)
    assert few_low < many_low and few_high > many_high


def test_weighted_interval_without_events_is_the_poisson_interval_of_zero() -> None:
    assert weighted_interval([0, 0]) == pytest.approx((0, 0, poisson_interval(0).upper))
