"""Ensembles over the innovations: the theory's probabilities of network behaviour (THEORY.md sections 4, 7).

Each theory sample is one network of the N -> infinity ensemble: its
innovations xi are drawn from the sample's own SeedSequence child, so sample i
is the same whatever the number of workers or samples.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .model import (
    STATES, InitialState, Inputs, Network, State, StateCriteria, TimeGrid, classify_state,
)
from .population import solve
from .runner import ResultStore, run_ensemble, seed_record, spawn_seeds
from .settings import SolverSettings
from .stats import Proportion, event_proportion

_STATE_CODES = {s: i for i, s in enumerate(STATES)}


def _theory_sample(i, ss, *, network, inputs, grid, initial, settings, criteria):
    path = solve(network, inputs, grid, initial, seed=ss, settings=settings)
    rec = path.recorded()
    code = -1  # not classified
    if criteria is not None:
        code = _STATE_CODES[classify_state(rec["h"], rec["delta_tt"], grid.dt * grid.stride, criteria)]
    return {**rec, "state": np.int64(code), "rank": np.int64(path.rank)}


@dataclass(frozen=True)
class TheoryEnsemble:
    """Recorded population paths of many theory samples, with their states (THEORY.md sections 4, 7).

    Arrays are (n_samples, n_recorded) at ``times``.
    """

    network: Network
    inputs: Inputs
    grid: TimeGrid
    initial: InitialState
    settings: SolverSettings
    criteria: StateCriteria | None
    times: np.ndarray
    h: np.ndarray
    m: np.ndarray
    M: np.ndarray
    delta_tt: np.ndarray
    states: tuple[State, ...]
    ranks: np.ndarray
    seeds: tuple[dict, ...]

    @property
    def n_samples(self) -> int:
        return self.h.shape[0]

    def state_probabilities(self, confidence: float = 0.95, method: str = "wilson") -> dict[str, Proportion]:
        """P(state) for every state of THEORY.md section 7, with binomial intervals."""
        if self.criteria is None:
            raise ValueError("this ensemble was sampled with criteria=None: its states were not classified")
        return {
            s.value: event_proportion([x is s for x in self.states], confidence, method)
            for s in STATES
        }

    def probability(self, events, confidence: float = 0.95, method: str = "wilson") -> Proportion:
        """P(event) from a boolean array over samples, e.g. ``np.abs(ens.h[:, -1]) > 0.5``."""
        events = np.asarray(events, dtype=bool)
        if events.shape != (self.n_samples,):
            raise ValueError(f"events must have shape ({self.n_samples},), got {events.shape}")
        return event_proportion(events, confidence, method)


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
    criteria: StateCriteria | None = StateCriteria(),
    store_dir=None,
    progress: bool = True,
) -> TheoryEnsemble:
    """Draw ``n_samples`` theory samples (THEORY.md section 4) and classify their states (section 7).

    Parameters
    ----------
    n_samples : int
        Number of innovation draws (>= 1).
    seed : int or SeedSequence
        Root seed; sample i uses the i-th spawned child.
    workers : int
        Processes; results are identical for any value.
    store_dir : path, optional
        Save each sample as it finishes and resume from what is there.
    criteria : StateCriteria or None
        State classifier thresholds (section 7); None skips the classification
        (for runs shorter than the classifier's window).
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    settings.check_for(network.phi.name)
    inputs.check_against(network)
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    seeds = spawn_seeds(root, int(n_samples))
    store = None
    if store_dir is not None:
        params = {
            "network": network.to_dict(), "inputs": inputs.to_dict(), "grid": grid.to_dict(),
            "initial": initial.to_dict(), "settings": settings.to_dict(),
            "criteria": None if criteria is None else criteria.to_dict(),
        }
        store = ResultStore(store_dir, params, seed_record(root), int(n_samples), kind="theory")
    task = functools.partial(
        _theory_sample, network=network, inputs=inputs, grid=grid, initial=initial,
        settings=settings, criteria=criteria,
    )
    results = run_ensemble(task, seeds, workers=workers, progress=progress, store=store, desc="theory samples")
    stack = lambda key: np.stack([r[key] for r in results])  # noqa: E731
    return TheoryEnsemble(
        network=network, inputs=inputs, grid=grid, initial=initial, settings=settings,
        criteria=criteria, times=results[0]["times"], h=stack("h"), m=stack("m"), M=stack("M"),
        delta_tt=stack("delta_tt"), states=tuple(STATES[int(r["state"])] for r in results if int(r["state"]) >= 0),
        ranks=stack("rank"), seeds=tuple(seed_record(s) for s in seeds),
    )
