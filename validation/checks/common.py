"""Parameter points and ensemble requests shared by several checks.

The reference dynamics (checks c, d, e and the lambda0 = 0 point of g) are the
three parameter sets of THEORY.md section 4, run with tanh, dt = 0.1 and the
preset's final time (60 in the reference). Identical requests from different
checks are computed once by the sweep engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from meanfield.model import Inputs, Network, StateCriteria, TimeGrid, classify_states

from ..requests import SimulationRequest, TheoryRequest

DT = 0.1
#: (g, J0) of THEORY.md section 4 with the published P(|h(T)| > 0.5) (theory; simulation N = 1000 / 2000)
REFERENCE_SETS = ((0.8, 2.0), (1.5, 1.0), (1.5, 3.0))
PUBLISHED = {
    (0.8, 2.0): {"theory": 0.19, "N=1000": 0.195, "N=2000": 0.195},
    (1.5, 1.0): {"theory": 0.34, "N=1000": 0.34, "N=2000": 0.30},
    (1.5, 3.0): {"theory": 0.66, "N=1000": 0.63, "N=2000": 0.67},
}
H_THRESHOLD = 0.5  # the event |h(T)| > 0.5 of THEORY.md section 4
CRITERIA = StateCriteria()  # the shared classifier of section 7, default thresholds


def for_preset(table: dict, preset, what: str):
    """The entry of a check's per-preset ``table`` (parameter points, sizes) for this preset.

    A check owns its parameter points; a larger preset runs more of them.
    Presets are looked up by name (``smoke``, ``quick``, ``full``).
    """
    try:
        return table[preset.name]
    except KeyError:
        raise ValueError(f"{what} has no entry for the preset {preset.name!r}; known: {sorted(table)}") from None


def grid(T: float) -> TimeGrid:
    return TimeGrid(dt=DT, T=float(T))


def criteria_for(T: float) -> StateCriteria:
    """The default classifier, with the window shortened to T/2 when T < 2 * 20 (smoke runs only)."""
    if T >= 2 * CRITERIA.window:
        return CRITERIA
    return StateCriteria(window=T / 2)


@dataclass(frozen=True)
class Point:
    """One parameter point: a theory request (per N when N enters the theory) and a simulation per N."""

    label: str
    theory: dict   # N -> TheoryRequest (the same request for every N without sparse input)
    sims: dict     # N -> SimulationRequest

    @property
    def sizes(self):
        return tuple(self.sims)

    def requests(self) -> list:
        return list({r.key(): r for r in self.theory.values()}.values()) + list(self.sims.values())


def point(label: str, g: float, J0: float, T: float, n_theory: int, networks, dtype: str, *,
          lambda0: float = 0.0, inputs: Inputs = Inputs()) -> Point:
    """Requests for one parameter point at every size of ``networks`` (a presets.Sizes)."""
    theory, sims = {}, {}
    for N in networks.N:
        net = Network(N=N, g=g, J0=J0, lambda0=lambda0)
        theory[N] = TheoryRequest(net, inputs, grid(T), n=n_theory)
        sims[N] = SimulationRequest(net, inputs, grid(T), n=networks.count(N), dtype=dtype)
    return Point(label, theory, sims)


def reference_points(preset) -> list[Point]:
    return [point(f"g={g:g}, J0={J0:g}", g, J0, preset.T_dynamics, preset.n_theory, preset.networks,
                  preset.sim_dtype) for g, J0 in REFERENCE_SETS]


def states_of(view, T: float) -> list[str]:
    """Section 7 states of every path of an ensemble view (theory or simulation alike)."""
    h, d = view.stack("h"), view.stack("delta_tt")
    return [s.value for s in classify_states(h, d, DT, criteria_for(T))]


def decimate(times: np.ndarray, every: float) -> np.ndarray:
    """Indices of the recorded times on a coarser grid (every ``every`` time units)."""
    step = max(1, int(round(every / (times[1] - times[0]))))
    return np.arange(0, times.size, step)
