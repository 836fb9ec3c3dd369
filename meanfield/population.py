"""The causal population-mode solver: discrete-time DMFT on the Euler grid (THEORY.md section 4).

For a fixed sequence of innovations xi_0, xi_1, ... (one network of the
ensemble), :func:`solve` runs the forward sweep

1. C_kl (l <= k), M_k, Chat_kl = C_kl - M_k M_l          (Gaussian averages, eq. 4.1)
2. the causal Cholesky row of Chat                        (eq. 4.2)
3. m_k = J0 sum_j Lc_kj xi_j + lambda0 M_k + D_k          (eq. 4.3)
4. h_{k+1} = h_k + dt (-h_k + m_k + I0_k)                 (eq. 4.4)
5. the exact Euler recursion of Delta                     (eq. 4.5)

The result is the N -> infinity law of the population path of a network
integrated with the same Euler scheme, conditioned on its innovations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from . import cholesky as _cholesky
from .arguments import model_arguments, seed_record, seed_sequence
from .cholesky import ROUNDING_ULPS, CausalCholesky, cholesky_row, innovation_sum, negative_pivot_error
from .compiled import depends_on
from .gaussian import checks as _checks
from .gaussian import erf_kernels, tanh_kernels
from .gaussian.adaptive import EngineLadder
from .gaussian.checks import VARIANCE_SLACK
from .model import InitialState, Inputs, Network, State, StateCriteria, TimeGrid, classify_state
from .results import LabelledResult, Provenance
from .settings import SolverSettings


#: |Delta_kl| may exceed sqrt(Delta_kk Delta_ll) by CS_RELATIVE * bound + CS_ABSOLUTE + CS_ERRORS
#: quadrature errors before it is an error (:func:`_within_cauchy_schwarz`).
CS_RELATIVE, CS_ABSOLUTE, CS_ERRORS = 1e-8, 1e-12, 100.0


def _within_cauchy_schwarz(row, d_k, d, engine) -> np.ndarray:
    """Delta_kl clipped to |Delta_kl| <= sqrt(Delta_kk Delta_ll) (THEORY.md eq. 4.5).

    The recursion of eq. 4.5 is exact for the C it is given, but C comes
    from quadrature: its error (``engine.error_estimate``, ~1e-5 for tanh at
    order 40 and Delta ~ 1.5) breaks Cauchy-Schwarz by that much when two
    times are (anti)correlated, as in a static or sign-flipped coherent
    state. Violations up to 100 quadrature errors are clipped;
    larger ones are a bug and raise.
    """
    bound = np.sqrt(np.maximum(d_k, 0.0) * np.maximum(d, 0.0))
    excess = np.abs(row) - bound
    if excess.max(initial=0.0) <= 0.0:
        return row
    allowed = CS_RELATIVE * bound + CS_ABSOLUTE + CS_ERRORS * engine.error_estimate(max(d_k, float(d.max())))
    if np.any(excess > allowed):
        l = int(np.argmax(excess - allowed))
        raise FloatingPointError(
            f"Delta_kl = {row[l]!r} exceeds sqrt(Delta_kk Delta_ll) = {bound[l]!r} by more than "
            "the quadrature error allows; lower SolverSettings.quadrature_accuracy"
        )
    return np.clip(row, -bound, bound)


@njit(cache=True)
def delta_step_replicas(delta, k, c_block, dt, g2, extra_block):
    """Block k+1 of the joint covariance Delta^(ab) of R replicas (THEORY.md eq. 4.5 and section 5).

    ``delta`` is the (K+1, R, K+1, R) view of the covariance ordered by time,
    then replica; ``c_block[a, l, b]`` = C^(ab)_kl for l <= k;
    ``extra_block[a, l, b]`` = sigma_in^a sigma_in^b s^a_k s^b_l.

    Delta^(ab)_{k+1,0}   = (1-dt) Delta^(ab)_{k,0}
    Delta^(ab)_{k+1,l+1} = (1-dt)(Delta^(ab)_{k,l+1} + Delta^(ab)_{k+1,l}) - (1-dt)^2 Delta^(ab)_{k,l}
                           + dt^2 (g^2 C^(ab)_kl + sigma_in^2 s_k s_l)
    """
    a_ = 1.0 - dt
    R = delta.shape[1]
    # numba does not bounds-check: a mis-shaped block would be read as garbage
    assert c_block.shape == (R, k + 1, R) and extra_block.shape == (R, k + 1, R)
    for a in range(R):
        for b in range(R):
            delta[k + 1, a, 0, b] = a_ * delta[k, a, 0, b]
            delta[0, b, k + 1, a] = delta[k + 1, a, 0, b]
    # l outer: Delta^(ab)_{k,k+1} = Delta^(ba)_{k+1,k} is written at l = k - 1 before it is read at l = k.
    for l in range(k + 1):
        for a in range(R):
            for b in range(R):
                val = (
                    a_ * (delta[k, a, l + 1, b] + delta[k + 1, a, l, b])
                    - a_ * a_ * delta[k, a, l, b]
                    + dt * dt * (g2 * c_block[a, l, b] + extra_block[a, l, b])
                )
                delta[k + 1, a, l + 1, b] = val
                delta[l + 1, b, k + 1, a] = val


def delta_step(delta, k, c_row, dt, g2, extra_row):
    """Row k+1 of Delta from row k and C_k for a single replica (THEORY.md eq. 4.5)."""
    n = delta.shape[0]
    delta_step_replicas(delta.reshape(n, 1, n, 1), k, c_row.reshape(1, -1, 1), dt, g2,
                        extra_row.reshape(1, -1, 1))


#: Kernel codes of the compiled sweep (:func:`_compiled_steps`); other phi take the Python step.
KIND_CODES = {"tanh": 0, "erf": 1, "linear": 2}

#: Why :func:`_compiled_steps` returned: all steps done; step k meets a Cauchy-Schwarz violation and needs
#: the engine's error estimate; step k must run in Python (a check failed; nothing of it was written); a
#: negative pivot at step k; step k needs another engine (its variance is above ``limit``).
STEP_DONE, STEP_NEEDS_ERROR, STEP_IN_PYTHON, STEP_NEGATIVE_PIVOT, STEP_NEW_ENGINE = 0, 1, 2, 3, 4


@njit(cache=True, error_model="numpy")
def _step_checks(k, R, h, w, diag, delta, rho_S, err, crow, dclip):
    """The argument checks of step k (meanfield.gaussian.checks and :func:`_within_cauchy_schwarz`).

    Writes the clipped variances ``dclip`` and the clipped covariance rows
    ``crow`` (scratch only). Returns STEP_DONE when the step can run compiled.
    """
    n0 = k * R
    n1 = n0 + R
    for l in range(n1):
        if not (math.isfinite(h[l]) and math.isfinite(diag[l])) or diag[l] < -VARIANCE_SLACK:
            return STEP_IN_PYTHON
        dclip[l] = max(diag[l], 0.0)
    for a in range(R):
        n = n0 + a
        if rho_S[a] != 0.0 and not math.isfinite(h[n] + w[n]):
            return STEP_IN_PYTHON
        dk = dclip[n]
        clip = False
        for l in range(n1):
            c = delta[n, l]
            if not math.isfinite(c):
                return STEP_IN_PYTHON
            if abs(c) - math.sqrt(dk * dclip[l]) > 0.0:
                clip = True
        if clip:
            if err < 0.0:
                return STEP_NEEDS_ERROR
            for l in range(n1):
                c = delta[n, l]
                bound = math.sqrt(dk * dclip[l])
                if abs(c) - bound > CS_RELATIVE * bound + CS_ABSOLUTE + CS_ERRORS * err:
                    return STEP_IN_PYTHON
                crow[a, l] = min(max(c, -bound), bound)
        else:
            for l in range(n1):
                crow[a, l] = delta[n, l]
    return STEP_DONE


@depends_on(tanh_kernels, erf_kernels, _cholesky, _checks)
@njit(cache=True, error_model="numpy")
def _compiled_steps(k0, limit, err_step, err, K, R, kind, xo, wo, zh, vh, h, m, M, w, diag, delta, C, L,
                    pivots, rank, xi, tol, J0, lam, dt, g2, rho_S, I0, sparse, pattern, crow, dclip):
    """Steps k0, k0+1, ... of :func:`forward_sweep` for a builtin phi (THEORY.md eqs. 4.1-4.5).

    The operations of :func:`_python_step` in the same order, so the two give
    the same numbers. Step k0 uses the given rule (x, w, zh, vh) whatever its
    variance; a later step whose largest Delta exceeds ``limit`` (the ladder's
    :attr:`~meanfield.gaussian.adaptive.EngineLadder.served_below`) returns
    STEP_NEW_ENGINE. ``err`` is the engine's error estimate for step
    ``err_step`` (used by the Cauchy-Schwarz clip; other steps that need it
    return STEP_NEEDS_ERROR). Nothing of a step is written before its checks
    pass. Returns (outcome, step k, row of a negative pivot, rank, pivot, band).
    """
    arow = np.empty(h.size)
    blk = np.empty((R, R))
    for k in range(k0, K + 1):
        n0 = k * R
        n1 = n0 + R
        if k > k0:
            v = diag[n0]
            for a in range(1, R):
                v = max(v, diag[n0 + a])
            if v > limit:
                return STEP_NEW_ENGINE, k, -1, rank, 0.0, 0.0
        outcome = _step_checks(k, R, h, w, diag, delta, rho_S, err if k == err_step else -1.0, crow, dclip)
        if outcome != STEP_DONE:
            return outcome, k, -1, rank, 0.0, 0.0
        # step 1: C_kl and M_k (eq. 4.1)
        for a in range(R):
            n = n0 + a
            out = C[n, :n1]
            if kind == 0:
                tanh_kernels.row(h[n], dclip[n], h[:n1], dclip[:n1], crow[a, :n1], xo, wo, zh, vh, out)
                M[n] = tanh_kernels.inner_mean(h[n], math.sqrt(dclip[n]), zh, vh)
            elif kind == 1:
                erf_kernels.row(h[n], dclip[n], h[:n1], dclip[:n1], crow[a, :n1], out)
                M[n] = erf_kernels.mean_scalar(h[n], dclip[n])
            else:
                for l in range(n1):
                    out[l] = h[l] * h[n]
                for l in range(n1):
                    out[l] += crow[a, l]
                M[n] = h[n]
        # C[:n1, n0:n1] = C[n0:n1, :n1].T as numpy assigns it (the block of step k is read before written)
        for a in range(R):
            for b in range(R):
                blk[a, b] = C[n0 + a, n0 + b]
        for a in range(R):
            for l in range(n0):
                C[l, n0 + a] = C[n0 + a, l]
            for b in range(R):
                C[n0 + b, n0 + a] = blk[a, b]
        # steps 2-3: causal Cholesky row and the population feedback (eqs. 4.2-4.3)
        for a in range(R):
            n = n0 + a
            for l in range(n + 1):
                arow[l] = C[n, l] - M[n] * M[l]
            floor = ROUNDING_ULPS * abs(C[n, n])
            band = tol * max(arow[n], 0.0) + floor
            rank, pivot = cholesky_row(arow[: n + 1], n, L, pivots, rank, tol, floor, True)
            if pivot < -band:
                return STEP_NEGATIVE_PIVOT, k, n, rank, pivot, band
            noise = J0 * innovation_sum(L, n, rank, pivots, xi)
            D = 0.0
            if rho_S[a] != 0.0:
                if kind == 0:
                    shifted = tanh_kernels.inner_mean(h[n] + w[n], math.sqrt(dclip[n]), zh, vh)
                elif kind == 1:
                    shifted = erf_kernels.mean_scalar(h[n] + w[n], dclip[n])
                else:
                    shifted = h[n] + w[n]
                D = rho_S[a] * (shifted - M[n])
            m[n] = noise + lam * M[n] + D
        if k == K:
            break
        # steps 4-5: population update and the Delta recursion (eqs. 4.4-4.5)
        for a in range(R):
            h[n1 + a] = h[n0 + a] + dt * (-h[n0 + a] + m[n0 + a] + I0[a, k])
            w[n1 + a] = (1.0 - dt) * w[n0 + a] + dt * sparse[a, k]
        c_block = np.empty((R, k + 1, R))
        extra = np.empty((R, k + 1, R))
        for a in range(R):
            for l in range(k + 1):
                for b in range(R):
                    c_block[a, l, b] = C[n0 + a, l * R + b]
                    extra[a, l, b] = pattern[a, k] * pattern[b, l]
        delta_step_replicas(delta.reshape(K + 1, R, K + 1, R), k, c_block, dt, g2, extra)
        for a in range(R):
            diag[n1 + a] = delta[n1 + a, n1 + a]
    return STEP_DONE, K + 1, -1, rank, 0.0, 0.0


@dataclass(frozen=True)
class Drive:
    """The inputs of one solve evaluated on the Euler grid (t_0..t_K) (THEORY.md eq. 4.3-4.5)."""

    I0: np.ndarray          # uniform input I0 s(t_k)
    pattern: np.ndarray     # sigma_in s(t_k) of the random-pattern input
    sparse: np.ndarray      # A s(t_k) of the sparse input
    rho_S: float            # (1/sqrt N) sum_{i in S} v_i

    @classmethod
    def on_grid(cls, network: Network, inputs: Inputs, grid: TimeGrid) -> "Drive":
        t = grid.times
        zero = np.zeros_like(t)
        inputs.check_against(network)
        return cls(
            I0=inputs.uniform.series(t) if inputs.uniform else zero,
            pattern=inputs.pattern.series(t) if inputs.pattern else zero,
            sparse=inputs.sparse.series(t) if inputs.sparse else zero,
            rho_S=inputs.sparse.rho(network) if inputs.sparse else 0.0,
        )


@dataclass(frozen=True)
class PopulationPath(LabelledResult):
    """One theory sample: the population path for one draw of the innovations (THEORY.md section 4).

    Attributes
    ----------
    times : (K+1,) grid times t_k
    h, m, M : (K+1,) population state, population feedback, mean rate
    delta : (K+1, K+1) microscopic covariance Delta_kl
    C : (K+1, K+1) rate correlation C_kl (symmetric)
    factor : (K+1, rank) kept columns of the causal factor of Chat
    pivot_times : (rank,) time index of each kept column
    xi : (K+1,) the innovations (only those at pivot times act)
    w : (K+1,) extra state of the sparse-driven neurons (zeros without sparse input)
    record_steps : (n_rec,) steps recorded by the grid (see :meth:`recorded`)
    provenance : Provenance or None
        The call and seed that produced the path (None when ``xi`` was given).
    """

    times: np.ndarray
    h: np.ndarray
    m: np.ndarray
    M: np.ndarray
    delta: np.ndarray
    C: np.ndarray
    factor: np.ndarray
    pivot_times: np.ndarray
    xi: np.ndarray
    w: np.ndarray
    record_steps: np.ndarray = field(repr=False)
    provenance: Provenance | None = None

    dims = {"h": ("time",), "m": ("time",), "M": ("time",), "xi": ("time",), "w": ("time",),
            "delta": ("time", "time2"), "C": ("time", "time2"), "factor": ("time", "pivot"),
            "pivot_times": ("pivot",), "record_steps": ("recorded",)}
    coords = {"time": "times", "time2": "times"}

    @property
    def delta_diag(self) -> np.ndarray:
        return np.diag(self.delta).copy()

    @property
    def chat(self) -> np.ndarray:
        """Connected rate covariance Chat_kl = C_kl - M_k M_l."""
        return self.C - np.outer(self.M, self.M)

    @property
    def rank(self) -> int:
        return int(self.pivot_times.size)

    def state(self, criteria: StateCriteria = StateCriteria()) -> State:
        """The state of this sample (THEORY.md section 7), classified at the recording times."""
        rec = self.recorded()
        return classify_state(rec["h"], rec["delta_tt"], float(rec["times"][1] - rec["times"][0]), criteria)

    def recorded(self) -> dict[str, np.ndarray]:
        """h, m, M, Delta(t,t) at the recording times of the grid (as the simulator records them)."""
        r = self.record_steps
        return {
            "times": self.times[r],
            "h": self.h[r],
            "m": self.m[r],
            "M": self.M[r],
            "delta_tt": self.delta_diag[r],
        }


def draw_innovations(seed, n_steps: int, replicas: int | None = None) -> np.ndarray:
    """Innovations xi iid N(0, 1) from one SeedSequence (or int) per sample (THEORY.md eq. 4.3).

    Shape (K+1,) for one replica, (K+1, R) ordered by time then replica for R
    replicas; the first column of the latter is NOT the former (draw R = 1
    paths with ``replicas=None``).
    """
    shape = (n_steps + 1,) if replicas is None else (n_steps + 1, replicas)
    return np.random.default_rng(seed_sequence(seed)).standard_normal(shape)


def _resolve_xi(xi, seed, n_steps: int, replicas: int | None = None) -> np.ndarray:
    if (xi is None) == (seed is None):
        raise ValueError("give exactly one of `xi` (innovations) or `seed`")
    if xi is None:
        return draw_innovations(seed, n_steps, replicas)
    xi = np.asarray(xi, dtype=float)
    shape = (n_steps + 1,) if replicas is None else (n_steps + 1, replicas)
    if xi.shape != shape:
        raise ValueError(f"xi must have shape {shape} (time steps K+1 [, replicas]), got {xi.shape}")
    if not np.all(np.isfinite(xi)):
        raise ValueError("xi contains non-finite values")
    return xi


@dataclass(frozen=True)
class SweepArrays:
    """Raw output of :func:`forward_sweep`, flattened over (time, replica) in that order."""

    h: np.ndarray       # ((K+1) R,)
    m: np.ndarray
    M: np.ndarray
    w: np.ndarray
    delta: np.ndarray   # ((K+1) R, (K+1) R)
    C: np.ndarray
    factor: np.ndarray  # ((K+1) R, rank)
    pivots: np.ndarray  # flattened index of each kept column


class _SweepState:
    """Arrays of one forward sweep (flattened over (time, replica)), initialised at step 0."""

    def __init__(self, network, drives, grid, initials, c0, xi, settings):
        R = len(drives)
        K = grid.n_steps
        n_all = (K + 1) * R
        self.R, self.K, self.drives, self.xi = R, K, drives, xi
        self.dt, self.g2, self.J0, self.lam = grid.dt, network.g**2, network.J0, network.lambda0
        self.h = np.empty(n_all)
        self.m = np.empty(n_all)
        self.M = np.empty(n_all)
        self.w = np.zeros(n_all)
        self.diag = np.empty(n_all)
        self.delta = np.zeros((n_all, n_all))
        self.delta4 = self.delta.reshape(K + 1, R, K + 1, R)
        self.C = np.zeros((n_all, n_all))
        self.pattern = np.array([d.pattern for d in drives])        # (R, K+1): sigma_in^a s^a_k
        self.I0 = np.array([d.I0 for d in drives])
        self.sparse_in = np.array([d.sparse for d in drives])
        self.rho_S = np.array([d.rho_S for d in drives], dtype=float)
        self.chol = CausalCholesky(n_all, settings.pivot_tol)
        self.crow = np.empty((R, n_all))
        self.dclip = np.empty(n_all)
        sig = np.array([ini.sigma0 for ini in initials])
        self.delta4[0, :, 0, :] = c0 * np.outer(sig, sig)
        self.delta4[0, np.arange(R), 0, np.arange(R)] = sig**2
        self.h[:R] = [ini.h0 for ini in initials]
        self.diag[:R] = sig**2


def _python_step(k, st: _SweepState, engine) -> None:
    """Step k of :func:`forward_sweep` through the engine's checked calls (any phi; eqs. 4.1-4.5)."""
    R, K = st.R, st.K
    h, m, M, w, diag, delta, C, chol = st.h, st.m, st.M, st.w, st.diag, st.delta, st.C, st.chol
    n0, n1 = k * R, (k + 1) * R
    for a in range(R):
        n = n0 + a
        row = _within_cauchy_schwarz(delta[n, :n1], diag[n], diag[:n1], engine)
        engine.row(h[n], diag[n], h[:n1], diag[:n1], row, out=C[n, :n1])
        M[n] = float(engine.mean(h[n], diag[n]))
    C[:n1, n0:n1] = C[n0:n1, :n1].T
    for a in range(R):
        n = n0 + a
        chol.add_row(C[n, : n + 1] - M[n] * M[: n + 1], scale=C[n, n])
        noise = st.J0 * chol.innovation_sum(st.xi)
        D = 0.0
        if st.rho_S[a] != 0.0:
            D = st.rho_S[a] * (float(engine.mean(h[n] + w[n], diag[n])) - M[n])
        m[n] = noise + st.lam * M[n] + D
    if k == K:
        return
    for a in range(R):
        h[n1 + a] = h[n0 + a] + st.dt * (-h[n0 + a] + m[n0 + a] + st.I0[a, k])
        w[n1 + a] = (1.0 - st.dt) * w[n0 + a] + st.dt * st.sparse_in[a, k]
    c_block = C[n0:n1, :n1].reshape(R, k + 1, R)
    extra = st.pattern[:, k, None, None] * st.pattern[:, : k + 1].T[None, :, :]   # [a, l, b]
    delta_step_replicas(st.delta4, k, np.ascontiguousarray(c_block), st.dt, st.g2, np.ascontiguousarray(extra))
    diag[n1 : n1 + R] = np.diagonal(delta)[n1 : n1 + R]


def forward_sweep(
    network: Network,
    drives: list[Drive],
    grid: TimeGrid,
    initials: list[InitialState],
    c0: float,
    xi: np.ndarray,
    settings: SolverSettings,
) -> SweepArrays:
    """The forward sweep of THEORY.md section 4 for R replicas on one network (section 5).

    One causal Cholesky factors the joint connected covariance of all
    (time, replica) pairs, ordered by time then replica; with R = 1 this is
    exactly eqs. 4.1-4.5.

    Parameters
    ----------
    drives : list of Drive
        Inputs of each replica on the grid.
    initials : list of InitialState
        h0 and sigma0 of each replica.
    c0 : float
        Correlation of the initial microscopic states of different replicas:
        Delta^(ab)_00 = c0 sigma0^a sigma0^b (1 = shared initial state).
    xi : array ((K+1) R,)
        Innovations, flattened in (time, replica) order.
    """
    R = len(drives)
    K = grid.n_steps
    xi = np.ascontiguousarray(xi, dtype=float)
    ladder = EngineLadder(network.phi, settings)
    st = _SweepState(network, drives, grid, initials, c0, xi, settings)
    kind = KIND_CODES.get(network.phi.name, -1) if network.phi.builtin else -1
    k, err_step, err, python_step = 0, -1, -1.0, -1
    while k <= K:
        n0, n1 = k * R, (k + 1) * R
        if kind >= 0 and k > 0:  # the ladder follows the running maximum of the steps run compiled
            ladder.at(float(st.diag[:n0].max()))
        engine = ladder.at(float(st.diag[n0:n1].max()))
        if kind < 0 or k == python_step:
            # the checked calls (for a compiled phi: nothing of step k was written, they raise the error)
            _python_step(k, st, engine)
            k += 1
            continue
        if k == err_step:
            # the error estimate of _within_cauchy_schwarz: max(d_k, max_l d_l) over the times of step k
            err = engine.error_estimate(float(st.diag[:n1].max()))
        outcome, k, row, rank, pivot, band = _compiled_steps(
            k, ladder.served_below, err_step, err, K, R, kind, *engine.folded_rule,
            st.h, st.m, st.M, st.w, st.diag, st.delta, st.C, st.chol.L, st.chol.pivots, st.chol.rank,
            xi, st.chol.tol, st.J0, st.lam, st.dt, st.g2, st.rho_S, st.I0, st.sparse_in, st.pattern,
            st.crow, st.dclip)
        st.chol.rank = rank
        st.chol.rows = min(k, K + 1) * R
        if outcome == STEP_NEGATIVE_PIVOT:
            raise negative_pivot_error(pivot, row, band)
        if outcome == STEP_NEEDS_ERROR:
            err_step = k
        elif outcome == STEP_IN_PYTHON:
            python_step = k
    h, m, M, w, delta, C, chol = st.h, st.m, st.M, st.w, st.delta, st.C, st.chol

    return SweepArrays(h=h, m=m, M=M, w=w, delta=delta, C=C, factor=chol.factor(),
                       pivots=chol.pivot_times)


def solve(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    xi=None,
    seed=None,
    settings: SolverSettings = SolverSettings(),
) -> PopulationPath:
    """Forward sweep of THEORY.md section 4 (eqs. 4.1-4.5) for one draw of the innovations.

    Parameters
    ----------
    network, inputs, grid, initial
        The model (``network.N`` enters only through |S| and rho_S of a sparse input).
    xi : array (K+1,), optional
        Innovations; exactly one of ``xi`` and ``seed`` must be given.
    seed : int or SeedSequence, optional
        Draws ``xi`` with :func:`draw_innovations`.
    settings : SolverSettings
        Quadrature order and pivot tolerance.

    Returns
    -------
    PopulationPath
    """
    model_arguments(network, inputs, grid, initial, settings=settings)
    settings.check_for(network.phi.name)
    xi = _resolve_xi(xi, seed, grid.n_steps)
    drive = Drive.on_grid(network, inputs, grid)
    out = forward_sweep(network, [drive], grid, [initial], 1.0, xi, settings)
    prov = None
    if seed is not None:
        prov = Provenance(function="meanfield.solve", seed=seed_record(seed_sequence(seed)), params={
            "network": network.to_dict(), "inputs": inputs.to_dict(), "grid": grid.to_dict(),
            "initial": initial.to_dict(), "settings": settings.to_dict()})
    return PopulationPath(
        times=grid.times, h=out.h, m=out.m, M=out.M, delta=out.delta, C=out.C,
        factor=out.factor, pivot_times=out.pivots, xi=xi, w=out.w,
        record_steps=grid.record_steps, provenance=prov,
    )
