"""Results of simulations: named arrays of the observables of THEORY.md section 1.

Shapes: with one replica the replica axis is dropped (h has shape
(n_rec,)); with R replicas it comes first (h has shape (R, n_rec)). An
ensemble adds a leading realisation axis.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from meanfield.model import State, StateCriteria, TimeGrid, classify_state, state_counts
from meanfield.results import LabelledResult, PathEnsemble, Provenance

# Arrays written by to_arrays(), in this order; optional ones may be absent.
ARRAY_FIELDS = (
    "times", "h", "m", "M", "delta_tt",
    "delta_times", "delta_ts", "trace_neurons", "traces", "final_state",
)


def _dims_with_replicas(replicas: int, lead: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Dimension names of the recorded arrays: a replica axis only when R > 1 (module docstring)."""
    r = ("replica",) if replicas > 1 else ()
    per_time = lead + r + ("time",)
    return {
        "h": per_time, "m": per_time, "M": per_time, "delta_tt": per_time,
        "delta_ts": lead + r + ("delta_time", "delta_time2"),
        "traces": lead + r + ("time", "traced"),
        "final_state": lead + r + ("neuron",),
    }


_COORDS = {"time": "times", "delta_time": "delta_times", "delta_time2": "delta_times",
           "traced": "trace_neurons"}


@dataclass(frozen=True, eq=False)
class _Recorded(LabelledResult):
    """The recorded observables shared by one realisation and an ensemble (fields below)."""

    grid: TimeGrid
    replicas: int
    times: np.ndarray
    h: np.ndarray
    m: np.ndarray
    M: np.ndarray
    delta_tt: np.ndarray
    delta_times: np.ndarray | None = None
    delta_ts: np.ndarray | None = None
    trace_neurons: np.ndarray | None = None
    traces: np.ndarray | None = None
    final_state: np.ndarray | None = None
    provenance: Provenance | None = None

    coords = _COORDS

    @property
    def dt_record(self) -> float:
        return self.grid.dt * self.grid.stride

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The arrays (only those recorded), ready for ``numpy.savez``."""
        return {k: np.asarray(getattr(self, k)) for k in ARRAY_FIELDS if getattr(self, k) is not None}


@dataclass(frozen=True, eq=False)
class SimulationResult(_Recorded):
    """One realisation, R replicas (THEORY.md section 1 "Observables").

    Attributes
    ----------
    grid : TimeGrid
        The Euler grid; observables are at ``grid.record_times``.
    replicas : int
        R.
    times : (n_rec,)
        Recorded times t_k (every ``grid.stride`` steps, 0 and T included).
    h : ([R,] n_rec)
        Population state h(t) = (1/N) sum_i x_i(t).
    m : ([R,] n_rec)
        Population feedback m(t) = (1/sqrt N) sum_j v_j phi(x_j(t)).
    M : ([R,] n_rec)
        Mean rate M(t) = (1/N) sum_i phi(x_i(t)).
    delta_tt : ([R,] n_rec)
        Microscopic variance Delta(t,t) = (1/N) sum_i (x_i - h)^2.
    delta_times : (n_snap,) or None
        Times of the coarse Delta(t,s) grid (``delta_every`` steps apart).
    delta_ts : ([R,] n_snap, n_snap) or None
        Delta(t,s) = (1/N) sum_i (x_i(t) - h(t)) (x_i(s) - h(s)).
    trace_neurons : (n_trace,) or None
        Indices of the traced neurons.
    traces : ([R,] n_rec, n_trace) or None
        x_i(t) of the traced neurons.
    final_state : ([R,] N) or None
        x(T) in the simulation dtype.
    provenance : Provenance or None
        The call, parameters and seed that produced the result.
    """

    def array_dims(self) -> dict[str, tuple[str, ...]]:
        return _dims_with_replicas(self.replicas, ())

    def states(self, criteria: StateCriteria = StateCriteria()) -> list[State]:
        """The state of every replica (THEORY.md section 7, shared classifier)."""
        h = np.atleast_2d(self.h)
        d = np.atleast_2d(self.delta_tt)
        return [classify_state(h[r], d[r], self.dt_record, criteria) for r in range(h.shape[0])]

    def state(self, criteria: StateCriteria = StateCriteria()) -> State:
        """The state of the single replica (THEORY.md section 7).

        Raises
        ------
        ValueError
            With several replicas (use :meth:`states`).
        """
        if self.replicas != 1:
            raise ValueError(f"this result has {self.replicas} replicas; use .states()")
        return self.states(criteria)[0]


@dataclass(frozen=True, eq=False)
class SimulationEnsemble(PathEnsemble, _Recorded):
    """Independent realisations stacked along a leading ``sample`` axis of length n_samples.

    The attributes are those of :class:`SimulationResult` with that extra
    axis (``times``, ``delta_times`` and ``trace_neurons`` are shared), the
    default thresholds ``criteria`` of the state classifier (THEORY.md
    section 7), and ``failed``: a (n_samples,) bool array, True for the
    realisations whose state became NaN or infinite (their arrays are NaN;
    :func:`simulate.sample` warns naming them). None in ensembles saved
    before failures were recorded.
    """

    criteria: StateCriteria = StateCriteria()
    failed: np.ndarray | None = None

    def array_dims(self) -> dict[str, tuple[str, ...]]:
        return {**_dims_with_replicas(self.replicas, ("sample",)), "failed": ("sample",)}

    def realisation(self, i: int) -> SimulationResult:
        """Realisation i as a :class:`SimulationResult`."""
        shared = ("times", "delta_times", "trace_neurons")
        kw = {}
        for f in fields(_Recorded):
            if f.name in ("grid", "replicas", "provenance"):
                continue
            value = getattr(self, f.name)
            kw[f.name] = value if (value is None or f.name in shared) else value[i]
        return SimulationResult(grid=self.grid, replicas=self.replicas, **kw)

    def state_counts(self, criteria: StateCriteria | None = None) -> dict[str, int]:
        """Number of trajectories (realisations x replicas) in each state."""
        flat = []
        for s in self.states(criteria):
            flat.extend(s if isinstance(s, list) else [s])
        return state_counts(flat)


def stack_results(grid: TimeGrid, replicas: int, items: list[dict], *,
                  criteria: StateCriteria = StateCriteria(), provenance=None) -> SimulationEnsemble:
    """Stack the ``to_arrays()`` dictionaries of n realisations.

    A failed realisation's item holds NaN arrays and ``failed = 1``
    (:func:`simulate.sample`); items without the key did not fail.
    """
    shared = ("times", "delta_times", "trace_neurons")
    kw = {}
    for name in ARRAY_FIELDS:
        if name not in items[0]:
            continue
        kw[name] = items[0][name] if name in shared else np.stack([it[name] for it in items])
    failed = np.array([bool(it.get("failed", 0)) for it in items])
    return SimulationEnsemble(grid=grid, replicas=replicas, criteria=criteria, failed=failed,
                              provenance=provenance, **kw)
