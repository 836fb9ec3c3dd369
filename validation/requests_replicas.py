"""Sweep-engine requests for the replica checks and figures: Lyapunov exponents and readouts (THEORY.md sections 5, 6).

Thin adapters over ``meanfield.lyapunov``, ``simulate.lyapunov``,
``meanfield.readout`` and ``simulate.run`` (imported inside :meth:`compute`,
so that a worker imports only what its task needs). Used by check (h) of the
report and by paper figures 7 and 8. Realisation i of a request is computed
from the i-th child of its root SeedSequence, as every request of
:func:`validation.sweep.run_sweep`; the ensemble functions called with
``n_samples=1`` then spawn their one child from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from meanfield.arguments import count

from .requests import Request


def _window(window):
    return None if window is None else [float(window[0]), float(window[1])]


@dataclass(frozen=True)
class LyapunovTheoryRequest(Request):
    """n theory samples of the micro, maximal and macro exponents (``meanfield.lyapunov.lyapunov_ensemble``)."""

    network: object
    grid: object
    n: int
    window: tuple = None
    kind = "lyapunov-theory"

    def __post_init__(self):
        count("LyapunovTheoryRequest.n", self.n)

    def params(self) -> dict:
        from meanfield.settings import TANGENT_SETTINGS

        # the tangent settings are part of the key: cached samples from other settings are not reused
        return {"network": self.network.to_dict(), "grid": self.grid.to_dict(), "window": _window(self.window),
                "method": "tangent", "settings": TANGENT_SETTINGS.to_dict()}

    def cost(self) -> float:
        return 2.5e-6 * self.grid.n_steps**2 + 0.04     # two tangent solves

    def compute(self, seed: np.random.SeedSequence) -> dict:
        from meanfield.lyapunov import lyapunov_ensemble
        from meanfield.model import Inputs

        try:
            r = lyapunov_ensemble(self.network, Inputs(), self.grid, n_samples=1, seed=seed, window=self.window)
            error = f"{r.failures} tangent solve(s) met a negative pivot" if r.failures else None
        except (ValueError, FloatingPointError) as exc:
            error = str(exc)
        if error is not None:
            nan = np.float64(np.nan)
            return {"micro": nan, "maximal": nan, "macro": nan, "h_T": nan, "failed": np.int8(1),
                    "error": np.array(error)}
        return {"micro": np.float64(r.micro[0]), "maximal": np.float64(r.maximal[0]), "macro": np.float64(r.macro[0]),
                "h_T": np.float64(r.h_T[0])}


@dataclass(frozen=True)
class LyapunovSimulationRequest(Request):
    """n networks: Benettin (maximal) and macro exponents (``simulate.lyapunov.lyapunov_ensemble``)."""

    network: object
    grid: object
    n: int
    window: tuple = None
    kind = "lyapunov-simulation"

    def __post_init__(self):
        count("LyapunovSimulationRequest.n", self.n)

    def params(self) -> dict:
        return {"network": self.network.to_dict(), "grid": self.grid.to_dict(), "window": _window(self.window)}

    def cost(self) -> float:
        return 3.0 * 2.5e-10 * self.network.N**2 * self.grid.n_steps + 0.01

    def compute(self, seed: np.random.SeedSequence) -> dict:
        from meanfield.model import Inputs
        from simulate.lyapunov import lyapunov_ensemble

        r = lyapunov_ensemble(self.network, Inputs(), self.grid, n_samples=1, seed=seed, window=self.window,
                              progress=False)
        out = {"max": np.float64(r.maximal[0]), "macro": np.float64(r.macro[0]), "h_T": np.float64(r.h_T[0])}
        if r.failures:  # the network's state became non-finite: a failed item, as on the theory side
            return {**out, "failed": np.int8(1), "error": np.array("the network's state became NaN or infinite")}
        return out


def readout_vector(N: int, f: float, mix: float, seed: int) -> np.ndarray:
    """The fixed readout w = mix * s + p, p iid N(0, 1) from SeedSequence(seed), independent of every z.

    ``s`` is the E/I vector of THEORY.md section 1 (s_j = sqrt(N_I/N_E) on E, -sqrt(N_E/N_I) on I),
    so q_vw = mix * J0 + O(1/sqrt N): the readout sees the population feedback m.
    """
    from meanfield.model import Network

    s = Network(N=N, g=0.5, J0=1.0, f=f).ei_signs()
    p = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(7,))).standard_normal(N)
    return mix * np.asarray(s, dtype=float) + p


@dataclass(frozen=True)
class DiscriminationTheoryRequest(Request):
    """n theory samples of two stimuli (+A, -A on the same sparse set) on one network (``meanfield.readout``).

    Stores h(T) under each stimulus and P(r(T) > theta | path) of the readout
    :func:`readout_vector` (eq. 6.1).
    """

    network: object
    sparse: object
    grid: object
    n: int
    mix: float = 0.5
    w_seed: int = 0
    theta: float = 0.0
    kind = "discrimination-theory"

    def __post_init__(self):
        count("DiscriminationTheoryRequest.n", self.n)

    def params(self) -> dict:
        sp = self.sparse
        return {"network": self.network.to_dict(), "grid": self.grid.to_dict(),
                "sparse": {"kappa": sp.kappa, "A": sp.A, "population": sp.population, "offset": sp.offset},
                "mix": float(self.mix), "w_seed": int(self.w_seed), "theta": float(self.theta)}

    def cost(self) -> float:
        return 5.0e-7 * self.grid.n_steps**2 + 0.007

    def compute(self, seed: np.random.SeedSequence) -> dict:
        from meanfield.readout import ReadoutWeights, discriminate, sign_stimuli

        net = self.network
        st = sign_stimuli(self.sparse)
        w = readout_vector(net.N, net.f, self.mix, self.w_seed)
        weights = tuple(ReadoutWeights.from_vector(net, w, s) for s in st)
        try:
            d = discriminate(net, st, self.grid, n_samples=1, seed=seed, weights=weights, theta=self.theta)
        except (ValueError, FloatingPointError) as exc:
            nan = np.full(2, np.nan)
            return {"h_T": nan, "p_exceed": nan, "failed": np.int8(1), "error": np.array(str(exc))}
        return {"h_T": d.h_T[0], "p_exceed": d.p_exceed[0]}


@dataclass(frozen=True)
class DiscriminationSimulationRequest(Request):
    """n networks given both stimuli (two replicas, same z and x(0)); h(T) and 1[r(T) > theta] for each.

    The experiment of ``simulate.readout.discriminate``, as one
    ``simulate.run`` with two replicas from the item's seed and the readout
    ``simulate.readout.readout_value`` of its final states (``discriminate``
    has no ``dtype``, and it would realise the network from a child of the
    seed, not from the seed itself as the cached items were).
    """

    network: object
    sparse: object
    grid: object
    n: int
    mix: float = 0.5
    w_seed: int = 0
    theta: float = 0.0
    dtype: str = "float64"
    kind = "discrimination-simulation"

    def __post_init__(self):
        count("DiscriminationSimulationRequest.n", self.n)

    params = DiscriminationTheoryRequest.params

    def cost(self) -> float:
        return 2 * 0.85e-10 * self.network.N**2 * self.grid.n_steps + 0.002

    def compute(self, seed: np.random.SeedSequence) -> dict:
        import simulate
        from meanfield.model import InitialState
        from meanfield.readout import sign_stimuli
        from simulate.readout import readout_value

        net = self.network
        w = readout_vector(net.N, net.f, self.mix, self.w_seed)
        try:
            res = simulate.run(net, list(sign_stimuli(self.sparse)), self.grid, InitialState(), seed=seed,
                               dtype=np.dtype(self.dtype), replicas=2, shared_initial_noise=True,
                               keep_final_state=True)
        except FloatingPointError as exc:  # a non-finite state: a failed item, as on the theory side
            nan = np.full(2, np.nan)
            return {"h_T": nan, "p_exceed": nan, "r_T": nan, "failed": np.int8(1), "error": np.array(str(exc))}
        r_T = readout_value(net, res.final_state, w)
        return {"h_T": res.h[:, -1].copy(), "p_exceed": (r_T > self.theta).astype(float), "r_T": r_T}


__all__ = ["LyapunovTheoryRequest", "LyapunovSimulationRequest", "DiscriminationTheoryRequest",
           "DiscriminationSimulationRequest", "readout_vector"]
