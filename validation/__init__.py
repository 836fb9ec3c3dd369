"""Theory against simulation: reproducible validation reports.

Layers (dependency direction: validation -> meanfield, simulate):

* :mod:`.requests`     what to compute: theory samples, networks, spectra, zeta outliers
  (:mod:`.requests_replicas`: exponents and readouts; :mod:`.requests_reservoir`: reservoirs)
* :mod:`.sweep`        the sweep engine: parameter points x realisations, one pool, resumable cache
* ``meanfield.backends`` local process pool (default) or Dask distributed (shared with the theory)
* :mod:`.statistics`   comparisons: proportions, distributions (KS, AD), curves (bootstrap)
* :mod:`.verdict`      pass / fail / inconclusive, one rule for all
* :mod:`.convergence`  discrepancy versus N, fitted exponent
* :mod:`.checks`       the check registry, (a)-(k)
* :mod:`.paired`       per-network statistics: empirical moments given a network's own h, causal whitening
* :mod:`.presets`      smoke / quick / full
* :mod:`.pipeline`     one run: sweep, evaluate, report
* :mod:`.report`       index.html, PNG figures, metrics.json (the only file writer)

Command line: ``meanfield validate --quick`` (or ``meanfield-validate``, ``python -m validation``).
"""

from .checks import CHECKS, register, select
from .convergence import ConvergenceFit, fit_exponent
from .pipeline import ValidationRun, run_validation
from .presets import FULL, PRESETS, QUICK, SMOKE, Preset, get_preset
from .statistics import Comparison, compare_curves, compare_distributions, compare_proportions
from .sweep import EnsembleData, request_seed, run_sweep
from .verdict import Verdict, aggregate, decide

__all__ = [
    "CHECKS", "register", "select", "ConvergenceFit", "fit_exponent", "ValidationRun", "run_validation",
    "FULL", "PRESETS", "QUICK", "SMOKE", "Preset", "get_preset", "Comparison", "compare_curves",
    "compare_distributions", "compare_proportions", "EnsembleData", "request_seed", "run_sweep",
    "Verdict", "aggregate", "decide",
]
