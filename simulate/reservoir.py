"""Reservoirs: the network of THEORY.md section 1 driven by a task input u(t) in R^d (section 9).

A reservoir is one realisation of the balanced network whose input is

    I_i(t_k) = sum_q W_in[q, i] u_q(t_k)

held constant over ``substeps`` Euler steps of size dt per input sample. The
integration is the simulator's own (:func:`simulate.engine.integrate`, the
same kernels and engines as :func:`simulate.run`): every sample of u adds one
input pattern per channel to the drive of THEORY.md section 1 ("Inputs").

Input weights (``input_mode``):

* ``"dense"``: W_in[q] = input_scaling * p_q with p_q iid N(0, 1). Channel 0
  uses the realisation's own pattern p, so a one-channel dense reservoir is
  the network with the random-pattern input (b) of section 1 with
  sigma_in = input_scaling and profile s(t) = u(t); the theory of that input
  applies unchanged.
* ``"sparse"``: channel q drives round(kappa sqrt(N)) excitatory neurons with
  weight input_scaling (``SparseInput(kappa, A=input_scaling, offset=q |S|)``),
  disjoint sets for different channels: input (c) of section 1.

Correspondence with the usual leaky echo-state network. ReservoirPy's
``Reservoir`` iterates r[t+1] = (1 - lr) r[t] + lr f(W r[t] + W_in u[t+1])
on rates; the leaky RNN of the project's seed report 004 iterates
h(t) = (1 - a) h(t-1) + a (W_in x(t) + W f(h(t-1))) on currents, which is our
Euler step with dt = a (one substep). So the leak is dt per substep (with s
substeps an input sample lasts s dt time units), the recurrent matrix is
J = (g z + u v^T) / sqrt(N), whose random bulk has spectral radius g (the
balanced rank-one part adds the outliers of section 3), and the input
scaling is ``input_scaling``.

Features of input sample t are taken from the state after the substeps that
sample drives: phi(x) of every neuron, optionally the population state h and
a constant 1 (:meth:`ReservoirStates.features`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from meanfield.arguments import count, seed_record
from meanfield.model import Custom, InitialState, Inputs, Network, PatternInput, SparseInput, TimeGrid
from meanfield.model._checks import require_int, require_range

from .drive import Drive
from .engine import choose_engine, integrate
from .options import RunOptions, make_setup
from .realisation import Realisation, as_dtype, child_seed, realisation_seeds, realise
from .simulation import _non_finite_error

INPUT_MODES = ("dense", "sparse")


@dataclass(frozen=True)
class Reservoir:
    """Hyperparameters of a balanced reservoir (module docstring).

    Parameters
    ----------
    network : Network
        N, g, J0, lambda0, f and phi (THEORY.md section 1).
    n_inputs : int
        Input channels d.
    input_scaling : float
        Scale of the input weights (sigma_in of a dense input, A of a sparse one).
    input_mode : {"dense", "sparse"}
    kappa : float
        Sparse mode: each channel drives round(kappa sqrt(N)) neurons.
    substeps : int
        Euler steps per input sample.
    dt : float
        Euler step (the leak per step).
    include_h : bool
        Add the population state h to the features.
    bias : bool
        Add a constant 1 to the features.
    dtype : {"float32", "float64"}
        Type of the state and of z.
    engine : {"auto", "rows", "blas"}
        As in :class:`simulate.RunOptions`.
    """

    network: Network
    n_inputs: int = 1
    input_scaling: float = 1.0
    input_mode: str = "dense"
    kappa: float = 1.0
    substeps: int = 1
    dt: float = 0.1
    include_h: bool = False
    bias: bool = True
    dtype: str = "float32"
    engine: str = "auto"

    def __post_init__(self):
        if not isinstance(self.network, Network):
            raise ValueError(f"Reservoir.network must be a meanfield.Network, got {self.network!r}")
        require_int("Reservoir", "n_inputs", self.n_inputs, lo=1)
        require_range("Reservoir", "input_scaling", self.input_scaling, lo=0.0)
        if self.input_mode not in INPUT_MODES:
            raise ValueError(f"Reservoir.input_mode = {self.input_mode!r} must be one of {INPUT_MODES}")
        require_range("Reservoir", "kappa", self.kappa, lo=0.0, lo_open=True)
        require_int("Reservoir", "substeps", self.substeps, lo=1)
        require_range("Reservoir", "dt", self.dt, lo=0.0, hi=1.0, lo_open=True, hi_open=True,
                      why="dt >= 1 breaks the stability of the Euler leak (1 - dt)")
        for name in ("include_h", "bias"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"Reservoir.{name} must be True or False, got {getattr(self, name)!r}")
        try:
            as_dtype(self.dtype)
        except ValueError:
            raise ValueError(f"Reservoir.dtype = {self.dtype!r} must be 'float32' or 'float64'") from None
        choose_engine(self.engine, 1, self.network.phi.builtin)
        if self.input_mode == "sparse":
            size = SparseInput(kappa=self.kappa).size(self.network.N)
            if size * self.n_inputs > self.network.N_E:
                raise ValueError(
                    f"Reservoir: {self.n_inputs} sparse channels of round(kappa sqrt(N)) = {size} neurons "
                    f"do not fit in the N_E = {self.network.N_E} excitatory neurons; lower kappa or n_inputs"
                )

    @property
    def n_features(self) -> int:
        return self.network.N + int(self.include_h) + int(self.bias)

    def realise(self, seed=0) -> "ReservoirRealisation":
        """Draw one reservoir: the network's z and p (:func:`simulate.realise`) and the input weights.

        The input weights of channels q >= 1 (dense mode) come from children
        q of the realisation's pattern stream, so channel 0 is the network's
        own pattern p and adding channels leaves the others unchanged.
        """
        real = realise(self.network, seed, as_dtype(self.dtype))
        return ReservoirRealisation(reservoir=self, realisation=real, input_weights=self._input_weights(real))

    def _input_weights(self, real: Realisation) -> np.ndarray:
        N, d = self.network.N, self.n_inputs
        W = np.zeros((d, N))
        if self.input_mode == "dense":
            p_seed = realisation_seeds(real.seed)[1]
            W[0] = real.pattern
            for q in range(1, d):
                W[q] = np.random.default_rng(child_seed(p_seed, q)).standard_normal(N)
        else:
            size = SparseInput(kappa=self.kappa).size(N)
            for q in range(d):
                W[q, SparseInput(kappa=self.kappa, offset=q * size).indices(self.network)] = 1.0
        return self.input_scaling * W

    def network_inputs(self, u) -> tuple[Inputs, TimeGrid]:
        """The same drive as the network inputs of THEORY.md section 1, for the theory and the simulator.

        A one-channel reservoir driven by ``u`` (T,) is the network with input
        (b) (dense: sigma_in = input_scaling, its pattern p) or input (c)
        (sparse: ``SparseInput(kappa, A=input_scaling)``) whose profile holds
        u over each sample's substeps, on the grid of T samples returned here.
        """
        if self.n_inputs != 1:
            raise ValueError(f"network_inputs needs a one-channel reservoir, this one has n_inputs = "
                             f"{self.n_inputs}")
        U = _input_sequences(u, 1)
        if U.shape[0] != 1:
            raise ValueError("network_inputs takes one input sequence, shape (T,) or (T, 1)")
        seq = U[0, :, 0]
        grid = TimeGrid(dt=self.dt, T=seq.size * self.substeps * self.dt, stride=self.substeps)
        profile = _held_profile(seq, self.substeps * self.dt)
        if self.input_mode == "dense":
            return Inputs(pattern=PatternInput(sigma_in=self.input_scaling, profile=profile)), grid
        return Inputs(sparse=SparseInput(kappa=self.kappa, A=self.input_scaling, profile=profile)), grid

    def to_dict(self) -> dict:
        return {"network": self.network.to_dict(), "n_inputs": self.n_inputs,
                "input_scaling": float(self.input_scaling), "input_mode": self.input_mode,
                "kappa": float(self.kappa), "substeps": self.substeps, "dt": float(self.dt),
                "include_h": self.include_h, "bias": self.bias, "dtype": self.dtype, "engine": self.engine}


@dataclass(frozen=True)
class ReservoirStates:
    """States of R trajectories of one reservoir, one per input sample.

    Attributes
    ----------
    x : (R, T, N) array
        The state after the substeps of input sample t (in the reservoir's dtype).
    h : (R, T) array
        The population state at the same times.
    reservoir : Reservoir
    seed : dict
        Seed record of the realisation.
    """

    x: np.ndarray
    h: np.ndarray
    reservoir: Reservoir
    seed: dict = field(repr=False)

    def features(self, washout: int = 0) -> np.ndarray:
        """Features (R, T - washout, F): phi(x), then h and a constant 1 if the reservoir asks for them.

        Computed in float64 whatever the state's dtype.
        """
        washout = count("washout", washout, lo=0)
        if washout >= self.x.shape[1]:
            raise ValueError(f"washout = {washout} leaves no sample of the {self.x.shape[1]} inputs")
        res = self.reservoir
        x = np.asarray(self.x[:, washout:], dtype=np.float64)
        parts = [np.asarray(res.network.phi.func(x), dtype=np.float64)]
        if res.include_h:
            parts.append(self.h[:, washout:, None].astype(np.float64))
        if res.bias:
            parts.append(np.ones(x.shape[:2] + (1,)))
        return np.concatenate(parts, axis=2)


@dataclass(frozen=True, eq=False)
class ReservoirRealisation:
    """One drawn reservoir: the network realisation and its input weights (d, N)."""

    reservoir: Reservoir
    realisation: Realisation
    input_weights: np.ndarray

    def run(self, u, *, initial: InitialState = InitialState(), n_initial: int = 1,
            shared_initial: bool = True) -> ReservoirStates:
        """Drive the reservoir with input sequences and record the state after every input sample.

        Parameters
        ----------
        u : array, shape (T, d) or (R, T, d)
            One input sequence, or R sequences run side by side as replicas of
            the same network (batched; e.g. one per class example). A 1-D
            array is one sequence of a one-channel input.
        initial : InitialState
            x_i(0) = h0 + sigma0 u_i.
        n_initial : int
            With one sequence: run it from this many initial states
            (replica r uses the realisation's initial noise r).
        shared_initial : bool
            With several sequences: start every one from the same initial state
            (noise 0; True, the usual reset between sequences) or from the
            noise of its own replica index (False).

        Returns
        -------
        ReservoirStates

        Raises
        ------
        NonFiniteStateError
            If the state becomes NaN or infinite.
        """
        res = self.reservoir
        net = res.network
        U = _input_sequences(u, res.n_inputs)
        count("n_initial", n_initial)
        if not isinstance(initial, InitialState):
            raise ValueError(f"initial must be a meanfield.InitialState, got {initial!r}")
        if n_initial > 1:
            if U.shape[0] > 1:
                raise ValueError("give either several input sequences or n_initial > 1, not both")
            U = np.repeat(U, n_initial, axis=0)
        R, T, d = U.shape
        noise = [self.realisation.initial_noise(0 if (shared_initial and n_initial == 1) else r)
                 for r in range(R)]
        x0 = initial.h0 + initial.sigma0 * np.array(noise)
        s = res.substeps
        K = T * s
        grid = TimeGrid(dt=res.dt, T=K * res.dt, stride=s)
        b = np.repeat(np.transpose(U, (1, 0, 2)), s, axis=0)          # (K, R, d): u held over substeps
        zero = np.zeros((K, R))
        drive = Drive(uniform=zero, pattern=b, sparse=zero, mask=np.zeros((R, net.N)))
        dtype = as_dtype(res.dtype)
        engine = choose_engine(res.engine, R, net.phi.builtin, N=net.N, dtype=dtype)
        try:
            rec = integrate(self.realisation.couplings, x0, self.realisation.gain, net.mean_weights(),
                            self.input_weights, drive, res.dt, net.phi, stride=s, snap_every=s,
                            trace_idx=np.zeros(0, dtype=np.int64), engine=engine)
        except FloatingPointError as exc:
            setup = make_setup(net, Inputs(), grid, initial, RunOptions(dtype=dtype, replicas=1))
            err = _non_finite_error(exc, self.realisation, setup)
            if err is None:
                raise
            raise err from None
        h = rec.obs[1:, :, 0].T                                         # (R, T): after each sample
        x = rec.snaps[1:] + rec.obs[1:, :, 0][:, :, None]              # snapshots hold x - h
        return ReservoirStates(x=np.ascontiguousarray(np.transpose(x, (1, 0, 2)).astype(dtype)), h=h,
                               reservoir=res, seed=seed_record(self.realisation.seed))

    def network_inputs(self, u) -> tuple[Inputs, TimeGrid]:
        """The same drive as network inputs (:meth:`Reservoir.network_inputs`; it does not depend on z)."""
        return self.reservoir.network_inputs(u)

    def macro_ftle(self, u, *, window=None, initial: InitialState = InitialState()) -> float:
        """Macroscopic finite-time Lyapunov exponent of this reservoir under the input ``u``.

        The growth rate of a perturbation of the population state along the
        uniform direction (:func:`simulate.lyapunov.lyapunov_run`, its
        ``macro_exponent``) on ``window`` (times, default the whole run).
        """
        from .lyapunov import lyapunov_run

        inputs, grid = self.network_inputs(u)
        return lyapunov_run(self.realisation, inputs, grid, initial).macro_exponent(window)


class HeldInput:
    """s(t) = u[floor(t / sample_duration)]: an input sequence held over each sample's substeps.

    A module-level callable (not a closure), so that inputs built from it reach worker processes.
    """

    __name__ = "held_input"

    def __init__(self, u: np.ndarray, sample_duration: float):
        self.u = np.array(u, dtype=float)
        self.u.flags.writeable = False
        self.sample_duration = float(sample_duration)

    def __call__(self, t):
        # the small offset keeps t_k = k dt on the right side of a sample boundary despite rounding
        index = (np.asarray(t) / self.sample_duration + 1e-9).astype(np.int64)
        return self.u[np.minimum(index, self.u.size - 1)]


def _held_profile(u: np.ndarray, sample_duration: float) -> Custom:
    return Custom(HeldInput(u, sample_duration))


def _input_sequences(u, d: int) -> np.ndarray:
    try:
        U = np.asarray(u, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("u must be an array of input samples, shape (T, d) or (R, T, d)") from None
    if U.ndim == 1 and d == 1:
        U = U[:, None]
    if U.ndim == 2:
        U = U[None]
    if U.ndim != 3 or U.shape[2] != d or U.shape[1] == 0:
        raise ValueError(f"u must have shape (T, {d}) or (R, T, {d}) for a reservoir with n_inputs = {d}, "
                         f"got {np.shape(u)}")
    if not np.all(np.isfinite(U)):
        raise ValueError("u contains NaN or infinite values")
    return U


__all__ = ["Reservoir", "ReservoirRealisation", "ReservoirStates", "INPUT_MODES"]
