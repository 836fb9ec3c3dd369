"""How many samples a comparison needs to resolve its tolerance (the power calculation behind the presets).

A comparison can PASS only if its resolution w, the half-width of the 95 %
interval of its discrepancy (:mod:`validation.verdict`), is at most its
tolerance tau. For the two kinds whose resolution has a closed form in the
sample sizes, n theory samples and m networks resolve tau exactly when

    1/n + 1/m <= B,

with the *budget* B of :func:`resolution_budget`:

* law of a scalar (two-sample KS): w = c sqrt(1/n + 1/m), c = 1.358 (the 95 %
  point of the Kolmogorov distribution), so B = (tau / c)^2; for tau = 0.1,
  B = 1 / 184.4;
* difference of two probabilities: w ~ 1.96 sqrt(p (1 - p) (1/n + 1/m)) (the
  normal approximation of Newcombe's interval, close to it once both sides
  have a few dozen events), so B = (tau / 1.96)^2 / (p (1 - p)), smallest at
  p = 1/2: B = 1 / 384.1 for tau = 0.1.

The cheapest sizes for per-sample costs c_n (theory) and c_m (networks)
minimise n c_n + m c_m on that boundary (:func:`cheapest_sizes`); one theory
ensemble shared by networks of several sizes N is in
:func:`shared_theory_sizes`. For a curve comparison w is a bootstrap band,
proportional to 1/sqrt(samples) when both sides grow together, so
:func:`growth_needed` extrapolates from a measured w.
"""

from __future__ import annotations

import math

from .statistics import KS_C95, Z95


def resolution_budget(kind: str, tolerance: float, p: float = 0.5) -> float:
    """B such that n theory samples and m networks resolve ``tolerance`` iff 1/n + 1/m <= B.

    Parameters
    ----------
    kind : {"distribution", "proportion"}
    tolerance : float
        tau > 0.
    p : float
        The probability compared (``"proportion"`` only); 1/2 is the worst case.
    """
    if not tolerance > 0:
        raise ValueError(f"tolerance must be > 0, got {tolerance}")
    if kind == "distribution":
        return (tolerance / KS_C95) ** 2
    if kind == "proportion":
        if not 0 < p < 1:
            raise ValueError(f"p must lie in (0, 1) for a proportion budget, got {p}")
        return (tolerance / Z95) ** 2 / (p * (1 - p))
    raise ValueError(f"kind must be 'distribution' or 'proportion', got {kind!r}")


def sims_given_theory(budget: float, n_theory: int) -> int:
    """The fewest networks m with 1/n_theory + 1/m <= budget.

    Raises
    ------
    ValueError
        If n_theory alone uses the whole budget (1/n_theory >= budget): no m suffices.
    """
    room = budget - 1.0 / n_theory
    if not room > 0:
        raise ValueError(f"{n_theory} theory samples cannot resolve this tolerance with any number of "
                         f"networks: need more than 1/budget = {1 / budget:.0f}")
    return math.ceil(1.0 / room - 1e-9)


def cheapest_sizes(budget: float, cost_theory: float, cost_sim: float) -> tuple[int, int]:
    """(n, m) minimising n cost_theory + m cost_sim subject to 1/n + 1/m <= budget.

    The Lagrange condition gives n = (1 + sqrt(c_m / c_n)) / B and
    m = (1 + sqrt(c_n / c_m)) / B; n is rounded up and m recomputed, so the
    pair always resolves the budget.
    """
    if not (cost_theory > 0 and cost_sim > 0 and budget > 0):
        raise ValueError("costs and budget must be > 0")
    n = math.ceil((1 + math.sqrt(cost_sim / cost_theory)) / budget)
    return n, sims_given_theory(budget, n)


def shared_theory_sizes(budget: float, cost_theory: float, sim_costs) -> tuple[int, int]:
    """(n, m): one theory ensemble of n samples shared by m networks at each of several sizes N.

    Minimises n c_n + m sum(c_N) with 1/n + 1/m <= B: B n - 1 = sqrt(sum(c_N) / c_n).
    """
    total = float(sum(sim_costs))
    return cheapest_sizes(budget, cost_theory, total)


def growth_needed(resolution: float, tolerance: float) -> float:
    """Factor by which both sides' samples must grow for a 1/sqrt(samples) resolution to reach tolerance."""
    if not tolerance > 0:
        raise ValueError(f"tolerance must be > 0, got {tolerance}")
    return max(1.0, (resolution / tolerance) ** 2)


#: (theory count, network sizes) fields of a preset whose pairs feed KS and proportion comparisons
POWERED_FIELDS = (("n_theory", "networks"), ("n_theory_spontaneous", "spontaneous_networks"),
                  ("n_theory_entrainment", "entrainment_networks"),
                  ("n_zeta", "eigen_networks"), ("n_theory_replicas", "replica_networks"),
                  ("n_theory_reservoir", "reservoir_networks"))


def underpowered(preset, tolerance: float = 0.1) -> list[tuple[str, int, int, int, float]]:
    """Pairs of a preset whose KS resolution exceeds ``tolerance``: (field, N, n, m, resolution).

    The KS budget is the smaller of the two (a proportion at p = 1/2 allows
    about twice the 1/n + 1/m), so an empty list means that every proportion
    and every law of a scalar the preset compares can PASS at ``tolerance``.
    """
    from .statistics import ks_critical_distance

    out = []
    for n_field, sizes_field in POWERED_FIELDS:
        n = getattr(preset, n_field)
        for N, m in getattr(preset, sizes_field).per_N:
            w = ks_critical_distance(n, m)
            if w > tolerance:
                out.append((n_field, N, n, m, w))
    return out
