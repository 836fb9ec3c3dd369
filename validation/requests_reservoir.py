"""Sweep-engine requests for reservoirs driven by a task input (THEORY.md section 9).

Thin adapters over :mod:`simulate.reservoir`, :mod:`simulate.zeta`,
:mod:`meanfield.lyapunov` and :mod:`meanfield.learning`, used by check (i) of
the report and by paper figure 9. Realisation i of a request is computed from
the i-th child of its root SeedSequence, as every request of
:func:`validation.sweep.run_sweep`.

The task input is a flip-flop input (``simulate.tasks.flip_flop``): u = +1
or -1 with probability p / 2 each per sample, else 0, from ``task_seed``;
the macro FTLE is measured on its first ``steps`` samples. Every realisation
of a request sees the same input sequence, so the spread of the exponent is
the spread over networks (and, on the theory side, over innovations).

Kinds
-----
ReservoirFTLETheoryRequest      macro FTLE of one theory sample under the task input (section 5)
ReservoirFTLESimulationRequest  macro FTLE of one reservoir realisation, and its zeta score (sections 3, 9)
ReservoirSelectionRequest       one realisation: macro FTLE, zeta score and flip-flop test accuracy from several
                                initial states
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from meanfield.arguments import count
from meanfield.model._checks import require_range
from simulate.reservoir import Reservoir

from .requests import Request


def flip_flop_input(steps: int, p: float, task_seed: int) -> np.ndarray:
    """The first ``steps`` samples of the flip-flop input of ``simulate.tasks.flip_flop`` (one channel)."""
    from simulate import tasks

    T = max(int(steps), 600)
    data = tasks.flip_flop(T=T, p=p, seed=task_seed, washout=1, test_start=T - 1)
    return np.asarray(data.inputs)[:steps, 0]


def zeta_order(N: int) -> int:
    """k_max = ceil(2 sqrt N): a finite network's zeta_k stay close to iid only for k of order sqrt N."""
    return int(math.ceil(2.0 * math.sqrt(N)))


def _zeta_score(rr) -> np.float64:
    """The zeta score of one reservoir realisation (``meanfield.learning.macro_stability_score``)."""
    from meanfield.learning import macro_stability_score
    from simulate.zeta import realisation_zeta

    net = rr.reservoir.network
    zeta = realisation_zeta(rr.realisation, zeta_order(net.N))
    return np.float64(macro_stability_score(zeta, net.g, net.J0, net.phi))


class _ReservoirTask(Request):
    """Shared checks and identity of the requests below (fields reservoir, steps, n, p, task_seed)."""

    def _check(self):
        count(f"{type(self).__name__}.n", self.n)
        count(f"{type(self).__name__}.steps", self.steps)
        require_range(type(self).__name__, "p", self.p, lo=0.0, hi=1.0, lo_open=True)
        if not isinstance(self.reservoir, Reservoir):
            raise ValueError(f"{type(self).__name__}.reservoir must be a simulate.Reservoir, got {self.reservoir!r}")
        if self.reservoir.n_inputs != 1:
            raise ValueError(f"{type(self).__name__} drives a one-channel reservoir (the flip-flop input); "
                             f"this one has n_inputs = {self.reservoir.n_inputs}")

    def params(self) -> dict:
        return {"reservoir": self.reservoir.to_dict(), "steps": int(self.steps), "p": float(self.p),
                "task_seed": int(self.task_seed)}

    def input(self) -> np.ndarray:
        return flip_flop_input(self.steps, self.p, self.task_seed)


@dataclass(frozen=True)
class ReservoirFTLETheoryRequest(_ReservoirTask):
    """n theory samples of the macro FTLE under the task input (``meanfield.lyapunov.macro_exponent``).

    The input reaches the theory as the network inputs of THEORY.md section 1
    (``ReservoirRealisation.network_inputs``); with a sparse input N enters
    through the sparse set, so N is part of the identity.
    """

    reservoir: Reservoir
    steps: int
    n: int
    p: float = 0.01
    task_seed: int = 1
    kind = "reservoir-ftle-theory"

    def __post_init__(self):
        self._check()

    def params(self) -> dict:
        from meanfield.settings import TANGENT_SETTINGS

        return {**super().params(), "settings": TANGENT_SETTINGS.to_dict()}

    def cost(self) -> float:
        K = self.steps * self.reservoir.substeps
        return 1.0e-6 * K**2 + 0.008     # one tangent solve

    def compute(self, seed: np.random.SeedSequence) -> dict:
        from meanfield.lyapunov import macro_exponent

        inputs, grid = self.reservoir.network_inputs(self.input())
        try:
            return {"macro": np.float64(macro_exponent(self.reservoir.network, inputs, grid, seed=seed))}
        except (ValueError, FloatingPointError) as exc:   # a negative pivot: a failed item, never cached
            return {"macro": np.float64(np.nan), "failed": np.int8(1), "error": np.array(str(exc))}


@dataclass(frozen=True)
class ReservoirFTLESimulationRequest(_ReservoirTask):
    """n reservoir realisations: macro FTLE under the task input and the zeta score of each.

    ``macro``: ``ReservoirRealisation.macro_ftle``; ``score``: the linearised
    population loop gain ``meanfield.learning.macro_stability_score`` of the
    realisation's own zeta_1..zeta_kmax (:func:`zeta_order`).
    """

    reservoir: Reservoir
    steps: int
    n: int
    p: float = 0.01
    task_seed: int = 1
    kind = "reservoir-ftle-simulation"

    def __post_init__(self):
        self._check()

    def cost(self) -> float:
        N = self.reservoir.network.N
        return 1.15e-9 * N**2 * self.steps * self.reservoir.substeps + 0.01

    def compute(self, seed: np.random.SeedSequence) -> dict:
        rr = self.reservoir.realise(seed)
        score = _zeta_score(rr)
        try:
            macro = np.float64(rr.macro_ftle(self.input()))
        except FloatingPointError as exc:
            return {"macro": np.float64(np.nan), "score": score, "failed": np.int8(1), "error": np.array(str(exc))}
        return {"macro": macro, "score": score}


@dataclass(frozen=True)
class ReservoirSelectionRequest(Request):
    """n realisations: macro FTLE under the flip-flop input and test accuracy from ``n_initial`` initial states.

    The flip-flop task of ``simulate.tasks.flip_flop`` (T samples, pulse
    probability p, the default train and test split); for every initial
    state a ridge readout (``simulate.RidgeReadout``, ridge ``ridge``) is
    fitted on the training steps and scored by sign accuracy on the test
    steps. The macro FTLE is measured on the first ``steps`` samples of the
    same input.
    """

    reservoir: Reservoir
    n: int
    steps: int = 400
    T: int = 12_000
    p: float = 0.01
    task_seed: int = 1
    n_initial: int = 10
    ridge: float = 1e-6
    kind = "reservoir-selection"

    def __post_init__(self):
        for name in ("n", "steps", "T", "n_initial"):
            count(f"ReservoirSelectionRequest.{name}", getattr(self, name))
        require_range("ReservoirSelectionRequest", "p", self.p, lo=0.0, hi=1.0, lo_open=True)
        require_range("ReservoirSelectionRequest", "ridge", self.ridge, lo=0.0)
        if not isinstance(self.reservoir, Reservoir) or self.reservoir.n_inputs != 1:
            raise ValueError("ReservoirSelectionRequest.reservoir must be a one-channel simulate.Reservoir")
        if self.steps > self.T:
            raise ValueError(f"ReservoirSelectionRequest.steps = {self.steps} exceeds the task length T = {self.T}")

    def params(self) -> dict:
        return {"reservoir": self.reservoir.to_dict(), "steps": int(self.steps), "T": int(self.T),
                "p": float(self.p), "task_seed": int(self.task_seed), "n_initial": int(self.n_initial),
                "ridge": float(self.ridge)}

    def cost(self) -> float:
        N = self.reservoir.network.N
        return 3.2e-10 * N**2 * self.reservoir.substeps * (2 * self.steps + self.T * self.n_initial / 4) + 0.05

    def compute(self, seed: np.random.SeedSequence) -> dict:
        from simulate import tasks
        from simulate.metrics import sign_accuracy
        from simulate.readouts import RidgeReadout

        data = tasks.flip_flop(T=self.T, p=self.p, seed=self.task_seed)
        u = np.asarray(data.inputs)[:, 0]
        y = np.asarray(data.targets)[:, 0]
        rr = self.reservoir.realise(seed)
        try:
            macro = np.float64(rr.macro_ftle(u[: self.steps]))
            F = rr.run(u, n_initial=self.n_initial).features()
        except FloatingPointError as exc:
            nan = np.full(self.n_initial, np.nan)
            return {"macro": np.float64(np.nan), "accuracy": nan, "score": _zeta_score(rr), "failed": np.int8(1),
                    "error": np.array(str(exc))}
        acc = np.array([sign_accuracy(RidgeReadout(ridge=self.ridge).fit(F[r, data.train], y[data.train])
                                      .predict(F[r, data.test]), y[data.test]) for r in range(F.shape[0])])
        return {"macro": macro, "accuracy": acc, "score": _zeta_score(rr)}


__all__ = ["ReservoirFTLETheoryRequest", "ReservoirFTLESimulationRequest", "ReservoirSelectionRequest",
           "flip_flop_input", "zeta_order"]
