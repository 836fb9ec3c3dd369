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

Closed loop: :meth:`ReservoirRealisation.run_from` continues a run from a
full state, and :meth:`ReservoirRealisation.generate` feeds a fitted
readout's output back as the next input sample (free-running generation,
e.g. Mackey-Glass), one sample per call of the same integration.
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
    final : (R, N) array or None
        The integrator's own state after the last sample, from which a run
        continues exactly (:meth:`ReservoirRealisation.run_from`); ``x[:, -1]``
        is rebuilt from the recorded x - h and h and may differ from it by
        rounding.
    """

    x: np.ndarray
    h: np.ndarray
    reservoir: Reservoir
    seed: dict = field(repr=False)
    final: np.ndarray | None = field(default=None, repr=False)

    def features(self, washout: int = 0) -> np.ndarray:
        """Features (R, T - washout, F): phi(x), then h and a constant 1 if the reservoir asks for them.

        Computed in float64 whatever the state's dtype.
        """
        washout = count("washout", washout, lo=0)
        if washout >= self.x.shape[1]:
            raise ValueError(f"washout = {washout} leaves no sample of the {self.x.shape[1]} inputs")
        return _feature_array(self.reservoir, self.x[:, washout:], self.h[:, washout:])


def _feature_array(res: Reservoir, x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """[phi(x), h, 1] along a new last axis, in float64: states x (..., N), population states h (...)."""
    x = np.asarray(x, dtype=np.float64)
    parts = [np.asarray(res.network.phi.func(x), dtype=np.float64)]
    if res.include_h:
        parts.append(np.asarray(h, dtype=np.float64)[..., None])
    if res.bias:
        parts.append(np.ones(x.shape[:-1] + (1,)))
    return np.concatenate(parts, axis=-1)


@dataclass(frozen=True, eq=False)
class ClosedLoop:
    """Outcome of :meth:`ReservoirRealisation.generate`, R trajectories of ``horizon`` free-running samples.

    Attributes
    ----------
    outputs : (R, horizon, d) array
        The readout's output on the features of each free-running sample.
    inputs : (R, horizon, d) array
        The input fed at each free-running sample: ``inputs[:, 0]`` is the
        readout's output on the last warm-up sample, ``inputs[:, k] =
        outputs[:, k - 1]`` for k >= 1.
    states : ReservoirStates
        The states after each free-running sample (``states.final``: after the last).
    warmup : ReservoirStates
        The teacher-forced warm-up run.
    """

    outputs: np.ndarray
    inputs: np.ndarray
    states: ReservoirStates
    warmup: ReservoirStates = field(repr=False)


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
        U = _input_sequences(u, res.n_inputs)
        count("n_initial", n_initial)
        if not isinstance(initial, InitialState):
            raise ValueError(f"initial must be a meanfield.InitialState, got {initial!r}")
        if n_initial > 1:
            if U.shape[0] > 1:
                raise ValueError("give either several input sequences or n_initial > 1, not both")
            U = np.repeat(U, n_initial, axis=0)
        R = U.shape[0]
        noise = [self.realisation.initial_noise(0 if (shared_initial and n_initial == 1) else r)
                 for r in range(R)]
        x0 = initial.h0 + initial.sigma0 * np.array(noise)
        return self._integrate(x0, U, initial)

    def run_from(self, x, u) -> ReservoirStates:
        """Continue a run from the full state ``x`` with the input samples ``u``.

        The same integration as :meth:`run` (the forward Euler step of
        THEORY.md section 1, ``substeps`` steps per sample, one call of
        :func:`simulate.engine.integrate`): ``run_from(run(u[:a]).final, u[a:])``
        continues ``run(u)`` exactly.

        Parameters
        ----------
        x : array, shape (N,) or (R, N)
            State(s) to start from, e.g. ``ReservoirStates.final``; cast to the
            reservoir's dtype.
        u : array, shape (T, d) or (R, T, d)
            Input samples; one sequence is given to every state.

        Returns
        -------
        ReservoirStates
            The states after each sample of ``u``.
        """
        res = self.reservoir
        X0 = self._start_state(x)
        U = _input_sequences(u, res.n_inputs)
        if U.shape[0] == 1 and X0.shape[0] > 1:
            U = np.repeat(U, X0.shape[0], axis=0)
        if U.shape[0] != X0.shape[0]:
            raise ValueError(f"{U.shape[0]} input sequences for {X0.shape[0]} states; give one sequence or "
                             f"one per state")
        return self._integrate(X0, U, InitialState())

    def generate(self, readout, u_warm, horizon: int, *, initial: InitialState = InitialState(),
                 n_initial: int = 1, start: ReservoirStates | None = None) -> "ClosedLoop":
        """Closed-loop generation: feed the readout's output back as the next input sample.

        The network of THEORY.md section 1 as a reservoir (section 9), its
        input u(t) replaced by the readout's estimate of it. The reservoir is first driven by the warm-up inputs ``u_warm`` (from
        ``initial``, or continuing ``start``). Then, for k = 0 .. horizon - 1,
        the input of free-running sample k is the readout's output on the
        features of the preceding sample (for k = 0: the last warm-up
        sample), held over ``substeps`` Euler steps of the integration of
        :meth:`run` (one :func:`simulate.engine.integrate` call per sample); the
        outputs are the readout's outputs on the features of the free-running
        samples. For a one-step predictor (target of row t = input of row
        t + 1), output k estimates the input of warm-up row T_warm + k + 1.

        Parameters
        ----------
        readout : object with ``predict``, or a list of them
            Fitted on :meth:`ReservoirStates.features` of this reservoir (F =
            ``reservoir.n_features`` columns) with d = ``n_inputs`` outputs
            (a 1-D output when d = 1), e.g. :class:`simulate.readouts.RidgeReadout`.
            A list of R readouts runs R closed loops side by side as replicas
            (batched), loop r fed by readout r: from one warm-up trajectory
            (its state copied to each) or from R of them.
        u_warm : array (T_warm, d), or None
            Teacher-forced inputs before the loop closes; None (or zero rows)
            with ``start``: close the loop right after ``start``.
        horizon : int
            Free-running samples, at least 1.
        initial, n_initial :
            Initial state(s) of the warm-up, as in :meth:`run` (without ``start``).
        start : ReservoirStates, optional
            A run of this reservoir to continue (its ``final`` state and the
            features of its last sample).

        Returns
        -------
        ClosedLoop

        Raises
        ------
        ValueError
            Bad horizon, no warm-up, a readout whose input or output sizes do
            not fit the reservoir, or a non-finite readout output.
        NonFiniteStateError
            If the state becomes NaN or infinite.
        """
        res = self.reservoir
        horizon = count("horizon", horizon, lo=1)
        readouts = list(readout) if isinstance(readout, (list, tuple)) else [readout]
        if not readouts:
            raise ValueError("give a readout, or a non-empty list of readouts (one per trajectory)")
        F = res.n_features
        for ro in readouts:
            if not callable(getattr(ro, "predict", None)):
                raise ValueError(f"readout must have a predict method (a fitted readout), got {ro!r}")
            n_in = getattr(ro, "n_features_in_", F)
            if n_in != F:
                raise ValueError(f"the readout takes {n_in} features, this reservoir gives {F} "
                                 f"(N = {res.network.N}, include_h = {res.include_h}, bias = {res.bias})")
        n_warm = 0 if u_warm is None or np.size(u_warm) == 0 else _input_sequences(u_warm, res.n_inputs).shape[1]
        if start is not None:
            if not isinstance(start, ReservoirStates) or start.final is None:
                raise ValueError("start must be the ReservoirStates of a run of this reservoir (with .final)")
            if start.reservoir != res or start.seed != seed_record(self.realisation.seed):
                raise ValueError("start comes from another reservoir (other hyperparameters or realisation)")
            if n_initial != 1:
                raise ValueError("n_initial applies to a warm-up from an initial state, not with start")
            warm = self.run_from(start.final, u_warm) if n_warm else start
        else:
            if n_warm == 0:
                raise ValueError("give warm-up inputs u_warm (at least one sample) or a run to continue (start)")
            warm = self.run(u_warm, initial=initial, n_initial=n_initial)
        X, last, d = warm.final, warm.features()[:, -1], res.n_inputs
        if len(readouts) > 1:
            if X.shape[0] == 1:     # one warm-up shared by the trajectories of several readouts
                X, last = np.repeat(X, len(readouts), axis=0), np.repeat(last, len(readouts), axis=0)
            elif X.shape[0] != len(readouts):
                raise ValueError(f"{len(readouts)} readouts for {X.shape[0]} warm-up trajectories; give one "
                                 f"readout, one per trajectory, or several for one trajectory")
        R = X.shape[0]

        def feed(features, k):
            if len(readouts) == 1:
                return self._readout_input(readouts[0], features, d, k)
            return np.concatenate([self._readout_input(ro, features[r:r + 1], d, k)
                                   for r, ro in enumerate(readouts)])

        y = feed(last, 0)
        dtype = as_dtype(res.dtype)
        engine = choose_engine(res.engine, R, res.network.phi.builtin, N=res.network.N, dtype=dtype)
        xs, hs, inputs, outputs = [], [], [], []
        for k in range(horizon):
            inputs.append(y)
            # one sample held over the substeps, by the integration of run (_records), without its checks
            rec = self._records(X, np.broadcast_to(y, (res.substeps, R, d)), engine, InitialState())
            X, h = rec.final, rec.obs[1, :, 0]
            x = (rec.snaps[1] + h[:, None]).astype(dtype)                # as run records it: x - h, plus h
            xs.append(x)
            hs.append(h)
            y = feed(_feature_array(res, x, h), k + 1)
            outputs.append(y)
        states = ReservoirStates(x=np.ascontiguousarray(np.stack(xs, axis=1)), h=np.stack(hs, axis=1),
                                 reservoir=res, seed=warm.seed, final=X)
        return ClosedLoop(outputs=np.stack(outputs, axis=1), inputs=np.stack(inputs, axis=1), states=states,
                          warmup=warm)

    @staticmethod
    def _readout_input(readout, features: np.ndarray, d: int, k: int) -> np.ndarray:
        """The readout's output on features (R, F) as the next input sample (R, d), checked."""
        y = np.asarray(readout.predict(features), dtype=np.float64)
        if y.ndim == 1 and d == 1 and y.shape[0] == features.shape[0]:
            y = y[:, None]
        if y.shape != (features.shape[0], d):
            raise ValueError(f"the readout gives outputs of shape {y.shape[1:] if y.ndim > 1 else ()} per sample; "
                             f"closing the loop needs d = {d} outputs, one per input channel")
        if not np.all(np.isfinite(y)):
            raise ValueError(f"the readout's output at free-running step {k} is not finite")
        return y

    def _start_state(self, x) -> np.ndarray:
        N = self.reservoir.network.N
        try:
            # the reservoir's dtype, as the integrator would cast it; a state of that dtype passes unchanged
            X = np.asarray(x, dtype=as_dtype(self.reservoir.dtype))
        except (TypeError, ValueError):
            raise ValueError(f"x must be a state array of shape (N,) or (R, N) with N = {N}") from None
        if X.ndim == 1:
            X = X[None]
        if X.ndim != 2 or X.shape[1] != N or X.shape[0] == 0:
            raise ValueError(f"x must have shape (N,) or (R, N) with N = {N}, got {np.shape(x)}")
        if not np.all(np.isfinite(X)):
            raise ValueError("x contains NaN or infinite values")
        return X

    def _integrate(self, x0: np.ndarray, U: np.ndarray, initial: InitialState) -> ReservoirStates:
        """Integrate the input samples U (R, T, d) from the states x0 (R, N): the one path of run and run_from."""
        res = self.reservoir
        net = res.network
        R = U.shape[0]
        b = np.repeat(np.transpose(U, (1, 0, 2)), res.substeps, axis=0)   # (K, R, d): u held over substeps
        dtype = as_dtype(res.dtype)
        engine = choose_engine(res.engine, R, net.phi.builtin, N=net.N, dtype=dtype)
        rec = self._records(x0, b, engine, initial)
        h = rec.obs[1:, :, 0].T                                         # (R, T): after each sample
        x = rec.snaps[1:] + rec.obs[1:, :, 0][:, :, None]              # snapshots hold x - h
        return ReservoirStates(x=np.ascontiguousarray(np.transpose(x, (1, 0, 2)).astype(dtype)), h=h,
                               reservoir=res, seed=seed_record(self.realisation.seed), final=rec.final)

    def _records(self, x0: np.ndarray, b: np.ndarray, engine: str, initial: InitialState):
        """:func:`simulate.engine.integrate` of the input coefficients b (K, R, d), recorded after every sample."""
        res = self.reservoir
        net = res.network
        K, R = b.shape[:2]
        s = res.substeps
        zero = np.zeros((K, R))
        drive = Drive(uniform=zero, pattern=b, sparse=zero, mask=np.zeros((R, net.N)))
        try:
            return integrate(self.realisation.couplings, x0, self.realisation.gain, net.mean_weights(),
                             self.input_weights, drive, res.dt, net.phi, stride=s, snap_every=s,
                             trace_idx=np.zeros(0, dtype=np.int64), engine=engine)
        except FloatingPointError as exc:
            grid = TimeGrid(dt=res.dt, T=K * res.dt, stride=s)
            setup = make_setup(net, Inputs(), grid, initial, RunOptions(dtype=as_dtype(res.dtype), replicas=1))
            err = _non_finite_error(exc, self.realisation, setup)
            if err is None:
                raise
            raise err from None

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


__all__ = ["Reservoir", "ReservoirRealisation", "ReservoirStates", "ClosedLoop", "INPUT_MODES"]
