"""Capture-recapture: Chapman for two lists, log-linear multiple-systems estimation for more."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import optimize

from gawahi.errors import ConfigError
from gawahi.risk.capture import chapman
from gawahi.risk.multiple_systems import LogLinearModel, MultipleSystems, log_linear_mse

# Three lists, histories (list 1, list 2, list 3) -> people; every cell non-zero.
TABLE = {
    (1, 0, 0): 100,
    (0, 1, 0): 80,
    (0, 0, 1): 60,
    (1, 1, 0): 30,
    (1, 0, 1): 20,
    (0, 1, 1): 15,
    (1, 1, 1): 8,
}
N_OBSERVED = 313


def test_chapman_on_the_wikipedia_mark_and_recapture_example() -> None:
    # Wikipedia, "Mark and recapture" (Chapman estimator): n = 10 marked, K = 15 caught on
    # the second visit, k = 5 of them marked; Chapman N = 11 x 16 / 6 - 1 = 28.33.
    # Variance by hand (Seber 1970): 11 x 16 x 5 x 10 / (6^2 x 7) = 8800 / 252 = 34.9206.
    result = chapman(10, 15, 5)
    assert result.estimate == pytest.approx(28.3333, abs=1e-4)
    assert result.variance == pytest.approx(34.9206, abs=1e-4)
    assert result.observed == 20
    # Normal interval: 28.333 +/- 1.96 x 5.9094 = [16.75, 39.92], lower end raised to r = 20.
    assert result.normal_lower == 20.0
    assert result.normal_upper == pytest.approx(39.9155, abs=1e-4)
    # Chao (1987) log-normal interval by hand: f0 = 8.3333, C = exp(1.96 sqrt(ln(1 +
    # 34.9206 / 69.4444))) = exp(1.96 x 0.63825) = 3.4937; [20 + f0 / C, 20 + f0 C].
    assert result.lower == pytest.approx(22.3853, abs=1e-3)
    assert result.upper == pytest.approx(49.1140, abs=1e-3)


def test_chapman_on_the_trout_example() -> None:
    # Two monthly catches of 100 trout with 10 recaptures: Lincoln-Petersen 1000, Chapman
    # 101 x 101 / 11 - 1 = 926.36, reported as 926 (RPubs "Mark and recapture", trout example).
    result = chapman(100, 100, 10)
    assert result.estimate == pytest.approx(10201 / 11 - 1)
    assert round(result.estimate) == 926
    assert result.lower > result.observed == 190


def test_chapman_when_one_list_contains_the_other() -> None:
    # m = n1: everyone on list 1 is on list 2, so N = n2 = the union and the variance is 0.
    result = chapman(12, 40, 12)
    assert result.estimate == pytest.approx(40.0)
    assert result.variance == 0.0
    assert (result.lower, result.upper) == (40.0, 40.0)


def test_chapman_rejects_impossible_overlaps() -> None:
    with pytest.raises(ConfigError, match=r"m \(6\) cannot exceed n1 \(5\)"):
        chapman(5, 10, 6)
    with pytest.raises(ConfigError, match="n2 must be a whole number"):
        chapman(5, -1, 0)


def _by_terms(result: MultipleSystems, terms: tuple) -> LogLinearModel:
    return next(model for model in result.models if model.interactions == terms)


def test_independence_model_solves_darrochs_equation() -> None:
    # Under independence the MLE of N solves 1 - n / N = prod_j (1 - n_j / N)
    # (Darroch 1958, Biometrika 45:343-359), with list sizes n_j = 158, 133, 103 here.
    sizes = [158, 133, 103]

    def equation(n_total: float) -> float:
        return 1 - N_OBSERVED / n_total - math.prod(1 - s / n_total for s in sizes)

    darroch = optimize.brentq(equation, N_OBSERVED + 1, 10 * N_OBSERVED, xtol=1e-10)
    result = log_linear_mse(TABLE, max_interactions=0, replicates=200)
    assert result.model.name == "independence"
    assert result.estimate == pytest.approx(darroch, rel=1e-6)
    assert _by_terms(result, ()).estimate == pytest.approx(darroch, rel=1e-6)


def test_one_interaction_model_has_the_closed_form_estimate() -> None:
    # Model [12]: list 3 independent of lists 1 and 2, so the all-zeros cell is
    # n001 x (n100 + n010 + n110) / (n101 + n011 + n111) = 60 x 210 / 43 (derived by hand).
    result = log_linear_mse(TABLE, replicates=50)
    model = _by_terms(result, ((0, 1),))
    assert model.unobserved == pytest.approx(60 * 210 / 43, rel=1e-6)
    assert model.estimate == pytest.approx(N_OBSERVED + 60 * 210 / 43, rel=1e-6)


def test_all_two_way_model_has_the_closed_form_estimate() -> None:
    # With every two-way interaction and no three-way term (saturated for 3 lists), the
    # all-zeros cell is n111 n100 n010 n001 / (n110 n101 n011) (Bishop, Fienberg and
    # Holland 1975, section 6.4): 8 x 100 x 80 x 60 / (30 x 20 x 15) = 426.67.
    result = log_linear_mse(TABLE, replicates=50)
    model = _by_terms(result, ((0, 1), (0, 2), (1, 2)))
    assert model.unobserved == pytest.approx(8 * 100 * 80 * 60 / (30 * 20 * 15), rel=1e-6)
    assert model.deviance == pytest.approx(0.0, abs=1e-6)


def test_models_are_ranked_by_aic_and_report_bic() -> None:
    result = log_linear_mse(TABLE, replicates=50)
    assert len(result.models) == 8  # all subsets of the 3 two-way interactions
    assert [m.aic for m in result.models] == sorted(m.aic for m in result.models)
    assert result.model == result.models[0]
    for model in result.models:
        assert model.bic - model.aic == pytest.approx(model.parameters * (math.log(313) - 2))
    assert result.observed == N_OBSERVED and result.lists == 3


def test_zero_cell_makes_the_saturated_model_not_estimable() -> None:
    # n110 = 0 puts the [12] interaction at minus infinity: the closed form above divides by 0.
    table = {**TABLE, (1, 1, 0): 0}
    result = log_linear_mse(table, replicates=100)
    saturated = _by_terms(result, ((0, 1), (0, 2), (1, 2)))
    assert not saturated.estimable and saturated.estimate == math.inf
    assert result.models[-1] == saturated or not result.models[-1].estimable
    assert result.model.estimable and math.isfinite(result.estimate)


def _simulate(rng: np.random.Generator, size: int, p2_if_on_1: float) -> dict:
    on1 = rng.random(size) < 0.30
    on2 = rng.random(size) < np.where(on1, p2_if_on_1, 0.20)
    on3 = rng.random(size) < 0.25
    table: dict[tuple[int, ...], int] = {}
    for history in zip(on1.astype(int), on2.astype(int), on3.astype(int), strict=True):
        if any(history):
            key = tuple(int(v) for v in history)
            table[key] = table.get(key, 0) + 1
    return table


def test_planted_independent_lists_recover_the_true_size() -> None:
    true_size = 2000
    table = _simulate(np.random.default_rng(2024), true_size, p2_if_on_1=0.20)
    result = log_linear_mse(table, replicates=400, rng=7)
    assert result.lower <= true_size <= result.upper
    assert result.lower >= result.observed
    assert result.failed_replicates == 0


def test_planted_dependence_is_found_and_the_size_recovered() -> None:
    # Being on list 1 raises the chance of list 2 from 0.20 to 0.50: model [12] is true.
    true_size = 2000
    table = _simulate(np.random.default_rng(99), true_size, p2_if_on_1=0.50)
    result = log_linear_mse(table, replicates=400, rng=7)
    assert (0, 1) in result.model.interactions
    assert result.lower <= true_size <= result.upper
    naive = _by_terms(result, ())
    assert naive.estimate < result.estimate  # positive dependence biases independence down


def test_four_lists_and_reproducible_bootstrap() -> None:
    rng = np.random.default_rng(5)
    lists = rng.random((1500, 4)) < np.array([0.3, 0.25, 0.2, 0.35])
    table: dict[tuple[int, ...], int] = {}
    for row in lists[lists.any(axis=1)]:
        key = tuple(int(v) for v in row)
        table[key] = table.get(key, 0) + 1
    first = log_linear_mse(table, replicates=60, rng=3)
    again = log_linear_mse(table, replicates=60, rng=3)
    assert len(first.models) == 64  # all subsets of the 6 two-way interactions
    assert (first.lower, first.upper) == (again.lower, again.upper)
    assert first.lower <= 1500 <= first.upper


@pytest.mark.filterwarnings("ignore")  # statsmodels warns that the saturated model has df 0
def test_log_linear_fits_match_statsmodels_glm() -> None:
    # The Newton-Raphson fit used for speed must equal statsmodels' GLM Poisson fit.
    rows = np.array([h for h in itertools.product((0, 1), repeat=3) if any(h)], dtype=float)
    counts = np.array([TABLE[tuple(int(v) for v in row)] for row in rows], dtype=float)
    result = log_linear_mse(TABLE, replicates=20)
    for model in result.models:
        pairs = [rows[:, a] * rows[:, b] for a, b in model.interactions]
        design = np.column_stack([np.ones(len(rows)), rows, *pairs])
        glm = sm.GLM(counts, design, family=sm.families.Poisson()).fit()
        assert model.unobserved == pytest.approx(math.exp(glm.params[0]), rel=1e-7)
        assert model.aic == pytest.approx(glm.aic, rel=1e-9)
        assert model.deviance == pytest.approx(glm.deviance, abs=1e-7)


def test_fixed_model_bootstrap_is_labelled_and_narrower() -> None:
    table = _simulate(np.random.default_rng(99), 2000, p2_if_on_1=0.50)
    fixed = log_linear_mse(table, replicates=200, rng=7, reselect=False)
    rechosen = log_linear_mse(table, replicates=200, rng=7)
    assert fixed.interval_method.endswith("model fixed")
    assert rechosen.interval_method.endswith("model re-chosen by AIC in each replicate")
    assert fixed.estimate == rechosen.estimate
    assert fixed.upper - fixed.lower < rechosen.upper - rechosen.lower


def test_histories_are_checked() -> None:
    with pytest.raises(ConfigError, match="3 lists or more"):
        log_linear_mse({(1, 0): 4, (0, 1): 3, (1, 1): 2})
    with pytest.raises(ConfigError, match="at least one 1"):
        log_linear_mse({(0, 0, 0): 4, (1, 0, 0): 3})
    with pytest.raises(ConfigError, match="one common length"):
        log_linear_mse({(1, 0, 0): 4, (1, 0, 0, 1): 3})
    with pytest.raises(ConfigError, match="hold no one"):
        log_linear_mse({(1, 0, 0): 0})
    with pytest.raises(ConfigError, match="replicates must be 1 or more"):
        log_linear_mse(TABLE, replicates=0)
