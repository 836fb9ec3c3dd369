"""meanfield.estimators against closed forms: AR(1) autocorrelation, the periodogram of a sine and of white noise,
censoring of outliers by hand."""

import numpy as np
import pytest

from meanfield.estimators import (autocorrelation, censored_abscissa, censored_radius, power_spectrum,
                                  split_by_sample)


def _ar1(rho, n_paths, n_t, seed):
    """Stationary AR(1) paths of unit variance: A(k) = rho^k exactly."""
    rng = np.random.default_rng(seed)
    h = np.empty((n_paths, n_t))
    h[:, 0] = rng.standard_normal(n_paths)
    e = np.sqrt(1 - rho**2) * rng.standard_normal((n_paths, n_t))
    for k in range(1, n_t):
        h[:, k] = rho * h[:, k - 1] + e[:, k]
    return h


def test_autocorrelation_of_ar1_is_rho_to_the_lag():
    rho = 0.9
    h = _ar1(rho, n_paths=200, n_t=2000, seed=11)
    ac, lags = autocorrelation(h, max_lag_steps=20, every=4)
    np.testing.assert_array_equal(lags, [0, 4, 8, 12, 16, 20])
    assert ac.shape == (200, 6)
    # standard error of the ensemble mean ~ sqrt((1 + rho^2) / (1 - rho^2) / (200 * 2000)) = 0.005: 6 sigma
    np.testing.assert_allclose(ac.mean(axis=0), rho**lags, atol=0.03)


def test_autocorrelation_is_the_lagged_mean_product_per_path():
    h = np.arange(12.0).reshape(2, 6)
    ac, lags = autocorrelation(h, max_lag_steps=2)
    np.testing.assert_array_equal(lags, [0, 1, 2])
    want = [[np.mean(h[i, : 6 - L] * h[i, L:]) for L in lags] for i in range(2)]
    np.testing.assert_allclose(ac, want, rtol=1e-15)


def test_autocorrelation_refuses_lags_longer_than_the_paths():
    with pytest.raises(ValueError, match="max_lag_steps"):
        autocorrelation(np.zeros((2, 5)), max_lag_steps=5)
    with pytest.raises(ValueError, match="every"):
        autocorrelation(np.zeros((2, 5)), max_lag_steps=2, every=0)


def test_spectrum_of_a_sine_peaks_at_its_frequency_with_the_closed_form_height():
    dt, n, a = 0.1, 400, 0.7
    t = np.arange(n) * dt
    omega0 = 2 * np.pi * 12 / (n * dt)  # on the frequency grid
    power, omega = power_spectrum(a * np.sin(omega0 * t)[None], dt)
    k = int(np.argmax(power[0]))
    assert omega[k] == pytest.approx(omega0, rel=1e-12)
    w = np.hanning(n)
    assert power[0, k] == pytest.approx(a**2 * dt * w.sum() ** 2 / (4 * np.sum(w**2)), rel=0.02)
    assert omega.min() > 0  # no DC term


def test_spectrum_of_white_noise_is_flat_at_variance_times_dt():
    dt, s = 0.1, 0.5
    h = s * np.random.default_rng(3).standard_normal((400, 256))
    power, omega = power_spectrum(h, dt, max_omega=3.0)
    assert omega.max() <= 3.0 and omega.min() > 0
    # mean over 400 paths and all frequencies: relative standard error well below 1 %
    assert power.mean() == pytest.approx(s**2 * dt, rel=0.03)


def test_censoring_of_the_largest_outlier():
    nets = [np.array([1.5 + 0.2j, 0.3 + 0.0j]), np.array([], dtype=complex), np.array([-0.2 + 0.95j])]
    r = 0.9
    # the first network: |1.5+0.2i| = 1.513; the third has one outlier with |lambda| = 0.971 > r but Re < r
    np.testing.assert_allclose(censored_radius(nets, r), [abs(1.5 + 0.2j), r, abs(-0.2 + 0.95j)])
    np.testing.assert_allclose(censored_abscissa(nets, r), [1.5, r, r])
    # an outlier inside the disk is ignored even if its real part exceeds r
    assert censored_abscissa([np.array([0.85 + 0.0j])], 0.8)[0] == pytest.approx(0.85)
    assert censored_abscissa([np.array([0.85 + 0.0j])], 0.86)[0] == pytest.approx(0.86)


def test_split_by_sample_keeps_empty_samples():
    per = split_by_sample(np.array([1j, 2, 3]), np.array([0, 0, 2]), 4)
    assert [p.tolist() for p in per] == [[1j, 2], [], [3], []]


def test_window_statistics_use_only_the_late_window():
    # h = 0 before t_start and sin(omega0 t) after: over the window the lag-0 autocorrelation is the mean of
    # sin^2 (1/2 over whole periods) and the spectrum peaks at omega0; the transient must not enter.
    from meanfield.estimators import window_statistics

    dt, t_start, omega0 = 0.05, 20.0, 2 * np.pi / 5.0
    t = np.arange(0, 120.0 + dt / 2, dt)
    h = np.where(t >= t_start, np.sin(omega0 * t), 0.0)[None, :]
    ac, tau, power, omega = window_statistics(h, dt, t_start, max_lag=10.0, max_omega=3.0, every=2)
    assert ac[0, 0] == pytest.approx(0.5, abs=1e-3)
    assert tau[1] == pytest.approx(2 * dt) and tau[-1] <= 10.0 + 1e-12
    assert ac[0, np.argmin(np.abs(tau - 2.5))] == pytest.approx(-0.5, abs=0.01)  # half a period: anti-phase
    assert omega[np.argmax(power[0])] == pytest.approx(omega0, rel=0.02)
    assert omega.max() <= 3.0
