"""Linear response of the population state of one theory sample (THEORY.md sections 3 and 5).

chi(t, s) = dh(t) / dI0(s): the response of the population state h to a
uniform input pulse at time s, for one network (one draw of the innovations).

Two constructions of section 5 ("replica 2 = replica 1 plus an
infinitesimal input"):

* ``method="tangent"`` (default): the tangent-linear recursion of the joint
  two-replica system, :func:`meanfield.tangent.solve_tangent` with a unit
  pulse. It includes the fresh innovations of the tangent (the part of the
  population feedback's response not predictable from the base path), so chi
  is random given the base innovations and its law over xi is the N -> infinity
  law of the response of a network. Builtin phi only.
* ``method="difference"``: the joint two-replica sweep of
  :func:`meanfield.solve_replicas` with the same xi and c0 = 1, replica 2
  receiving an extra input eps on the Euler step s -> s+1, and
  chi(t_k, t_s) = (h^2_k - h^1_k) / (eps dt). With small eps the fresh pivots of
  replica 2 (size eps^2) fall below the pivot tolerance and are dropped, so this
  is the regression of the response on the base innovations: its spread over
  samples is too narrow (it equals ``solve_tangent(..., fresh=False)``). A large
  eps keeps them but leaves the linear regime unless phi is linear.

In both, chi(t_{s+1}, t_s) = 1 (the Euler step) and chi -> the continuous
response function as dt -> 0.

Linear regime reference (phi linear, g < 1, lambda0 = 0): on the Euler grid
the population feedback is m_k = dt sum_{j<k} kd_{k-1-j} (m_j + I0_j) with the
discrete kernel

    kd_n = b^T ((1-dt) + dt X)^n a = J0 sum_{j=1}^{n} binom(n, j) (1-dt)^(n-j) dt^j g^j zeta_j

(section 3 with the Euler propagator in place of e^{-tau}), zeta_j iid N(0, 1),
and h_k = dt sum_{j<k} (1-dt)^(k-1-j) (m_j + I0_j). :func:`linear_impulse_response`
evaluates the resulting chi for given zeta; as dt -> 0 it tends to the
inverse Fourier transform of H(w) of section 3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from .arguments import count, ensemble_arguments, model_arguments, number
from .model import InitialState, Inputs, Network, Step, TimeGrid, UniformInput
from .model.profiles import Custom
from .replicas import solve_replicas
from .results import LabelledResult, Provenance
from .runner import map_seeds
from .settings import SolverSettings
from .tangent import Perturbation, require_tangent_phi, solve_tangent


@dataclass(frozen=True)
class _PulsedProfile:
    """base(t) + eps on the grid time t_s (picklable, for inputs that already have a uniform part)."""

    base: object
    base_I0: float
    t_s: float
    dt: float
    eps: float

    def __call__(self, t):
        t = np.asarray(t, dtype=float)
        pulse = (np.abs(t - self.t_s) < 0.5 * self.dt).astype(float)
        return self.base_I0 * self.base.values(t) + self.eps * pulse


def _check_step(step, grid: TimeGrid) -> None:
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 0 <= step < grid.n_steps:
        raise ValueError(f"step (the pulse step) must be an integer in [0, K) = [0, {grid.n_steps}), "
                         f"got {step!r}")


def pulsed_inputs(inputs: Inputs, grid: TimeGrid, step: int, eps: float) -> Inputs:
    """``inputs`` plus a uniform pulse of height eps on the Euler step ``step`` -> ``step + 1`` (THEORY.md sec. 5)."""
    from dataclasses import replace

    _check_step(step, grid)
    eps = number("eps", eps, nonzero=True)
    t_s = step * grid.dt
    if inputs.uniform is None:
        pulse = UniformInput(eps, Step(t_s - 0.5 * grid.dt, t_s + 0.5 * grid.dt))
    else:
        prof = _PulsedProfile(inputs.uniform.profile, inputs.uniform.I0, t_s, grid.dt, eps)
        pulse = UniformInput(1.0, Custom(prof))
    return replace(inputs, uniform=pulse)


METHODS = ("tangent", "difference")


def _response_arguments(network, grid, step, method, eps, caller: str) -> None:
    """The options of a response, checked before any sweep (the model objects are checked already)."""
    if not (isinstance(method, str) and method in METHODS):
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    _check_step(step, grid)
    number("eps", eps, nonzero=True)
    if method == "tangent":
        require_tangent_phi(network, f'{caller}(method="tangent")',
                            'method="difference" (the finite difference of the joint sweep; any phi)')


def impulse_response(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    step: int = 0,
    method: str = "tangent",
    eps: float = 1e-6,
    xi=None,
    seed=None,
    settings: SolverSettings = SolverSettings(),
) -> np.ndarray:
    """chi(t_k, t_step), k = 0..K, of one theory sample (THEORY.md section 5; module docstring).

    Parameters
    ----------
    step : int
        Pulse on the Euler step step -> step + 1 (time t_s = step dt).
    method : {"tangent", "difference"}
        Tangent-linear recursion with fresh innovations (default; builtin phi)
        or the finite difference of the joint sweep (any phi; see the module
        docstring for its bias).
    eps : float
        Pulse height of ``method="difference"`` (the response is divided by eps dt).
    xi : (K+1, 2) array, optional; seed : int or SeedSequence, optional
        Innovations of the two-replica sample (exactly one).

    Returns
    -------
    (K+1,) array, zero for k <= step.
    """
    model_arguments(network, inputs, grid, initial, settings=settings)
    _response_arguments(network, grid, step, method, eps, "meanfield.response.impulse_response")
    if method == "tangent":
        tangent = solve_tangent(network, inputs, grid, initial, Perturbation(pulse_step=int(step)), xi=xi,
                                seed=seed, settings=settings)
        return tangent.dh
    paths = solve_replicas(network, [inputs, pulsed_inputs(inputs, grid, step, eps)], grid,
                           initial, replicas=2, c0=1.0, xi=xi, seed=seed, settings=settings)
    chi = (paths.h[1] - paths.h[0]) / (eps * grid.dt)
    chi[: step + 1] = 0.0
    return chi


def _response_sample(i, ss, *, network, inputs, grid, initial, step, method, eps, settings):
    return {"chi": impulse_response(network, inputs, grid, initial, step=step, method=method, eps=eps, seed=ss,
                                    settings=settings)}


@dataclass(frozen=True)
class ResponseEnsemble(LabelledResult):
    """Linear responses chi(t_k, t_step) of many theory samples or networks (THEORY.md sections 3, 5).

    The theory's :func:`response_ensemble` and the simulator's
    :func:`simulate.response.response_ensemble` both return it.

    Attributes
    ----------
    times : (K+1,)
        Grid times t_k.
    chi : (n_samples, K+1)
        chi(t_k, t_step) per sample; zero for k <= step.
    step : int
        The pulse acts on the Euler step step -> step + 1.
    provenance : Provenance or None
    """

    times: np.ndarray
    chi: np.ndarray
    step: int
    provenance: Provenance | None = None

    dims = {"chi": ("sample", "time")}
    coords = {"time": "times"}

    @property
    def n_samples(self) -> int:
        return int(self.chi.shape[0])

    def at_lag(self, lag: int) -> np.ndarray:
        """chi(t_step + lag dt, t_step) of every sample."""
        k = self.step + count("lag", lag)
        if k >= self.times.size:
            raise ValueError(f"lag = {lag} reaches past T: at most {self.times.size - 1 - self.step}")
        return self.chi[:, k]


def response_ensemble(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    step: int = 0,
    n_samples: int,
    seed,
    method: str = "tangent",
    eps: float = 1e-6,
    workers: int = 1,
    settings: SolverSettings = SolverSettings(),
    store_dir=None,
    progress: bool = True,
) -> ResponseEnsemble:
    """chi(t_k, t_step) of ``n_samples`` theory samples (THEORY.md section 5).

    Sample i uses the i-th child of ``seed``; ``method`` and ``eps`` as in
    :func:`impulse_response`.
    """
    model_arguments(network, inputs, grid, initial, settings=settings)
    ensemble_arguments(n_samples, seed, workers, store_dir, progress)
    _response_arguments(network, grid, step, method, eps, "meanfield.response.response_ensemble")
    settings.check_for(network.phi.name)
    inputs.check_against(network)
    run = map_seeds(
        _response_sample, n_samples, seed, function="meanfield.response.response_ensemble",
        context=dict(network=network, inputs=inputs, grid=grid, initial=initial, step=step, method=method,
                     eps=float(eps), settings=settings),
        workers=workers, progress=progress, store_dir=store_dir, desc="response",
    )
    return ResponseEnsemble(times=grid.times, chi=run.stack("chi"), step=int(step), provenance=run.provenance)


def euler_population_kernel(zeta, g: float, J0: float, dt: float, n_steps: int) -> np.ndarray:
    """Discrete kernel kd_n = J0 sum_j binom(n, j) (1-dt)^(n-j) dt^j g^j zeta_j, n = 0..n_steps-1.

    The Euler-grid version of K(tau) of THEORY.md section 3 (see the module
    docstring). ``zeta`` has shape (..., k_max); terms j > k_max are dropped
    (tail bounded by J0 sum_{j > k_max} |zeta_j| g^j for every n).
    """
    zeta = np.asarray(zeta, dtype=float)
    if not 0 < dt < 1:
        raise ValueError(f"dt must lie in (0, 1), got {dt}")
    k_max = zeta.shape[-1]
    n = np.arange(n_steps)[:, None]
    j = np.arange(1, k_max + 1)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        logw = (gammaln(n + 1.0) - gammaln(j + 1.0) - gammaln(np.clip(n - j, 0, None) + 1.0)
                + (n - j) * math.log(1 - dt) + j * math.log(dt * g if g > 0 else 1e-300))
    W = np.where(j <= n, np.exp(logw), 0.0)                       # (n_steps, k_max)
    return J0 * zeta @ W.T


def linear_impulse_response(zeta, g: float, J0: float, dt: float, n_steps: int) -> np.ndarray:
    """Exact chi(lag) on the Euler grid for phi linear, lambda0 = 0, given zeta (THEORY.md section 3; module docstring).

    Returns an array of shape zeta.shape[:-1] + (n_steps + 1,): chi at lags
    0..n_steps steps after the pulse step (chi[0] = 0, chi[1] = 1).
    """
    kd = euler_population_kernel(zeta, g, J0, dt, n_steps)     # (..., n_steps)
    lead = kd.shape[:-1]
    a = 1.0 - dt
    y = np.zeros(lead + (n_steps + 1,))      # (m_j + I_j) / eps, j = lag
    chi = np.zeros(lead + (n_steps + 1,))
    y[..., 0] = 1.0
    for k in range(1, n_steps + 1):
        chi[..., k] = a * chi[..., k - 1] + y[..., k - 1]
        # m_k / eps = dt sum_{j<k} kd_{k-1-j} y_j
        y[..., k] = dt * np.einsum("...j,...j->...", kd[..., k - 1::-1][..., :k], y[..., :k])
    return chi
