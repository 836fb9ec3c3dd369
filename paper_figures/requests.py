"""Ensemble requests that the figures need beyond those of :mod:`validation.requests`.

They follow the protocol of the validation sweep engine (``key``, ``params``,
``n``, ``cost``, ``compute``, ``with_n``), so :func:`validation.sweep.run_sweep`
computes, caches and resumes them exactly like the validation ensembles.

Kinds
-----
TraceRequest         a finite-N network like SimulationRequest, that also records
                     x_i(t) of ``n_trace`` neurons spread over E and I
SpectrumRequest      all eigenvalues of one realised J (not only its outliers)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from meanfield.arguments import count
from validation.requests import Request, SimulationRequest


def trace_indices(N: int, n_trace: int) -> np.ndarray:
    """``n_trace`` neuron indices evenly spread over 0..N-1 (so E and I in proportion f)."""
    if n_trace < 1 or n_trace > N:
        raise ValueError(f"n_trace must lie in [1, N] = [1, {N}], got {n_trace}")
    return np.unique(np.linspace(0, N - 1, n_trace).round().astype(np.int64))


@dataclass(frozen=True)
class TraceRequest(SimulationRequest):
    """n networks as in :class:`validation.requests.SimulationRequest`, plus x_i(t) of ``n_trace`` neurons.

    Realisation i uses the i-th child seed of the request's root, like every
    request of the sweep engine (``simulate.sample`` reproduces it).
    """

    n_trace: int = 64
    kind = "simulation-trace"

    def __post_init__(self):
        super().__post_init__()
        trace_indices(self.network.N, self.n_trace)

    def params(self) -> dict:
        return {**super().params(), "n_trace": int(self.n_trace)}

    def compute(self, seed: np.random.SeedSequence) -> dict:
        import simulate

        idx = trace_indices(self.network.N, self.n_trace)
        res = simulate.run(self.network, self.inputs, self.grid, self.initial, seed=seed,
                           dtype=np.dtype(self.dtype), trace_neurons=idx)
        return {"h": res.h, "m": res.m, "M": res.M, "delta_tt": res.delta_tt,
                "traces": np.asarray(res.traces, dtype=np.float32), "trace_neurons": idx}


@dataclass(frozen=True)
class SpectrumRequest(Request):
    """All eigenvalues of n realised coupling matrices J (``simulate.spectrum.coupling_eigenvalues``).

    Realisation i has the z of the i-th network of the same root seed.
    """

    network: object
    n: int
    kind = "spectrum"

    def __post_init__(self):
        count("SpectrumRequest.n", self.n)

    def params(self) -> dict:
        return {"network": self.network.to_dict()}

    def cost(self) -> float:
        return 5.5e-10 * self.network.N**3 + 0.01

    def compute(self, seed: np.random.SeedSequence) -> dict:
        from simulate.spectrum import coupling_eigenvalues

        return {"eigenvalues": np.asarray(coupling_eigenvalues(self.network, seed=seed), dtype=complex)}


__all__ = ["TraceRequest", "SpectrumRequest", "trace_indices"]
