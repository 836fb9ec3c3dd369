"""Helpers shared by the figure modules: requests at one point, states of an ensemble, probabilities.

A figure module defines ``NAME``, ``TITLE``, ``requests(preset)`` and
``render(data, preset) -> Rendered``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from meanfield.model import STATES, Inputs, Network, StateCriteria, TimeGrid, classify_states
from meanfield.stats import proportion

from ..requests import TraceRequest
from validation.requests import SimulationRequest, TheoryRequest

DT = 0.1
STATE_NAMES = tuple(s.value for s in STATES)


@dataclass(frozen=True, eq=False)
class Rendered:
    """What a figure module returns: the figure and the data of its caption.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
    parameters : dict
        Model parameters of every panel (JSON-able).
    reading : str
        One paragraph: what the figure shows and how to read it (gallery text).
    summary : str
        One sentence: network sizes and numbers of realisations / samples.
    notes : list of str
        Findings (e.g. theory and simulation disagree, failed samples).
    """

    fig: object
    parameters: dict
    reading: str
    summary: str
    notes: list = field(default_factory=list)


def grid(T: float) -> TimeGrid:
    """The Euler grid of every dynamical figure (dt = 0.1, as in THEORY.md section 4)."""
    return TimeGrid(dt=DT, T=float(T))


def criteria(T: float) -> StateCriteria:
    """Section 7 classifier with default thresholds; window T/2 when T < 40 (smoke runs only)."""
    base = StateCriteria()
    return base if T >= 2 * base.window else StateCriteria(window=T / 2)


def theory(g, J0, T, n, *, N=1000, inputs=Inputs()) -> TheoryRequest:
    """n theory samples at (g, J0) (N only matters with a sparse input); solver failures are counted."""
    return TheoryRequest(Network(N=N, g=g, J0=J0), inputs, grid(T), n=n)


def networks(g, J0, T, N, n, dtype, *, inputs=Inputs()) -> SimulationRequest:
    """n simulated networks of size N at (g, J0)."""
    return SimulationRequest(Network(N=N, g=g, J0=J0), inputs, grid(T), n=n, dtype=dtype)


def traced_networks(g, J0, T, N, n, dtype, n_trace) -> TraceRequest:
    """n networks of size N with x_i(t) of n_trace neurons recorded."""
    return TraceRequest(Network(N=N, g=g, J0=J0), Inputs(), grid(T), n=n, dtype=dtype, n_trace=n_trace)


def states(view, T: float) -> list[str]:
    """Section 7 states of every path of an ensemble view."""
    if len(view) == 0:
        return []
    return [s.value for s in classify_states(view.stack("h"), view.stack("delta_tt"), DT, criteria(T))]


def probabilities(labels: list[str]) -> dict:
    """state -> meanfield.stats.Proportion (Wilson 95 %); empty dict for no paths."""
    n = len(labels)
    if n == 0:
        return {}
    return {s: proportion(labels.count(s), n) for s in STATE_NAMES}


def ensemble_record(view, request) -> dict:
    """Caption entry of one ensemble: kind, N, realisations used, failures, seed."""
    net = getattr(request, "network", None)
    rec = {"kind": request.kind, "key": request.key(), "n_requested": int(request.n), "n_used": len(view),
           "seed": view.seed}
    if net is not None:
        rec.update({"N": int(net.N), "g": net.g, "J0": net.J0})
        if request.kind == "theory" and request.inputs.sparse is None:
            rec["N"] = "infinity (the theory does not depend on N without a sparse input)"
    if hasattr(request, "inputs") and request.inputs.sparse is not None:
        sp = request.inputs.sparse
        rec.update({"kappa": sp.kappa, "A": sp.A})
    return rec


def failed_note(data) -> list[str]:
    """Findings for realisations that failed and were excluded (validation.checks.base.Data.excluded)."""
    out = []
    for key, bad in data.excluded.items():
        out.append(f"{len(bad)} realisation(s) of {key} failed and were excluded; first error: {bad[0][1][:200]}")
    return out


def prob_arrays(props: list) -> tuple[np.ndarray, np.ndarray]:
    """p and the asymmetric Wilson error bars (2, n) of a list of Proportions."""
    p = np.array([q.p for q in props])
    err = np.array([[q.p - q.low for q in props], [q.high - q.p for q in props]])
    return p, err


def missing_record(fig, axes, what: str, command: str, note: str) -> Rendered:
    """The figure of a record-based module when its record has not been produced: a note on every panel."""
    for ax in axes:
        ax.text(0.5, 0.5, f"no {what}\nrun {command}", ha="center", va="center", transform=ax.transAxes,
                fontsize=7)
    return Rendered(fig, {}, f"The {what} is missing.", "no data", [note])
