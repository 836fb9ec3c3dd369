"""Ensembles over the innovations: the theory's probabilities of network behaviour (THEORY.md sections 4, 7).

Each theory sample is one network of the N -> infinity ensemble: its
innovations xi are drawn from the sample's own SeedSequence child, so sample i
is the same whatever the number of workers or samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arguments import ensemble_arguments, model_arguments
from .model import InitialState, Inputs, Network, StateCriteria, TimeGrid
from .population import solve
from .results import PathEnsemble, Provenance
from .runner import FailedSampleWarning, map_seeds, warn_failed  # noqa: F401 (re-exported)
from .settings import SolverSettings


def _theory_sample(i, ss, *, network, inputs, grid, initial, settings):
    try:
        path = solve(network, inputs, grid, initial, seed=ss, settings=settings)
    except FloatingPointError as exc:
        # a negative pivot or a Cauchy-Schwarz violation beyond the quadrature error: the same seed
        # fails the same way, so the failure is stored and resumed like any other item
        nan = np.full(grid.record_steps.size, np.nan)
        return {"times": grid.record_times, "h": nan, "m": nan, "M": nan, "delta_tt": nan,
                "rank": np.int64(-1), "failed": np.int8(1), "error": np.array(f"{type(exc).__name__}: {exc}")}
    return {**path.recorded(), "rank": np.int64(path.rank), "failed": np.int8(0)}


@dataclass(frozen=True)
class TheoryEnsemble(PathEnsemble):
    """Recorded population paths of many theory samples (THEORY.md sections 4, 7).

    Arrays are (n_samples, n_recorded) at ``times``; the states of section 7
    are classified on demand (:meth:`states`, :meth:`state_probabilities`)
    with ``criteria`` as the default thresholds. ``failed`` marks the samples
    whose solve failed (their arrays are NaN, their rank -1); None in
    ensembles saved before failures were recorded.
    """

    network: Network
    inputs: Inputs
    grid: TimeGrid
    initial: InitialState
    settings: SolverSettings
    criteria: StateCriteria
    times: np.ndarray
    h: np.ndarray
    m: np.ndarray
    M: np.ndarray
    delta_tt: np.ndarray
    ranks: np.ndarray
    provenance: Provenance | None = None
    failed: np.ndarray | None = None

    dims = ({name: ("sample", "time") for name in ("h", "m", "M", "delta_tt")}
            | {"ranks": ("sample",), "failed": ("sample",)})
    coords = {"time": "times"}


def sample(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    n_samples: int,
    seed,
    workers: int = 1,
    settings: SolverSettings = SolverSettings(),
    criteria: StateCriteria = StateCriteria(),
    store_dir=None,
    progress: bool = True,
) -> TheoryEnsemble:
    """Draw ``n_samples`` theory samples (THEORY.md section 4) for state probabilities (section 7).

    Parameters
    ----------
    network, inputs, grid, initial
        The model.
    n_samples : int
        Number of innovation draws (>= 1).
    seed : int or SeedSequence
        Root seed; sample i uses the i-th spawned child.
    workers : int
        Processes; results are identical for any value.
    settings : SolverSettings
        Quadrature order and pivot tolerance.
    criteria : StateCriteria
        Default thresholds of the state classifier (section 7).
    store_dir : path, optional
        Save each sample as it finishes and resume from what is there.
    progress : bool
        Show a progress bar.

    Returns
    -------
    TheoryEnsemble
        A sample whose solve fails (a negative pivot: quadrature error beyond
        the pivot tolerance) does not stop the ensemble; it is marked in
        ``failed`` and named in a :class:`FailedSampleWarning`.

    Raises
    ------
    ValueError
        Naming the argument, before any sample is computed: a model object
        of the wrong type, a bad n_samples, seed, workers or progress, a
        store_dir that is a file or cannot be written, settings unsafe for
        phi, or inputs that do not fit the network.
    """
    model_arguments(network, inputs, grid, initial, settings=settings, criteria=criteria)
    ensemble_arguments(n_samples, seed, workers, store_dir, progress)
    settings.check_for(network.phi.name)
    inputs.check_against(network)
    run = map_seeds(
        _theory_sample, n_samples, seed, function="meanfield.sample",
        context=dict(network=network, inputs=inputs, grid=grid, initial=initial, settings=settings),
        workers=workers, progress=progress, store_dir=store_dir, desc="theory samples",
    )
    warn_failed("meanfield.sample", "sample", run.items)
    return TheoryEnsemble(
        network=network, inputs=inputs, grid=grid, initial=initial, settings=settings, criteria=criteria,
        times=run.items[0]["times"], h=run.stack("h"), m=run.stack("m"), M=run.stack("M"),
        delta_tt=run.stack("delta_tt"), ranks=run.stack("rank"), provenance=run.provenance,
        failed=np.array([bool(it.get("failed", 0)) for it in run.items]),
    )
