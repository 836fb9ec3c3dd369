"""Run sizes: ``smoke`` (CI end-to-end test), ``quick`` (the README's main job), ``full`` (publication).

A preset fixes how much is computed, never what is compared or how it is
judged: observables, statistics and tolerances are the same in every preset.
The checks (:mod:`validation.checks`) own their parameter points, and run
more of them in a larger preset (their per-preset tables); a preset holds
sample counts, the network sizes and counts per size, the final time of the
shorter checks and the floating type of the simulation. The cost of a run is
estimated from the requests' cost models and printed before it starts
(``full``: hours with 2 workers; use ``--cache`` to resume).

``quick`` uses T = 40 for the dynamics (the reference P(|h(T)| > 0.5) of
THEORY.md section 4 is at T = 60: ``full`` only) and resolves a tolerance of
0.1 in probability and in KS distance at N = 500 (400 networks); its N = 1000
ensembles are smaller, so many of their comparisons are inconclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sizes:
    """Network realisations per size N (the simulation side of one parameter point)."""

    per_N: tuple[tuple[int, int], ...]

    @property
    def N(self) -> tuple[int, ...]:
        return tuple(n for n, _ in self.per_N)

    def count(self, N: int) -> int:
        return dict(self.per_N)[N]


@dataclass(frozen=True)
class Preset:
    """How much to compute (module docstring).

    Attributes
    ----------
    name : str
    root_seed : int
        Root of every seed of the run (``validation.sweep.request_seed``).
    sim_dtype : {"float32", "float64"}
        Floating type of z and x in the simulations (observables are float64).
    T_dynamics : float
        Final time of the reference dynamics (checks c, d, e, g); 60 as in THEORY.md section 4.
    n_theory : int
        Theory samples per parameter point of checks c, d, e, g.
    networks : Sizes
        Simulated networks per N for checks c, d, e, g.
    n_zeta : int
        zeta samples per point of checks a, b.
    eigen_networks : Sizes
        Realised matrices per N for checks a, b.
    T_entrainment : float
        Final time of check f.
    n_theory_entrainment : int
    entrainment_networks : Sizes
    n_boot : int
        Bootstrap replicates of curve comparisons.
    T_replicas : float
        Final time of check h (exponents on (0, T), discrimination at T).
    n_theory_replicas : int
        Theory samples of check h (each: two tangent solves and two replicas).
    replica_networks : Sizes
        Realised networks per N for check h.
    reservoir_steps : int
        Input samples of check i (one Euler step each).
    n_theory_reservoir : int
        Theory samples of check i (one tangent solve each).
    reservoir_networks : Sizes
        Realised reservoirs per N for check i.
    """

    name: str
    root_seed: int = 20240611
    sim_dtype: str = "float64"
    T_dynamics: float = 60.0
    n_theory: int = 400
    networks: Sizes = field(default_factory=lambda: Sizes(((500, 400), (1000, 400), (2000, 200), (4000, 100))))
    n_zeta: int = 4000
    eigen_networks: Sizes = field(default_factory=lambda: Sizes(((500, 400), (1000, 200), (2000, 60), (4000, 12))))
    T_entrainment: float = 60.0
    n_theory_entrainment: int = 300
    entrainment_networks: Sizes = field(
        default_factory=lambda: Sizes(((500, 300), (1000, 300), (2000, 150), (4000, 80))))
    n_boot: int = 2000
    T_replicas: float = 40.0
    n_theory_replicas: int = 200
    replica_networks: Sizes = field(default_factory=lambda: Sizes(((1000, 200), (2000, 100))))
    reservoir_steps: int = 400
    n_theory_reservoir: int = 300
    reservoir_networks: Sizes = field(default_factory=lambda: Sizes(((250, 300), (500, 300), (1000, 200),
                                                                     (2000, 100), (4000, 60))))

    @property
    def sizes(self) -> tuple[int, ...]:
        return self.networks.N

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        for k in ("networks", "eigen_networks", "entrainment_networks", "replica_networks", "reservoir_networks"):
            d[k] = {str(n): c for n, c in getattr(self, k).per_N}
        return d


FULL = Preset(name="full")

QUICK = Preset(
    name="quick",
    sim_dtype="float32",
    T_dynamics=40.0,
    n_theory=360,
    networks=Sizes(((500, 400), (1000, 100))),
    n_zeta=800,
    eigen_networks=Sizes(((500, 120), (1000, 100))),  # the rank-one outliers make N = 1000 cheap
    T_entrainment=40.0,
    n_theory_entrainment=100,
    entrainment_networks=Sizes(((500, 120), (1000, 40))),
    n_boot=500,
    T_replicas=10.0,
    n_theory_replicas=80,
    replica_networks=Sizes(((500, 80),)),
    reservoir_steps=200,
    n_theory_reservoir=100,
    reservoir_networks=Sizes(((500, 100), (2000, 60))),
)

SMOKE = Preset(
    name="smoke",
    sim_dtype="float32",
    T_dynamics=24.0,
    n_theory=16,
    networks=Sizes(((200, 12), (400, 8))),
    n_zeta=60,
    eigen_networks=Sizes(((200, 8), (400, 4))),
    T_entrainment=24.0,
    n_theory_entrainment=12,
    entrainment_networks=Sizes(((200, 8), (400, 6))),
    n_boot=100,
    T_replicas=4.0,
    n_theory_replicas=8,
    replica_networks=Sizes(((200, 6),)),
    reservoir_steps=40,
    n_theory_reservoir=8,
    reservoir_networks=Sizes(((200, 6),)),
)

PRESETS = {"smoke": SMOKE, "quick": QUICK, "full": FULL}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {name!r}") from None
