"""Finite-N simulation of the network of THEORY.md section 1.

Forward Euler x(t+dt) = x + dt (-x + J phi(x) + I(t)) with fused, Numba-parallel
kernels that never form J (its mean part is rank one), for one trajectory or a
batch of R replicas on the same network (section 5), reproducible and resumable
ensembles over network realisations built on :mod:`meanfield.runner`, and the
outlier eigenvalues of realised coupling matrices (section 3).

Reservoir computing (THEORY.md section 9): :mod:`simulate.reservoir` (the
network driven by a task input, on the same kernels), :mod:`simulate.readouts`
(ridge, RLS and classification readouts with scikit-learn's estimator
conventions; :mod:`simulate.sgd` the SGD readouts of the learning theory),
:mod:`simulate.tasks` (memory capacity, NARMA, Mackey-Glass, flip-flop, delayed
recall, digits, MNIST-1D, generated locally from a seed) and :mod:`simulate.metrics`; :mod:`simulate.pretraining` (a realisation's detuning
tuned toward zero macro FTLE) and :mod:`simulate.plasticity` (Hebbian and
spatiotemporal learning rules on z, seed report 004).

Coupling laws (:mod:`simulate.couplings`): the default dense Gaussian z, an
int8 quantised Gaussian (:class:`CompactCouplings`, 1 byte per coupling) and a
fixed in-degree sparse z (:class:`SparseCouplings`), each with fused kernels.

Modules :mod:`simulate.lyapunov` (Benettin and macro exponents),
:mod:`simulate.readout` (readouts, two-stimulus discrimination) and
:mod:`simulate.response` (response to a small input pulse) are the
simulation side of THEORY.md sections 5 and 6.

The calls mirror the theory's (``meanfield``): :func:`run` answers what
:func:`meanfield.solve` answers for one network, :func:`sample` what
:func:`meanfield.sample` answers for an ensemble, with the same argument
order ``(network, inputs, grid, initial)``, keyword-only ``seed`` and
``n_samples``, and results with the same methods.

A run whose state becomes NaN or infinite stops with
:class:`NonFiniteStateError`; in :func:`sample` that realisation is recorded
as failed, with a :class:`FailedRealisationWarning`.

Public API: :func:`run`, :func:`sample`, :func:`outlier_eigenvalues`,
:func:`realise`, :func:`simulate_realisation`, :class:`SimulationResult`,
:class:`SimulationEnsemble`, :class:`NonFiniteStateError`,
:class:`FailedRealisationWarning`.
"""

from . import lyapunov, metrics, plasticity, pretraining, readout, readouts, response, sgd, tasks, zeta
from .couplings import CompactCouplings, CouplingLaw, GaussianCouplings
from .couplings_sparse import SparseCouplings
from .ensembles import FailedRealisationWarning, sample
from .options import RunOptions, Setup, make_setup
from .readouts import RidgeClassifierReadout, RidgeReadout, RLSReadout
from .realisation import Realisation, realise
from .reservoir import Reservoir, ReservoirRealisation, ReservoirStates
from .result import SimulationEnsemble, SimulationResult
from .simulation import NonFiniteStateError, run, simulate_realisation
from .spectrum import RankOneUncertified, bulk_radius, coupling_eigenvalues, outlier_eigenvalues

__all__ = [
    "run", "sample", "outlier_eigenvalues", "coupling_eigenvalues", "bulk_radius", "RankOneUncertified",
    "realise", "Realisation", "simulate_realisation", "RunOptions", "Setup", "make_setup",
    "SimulationResult", "SimulationEnsemble", "NonFiniteStateError", "FailedRealisationWarning",
    "lyapunov", "readout", "response",
    "Reservoir", "ReservoirRealisation", "ReservoirStates", "RidgeReadout", "RLSReadout",
    "RidgeClassifierReadout", "readouts", "tasks", "metrics", "zeta", "plasticity", "pretraining", "sgd",
    "CouplingLaw", "GaussianCouplings", "CompactCouplings",
    "SparseCouplings",
]
