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
THEORY.md section 4 is at T = 60: ``full`` only). Its sample counts come from
the power calculation of :mod:`validation.power`: every probability and every
law of a scalar it compares is resolved to the tolerance 0.1 at each of its
sizes, with theory and network counts in the ratio that minimises the cost
(``tests/validation/test_power.py`` checks this for every request). Curve
comparisons (autocorrelations, spectra) have no closed-form resolution; the
report says by how much their samples would have to grow.

Check k (learning curves) has no reservoirs in ``quick``: a conclusive verdict
needs many realisations of the order of a minute of one core each, more than
that job can add, so ``quick`` leaves it out and says so; ``full`` and
``smoke`` run it, and ``scripts/learning_curves.py`` runs it alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from meanfield.arguments import count


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
        Simulated networks per N for checks c, d, g.
    n_theory_spontaneous : int
        Theory samples of check e (its curves need more than the probabilities of c, d, g).
    spontaneous_networks : Sizes
        Simulated networks per N for check e.
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
    T_paired : float
        Final time of check j.
    paired_networks : Sizes
        Networks per N for check j (each with every neuron recorded); three sizes or more fit the
        exponent of the paired errors.
    learning_networks : Sizes
        Reservoir realisations per N for check k (empty: the check is not run at this preset).
    learning_P : int
        Input times of check k: the input law of its training sets and the points of its Mercer spectrum.
    learning_draws : int
        Training sets per realisation, noise variance and n of check k.
    """

    name: str
    root_seed: int = 20240611
    sim_dtype: str = "float64"
    T_dynamics: float = 60.0
    n_theory: int = 400
    networks: Sizes = field(default_factory=lambda: Sizes(((500, 400), (1000, 400), (2000, 200), (4000, 100))))
    n_theory_spontaneous: int = 2800
    spontaneous_networks: Sizes = field(
        default_factory=lambda: Sizes(((500, 2200), (1000, 2200), (2000, 300), (4000, 100))))
    n_zeta: int = 4000
    eigen_networks: Sizes = field(default_factory=lambda: Sizes(((500, 400), (1000, 200), (2000, 60), (4000, 12))))
    T_entrainment: float = 60.0
    n_theory_entrainment: int = 420
    entrainment_networks: Sizes = field(
        default_factory=lambda: Sizes(((500, 330), (1000, 330), (2000, 150), (4000, 80))))
    n_boot: int = 2000
    T_replicas: float = 40.0
    n_theory_replicas: int = 310
    replica_networks: Sizes = field(default_factory=lambda: Sizes(((1000, 460), (2000, 100))))
    reservoir_steps: int = 400
    n_theory_reservoir: int = 420
    reservoir_networks: Sizes = field(default_factory=lambda: Sizes(((250, 330), (500, 330), (1000, 330),
                                                                     (2000, 100), (4000, 60))))
    T_paired: float = 60.0
    paired_networks: Sizes = field(default_factory=lambda: Sizes(((500, 100), (1000, 60), (2000, 30), (4000, 30))))
    # one size: check k judges the predicted learning curve, not a convergence in N
    learning_networks: Sizes = field(default_factory=lambda: Sizes(((500, 20),)))
    learning_P: int = 2000
    learning_draws: int = 5

    def __post_init__(self):
        if not isinstance(self.learning_networks, Sizes):
            raise ValueError(f"Preset.learning_networks must be a validation.presets.Sizes, "
                             f"got {type(self.learning_networks).__name__}")
        for N, n in self.learning_networks.per_N:
            count("Preset.learning_networks size N", N)
            count(f"Preset.learning_networks count at N = {N}", n)
        count("Preset.learning_P", self.learning_P, lo=2)   # the target is standardised over the P times
        count("Preset.learning_draws", self.learning_draws)

    @property
    def sizes(self) -> tuple[int, ...]:
        return self.networks.N

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        for k in ("networks", "spontaneous_networks", "eigen_networks", "entrainment_networks", "replica_networks", "reservoir_networks",
                  "paired_networks", "learning_networks"):
            d[k] = {str(n): c for n, c in getattr(self, k).per_N}
        return d


FULL = Preset(name="full")

QUICK = Preset(
    name="quick",
    sim_dtype="float32",
    T_dynamics=40.0,
    # sized by validation.power: 1/n + 1/m <= (0.1 / 1.358)^2 resolves the KS tolerance 0.1 at both N
    # (and every proportion, whose budget is twice as large), at the least cost for the measured
    # seconds per theory sample and per network (validation.requests' cost models)
    n_theory=420,
    networks=Sizes(((500, 330), (1000, 330))),
    # a curve's bootstrap band has no closed form: these counts are the growth that
    # validation.power.growth_needed extrapolated from a smaller run; at N = 1000 they would double the run
    n_theory_spontaneous=2800,
    spontaneous_networks=Sizes(((500, 2200),)),
    n_zeta=1600,
    eigen_networks=Sizes(((500, 210), (1000, 210))),  # the rank-one outliers make N = 1000 cheap
    T_entrainment=40.0,
    n_theory_entrainment=420,
    entrainment_networks=Sizes(((500, 330), (1000, 330))),
    n_boot=500,
    T_replicas=10.0,
    n_theory_replicas=310,
    replica_networks=Sizes(((500, 460),)),
    reservoir_steps=200,
    n_theory_reservoir=390,
    reservoir_networks=Sizes(((500, 390),)),
    T_paired=40.0,
    # enough networks for the exponent's 95 % half-width (1.96 se, se ~ 1/sqrt(networks)) to reach 0.15
    paired_networks=Sizes(((500, 64), (1000, 42), (2000, 26))),
    # check k: a conclusive verdict costs more than this job can add (not run; scripts/learning_curves.py)
    learning_networks=Sizes(()),
)

SMOKE = Preset(
    name="smoke",
    sim_dtype="float32",
    T_dynamics=24.0,
    n_theory=16,
    networks=Sizes(((200, 12), (400, 8))),
    n_theory_spontaneous=16,
    spontaneous_networks=Sizes(((200, 12), (400, 8))),
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
    T_paired=10.0,
    paired_networks=Sizes(((200, 3), (400, 3), (800, 2))),
    learning_networks=Sizes(((60, 2),)),
    learning_P=150,
    learning_draws=1,
)

PRESETS = {"smoke": SMOKE, "quick": QUICK, "full": FULL}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {name!r}") from None
