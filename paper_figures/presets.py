"""How much each figure computes: ``smoke`` (CI), ``quick`` (under 10 minutes on 2 cores), ``full`` (publication).

A preset changes sample counts, network sizes, grids and the final time,
never what a figure shows or how it is estimated. The root seed, the final
time, the float type and the ensembles of figures 1 and 6 equal those of
``validation.presets`` (QUICK for quick, FULL for full), so a figure run and a
validation run that share ``--cache`` reuse each other's ensembles.

Budgets (single-core seconds per realisation, measured in ``validation.presets``:
theory sample 0.067 s at T = 40 and 0.13 s at T = 60; float32 network 0.028 s
(N = 500), 0.093 s (N = 1000) at T = 40, about N^2 beyond). The estimate of a
run is printed before it starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from validation.presets import FULL as VFULL
from validation.presets import QUICK as VQUICK
from validation.presets import Sizes


@dataclass(frozen=True)
class FigurePreset:
    """Sizes and sample counts of every figure (module docstring).

    Attributes
    ----------
    name : str
    root_seed : int
        Root of every seed (``validation.sweep.request_seed``).
    sim_dtype : {"float32", "float64"}
    T : float
        Final time of every dynamical figure (units of tau).
    spectrum_N : int
        Size of the one realised J whose whole spectrum is drawn (figure 1).
    n_zeta : int
        zeta samples of the N -> infinity outlier law (figure 1).
    eigen_networks : Sizes
        Realised matrices per N for the finite-N outlier law (figure 1).
    example_N, example_n, n_trace : int
        Figure 2: network size, realisations searched for an example of each state, traced neurons.
    phase_g, phase_J0 : tuple of float
        Figure 3 grid (theory at every point).
    phase_n_theory : int
    phase_N, phase_networks : int
        Figure 3 simulation size and networks per point (every grid point).
    conv_g : float
    conv_J0 : tuple of float
    conv_n_theory : int
    conv_networks : Sizes
        Figure 4: P(coherent) vs J0 at g = conv_g, networks per N.
    entr_g, entr_J0 : float
    kappas, amplitudes : tuple of float
    entr_N, entr_networks, entr_n_theory : int
        Figure 5: sparse input to round(kappa sqrt N) neurons.
    spont_g, spont_J0 : float
    spont_n_theory : int
    spont_networks : Sizes
        Figure 6: the spontaneous irregular rhythm.
    lyap_g, lyap_J0, lyap_N, lyap_n
        Figure 7: g, the J0 values, network size, samples and networks per J0.
    readout_g, readout_J0, readout_kappa, readout_amplitudes, readout_N, readout_n
        Figure 8: two stimuli +-A on round(kappa sqrt N) neurons; samples and networks per A.
    """

    name: str
    root_seed: int
    sim_dtype: str
    T: float
    spectrum_N: int
    n_zeta: int
    eigen_networks: Sizes
    example_N: int
    example_n: int
    n_trace: int
    phase_g: tuple
    phase_J0: tuple
    phase_n_theory: int
    phase_N: int
    phase_networks: int
    conv_g: float
    conv_J0: tuple
    conv_n_theory: int
    conv_networks: Sizes
    entr_g: float
    entr_J0: float
    kappas: tuple
    amplitudes: tuple
    entr_N: int
    entr_networks: int
    entr_n_theory: int
    spont_g: float = 1.5
    spont_J0: float = 1.0
    spont_n_theory: int = 400
    spont_networks: Sizes = field(default_factory=lambda: Sizes(((500, 400), (1000, 400))))
    lyap_g: float = 1.5
    lyap_J0: tuple = (0.5, 1.0, 2.0, 3.0)
    lyap_N: int = 500
    lyap_n: int = 20
    readout_g: float = 0.8
    readout_J0: float = 2.0
    readout_kappa: float = 1.0
    readout_amplitudes: tuple = (0.25, 0.5, 1.0, 2.0)
    readout_N: int = 500
    readout_n: int = 100

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        for k in ("eigen_networks", "conv_networks", "spont_networks"):
            d[k] = {str(n): c for n, c in getattr(self, k).per_N}
        return d


QUICK = FigurePreset(
    name="quick", root_seed=VQUICK.root_seed, sim_dtype=VQUICK.sim_dtype, T=VQUICK.T_dynamics,
    spectrum_N=1000, n_zeta=VQUICK.n_zeta, eigen_networks=VQUICK.eigen_networks,
    example_N=1000, example_n=24, n_trace=80,
    phase_g=(0.5, 0.8, 1.1, 1.4, 1.7), phase_J0=(0.5, 1.0, 2.0, 3.0, 4.0), phase_n_theory=48,
    phase_N=500, phase_networks=24,
    conv_g=0.8, conv_J0=(0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0), conv_n_theory=100,
    conv_networks=Sizes(((250, 80), (500, 60), (1000, 40))),
    entr_g=0.8, entr_J0=2.0, kappas=(0.5, 1.0, 2.0), amplitudes=(0.25, 0.5, 1.0, 2.0, 4.0),
    entr_N=500, entr_networks=40, entr_n_theory=40,
    spont_g=1.5, spont_J0=1.0, spont_n_theory=VQUICK.n_theory, spont_networks=VQUICK.networks,
    lyap_g=1.5, lyap_J0=(0.5, 1.0, 2.0, 3.0), lyap_N=500, lyap_n=12,
    readout_amplitudes=(0.25, 0.5, 1.0, 2.0), readout_N=500, readout_n=40,
)

FULL = FigurePreset(
    name="full", root_seed=VFULL.root_seed, sim_dtype=VFULL.sim_dtype, T=VFULL.T_dynamics,
    spectrum_N=2000, n_zeta=VFULL.n_zeta, eigen_networks=VFULL.eigen_networks,
    example_N=2000, example_n=48, n_trace=120,
    phase_g=(0.3, 0.5, 0.7, 0.9, 1.1, 1.3, 1.5, 1.7),
    phase_J0=(0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0), phase_n_theory=300,
    phase_N=2000, phase_networks=40,
    conv_g=0.8, conv_J0=(0.5, 1.0, 1.5, 2.0, 3.0, 4.0), conv_n_theory=400,
    conv_networks=Sizes(((500, 400), (1000, 300), (2000, 150), (4000, 60), (8000, 24))),
    entr_g=0.8, entr_J0=2.0, kappas=(0.5, 1.0, 2.0, 4.0), amplitudes=(0.125, 0.25, 0.5, 1.0, 2.0, 4.0),
    entr_N=2000, entr_networks=80, entr_n_theory=300,
    spont_g=1.5, spont_J0=1.0, spont_n_theory=VFULL.n_theory, spont_networks=VFULL.networks,
    lyap_g=1.5, lyap_J0=(0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0), lyap_N=2000, lyap_n=100,
    readout_amplitudes=(0.125, 0.25, 0.5, 1.0, 2.0, 4.0), readout_N=2000, readout_n=300,
)

SMOKE = FigurePreset(
    name="smoke", root_seed=VQUICK.root_seed, sim_dtype="float32", T=24.0,
    spectrum_N=200, n_zeta=40, eigen_networks=Sizes(((200, 6),)),
    example_N=200, example_n=4, n_trace=20,
    phase_g=(0.5, 1.4), phase_J0=(1.0, 3.0), phase_n_theory=4, phase_N=200, phase_networks=3,
    conv_g=0.8, conv_J0=(1.0, 3.0), conv_n_theory=4, conv_networks=Sizes(((100, 3), (200, 3))),
    entr_g=0.8, entr_J0=2.0, kappas=(1.0,), amplitudes=(0.5, 2.0), entr_N=200, entr_networks=3,
    entr_n_theory=3,
    spont_g=1.5, spont_J0=1.0, spont_n_theory=6, spont_networks=Sizes(((200, 6),)),
    lyap_g=1.5, lyap_J0=(1.0, 2.0), lyap_N=200, lyap_n=2,
    readout_amplitudes=(1.0,), readout_N=200, readout_n=3,
)

PRESETS = {"smoke": SMOKE, "quick": QUICK, "full": FULL}


def get_preset(name: str) -> FigurePreset:
    """The preset called ``name``."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {name!r}") from None
