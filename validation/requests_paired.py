"""Paired requests: one simulated network and the theory evaluated on that network's own population path.

:class:`PairedRequest` item i is the network ``simulate.run`` draws from the
i-th child seed, recorded at every neuron and every step, together with what
THEORY.md section 4 predicts for it given its own h(t)
(:func:`meanfield.conditional.conditional_moments`, eqs. 4.1 and 4.5) and the
innovations of its population feedback (:mod:`validation.paired`). No theory
sample is drawn: the prediction has no randomness left once h is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from meanfield.arguments import count
from meanfield.model import InitialState, Inputs, Network, TimeGrid

from .requests import Request

#: Row-relative pivot tolerance of the whitening (THEORY.md section 4, default quadrature).
PIVOT_TOL = 1e-3


def _padded(x: np.ndarray, n: int) -> np.ndarray:
    """x in the first entries of a length-n NaN array (items of one ensemble share their shapes)."""
    out = np.full(n, np.nan)
    out[: x.size] = x
    return out


@dataclass(frozen=True)
class PairedRequest(Request):
    """n networks, each with the theory's conditional moments and innovations given its own h.

    Each item holds

    * ``sup_delta``, ``sup_chat``: max over (t, s) of |F_emp - F_th| / sqrt(F_th(t,t) F_th(s,s))
      for F = Delta and Chat (:func:`validation.paired.relative_error`);
    * ``diag_delta``: the same on the diagonal t = s only;
    * ``xi``, ``h_pivot``: the innovations of r = m - lambda0 M - D whitened with the causal
      factor of J0^2 Chat of the network's own empirical Chat (pivot tolerance
      :data:`PIVOT_TOL`), and h at their pivot times;
    * ``xi_control``: the same for the permutation control (J0 / sqrt N) sum_j s'_j (a_j - M),
      s' a uniformly random permutation of s (:func:`validation.paired.permuted_feedback`),
      whose innovations have variance N / (N - 1) exactly;

    the innovation arrays padded with NaN to the K + 1 recorded steps.
    """

    network: Network
    inputs: Inputs
    grid: TimeGrid
    n: int
    initial: InitialState = field(default_factory=InitialState)
    kind = "paired"

    def __post_init__(self):
        count("PairedRequest.n", self.n)
        self.inputs.check_against(self.network)
        if self.network.J0 <= 0:
            raise ValueError(f"the paired whitening needs J0 > 0 (the feedback it inverts), got {self.network.J0}")

    def params(self) -> dict:
        return {"network": self.network.to_dict(), "inputs": self.inputs.to_dict(), "grid": self.grid.to_dict(),
                "initial": self.initial.to_dict(), "pivot_tol": PIVOT_TOL}

    def cost(self) -> float:
        """Seconds per item (one core): the float64 run, the N K^2 moments and the conditional sweep."""
        N, K = self.network.N, self.grid.n_steps
        return 6.0e-10 * N**2 * K + 2.0e-9 * N * K**2 + 1.0e-6 * K**2 + 0.05

    def compute(self, seed: np.random.SeedSequence) -> dict:
        import simulate
        from meanfield.conditional import conditional_moments

        from . import paired

        net, K1 = self.network, self.grid.n_steps + 1
        try:
            res = simulate.run(net, self.inputs, self.grid, self.initial, seed=seed,
                               trace_neurons=np.arange(net.N), dtype=np.float64)
        except FloatingPointError as exc:
            nan = np.full(K1, np.nan)
            return {"sup_delta": np.nan, "sup_chat": np.nan, "diag_delta": np.nan, "xi": nan, "h_pivot": nan,
                    "xi_control": nan, "failed": np.int8(1), "error": np.array(str(exc))}
        emp = paired.network_moments(res.traces, net)
        th = conditional_moments(net, emp.h, self.inputs, self.grid, self.initial)
        e_delta = paired.relative_error(emp.delta, th.delta)
        e_chat = paired.relative_error(emp.chat, th.chat)
        scale = net.J0**2 * np.diag(emp.C)
        own = paired.whiten(paired.feedback_residual(emp.m, emp.M, th.D, net), emp.chat, net.J0, PIVOT_TOL, scale)
        # the control's permutation is drawn from a child of the item's seed, after the network's own draws
        rng = np.random.default_rng(np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, 3)))
        control = paired.whiten(paired.permuted_feedback(res.traces, net, rng), emp.chat, net.J0, PIVOT_TOL, scale)
        return {"sup_delta": np.float64(e_delta.sup), "sup_chat": np.float64(e_chat.sup),
                "diag_delta": np.float64(e_delta.diagonal.max()),
                "xi": _padded(own.xi, K1), "h_pivot": _padded(emp.h[own.pivot_steps], K1),
                "xi_control": _padded(control.xi, K1)}
