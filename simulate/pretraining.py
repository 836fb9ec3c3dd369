"""Pretraining one reservoir toward zero macroscopic FTLE by its detuning (THEORY.md sections 1, 5 and 9).

Section 9 lists "pretraining toward macro FTLE ~ 0 for inputs sparse in
time" as a design that the theory suggests. This module changes a single
number of one realisation: its detuning lambda0. In section 1 the column
weights of the mean matrix are v_j = J0 s_j + lambda0 / sqrt(N), so

    J(lambda0') - J(lambda0) = (lambda0' - lambda0) u 1^T / N,   u = (1, ..., 1),

a rank-one correction along the population direction: every neuron receives
the same extra input (lambda0' - lambda0) M(t), proportional to the mean
rate. The random part g z / sqrt(N), the balanced part J0 u s^T / sqrt(N),
the input weights, the initial state and the seed are untouched, and J is
never formed. lambda0 is the only nonzero eigenvalue of the mean matrix
(section 1), i.e. the knob that sets the loop gain of the population mode,
which is the mode whose stability the macro FTLE measures (section 5: the
growth rate of a shift of h0 under the task input).

Why bracketed root finding on the measured exponent. For one realisation,
one input sequence and one initial state, the measured macro FTLE
``f(lambda0)`` (:meth:`simulate.reservoir.ReservoirRealisation.macro_ftle`)
is a deterministic function: there is no noise to average, so stochastic
approximation (Robbins-Monro, whose decreasing steps exist to average noise)
would only spend evaluations. ``f`` is not monotone in lambda0: below the
instability of the population mode it rises with lambda0 (the loop gain
grows), past it the network settles on a saturated branch and ``f`` falls
again, and in the chaotic state (g > 1) it fluctuates from one lambda0 to the
next. A gradient through the tangent recursion (second-order tangents, as
gradient flossing backpropagates through the Lyapunov exponents, Engelken,
NeurIPS 2023) is undefined at that cusp and, for a chaotic network, grows
with the window length. Only function values are therefore used:

1. ``f`` at the realisation's own lambda0; nothing changes if ``|f| <= tol``.
2. A scan outward from lambda0 in steps of ``step`` (alternately above and
   below, within ``lambda_range``) until a point with ``|f| <= tol`` or a
   sign change between neighbouring points is found; the change of lambda0
   is then as small as the scan resolution allows.
3. Bisection of that bracket until ``|f| <= tol`` (a bracket always holds a
   root of a continuous function; bisection needs no smoothness and at most
   log2(step / xtol) evaluations).
4. Without any sign change in the range the exponent never crosses zero (a
   peak below zero, or a macro mode that is unstable everywhere): a
   golden-section search for the smallest ``|f|`` around the best scanned
   point; the result says ``converged=False`` if the tolerance is still
   missed.

The cost is counted in exponent evaluations, each one tangent integration
of ``len(u)`` input samples (:func:`simulate.lyapunov.lyapunov_run`).
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field

import numpy as np

from meanfield.arguments import count, seed_record
from meanfield.model import InitialState
from meanfield.model._checks import require_range

from .reservoir import ReservoirRealisation

_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def with_detuning(rr: ReservoirRealisation, lambda0: float) -> ReservoirRealisation:
    """The same reservoir realisation with detuning ``lambda0`` (module docstring; THEORY.md section 1).

    z (the stored couplings), the pattern, the input weights and the seed are shared (not copied);
    only the network's lambda0, hence the mean column weights
    v_j = J0 s_j + lambda0 / sqrt(N), changes.
    """
    if not isinstance(rr, ReservoirRealisation):
        raise ValueError(f"with_detuning needs a simulate.ReservoirRealisation (Reservoir.realise), got {rr!r}")
    lambda0 = float(lambda0)
    if not math.isfinite(lambda0):
        raise ValueError(f"lambda0 must be finite, got {lambda0!r}")
    network = rr.reservoir.network.replace(lambda0=lambda0)
    reservoir = dataclasses.replace(rr.reservoir, network=network)
    real = rr.realisation
    # the stored couplings themselves (any coupling law; reading ``z`` is defined for dense ones only)
    shared = {"z": real.couplings} if hasattr(type(real), "couplings") else {}
    realisation = dataclasses.replace(real, network=network, **shared)
    return ReservoirRealisation(reservoir=reservoir, realisation=realisation, input_weights=rr.input_weights)


@dataclass(frozen=True, eq=False)
class PretrainingResult:
    """Outcome of :func:`pretrain_detuning` for one realisation.

    Attributes
    ----------
    realisation : ReservoirRealisation
        The pretrained reservoir (lambda0 = ``lambda0_after``; everything else shared with the input one).
    lambda0_before, lambda0_after : float
        Detuning before and after.
    ftle_before, ftle_after : float
        Measured macro FTLE under the pretraining input at those detunings.
    converged : bool
        ``|ftle_after| <= tol``.
    tol : float
    evaluations : int
        Number of macro-FTLE evaluations (tangent integrations) spent.
    steps : int
        Input samples per evaluation.
    method : str
        "unchanged" (already within tol), "scan", "bisection" or "golden-section" (no sign change).
    history : (evaluations, 2) array
        (lambda0, FTLE) of every evaluation, in order.
    seconds : float
        Wall time of the procedure.
    seed : dict
        Seed record of the realisation.
    """

    realisation: ReservoirRealisation = field(repr=False)
    lambda0_before: float
    lambda0_after: float
    ftle_before: float
    ftle_after: float
    converged: bool
    tol: float
    evaluations: int
    steps: int
    method: str
    history: np.ndarray = field(repr=False)
    seconds: float
    seed: dict = field(repr=False)

    @property
    def delta_lambda0(self) -> float:
        """lambda0_after - lambda0_before: the size of the rank-one change (u 1^T / N times this)."""
        return self.lambda0_after - self.lambda0_before

    def to_dict(self) -> dict:
        return {"lambda0_before": self.lambda0_before, "lambda0_after": self.lambda0_after,
                "ftle_before": self.ftle_before, "ftle_after": self.ftle_after, "converged": self.converged,
                "tol": self.tol, "evaluations": self.evaluations, "steps": self.steps, "method": self.method,
                "history": self.history.tolist(), "seconds": self.seconds, "seed": self.seed}


def pretrain_detuning(
    rr: ReservoirRealisation,
    u,
    *,
    tol: float = 0.01,
    lambda_range: tuple[float, float] = (-2.0, 2.0),
    step: float = 0.25,
    xtol: float = 1e-3,
    max_evaluations: int = 40,
    window=None,
    initial: InitialState = InitialState(),
) -> PretrainingResult:
    """Tune the detuning lambda0 of one reservoir until its macro FTLE under ``u`` is within ``tol`` of zero.

    The procedure and the reasons for it are in the module docstring; the
    exponent is :meth:`ReservoirRealisation.macro_ftle` (THEORY.md section 5,
    the growth rate of a shift of h0 along the uniform direction).

    Parameters
    ----------
    rr : ReservoirRealisation
        The realisation to pretrain (not modified: a new one is returned).
    u : array, shape (T,) or (T, 1)
        Pretraining input (a one-channel reservoir), e.g. the first samples of the task's training input.
    tol : float
        Target |FTLE| <= tol (per unit time).
    lambda_range : (float, float)
        Interval of lambda0 searched; must contain the realisation's own lambda0.
    step : float
        Resolution of the outward scan.
    xtol : float
        Smallest bracket (lambda0 units) that bisection or golden section refines to.
    max_evaluations : int
        Budget of exponent evaluations (at least 2).
    window : (t_a, t_b), optional
        Window of the exponent (default the whole input).
    initial : InitialState

    Returns
    -------
    PretrainingResult

    Raises
    ------
    ValueError
        For invalid arguments.
    NonFiniteStateError
        If the network diverges at some tried lambda0.
    """
    if not isinstance(rr, ReservoirRealisation):
        raise ValueError(f"pretrain_detuning needs a simulate.ReservoirRealisation (Reservoir.realise), got {rr!r}")
    if rr.reservoir.n_inputs != 1:
        raise ValueError(f"pretrain_detuning drives a one-channel reservoir; this one has n_inputs = "
                         f"{rr.reservoir.n_inputs}")
    U = np.asarray(u, dtype=float)
    if U.ndim == 2 and U.shape[1] == 1:
        U = U[:, 0]
    if U.ndim != 1 or U.size < 2:
        raise ValueError(f"u must be one input sequence of shape (T,) or (T, 1) with T >= 2, got shape {np.shape(u)}")
    if not np.all(np.isfinite(U)):
        raise ValueError("u contains NaN or infinite values")
    tol = require_range("pretrain_detuning", "tol", tol, lo=0.0, lo_open=True)
    step = require_range("pretrain_detuning", "step", step, lo=0.0, lo_open=True)
    xtol = require_range("pretrain_detuning", "xtol", xtol, lo=0.0, lo_open=True)
    max_evaluations = count("max_evaluations", max_evaluations, lo=2)
    try:
        lo, hi = (float(v) for v in lambda_range)
    except (TypeError, ValueError):
        raise ValueError(f"lambda_range must be two numbers (lo, hi), got {lambda_range!r}") from None
    lam0 = float(rr.reservoir.network.lambda0)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo <= lam0 <= hi and lo < hi):
        raise ValueError(f"lambda_range = {lambda_range!r} must be finite, lo < hi, and contain the realisation's "
                         f"lambda0 = {lam0:g}")
    if not isinstance(initial, InitialState):
        raise ValueError(f"initial must be a meanfield.InitialState, got {initial!r}")

    t0 = time.perf_counter()
    history: list[tuple[float, float]] = []
    cache: dict[float, float] = {}

    def f(lam: float) -> float:
        if lam not in cache:
            cache[lam] = with_detuning(rr, lam).macro_ftle(U, window=window, initial=initial)
            history.append((lam, cache[lam]))
        return cache[lam]

    def budget() -> bool:
        return len(history) < max_evaluations

    def done(lam: float, method: str) -> PretrainingResult:
        fa = cache[lam]
        return PretrainingResult(
            realisation=with_detuning(rr, lam), lambda0_before=lam0, lambda0_after=float(lam),
            ftle_before=cache[lam0], ftle_after=float(fa), converged=bool(abs(fa) <= tol), tol=float(tol),
            evaluations=len(history), steps=int(U.size), method=method, history=np.array(history, dtype=float),
            seconds=time.perf_counter() - t0, seed=seed_record(rr.realisation.seed))

    def best() -> float:
        return min(cache, key=lambda lam: (abs(cache[lam]), abs(lam - lam0)))

    if abs(f(lam0)) <= tol:
        return done(lam0, "unchanged")

    # 2. scan outward, alternating sides, until |f| <= tol or a sign change between neighbours
    bracket = None
    for k in range(1, int(math.ceil((hi - lo) / step)) + 1):
        for lam in (lam0 + k * step, lam0 - k * step):
            if not (lo <= lam <= hi) or not budget():
                continue
            inner = lam - math.copysign(step, lam - lam0) if k > 1 else lam0
            if abs(f(lam)) <= tol:
                return done(lam, "scan")
            if np.sign(f(lam)) != np.sign(cache[inner]):
                bracket = (min(lam, inner), max(lam, inner))
                break
        if bracket is not None or not budget():
            break

    if bracket is not None:
        # 3. bisection: keeps a sign change inside, stops at |f| <= tol
        a, b = bracket
        fa = cache[a]
        while b - a > xtol and budget():
            m = 0.5 * (a + b)
            fm = f(m)
            if abs(fm) <= tol:
                return done(m, "bisection")
            if np.sign(fm) == np.sign(fa):
                a, fa = m, fm
            else:
                b = m
        return done(best(), "bisection")

    # 4. no zero crossing in the range: golden section on |f| around the best scanned point
    c = best()
    a, b = max(lo, c - step), min(hi, c + step)
    x1, x2 = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    while b - a > xtol and budget():
        if abs(f(x1)) <= tol or not budget():
            break
        if abs(f(x2)) <= tol:
            break
        if abs(cache[x1]) < abs(cache[x2]):
            b, x2 = x2, x1
            x1 = b - _GOLDEN * (b - a)
        else:
            a, x1 = x1, x2
            x2 = a + _GOLDEN * (b - a)
    return done(best(), "golden-section")


__all__ = ["PretrainingResult", "pretrain_detuning", "with_detuning"]
