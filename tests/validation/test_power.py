"""The power calculation against the resolutions the comparisons actually report."""

import math

import numpy as np
import pytest

from validation import power
from validation.presets import FULL, QUICK, SMOKE
from validation.statistics import compare_distributions, compare_proportions, ks_critical_distance
from validation.verdict import Verdict

TOL = 0.1


def test_ks_budget_is_the_kolmogorov_95_point():
    # B = (tau / c)^2 with c = 1.3581, the 95 % point of the Kolmogorov distribution
    assert power.resolution_budget("distribution", TOL) == pytest.approx((0.1 / 1.358102) ** 2, rel=1e-5)


@pytest.mark.parametrize("n", [200, 420, 1600, 5000])
def test_sims_given_theory_is_the_smallest_resolving_count(n):
    B = power.resolution_budget("distribution", TOL)
    m = power.sims_given_theory(B, n)
    assert ks_critical_distance(n, m) <= TOL < ks_critical_distance(n, m - 1)


def test_cheapest_sizes_minimise_the_cost_on_the_boundary():
    B = power.resolution_budget("distribution", TOL)
    ct, cs = 0.030, 0.011
    n, m = power.cheapest_sizes(B, ct, cs)
    assert ks_critical_distance(n, m) <= TOL
    # brute force over every theory count that leaves room for networks
    costs = [k * ct + power.sims_given_theory(B, k) * cs for k in range(math.floor(1 / B) + 1, 5000)]
    assert n * ct + m * cs <= min(costs) + ct + cs  # optimal to one sample of rounding
    # the closed form n = (1 + sqrt(cs / ct)) / B
    assert n == math.ceil((1 + math.sqrt(cs / ct)) / B)


def test_proportion_budget_resolves_the_newcombe_interval_at_one_half():
    B = power.resolution_budget("proportion", TOL, p=0.5)
    n = 300
    m = power.sims_given_theory(B, n)
    c = compare_proportions(n // 2, n, m // 2, m, tolerance=TOL)
    assert c.resolution <= TOL
    # and a quarter fewer networks does not
    c_small = compare_proportions(n // 2, n, (3 * m // 4) // 2, 3 * m // 4, tolerance=TOL)
    assert c_small.resolution > TOL


def test_no_theory_count_alone_can_exhaust_the_budget():
    B = power.resolution_budget("distribution", TOL)
    with pytest.raises(ValueError, match="cannot resolve"):
        power.sims_given_theory(B, 150)   # 1/150 > B: no number of networks helps
    with pytest.raises(ValueError, match="kind"):
        power.resolution_budget("curve", TOL)


def test_quick_preset_resolves_every_probability_and_law_it_compares():
    assert power.underpowered(QUICK, TOL) == []


def test_underpowered_names_the_pairs_a_small_preset_cannot_resolve():
    # the smoke preset is a wiring test, not a measurement: every pair is flagged
    bad = power.underpowered(SMOKE, TOL)
    assert {b[0] for b in bad} == {f for f, _ in power.POWERED_FIELDS}
    assert all(w > TOL for *_, w in bad)
    # the full preset's largest sizes are smaller ensembles by design (their role is the trend in N)
    assert all(N >= 2000 for _, N, *_ in power.underpowered(FULL, TOL))


def test_resolved_equal_laws_pass_at_the_stated_rate():
    # at the sizes of the quick preset, two samples of one law PASS unless KS rejects at 5 %:
    # the false-failure-free pass rate is >= 95 % (binomial check, 200 draws, fails with p < 1e-3 if not)
    rng = np.random.default_rng(np.random.SeedSequence(20261201))
    n, m = QUICK.n_theory, QUICK.networks.count(500)
    passes = sum(compare_distributions(rng.standard_normal(n), rng.standard_normal(m), tolerance=TOL).verdict
                 is Verdict.PASS for _ in range(200))
    assert passes >= 180
    # a shifted law (KS distance ~0.2 > tol) is never passed at those sizes
    wrong = sum(compare_distributions(rng.standard_normal(n), 0.5 + rng.standard_normal(m),
                                      tolerance=TOL).verdict is Verdict.PASS for _ in range(50))
    assert wrong == 0


def test_growth_needed_is_the_square_of_the_resolution_ratio():
    assert power.growth_needed(0.2, 0.1) == pytest.approx(4.0)
    assert power.growth_needed(0.05, 0.1) == 1.0
