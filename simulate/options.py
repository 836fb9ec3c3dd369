"""What a simulation records and how it runs (validated once, shared by run and ensemble)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from meanfield.arguments import count, per_replica
from meanfield.model import InitialState, Inputs, Network, TimeGrid

from .couplings import CouplingLaw, GaussianCouplings, coupling_law
from .engine import ENGINES
from .realisation import as_dtype


def _positive_int(name: str, value, *, allow_none: bool = False):
    return None if value is None and allow_none else count(name, value)


@dataclass(frozen=True)
class RunOptions:
    """Options of :func:`simulate.run` and :func:`simulate.sample`.

    Parameters
    ----------
    dtype : numpy.float32 or numpy.float64
        Type of z and of the state x (observables are always float64).
    replicas : int
        Number R of trajectories on the same network (THEORY.md section 5).
    shared_initial_noise : bool
        If True all replicas start from the same microscopic noise u (replica
        0's), so that they differ only by h0, sigma0 or the inputs.
    delta_every : int or None
        Keep the centred state x - h every ``delta_every`` steps (t = 0
        included) and return Delta(t, s) on those times; at most the number
        of steps of the grid (checked by :func:`make_setup`).
    trace_neurons : tuple of int or None
        Neurons whose x_i(t) is recorded at the recorded times.
    keep_final_state : bool
        Return x(T).
    engine : {"auto", "rows", "blas"}
        See :mod:`simulate.engine`.
    couplings : CouplingLaw
        The law and storage of z (:mod:`simulate.couplings`; default
        iid N(0, 1) stored dense), or its ``to_dict()``.
    """

    dtype: object = np.float64
    replicas: int = 1
    shared_initial_noise: bool = False
    delta_every: int | None = None
    trace_neurons: tuple | None = None
    keep_final_state: bool = False
    engine: str = "auto"
    couplings: CouplingLaw = GaussianCouplings()

    def __post_init__(self):
        object.__setattr__(self, "couplings", coupling_law(self.couplings))
        object.__setattr__(self, "dtype", as_dtype(self.dtype))
        object.__setattr__(self, "replicas", _positive_int("replicas", self.replicas))
        object.__setattr__(
            self, "delta_every", _positive_int("delta_every", self.delta_every, allow_none=True)
        )
        if self.trace_neurons is not None:
            idx = np.asarray(self.trace_neurons)
            if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
                raise ValueError(
                    "trace_neurons must be a non-empty 1-D sequence of neuron indices, "
                    f"got {self.trace_neurons!r}"
                )
            object.__setattr__(self, "trace_neurons", tuple(int(i) for i in idx))
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {self.engine!r}")
        for name in ("shared_initial_noise", "keep_final_state"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")

    def trace_index(self, network: Network) -> np.ndarray:
        """Traced neurons as an int64 array, checked against N."""
        if self.trace_neurons is None:
            return np.zeros(0, dtype=np.int64)
        idx = np.asarray(self.trace_neurons, dtype=np.int64)
        if idx.min() < 0 or idx.max() >= network.N:
            raise ValueError(
                f"trace_neurons must lie in [0, N) = [0, {network.N}), got min {idx.min()}, "
                f"max {idx.max()}"
            )
        return idx

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["dtype"] = self.dtype.name
        d["trace_neurons"] = None if self.trace_neurons is None else list(self.trace_neurons)
        d["couplings"] = self.couplings.to_dict()
        return d


@dataclass(frozen=True)
class Setup:
    """A validated description of one simulation of a realisation."""

    network: Network
    inputs: tuple
    grid: TimeGrid
    initial: tuple
    options: RunOptions = field(default_factory=RunOptions)

    def to_dict(self) -> dict:
        """JSON-able parameters (for ResultStore manifests)."""
        return {
            "network": self.network.to_dict(),
            "inputs": [inp.to_dict() for inp in self.inputs],
            "grid": self.grid.to_dict(),
            "initial": [ini.to_dict() for ini in self.initial],
            "options": self.options.to_dict(),
        }


def make_setup(network, inputs, grid, initial, options: RunOptions) -> Setup:
    """Validate the model objects against each other and the options.

    Raises
    ------
    ValueError
        Naming the field: a network or grid of the wrong type, inputs that do
        not fit the network, traced neurons outside [0, N), or
        ``delta_every`` larger than the number of steps of the grid.
    """
    if not isinstance(network, Network):
        raise ValueError(f"network must be a meanfield.Network, got {network!r}")
    if not isinstance(grid, TimeGrid):
        raise ValueError(f"grid must be a meanfield.TimeGrid, got {grid!r}")
    R = options.replicas
    inputs = per_replica("inputs", inputs, Inputs, R)
    initial = per_replica("initial", initial, InitialState, R)
    for inp in inputs:
        inp.check_against(network)
    options.trace_index(network)
    if options.delta_every is not None and options.delta_every > grid.n_steps:
        # only t = 0 would be kept: a 1 x 1 Delta(t, s), not what was asked for
        raise ValueError(
            f"delta_every = {options.delta_every} is larger than the K = T/dt = {grid.n_steps} steps of "
            f"the grid (T = {grid.T:g}, dt = {grid.dt:g}); choose delta_every <= {grid.n_steps}"
        )
    return Setup(network=network, inputs=inputs, grid=grid, initial=initial, options=options)
