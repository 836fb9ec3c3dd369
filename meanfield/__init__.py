"""Mean-field theory of critically balanced neuronal networks.

``meanfield.model`` defines the network, inputs, time grid and state
classifier shared by theory (this package), simulation (``simulate``) and
validation (``validation``). See THEORY.md for the equations.

Main entry points
-----------------
solve        one theory sample: the causal forward sweep (THEORY.md section 4)
solve_picard Picard iteration of whole trajectories (causal or symmetric ablation)
conditional_moments  Delta, C, Chat and M of section 4 given one network's own population path
sample       an ensemble of theory samples with state probabilities (sections 4, 7)
solve_replicas  several conditions on the same network, solved jointly (section 5)
linear       the exact linear theory (section 3): random kernel, transfer function, outliers
readout      readout laws and probabilities given the population path, two-stimulus discrimination (section 6)
lyapunov     micro and macro Lyapunov exponents of one theory sample (section 5)
learning     predictions for learning with the network: the macro stability score of a realisation (section 9)
learning_curve  Mercer spectra of the network's kernel and the learning curves of a readout (section 9)
response     linear response chi(t, s) of one theory sample (sections 3, 5)
tangent      tangent-linear recursion of the joint replica system (section 5)
results      labelled results: ``to_xarray()``, ``save(path)``, :func:`load`
runner       the one ensemble path (:func:`meanfield.runner.map_seeds`) and its resumable store

The simulator (``simulate``) answers the same questions with the same calls:
``solve`` / ``simulate.run`` for one path, ``sample`` / ``simulate.sample``
for an ensemble, and ``lyapunov_ensemble``, ``response_ensemble``,
``readout_ensemble``, ``discriminate`` in the modules of the same names.
"""

from . import linear, model
from . import learning, learning_curve, lyapunov, readout, response, results, stats, tangent
from .model import *  # noqa: F401,F403  (the model is part of the public API)
from .conditional import ConditionalMoments, conditional_moments
from .picard import solve_picard
from .population import PopulationPath, draw_innovations, solve
from .replicas import ReplicaPaths, solve_replicas
from .results import LabelledResult, PathEnsemble, Provenance, load
from .sampling import TheoryEnsemble, sample
from .settings import SolverSettings
from .stats import Proportion, proportion

__version__ = "0.1.0"
