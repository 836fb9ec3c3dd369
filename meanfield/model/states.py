"""The state classifier of THEORY.md section 7.

One pure function, applied identically to simulated and theoretical paths
of h over the final window [T - W, T]:

* quiescent            max |h| and max Delta_kk both below ``eps``
* coherent stationary  |mean h| > ``theta_h`` and std(h) < ``eps_s``
* oscillatory          the dominant spectral peak of h (peak bin and its two
                       neighbours) holds more than ``peak_fraction`` of the
                       power of h - mean(h)
* irregular            everything else
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

from ._checks import require_range


class State(str, Enum):
    QUIESCENT = "quiescent"
    COHERENT = "coherent"
    OSCILLATORY = "oscillatory"
    IRREGULAR = "irregular"


STATES: tuple[State, ...] = tuple(State)


@dataclass(frozen=True)
class StateCriteria:
    """Thresholds of the classifier (THEORY.md section 7)."""

    window: float = 20.0
    eps: float = 1e-3
    theta_h: float = 0.5
    eps_s: float = 0.05
    peak_fraction: float = 0.5

    def __post_init__(self):
        owner = "StateCriteria"
        require_range(owner, "window", self.window, lo=0.0, lo_open=True)
        require_range(owner, "eps", self.eps, lo=0.0, lo_open=True)
        require_range(owner, "theta_h", self.theta_h, lo=0.0)
        require_range(owner, "eps_s", self.eps_s, lo=0.0, lo_open=True)
        require_range(owner, "peak_fraction", self.peak_fraction, lo=0.0, hi=1.0, lo_open=True, hi_open=True)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _window(n: int, dt_record: float, window: float) -> slice:
    n_win = int(round(window / dt_record)) + 1
    if n_win > n:
        raise ValueError(
            f"StateCriteria.window = {window} needs {n_win} recorded points but the path has "
            f"{n} (record spacing {dt_record}); shorten the window or run longer"
        )
    return slice(n - n_win, n)


def dominant_peak_fraction(h: np.ndarray) -> float:
    """Fraction of the power of h - mean(h) in the dominant peak (bin +- 1, DC excluded) (THEORY.md section 7)."""
    y = np.asarray(h, dtype=float) - np.mean(h)
    power = np.abs(np.fft.rfft(y * np.hanning(len(y)))) ** 2
    power[0] = 0.0
    total = power.sum()
    if total <= 0.0:
        return 0.0
    k = int(np.argmax(power))
    return float(power[max(k - 1, 0) : k + 2].sum() / total)


def classify_state(
    h: np.ndarray,
    delta_diag: np.ndarray,
    dt_record: float,
    criteria: StateCriteria = StateCriteria(),
) -> State:
    """Classify one population path (THEORY.md section 7).

    Parameters
    ----------
    h : array, shape (n,)
        Population state h(t) at equally spaced recorded times ending at T.
    delta_diag : array, shape (n,)
        Microscopic variance Delta(t, t) at the same times.
    dt_record : float
        Spacing of the recorded times.
    criteria : StateCriteria
        Thresholds.

    Returns
    -------
    State
    """
    if not isinstance(criteria, StateCriteria):
        raise ValueError(f"criteria must be a meanfield.StateCriteria, got {criteria!r}")
    dt_record = require_range("classify_state", "dt_record", dt_record, lo=0.0, lo_open=True)
    h = np.asarray(h, dtype=float)
    delta_diag = np.asarray(delta_diag, dtype=float)
    if h.ndim != 1 or h.shape != delta_diag.shape:
        raise ValueError(
            f"classify_state needs 1-D h and delta_diag of equal length, got shapes "
            f"{h.shape} and {delta_diag.shape}"
        )
    if not (np.all(np.isfinite(h)) and np.all(np.isfinite(delta_diag))):
        raise ValueError("classify_state got non-finite values in h or delta_diag")
    w = _window(len(h), dt_record, criteria.window)
    hw, dw = h[w], delta_diag[w]
    if np.max(np.abs(hw)) < criteria.eps and np.max(dw) < criteria.eps:
        return State.QUIESCENT
    std = float(np.std(hw))
    if abs(float(np.mean(hw))) > criteria.theta_h and std < criteria.eps_s:
        return State.COHERENT
    if std >= criteria.eps_s and dominant_peak_fraction(hw) > criteria.peak_fraction:
        return State.OSCILLATORY
    return State.IRREGULAR


def classify_states(
    h: np.ndarray,
    delta_diag: np.ndarray,
    dt_record: float,
    criteria: StateCriteria = StateCriteria(),
) -> list[State]:
    """:func:`classify_state` applied to each row of (n_paths, n) arrays (THEORY.md section 7)."""
    h = np.atleast_2d(h)
    delta_diag = np.atleast_2d(delta_diag)
    if h.shape != delta_diag.shape:
        raise ValueError(f"h {h.shape} and delta_diag {delta_diag.shape} must have the same shape")
    return [classify_state(a, b, dt_record, criteria) for a, b in zip(h, delta_diag)]


def state_counts(states) -> dict[str, int]:
    """Number of paths in each state, with every state present (zeros included) (THEORY.md section 7)."""
    counts = {s.value: 0 for s in STATES}
    for s in states:
        counts[State(s).value] += 1
    return counts
