"""How much each figure computes: ``smoke`` (CI), ``quick`` (under 10 minutes on 2 cores), ``full`` (publication).

A preset holds sample counts, the network counts per size of the ensembles
shared with validation, the final time, the float type and the root seed;
each figure module owns its parameter points and network sizes (one table
entry per preset). The root seed, the final time, the float type and the
ensembles of figures 1 and 6 equal those of ``validation.presets`` (QUICK
for quick, FULL for full), so a figure run and a validation run that share
``--cache`` reuse each other's ensembles. The estimate of a run is printed
before it starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from validation.presets import FULL as VFULL
from validation.presets import QUICK as VQUICK
from validation.presets import Sizes


@dataclass(frozen=True)
class FigurePreset:
    """Sample counts of every figure (module docstring).

    Attributes
    ----------
    name : str
        Also the key of the figures' per-preset tables of points and sizes.
    root_seed : int
        Root of every seed (``validation.sweep.request_seed``).
    sim_dtype : {"float32", "float64"}
    T : float
        Final time of every dynamical figure (units of tau).
    n_zeta : int
        zeta samples of the N -> infinity outlier law (figure 1).
    eigen_networks : Sizes
        Realised matrices per N for the finite-N outlier law (figure 1).
    example_n, n_trace : int
        Figure 2: realisations searched for an example of each state, traced neurons.
    phase_n_theory, phase_networks : int
        Figure 3: theory samples and networks per grid point.
    conv_n_theory : int
    conv_networks : Sizes
        Figure 4: theory samples per J0, networks per N and J0.
    entr_networks, entr_n_theory : int
        Figure 5: networks and theory samples per (kappa, A).
    spont_n_theory : int
    spont_networks : Sizes
        Figure 6: the spontaneous irregular rhythm.
    lyap_n : int
        Figure 7: theory samples and networks per J0.
    readout_n : int
        Figure 8: theory samples and networks per amplitude.
    sel_n, sel_initial, sel_n_theory : int
        Figure 9: reservoir realisations, initial states per realisation, theory samples of the FTLE law.
    lc_n, lc_draws, lc_P : int
        Figure 12: reservoir realisations, training draws per n, reference times.
    """

    name: str
    root_seed: int
    sim_dtype: str
    T: float
    n_zeta: int
    eigen_networks: Sizes
    example_n: int
    n_trace: int
    phase_n_theory: int
    phase_networks: int
    conv_n_theory: int
    conv_networks: Sizes
    entr_networks: int
    entr_n_theory: int
    spont_n_theory: int = 400
    spont_networks: Sizes = field(default_factory=lambda: Sizes(((500, 400), (1000, 400))))
    lyap_n: int = 20
    readout_n: int = 100
    sel_n: int = 50
    sel_initial: int = 10
    sel_n_theory: int = 100
    lc_n: int = 3
    lc_draws: int = 5
    lc_P: int = 2000

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        for k in ("eigen_networks", "conv_networks", "spont_networks"):
            d[k] = {str(n): c for n, c in getattr(self, k).per_N}
        return d


QUICK = FigurePreset(
    name="quick", root_seed=VQUICK.root_seed, sim_dtype=VQUICK.sim_dtype, T=VQUICK.T_dynamics,
    n_zeta=VQUICK.n_zeta, eigen_networks=VQUICK.eigen_networks,
    example_n=24, n_trace=80,
    phase_n_theory=48, phase_networks=24,
    conv_n_theory=100, conv_networks=Sizes(((250, 80), (500, 60), (1000, 40))),
    entr_networks=40, entr_n_theory=40,
    spont_n_theory=VQUICK.n_theory, spont_networks=VQUICK.networks,
    lyap_n=12, readout_n=40,
    sel_n=50, sel_initial=10, sel_n_theory=100,
)

FULL = FigurePreset(
    name="full", root_seed=VFULL.root_seed, sim_dtype=VFULL.sim_dtype, T=VFULL.T_dynamics,
    n_zeta=VFULL.n_zeta, eigen_networks=VFULL.eigen_networks,
    example_n=48, n_trace=120,
    phase_n_theory=300, phase_networks=40,
    conv_n_theory=400, conv_networks=Sizes(((500, 400), (1000, 300), (2000, 150), (4000, 60), (8000, 24))),
    entr_networks=80, entr_n_theory=300,
    spont_n_theory=VFULL.n_theory, spont_networks=VFULL.networks,
    lyap_n=100, readout_n=300,
    sel_n=200, sel_initial=10, sel_n_theory=300,
)

SMOKE = FigurePreset(
    name="smoke", root_seed=VQUICK.root_seed, sim_dtype="float32", T=24.0,
    n_zeta=40, eigen_networks=Sizes(((200, 6),)),
    example_n=4, n_trace=20,
    phase_n_theory=4, phase_networks=3,
    conv_n_theory=4, conv_networks=Sizes(((100, 3), (200, 3))),
    entr_networks=3, entr_n_theory=3,
    spont_n_theory=6, spont_networks=Sizes(((200, 6),)),
    lyap_n=2, readout_n=3,
    sel_n=4, sel_initial=2, sel_n_theory=3,
    lc_n=1, lc_draws=1, lc_P=300,
)

PRESETS = {"smoke": SMOKE, "quick": QUICK, "full": FULL}


def get_preset(name: str) -> FigurePreset:
    """The preset called ``name``."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {name!r}") from None
