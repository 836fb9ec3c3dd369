"""Estimators applied alike to theory samples and to simulated networks.

The validation checks and the paper figures compare the theory with the
networks through the same statistics of each path or realisation; they live
here so that both sides (and both consumers) use one definition:

* :func:`autocorrelation` and :func:`power_spectrum` of the population
  state h over a window of each path, and both at once over the late window
  [t_start, T] (:func:`window_statistics`) (THEORY.md sections 4 and 8: the
  spontaneous state for g > 1 is a random process whose law the theory
  predicts);
* :func:`split_by_sample`, :func:`censored_radius` and
  :func:`censored_abscissa` for the outlier eigenvalues of J (THEORY.md
  section 3), censored at a finite-N bulk margin so that the bulk edge does
  not enter the comparison.
"""

from __future__ import annotations

import numpy as np

from .arguments import count


def autocorrelation(h, max_lag_steps: int, every: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Per-path autocorrelation A(tau) = mean_t h(t) h(t + tau) (THEORY.md sections 4, 8).

    No mean is removed: h is symmetric in law, and removing a per-path mean
    would bias theory and simulation alike but needlessly.

    Parameters
    ----------
    h : array, shape (n_paths, n_t)
        Paths on a uniform grid (e.g. the window [T/3, T] of each path).
    max_lag_steps : int
        Largest lag in grid steps (< n_t).
    every : int
        Lag spacing in grid steps.

    Returns
    -------
    ac : ndarray, shape (n_paths, n_lags)
        A at the lags 0, every, 2 every, ... <= max_lag_steps.
    lags : ndarray of int, shape (n_lags,)
        The lags in grid steps (multiply by the step for times).

    Raises
    ------
    ValueError
        For a lag that does not fit in the paths, or non-positive ``every``.
    """
    h = np.atleast_2d(np.asarray(h, dtype=float))
    count("every", every)
    count("max_lag_steps", max_lag_steps, lo=0)
    n = h.shape[1]
    if max_lag_steps >= n:
        raise ValueError(f"max_lag_steps = {max_lag_steps} needs paths longer than {max_lag_steps} points, got {n}")
    lags = np.arange(0, max_lag_steps + 1, every)
    return np.stack([np.mean(h[:, : n - L] * h[:, L:], axis=1) for L in lags], axis=1), lags


def power_spectrum(h, dt: float, max_omega: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-path Hann-windowed periodogram S(omega) = |FFT(hann * h)|^2 dt / sum(hann^2) (THEORY.md sections 4, 8).

    Parameters
    ----------
    h : array, shape (n_paths, n_t)
        Paths sampled every ``dt``.
    dt : float
        Sampling step.
    max_omega : float, optional
        Keep the angular frequencies 0 < omega <= max_omega (default: all
        positive ones); the DC term is always excluded.

    Returns
    -------
    power : ndarray, shape (n_paths, n_omega)
    omega : ndarray, shape (n_omega,)
        Angular frequencies 2 pi k / (n_t dt).

    Notes
    -----
    With this normalisation white noise of variance s^2 has E S(omega) =
    s^2 dt at every frequency, and a sine a sin(omega0 t) with omega0 on the
    frequency grid peaks at omega0 with S = a^2 dt (sum hann)^2 / (4 sum hann^2).
    """
    h = np.atleast_2d(np.asarray(h, dtype=float))
    if not dt > 0:
        raise ValueError(f"dt must be > 0, got {dt}")
    w = np.hanning(h.shape[1])
    f = np.fft.rfft(h * w, axis=1)
    power = np.abs(f) ** 2 * dt / np.sum(w**2)
    omega = 2 * np.pi * np.fft.rfftfreq(h.shape[1], dt)
    keep = omega > 0
    if max_omega is not None:
        keep &= omega <= max_omega
    return power[:, keep], omega[keep]


def window_statistics(h, dt: float, t_start: float, max_lag: float, max_omega: float | None = None,
                      every: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Autocorrelation and power spectrum of every path over its window [t_start, T] (THEORY.md sections 4, 8).

    Parameters
    ----------
    h : array, shape (n_paths, n_t)
        Paths sampled every ``dt`` from t = 0.
    dt : float
        Sampling step.
    t_start : float
        Start of the window (the transient before it is dropped).
    max_lag : float
        Largest lag in time units; at most half the window is used.
    max_omega : float, optional
        As for :func:`power_spectrum`.
    every : int
        Lag spacing in steps, as for :func:`autocorrelation`.

    Returns
    -------
    ac : ndarray, shape (n_paths, n_lags)
    tau : ndarray, shape (n_lags,)
        The lags in time units.
    power : ndarray, shape (n_paths, n_omega)
    omega : ndarray, shape (n_omega,)
    """
    hw = np.atleast_2d(np.asarray(h, dtype=float))[:, int(round(t_start / dt)):]
    ac, lags = autocorrelation(hw, min(int(round(max_lag / dt)), hw.shape[1] // 2), every)
    power, omega = power_spectrum(hw, dt, max_omega)
    return ac, lags * dt, power, omega


def split_by_sample(outliers, sample_index, n_samples: int) -> list[np.ndarray]:
    """The outliers of each sample, from the flat arrays of ``meanfield.linear.outlier_distribution``.

    Parameters
    ----------
    outliers : complex array, shape (n_outliers,)
    sample_index : int array, shape (n_outliers,)
        The sample each outlier belongs to.
    n_samples : int

    Returns
    -------
    list of ndarray
        Entry i holds the outliers of sample i (possibly none).
    """
    outliers, sample_index = np.asarray(outliers), np.asarray(sample_index)
    return [outliers[sample_index == i] for i in range(count("n_samples", n_samples, lo=0))]


def censored_radius(outliers_per_network, r: float) -> np.ndarray:
    """Largest |lambda| of each network's outliers, censored below at r (THEORY.md section 3).

    Parameters
    ----------
    outliers_per_network : sequence of complex arrays
    r : float
        Censoring radius (e.g. the finite-N bulk margin).

    Returns
    -------
    ndarray, shape (n_networks,)
    """
    return np.array([max([r] + [abs(z) for z in lam]) for lam in outliers_per_network], dtype=float)


def censored_abscissa(outliers_per_network, r: float) -> np.ndarray:
    """Largest Re lambda among each network's outliers with |lambda| > r, censored below at r (THEORY.md section 3).

    Outliers inside the disk of radius r are not resolved from the finite-N
    bulk and are ignored; a network with none beyond r scores r.

    Parameters
    ----------
    outliers_per_network : sequence of complex arrays
    r : float

    Returns
    -------
    ndarray, shape (n_networks,)
    """
    return np.array([max([r] + [z.real for z in lam if abs(z) > r]) for lam in outliers_per_network], dtype=float)


__all__ = ["autocorrelation", "power_spectrum", "split_by_sample", "censored_radius", "censored_abscissa"]
